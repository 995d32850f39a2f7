// Experiments in a real browser (Debian's chromium, driven by playwright-core) against a
// real server: marketing drafts a web experiment on the experiments page and starts it; a
// visitor's page shows one headline variant, the same on every visit, with the exposure
// riding on the page view (no request of its own); the visitor fills the demo form, the
// lead reaches MQL and the result counts it for the variant shown; the experiment page
// shows the decision, the arms, the sample-ratio check. Screenshots go to build/screenshots/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { tandem, tempDir, removeDir, serve, exited, query, waitFor } from '../node/harness.mjs';
import { CHROMIUM_ARGS, SHOTS, addUser, call, serveSite, signIn } from './support.mjs';

// A pricing page with two headlines, one shown per visitor, and a demo form.
function website(tandemUrl, writeKey) {
  const page = `<!doctype html><title>Pricing</title>
    <script src="${tandemUrl}/t.js?k=${writeKey}"></script>
    <h1 data-tandem-experiment="pricing-headline" data-tandem-variant="control">Plans for every team</h1>
    <h1 data-tandem-experiment="pricing-headline" data-tandem-variant="outcome">Pay for the leads sales accepts</h1>
    <form data-tandem-form="demo-request" action="/thanks" method="get">
      <input name="email"><input name="name"><input name="company"><button>Book a demo</button></form>`;
  return serveSite({ '/thanks': '<!doctype html><title>Thanks</title><p>We will call you.</p>' }, page);
}

test('a web experiment: drafted and started on its page, shown by the snippet, counted on MQL', async () => {
  const dir = tempDir();
  const db = path.join(dir, 't.db');
  const writeKey = tandem(db, 'source', 'add', 'Website');
  addUser(db, 'rep@acme.example', 'Rafael Ortiz', 'sales_rep');
  const marketing = addUser(db, 'mk@acme.example', 'Mia Keller', 'marketing');
  const server = await serve(db);
  const site = await website(server.url, writeKey);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  mkdirSync(SHOTS, { recursive: true });
  try {
    // Marketing drafts the experiment on its page; a bad weight is refused with the sum.
    const app = await signIn(browser, server, 'mk@acme.example');
    await app.click('a[href="#/experiments"]');
    await app.click('details.card summary');
    await app.fill('input[name=name]', 'Pricing headline');
    await app.fill('input[name=key]', 'pricing-headline');
    await app.selectOption('select[name=kind]', 'web');
    await app.fill('input[name=v0_key]', 'control');
    await app.fill('input[name=v1_key]', 'outcome');
    await app.fill('input[name=v1_weight]', '0.4');
    await app.click('form[aria-label="New experiment"] button.primary');
    await app.waitForSelector('form[aria-label="New experiment"] p.error');
    assert.match(await app.textContent('form[aria-label="New experiment"] p.error'), /sum to 0\.9/);
    await app.fill('input[name=v1_weight]', '0.5');
    await app.selectOption('select[name=metric]', 'mql');
    await app.click('form[aria-label="New experiment"] button.primary');
    await app.waitForSelector('p.decision');
    const id = app.url().match(/experiments\/(ex_\d+)/)[1];
    await app.click('button:has-text("Start")');
    await app.waitForSelector('.pill.state-running');

    // A visitor: one headline shows, and the page view carries the exposure.
    const visitor = await browser.newContext();
    const page = await visitor.newPage();
    const requests = [];
    page.on('request', (r) => { if (r.url().startsWith(server.url)) requests.push(new URL(r.url()).pathname); });
    await page.goto(`${site.url}/pricing`);
    await waitFor(() => query(db, "SELECT 1 FROM events WHERE type = 'page'").length === 1, { what: 'the page view' });
    const shown = await page.$$eval('h1', (all) => all.filter((h) => !h.hidden).map((h) => h.dataset.tandemVariant));
    assert.equal(shown.length, 1, 'exactly one headline shows');
    const variant = await page.evaluate(() => window.tandem.variant('pricing-headline'));
    assert.equal(shown[0], variant);
    const [view] = query(db, "SELECT payload FROM events WHERE type = 'page'").map((r) => JSON.parse(r.payload));
    assert.deepEqual(view.context.experiments, [{ key: 'pricing-headline', version: 1, variant }]);
    assert.deepEqual(requests, ['/t.js', '/v1/batch'], 'the exposure rides on the page view');
    // Again, the same variant.
    await page.reload();
    assert.equal(await page.evaluate(() => window.tandem.variant('pricing-headline')), variant);

    // The visitor asks for a demo: a hand-raise, an MQL, counted for the variant shown.
    await page.fill('input[name=email]', 'dana@buyer.example');
    await page.fill('input[name=name]', 'Dana Cho');
    await page.fill('input[name=company]', 'Buyer Co');
    await Promise.all([page.waitForURL('**/thanks**'), page.click('button')]);
    await waitFor(() => query(db, "SELECT 1 FROM leads WHERE email = 'dana@buyer.example' AND mql_at IS NOT NULL").length === 1,
      { what: 'the MQL' });
    await waitFor(async () => {
      const r = await call(server, marketing, 'GET', `/api/v1/experiments/${id}/results`);
      return r.body.arms.find((a) => a.variant === variant).primary === 1;
    }, { what: 'the MQL counted for the variant' });
    const result = (await call(server, marketing, 'GET', `/api/v1/experiments/${id}/results`)).body;
    const arm = result.arms.find((a) => a.variant === variant);
    const other = result.arms.find((a) => a.variant !== variant);
    assert.equal(arm.exposed, 1);
    assert.equal(other.exposed, 0);
    assert.equal(result.decision, 'collecting');

    // The experiment page: the decision, the arms, the sample-ratio check.
    await app.reload();
    await app.waitForSelector(`tr[data-variant="${variant}"]`);
    const cells = await app.$$eval(`tr[data-variant="${variant}"] td`, (tds) => tds.map((td) => td.textContent.trim()));
    assert.equal(cells[2], '1', 'exposed');
    assert.equal(cells[3], '1', 'reached MQL');
    assert.equal(await app.getAttribute('p.decision', 'data-decision'), 'collecting');
    assert.equal(await app.getAttribute('[data-srm]', 'data-srm'), 'none');
    await app.screenshot({ path: path.join(SHOTS, 'experiment.png'), fullPage: true });
    assert.deepEqual(app.errors, []);
  } finally {
    await browser.close();
    site.close();
    server.kill('SIGINT');
    await exited(server);
    removeDir(dir);
  }
});
