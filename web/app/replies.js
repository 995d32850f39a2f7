// What came back to a rep: replies and out-of-office answers from their leads, newest
// first, each opened to what the sender wrote (the quote left out) with the message as
// received a link away; and the calls and tasks sequences handed them.
import { useState } from 'preact/hooks';
import { html, api, useLoad, useAutoRefresh, Loading, Failure, ago, when } from './lib.js';

const CLASS_TEXT = { reply: 'reply', auto_reply: 'automatic reply', hard_bounce: 'bounce', soft_bounce: 'soft bounce', complaint: 'complaint' };

function Message({ item }) {
  const { data, error } = useLoad(() => api('GET', `/api/v1/inbound/${item.id}`), [item.id]);
  if (error) return html`<p class="error" role="alert">${error.message}</p>`;
  if (!data) return html`<${Loading} what="the message" />`;
  const own = (data.own_text || '').trim();
  const d = data.detail || {};
  return html`<div class="message-body">
    <pre class="own-text">${own || data.text || '(no text)'}</pre>
    ${d.back_on && html`<p class="muted">Back on ${d.back_on}: “${d.back_on_sentence}”</p>`}
    ${d.do_not_call && html`<p class="warn-text">Asked not to be called: “${d.do_not_call}”</p>`}
    <p class="muted"><a href=${`/api/v1/inbound/${item.id}/raw`} download=${`${item.id}.eml`}>The message as received</a>${data.truncated ? ' (its first 256 KB)' : ''}</p>
  </div>`;
}

// The replies to leads `owner` owns (me), or those about one lead.
export function Replies({ title = 'Replies', query = 'owner=me', emptyText, linkLead = true }) {
  const { data, error, reload } = useLoad(
    () => api('GET', `/api/v1/inbound?${query}&class=reply,auto_reply&status=applied&limit=20`), [query]);
  useAutoRefresh(reload);
  const [open, setOpen] = useState(null);
  const now = Date.now();
  return html`<section class="card replies" aria-label=${title}>
    <div class="page-head"><h2>${title}</h2>${data && html`<span class="count">${data.items.length}${data.next_cursor ? '+' : ''}</span>`}</div>
    ${error ? html`<${Failure} error=${error} what="the replies" retry=${reload} />`
      : !data ? html`<${Loading} what="replies" />`
      : !data.items.length ? html`<p class="muted">${emptyText || 'No replies yet. When a lead answers an email, it shows here.'}</p>`
      : html`<ul class="reply-list">${data.items.map((m) => html`<li data-inbound=${m.id} data-class=${m.class}>
          <div class="reply-head">
            <span class=${`pill class-${m.class}`}>${CLASS_TEXT[m.class] || m.class}</span>
            <strong>${m.subject || '(no subject)'}</strong>
            <span class="muted"> from ${m.from}</span>
            ${linkLead && m.lead_id && html` · <a href=${`#/leads/${m.lead_id}`}>the lead</a>`}
            <time class="muted" datetime=${m.received_at} title=${when(m.received_at)}> · ${ago(m.received_at, now)}</time>
          </div>
          ${m.detail && m.detail.excerpt && html`<p class="excerpt">${m.detail.excerpt}</p>`}
          <button class="quiet" aria-expanded=${open === m.id} onClick=${() => setOpen(open === m.id ? null : m.id)}>
            ${open === m.id ? 'Close' : 'Read'}</button>
          ${open === m.id && html`<${Message} item=${m} />`}
        </li>`)}</ul>`}
  </section>`;
}

// The calls and tasks sequences gave the signed-in user, not done yet.
export function SequenceTasks() {
  const { data, error, reload } = useLoad(() => api('GET', '/api/v1/sequence-tasks?assignee=me&open=true&limit=50'), []);
  useAutoRefresh(reload);
  const [failed, setFailed] = useState(null);
  const done = async (task) => {
    setFailed(null);
    try {
      await api('POST', `/api/v1/sequence-tasks/${task.id}/done`, {});
      reload();
    } catch (err) {
      setFailed(err);
    }
  };
  if (error) return html`<${Failure} error=${error} what="your sequence tasks" retry=${reload} />`;
  if (!data || !data.items.length) return null;
  return html`<section class="card sequence-tasks" aria-label="Calls and tasks from sequences">
    <div class="page-head"><h2>Calls and tasks from sequences</h2><span class="count">${data.items.length}</span></div>
    <ul>${data.items.map((t) => html`<li data-task=${t.id}>
      <span class="pill">${t.kind}</span> <a href=${`#/leads/${t.lead_id}`}>${t.note || `step ${t.step}`}</a>
      <span class="muted"> · ${t.sequence}, step ${t.step}, ${ago(t.at)}</span>
      <button class="quiet" onClick=${() => done(t)}>Done</button>
    </li>`)}</ul>
    ${failed && html`<p class="error" role="alert">${failed.message}</p>`}
  </section>`;
}
