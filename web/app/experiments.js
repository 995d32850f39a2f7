// Experiments: the list of every version, a new draft (an email's subject or template in
// a broadcast or a sequence step, or a web page's variants served by the snippet), and one
// experiment's page — its decision, each arm's counts with the variant's effect and its
// always-valid interval, the interval over time (uPlot), the sample-ratio checks that tell
// refusals from an assignment fault, the guardrails, the sample size the plan needs, and
// start / stop / new version. Marketing and admins act; managers read.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { html, api, useLoad, Loading, Failure, Empty, when, useSubmit, fitChart, chartWidth } from './lib.js';

export const mayRunExperiments = (user) => user.role === 'marketing' || user.role === 'admin';
export const mayReadExperiments = (user) => mayRunExperiments(user) || user.role === 'sales_manager';

const METRICS = { mql: 'MQL', sal: 'Accepted by sales (SAL)', sql: 'Qualified (SQL)', opportunity: 'Opportunity',
  won: 'Won', pipeline: 'Pipeline amount' };
const DECISIONS = {
  collecting: 'Collecting: not enough exposed persons in every arm yet',
  'no difference yet': 'No difference yet',
  'variant better': 'A variant is better',
  'control better': 'The control is better',
  'stopped by guardrail': 'Stopped by a guardrail',
  'sample ratio mismatch': 'Sample ratio mismatch: no winner may be called',
};
const signed = (x, metric) => (x === null || x === undefined ? '?'
  : metric === 'pipeline' ? `${x >= 0 ? '+' : ''}${(x / 100).toFixed(2)}` : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(2)} pts`);
const rate = (arm, metric) => (metric === 'pipeline' ? (arm.primary_mean / 100).toFixed(2) : `${(arm.primary_mean * 100).toFixed(2)}%`);

export function Experiments({ user }) {
  const { data, error, reload } = useLoad(() => api('GET', '/api/v1/experiments'), []);
  return html`<section aria-label="Experiments">
    <div class="page-head"><h1>Experiments</h1></div>
    <p class="muted">Judged on what sales did with the leads — MQL, accepted, qualified, opportunities, revenue — never on opens,
      with an interval you may look at every day without calling false winners.</p>
    ${mayRunExperiments(user) && html`<${NewExperiment} onCreated=${(e) => { location.hash = `#/experiments/${e.id}`; }} />`}
    ${error ? html`<${Failure} error=${error} what="the experiments" retry=${reload} />`
      : !data ? html`<${Loading} what="experiments" />`
      : !data.items.length ? html`<${Empty} title="No experiments yet">Test a subject line, a template or a page headline.<//>`
      : html`<table class="leads card" aria-label="Experiment list">
        <thead><tr><th>Name</th><th>Key</th><th>Kind</th><th>Metric</th><th>State</th><th>Created</th></tr></thead>
        <tbody>${data.items.map((e) => html`<tr data-experiment=${e.id}>
          <td><a href=${`#/experiments/${e.id}`}>${e.name}</a></td>
          <td>${e.key} v${e.version}</td><td>${e.kind}</td><td>${METRICS[e.metric]}</td>
          <td><span class=${`pill state-${e.state}`}>${e.state}</span></td>
          <td class="muted">${when(e.created_at)}</td></tr>`)}</tbody></table>`}
  </section>`;
}

// The body of a new experiment from the form: two to four variants, the first the control.
function bodyOf(form) {
  const kind = form.get('kind');
  const variants = [];
  for (let i = 0; i < 4; i++) {
    const key = String(form.get(`v${i}_key`) || '').trim();
    if (!key) continue;
    const v = { key, weight: Number(form.get(`v${i}_weight`)) };
    const subject = String(form.get(`v${i}_subject`) || '').trim();
    const template = String(form.get(`v${i}_template`) || '').trim();
    if (kind === 'email' && subject) v.subject = subject;
    if (kind === 'email' && template) v.template = template;
    variants.push(v);
  }
  const body = { key: form.get('key'), name: form.get('name'), kind, variants, metric: form.get('metric'),
    window_days: Number(form.get('window_days')) };
  const target = String(form.get('target') || '').trim();
  if (kind === 'email' && target.startsWith('bc_')) body.broadcast_id = target;
  if (kind === 'email' && target.startsWith('sq_')) {
    body.sequence_id = target;
    body.sequence_step = Number(form.get('step'));
  }
  return body;
}

function NewExperiment({ onCreated }) {
  const { busy, error, submit } = useSubmit(async (form) => onCreated(await api('POST', '/api/v1/experiments', bodyOf(form))));
  const variant = (i, key, weight) => html`<div class="row variant">
    <input name=${`v${i}_key`} aria-label=${`Variant ${i + 1} key`} placeholder=${i === 0 ? 'control' : `variant ${i + 1}`} defaultValue=${key} />
    <input name=${`v${i}_weight`} aria-label=${`Variant ${i + 1} weight`} type="number" step="0.01" min="0" max="1" defaultValue=${weight} />
    <input name=${`v${i}_subject`} aria-label=${`Variant ${i + 1} subject`} placeholder="email: its subject (empty: the email's own)" />
    <input name=${`v${i}_template`} aria-label=${`Variant ${i + 1} template`} placeholder="email: another template's key (empty: the email's own)" /></div>`;
  return html`<details class="card"><summary>New experiment</summary>
    <form onSubmit=${submit} aria-label="New experiment">
      <label>Name <input name="name" required maxlength="200" /></label>
      <label>Key <input name="key" required pattern="[a-z0-9_\\-]{1,64}" placeholder="pricing-headline" /></label>
      <label>Kind <select name="kind"><option value="email">Email (a broadcast or a sequence step)</option><option value="web">Web page (the snippet)</option></select></label>
      <label>Email: broadcast bc_… or sequence sq_… <input name="target" placeholder="bc_12" /></label>
      <label>Sequence step <input name="step" type="number" min="1" defaultValue="1" /></label>
      <fieldset><legend>Variants (the first is the control; the weights sum to 1)</legend>
        ${variant(0, 'control', 0.5)}${variant(1, 'b', 0.5)}${variant(2, '', '')}${variant(3, '', '')}</fieldset>
      <label>Judged on <select name="metric">${Object.entries(METRICS).map(([k, v]) => html`<option value=${k}>${v}</option>`)}</select></label>
      <label>Within days of the exposure <input name="window_days" type="number" min="1" max="365" defaultValue="30" /></label>
      <button class="primary" disabled=${busy}>Create draft</button>
      ${error && html`<p class="error" role="alert">${error.message}</p>`}
    </form></details>`;
}

// Each variant's interval over time: the estimate and the band of its confidence sequence.
function IntervalChart({ history, variants, metric }) {
  const box = useRef(null);
  useEffect(() => {
    if (!box.current || !history.length) return undefined;
    const scale = metric === 'pipeline' ? 0.01 : 100;
    const x = history.map((h) => Date.parse(h.at) / 1000);
    const colors = ['#3b6fd8', '#2f9e6b', '#d9822b'];
    const series = [{}];
    const data = [x];
    variants.forEach((v, i) => {
      const c = colors[i % colors.length];
      const at = (k) => history.map((h) => (h.effects[i][k] === null ? null : h.effects[i][k] * scale));
      series.push({ label: `${v} effect`, stroke: c, width: 2 },
        { label: `${v} low`, stroke: `${c}88`, dash: [4, 4] }, { label: `${v} high`, stroke: `${c}88`, dash: [4, 4] });
      data.push(at('estimate'), at('low'), at('high'));
    });
    const plot = new uPlot({
      title: metric === 'pipeline' ? 'Effect per person (amount) over time' : 'Effect (percentage points) over time',
      width: chartWidth(box.current), height: 240, series,
      axes: [{}, { size: 60 }],
    }, data, box.current);
    return fitChart(plot, box.current, 240);
  }, [JSON.stringify(history), JSON.stringify(variants), metric]);
  if (!history.length) return html`<p class="muted">The interval over time appears once every arm has its minimum.</p>`;
  return html`<div class="chart card" ref=${box} role="img" aria-label="The interval over time"></div>`;
}

function Ratio({ ratio }) {
  const cause = {
    none: 'The arms hold the shares they should.',
    refusals: 'The assignment is sound, but the gate or the relay refused more in one arm: the exposed arms are not alike.',
    assignment: 'The persons assigned do not fit the weights: the assignment itself is at fault.',
  }[ratio.cause];
  return html`<p class=${ratio.cause === 'none' ? 'muted' : 'error'} data-srm=${ratio.cause}>
    Sample ratio: assigned p = ${ratio.assigned.p_value.toPrecision(3)}, exposed p = ${ratio.exposed.p_value.toPrecision(3)} (alarm below 0.001). ${cause}</p>`;
}

export function ExperimentPage({ id, user }) {
  const { data, error, reload } = useLoad(() => api('GET', `/api/v1/experiments/${id}/results`), [id]);
  const act = useSubmit(async (form) => {
    await api('POST', `/api/v1/experiments/${id}/${form.get('action')}`, {});
    reload();
  });
  if (error) return html`<${Failure} error=${error} what="the experiment" retry=${reload} />`;
  if (!data) return html`<${Loading} what="the experiment" />`;
  const e = data.experiment;
  const metric = e.metric;
  return html`<section aria-label="Experiment">
    <div class="page-head"><h1>${e.name}</h1><span class=${`pill state-${e.state}`}>${e.state}</span></div>
    <p class="muted">${e.key} v${e.version} · ${e.kind === 'email' ? `email ${e.broadcast_id || `${e.sequence_id} step ${e.sequence_step}`}` : `web: tandem.variant('${e.key}')`}${' '}
      · judged on ${METRICS[metric]} within ${e.window_days} days of the exposure · alpha ${e.alpha}</p>
    <p class="decision card" data-decision=${data.decision}><strong>${DECISIONS[data.decision]}</strong>${data.winner ? html` — winner: <strong>${data.winner}</strong>` : ''}</p>
    ${data.warnings.map((w) => html`<p class="muted">${w}</p>`)}
    <div class="table-wrap"><table class="card leads" aria-label="Arms">
      <thead><tr><th>Variant</th><th>Assigned</th><th>Exposed</th><th>Reached</th><th>Rate</th><th>Effect (interval)</th><th>Fixed-horizon p</th><th>Conflicted</th><th>Unsubscribes</th><th>Bounces</th><th>Complaints</th></tr></thead>
      <tbody>${data.arms.map((a) => html`<tr data-variant=${a.variant}>
        <td>${a.variant}</td><td>${a.assigned}</td><td>${a.exposed}</td><td>${a.primary}</td><td>${rate(a, metric)}</td>
        <td>${!a.effect ? 'control' : a.effect.low === null && a.effect.high === null ? html`<span class="muted">not yet</span>`
          : html`${signed(a.effect.estimate, metric)} <small class="muted">${signed(a.effect.low, metric)} … ${signed(a.effect.high, metric)}</small>`}</td>
        <td>${a.fixed_horizon && data.decision !== 'collecting' ? a.fixed_horizon.p_value.toPrecision(3) : ''}</td>
        <td>${a.conflicted}</td><td>${a.outcomes.unsubscribes}</td><td>${a.outcomes.bounces}</td><td>${a.outcomes.complaints}</td></tr>`)}</tbody>
    </table></div>
    <${IntervalChart} history=${data.history} variants=${data.arms.slice(1).map((a) => a.variant)} metric=${metric} />
    <${Ratio} ratio=${data.sample_ratio} />
    <p class="muted">${data.sample_size ? `The plan needs about ${data.sample_size.sequential.toLocaleString('en-US')} exposed persons in all for the sequential test (${data.sample_size.fixed_horizon.toLocaleString('en-US')} for a fixed-horizon test read once).`
      : 'The sample size appears once the metric has data, or with a baseline.'}${' '}
      The fixed-horizon p is valid only read once, at its planned size.</p>
    ${mayRunExperiments(user) && e.state !== 'stopped' && html`<form onSubmit=${act.submit}>
      <input type="hidden" name="action" value=${e.state === 'draft' ? 'start' : 'stop'} />
      <button class="primary" disabled=${act.busy}>${e.state === 'draft' ? 'Start' : 'Stop'}</button>
      ${act.error && html`<p class="error" role="alert">${act.error.message}</p>`}</form>`}
  </section>`;
}
