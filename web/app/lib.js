// What every page of the web app shares: the API client (with the session's CSRF token on
// every change), a hook that loads data with loading and error states, and formatting.
import { h } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import htm from 'htm';

export const html = htm.bind(h);

let csrf = null;
export function setCsrf(token) { csrf = token; }

export class ApiError extends Error {
  constructor(status, data) {
    super(data.error ? data.error.message : `the server answered HTTP ${status}`);
    this.status = status;
    this.code = data.error ? data.error.code : 'http_error';
    this.data = data;
  }
}

// One request with the session's CSRF token on a change: the answer's JSON, or an ApiError
// with the server's message.
async function send(method, path, body, contentType) {
  const headers = { 'Content-Type': contentType };
  if (csrf && method !== 'GET') headers['X-CSRF-Token'] = csrf;
  let res;
  try {
    res = await fetch(path, { method, headers, body, credentials: 'same-origin' });
  } catch (err) {
    throw new ApiError(0, { error: { code: 'network', message: 'Tandem could not be reached; check the connection and try again' } });
  }
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

export function api(method, path, body) {
  return send(method, path, body ? JSON.stringify(body) : undefined, 'application/json');
}

// Loads `load()` (a promise) whenever `deps` change: {data, error, loading, reload}.
export function useLoad(load, deps) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  // An answer older than one already shown is dropped (a reload on focus and one on
  // opening, say, answered out of order), and so is any asked before the deps changed or
  // the page went; `loading` holds while a later load is still out.
  const asked = useRef(0);
  const shown = useRef(0);
  const run = useCallback(() => {
    const mine = ++asked.current;
    setState((s) => ({ ...s, loading: true, error: null }));
    const show = (next) => {
      if (mine <= shown.current) return;
      shown.current = mine;
      setState({ ...next, loading: mine < asked.current });
    };
    load().then((data) => show({ data, error: null }), (error) => show({ data: null, error }));
    return () => { shown.current = asked.current; };
  }, deps);
  useEffect(run, [run]);
  return { ...state, reload: run };
}

// The current time, ticking every `ms`, for countdowns.
export function useNow(ms = 1000) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const tick = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(tick);
  }, [ms]);
  return now;
}

export function Loading({ what }) {
  return html`<p class="state loading" aria-busy="true"><span class="spinner"></span>Loading ${what}…</p>`;
}

export function Failure({ error, what, retry }) {
  const forbidden = error.status === 403;
  return html`<div class="state error-state" role="alert">
    <strong>${forbidden ? `You may not see ${what}.` : `${what[0].toUpperCase()}${what.slice(1)} could not be loaded.`}</strong>
    <p>${error.message}</p>
    ${retry && !forbidden && html`<button onClick=${retry}>Try again</button>`}
  </div>`;
}

export function Empty({ title, children }) {
  return html`<div class="state empty"><strong>${title}</strong><p>${children}</p></div>`;
}

const span = (minutes) => {
  const m = Math.abs(minutes);
  if (m < 60) return `${Math.max(1, Math.round(m))} min`;
  if (m < 48 * 60) return `${Math.floor(m / 60)} h ${Math.round(m % 60)} min`;
  return `${Math.round(m / 1440)} days`;
};

// The first-contact clock: "due in 14 min", "overdue by 2 h 5 min", "contacted".
export function slaState(sla, now) {
  if (!sla || sla.met_at) return { text: 'contacted', overdue: false, open: false };
  if (!sla.due_at) return { text: 'no deadline', overdue: false, open: false };
  const minutes = (Date.parse(sla.due_at) - now) / 60000;
  if (minutes >= 0) {
    const seconds = Math.floor((Date.parse(sla.due_at) - now) / 1000);
    const text = minutes < 10 ? `due in ${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`
      : `due in ${span(minutes)}`;
    return { text, overdue: false, open: true, soon: minutes < 60 };
  }
  return { text: `overdue by ${span(minutes)}`, overdue: true, open: true };
}

// Ticks by itself, so the page around it is not redrawn every second.
export function SlaClock({ sla }) {
  const s = slaState(sla, useNow(1000));
  const cls = s.overdue ? 'sla overdue' : s.soon ? 'sla soon' : s.open ? 'sla' : 'sla done';
  return html`<span class=${cls} title=${sla && sla.due_at ? `first contact due ${when(sla.due_at)}` : ''}>${s.text}</span>`;
}

// "3 min ago", "2 days ago"; absolute time in the title of the element that shows it.
export function ago(iso, now = Date.now()) {
  if (!iso) return '—';
  const minutes = (now - Date.parse(iso)) / 60000;
  if (minutes < 1) return 'just now';
  return minutes > 0 ? `${span(minutes)} ago` : `in ${span(minutes)}`;
}

