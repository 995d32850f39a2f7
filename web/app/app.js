// Tandem's web app: sign-in, then the pages a role may use. Preact with htm templates,
// served by `tandem serve` from /app/ (no build step beyond copying; no CDN). Pages are
// addressed by the hash: #/inbox, #/team, #/search?…, #/leads/ld_12.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { html, api, setCsrf, isManager, useSubmit } from './lib.js';
import { Inbox, Team, Search } from './lists.js';
import { LeadPage } from './lead.js';
import { MySettings } from './me.js';
import { Broadcasts, BroadcastPage, mayBroadcast } from './broadcasts.js';
import { Sequences, SequencePage } from './sequences.js';
import { Reports, ReportLeads } from './reports.js';
import { Experiments, ExperimentPage, mayReadExperiments } from './experiments.js';
import { Imports, mayImport } from './imports.js';
import { Home, mayOpenHome } from './home.js';
import { Users, mayManageUsers } from './users.js';
import { SetPassword, SET_PASSWORD } from './password.js';
import { Sources, mayManageSources } from './sources.js';
import { Rules, mayReadRules } from './rules.js';
import { Webhooks, mayManageWebhooks } from './webhooks.js';
import { Accounts } from './accounts.js';
import { Settings, SETTINGS_PAGES, mayOpenSettings } from './settings.js';
import { Bell, NotificationChoices } from './bell.js';
import { Catalog, mayOpenCatalog } from './catalog.js';

function SignIn({ onSignedIn }) {
  const { busy, error, submit } = useSubmit(async (form) => {
    onSignedIn(await api('POST', '/auth/login', { email: form.get('email'), password: form.get('password') }));
  });
  return html`
    <form class="card signin" onSubmit=${submit} aria-label="Sign in">
      <h1>Sign in to Tandem</h1>
      <label for="email">Email</label>
      <input id="email" name="email" type="email" autocomplete="username" required />
      <label for="password">Password</label>
      <input id="password" name="password" type="password" autocomplete="current-password" required />
      <button class="primary wide" type="submit" disabled=${busy}>${busy ? 'Signing in…' : 'Sign in'}</button>
      ${error && html`<p class="error" role="alert">${error.message}</p>`}
    </form>`;
}

// Where each role starts.
function home(user) {
  if (user.role === 'sales_rep') return '#/inbox';
  if (isManager(user)) return '#/team';
  if (user.role === 'marketing') return '#/home';
  return '#/search';
}

function useHash() {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const changed = () => setHash(location.hash);
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return hash;
}

function Page({ hash, user }) {
  const [path, params = ''] = hash.slice(1).split('?');
  const navigate = (to) => { location.hash = to; };
  const lead = path.match(/^\/leads\/(ld_\d+)$/);
  if (lead) return html`<${LeadPage} id=${lead[1]} user=${user} key=${lead[1]} />`;
  if (path === '/inbox') return html`<${Inbox} user=${user} />`;
  if (path === '/team') return html`<${Team} user=${user} />`;
  if (path === '/me') return html`<${MySettings} /><${NotificationChoices} />`;
  if (path === '/home' && mayOpenHome(user)) return html`<${Home} user=${user} />`;
  if (path === '/users' && mayManageUsers(user)) return html`<${Users} user=${user} />`;
  if (path === '/sources' && mayManageSources(user)) return html`<${Sources} />`;
  if (path === '/rules' && mayReadRules(user)) return html`<${Rules} user=${user} />`;
  if (path === '/webhooks' && mayManageWebhooks(user)) return html`<${Webhooks} />`;
  if (path === '/settings' && mayOpenSettings(user)) return html`<${Settings} user=${user} />`;
  if (path === '/accounts' || path.startsWith('/accounts/')) return html`<${Accounts} path=${path} params=${params} navigate=${navigate} />`;
  if (path === '/catalog' && mayOpenCatalog(user)) return html`<${Catalog} user=${user} />`;
  const broadcast = path.match(/^\/broadcasts\/(bc_\d+)$/);
  if (broadcast) return html`<${BroadcastPage} id=${broadcast[1]} user=${user} key=${broadcast[1]} />`;
  const sequence = path.match(/^\/sequences\/(sq_\d+|new)$/);
  if (sequence) return html`<${SequencePage} id=${sequence[1]} params=${params} user=${user} key=${sequence[1]} />`;
  if (path === '/reports') return html`<${Reports} params=${params} navigate=${navigate} />`;
  if (path === '/reports/leads') return html`<${ReportLeads} params=${params} key=${params} />`;
  if (path === '/sequences') return html`<${Sequences} user=${user} />`;
  const experiment = path.match(/^\/experiments\/(ex_\d+)$/);
  if (experiment) return html`<${ExperimentPage} id=${experiment[1]} user=${user} key=${experiment[1]} />`;
  if (path === '/imports') return html`<${Imports} />`;
  if (path === '/experiments') return html`<${Experiments} user=${user} />`;
  if (path === '/broadcasts') return html`<${Broadcasts} user=${user} params=${params} />`;
  if (path === '/search') return html`<${Search} params=${params} navigate=${navigate} user=${user} />`;
  return html`<div class="state empty"><strong>No such page</strong><p><a href=${home(user)}>Go to your start page</a></p></div>`;
}

