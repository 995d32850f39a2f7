// The lists of leads: a rep's inbox (open leads, most urgent first contact on top), the
// manager's team view (what nobody is working on) and the search every role has.
import { useState } from 'preact/hooks';
import {
  html, api, useLoad, useNow, useAutoRefresh, Loading, Failure, Empty, SlaClock, Score, Priority, ago, when,
  leadName, subtitle, sourceText, isManager, loadUsers, STAGES, OPEN_STAGES,
} from './lib.js';
import { ReassignForm } from './lead.js';
import { Replies, SequenceTasks } from './replies.js';
import { AddLead } from './add_lead.js';

// Open first-contact clocks first, soonest due on top; then the rest as the server sorted them.
function byUrgency(leads) {
  const open = (l) => Boolean(!l.sla.met_at && l.sla.due_at);
  return leads.map((l, i) => [l, i]).sort(([a, i], [b, j]) => {
    if (open(a) !== open(b)) return open(a) ? -1 : 1;
    if (open(a)) return Date.parse(a.sla.due_at) - Date.parse(b.sla.due_at);
    return i - j;
  }).map(([l]) => l);
}

function ReassignCell({ lead, onDone }) {
  const [open, setOpen] = useState(false);
  if (!open) return html`<button onClick=${() => setOpen(true)}>Reassign…</button>`;
  return html`<${ReassignForm} lead=${lead} compact=${true} onDone=${onDone} />`;
}

