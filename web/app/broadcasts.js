// Marketing's broadcasts: the list with each one's state and progress, a new draft (a
// marketing template to a saved lead filter, which may be saved here from the lead
// list's filter), and one broadcast's page: its audience counted, a preview as one of
// its recipients, a test to yourself, scheduling, pause, resume and cancel, and while it
// sends, its progress every 2 s and the recipients it refused. Marketing and admins act;
// everyone else reads.
import { useEffect, useState } from 'preact/hooks';
import { html, api, useLoad, Loading, Failure, Empty, when, leadName, useSubmit } from './lib.js';
import { Composition, EmailFrame } from './compose.js';

export const mayBroadcast = (user) => user.role === 'marketing' || user.role === 'admin';
const LIVE = ['scheduled', 'sending'];

function Progress({ broadcast: b }) {
  const p = b.progress;
  const s = p.by_status;
  const parts = [['sent', s.sent], ['refused', s.refused], ['bounced', s.bounced],
    ['waiting', s.queued + s.sending + s.retrying], ['failed', s.failed + s.interrupted], ['cancelled', s.cancelled]]
    .filter(([, n]) => n > 0);
  if (!parts.length) return html`<span class="muted">nothing sent yet</span>`;
  return html`<span class="progress">${parts.map(([k, n]) => html`<span class=${`pill status-${k}`} data-status=${k}>${n} ${k}</span>`)}</span>`;
}

