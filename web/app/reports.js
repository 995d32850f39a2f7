// The marketing dashboard (#/reports?report=…&from=…&to=…&by=…): the closed-loop
// reports of /api/v1/reports — funnel, conversion by group with 95% intervals, outcome
// reasons, speed to lead, attribution by model — charted with uPlot, each table sortable,
// each figure a link to the leads behind it (#/reports/leads?…), and the CSV a download.
import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import { html, api, useLoad, Loading, Failure, Empty, fitChart, chartWidth } from './lib.js';
import { LeadTable } from './lists.js';

export const REPORTS = [
  ['funnel', 'Funnel'], ['outcomes', 'Outcomes'], ['speed-to-lead', 'Speed to lead'], ['attribution', 'Attribution'],
];
const DIMENSIONS = ['', 'source', 'medium', 'campaign', 'keyword', 'referrer_domain', 'landing_page', 'form',
  'content_item', 'team', 'rep', 'country', 'company_size', 'cohort', 'variant'];
const MODELS = ['linear', 'first_touch', 'last_touch', 'u_shaped', 'w_shaped', 'time_decay'];
const SCOPE_KEYS = ['from', 'to', 'as_of', 'by', 'experiment', 'model', 'half_life_days'];

const day = (offset) => new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10);
const pct = (x) => (x === null || x === undefined ? '–' : `${(x * 100).toFixed(1)}%`);
const money = (x) => x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });
const groupName = (g) => (g === '' ? '(none)' : g);

// The report's parameters from the hash, with defaults: the last 90 days, by source.
function scopeOf(params) {
  const q = new URLSearchParams(params);
  return {
    report: REPORTS.some(([r]) => r === q.get('report')) ? q.get('report') : 'funnel',
    from: q.get('from') || day(-90), to: q.get('to') || day(1), by: q.has('by') ? q.get('by') : 'source',
    experiment: q.get('experiment') || '', model: q.get('model') || 'w_shaped', half_life_days: q.get('half_life_days') || '7', as_of: q.get('as_of') || '',
    cursor: q.get('cursor') || '', // the page of groups (a report's next_cursor); not the drill-downs'
  };
}

// The hash of the dashboard for `scope` with `change`: every choice kept, "by nothing"
// too (an empty by), so a new date or tab does not regroup; the page of groups only
// when `change` names one.
function hashOf(scope, change = {}) {
  const q = new URLSearchParams();
  for (const key of ['report', ...SCOPE_KEYS]) if (scope[key] !== '' || key === 'by') q.set(key, scope[key]);
  for (const [k, v] of Object.entries(change)) q.set(k, v);
  return `#/reports?${q}`;
}

function query(scope, extra = {}) {
  const q = new URLSearchParams();
  for (const key of SCOPE_KEYS) {
    // An empty by stays: it means by nothing (the API's "by=" is none, too).
    if ((scope[key] === '' && key !== 'by') || ((key === 'model' || key === 'half_life_days') && scope.report !== 'attribution')) continue;
    if (key === 'half_life_days' && scope.model !== 'time_decay') continue;
    if (key === 'experiment' && scope.by !== 'variant') continue;  // only by variant
    q.set(key, scope[key]);
  }
  for (const [k, v] of Object.entries(extra)) if (v !== undefined && v !== null) q.set(k, v);
  return q.toString();
}

// A link to the leads behind one figure.
function Figure({ scope, filter, children }) {
  const href = `#/reports/leads?${new URLSearchParams({ report: scope.report, ...Object.fromEntries(new URLSearchParams(query(scope))), ...filter })}`;
  return html`<a class="figure" href=${href} title="The leads behind this figure">${children}</a>`;
}

// Bars, one series or more, over labelled categories (uPlot with its bar paths).
function Bars({ labels, series, title, height = 220 }) {
  const box = useRef(null);
  useEffect(() => {
    if (!box.current || !labels.length) return undefined;
    const colors = ['#3b6fd8', '#2f9e6b', '#d9822b', '#8b5cf6'];
    // One series: centred bars; two: side by side (the first left of its tick).
    const pathsOf = (i) => uPlot.paths.bars(series.length === 1 ? { size: [0.7, 80], align: 0 }
      : { size: [0.35, 40], align: i === 0 ? -1 : 1 });
    const width = chartWidth(box.current);
    const plot = new uPlot({
      title, width, height,
      scales: { x: { time: false, range: [-0.5, labels.length - 0.5] },
        y: { range: (u, min, max) => [0, max > 0 ? max * 1.1 : 1] } },
      axes: [{ values: (u, ticks) => ticks.map((t) => (Number.isInteger(t) ? labels[t] || '' : '')), splits: () => labels.map((_, i) => i) },
        { size: 60, values: (u, ticks) => ticks.map((t) => compact.format(t)) }],
      series: [{}, ...series.map((s, i) => ({
        label: s.label, fill: `${colors[i % colors.length]}cc`, stroke: colors[i % colors.length], width: 1,
        paths: pathsOf(i), points: { show: false },
      }))],
      legend: { show: series.length > 1 },
    }, [labels.map((_, i) => i), ...series.map((s) => s.values)], box.current);
    return fitChart(plot, box.current, height);
  }, [JSON.stringify(labels), JSON.stringify(series), title]);
  return html`<div class="chart card" ref=${box} role="img" aria-label=${title}></div>`;
}