function LeadRow({ lead, now, columns }) {
  const overdue = !lead.sla.met_at && lead.sla.due_at && Date.parse(lead.sla.due_at) < now;
  return html`<tr data-lead=${lead.id} class=${overdue ? 'row-overdue' : ''}>
    <td class="who-cell"><a href=${`#/leads/${lead.id}`}><strong>${leadName(lead)}</strong></a>
      <div class="muted">${subtitle(lead)}</div>
      ${lead.why_now && html`<div class="why-line">${lead.why_now.text || lead.why_now.note}</div>`}</td>
    <td><${Priority} priority=${lead.priority} /></td>
    <td data-label="score"><${Score} score=${lead.score} /></td>
    <td class="source">${sourceText(lead.first_touch)}</td>
    ${columns.includes('stage') && html`<td data-label="stage">${lead.stage}</td>`}
    ${columns.includes('owner') && html`<td data-label="owner">${lead.owner ? lead.owner.name : lead.queued ? 'fallback queue' : 'unassigned'}</td>`}
    ${columns.includes('mql_age') && html`<td data-label="MQL" title=${when(lead.mql_at)}>${ago(lead.mql_at, now)}</td>`}
    <td><${SlaClock} sla=${lead.sla} /></td>
    ${columns.includes('reassign') && html`<td><${ReassignCell} lead=${lead} onDone=${columns.onReassigned} /></td>`}
  </tr>`;
}

// Long lists show their first rows at once and the rest on request.
const FIRST_ROWS = 25;

export function LeadTable({ leads, label, columns = [], first = FIRST_ROWS }) {
  const now = useNow(30000);  // for the overdue rows; the SLA clocks tick by themselves
  const [all, setAll] = useState(false);
  const shown = all ? leads : leads.slice(0, first);
  return html`<div class="table-wrap"><table class="card leads" aria-label=${label}>
    <thead><tr><th>Lead</th><th>Priority</th><th>Score</th><th>Source</th>
      ${columns.includes('stage') && html`<th>Stage</th>`}
      ${columns.includes('owner') && html`<th>Owner</th>`}
      ${columns.includes('mql_age') && html`<th>MQL since</th>`}
      <th>First contact</th>
      ${columns.includes('reassign') && html`<th>Reassign</th>`}</tr></thead>
    <tbody>${shown.map((lead) => html`<${LeadRow} key=${lead.id} lead=${lead} now=${now} columns=${columns} />`)}</tbody>
  </table>
  ${shown.length < leads.length && html`<button class="more" onClick=${() => setAll(true)}>Show all ${leads.length}</button>`}</div>`;
}

export function Inbox() {
  const { data, error, reload } = useLoad(
    () => api('GET', `/api/v1/leads?owner=me&stage=${OPEN_STAGES}&sort=sla&include=why_now&limit=200`), []);
  useAutoRefresh(reload);
  if (error) return html`<${Failure} error=${error} what="your inbox" retry=${reload} />`;
  if (!data) return html`<${Loading} what="your leads" />`;
  const leads = byUrgency(data.items);
  const overdue = leads.filter((l) => !l.sla.met_at && l.sla.due_at && Date.parse(l.sla.due_at) < Date.now()).length;
  return html`<section aria-label="Inbox">
    <div class="page-head"><h1>My leads</h1>
      <span class="muted">${leads.length} open${overdue ? html`, <span class="overdue">${overdue} overdue</span>` : ''}</span>
      <button class="quiet" onClick=${reload}>Refresh</button></div>
    ${leads.length ? html`<${LeadTable} leads=${leads} label="My leads" />`
      : html`<${Empty} title="Inbox zero">No open leads for you. New ones appear here within 30 seconds of being routed to you (at once when you come back to this window), with the reason to call.<//>`}
    <${SequenceTasks} />
    <${Replies} title="Replies to your leads" />
  </section>`;
}

function TeamSection({ title, help, load, columns, emptyTitle, emptyText }) {
  const { data, error, reload } = useLoad(load, []);
  useAutoRefresh(reload);
  const cols = Object.assign([...columns], { onReassigned: reload });
  return html`<section class="team-section" aria-label=${title}>
    <div class="page-head"><h2>${title}</h2>${data && html`<span class="count">${data.total ?? data.items.length}</span>`}</div>
    <p class="muted">${help}</p>
    ${error ? html`<${Failure} error=${error} what=${title.toLowerCase()} retry=${reload} />`
      : !data ? html`<${Loading} what=${title.toLowerCase()} />`
      : data.items.length ? html`<${LeadTable} leads=${data.items} label=${title} columns=${cols} first=${10} />`
      : html`<${Empty} title=${emptyTitle}>${emptyText}<//>`}
  </section>`;
}

export function Team({ user }) {
  if (!isManager(user)) {
    return html`<${Empty} title="For sales managers">The team view shows every rep's leads; ask a sales manager or an admin.<//>`;
  }
  return html`<div class="team">
    <h1>Team</h1>
    <${TeamSection} title="Unassigned and fallback queue"
      help="Open leads with no rep: nobody was eligible when they qualified, or they wait in the fallback queue."
      load=${() => api('GET', `/api/v1/leads?owner=none&stage=${OPEN_STAGES}&sort=created&limit=200`)}
      columns=${['stage', 'owner', 'reassign']} emptyTitle="Every open lead has an owner"
      emptyText="Leads that find no eligible rep land here." />
    <${TeamSection} title="Overdue first contacts"
      help="The first-contact deadline passed and nobody has reached the lead."
      load=${() => api('GET', `/api/v1/leads?sla=overdue&stage=${OPEN_STAGES}&sort=sla&include=why_now&limit=200`)}
      columns=${['owner', 'reassign']} emptyTitle="No SLA breaches"
      emptyText="Every routed lead was contacted in time, or still has time." />
    <${TeamSection} title="Never contacted"
      help="Qualified leads, open for sales, that no one has contacted yet, oldest first."
      load=${() => api('GET', '/api/v1/reports/leaks?limit=200')}
      columns=${['owner', 'mql_age', 'reassign']} emptyTitle="No leaks"
      emptyText="Every qualified lead has been contacted." />
  </div>`;
}

