// The people who use Tandem (#/users; admins, and sales managers for the roles below
// theirs): each user's role, team, capacity for new leads and working hours, with what
// an admin does for them — change a role, deactivate (ending their sessions and API
// tokens), reactivate, and unlock an address that ran out of sign-in attempts. Every
// change goes through the API's rules; a refusal shows its reason on the user's row.
// Inviting someone makes the user and a link that sets their first password; a reset
// makes a new link. Each link is shown to copy (and emailed when email is set up).
import { useState } from 'preact/hooks';
import { html, api, useLoad, useSubmit, Loading, Failure, isManager, when, CopyField } from './lib.js';

const ROLES = ['admin', 'sales_manager', 'marketing', 'sales_rep', 'viewer'];
const RANK = { admin: 3, sales_manager: 2, marketing: 1, sales_rep: 1, viewer: 0 };

export const mayManageUsers = (user) => isManager(user);

// What `actor` may change of `target`, as the API decides it (docs/api.md).
function powers(actor, target) {
  const admin = actor.role === 'admin';
  const self = actor.id === target.id;
  const above = admin || RANK[actor.role] > RANK[target.role];
  return {
    manage: !self && above,
    role: admin && !self,
    roles: ROLES.filter((r) => admin || RANK[r] < RANK[actor.role]),
  };
}

// A password link to hand over: the address, a button that copies it, whether it was
// emailed, and until when it works.
function LinkToHand({ link, who }) {
  const until = `It sets a password once, until ${when(link.expires_at)}.`;
  if (!link.url) return html`<p class="password-link" role="status">${`We emailed ${who} a link. ${until}`}</p>`;
  return html`<div class="password-link" role="status">
    <p>${`It was not emailed (email is not set up, or the address refuses mail): send ${who} this link yourself. ${until}`}</p>
    <${CopyField} value=${link.url} label="Password link" />
  </div>`;
}

function InviteForm({ actor, onInvited }) {
  const [invited, setInvited] = useState(null);
  // The role most invited first: a form emptied after an invite shows it again.
  const roles = powers(actor, { id: 0, role: 'viewer' }).roles
    .sort((a, b) => (b === 'sales_rep') - (a === 'sales_rep'));
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  const { busy, error, submit } = useSubmit(async (form) => {
    const body = { email: form.get('email'), name: form.get('name'), role: form.get('role'), timezone: form.get('timezone') };
    if (form.get('team')) body.team = form.get('team');
    if (form.get('capacity')) body.capacity = Number(form.get('capacity'));
    const answer = await api('POST', '/api/v1/users', body);
    setInvited(answer);
    onInvited();
  }, { reset: true });
  return html`<form class="card invite" onSubmit=${submit} aria-label="Invite a user">
    <h2>Invite someone</h2>
    <div class="row">
      <label>Email <input name="email" type="email" required autocomplete="off" /></label>
      <label>Name <input name="name" required autocomplete="off" /></label>
      <label>Role <select name="role">${roles.map((r) => html`<option value=${r}>${r.replace('_', ' ')}</option>`)}</select></label>
      <label>Team <input name="team" size="10" /></label>
      <label>Capacity <input name="capacity" type="number" min="0" max="100000" placeholder="50" /></label>
      <label>Time zone <input name="timezone" value=${zone} size="16" /></label>
      <button class="primary" type="submit" disabled=${busy}>${busy ? 'Inviting…' : 'Invite'}</button>
    </div>
    ${error && html`<p class="error" role="alert">${error.message}</p>`}
    ${invited && html`<p><strong>${invited.user.name}</strong> is invited as ${invited.user.role.replace('_', ' ')}.</p>
      <${LinkToHand} link=${invited.password_link} who=${invited.user.name} />`}
  </form>`;
}

// An admin's view of a user's API tokens, each revoked on its own (deactivating a user
// revokes them all).
function Tokens({ target }) {
  const [open, setOpen] = useState(false);
  const { data, error, reload } = useLoad(() => (open ? api('GET', `/api/v1/tokens?user=${target.id}`) : Promise.resolve(null)), [open, target.id]);
  const [failed, setFailed] = useState(null);
  async function revoke(id) {
    setFailed(null);
    try {
      await api('DELETE', `/api/v1/tokens/${id}`);
      reload();
    } catch (err) {
      setFailed(err);
    }
  }
  if (!open) return html`<button type="button" class="link" onClick=${() => setOpen(true)}>API tokens…</button>`;
  if (error) return html`<span class="error" role="alert">${error.message}</span>`;
  if (!data) return html`<span class="muted">Loading the tokens…</span>`;
  return html`<div class="tokens" aria-label=${`API tokens of ${target.name}`}>
    ${!data.items.length ? html`<span class="muted">No API token.</span>` : html`<ul>${data.items.map((t) => html`<li data-token=${t.id}>
      ${t.name || t.id} <span class="muted">${t.last_used_at ? `used ${when(t.last_used_at)}` : 'never used'}${t.expired ? ', expired' : ''}</span>
      <button type="button" class="danger" onClick=${() => revoke(t.id)}>Revoke</button></li>`)}</ul>`}
    ${failed && html`<span class="error" role="alert">${failed.message}</span>`}
  </div>`;
}

