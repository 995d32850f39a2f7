// The small things a user meets on the demo workspace: a search that goes past its first
// hundred leads, why a channel is do-not-contact recorded and shown on the timeline, a
// score change's sign, and HEAD on the website's script.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chromium } from 'playwright-core';
import { TANDEM, tempDir, removeDir, serve, exited, query } from '../node/harness.mjs';
import { CHROMIUM_ARGS, SHOTS, addUser, signIn } from './support.mjs';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

test('search past a hundred, a do-not-contact reason, signs and HEAD', async (t) => {
  const dir = tempDir();
  const db = `${dir}/demo.db`;
  const out = execFileSync(TANDEM, ['--db', `sqlite:${db}`, 'demo'], { encoding: 'utf8' });
  const password = out.match(/demo user maria\.manager@demo\.tandem \(\w+\): password (\S+)/)[1];
  const server = await serve(db);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const page = await signIn(browser, server, 'maria.manager@demo.tandem',
      { password, context: { viewport: { width: 1280, height: 900 } } });
    const leads = query(db, 'SELECT COUNT(*) AS n FROM leads')[0].n;
    assert.ok(leads > 100, `the demo has more than a page of leads (${leads})`);

    await t.test('the search shows every lead, a hundred at a time', async () => {
      await page.goto(`${server.url}/app/#/search?sort=created`);
      await page.waitForSelector('table[aria-label="Leads found"] tr[data-lead]');
      assert.equal(await page.locator('table[aria-label="Leads found"] tr[data-lead]').count(), 100);
      assert.match(await page.textContent('section[aria-label="Search"]'), /100\+ leads/);
      await page.click('button.load-more');
      await page.waitForFunction((n) => document.querySelectorAll('table[aria-label="Leads found"] tr[data-lead]').length === n, Math.min(leads, 200));
      const ids = await page.locator('table[aria-label="Leads found"] tr[data-lead]').evaluateAll((rows) => rows.map((r) => r.dataset.lead));
      assert.equal(new Set(ids).size, ids.length, 'no lead twice');
      if (leads <= 200) assert.equal(await page.locator('button.load-more').count(), 0, 'no more to show');
      const csv = await page.getAttribute('a[download="leads.csv"]', 'href');
      assert.match(csv, /format=csv/);
    });

    await t.test('why a channel is do-not-contact is kept and shown', async () => {
      const lead = query(db, 'SELECT id FROM leads WHERE owner_id IS NOT NULL ORDER BY id LIMIT 1')[0].id;
      await page.goto(`${server.url}/app/#/leads/ld_${lead}`);
      const prefs = page.locator('section[aria-label="Preferences"]');
      await prefs.locator('input[name=dnc_call]').check();
      await prefs.locator('input[name=dnc_reason_call]').fill('asked on a call not to be called');
      await prefs.locator('button[type=submit]').click();
      await page.waitForSelector('.timeline-list >> text=Preferences changed: do not contact by call (asked on a call not to be called)');
      const stored = JSON.parse(query(db, `SELECT do_not_contact FROM contact_prefs WHERE lead_id = ${lead}`)[0].do_not_contact);
      assert.deepEqual(stored, { call: 'asked on a call not to be called' });
      await page.reload();
      await page.waitForSelector('section[aria-label="Preferences"] input[name=dnc_reason_call]');
      assert.equal(await page.inputValue('section[aria-label="Preferences"] input[name=dnc_reason_call]'), 'asked on a call not to be called');
      // The contact check says why, in the person's words.
      assert.match(await page.textContent('[data-channel=call]'), /do not contact by call: asked on a call not to be called/);
    });

    await t.test('a recycled lead says when it comes back, not what once qualified it', async () => {
      const recycled = query(db, "SELECT id, revisit_on FROM leads WHERE stage = 'recycled' AND revisit_on IS NOT NULL ORDER BY id LIMIT 1")[0];
      assert.ok(recycled, 'the demo has a recycled lead');
      const day = new Date(Number(recycled.revisit_on)).toISOString().slice(0, 10);
      await page.goto(`${server.url}/app/#/leads/ld_${recycled.id}`);
      await page.waitForSelector('.lead-head .revisit');
      assert.match(await page.textContent('.lead-head .revisit'), new RegExp(day));
      assert.match(await page.textContent('section[aria-label="Why now"]'), new RegExp(`^Why now\\s*Recycled .*comes back to sales on ${day}`));
    });

    await t.test("marketing starts on its home: the last 30 days, campaigns with money, what runs", async () => {
      addUser(db, 'mia.marketing@demo.tandem', 'Mia Marketing', 'marketing');
      const mia = await signIn(browser, server, 'mia.marketing@demo.tandem', { context: { viewport: { width: 1280, height: 900 } } });
      await mia.waitForSelector('section[aria-label="Home"] table[aria-label="Campaign figures"]');
      assert.match(mia.url(), /#\/home$/);
      const figures = await mia.evaluate(async () => {
        const day = (offset) => new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10);
        const q = `from=${day(-30)}&to=${day(1)}&limit=1000`;
        const funnel = await (await fetch(`/api/v1/reports/funnel?${q}&by=campaign`)).json();
        const money = await (await fetch(`/api/v1/reports/attribution?${q}&by=campaign&model=w_shaped`)).json();
        return { counts: funnel.total.counts, sem: money.groups.find((g) => g.group === 'sem-buyers-guide') };
      });
      const shown = await mia.locator('.home-funnel strong').allTextContents();
      assert.deepEqual(shown.map((x) => Number(x.replace(/,/g, ''))),
        ['lead', 'mql', 'sal', 'sql', 'opportunity', 'customer'].map((s) => figures.counts[s]));
      assert.ok(figures.counts.customer > 0, 'the demo won deals in the last 30 days');
      // Campaigns by their catalog names, with the pipeline the attribution credits them.
      const sem = mia.locator('tr[data-group="sem-buyers-guide"]');
      assert.match(await sem.textContent(), /SEM Buyer's Guide/);
      if (figures.sem) assert.match(await sem.textContent(), new RegExp(Math.round(figures.sem.pipeline).toLocaleString('en-US')));
      assert.match(await mia.textContent('section[aria-label="Under way"]'), /Pricing page headline/);
      mkdirSync(SHOTS, { recursive: true });
      await mia.screenshot({ path: path.join(SHOTS, 'marketing-home.png'), fullPage: true });
      assert.deepEqual(mia.errors, []);
      await mia.context().close();
    });

    await t.test('a manager changes a rep on the users page, deactivates and unlocks', async () => {
      await page.goto(`${server.url}/app/#/users`);
      await page.waitForSelector('table[aria-label="Users"] tr[data-user]');
      // The users page is one of the settings: the Settings tab is current on it.
      assert.equal(await page.locator('header.top nav a[href="#/settings"][aria-current=page]').count(), 1);
      const tomId = query(db, "SELECT id FROM users WHERE email = 'tom.rep@demo.tandem'")[0].id;
      const tom = page.locator(`tr[data-user="usr_${tomId}"]`);
      await tom.locator('input[name=capacity]').fill('40');
      await tom.locator('input[name=hours_start]').fill('08:30');
      await tom.locator('button[type=submit]').click();
      await tom.locator('.ok >> text=Saved.').waitFor();
      assert.equal(query(db, `SELECT capacity FROM users WHERE id = ${tomId}`)[0].capacity, 40);
      assert.equal(query(db, `SELECT hours_start FROM users WHERE id = ${tomId}`)[0].hours_start, 8 * 60 + 30);
      await tom.locator('button >> text=Deactivate').click();
      await tom.locator('button >> text=Reactivate').waitFor();
      assert.equal(query(db, `SELECT active FROM users WHERE id = ${tomId}`)[0].active, 0);
      await tom.locator('button >> text=Reactivate').click();
      await tom.locator('button >> text=Deactivate').waitFor();
      assert.equal(query(db, `SELECT active FROM users WHERE id = ${tomId}`)[0].active, 1);
      await tom.locator('button >> text=Unlock sign-in').click();
      await tom.locator('.ok >> text=Unlocked').waitFor();
      // Her own row and nothing above her role can be changed from here.
      const mariaId = query(db, "SELECT id FROM users WHERE email = 'maria.manager@demo.tandem'")[0].id;
      assert.equal(await page.locator(`tr[data-user="usr_${mariaId}"] button`).count(), 0);
    });

    await t.test('a change in points carries one sign', async () => {
      const texts = await page.evaluate(async () => {
        const { signed } = await import('./lib.js');
        return [signed(-20), signed(12.5), signed(0)];
      });
      assert.deepEqual(texts, ['-20.0', '+12.5', '+0.0']);
    });

    await t.test('HEAD on the website script answers like GET without the body', async () => {
      const key = query(db, "SELECT write_key FROM sources WHERE name = 'Demo website'")[0].write_key;
      const get = await fetch(`${server.url}/t.js?k=${key}`);
      const body = await get.text();
      const head = await fetch(`${server.url}/t.js?k=${key}`, { method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.equal(head.headers.get('content-length'), String(Buffer.byteLength(body)));
      assert.equal(await head.text(), '');
    });
    assert.deepEqual(page.errors, []);
  } finally {
    await browser.close();
    server.kill('SIGTERM');
    await exited(server);
    removeDir(dir);
  }
});