// The search form, holding what is typed until it is submitted to the address.
function Filters({ initial, users, navigate }) {
  const [f, setF] = useState(Object.fromEntries(initial));
  const bind = (name, fallback = '') => ({
    name, value: f[name] ?? fallback, onInput: (e) => setF({ ...f, [name]: e.target.value }),
  });
  function submit(e) {
    e.preventDefault();
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(f)) if (v) q.set(k, v);
    navigate(`#/search?${q}`);
  }
  return html`<form class="card filters" onSubmit=${submit} aria-label="Filter leads">
    <label>Name, email or company<input type="search" ...${bind('q')} /></label>
    <label>Stage<select ...${bind('stage')}><option value="">Any</option>
      <option value=${OPEN_STAGES}>Open (mql to opportunity)</option>
      ${STAGES.map((s) => html`<option value=${s}>${s}</option>`)}</select></label>
    <label>Owner<select ...${bind('owner')}><option value="">Anyone</option>
      <option value="me">Me</option><option value="none">Nobody</option>
      ${(users || []).map((u) => html`<option value=${u.id}>${u.name}</option>`)}</select></label>
    <label>Source<input ...${bind('source')} placeholder="google" /></label>
    <label>Min. score<input type="number" min="0" step="any" ...${bind('min_score')} /></label>
    <label>Sort<select ...${bind('sort', 'score')}><option value="score">Score</option>
      <option value="created">Newest</option><option value="sla">First contact due</option><option value="updated">Updated</option></select></label>
    <button class="primary" type="submit">Search</button>
  </form>`;
}

// The filters live in the address (#/search?stage=mql&q=…), so a search can be shared.
export function Search({ params, navigate, user }) {
  const { data: users } = useLoad(() => loadUsers().catch(() => []), []);
  const query = new URLSearchParams(params);
  const key = query.toString();
  const listQuery = () => {
    const q = new URLSearchParams(query);
    for (const [k, v] of [...q]) if (!v) q.delete(k);
    if (!q.get('sort')) q.set('sort', 'score');
    return q;
  };
  const { data, error, reload } = useLoad(() => {
    const q = listQuery();
    q.set('limit', '100');
    return api('GET', `/api/v1/leads?${q}`);
  }, [key]);
  // Pages after the first, fetched on demand; a new search starts over.
  const [more, setMore] = useState({ key, items: [], cursor: null, busy: false, error: null });
  const extra = more.key === key ? more : { key, items: [], cursor: null, busy: false, error: null };
  const items = data ? [...data.items, ...extra.items] : [];
  const nextCursor = extra.cursor ?? (data && data.next_cursor);
  const hasMore = data && (extra.items.length ? Boolean(extra.cursor) : Boolean(data.next_cursor));
  async function loadMore() {
    setMore({ ...extra, busy: true, error: null });
    try {
      const q = listQuery();
      q.set('limit', '100');
      q.set('cursor', nextCursor);
      const page = await api('GET', `/api/v1/leads?${q}`);
      setMore({ key, items: [...extra.items, ...page.items], cursor: page.next_cursor || '', busy: false, error: null });
    } catch (err) {
      setMore({ ...extra, busy: false, error: err });
    }
  }
  const csv = () => { const q = listQuery(); q.set('format', 'csv'); return `/api/v1/leads?${q}`; };
  return html`<section aria-label="Search">
    <h1>Leads</h1>
    ${user && html`<${AddLead} user=${user} navigate=${navigate} />`}
    <${Filters} key=${key} initial=${query} users=${users} navigate=${navigate} />
    ${user && ['marketing', 'admin'].includes(user.role) && key && html`<p class="muted">
      <a class="as-audience" href=${`#/broadcasts?${new URLSearchParams({ filter: key })}`}>Save this filter as a broadcast audience</a></p>`}
    ${error ? html`<${Failure} error=${error} what="the leads" retry=${reload} />`
      : !data ? html`<${Loading} what="leads" />`
      : items.length ? html`<p class="muted">${items.length}${hasMore ? '+' : ''} leads
            · <a href=${csv()} download="leads.csv">Download all as CSV</a></p>
          <${LeadTable} leads=${items} label="Leads found" columns=${['stage', 'owner']} first=${items.length} />
          ${hasMore && html`<button type="button" class="more load-more" onClick=${loadMore} disabled=${extra.busy}>${extra.busy ? 'Loading…' : 'Show 100 more'}</button>`}
          ${extra.error && html`<p class="error" role="alert">${extra.error.message}</p>`}`
      : html`<${Empty} title="No leads match">Loosen a filter: any stage, anyone's, or a shorter name.<//>`}
  </section>`;
}