// A table sortable by any column: columns [{key, label, value(row), render(row)}].
function SortableTable({ columns, rows, label }) {
  const [sort, setSort] = useState({ key: null, desc: true });
  const sorted = [...rows];
  const col = columns.find((c) => c.key === sort.key);
  if (col) {
    sorted.sort((a, b) => {
      const x = col.value(a); const y = col.value(b);
      const order = typeof x === 'string' ? x.localeCompare(y) : (x ?? -1) - (y ?? -1);
      return sort.desc ? -order : order;
    });
  }
  const click = (key) => setSort((s) => ({ key, desc: s.key === key ? !s.desc : true }));
  return html`<div class="table-wrap"><table class="card leads report" aria-label=${label}>
    <thead><tr>${columns.map((c) => html`<th aria-sort=${sort.key === c.key ? (sort.desc ? 'descending' : 'ascending') : 'none'}>
      <button class="link sort" onClick=${() => click(c.key)}>${c.label}${sort.key === c.key ? (sort.desc ? ' ▾' : ' ▴') : ''}</button></th>`)}</tr></thead>
    <tbody>${sorted.map((row, i) => html`<tr key=${i}>${columns.map((c) => html`<td>${c.render ? c.render(row) : c.value(row)}</td>`)}</tr>`)}</tbody>
  </table></div>`;
}

function FunnelView({ data, scope }) {
  const stages = data.stages;
  const total = data.total;
  const rows = data.groups.length ? data.groups : [total];
  const columns = [
    { key: 'group', label: scope.by || 'All', value: (r) => r.group, render: (r) => groupName(r.group) },
    ...stages.map((s) => ({ key: s, label: s, value: (r) => r.counts[s],
      render: (r) => html`<${Figure} scope=${scope} filter=${{ stage: s, ...(data.groups.length ? { group: r.group } : {}) }}>${r.counts[s]}</${Figure}>` })),
    ...total.conversions.map((c, i) => ({ key: `c${i}`, label: `${c.from}→${c.to}`, value: (r) => r.conversions[i].rate,
      render: (r) => { const x = r.conversions[i]; return x.rate === null ? '–' : html`<span title=${`95% interval ${pct(x.low)}–${pct(x.high)} (${x.converted} of ${x.of})`}>${pct(x.rate)} <small class="muted">${pct(x.low)}–${pct(x.high)}</small></span>`; } })),
  ];
  const velocity = total.conversions.map((c) => ({ step: `${c.from} → ${c.to}`, ...c }));
  const days = (d) => (d === null ? '–' : `${d} d`);
  return html`<${Bars} title="Leads that reached each stage" labels=${stages} series=${[{ label: 'leads', values: stages.map((s) => total.counts[s]) }]} />
    <${SortableTable} label="Funnel by group" columns=${columns} rows=${rows} />
    <h2>Stage velocity</h2>
    <${SortableTable} label="Stage velocity" rows=${velocity} columns=${[
      { key: 'step', label: 'Step', value: (r) => r.step },
      { key: 'leads', label: 'Leads that made it', value: (r) => r.leads },
      { key: 'median', label: 'Median', value: (r) => r.median_days, render: (r) => days(r.median_days) },
      { key: 'p90', label: '90th percentile', value: (r) => r.p90_days, render: (r) => days(r.p90_days) }]} />`;
}

