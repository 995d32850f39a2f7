// Setting Tandem up from the browser, as an admin of a new team would, on the demo
// workspace with a real SMTP server: invite a user, who sets a password from the emailed
// link and signs in; add a source and copy its snippet, which a website then loads;
// change a routing rule after a dry run that lists the leads it moves; and, as a rep on
// a phone, read a lead and log a call. Each page's load time is printed (not asserted);
// screenshots go to build/screenshots/setup-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { tempDir, removeDir, serve, exited, query, waitFor } from '../node/harness.mjs';
import { CHROMIUM_ARGS, SHOTS, PASSWORD, startSink, addUser, call, signIn, serveSite, demoWorkspace, outOfQuietHours } from './support.mjs';

const ADMIN = 'ada.admin@demo.tandem';
const INVITED = 'nora.new@demo.tandem';
const NEW_PASSWORD = 'copper-lantern-2027';

// Opens a route of the web app and waits until nothing on it is loading; returns the
// milliseconds it took, which the test prints.
async function open(page, server, route, ready) {
  const started = Date.now();
  await page.goto(`${server.url}/app/${route}`);
  await page.waitForSelector(ready);
  await page.waitForFunction(() => !document.querySelector('[aria-busy=true]'), null, { polling: 'raf' });
  return Date.now() - started;
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(SHOTS, `setup-${name}.png`), fullPage: true });
}


