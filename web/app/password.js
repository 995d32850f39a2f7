// The page an invite or a password reset links to (#/set-password/<secret>): whose
// password the link sets, then a new password, twice. Setting it signs the user in. The
// secret stays in the address's fragment, so it never reaches the server's logs; once
// used, the page replaces the address so the link is not left in the history.
import { useState } from 'preact/hooks';
import { html, api, useLoad, useSubmit, when } from './lib.js';

export const SET_PASSWORD = /^#\/set-password\/([A-Za-z0-9_-]+)$/;

export function SetPassword({ token, onSignedIn }) {
  const { data, error } = useLoad(() => api('POST', '/auth/password-link', { token }), [token]);
  const [mismatch, setMismatch] = useState(false);
  const { busy, error: refused, submit } = useSubmit(async (form) => {
    const password = form.get('password');
    setMismatch(password !== form.get('confirm'));
    if (password !== form.get('confirm')) return;
    const session = await api('POST', '/auth/password', { token, password });
    location.replace('#/');
    onSignedIn(session);
  });
  if (error) {
    return html`<div class="card signin" role="alert">
      <h1>This link cannot be used</h1>
      <p>${error.message}</p>
      <p><a href="#/">Go to the sign-in page</a></p>
    </div>`;
  }
  if (!data) return html`<p class="state loading">Checking the link…</p>`;
  const first = data.purpose === 'invite';
  return html`
    <form class="card signin" onSubmit=${submit} aria-label="Set your password">
      <h1>${first ? 'Welcome to Tandem' : 'Choose a new password'}</h1>
      <p>${first ? `Choose the password you will sign in with as ${data.email}.` : `A new password for ${data.email}.`}
        <span class="muted"> The link works once, until ${when(data.expires_at)}.</span></p>
      <input type="email" name="email" autocomplete="username" value=${data.email} hidden readonly />
      <label for="new-password">New password</label>
      <input id="new-password" name="password" type="password" autocomplete="new-password" minlength="10" required />
      <p class="muted">At least 10 characters; not your email address or a common password.</p>
      <label for="confirm-password">The same password again</label>
      <input id="confirm-password" name="confirm" type="password" autocomplete="new-password" required />
      <button class="primary wide" type="submit" disabled=${busy}>${busy ? 'Saving…' : 'Set password and sign in'}</button>
      ${mismatch && html`<p class="error" role="alert">The two passwords differ; type the same one twice.</p>`}
      ${refused && html`<p class="error" role="alert">${refused.message}</p>`}
    </form>`;
}
