// Settings (#/settings): the pages that set Tandem up, each for the roles that may use
// it — who uses Tandem, where events come from, how leads are scored and routed, where
// webhooks go, what campaigns and content mean, and importing leads.
import { html } from './lib.js';
import { mayManageUsers } from './users.js';
import { mayManageSources } from './sources.js';
import { mayReadRules } from './rules.js';
import { mayManageWebhooks } from './webhooks.js';
import { mayImport } from './imports.js';

export const SETTINGS_PAGES = [
  ['#/users', 'Users', 'Invite people, set roles, teams and capacity; deactivate, unlock, send a password link.', mayManageUsers],
  ['#/sources', 'Sources', 'Where events come from: each website or app, its snippet and write key, and when it last sent something.', mayManageSources],
  ['#/rules', 'Scoring and routing rules', 'How leads are scored, when they qualify and which team gets them; check a change before it is saved.', mayReadRules],
  ['#/webhooks', 'Webhooks', 'The systems Tandem tells about leads: their deliveries, and a test.', mayManageWebhooks],
  ['#/catalog', 'Campaigns and content', 'What each campaign and piece of content is about, for the briefs sales reads.', (u) => u.role === 'marketing' || u.role === 'admin' || u.role === 'sales_manager'],
  ['#/imports', 'Import leads', 'Bring leads from a CSV export of another system.', mayImport],
];

export const mayOpenSettings = (user) => SETTINGS_PAGES.some(([, , , may]) => may(user));

export function Settings({ user }) {
  return html`<section aria-label="Settings">
    <div class="page-head"><h1>Settings</h1></div>
    <ul class="settings-list">${SETTINGS_PAGES.filter(([, , , may]) => may(user)).map(([href, title, what]) => html`<li class="card">
      <a href=${href}><strong>${title}</strong></a><p class="muted">${what}</p></li>`)}</ul>
  </section>`;
}