function UserRow({ actor, target, onChanged }) {
  const may = powers(actor, target);
  const [state, setState] = useState({ busy: false, error: null, done: '' });
  const [link, setLink] = useState(null);
  async function act(what, call) {
    setState({ busy: true, error: null, done: '' });
    try {
      await call();
      setState({ busy: false, error: null, done: what });
      onChanged();
    } catch (err) {
      setState({ busy: false, error: err, done: '' });
    }
  }
  function save(e) {
    e.preventDefault();
    const form = new FormData(e.target);
    const change = { team: form.get('team') || '', capacity: Number(form.get('capacity')),
      hours: `${form.get('hours_start')}-${form.get('hours_end')}` };
    if (may.role && form.get('role') !== target.role) change.role = form.get('role');
    act('Saved.', () => api('PATCH', `/api/v1/users/${target.id}`, change));
  }
  const active = (on) => act(on ? 'Reactivated.' : 'Deactivated: sessions and API tokens ended.',
    () => api('PATCH', `/api/v1/users/${target.id}`, on ? { active: true } : { active: false, revoke_tokens: true }));
  const unlock = () => act('Unlocked: they can sign in again now.', () => api('POST', `/api/v1/users/${target.id}/unlock`));
  const reset = () => act('', async () => setLink(await api('POST', `/api/v1/users/${target.id}/password-link`)));
  return html`<tr data-user=${target.id} class=${target.active ? '' : 'inactive'}>
    <td><strong>${target.name}</strong><div class="muted">${target.email}</div>
      ${!target.active && html`<div class="warn-text">Deactivated</div>`}</td>
    <td colspan="4">
      <form class="row user-form" onSubmit=${save} aria-label=${`Change ${target.name}`}>
        <select name="role" aria-label="Role" disabled=${!may.role} value=${target.role}>
          ${(may.role ? ROLES : [target.role]).map((r) => html`<option value=${r}>${r.replace('_', ' ')}</option>`)}
        </select>
        <input name="team" aria-label="Team" value=${target.team || ''} disabled=${!may.manage} placeholder="team" size="10" />
        <input name="capacity" aria-label="Capacity" type="number" min="0" max="100000" value=${target.capacity} disabled=${!may.manage} />
        <span class="hours"><input name="hours_start" aria-label="Working hours from" type="time" value=${target.hours.split('-')[0]} disabled=${!may.manage} required />–<input
          name="hours_end" aria-label="Working hours until" type="time" value=${target.hours.split('-')[1]} disabled=${!may.manage} required />
          <span class="muted">${target.timezone}</span></span>
        ${may.manage && html`<button type="submit" disabled=${state.busy}>Save</button>`}
      </form>
    </td>
    <td class="row">
      ${may.manage && html`
        <button type="button" onClick=${unlock} disabled=${state.busy || !target.active}>Unlock sign-in</button>
        <button type="button" onClick=${reset} disabled=${state.busy || !target.active}>Password link</button>
        ${target.active
          ? html`<button type="button" class="danger" onClick=${() => active(false)} disabled=${state.busy}>Deactivate</button>`
          : html`<button type="button" onClick=${() => active(true)} disabled=${state.busy}>Reactivate</button>`}`}
      ${state.done && html`<span class="ok" role="status">${state.done}</span>`}
      ${state.error && html`<span class="error" role="alert">${state.error.message}</span>`}
      ${link && html`<${LinkToHand} link=${link} who=${target.name} />`}
      ${actor.role === 'admin' && html`<${Tokens} target=${target} />`}
    </td>
  </tr>`;
}

export function Users({ user }) {
  const { data, error, reload } = useLoad(() => api('GET', '/api/v1/users?limit=500'), []);
  if (error) return html`<${Failure} error=${error} what="the users" retry=${reload} />`;
  if (!data) return html`<${Loading} what="the users" />`;
  return html`<section aria-label="Users">
    <div class="page-head"><h1>Users</h1><span class="count">${data.items.length}</span></div>
    <p class="muted">Capacity is how many open leads routing gives someone; working hours are when their first-contact clock runs.
      Unlock gives back the sign-in attempts of an address that ran out of them (five wrong passwords in a row).</p>
    <${InviteForm} actor=${user} onInvited=${reload} />
    <div class="table-wrap"><table class="card leads users" aria-label="Users">
      <thead><tr><th>User</th><th colspan="4">Role · team · capacity · hours</th><th>Account</th></tr></thead>
      <tbody>${data.items.map((u) => html`<${UserRow} key=${u.id} actor=${user} target=${u} onChanged=${reload} />`)}</tbody>
    </table></div>
  </section>`;
}