// A change in points with its sign: "+12.5", "-20.0" (never "+-20.0").
export function signed(x, digits = 1) {
  const text = Math.abs(x).toFixed(digits);
  return `${x < 0 ? '-' : '+'}${text}`;
}

// An exact time in the viewer's zone, the app's one form (docs/api.md): "2026-12-09 14:00".
export function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  const two = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}

export const leadName = (lead) => lead.name || lead.email;
export const subtitle = (lead) => [lead.title, lead.company && lead.company.name].filter(Boolean).join(' · ');

// Where the lead came from: "google / cpc · sem-buyers-guide".
export function sourceText(touch) {
  if (!touch || !touch.source) return 'unknown';
  const medium = touch.medium && touch.medium !== 'none' ? ` / ${touch.medium}` : '';
  return `${touch.source}${medium}${touch.campaign ? ` · ${touch.campaign}` : ''}`;
}

export const STAGES = ['lead', 'mql', 'sal', 'sql', 'opportunity', 'customer', 'recycled', 'disqualified'];
export const OPEN_STAGES = 'mql,sal,sql,opportunity';
export const isManager = (user) => user.role === 'sales_manager' || user.role === 'admin';

export function Score({ score }) {
  return html`<span class="score" title=${`fit ${score.fit.toFixed(1)} + engagement ${score.engagement.toFixed(1)}`}>${Math.round(score.total)}</span>`;
}

export function Priority({ priority }) {
  if (!priority) return html`<span class="muted">—</span>`;
  return html`<span class=${`pill priority-${priority}`}>${priority}</span>`;
}

// The workspace's users, loaded once per page load.
let users = null;
export function loadUsers() {
  if (!users) users = api('GET', '/api/v1/users').then((d) => d.items).catch((err) => { users = null; throw err; });
  return users;
}

// A form's submit handler around `action(formData)`: busy while it runs, the error it
// threw (an ApiError, with the server's message) after.
// { reset: true }: the form is emptied after a success, so what it sent is not offered again.
export function useSubmit(action, { reset = false } = {}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  async function submit(e) {
    e.preventDefault();
    const form = e.target;
    setBusy(true);
    setError(null);
    try {
      await action(new FormData(form));
      if (reset) form.reset();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return { busy, error, submit };
}

// The calendar day (YYYY-MM-DD) of a time in a zone, for date inputs (the API reads a
// date as midnight UTC, so out-of-office windows use UTC). An exclusive end
// ("until midnight") shows the last day it includes, so saving it back changes nothing.
export function dayIn(iso, zone, { endExclusive = false } = {}) {
  if (!iso) return '';
  const at = new Date(Date.parse(iso) - (endExclusive ? 1 : 0));
  try {
    return new Intl.DateTimeFormat('en-CA', { timeZone: zone || 'UTC', year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
  } catch (err) {
    return at.toISOString().slice(0, 10);  // an unknown zone: UTC
  }
}

// Reloads a list every `ms` and whenever the window regains focus, so new leads show up
// without the user asking; the rows on screen stay while it reloads.
export function useAutoRefresh(reload, ms = 30000) {
  useEffect(() => {
    const timer = setInterval(reload, ms);
    const onFocus = () => reload();
    addEventListener('focus', onFocus);
    return () => {
      clearInterval(timer);
      removeEventListener('focus', onFocus);
    };
  }, [reload, ms]);
}

// Sends a file as the body of a POST (its own content type), with the CSRF token.
export function upload(path, file, contentType) {
  return send('POST', path, file, contentType);
}

// Keeps a uPlot chart as wide as its box (at least 240 px, so a phone shows it whole);
// returns what stops it, for an effect's cleanup.
export function fitChart(plot, box, height) {
  const width = () => Math.max(240, box.clientWidth || 640);
  const observer = new ResizeObserver(() => {
    if (Math.abs(plot.width - width()) > 1) plot.setSize({ width: width(), height });
  });
  observer.observe(box);
  return () => { observer.disconnect(); plot.destroy(); };
}

// The width a new chart starts at in `box`.
export const chartWidth = (box) => Math.max(240, box.clientWidth || 640);

// Text to copy (a link, a snippet): shown whole, selected on focus, with a button that
// copies it and says so.
export function CopyField({ value, label, rows = 1 }) {
  const [copied, setCopied] = useState(false);
  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
    } catch (err) {
      setCopied(false);
    }
  }
  const select = (e) => e.target.select();
  return html`<div class="row copy-field">
    ${rows > 1
      ? html`<textarea readonly rows=${rows} aria-label=${label} onFocus=${select}>${value}</textarea>`
      : html`<input readonly value=${value} aria-label=${label} onFocus=${select} />`}
    <button type="button" onClick=${copy}>${copied ? 'Copied' : 'Copy'}</button>
  </div>`;
}