export function Broadcasts({ user, params }) {
  const { data, error, reload } = useLoad(() => api('GET', '/api/v1/broadcasts'), []);
  const live = data && data.items.some((b) => LIVE.includes(b.state));
  useEffect(() => {
    if (!live) return undefined;
    const timer = setInterval(reload, 2000);
    return () => clearInterval(timer);
  }, [live, reload]);
  return html`<section aria-label="Broadcasts">
    <div class="page-head"><h1>Broadcasts</h1></div>
    ${mayBroadcast(user) ? html`<${NewBroadcast} filterQuery=${new URLSearchParams(params).get('filter') || ''} />`
      : html`<p class="muted">Marketing and admins send broadcasts; you may read them.</p>`}
    ${error ? html`<${Failure} error=${error} what="the broadcasts" retry=${reload} />`
      : !data ? html`<${Loading} what="broadcasts" />`
      : !data.items.length ? html`<${Empty} title="No broadcasts yet">A broadcast sends a marketing template to a saved lead filter.<//>`
      : html`<table class="leads card broadcasts" aria-label="Broadcast list">
        <thead><tr><th>Name</th><th>State</th><th>Template</th><th>Progress</th><th>Created</th></tr></thead>
        <tbody>${data.items.map((b) => html`<tr data-broadcast=${b.id}>
          <td><a href=${`#/broadcasts/${b.id}`}>${b.name}</a></td>
          <td class="state-cell"><span class=${`pill state-${b.state}`}>${b.state}</span>${b.scheduled_at && b.state === 'scheduled' ? html` <span class="muted">${when(b.scheduled_at)}</span>` : ''}</td>
          <td>${b.template} v${b.template_version}</td>
          <td><${Progress} broadcast=${b} /></td>
          <td class="muted">${when(b.created_at)}</td>
        </tr>`)}</tbody></table>`}
  </section>`;
}

async function loadChoices() {
  const [templates, filters] = await Promise.all([api('GET', '/api/v1/email-templates'), api('GET', '/api/v1/lead-filters')]);
  return { templates: templates.items.filter((t) => t.purpose === 'email_marketing'), filters: filters.items };
}

// A saved filter from the lead list's filter (its query string, or its whole address).
function NewFilter({ initial, onSaved }) {
  const { busy, error, submit } = useSubmit(async (form) => {
    let query = String(form.get('query')).trim();
    if (query.includes('?')) query = query.slice(query.indexOf('?') + 1);
    onSaved(await api('POST', '/api/v1/lead-filters', { name: form.get('name'), query }));
  });
  return html`<form class="stack new-filter" onSubmit=${submit} aria-label="Save a lead filter">
    <label for="filter-name">Filter name</label>
    <input id="filter-name" name="name" required maxlength="200" />
    <label for="filter-query">The lead list's filter <span class="muted">(stage=mql,sal&priority=hot, or the Leads page's address)</span></label>
    <input id="filter-query" name="query" value=${initial} required />
    <button type="submit" disabled=${busy}>${busy ? 'Saving…' : 'Save filter'}</button>
    ${error && html`<p class="error" role="alert">${error.message}</p>`}
  </form>`;
}

function NewBroadcast({ filterQuery }) {
  const { data, error, reload } = useLoad(loadChoices, []);
  const [filterId, setFilterId] = useState('');
  const [adding, setAdding] = useState(Boolean(filterQuery));
  const { busy, error: failed, submit } = useSubmit(async (form) => {
    const b = await api('POST', '/api/v1/broadcasts',
      { name: form.get('name'), template: form.get('template'), filter_id: filterId });
    location.hash = `#/broadcasts/${b.id}`;
  });
  if (error) return html`<${Failure} error=${error} what="templates and filters" retry=${reload} />`;
  if (!data) return html`<${Loading} what="templates and filters" />`;
  const saved = (f) => { setAdding(false); setFilterId(f.id); reload(); };
  return html`<section class="card new-broadcast" aria-label="New broadcast">
    <h2>New broadcast</h2>
    <form class="stack" onSubmit=${submit} aria-label="Draft a broadcast">
      <label for="broadcast-name">Name</label>
      <input id="broadcast-name" name="name" required />
      <label for="broadcast-template">Template <span class="muted">(email marketing)</span></label>
      <select id="broadcast-template" name="template" required>
        <option value="">${data.templates.length ? 'Choose…' : 'No marketing templates yet'}</option>
        ${data.templates.map((t) => html`<option value=${t.key}>${t.name} (v${t.version})</option>`)}
      </select>
      <label for="broadcast-filter">Audience <span class="muted">(a saved lead filter)</span></label>
      <div class="row">
        <select id="broadcast-filter" value=${filterId} onChange=${(e) => setFilterId(e.target.value)} required>
          <option value="">Choose…</option>
          ${data.filters.map((f) => html`<option value=${f.id}>${f.name} — ${f.query}</option>`)}
        </select>
        <button type="button" class="quiet" onClick=${() => setAdding(!adding)}>${adding ? 'Close' : 'Save a new filter…'}</button>
      </div>
      <button class="primary" type="submit" disabled=${busy}>${busy ? 'Drafting…' : 'Draft broadcast'}</button>
      ${failed && html`<p class="error" role="alert">${failed.message}</p>`}
    </form>
    ${adding && html`<${NewFilter} initial=${filterQuery} onSaved=${saved} />`}
  </section>`;
}

