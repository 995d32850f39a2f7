// The bell in the header: the signed-in user's notifications — new leads, SLA reminders
// and breaches, replies, mentions — newest first, with the count of unread ones. It asks
// again every 30 seconds, when the window regains focus and when it is opened; older ones
// page in below. Opening a notification marks it read and goes to its lead. Where each
// kind is heard of (here, by email) is chosen on My settings (NotificationChoices).
import { useEffect, useRef, useState } from 'preact/hooks';
import { html, api, useLoad, useAutoRefresh, useSubmit, ago, when } from './lib.js';

const PAGE = 15;  // notifications a page of the panel lists
const number = (id) => Number(String(id).replace(/^ntf_/, ''));

// The list shown once `data` (the newest page) came: older pages already shown stay
// below it when the two meet (nothing new fell between them), else it starts again.
function listed(shown, data) {
  const page = data.items;
  const fresh = { items: page, cursor: data.next_cursor ?? null };
  if (!shown || !shown.paged || !page.length || !data.next_cursor || !shown.items.length) return fresh;
  const last = number(page[page.length - 1].id);
  if (last > number(shown.items[0].id)) return fresh;
  const below = shown.items.filter((n) => number(n.id) < last);
  return { items: [...page, ...below], cursor: shown.cursor, paged: true };
}

export function Bell() {
  const { data, error, loading, reload } = useLoad(() => api('GET', `/api/v1/notifications?limit=${PAGE}`), []);
  useAutoRefresh(reload, 30000);
  const [open, setOpen] = useState(false);
  const [shown, setShown] = useState(null);  // {items, cursor, paged}: what the panel lists
  const [older, setOlder] = useState({ busy: false, error: null, first: null });
  const root = useRef(null);
  useEffect(() => setShown((s) => (data ? listed(s, data) : null)), [data]);
  useEffect(() => {
    if (!open) return undefined;
    // The path as the click went, since what was clicked may be gone from the page now.
    const close = (e) => { if (!e.composedPath().includes(root.current)) setOpen(false); };
    addEventListener('click', close);
    return () => removeEventListener('click', close);
  }, [open]);
  useEffect(() => {
    if (older.first) root.current?.querySelector(`[data-notification="${older.first}"] button`)?.focus();
  }, [older.first]);
  const unread = data ? data.unread : 0;
  // Opening asks again, so the list is what is there now, not up to 30 seconds old.
  function toggle() {
    if (!open) reload();
    setOpen(!open);
  }
  // Marked read here too, for the older pages the next list keeps.
  const markRead = (read) => setShown((s) => s && { ...s, items: s.items.map((n) => (read(n) ? { ...n, read: true } : n)) });
  async function go(n) {
    setOpen(false);
    if (!n.read && await api('POST', '/api/v1/notifications/read', { ids: [n.id] }).then(() => true, () => false)) {
      markRead((m) => m.id === n.id);
    }
    if (n.lead_id) location.hash = `#/leads/${n.lead_id}`;
    reload();
  }
  async function readAll() {
    if (await api('POST', '/api/v1/notifications/read', { all: true }).then(() => true, () => false)) markRead(() => true);
    reload();
  }
  async function showOlder() {
    const from = shown.cursor;
    setOlder({ busy: true, error: null, first: null });
    try {
      const page = await api('GET', `/api/v1/notifications?limit=${PAGE}&before=${encodeURIComponent(from)}`);
      // Dropped if the list started again meanwhile: it would not follow on.
      setShown((s) => (s && s.cursor === from
        ? { items: [...s.items, ...page.items], cursor: page.next_cursor ?? null, paged: true } : s));
      setOlder({ busy: false, error: null, first: page.items.length ? page.items[0].id : null });
    } catch (err) {
      setOlder({ busy: false, error: err, first: null });
    }
  }
  return html`<div class="bell" ref=${root}>
    <button type="button" class="bell-button" aria-expanded=${open} aria-label=${`Notifications, ${unread} unread`}
      onClick=${toggle}><svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true"><path fill="currentColor" d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1z"/></svg>${unread > 0 && html`<span class="badge" data-field="unread">${unread > 99 ? '99+' : unread}</span>`}</button>
    ${open && html`<div class="bell-panel card" role="dialog" aria-label="Notifications" aria-busy=${loading || older.busy}>
      <div class="page-head"><strong>Notifications</strong>
        ${unread > 0 && html`<button type="button" class="link" onClick=${readAll}>Mark all read</button>`}</div>
      ${error && html`<p class="error" role="alert">Could not load notifications: ${error.message} <button type="button" class="link" onClick=${reload}>Try again</button></p>`}
      ${!shown ? (!error && html`<p class="state loading">Loading…</p>`)
        : !shown.items.length ? html`<p class="muted">Nothing yet. New leads, reminders, replies and mentions show here.</p>`
        : html`<ul>${shown.items.map((n) => html`<li class=${n.read ? 'read' : 'unread'} data-notification=${n.id} data-kind=${n.kind} key=${n.id}>
          <button type="button" class="link" onClick=${() => go(n)}>
            <strong>${n.title}</strong>
            ${n.body && html`<span class="muted">${n.body.length > 140 ? `${n.body.slice(0, 140)}…` : n.body}</span>`}
            <time datetime=${n.created_at} title=${when(n.created_at)}>${ago(n.created_at)}</time>
          </button></li>`)}</ul>`}
      ${older.error && html`<p class="error" role="alert">Could not load older notifications: ${older.error.message}</p>`}
      ${shown && shown.cursor && !loading && html`<button type="button" class="link" disabled=${older.busy} onClick=${showOlder}>${older.busy ? 'Loading older…' : 'Show older'}</button>`}
      <a href="#/me" onClick=${() => setOpen(false)}>Choose what you hear of</a>
    </div>`}
  </div>`;
}

// My settings: for each kind, in the app and by email.
export function NotificationChoices() {
  const { data, error, reload } = useLoad(() => api('GET', '/api/v1/notification-settings'), []);
  const [saved, setSaved] = useState(false);
  const { busy, error: failed, submit } = useSubmit(async (form) => {
    const choices = Object.fromEntries(data.kinds.map((k) => [k.kind, {
      app: form.get(`app_${k.kind}`) === 'on', email: form.get(`email_${k.kind}`) === 'on' }]));
    setSaved(false);
    await api('PUT', '/api/v1/notification-settings', { choices });
    setSaved(true);
    reload();
  });
  if (error || !data) return null;
  return html`<form class="card settings" onSubmit=${submit} aria-label="Notifications" key=${JSON.stringify(data.kinds)}>
    <h2>Notifications</h2>
    ${data.notify_by !== 'email' && html`<p class="muted">Email notifications are off for you altogether; the choices below apply in the app.</p>`}
    <table class="leads"><thead><tr><th>When</th><th>In the app</th><th>By email</th></tr></thead>
      <tbody>${data.kinds.map((k) => html`<tr data-kind=${k.kind}>
        <td>${k.description}</td>
        <td><input type="checkbox" name=${`app_${k.kind}`} defaultChecked=${k.app} aria-label=${`${k.description}: in the app`} /></td>
        <td><input type="checkbox" name=${`email_${k.kind}`} defaultChecked=${k.email} aria-label=${`${k.description}: by email`} /></td>
      </tr>`)}</tbody></table>
    <button type="submit" disabled=${busy}>${busy ? 'Saving…' : 'Save notification choices'}</button>
    ${failed && html`<p class="error" role="alert">${failed.message}</p>`}
    ${saved && html`<p class="ok" role="status">Saved.</p>`}
  </form>`;
}