function OutcomesView({ data, scope }) {
  const rows = [];
  for (const g of (data.groups.length ? data.groups : [data.total])) {
    for (const r of g.reasons) rows.push({ group: g.group, small: g.small, total: g.outcomes, ...r });
  }
  const reasons = data.total.reasons.slice(0, 8);
  const columns = [
    { key: 'group', label: scope.by || 'All', value: (r) => r.group, render: (r) => html`${groupName(r.group)}${r.small ? html` <small class="muted">(small)</small>` : ''}` },
    { key: 'outcome', label: 'Outcome', value: (r) => r.outcome },
    { key: 'reason', label: 'Reason', value: (r) => r.reason },
    { key: 'count', label: 'Count', value: (r) => r.count,
      render: (r) => html`<${Figure} scope=${scope} filter=${{ outcome: r.outcome, reason: r.reason, ...(data.groups.length ? { group: r.group } : {}) }}>${r.count}</${Figure}>` },
    { key: 'share', label: 'Share of group', value: (r) => r.share, render: (r) => html`${pct(r.share)} <small class="muted">${pct(r.low)}–${pct(r.high)}</small>` },
    { key: 'overall', label: 'Share overall', value: (r) => r.overall_share, render: (r) => pct(r.overall_share) },
  ];
  return html`<${Bars} title="Why leads left sales" labels=${reasons.map((r) => `${r.outcome}: ${r.reason}`)} series=${[{ label: 'outcomes', values: reasons.map((r) => r.count) }]} />
    <${SortableTable} label="Outcome reasons by group" columns=${columns} rows=${rows} />`;
}

function SpeedView({ data, scope }) {
  const buckets = data.buckets;
  const rows = data.groups.length ? data.groups : [data.total];
  const columns = [
    { key: 'group', label: scope.by || 'All', value: (r) => r.group, render: (r) => groupName(r.group) },
    { key: 'mqls', label: 'MQLs', value: (r) => r.mqls },
    { key: 'median', label: 'Median min', value: (r) => r.median_minutes, render: (r) => r.median_minutes ?? '–' },
    { key: 'p90', label: 'p90 min', value: (r) => r.p90_minutes, render: (r) => r.p90_minutes ?? '–' },
    ...buckets.map((b, i) => ({ key: b, label: b.replaceAll('_', ' '), value: (r) => r.buckets[i].mqls,
      render: (r) => html`<${Figure} scope=${scope} filter=${{ bucket: b, ...(data.groups.length ? { group: r.group } : {}) }}>${r.buckets[i].mqls}</${Figure}>
        <small class="muted" title="accepted (SAL or further)">${pct(r.buckets[i].accepted.rate)} SAL</small>` })),
  ];
  return html`<${Bars} title="MQLs by time to the first sales touch" labels=${buckets.map((b) => b.replaceAll('_', ' '))}
      series=${[{ label: 'MQLs', values: data.total.buckets.map((b) => b.mqls) }]} />
    <${SortableTable} label="Speed to lead by group" columns=${columns} rows=${rows} />`;
}

function AttributionView({ data, scope }) {
  const rows = data.groups.length ? data.groups : [data.total];
  const top = rows.slice(0, 12);
  const columns = [
    { key: 'group', label: scope.by || 'All', value: (r) => r.group, render: (r) => groupName(r.group) },
    { key: 'opportunities', label: 'Opportunities', value: (r) => r.opportunities,
      render: (r) => html`<${Figure} scope=${scope} filter=${{ stage: 'opportunity', ...(data.groups.length ? { group: r.group } : {}) }}>${r.opportunities.toFixed(2)}</${Figure}>` },
    { key: 'pipeline', label: 'Pipeline', value: (r) => r.pipeline, render: (r) => money(r.pipeline) },
    { key: 'won', label: 'Won', value: (r) => r.won,
      render: (r) => html`<${Figure} scope=${scope} filter=${{ stage: 'customer', ...(data.groups.length ? { group: r.group } : {}) }}>${r.won.toFixed(2)}</${Figure}>` },
    { key: 'revenue', label: 'Revenue', value: (r) => r.revenue, render: (r) => money(r.revenue) },
  ];
  return html`<${Bars} title=${`Credited by ${data.model.replaceAll('_', ' ')}`} labels=${top.map((r) => groupName(r.group))}
      series=${[{ label: 'pipeline', values: top.map((r) => r.pipeline) }, { label: 'revenue', values: top.map((r) => r.revenue) }]} />
    <${SortableTable} label="Attribution by group" columns=${columns} rows=${rows} />`;
}

const VIEWS = { funnel: FunnelView, outcomes: OutcomesView, 'speed-to-lead': SpeedView, attribution: AttributionView };

