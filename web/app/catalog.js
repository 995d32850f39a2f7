// The campaign and content catalogs (#/catalog): who each campaign was aimed at, what it
// said and offered, and what each piece of content is about with the questions to ask
// someone who read it — what the handoff briefs tell sales. Every signed-in role reads
// them; marketing and admins add, change and remove entries. Entries tandem.toml defines
// are written again at every start of Tandem, so a change made here to one of them lasts
// until the next start; the page says so where it matters.
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { html, api, useLoad, useSubmit, Loading, Failure, Empty, when } from './lib.js';

export const mayOpenCatalog = (user) => Boolean(user);
export const mayEditCatalog = (user) => user.role === 'marketing' || user.role === 'admin';

const FUNNEL_STAGES = ['awareness', 'consideration', 'decision'];
const CONFIG_NOTE = 'Defined in the configuration file (tandem.toml): Tandem writes the file\'s version again '
  + 'at its next start, so a change or removal made here lasts until then. Change the file to keep it.';

// A field's text, trimmed; null when empty, so the server reads it as not given.
const text = (form, name) => (form.get(name) || '').trim() || null;

const CAMPAIGNS = {
  label: 'Campaigns',
  one: 'campaign',
  path: '/api/v1/campaigns',
  id: 'key',
  name: (c) => c.name,
  head: () => html`<th>Campaign</th><th>Aimed at</th><th>Message</th><th>Offer</th><th>Runs</th>`,
  Cells: CampaignCells,
  Fields: CampaignFields,
  body: (form, creating) => ({
    ...(creating && text(form, 'key') ? { key: text(form, 'key') } : {}),
    name: text(form, 'name'),
    utm_campaign: text(form, 'utm_campaign'),
    persona: text(form, 'persona'),
    key_message: text(form, 'key_message'),
    offer: text(form, 'offer'),
    starts_on: text(form, 'starts_on'),
    ends_on: text(form, 'ends_on'),
  }),
};

const CONTENT = {
  label: 'Content',
  one: 'content asset',
  path: '/api/v1/content',
  id: 'asset_id',
  name: (a) => a.title,
  head: () => html`<th>Content</th><th>Topic</th><th>Problem it speaks to</th><th>Questions to ask</th>`,
  Cells: ContentCells,
  Fields: ContentFields,
  body: (form, creating) => ({
    ...(creating ? { asset_id: text(form, 'asset_id') } : {}),
    title: text(form, 'title'),
    url_pattern: text(form, 'url_pattern'),
    topic: text(form, 'topic'),
    funnel_stage: text(form, 'funnel_stage'),
    problem: text(form, 'problem'),
    questions: (form.get('questions') || '').split('\n').map((q) => q.trim()).filter(Boolean),
  }),
};

function FromConfig({ entry }) {
  if (entry.origin !== 'config') return null;
  return html`<div><span class="pill origin-config" title=${CONFIG_NOTE}>defined in tandem.toml</span></div>`;
}

function Runs({ campaign: c }) {
  const day = (d) => html`<time datetime=${d}>${d}</time>`;
  if (c.starts_on && c.ends_on) return html`${day(c.starts_on)} to ${day(c.ends_on)}`;
  if (c.starts_on) return html`from ${day(c.starts_on)}`;
  if (c.ends_on) return html`until ${day(c.ends_on)}`;
  return '—';
}

function CampaignCells({ entry: c }) {
  return html`
    <td><strong>${c.name}</strong>
      <div class="muted">utm_campaign ${c.utm_campaign}${c.key !== c.utm_campaign ? ` · key ${c.key}` : ''}</div>
      <${FromConfig} entry=${c} /></td>
    <td class="text" data-label="aimed at">${c.persona || '—'}</td>
    <td class="text" data-label="message">${c.key_message || '—'}</td>
    <td class="text" data-label="offer">${c.offer || '—'}</td>
    <td data-label="runs"><${Runs} campaign=${c} /></td>`;
}

