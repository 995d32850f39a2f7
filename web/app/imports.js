// Importing leads from a CSV export (HubSpot, Salesforce, a spreadsheet): choose the file,
// say where its addresses came from and on what basis they may be emailed, check it (every
// row that would be rejected, with its line), then import. Sending the same file again
// resumes an interrupted import without importing a row twice.
import { useState } from 'preact/hooks';
import { html, upload } from './lib.js';

export const mayImport = (user) => ['marketing', 'sales_manager', 'admin'].includes(user.role);

const SOURCES = [
  ['import', 'Imported from another system (no basis of its own)'],
  ['form', 'They gave it on a form'],
  ['event', 'They gave it at an event'],
  ['api', 'Another system sent it'],
  ['purchased', 'A purchased list'],
  ['harvested', 'Collected from the web'],
];
const SHOWN_REJECTIONS = 500;

function Summary({ result }) {
  const rejected = result.rejected || [];
  return html`<section class="card import-result" aria-label="Import result" data-dry-run=${String(result.dry_run)}>
    <h2>${result.dry_run ? 'Checked, nothing imported' : 'Imported'}</h2>
    <p>Read as a ${result.recognized_as} export (${result.encoding}): <strong>${result.rows}</strong> rows,
      <strong data-field="accepted">${result.accepted}</strong> ${result.dry_run ? 'would be imported' : 'imported'}${!result.dry_run && html` (${result.stored} now, ${result.already_imported} by an earlier upload of this file)`},
      <strong data-field="rejected">${result.rejected_count}</strong> rejected.</p>
    ${result.repeated_addresses > 0 && html`<p class="muted">${result.repeated_addresses} rows repeat an earlier row's address; they join its lead.</p>`}
    ${result.ignored_columns && result.ignored_columns.length > 0 && html`<p class="muted">Columns not imported: ${result.ignored_columns.join(', ')}</p>`}
    ${!result.dry_run && html`<p class="muted">The leads appear in the lists within moments, as Tandem processes the rows.</p>`}
    ${rejected.length > 0 && html`<h3>Rejected rows</h3>
      <ul class="rejections">${rejected.slice(0, SHOWN_REJECTIONS).map((r) => html`<li data-line=${r.line}>${r.message}</li>`)}</ul>
      ${rejected.length > SHOWN_REJECTIONS && html`<p class="muted">and ${rejected.length - SHOWN_REJECTIONS} more; the command line (tandem import leads --dry-run) lists every one.</p>`}`}
  </section>`;
}

export function Imports() {
  const [file, setFile] = useState(null);
  const [consent, setConsent] = useState('none');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [result, setResult] = useState(null);
  async function send(form, dryRun) {
    setBusy(true);
    setError(null);
    setResult(null);
    const params = new URLSearchParams({
      address_source: form.get('address_source'),
      consent_basis: form.get('consent_basis'),
      dry_run: String(dryRun),
    });
    if (form.get('consent_basis') === 'consent') params.set('consent_wording', form.get('consent_wording') || '');
    try {
      setResult(await upload(`/api/v1/imports?${params}`, file, 'text/csv'));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  const submit = (dryRun) => (e) => {
    e.preventDefault();
    send(new FormData(e.target.form || e.target), dryRun);
  };
  return html`<div class="imports">
    <form class="card" aria-label="Import leads" onSubmit=${submit(false)}>
      <h1>Import leads</h1>
      <p class="muted">A CSV export from HubSpot or Salesforce, or any file whose columns are named email, first_name, last_name, company, owner…
        A row's own columns for the address's source, consent, opt-out and do-not-call win over the choices below. Opt-outs are kept, and never lifted by a later file.</p>
      <label for="import-file">File</label>
      <input id="import-file" name="file" type="file" accept=".csv,text/csv" required onChange=${(e) => setFile(e.target.files[0] || null)} />
      <label for="import-source">Where the addresses came from</label>
      <select id="import-source" name="address_source">${SOURCES.map(([value, label]) => html`<option value=${value}>${label}</option>`)}</select>
      <label for="import-consent">Consent to email marketing</label>
      <select id="import-consent" name="consent_basis" value=${consent} onChange=${(e) => setConsent(e.target.value)}>
        <option value="none">None recorded</option>
        <option value="consent">They consented</option>
      </select>
      ${consent === 'consent' && html`<label for="import-wording">What they agreed to (the exact text)</label>
        <textarea id="import-wording" name="consent_wording" required rows="2"></textarea>`}
      <div class="actions">
        <button type="button" disabled=${busy || !file} onClick=${submit(true)}>${busy ? 'Working…' : 'Check the file'}</button>
        <button class="primary" type="submit" disabled=${busy || !file}>Import</button>
      </div>
      ${error && html`<p class="error" role="alert">${error.message}</p>`}
    </form>
    ${result && html`<${Summary} result=${result} />`}
  </div>`;
}