export function Reports({ params, navigate }) {
  const scope = scopeOf(params);
  const q = query(scope);
  // The answer keeps the request it answers: until the new one arrives, the previous
  // report's data must not reach another report's view.
  const key = `${scope.report}?${q}${scope.cursor ? `&cursor=${encodeURIComponent(scope.cursor)}` : ''}`;
  const { data: loaded, error, reload } = useLoad(
    () => api('GET', `/api/v1/reports/${key}`).then((report) => ({ key, report })), [key]);
  const data = loaded && loaded.key === key ? loaded.report : null;
  const set = (change) => navigate(hashOf(scope, change));
  const View = VIEWS[scope.report];
  return html`<section aria-label="Reports">
    <div class="page-head"><h1>Reports</h1>
      <a class="button quiet" href=${`/api/v1/reports/${key}&format=csv`} download=${`${scope.report}.csv`}>Download CSV</a></div>
    <nav class="tabs" aria-label="Report">${REPORTS.map(([r, label]) => html`<a href=${hashOf(scope, { report: r })}
      aria-current=${r === scope.report ? 'page' : undefined}>${label}</a>`)}</nav>
    <form class="filters card" onSubmit=${(e) => e.preventDefault()}>
      <label>From <input type="date" value=${scope.from} onChange=${(e) => set({ from: e.target.value })} /></label>
      <label>To <input type="date" value=${scope.to} onChange=${(e) => set({ to: e.target.value })} /></label>
      <label>As of <input type="date" value=${scope.as_of} title="Answer as the data stood at the start of this day, UTC (empty: now)"
        onChange=${(e) => set({ as_of: e.target.value })} /></label>
      <label>By <select value=${scope.by} onChange=${(e) => set({ by: e.target.value })}>
        ${DIMENSIONS.map((d) => html`<option value=${d}>${d ? d.replaceAll('_', ' ') : 'nothing (totals)'}</option>`)}</select></label>
      ${scope.by === 'variant' && html`<${ExperimentChoice} value=${scope.experiment} onChange=${(experiment) => set({ experiment })} />`}
      ${scope.report === 'attribution' && html`<label>Model <select value=${scope.model} onChange=${(e) => set({ model: e.target.value })}>
        ${MODELS.map((m) => html`<option value=${m}>${m.replaceAll('_', ' ')}</option>`)}</select></label>
        ${scope.model === 'time_decay' && html`<label>Half-life (days) <input type="number" min="0.01" step="any" value=${scope.half_life_days}
          onChange=${(e) => set({ half_life_days: e.target.value })} /></label>`}`}
    </form>
    ${error ? html`<${Failure} error=${error} what="this report" retry=${reload} />`
      : !data ? html`<${Loading} what="the report" />`
        : html`<${View} data=${data} scope=${scope} />
          <nav class="pager" aria-label="Pages of groups">
            ${scope.cursor && html`<a class="button quiet" href=${hashOf(scope)}>First groups</a>`}
            ${data.next_cursor && html`<a class="button quiet" href=${hashOf(scope, { cursor: data.next_cursor })}>Next groups</a>`}
          </nav>`}
  </section>`;
}

// By variant: which experiment's variants group the leads.
function ExperimentChoice({ value, onChange }) {
  const { data } = useLoad(() => api('GET', '/api/v1/experiments'), []);
  return html`<label>Experiment <select value=${value} onChange=${(e) => onChange(e.target.value)}>
    <option value="">choose one</option>
    ${(data ? data.items : []).map((x) => html`<option value=${x.id}>${x.name} (${x.key} v${x.version})</option>`)}</select></label>`;
}

// The leads behind one figure, page after page.
export function ReportLeads({ params }) {
  const q = new URLSearchParams(params);
  const report = REPORTS.some(([r]) => r === q.get('report')) ? q.get('report') : 'funnel';
  q.delete('report');
  const [pages, setPages] = useState([]);
  const [cursor, setCursor] = useState(null);
  // A new figure mounts a new page (keyed by its parameters): the pages start over.
  const { data, error, reload } = useLoad(() => api('GET', `/api/v1/reports/${report}/leads?${q}&limit=100${cursor ? `&cursor=${cursor}` : ''}`), [cursor]);
  useEffect(() => { if (data) setPages((p) => [...p, ...data.items]); }, [data]);
  const figure = ['group', 'stage', 'outcome', 'reason', 'bucket'].filter((k) => q.has(k)).map((k) => `${k} ${groupName(q.get(k))}`).join(', ');
  const back = hashOf(scopeOf(`report=${report}&${q}`));
  if (error) return html`<${Failure} error=${error} what="these leads" retry=${reload} />`;
  return html`<section aria-label="Leads behind the figure">
    <div class="page-head"><h1>Leads behind the figure</h1><a href=${back}>Back to the report</a></div>
    <p class="muted">${report.replaceAll('-', ' ')} from ${q.get('from')} to ${q.get('to')}${figure ? ` — ${figure}` : ''}</p>
    ${!data && !pages.length ? html`<${Loading} what="the leads" />`
      : pages.length ? html`<${LeadTable} leads=${pages} label="Leads behind the figure" columns=${['stage', 'owner']} first=${pages.length} />`
        : html`<${Empty} title="No leads">Nobody is behind this figure.</${Empty}>`}
    ${data && data.next_cursor && html`<button class="more" onClick=${() => setCursor(data.next_cursor)}>More</button>`}
  </section>`;
}
