// Tandem's web app: sign-in and the rep's inbox. Preact with htm templates, served by
// `tandem serve` from /app/ (no build step beyond copying; no CDN).
import { h, render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import htm from 'htm';

const html = htm.bind(h);

// The API, with the session's CSRF token on every change.
let csrf = null;
async function api(method, path, body) {
  const headers = { 'Content-Type': 'application/json' };
  if (csrf && method !== 'GET') headers['X-CSRF-Token'] = csrf;
  const res = await fetch(path, { method, headers, body: body ? JSON.stringify(body) : undefined,
    credentials: 'same-origin' });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    const error = new Error(data.error ? data.error.message : `HTTP ${res.status}`);
    error.status = res.status;
    error.code = data.error ? data.error.code : 'http_error';
    throw error;
  }
  return data;
}

function SignIn({ onSignedIn }) {
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  async function submit(e) {
    e.preventDefault();
    const form = new FormData(e.target);
    setBusy(true);
    setError(null);
    try {
      const session = await api('POST', '/auth/login',
        { email: form.get('email'), password: form.get('password') });
      onSignedIn(session);
    } catch (err) {
      setError(err.message);
    } finally {
      setBusy(false);
    }
  }
  return html`
    <form class="card signin" onSubmit=${submit} aria-label="Sign in">
      <h1>Sign in to Tandem</h1>
      <label for="email">Email</label>
      <input id="email" name="email" type="email" autocomplete="username" required />
      <label for="password">Password</label>
      <input id="password" name="password" type="password" autocomplete="current-password" required />
      <button class="primary" type="submit" disabled=${busy}>${busy ? 'Signing in…' : 'Sign in'}</button>
      ${error && html`<p class="error" role="alert">${error}</p>`}
    </form>`;
}

// "in 14 min", "overdue by 2 h", "met"
function slaText(lead, now) {
  if (lead.sla.met_at) return { text: 'contacted', overdue: false };
  if (!lead.sla.due_at) return { text: '—', overdue: false };
  const minutes = Math.round((Date.parse(lead.sla.due_at) - now) / 60000);
  const span = (m) => (Math.abs(m) < 90 ? `${Math.abs(m)} min` : `${Math.round(Math.abs(m) / 60)} h`);
  return minutes >= 0 ? { text: `due in ${span(minutes)}`, overdue: false }
    : { text: `overdue by ${span(minutes)}`, overdue: true };
}

function Inbox() {
  const [leads, setLeads] = useState(null);
  const [error, setError] = useState(null);
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    api('GET', '/api/v1/leads?owner=me&sort=sla&limit=100')
      .then((data) => setLeads(data.items)).catch((err) => setError(err.message));
    const tick = setInterval(() => setNow(Date.now()), 30000);
    return () => clearInterval(tick);
  }, []);
  if (error) return html`<p class="error" role="alert">The inbox could not be loaded: ${error}</p>`;
  if (!leads) return html`<p class="loading">Loading your leads…</p>`;
  if (!leads.length) return html`<p class="empty">No open leads for you. New ones appear here the moment they are routed to you.</p>`;
  return html`
    <table class="card" aria-label="My leads">
      <thead><tr><th>Lead</th><th>Priority</th><th>Score</th><th>First contact</th></tr></thead>
      <tbody>
        ${leads.map((lead) => {
          const sla = slaText(lead, now);
          return html`<tr data-lead=${lead.id}>
            <td><strong>${lead.name || lead.email}</strong><div class="muted">${[lead.title, lead.company.name].filter(Boolean).join(' · ')}</div></td>
            <td class=${lead.priority === 'hot' ? 'priority-hot' : ''}>${lead.priority || '—'}</td>
            <td>${Math.round(lead.score.total)}</td>
            <td class=${sla.overdue ? 'overdue' : ''}>${sla.text}</td>
          </tr>`;
        })}
      </tbody>
    </table>`;
}

function App() {
  const [session, setSession] = useState(undefined);  // undefined: still asking
  useEffect(() => {
    api('GET', '/auth/session').then(setSession).catch(() => setSession(null));
  }, []);
  if (session === undefined) return html`<p class="loading">Loading…</p>`;
  if (session) csrf = session.csrf_token;
  if (!session) return html`<${SignIn} onSignedIn=${setSession} />`;
  async function signOut() {
    await api('POST', '/auth/logout').catch(() => {});
    csrf = null;
    setSession(null);
  }
  return html`
    <header>
      <span class="brand">Tandem</span><span>Inbox</span>
      <span class="who">${session.user.name} (${session.user.role})</span>
      <button onClick=${signOut}>Sign out</button>
    </header>
    <main><${Inbox} /></main>`;
}

const root = document.getElementById('app');
root.textContent = '';
render(html`<${App} />`, root);
