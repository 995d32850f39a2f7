// The marketing dashboard in a real browser (Debian's chromium, driven by playwright-core)
// against a real server: leads from three campaigns are worked by a rep down to won deals
// and rejections; marketing opens Reports, sees the funnel charted and by source, sorts
// the table, follows a figure to the leads behind it (as many as it says), switches to
// attribution by model and downloads the CSV; a rep sees only the rep's own figures and a
// viewer no reports. Screenshots go to build/screenshots/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { tandem, tempDir, removeDir, serve, exited, query, waitFor } from '../node/harness.mjs';
import { CHROMIUM_ARGS, SHOTS, addUser, call, signIn } from './support.mjs';

const DAY = 86400000;
const iso = (offset) => new Date(Date.now() + offset * DAY).toISOString();

test('marketing reads the closed-loop reports, charted, sortable, down to the leads', async (t) => {
  const dir = tempDir();
  const db = path.join(dir, 't.db');
  const writeKey = tandem(db, 'source', 'add', 'Web');
  const rep = addUser(db, 'rep@acme.example', 'Rafael Ortiz', 'sales_rep');
  addUser(db, 'mk@acme.example', 'Mia Keller', 'marketing');
  addUser(db, 'v@acme.example', 'Vera Viewer', 'viewer');
  const server = await serve(db);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  mkdirSync(SHOTS, { recursive: true });
  try {
    // Nine prospects: a visit from a campaign ten days ago, then a demo request today.
    const sources = ['google', 'google', 'google', 'google', 'linkedin', 'linkedin', 'linkedin', 'newsletter', 'newsletter'];
    const batch = [];
    sources.forEach((source, i) => {
      batch.push({ type: 'page', userId: `p${i}`, timestamp: iso(-10), properties: { path: '/pricing' },
        context: { campaign: { source, medium: source === 'newsletter' ? 'email' : 'cpc', name: `${source}-q4` } } });
      batch.push({ type: 'identify', userId: `p${i}`, traits: { email: `p${i}@prospect${i}.example`, name: `Prospect ${i}`,
        address: { country: i % 2 ? 'DE' : 'FR' }, company: { name: `Prospect ${i} GmbH`, size: 20 + i * 100 } } });
      batch.push({ type: 'track', userId: `p${i}`, event: 'Demo Requested' });
    });
    const sent = await fetch(`${server.url}/v1/batch`, { method: 'POST', body: JSON.stringify({ batch }),
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}` } });
    assert.equal(sent.status, 200);
    await waitFor(() => query(db, 'SELECT id FROM leads WHERE owner_id IS NOT NULL').length === 9, { what: 'the leads routed' });
    const lead = (i) => `ld_${query(db, `SELECT id FROM leads WHERE email = 'p${i}@prospect${i}.example'`)[0].id}`;
    const work = async (i, ...outcomes) => {
      for (const body of outcomes) {
        const r = await call(server, rep, 'POST', `/api/v1/leads/${lead(i)}/outcome`, body);
        assert.equal(r.status, 200, JSON.stringify(r.body));
      }
    };
    const won = (amount) => [{ disposition: 'accepted' }, { disposition: 'qualified' },
      { disposition: 'opportunity', amount }, { disposition: 'won', amount }];
    await work(0, ...won(12000));
    await work(1, ...won(8000));
    await work(2, { disposition: 'rejected', reason: 'student' });
    await work(4, ...won(30000));
    await work(5, { disposition: 'accepted' }, { disposition: 'qualified' }, { disposition: 'opportunity', amount: 15000 });
    await work(7, { disposition: 'rejected', reason: 'competitor' });

    await t.test('the funnel by source, charted and sortable, with the leads behind a figure', async () => {
      const page = await signIn(browser, server, 'mk@acme.example');
      await page.click('nav a[href="#/reports"]');
      await page.waitForSelector('table[aria-label="Funnel by group"]');
      await page.waitForSelector('.chart canvas');
      const google = page.locator('table[aria-label="Funnel by group"] tr', { hasText: 'google' });
      assert.equal(await google.locator('td').nth(1).textContent(), '4');
      // Sorted by SAL, descending and then ascending: newsletter (0) comes first.
      await page.click('table[aria-label="Funnel by group"] th button:text-is("sal")');
      await page.click('table[aria-label="Funnel by group"] th button:text-is("sal ▾")');
      const firstRow = await page.locator('table[aria-label="Funnel by group"] tbody tr').first().locator('td').first().textContent();
      assert.equal(firstRow, 'newsletter', 'ascending by SAL: the fewest first');
      // Google's MQL figure (4) opens the four leads behind it.
      await google.locator('td').nth(2).locator('a.figure').click();
      await page.waitForSelector('table[aria-label="Leads behind the figure"]');
      assert.equal(await page.locator('table[aria-label="Leads behind the figure"] tbody tr').count(), 4);
      assert.match(await page.textContent('main'), /group google, stage mql/);
      await page.click('text=Back to the report');
      await page.waitForSelector('table[aria-label="Funnel by group"]');
      // By nothing: the totals, kept when the report changes.
      await page.selectOption('label:has-text("By") select', '');
      await page.waitForFunction(() => /[?&]by=(&|$)/.test(location.hash));
      await page.click('nav.tabs a:has-text("Outcomes")');
      await page.waitForSelector('table[aria-label="Outcome reasons by group"]');
      assert.equal(await page.inputValue('label:has-text("By") select'), '');
      assert.equal(await page.locator('table[aria-label="Outcome reasons by group"] tbody tr').count(), 2,
        'student and competitor, in all');
      assert.deepEqual(page.errors, []);
    });

    await t.test('attribution by model, and the CSV', async () => {
      const page = await signIn(browser, server, 'mk@acme.example');
      await page.goto(`${server.url}/app/#/reports?report=attribution&by=source&model=w_shaped`);
      await page.waitForSelector('table[aria-label="Attribution by group"]');
      const linkedin = page.locator('table[aria-label="Attribution by group"] tr', { hasText: 'linkedin' });
      assert.equal(await linkedin.locator('td').nth(4).textContent(), '30,000.00');
      await page.selectOption('label:has-text("Model") select', 'first_touch');
      await page.waitForFunction(() => location.hash.includes('model=first_touch'));
      await page.waitForSelector('table[aria-label="Attribution by group"]');
      await page.waitForSelector('.chart canvas');
      await page.screenshot({ path: path.join(SHOTS, 'reports.png'), fullPage: true });
      const href = await page.getAttribute('a:has-text("Download CSV")', 'href');
      const csv = await page.evaluate(async (url) => {
        const r = await fetch(url);
        return { type: r.headers.get('content-type'), body: await r.text() };
      }, href);
      assert.equal(csv.type, 'text/csv; charset=utf-8');
      assert.match(csv.body, /^scope,group,opportunities,pipeline,won,revenue/);
      assert.match(csv.body, /\r\ngroup,google,2\.000000,20000\.00,2\.000000,20000\.00,2,2\r\n/);
      assert.deepEqual(page.errors, []);
    });

    await t.test('a rep sees the rep\'s own figures; a viewer no reports', async () => {
      const page = await signIn(browser, server, 'rep@acme.example');
      await page.click('nav a[href="#/reports"]');
      await page.waitForSelector('table[aria-label="Funnel by group"]');
      // The rep's own: the seven the rep still owns (the two rejected went back to marketing).
      const owned = query(db, 'SELECT COUNT(*) AS n FROM leads WHERE owner_id IS NOT NULL')[0].n;
      assert.equal(owned, 7);
      const cells = await page.locator('table[aria-label="Funnel by group"] tbody tr td:nth-child(2)').allTextContents();
      assert.equal(cells.reduce((sum, n) => sum + Number(n), 0), owned);
      const viewer = await signIn(browser, server, 'v@acme.example');
      assert.equal(await viewer.locator('nav a[href="#/reports"]').count(), 0);
    });
  } finally {
    await browser.close();
    server.kill('SIGINT');
    await exited(server);
    removeDir(dir);
  }
});
