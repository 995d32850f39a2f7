// The scoring and routing rules (#/rules; managers, marketing and admins read and try
// them, admins save them): the rules in force as the TOML tandem.toml would hold, a
// check that runs them over the current leads without keeping anything — which leads
// would score differently, qualify, or go to another team — and, only after a check of
// exactly the text being saved, a new version with a note. Every version is kept.
import { useState } from 'preact/hooks';
import { html, api, useLoad, Loading, Failure, Empty, when, loadUsers } from './lib.js';

export const mayReadRules = (user) => ['admin', 'sales_manager', 'marketing'].includes(user.role);

const score = (s) => s.total.toFixed(1);

function Changes({ run, names }) {
  if (!run.changed) {
    return html`<p class="ok" role="status">Checked: none of the ${run.examined.toLocaleString('en-US')} leads would change.</p>`;
  }
  return html`<section class="card dry-run" aria-label="What would change">
    <h2>What would change</h2>
    <p><strong data-field="changed">${run.changed}</strong> of ${run.examined.toLocaleString('en-US')} leads${run.examined < run.leads ? ` (the newest of ${run.leads.toLocaleString('en-US')})` : ''}: ${
      `${run.score_changes} would score differently, ${run.qualify} would qualify at their next activity, ${run.team_changes} would be routed to another team. `}Leads keep their owners: a team change applies the next time a lead is routed.</p>
    <div class="table-wrap"><table class="leads" aria-label="Leads that would change">
      <thead><tr><th>Lead</th><th>Stage</th><th>Owner</th><th>Score</th><th>Team</th></tr></thead>
      <tbody>${run.changes.map((c) => html`<tr data-lead=${c.lead_id}>
        <td class="who-cell"><a href=${`#/leads/${c.lead_id}`}><strong>${c.name || c.email}</strong></a></td>
        <td>${c.stage}${c.qualifies ? html` <span class="badge">qualifies</span>` : ''}</td>
        <td>${c.owner_id ? names[c.owner_id] || c.owner_id : '—'}</td>
        <td>${score(c.score.before) === score(c.score.after) ? score(c.score.after) : html`${score(c.score.before)} → <strong>${score(c.score.after)}</strong>`}</td>
        <td>${c.team.before === c.team.after ? (c.team.after || 'every rep')
          : html`${c.team.before || 'every rep'} → <strong>${c.team.after || 'every rep'}</strong> <span class="muted">(${c.team.rule_after})</span>`}</td>
      </tr>`)}</tbody>
    </table></div>
    ${run.changes.length < run.changed && html`<p class="muted">The first ${run.changes.length} are listed.</p>`}
  </section>`;
}

function History({ versions, names }) {
  if (!versions.length) return null;
  return html`<details class="card" aria-label="Earlier versions">
    <summary>Every version (${versions.length})</summary>
    <ol class="versions">${versions.map((v) => html`<li data-version=${v.version}>
      <strong>Version ${v.version}</strong> · ${when(v.created_at)} ·
      ${v.origin === 'config' ? 'from tandem.toml' : names[v.created_by] || v.created_by}
      ${v.note && html` — ${v.note}`}</li>`)}</ol>
  </details>`;
}

export function Rules({ user }) {
  const { data, error, reload } = useLoad(async () => {
    const [rules, versions, users] = await Promise.all([api('GET', '/api/v1/rules'),
      api('GET', '/api/v1/rules/versions?limit=100'), loadUsers()]);
    return { rules, versions: versions.items, names: Object.fromEntries(users.map((u) => [u.id, u.name])) };
  }, []);
  const [text, setText] = useState(null);
  const [run, setRun] = useState(null);  // { toml, result } of the last check
  const [problem, setProblem] = useState(null);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(null);
  if (error) return html`<${Failure} error=${error} what="the rules" retry=${reload} />`;
  if (!data) return html`<${Loading} what="the rules" />`;
  const toml = text ?? data.rules.toml;
  const checked = run && run.toml === toml;
  const admin = user.role === 'admin';
  async function check() {
    setBusy(true);
    setProblem(null);
    setSaved(null);
    try {
      setRun({ toml, result: await api('POST', '/api/v1/rules/dry-run', { toml }) });
    } catch (err) {
      setRun(null);
      setProblem(err);
    } finally {
      setBusy(false);
    }
  }
  async function save(e) {
    e.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      const version = await api('PUT', '/api/v1/rules', { toml, note: new FormData(e.target).get('note'), base_version: data.rules.version });
      setSaved(version);
      setText(null);
      setRun(null);
      reload();
    } catch (err) {
      setProblem(err);
    } finally {
      setBusy(false);
    }
  }
  return html`<section aria-label="Rules">
    <div class="page-head"><h1>Scoring and routing rules</h1>
      <span class="muted">${data.rules.version ? `version ${data.rules.version}, ${when(data.rules.created_at)}` : 'from tandem.toml'}</span></div>
    <p class="muted">How leads are scored, when they qualify, and which team a qualified lead goes to — as the <code>[scoring]</code> and <code>[routing]</code> sections of tandem.toml would hold them. ${`Teams: ${data.rules.teams.join(', ') || 'none yet'}. Check a change to see the leads it moves before ${admin ? 'saving it' : 'an admin saves it'}.`}</p>
    ${saved && html`<p class="ok" role="status">Version ${saved.version} is in force.</p>`}
    <textarea class="rules-text" aria-label="Rules" spellcheck="false" rows="28" value=${toml}
      onInput=${(e) => { setText(e.target.value); setSaved(null); }}></textarea>
    <div class="row">
      <button type="button" onClick=${check} disabled=${busy}>${busy && !checked ? 'Checking…' : 'Check what would change'}</button>
      ${text !== null && html`<button type="button" onClick=${() => { setText(null); setRun(null); setProblem(null); }}>Undo my edits</button>`}
    </div>
    ${problem && html`<p class="error" role="alert">${problem.message}</p>`}
    ${checked && html`<${Changes} run=${run.result} names=${data.names} />`}
    ${admin && checked && html`<form class="card row" onSubmit=${save} aria-label="Save the rules">
      <label>Why <input name="note" maxlength="1000" size="40" placeholder="What this change is for" /></label>
      <button class="primary" type="submit" disabled=${busy || toml === data.rules.toml}>Save as version ${data.rules.version + 1}</button>
    </form>`}
    <${History} versions=${data.versions} names=${data.names} />
  </section>`;
}
