// Accounts (#/accounts, #/accounts/<domain>): the companies leads work at. An account's
// page shows who owns it (the rep routing gives its next lead), its people with their
// owners and stages, and the journey across them — each person's visits, forms, emails
// and calls in one time line — so whoever calls one of them knows what the others did.
import { html, api, useLoad, Loading, Failure, Empty, ago, when, leadName, Score } from './lib.js';
import { describe } from './lead.js';

const JOURNEY_PEOPLE = 25;  // the most recently active people whose timelines are merged

function AccountList({ params, navigate }) {
  const q = new URLSearchParams(params).get('q') || '';
  const { data, error, reload } = useLoad(() => api('GET', `/api/v1/accounts?${new URLSearchParams({ q, limit: '100' })}`), [q]);
  return html`<section aria-label="Accounts">
    <div class="page-head"><h1>Accounts</h1>${data && html`<span class="count">${data.items.length}</span>`}</div>
    <form class="row" role="search" onSubmit=${(e) => { e.preventDefault(); navigate(`#/accounts?${new URLSearchParams({ q: new FormData(e.target).get('q') })}`); }}>
      <input name="q" value=${q} placeholder="Company or domain" aria-label="Find an account" />
      <button type="submit">Find</button>
    </form>
    ${error ? html`<${Failure} error=${error} what="the accounts" retry=${reload} />`
      : !data ? html`<${Loading} what="the accounts" />`
      : !data.items.length ? html`<${Empty} title="No account found">Leads with a company domain make accounts.<//>`
      : html`<div class="table-wrap"><table class="leads" aria-label="Accounts found">
        <thead><tr><th>Account</th><th>Leads</th><th>Open</th><th>Owner</th><th>Last activity</th></tr></thead>
        <tbody>${data.items.map((a) => html`<tr data-account=${a.domain}>
          <td class="who-cell"><a href=${`#/accounts/${encodeURIComponent(a.domain)}`}><strong>${a.name || a.domain}</strong></a><div class="muted">${a.domain}</div></td>
          <td>${a.leads}</td><td>${a.open_leads}</td>
          <td>${a.owner ? a.owner.name : '—'}</td>
          <td title=${when(a.last_activity_at)}>${ago(a.last_activity_at)}</td>
        </tr>`)}</tbody>
      </table></div>`}
  </section>`;
}

async function loadAccount(domain) {
  const [account, leads, users] = await Promise.all([
    api('GET', `/api/v1/accounts/${encodeURIComponent(domain)}`),
    api('GET', `/api/v1/leads?${new URLSearchParams({ account: domain, sort: 'updated', limit: '200' })}`),
    api('GET', '/api/v1/users?limit=500'),
  ]);
  const names = Object.fromEntries(users.items.map((u) => [u.id, u.name]));
  const people = leads.items.slice(0, JOURNEY_PEOPLE);
  const timelines = await Promise.all(people.map((l) => api('GET', `/api/v1/leads/${l.id}/timeline?limit=200`)));
  const journey = timelines.flatMap((t, i) => t.items.map((item) => ({ ...item, person: people[i] })))
    .sort((a, b) => Date.parse(b.at) - Date.parse(a.at)).slice(0, 300);
  return { account, leads: leads.items, journey, names, merged: people.length };
}

function AccountPage({ domain }) {
  const { data, error, reload } = useLoad(() => loadAccount(domain), [domain]);
  if (error) return html`<${Failure} error=${error} what="the account" retry=${reload} />`;
  if (!data) return html`<${Loading} what="the account" />`;
  const { account, leads, journey, names } = data;
  return html`<section aria-label="Account">
    <div class="page-head"><h1>${account.name || account.domain}</h1><span class="muted">${account.domain}</span></div>
    <p><strong data-field="owner">${account.owner ? account.owner.name : 'Nobody'}</strong> owns the account <span class="muted">(the owner of its most recently assigned lead; routing gives its next lead to them)</span>${
      ` · ${account.leads} ${account.leads === 1 ? 'lead' : 'leads'}, ${account.open_leads} open`}</p>
    <div class="table-wrap"><table class="card leads" aria-label="People at the account">
      <thead><tr><th>Person</th><th>Stage</th><th>Owner</th><th>Score</th><th>Last activity</th></tr></thead>
      <tbody>${leads.map((l) => html`<tr data-lead=${l.id}>
        <td class="who-cell"><a href=${`#/leads/${l.id}`}><strong>${leadName(l)}</strong></a><div class="muted">${l.title || ''}</div></td>
        <td>${l.stage}</td>
        <td>${l.owner ? l.owner.name : '—'}</td>
        <td><${Score} score=${l.score} /></td>
        <td title=${when(l.updated_at)}>${ago(l.updated_at)}</td>
      </tr>`)}</tbody>
    </table></div>
    <section class="card timeline" aria-label="Journey">
      <h2>Journey across the account</h2>
      ${data.merged < leads.length && html`<p class="muted">The ${data.merged} most recently active people.</p>`}
      ${!journey.length ? html`<p class="muted">Nothing recorded yet.</p>` : html`<ol class="timeline-list">
        ${journey.map((item) => html`<li class=${`kind-${item.kind}`}>
          <time datetime=${item.at} title=${when(item.at)}>${ago(item.at)}</time>
          <a href=${`#/leads/${item.person.id}`}>${leadName(item.person)}</a>: <span>${describe(item, names)}</span>
        </li>`)}
      </ol>`}
    </section>
  </section>`;
}

export function Accounts({ path, params, navigate }) {
  const one = path.match(/^\/accounts\/(.+)$/);
  if (one) return html`<${AccountPage} domain=${decodeURIComponent(one[1])} key=${one[1]} />`;
  return html`<${AccountList} params=${params} navigate=${navigate} />`;
}
