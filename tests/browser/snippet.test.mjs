// The website snippet in a real browser (Debian's chromium, driven by playwright-core):
// a plain HTML page on another origin with one <script> tag, a visit from a campaign
// link, a gated form, and a browser that asks not to be tracked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { tandem, tempDir, removeDir, serve, exited, query, waitFor } from '../node/harness.mjs';
import { serveSite } from './support.mjs';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// A customer's website: plain pages that carry the snippet, on their own port.
function website(tandemUrl, writeKey) {
  const tag = `<script async src="${tandemUrl}/t.js?k=${writeKey}"></script>`;
  const pages = {
    '/': `<!doctype html><title>Acme home</title>${tag}<h1>Acme</h1><a href="/guide">Guide</a>`,
    '/guide': `<!doctype html><title>The Guide</title>${tag}
      <form data-tandem-form="guide-download" action="/thanks" method="get">
        <input name="email"><input name="name"><input name="company"><button>Get it</button>
      </form>`,
    '/thanks': `<!doctype html><title>Thanks</title>${tag}<p>Check your inbox.</p>`,
  };
  return serveSite(pages);
}

test('the snippet tracks a visit and a gated form, and sends nothing under Do-Not-Track', async () => {
  const dir = tempDir();
  const db = path.join(dir, 't.db');
  const writeKey = tandem(db, 'source', 'add', 'Acme website');
  const server = await serve(db);
  const site = await website(server.url, writeKey);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    const thirdParty = [];
    page.on('request', (r) => {
      const origin = new URL(r.url()).origin;
      if (origin !== site.url && origin !== server.url) thirdParty.push(r.url());
    });
    await page.goto(`${site.url}/?utm_source=linkedin&utm_medium=paid_social&utm_campaign=spring-26`);
    await waitFor(() => query(db, "SELECT 1 FROM events WHERE type = 'page'").length === 1,
      { what: 'the page view' });
    const [view] = query(db, "SELECT payload FROM events WHERE type = 'page'").map((r) => JSON.parse(r.payload));
    assert.equal(view.context.campaign.name, 'spring-26');
    assert.equal(view.context.campaign.source, 'linkedin');
    assert.equal(view.properties.path, '/');
    assert.equal(view.properties.title, 'Acme home');
    const cookies = await context.cookies(site.url);
    const aid = cookies.find((c) => c.name === 'tandem_aid');
    assert.ok(aid, 'a first-party cookie on the site keeps the anonymous id');
    assert.equal(view.anonymousId, decodeURIComponent(aid.value));

    await page.click('a[href="/guide"]');
    await page.fill('input[name=email]', 'pat@buyer.example');
    await page.fill('input[name=name]', 'Pat Lee');
    await page.fill('input[name=company]', 'Buyer Co');
    await Promise.all([page.waitForURL('**/thanks**'), page.click('button')]);
    await waitFor(() => query(db, "SELECT 1 FROM leads WHERE email = 'pat@buyer.example'").length === 1,
      { what: 'the lead from the form' });
    const tracks = query(db, "SELECT payload FROM events WHERE type = 'track'").map((r) => JSON.parse(r.payload));
    assert.deepEqual(tracks.map((t) => [t.event, t.properties.form]), [['Form Submitted', 'guide-download']]);
    const [identify] = query(db, "SELECT payload FROM events WHERE type = 'identify'").map((r) => JSON.parse(r.payload));
    assert.equal(identify.traits.name, 'Pat Lee');
    assert.equal(identify.anonymousId, view.anonymousId, 'the same visitor, stitched');
    assert.deepEqual(thirdParty, [], 'no request leaves the site and its Tandem server');

    // A browser that asks not to be tracked: the snippet loads and sends nothing.
    // The thanks page's own page view may still be on its way: count once it has settled.
    const count = () => query(db, 'SELECT COUNT(*) AS n FROM events')[0].n;
    let before = count();
    for (let settled = 0; settled < 2;) {
      await page.waitForTimeout(250);
      const now = count();
      settled = now === before ? settled + 1 : 0;
      before = now;
    }
    const quiet = await browser.newContext();
    await quiet.addInitScript(() => Object.defineProperty(Navigator.prototype, 'doNotTrack', { get: () => '1' }));
    const quietPage = await quiet.newPage();
    const sent = [];
    quietPage.on('request', (r) => { if (r.url().includes('/v1/')) sent.push(r.url()); });
    await quietPage.goto(`${site.url}/guide`);
    await quietPage.waitForFunction(() => window.tandem && window.tandem.loaded === true);
    await quietPage.evaluate(() => { window.tandem.track('Clicked'); window.tandem.flush(); });
    await quietPage.waitForTimeout(300);  // long enough for the 50 ms batch timer, were it used
    assert.deepEqual(sent, []);
    assert.equal(query(db, 'SELECT COUNT(*) AS n FROM events')[0].n, before);
    assert.equal((await quiet.cookies(site.url)).length, 0, 'no cookie either');
  } finally {
    await browser.close();
    site.close();
    server.kill('SIGINT');
    await exited(server);
    removeDir(dir);
  }
});