function ContentCells({ entry: a }) {
  return html`
    <td><strong>${a.title}</strong>
      <div class="muted">${a.asset_id}${a.url_pattern ? ` · ${a.url_pattern}` : ''}</div>
      <${FromConfig} entry=${a} /></td>
    <td data-label="topic">${a.topic}${a.funnel_stage && html`<div class="muted">${a.funnel_stage}</div>`}</td>
    <td class="text" data-label="problem">${a.problem}</td>
    <td class="text"><ul class="questions">${a.questions.map((q) => html`<li>${q}</li>`)}</ul></td>`;
}

function CampaignFields({ entry, creating }) {
  return html`
    <div class="grid-2">
      <label>Name <input name="name" defaultValue=${entry.name || ''} required /></label>
      <label>UTM campaign <input name="utm_campaign" defaultValue=${entry.utm_campaign || ''} required /></label>
      ${creating ? html`<label>Key (the UTM campaign unless given) <input name="key" /></label>`
        : html`<label>Key <input defaultValue=${entry.key} disabled /></label>`}
      <label>Starts on <input name="starts_on" type="date" defaultValue=${entry.starts_on || ''} /></label>
      <label>Ends on <input name="ends_on" type="date" defaultValue=${entry.ends_on || ''} /></label>
    </div>
    <label>Aimed at (persona) <textarea name="persona" rows="2" defaultValue=${entry.persona || ''}></textarea></label>
    <label>Key message <textarea name="key_message" rows="2" defaultValue=${entry.key_message || ''}></textarea></label>
    <label>Offer <textarea name="offer" rows="2" defaultValue=${entry.offer || ''}></textarea></label>`;
}

function ContentFields({ entry, creating }) {
  return html`
    <div class="grid-2">
      <label>Title <input name="title" defaultValue=${entry.title || ''} required /></label>
      ${creating ? html`<label>Asset id <input name="asset_id" required /></label>`
        : html`<label>Asset id <input defaultValue=${entry.asset_id} disabled /></label>`}
      <label>Topic <input name="topic" defaultValue=${entry.topic || ''} required /></label>
      <label>Funnel stage
        <select name="funnel_stage">
          <option value="">not given</option>
          ${FUNNEL_STAGES.map((s) => html`<option value=${s} selected=${entry.funnel_stage === s}>${s}</option>`)}
        </select></label>
      <label>Pages it is on (a path, * for any ending)
        <input name="url_pattern" defaultValue=${entry.url_pattern || ''} placeholder="/resources/guide*" /></label>
    </div>
    <label>Problem it speaks to <textarea name="problem" rows="2" defaultValue=${entry.problem || ''} required></textarea></label>
    <label>Questions to ask, one per line (2 to 4)
      <textarea name="questions" rows="4" defaultValue=${(entry.questions || []).join('\n')}></textarea></label>`;
}

// Adds an entry (`entry` empty) or replaces one, with what the server refused shown. The
// fields only start from the entry (defaultValue, not value), so redrawing the form while
// it saves or after a refusal keeps what was typed.
function EntryForm({ kind, entry, onSaved, onCancel }) {
  const creating = !entry[kind.id];
  const form = useRef(null);
  // Focused (and so scrolled to) as it appears, in the same task: a later focus could move
  // the cursor away from a field someone had started typing in.
  useLayoutEffect(() => { form.current.querySelector('input:not([disabled])').focus(); }, []);
  const { busy, error, submit } = useSubmit(async (data) => {
    const body = kind.body(data, creating);
    onSaved(creating ? await api('POST', kind.path, body)
      : await api('PUT', `${kind.path}/${encodeURIComponent(entry[kind.id])}`, body));
  });
  const title = creating ? `Add a ${kind.one}` : `Change ${kind.name(entry)}`;
  return html`<form class="card catalog-entry" aria-label=${title} onSubmit=${submit} ref=${form}>
    <h3>${title}</h3>
    ${entry.origin === 'config' && html`<p class="warn-text">${CONFIG_NOTE}</p>`}
    <${kind.Fields} entry=${entry} creating=${creating} />
    <div class="actions">
      <button type="button" onClick=${onCancel}>Cancel</button>
      <button class="primary" type="submit" disabled=${busy}>${busy ? 'Saving…' : creating ? `Add the ${kind.one}` : 'Save'}</button>
    </div>
    ${error && html`<p class="error" role="alert">${error.message}</p>`}
  </form>`;
}