export function BroadcastPage({ id, user }) {
  const { data: b, error, reload } = useLoad(() => api('GET', `/api/v1/broadcasts/${id}`), [id]);
  const live = b && LIVE.includes(b.state);
  useEffect(() => {
    if (!live) return undefined;
    const timer = setInterval(reload, 2000);
    return () => clearInterval(timer);
  }, [live, reload]);
  useEffect(() => { if (b) document.title = `${b.name} · Broadcasts · Tandem`; }, [b && b.name]);
  if (error) return html`<${Failure} error=${error} what="this broadcast" retry=${reload} />`;
  if (!b) return html`<${Loading} what="the broadcast" />`;
  const manage = mayBroadcast(user);
  return html`<article class="broadcast-page" data-broadcast=${b.id} data-state=${b.state}>
    <p><a href="#/broadcasts">← All broadcasts</a></p>
    <header class="card lead-head">
      <div><h1>${b.name}</h1>
        <p class="muted">Template ${b.template} v${b.template_version} · audience <code>${b.filter_query}</code></p></div>
      <dl class="facts">
        <div><dt>State</dt><dd class="broadcast-state">${b.state}</dd></div>
        <div><dt>Scheduled</dt><dd>${when(b.scheduled_at)}</dd></div>
        <div><dt>Started</dt><dd>${when(b.started_at)}</dd></div>
        <div><dt>Finished</dt><dd>${when(b.finished_at)}</dd></div>
      </dl>
    </header>
    ${manage && html`<${Actions} broadcast=${b} onChange=${reload} />`}
    <div class="lead-grid">
      <div class="lead-main">
        ${b.state === 'draft' ? html`<${Audience} broadcast=${b} />` : html`<${ProgressCard} broadcast=${b} />`}
        <${PreviewAs} broadcast=${b} manage=${manage} />
      </div>
      <aside class="lead-side">
        ${b.state !== 'draft' && html`<${Refused} broadcast=${b} />`}
      </aside>
    </div>
  </article>`;
}

