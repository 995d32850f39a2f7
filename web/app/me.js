// The signed-in user's own settings: name, time zone, working hours (the SLA clock runs
// in them) and out of office (routing passes the user by while it lasts).
import { useState } from 'preact/hooks';
import { html, api, useLoad, useSubmit, Loading, Failure, when, dayIn } from './lib.js';

export function MySettings() {
  const { data: me, error, reload } = useLoad(() => api('GET', '/api/v1/users/me'), []);
  const [saved, setSaved] = useState(false);
  const { busy, error: failed, submit } = useSubmit(async (form) => {
    const from = form.get('ooo_from');
    const until = form.get('ooo_until');
    setSaved(false);
    await api('PATCH', '/api/v1/users/me', {
      name: form.get('name'),
      timezone: form.get('timezone'),
      hours: `${form.get('hours_start')}-${form.get('hours_end')}`,
      out_of_office: from || until ? { from: from || new Date().toISOString().slice(0, 10), until } : null,
    });
    setSaved(true);
    reload();
  });
  if (error) return html`<${Failure} error=${error} what="your settings" retry=${reload} />`;
  if (!me) return html`<${Loading} what="your settings" />`;
  const [start, end] = me.hours.split('-');
  const ooo = me.out_of_office;
  return html`<section class="card settings" aria-label="My settings">
    <h1>My settings</h1>
    <p class="muted">${me.email} · ${me.role} · team ${me.team || '—'}</p>
    ${ooo && html`<p class="warn-text" role="status">Out of office from ${when(ooo.from)} until ${when(ooo.until)}: new leads go to others meanwhile.</p>`}
    <form class="stack" onSubmit=${submit} aria-label="Change my settings" key=${me.updated_at}>
      <label for="me-name">Name</label>
      <input id="me-name" name="name" defaultValue=${me.name} required />
      <label for="me-timezone">Time zone</label>
      <input id="me-timezone" name="timezone" defaultValue=${me.timezone} placeholder="Europe/Madrid" required />
      <span class="label">Working hours <span class="muted">(the first-contact clock only runs in them)</span></span>
      <div class="row">
        <input aria-label="Hours from" name="hours_start" type="time" defaultValue=${start} required />
        <input aria-label="Hours until" name="hours_end" type="time" defaultValue=${end} required />
      </div>
      <span class="label">Out of office</span>
      <div class="row">
        <input aria-label="Out of office from" name="ooo_from" type="date" defaultValue=${ooo ? dayIn(ooo.from, me.timezone) : ''} />
        <input aria-label="Out of office until" name="ooo_until" type="date" defaultValue=${ooo ? dayIn(ooo.until, me.timezone, { endExclusive: true }) : ''} />
      </div>
      <button class="primary" type="submit" disabled=${busy}>${busy ? 'Saving…' : 'Save'}</button>
      ${failed && html`<p class="error" role="alert">${failed.message}</p>`}
      ${saved && html`<p class="ok" role="status">Saved.</p>`}
    </form>
  </section>`;
}