function Shell({ session, onSignOut }) {
  const hash = useHash();
  const user = session.user;
  useEffect(() => { if (!location.hash || location.hash === '#/') location.replace(home(user)); }, [hash]);
  useEffect(() => {
    const titles = { '#/home': 'Home', '#/inbox': 'Inbox', '#/team': 'Team', '#/search': 'Leads', '#/me': 'My settings', '#/broadcasts': 'Broadcasts', '#/sequences': 'Sequences', '#/reports': 'Reports', '#/experiments': 'Experiments', '#/imports': 'Import', '#/users': 'Users', '#/sources': 'Sources', '#/rules': 'Rules', '#/webhooks': 'Webhooks', '#/accounts': 'Accounts', '#/settings': 'Settings', '#/catalog': 'Catalog' };
    const title = titles[hash.split('?')[0]];
    if (title) document.title = `${title} · Tandem`;
  }, [hash]);
  const links = [
    ['#/home', 'Home', mayOpenHome(user)],
    ['#/inbox', 'Inbox', ['sales_rep', 'sales_manager', 'admin'].includes(user.role)],
    ['#/team', 'Team', isManager(user)],
    ['#/search', 'Leads', true],
    ['#/accounts', 'Accounts', true],
    ['#/broadcasts', 'Broadcasts', mayBroadcast(user)],
    ['#/sequences', 'Sequences', user.role !== 'viewer'],
    ['#/reports', 'Reports', user.role !== 'viewer'],
    ['#/experiments', 'Experiments', mayReadExperiments(user)],
    ['#/settings', 'Settings', mayOpenSettings(user)],
  ];
  const page = hash.split('?')[0].replace(/^(#\/(broadcasts|sequences|experiments|accounts))\/.*/, '$1');
  const current = SETTINGS_PAGES.some(([href]) => href === page) ? '#/settings' : page;
  return html`
    <header class="top">
      <a class="brand" href=${home(user)}>Tandem</a>
      <nav>${links.filter(([, , show]) => show).map(([href, label]) =>
        html`<a href=${href} aria-current=${current === href ? 'page' : undefined}>${label}</a>`)}</nav>
      <${Bell} />
      <a class="who" href="#/me" title="My settings">${user.name} (${user.role})</a>
      <button onClick=${onSignOut}>Sign out</button>
    </header>
    <main>${hash && hash !== '#/' ? html`<${Page} hash=${hash} user=${user} />` : null}</main>`;
}

function App() {
  const hash = useHash();
  const [session, setSession] = useState(undefined);  // undefined: still asking
  useEffect(() => {
    api('GET', '/auth/session').then(setSession).catch(() => setSession(null));
  }, []);
  // A password link opens its page whoever is signed in on this browser.
  const link = hash.match(SET_PASSWORD);
  if (link) return html`<${SetPassword} token=${link[1]} onSignedIn=${setSession} key=${link[1]} />`;
  if (session === undefined) return html`<p class="state loading">Loading…</p>`;
  setCsrf(session ? session.csrf_token : null);
  if (!session) return html`<${SignIn} onSignedIn=${setSession} />`;
  async function signOut() {
    await api('POST', '/auth/logout').catch(() => {});
    setCsrf(null);
    setSession(null);
  }
  return html`<${Shell} session=${session} onSignOut=${signOut} />`;
}

const root = document.getElementById('app');
root.textContent = '';
render(html`<${App} />`, root);