function Actions({ broadcast: b, onChange }) {
  const [at, setAt] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  async function act(action, body = {}) {
    setBusy(true);
    setError(null);
    try {
      await api('POST', `/api/v1/broadcasts/${b.id}/${action}`, body);
      onChange();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  const open = ['draft', 'scheduled', 'sending', 'paused'].includes(b.state);
  return html`<section class="card broadcast-actions" aria-label="Actions"><div class="row">
    ${b.state === 'draft' && html`<button class="primary" disabled=${busy} onClick=${() => act('schedule')}>Send now</button>`}
    ${b.state === 'paused' && html`<button class="primary" disabled=${busy} onClick=${() => act('resume')}>Resume now</button>`}
    ${['draft', 'paused'].includes(b.state) && html`
      <input type="datetime-local" aria-label="Send at" value=${at} onInput=${(e) => setAt(e.target.value)} />
      <button disabled=${busy || !at} onClick=${() => act('schedule', { at: new Date(at).toISOString() })}>Schedule</button>`}
    ${LIVE.includes(b.state) && html`<button disabled=${busy} onClick=${() => act('pause')}>Pause</button>`}
    ${open && html`<button disabled=${busy} onClick=${() => confirm('Cancel this broadcast? Nobody else will get it.') && act('cancel')}>Cancel broadcast</button>`}
    ${!open && html`<span class="muted">This broadcast is ${b.state}.</span>`}
  </div>${error && html`<p class="error" role="alert">${error.message}</p>`}</section>`;
}

function Audience({ broadcast: b }) {
  const { data, error, reload, loading } = useLoad(() => api('POST', `/api/v1/broadcasts/${b.id}/audience`, {}), [b.id]);
  return html`<section class="card audience" aria-label="Audience">
    <h2>Audience</h2>
    ${error ? html`<${Failure} error=${error} what="the audience" retry=${reload} />`
      : !data ? html`<${Loading} what="the recipients" />`
      : html`<p><strong class="included">${data.included}</strong> of ${data.leads} leads would get it; ${data.excluded} excluded.</p>
        ${data.excluded > 0 && html`<ul class="excluded">${Object.entries(data.excluded_by_reason).map(([code, n]) =>
          html`<li data-code=${code}><code>${code}</code>: ${n}</li>`)}</ul>`}
        <button disabled=${loading} onClick=${reload}>Count again</button>`}
  </section>`;
}

function ProgressCard({ broadcast: b }) {
  const p = b.progress;
  return html`<section class="card progress-card" aria-label="Progress">
    <h2>Progress</h2>
    <p>${p.recipients_done} recipients so far. <${Progress} broadcast=${b} /></p>
    <dl class="who">${Object.entries(p.by_status).filter(([, n]) => n > 0).map(([k, n]) => html`<dt>${k}</dt><dd data-status=${k}>${n}</dd>`)}</dl>
    ${Object.keys(p.refused_by_reason).length > 0 && html`<h3>Refused, by reason</h3>
      <ul class="excluded">${Object.entries(p.refused_by_reason).map(([code, n]) => html`<li data-code=${code}><code>${code}</code>: ${n}</li>`)}</ul>`}
  </section>`;
}

function Refused({ broadcast: b }) {
  const refused = b.progress.by_status.refused;
  const { data, error } = useLoad(() => api('GET', `/api/v1/broadcasts/${b.id}/sends?status=refused&limit=100`), [b.id, refused]);
  return html`<section class="card" aria-label="Refused recipients">
    <h2>Refused recipients</h2>
    ${error ? html`<p class="error">${error.message}</p>` : !data ? null
      : !data.items.length ? html`<p class="muted">Nobody refused.</p>`
      : html`<ul class="refused-list">${data.items.map((s) => html`<li>
          ${s.lead_id ? html`<a href=${`#/leads/${s.lead_id}`}>${s.to}</a>` : s.to}<p class="muted">${s.reason}</p></li>`)}</ul>
        ${data.next_cursor && html`<p class="muted">and more</p>`}`}
  </section>`;
}

// The first leads of the broadcast's filter, to preview the email as one of them.
function PreviewAs({ broadcast: b, manage }) {
  const { data: leads, error } = useLoad(() => {
    const q = new URLSearchParams(b.filter_query);
    q.set('limit', '20');
    return api('GET', `/api/v1/leads?${q}`).then((d) => d.items);
  }, [b.filter_query]);
  const [leadId, setLeadId] = useState('');
  const [preview, setPreview] = useState(null);
  const [tested, setTested] = useState(null);
  useEffect(() => { if (leads && leads.length && !leadId) setLeadId(leads[0].id); }, [leads]);
  useEffect(() => {
    if (!leadId) return undefined;
    let live = true;
    setPreview({ busy: true });
    api('POST', `/api/v1/broadcasts/${b.id}/preview`, { lead_id: leadId })
      .then((result) => live && setPreview({ result }))
      .catch((err) => live && setPreview({ error: err }));
    return () => { live = false; };
  }, [leadId, b.id]);
  async function test() {
    setTested(null);
    try {
      const out = await api('POST', `/api/v1/broadcasts/${b.id}/test`, { lead_id: leadId });
      setTested({ text: `Test ${out.email.status} to ${out.email.to}.` });
    } catch (err) {
      setTested({ error: err.message });
    }
  }
  return html`<section class="card broadcast-preview" aria-label="Preview">
    <h2>Preview</h2>
    ${error ? html`<p class="error">The leads could not be loaded: ${error.message}</p>`
      : !leads ? html`<${Loading} what="the first recipients" />`
      : !leads.length ? html`<p class="muted">The filter matches no leads.</p>`
      : html`<div class="row">
          <label for="preview-lead">As</label>
          <select id="preview-lead" value=${leadId} onChange=${(e) => setLeadId(e.target.value)}>
            ${leads.map((l) => html`<option value=${l.id}>${leadName(l)} (${l.email})</option>`)}
          </select>
          ${manage && html`<button type="button" onClick=${test} disabled=${!leadId}>Send me a test</button>`}
        </div>
        ${tested && (tested.error ? html`<p class="error" role="alert">${tested.error}</p>` : html`<p class="ok" role="status">${tested.text}</p>`)}
        ${preview && preview.busy && html`<p class="muted">Rendering…</p>`}
        ${preview && !preview.busy && html`<div class="compose-grid">
          <div><${Composition} result=${preview.result} error=${preview.error} /></div>
          <div><${EmailFrame} rendered=${preview.result && preview.result.rendered} title="The broadcast as this lead will get it" /></div>
        </div>`}`}
  </section>`;
}