test('an admin sets Tandem up from the browser; a rep works from a phone', async (t) => {
  const dir = tempDir();
  const { db, passwords } = demoWorkspace(dir);
  const adminToken = addUser(db, ADMIN, 'Ada Admin', 'admin');
  const sink = await startSink(dir);
  // The company's own system, which takes Tandem's webhooks.
  const received = [];
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(body) });
      res.writeHead(204).end();
    });
  });
  await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const hookUrl = `http://127.0.0.1:${receiver.address().port}/tandem`;
  const config = path.join(dir, 'tandem.toml');
  writeFileSync(config, `[email]\nrelay = "smtp://127.0.0.1:${sink.port}"\nfrom_address = "tandem@demo.tandem"\nfrom_name = "Tandem"\n\n`
    + `[[webhooks]]\nurl = "${hookUrl}"\nsecret = "a-secret-of-twenty-chars"\n`);
  const server = await serve(db, { config });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  mkdirSync(SHOTS, { recursive: true });
  const loads = {};
  const mentioned = {};
  try {
    const admin = await signIn(browser, server, ADMIN, { context: { viewport: { width: 1280, height: 900 } } });
    await admin.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });

    await t.test('the admin invites a user, who sets a password from the emailed link', async () => {
      loads.users = await open(admin, server, '#/users', 'form[aria-label="Invite a user"]');
      const form = admin.locator('form[aria-label="Invite a user"]');
      await form.locator('input[name=email]').fill(INVITED);
      await form.locator('input[name=name]').fill('Nora New');
      await form.locator('select[name=role]').selectOption('sales_rep');
      await form.locator('input[name=team]').fill('enterprise');
      await form.locator('button[type=submit]').click();
      await admin.waitForSelector('.password-link');
      // The link went to Nora alone: the page says so and does not show it.
      assert.match(await admin.textContent('.password-link'), /We emailed Nora New a link/);
      assert.equal(await admin.locator('.password-link input').count(), 0);
      await admin.waitForSelector(`tr[data-user] >> text=${INVITED}`);
      await shot(admin, 'users-invited');
      // The same link reached the user by email, from the relay.
      const invite = () => sink.messages().find((m) => m.rcpt_tos.includes(INVITED));
      await waitFor(invite, { what: 'the invite email' });
      const mail = invite();
      assert.match(mail.raw, /Subject: Ada Admin invited you to Tandem/);
      const link = mail.text.match(new RegExp(`${server.url}/app/#/set-password/[A-Za-z0-9_-]{40,}`))?.[0];
      assert.ok(link, `the email holds the link:\n${mail.text}`);
      const stored = query(db, `SELECT role, team, password_hash FROM users WHERE email = '${INVITED}'`)[0];
      assert.deepEqual([stored.role, stored.team, stored.password_hash], ['sales_rep', 'enterprise', null]);

      // The invited user opens the link in a browser of their own.
      const own = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await own.newPage();
      const started = Date.now();
      await page.goto(link);
      await page.waitForSelector('form[aria-label="Set your password"]');
      loads['set-password'] = Date.now() - started;
      assert.match(await page.textContent('form[aria-label="Set your password"]'), new RegExp(`as ${INVITED}`));
      await page.fill('#new-password', NEW_PASSWORD);
      await page.fill('#confirm-password', 'not-the-same-one-99');
      await page.click('form[aria-label="Set your password"] button[type=submit]');
      await page.waitForSelector('text=The two passwords differ');
      await page.fill('#confirm-password', NEW_PASSWORD);
      await shot(page, 'set-password');
      await page.click('form[aria-label="Set your password"] button[type=submit]');
      await page.waitForSelector('header.top >> text=Nora New (sales_rep)');
      assert.ok(!page.url().includes('set-password'), 'the secret leaves the address bar');
      // Signed out, the password signs in; the link does not work twice.
      await page.click('header.top button >> text=Sign out');
      await page.waitForSelector('#email');
      await page.fill('#email', INVITED);
      await page.fill('#password', NEW_PASSWORD);
      await page.click('button[type=submit]');
      await page.waitForSelector('header.top >> text=Nora New (sales_rep)');
      await page.goto(link);
      await page.waitForSelector('text=This link cannot be used');
      assert.deepEqual(page.errors ?? [], []);
      await own.close();
      // An admin revokes one of a user's API tokens, without deactivating them.
      const rafael = query(db, "SELECT id FROM users WHERE email = 'rafael.rep@demo.tandem'")[0].id;
      const row = admin.locator(`tr[data-user="usr_${rafael}"]`);
      await row.locator('button >> text=API tokens…').click();
      await row.locator('li[data-token] button >> text=Revoke').first().click();
      await row.locator('text=No API token.').waitFor();
      assert.equal(query(db, `SELECT COUNT(*) AS n FROM api_tokens WHERE user_id = ${rafael}`)[0].n, 0);
      assert.equal(query(db, `SELECT active FROM users WHERE id = ${rafael}`)[0].active, 1);
    });

    await t.test('the admin adds a source and copies its snippet; a website sends events with it', async () => {
      loads.sources = await open(admin, server, '#/sources', 'form[aria-label="Add a source"]');
      await admin.fill('form[aria-label="Add a source"] input[name=name]', 'Docs site');
      await admin.click('form[aria-label="Add a source"] button[type=submit]');
      const card = admin.locator('article.source[aria-label="Docs site"]');
      await card.waitFor();
      assert.match(await card.textContent(), /no event yet/);
      await card.locator('.copy-field').first().locator('button').click();
      await card.locator('button >> text=Copied').waitFor();
      const snippet = await admin.evaluate(() => navigator.clipboard.readText());
      const listed = (await call(server, adminToken, 'GET', '/api/v1/sources')).body.items.find((s) => s.name === 'Docs site');
      assert.equal(snippet, listed.snippet);
      assert.match(snippet, /^<script async src="http:\/\/127\.0\.0\.1:\d+\/t\.js\?k=[\w-]+"><\/script>$/);
      await shot(admin, 'sources');
      // A page with the snippet, on a site of its own, sends its page view.
      const site = await serveSite({ '/docs': `<!doctype html><html><head><title>Docs</title>${snippet}</head><body>Docs</body></html>` });
      try {
        const visitor = await browser.newContext();
        const page = await visitor.newPage();
        await page.goto(`${site.url}/docs`);
        await waitFor(() => query(db, `SELECT COUNT(*) AS n FROM events WHERE source_id = ${listed.id.slice(4)}`)[0].n > 0,
          { what: 'the page view of the snippet stored' });
        await visitor.close();
      } finally {
        site.close();
      }
      await admin.reload();
      await card.locator('text=/last event (just now|1 min ago)/').waitFor();
    });

    await t.test('the admin changes a routing rule after a dry run that lists the leads it moves', async () => {
      loads.rules = await open(admin, server, '#/rules', 'textarea.rules-text');
      const before = (await call(server, adminToken, 'GET', '/api/v1/rules')).body;
      assert.ok(before.teams.includes('enterprise'), 'the invited user made the team');
      const area = admin.locator('textarea.rules-text');
      assert.equal(await area.inputValue(), before.toml);
      // A mistake is named with its line, and nothing can be saved.
      await area.fill(`${before.toml}\n[[routing.rules]]\nname = "big companies"\n`);
      await admin.click('button >> text=Check what would change');
      await admin.waitForSelector('p.error >> text=/rules:\\d+: routing rule "big companies" needs a team/');
      assert.equal(await admin.locator('form[aria-label="Save the rules"]').count(), 0);
      const rule = '\n[[routing.rules]]\nname = "big companies"\nteam = "enterprise"\nwhen = [{ trait = "company.employee_count", gte = 1000 }]\n';
      await area.fill(before.toml + rule);
      await admin.click('button >> text=Check what would change');
      const changes = admin.locator('section[aria-label="What would change"]');
      await changes.waitFor();
      const expected = (await call(server, adminToken, 'POST', '/api/v1/rules/dry-run', { toml: before.toml + rule })).body;
      assert.ok(expected.team_changes > 0, 'some demo leads work at a company of 1,000 or more');
      assert.equal(await changes.locator('[data-field=changed]').textContent(), String(expected.changed));
      const rows = changes.locator('tr[data-lead]');
      assert.equal(await rows.count(), Math.min(expected.changes.length, 500));
      assert.match(await rows.first().textContent(), /→ enterprise/);
      await shot(admin, 'rules-dry-run');
      await admin.fill('form[aria-label="Save the rules"] input[name=note]', 'Companies of 1,000+ go to the enterprise team');
      await admin.click(`form[aria-label="Save the rules"] button >> text=Save as version ${before.version + 1}`);
      await admin.waitForSelector(`text=Version ${before.version + 1} is in force.`);
      const after = (await call(server, adminToken, 'GET', '/api/v1/rules')).body;
      assert.equal(after.version, before.version + 1);
      assert.match(after.toml, /team = "enterprise"/);
      assert.equal(after.note, 'Companies of 1,000+ go to the enterprise team');
      await admin.locator(`li[data-version="${after.version}"]`).waitFor({ state: 'attached' });
    });

    await t.test('the admin sends a test to a webhook endpoint and sees its deliveries', async () => {
      loads.webhooks = await open(admin, server, '#/webhooks', `article.webhook[aria-label="${hookUrl}"]`);
      const card = admin.locator(`article.webhook[aria-label="${hookUrl}"]`);
      await card.locator('button >> text=Send a test').click();
      await card.locator('text=/Delivered: HTTP 204 in \\d+ ms/').waitFor();
      const test = received.find((r) => r.body.type === 'webhook.test');
      assert.ok(test, 'the endpoint received the test');
      assert.match(test.headers['tandem-signature'], /^t=\d+,v1=[0-9a-f]{64}$/);
      assert.equal(test.headers['tandem-delivery'], test.body.id);
      // Deliveries of what happened to leads are listed with their state.
      const listed = (await call(server, adminToken, 'GET', `/api/v1/webhooks/deliveries?endpoint=${encodeURIComponent(hookUrl)}`)).body.items;
      if (listed.length) await card.locator(`tr[data-delivery="${listed[0].id}"]`).waitFor();
      await shot(admin, 'webhooks');
    });

    await t.test('a rep on a phone reads a lead and logs a call', async () => {
      const [rep] = query(db, `SELECT u.email AS email, l.id AS lead FROM leads l JOIN users u ON u.id = l.owner_id
        WHERE u.role = 'sales_rep' AND u.email LIKE '%@demo.tandem' AND l.stage IN ('mql', 'sal')
          AND NOT EXISTS (SELECT 1 FROM touches t WHERE t.lead_id = l.id) ORDER BY l.id LIMIT 1`);
      assert.ok(rep && passwords[rep.email], 'a demo rep owns a lead nobody has called yet');
      const page = await signIn(browser, server, rep.email,
        { password: passwords[rep.email], context: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true } });
      loads['lead (phone)'] = await open(page, server, `#/leads/ld_${rep.lead}`, 'section[aria-label="Contact"]');
      assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), 'the lead page fits the phone');
      assert.match(await page.textContent('section[aria-label="Why now"]'), /\S/);
      await outOfQuietHours(page);
      const button = page.locator('[data-channel=call] button');
      assert.ok(await button.isEnabled(), `the call is allowed: ${await page.textContent('[data-channel=call]')}`);
      await button.click();
      await page.fill('#touch-note', 'Called from the train; demo booked for Friday. @Maria Keller can you join?');
      await page.click('form[aria-label="Log a touch"] button[type=submit]');
      await page.waitForSelector('.timeline-list >> text=Outbound call — Called from the train');
      assert.equal(query(db, `SELECT COUNT(*) AS n FROM touches WHERE lead_id = ${rep.lead} AND channel = 'call'`)[0].n, 1);
      assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), 'still fits after the call');
      await shot(page, 'phone-lead-call');
      assert.deepEqual(page.errors, []);
      mentioned.lead = rep.lead;
    });

    await t.test('the manager hears of the mention in the bell and opens the account', async () => {
      const page = await signIn(browser, server, 'maria.manager@demo.tandem',
        { password: passwords['maria.manager@demo.tandem'], context: { viewport: { width: 1280, height: 900 } } });
      const bell = page.locator('.bell-button');
      // A list that cannot load says so in the panel; "Try again" loads it, the panel open.
      const list = '**/api/v1/notifications?limit=15';
      await page.route(list, (r) => r.fulfill({ status: 503, contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'store_busy', message: 'the store stayed busy' } }) }));
      await bell.click();
      await page.locator('.bell-panel p.error >> text=the store stayed busy').waitFor();
      await page.unroute(list);
      await page.click('.bell-panel button >> text=Try again');
      await page.locator('.bell-panel ul, .bell-panel p.muted').first().waitFor();
      assert.equal(await bell.getAttribute('aria-expanded'), 'true', 'Try again keeps the panel open');
      await page.click('header.top a.brand');
      await page.locator('.bell-panel').waitFor({ state: 'detached' });
      await page.waitForFunction(async () => {
        const r = await fetch('/api/v1/notifications?unread=true');
        const d = await r.json();
        return d.items.some((n) => n.kind === 'mention');
      }, null, { timeout: 15000, polling: 250 });
      // A manager of a busy team hears of many breaches since: the mention is on the
      // panel's second page.
      const [maria] = query(db, "SELECT id FROM users WHERE email = 'maria.manager@demo.tandem'");
      const breaches = Array.from({ length: 20 }, (_, i) =>
        `(${maria.id}, 'sla_breach', 'A deadline passed (${i})', '', ${Date.now()})`).join(', ');
      execFileSync('sqlite3', ['-cmd', '.timeout 10000', db,
        `INSERT INTO notifications (user_id, kind, title, body, created_at) VALUES ${breaches}`]);
      await page.reload();
      await bell.click();
      const panelSays = async () => `panel: ${await page.locator('.bell').textContent()}\nlisted: ${
        JSON.stringify(await page.evaluate(async () => (await fetch('/api/v1/notifications?limit=15')).json()))}`;
      await page.locator('.bell-panel li[data-kind=sla_breach]').first().waitFor({ timeout: 10000 })
        .catch(async (err) => assert.fail(`no breaches in the bell: ${err.message}\n${await panelSays()}`));
      assert.equal(await page.locator('.bell-panel li').count(), 15);
      assert.equal(await page.locator('.bell-panel li[data-kind=mention]').count(), 0, 'the mention is older');
      await page.click('.bell-panel button >> text=Show older');
      const item = page.locator('.bell-panel li[data-kind=mention]').first();
      await item.waitFor({ timeout: 10000 })
        .catch(async (err) => assert.fail(`no mention in the bell: ${err.message}\n${await panelSays()}`));
      assert.ok(await page.locator('.bell-panel li').count() > 15);
      // The keyboard goes on where the older page begins.
      await page.waitForFunction(() =>
        document.activeElement?.closest('.bell-panel li') === document.querySelectorAll('.bell-panel li')[15]);
      assert.match(await item.textContent(), /mentioned you on/);
      assert.match(await item.textContent(), /can you join\?/);
      await shot(page, 'bell');
      await item.locator('button').click();
      await page.waitForSelector('section[aria-label="Contact"]');
      assert.ok(page.url().endsWith(`#/leads/ld_${mentioned.lead}`));
      const unread = (await (await page.request.get(`${server.url}/api/v1/notifications?unread=true&limit=200`)).json()).items;
      assert.ok(!unread.some((n) => n.kind === 'mention' && n.lead_id === `ld_${mentioned.lead}`), 'opened is read');
      // The lead's account: its owner, its people and their journey in one line.
      const domain = query(db, `SELECT account_domain AS d FROM leads WHERE id = ${mentioned.lead}`)[0].d;
      if (domain) {
        loads.account = await open(page, server, `#/accounts/${domain}`, 'section[aria-label="Journey"]');
        assert.ok(await page.locator('table[aria-label="People at the account"] tr[data-lead]').count() >= 1);
        assert.ok(await page.locator('section[aria-label="Journey"] li').count() >= 1);
        await shot(page, 'account');
      }
      loads.settings = await open(page, server, '#/settings', 'ul.settings-list');
      assert.deepEqual(page.errors, []);
    });

    assert.deepEqual(admin.errors, []);
    for (const [name, ms] of Object.entries(loads)) t.diagnostic(`page load ${name}: ${ms} ms`);
    console.log(`page loads (ms, demo workspace): ${JSON.stringify(loads)}`);
  } finally {
    await browser.close();
    server.kill('SIGINT');
    sink.kill('SIGTERM');
    receiver.close();
    await Promise.all([exited(server), exited(sink)]);
    removeDir(dir);
  }
});
