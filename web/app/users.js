// The people who use Tandem (#/users; admins, and sales managers for the roles below
// theirs): each user's role, team, capacity for new leads and working hours, with what
// an admin does for them — change a role, deactivate (ending their sessions and API
// tokens), reactivate, and unlock an address that ran out of sign-in attempts. Every
// change goes through the API's rules; a refusal shows its reason on the user's row.
import { useState } from 'preact/hooks';
import { html, api, useLoad, Loading, Failure, isManager } from './lib.js';

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

function UserRow({ actor, target, onChanged }) {
  const may = powers(actor, target);
  const [state, setState] = useState({ busy: false, error: null, done: '' });
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
    const change = { team: form.get('team') || '', capacity: Number(form.get('capacity')) };
    if (may.role && form.get('role') !== target.role) change.role = form.get('role');
    act('Saved.', () => api('PATCH', `/api/v1/users/${target.id}`, change));
  }
  const active = (on) => act(on ? 'Reactivated.' : 'Deactivated: sessions and API tokens ended.',
    () => api('PATCH', `/api/v1/users/${target.id}`, on ? { active: true } : { active: false, revoke_tokens: true }));
  const unlock = () => act('Unlocked: they can sign in again now.', () => api('POST', `/api/v1/users/${target.id}/unlock`));
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
        <span class="muted">${target.hours} ${target.timezone}</span>
        ${may.manage && html`<button type="submit" disabled=${state.busy}>Save</button>`}
      </form>
    </td>
    <td class="row">
      ${may.manage && html`
        <button type="button" onClick=${unlock} disabled=${state.busy || !target.active}>Unlock sign-in</button>
        ${target.active
          ? html`<button type="button" class="danger" onClick=${() => active(false)} disabled=${state.busy}>Deactivate</button>`
          : html`<button type="button" onClick=${() => active(true)} disabled=${state.busy}>Reactivate</button>`}`}
      ${state.done && html`<span class="ok" role="status">${state.done}</span>`}
      ${state.error && html`<span class="error" role="alert">${state.error.message}</span>`}
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
    <div class="table-wrap"><table class="card leads users" aria-label="Users">
      <thead><tr><th>User</th><th colspan="4">Role · team · capacity · hours</th><th>Account</th></tr></thead>
      <tbody>${data.items.map((u) => html`<${UserRow} key=${u.id} actor=${user} target=${u} onChanged=${reload} />`)}</tbody>
    </table></div>
  </section>`;
}
