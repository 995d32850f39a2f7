// Marketing's home (#/home): what the last 30 days brought — leads down the funnel, each
// campaign's leads, pipeline and revenue, the content that first brought people — with
// the broadcasts and experiments under way. Every figure is a link to the report it
// comes from, where the leads behind it are one click further.
import { html, api, useLoad, Loading, Failure, Empty, when } from './lib.js';
import { mayBroadcast } from './broadcasts.js';
import { mayReadExperiments } from './experiments.js';

const STAGES = [['lead', 'Leads'], ['mql', 'Marketing-qualified'], ['sal', 'Accepted by sales'],
  ['sql', 'Sales-qualified'], ['opportunity', 'Opportunities'], ['customer', 'Customers']];
const DAYS = 30;
const day = (offset) => new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10);
const money = (x) => x.toLocaleString('en-US', { maximumFractionDigits: 0 });
const groupName = (g, names) => (g === '' ? '(none)' : names[g] || g);

// The reports' range: the last 30 days, to the end of today.
function range() { return { from: day(-DAYS), to: day(1) }; }

// A link to the report a figure comes from.
function reportHref(report, by, extra = {}) {
  return `#/reports?${new URLSearchParams({ report, ...range(), by, ...(report === 'attribution' ? { model: 'w_shaped' } : {}), ...extra })}`;
}

async function loadHome(user) {
  const q = new URLSearchParams({ ...range(), limit: '1000' });
  const [campaigns, attribution, content, catalog, assets, broadcasts, experiments] = await Promise.all([
    api('GET', `/api/v1/reports/funnel?${q}&by=campaign`),
    api('GET', `/api/v1/reports/attribution?${q}&by=campaign&model=w_shaped`),
    api('GET', `/api/v1/reports/funnel?${q}&by=content_item`),
    api('GET', '/api/v1/campaigns?limit=500'),
    api('GET', '/api/v1/content?limit=500'),
    mayBroadcast(user) ? api('GET', '/api/v1/broadcasts?limit=5') : null,
    mayReadExperiments(user) ? api('GET', '/api/v1/experiments?limit=50') : null,
  ]);
  const campaignNames = Object.fromEntries(catalog.items.map((c) => [c.utm_campaign || c.key, c.name]));
  const assetNames = Object.fromEntries(assets.items.map((a) => [a.asset_id, a.title]));
  const moneyBy = Object.fromEntries(attribution.groups.map((g) => [g.group, g]));
  return { campaigns, attribution, content, campaignNames, assetNames, moneyBy, broadcasts, experiments };
}

function Funnel({ total }) {
  return html`<section class="card" aria-label="The last 30 days">
    <h2>The last ${DAYS} days</h2>
    <ol class="home-funnel">${STAGES.map(([stage, label]) => html`<li>
      <a href=${reportHref('funnel', '')}><strong>${total.counts[stage].toLocaleString('en-US')}</strong></a>
      <span class="muted">${label}</span></li>`)}</ol>
  </section>`;
}

function Campaigns({ data }) {
  const rows = data.campaigns.groups.slice().sort((a, b) => b.counts.lead - a.counts.lead);
  return html`<section class="card" aria-label="Campaigns">
    <h2>Campaigns</h2>
    ${!rows.length ? html`<${Empty} title="No leads in the last ${DAYS} days">Leads that arrive through a campaign link show here.<//>`
    : html`<div class="table-wrap"><table class="leads report figures" aria-label="Campaign figures">
      <thead><tr><th>Campaign</th><th>Leads</th><th>MQLs</th><th>Opportunities</th><th>Customers</th><th>Pipeline</th><th>Revenue</th></tr></thead>
      <tbody>${rows.map((g) => {
        const m = data.moneyBy[g.group];
        return html`<tr data-group=${g.group}>
          <td>${groupName(g.group, data.campaignNames)}</td>
          <td><a href=${reportHref('funnel', 'campaign')}>${g.counts.lead}</a></td>
          <td>${g.counts.mql}</td><td>${g.counts.opportunity}</td><td>${g.counts.customer}</td>
          <td><a href=${reportHref('attribution', 'campaign')}>${m ? money(m.pipeline) : '0'}</a></td>
          <td>${m ? money(m.revenue) : '0'}</td></tr>`;
      })}</tbody></table></div>
      <p class="muted">Pipeline and revenue: deals made in the last ${DAYS} days, credited to campaigns by the W-shaped model (total ${money(data.attribution.total.pipeline)} pipeline, ${money(data.attribution.total.revenue)} won).</p>`}
  </section>`;
}

function Content({ data }) {
  const rows = data.content.groups.filter((g) => g.group !== '').sort((a, b) => b.counts.lead - a.counts.lead);
  return html`<section class="card" aria-label="Content">
    <h2>Content that first brought people</h2>
    ${!rows.length ? html`<p class="muted">No lead of the last ${DAYS} days arrived through a content link (utm_content).</p>`
    : html`<ul class="home-list">${rows.map((g) => html`<li>
        <a href=${reportHref('funnel', 'content_item')}>${groupName(g.group, data.assetNames)}</a>${`: ${g.counts.lead} ${g.counts.lead === 1 ? 'lead' : 'leads'}, ${g.counts.mql} qualified, ${g.counts.customer} ${g.counts.customer === 1 ? 'customer' : 'customers'}`}</li>`)}</ul>`}
  </section>`;
}

function UnderWay({ data }) {
  const running = (data.experiments ? data.experiments.items : []).filter((e) => e.state === 'running');
  const broadcasts = data.broadcasts ? data.broadcasts.items : [];
  if (!data.experiments && !data.broadcasts) return null;
  return html`<section class="card" aria-label="Under way">
    <h2>Under way</h2>
    ${data.broadcasts && html`<h3>Broadcasts</h3>${!broadcasts.length ? html`<p class="muted">No broadcast yet. <a href="#/broadcasts">Write one</a></p>`
      : html`<ul class="home-list">${broadcasts.map((b) => html`<li><a href=${`#/broadcasts/${b.id}`}>${b.name}</a>
        <span class="muted"> · ${b.state}${b.scheduled_at && b.state === 'scheduled' ? ` for ${when(b.scheduled_at)}` : ''}</span></li>`)}</ul>`}`}
    ${data.experiments && html`<h3>Experiments</h3>${!running.length ? html`<p class="muted">No experiment running.</p>`
      : html`<ul class="home-list">${running.map((e) => html`<li><a href=${`#/experiments/${e.id}`}>${e.name}</a>
        <span class="muted"> · ${e.kind}, started ${when(e.started_at)}</span></li>`)}</ul>`}`}
  </section>`;
}

export function Home({ user }) {
  const { data, error, reload } = useLoad(() => loadHome(user), []);
  if (error) return html`<${Failure} error=${error} what="the last ${DAYS} days' figures" retry=${reload} />`;
  if (!data) return html`<${Loading} what="the last ${DAYS} days' figures" />`;
  return html`<section class="home" aria-label="Home">
    <div class="page-head"><h1>Marketing</h1><a href=${reportHref('funnel', 'source')}>All reports</a></div>
    <${Funnel} total=${data.campaigns.total} />
    <div class="home-grid">
      <${Campaigns} data=${data} />
      <div><${Content} data=${data} /><${UnderWay} data=${data} /></div>
    </div>
  </section>`;
}

// Marketing starts here; admins and managers may open it too.
export const mayOpenHome = (user) => ['marketing', 'sales_manager', 'admin'].includes(user.role);