function CatalogSection({ kind, editable }) {
  const { data, error, reload } = useLoad(() => api('GET', kind.path), [kind]);
  const [editing, setEditing] = useState(null);  // null: no form; {}: a new entry; else the entry changed
  const [outcome, setOutcome] = useState(null);  // { done } or { error } of the last change
  function saved(entry) {
    setEditing(null);
    setOutcome({ done: `Saved ${kind.name(entry)}.` });
    reload();
  }
  async function remove(entry) {
    const id = entry[kind.id];
    const fromConfig = entry.origin === 'config'
      ? ' It is defined in tandem.toml, so it comes back at the next start of Tandem unless it is removed from the file too.' : '';
    if (!confirm(`Remove the ${kind.one} "${kind.name(entry)}" from the catalog?${fromConfig}`)) return;
    setOutcome(null);
    try {
      await api('DELETE', `${kind.path}/${encodeURIComponent(id)}`);
      if (editing && editing[kind.id] === id) setEditing(null);
      setOutcome({ done: `Removed ${kind.name(entry)}.` });
      reload();
    } catch (err) {
      setOutcome({ error: err });
    }
  }
  const open = (entry) => { setOutcome(null); setEditing(entry); };
  const what = `the ${kind.one} catalog`;
  if (error) return html`<${Failure} error=${error} what=${what} retry=${reload} />`;
  if (!data) return html`<${Loading} what=${what} />`;
  return html`<section class="catalog-section" aria-label=${kind.label}>
    <div class="page-head"><h2>${kind.label}</h2><span class="count">${data.items.length}</span>
      ${editable && !editing && html`<button onClick=${() => open({})}>Add a ${kind.one}</button>`}</div>
    ${data.items.length ? html`<div class="table-wrap"><table class="card leads catalog" aria-label=${kind.label}>
      <thead><tr>${kind.head()}<th>Updated</th>${editable && html`<th>Change</th>`}</tr></thead>
      <tbody>${data.items.map((entry) => html`<tr key=${entry[kind.id]} data-key=${entry[kind.id]} data-origin=${entry.origin}>
        <${kind.Cells} entry=${entry} />
        <td data-label="updated">${when(entry.updated_at)}</td>
        ${editable && html`<td><div class="row">
          <button type="button" onClick=${() => open(entry)}>Edit</button>
          <button type="button" class="danger" onClick=${() => remove(entry)}>Delete</button></div></td>`}
      </tr>`)}</tbody>
    </table></div>`
    : html`<${Empty} title=${`No ${kind.label.toLowerCase()} in the catalog`}>${editable
      ? `Add one here, import a file (tandem catalog import), or define it in tandem.toml.`
      : 'Marketing adds them; the handoff briefs draw on them.'}<//>`}
    ${outcome && outcome.done && html`<p class="ok" role="status">${outcome.done}</p>`}
    ${outcome && outcome.error && html`<p class="error" role="alert">${outcome.error.message}</p>`}
    ${editing && html`<${EntryForm} key=${editing[kind.id] || 'new'} kind=${kind} entry=${editing}
      onSaved=${saved} onCancel=${() => setEditing(null)} />`}
  </section>`;
}

export function Catalog({ user }) {
  const editable = mayEditCatalog(user);
  return html`<div class="catalog">
    <div class="page-head"><h1>Catalog</h1></div>
    <p class="muted">What each campaign told people and what each piece of content is about. The handoff briefs draw on it:
      sales hears what the campaign a lead came through said, and what to ask about the content the lead read.
      ${editable ? '' : ' Marketing and admins keep the catalog.'}</p>
    <${CatalogSection} kind=${CAMPAIGNS} editable=${editable} />
    <${CatalogSection} kind=${CONTENT} editable=${editable} />
  </div>`;
}
