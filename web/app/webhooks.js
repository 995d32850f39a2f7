// The webhook endpoints (#/webhooks; admins): where Tandem posts what happens to leads,
// as tandem.toml's [[webhooks]] lists them, with each endpoint's recent deliveries —
// delivered, or failing with the endpoint's last answer and the next try — and a test
// that posts a signed message now and shows what the endpoint answered.
import { useState } from 'preact/hooks';
import { html, api, useLoad, useAutoRefresh, Loading, Failure, Empty, when, ago } from './lib.js';

export const mayManageWebhooks = (user) => user.role === 'admin';

function Deliveries({ url }) {
  const { data, error, reload } = useLoad(() => api('GET', `/api/v1/webhooks/deliveries?${new URLSearchParams({ endpoint: url, limit: '20' })}`), [url]);
  useAutoRefresh(reload, 15000);
  if (error) return html`<${Failure} error=${error} what="the deliveries" retry=${reload} />`;
  if (!data) return html`<${Loading} what="the deliveries" />`;
  if (!data.items.length) return html`<p class="muted">Nothing delivered yet.</p>`;
  return html`<div class="table-wrap"><table class="leads" aria-label=${`Deliveries to ${url}`}>
    <thead><tr><th>Event</th><th>Lead</th><th>State</th><th>Answer</th><th>When</th></tr></thead>
    <tbody>${data.items.map((d) => html`<tr data-delivery=${d.id} data-state=${d.state}>
      <td>${d.type}</td>
      <td>${d.lead_id ? html`<a href=${`#/leads/${d.lead_id}`}>${d.lead_id}</a>` : '—'}</td>
      <td>${d.state === 'pending' && d.attempts > 0 ? html`<span class="warn-text">failing (${d.attempts} tries)</span>` : d.state}</td>
      <td>${d.last_status ? `HTTP ${d.last_status}` : ''} ${d.last_error}</td>
      <td title=${when(d.created_at)}>${ago(d.created_at)}${d.next_attempt_at ? html`<div class="muted">next try ${when(d.next_attempt_at)}</div>` : ''}</td>
    </tr>`)}</tbody>
  </table></div>`;
}

function Endpoint({ hook }) {
  const [test, setTest] = useState({ busy: false, result: null, error: null });
  async function send() {
    setTest({ busy: true, result: null, error: null });
    try {
      setTest({ busy: false, result: await api('POST', '/api/v1/webhooks/test', { url: hook.url }), error: null });
    } catch (error) {
      setTest({ busy: false, result: null, error });
    }
  }
  const r = test.result;
  return html`<article class="card webhook" aria-label=${hook.url}>
    <div class="page-head"><h2 class="url">${hook.url}</h2>
      <span class=${hook.pending ? 'warn-text' : 'muted'}>${hook.pending} pending</span></div>
    <p class="muted">${hook.events.length ? `Events: ${hook.events.join(', ')}` : 'Every event'}</p>
    <div class="row">
      <button type="button" onClick=${send} disabled=${test.busy}>${test.busy ? 'Sending…' : 'Send a test'}</button>
      ${r && html`<span class=${r.ok ? 'ok' : 'error'} role="status">${r.ok ? `Delivered: HTTP ${r.status}` : `Failed: ${r.error || `HTTP ${r.status}`}`} in ${r.milliseconds} ms</span>`}
      ${test.error && html`<span class="error" role="alert">${test.error.message}</span>`}
    </div>
    <h3>Recent deliveries</h3>
    <${Deliveries} url=${hook.url} key=${r ? r.message_id : ''} />
  </article>`;
}

export function Webhooks() {
  const { data, error, reload } = useLoad(() => api('GET', '/api/v1/webhooks'), []);
  if (error) return html`<${Failure} error=${error} what="the webhooks" retry=${reload} />`;
  if (!data) return html`<${Loading} what="the webhooks" />`;
  return html`<section aria-label="Webhooks">
    <div class="page-head"><h1>Webhooks</h1><span class="count">${data.items.length}</span></div>
    <p class="muted">Endpoints are listed in tandem.toml (<code>[[webhooks]]</code> with <code>url</code>, <code>secret</code> and <code>events</code>),
      so their secrets never pass through a browser. Each delivery is signed (<code>Tandem-Signature</code>) and retried until the endpoint answers 2xx.
      Event types: ${data.event_types.join(', ')}.</p>
    ${data.items.length === 0
      ? html`<${Empty} title="No webhook endpoint">Add a [[webhooks]] table to tandem.toml and restart to send events to your systems.<//>`
      : data.items.map((hook) => html`<${Endpoint} key=${hook.url} hook=${hook} />`)}
  </section>`;
}
