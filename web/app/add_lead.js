// Adding a lead by hand — someone met at an event or on a call: their address, name and
// company, where the address came from and whether they agreed to marketing email (both
// required: the contact gate decides on them). An address Tandem knows joins its lead.
import { useState } from 'preact/hooks';
import { html, api, useSubmit } from './lib.js';

const SOURCES = [['event', 'At an event'], ['form', 'On a form'], ['api', 'From another system'],
  ['import', 'From a list we had'], ['purchased', 'A purchased list'], ['harvested', 'Collected from the web']];

export function AddLead({ user, navigate }) {
  const [open, setOpen] = useState(false);
  const [consent, setConsent] = useState('none');
  const { busy, error, submit } = useSubmit(async (form) => {
    const body = {};
    for (const key of ['email', 'first_name', 'last_name', 'title', 'company', 'phone', 'address_source', 'consent_basis']) {
      const value = (form.get(key) || '').trim();
      if (value) body[key] = value;
    }
    if (body.consent_basis === 'consent') body.consent_wording = form.get('consent_wording') || '';
    const lead = await api('POST', '/api/v1/leads', body);
    if (lead.id) navigate(`#/leads/${lead.id}`);
    else setOpen(false);
  });
  if (user.role === 'viewer') return null;
  if (!open) return html`<p><button onClick=${() => setOpen(true)}>Add a lead</button></p>`;
  return html`<form class="card add-lead" aria-label="Add a lead" onSubmit=${submit}>
    <h2>Add a lead</h2>
    <div class="grid-2">
      <label>Email <input name="email" type="email" required /></label>
      <label>Phone <input name="phone" /></label>
      <label>First name <input name="first_name" /></label>
      <label>Last name <input name="last_name" /></label>
      <label>Title <input name="title" /></label>
      <label>Company <input name="company" /></label>
    </div>
    <label>Where the address came from
      <select name="address_source" required>${SOURCES.map(([v, t]) => html`<option value=${v}>${t}</option>`)}</select></label>
    <label>Email marketing
      <select name="consent_basis" value=${consent} onChange=${(e) => setConsent(e.target.value)}>
        <option value="none">No consent given</option><option value="consent">They agreed</option></select></label>
    ${consent === 'consent' && html`<label>What they agreed to (the exact words)
      <textarea name="consent_wording" required rows="2"></textarea></label>`}
    <p class="muted">${user.role === 'sales_rep' ? 'The lead is yours.' : 'Routing gives it an owner when it qualifies.'}</p>
    <div class="actions">
      <button type="button" onClick=${() => setOpen(false)}>Cancel</button>
      <button class="primary" type="submit" disabled=${busy}>${busy ? 'Adding…' : 'Add the lead'}</button>
    </div>
    ${error && html`<p class="error" role="alert">${error.message}</p>`}
  </form>`;
}
