// The catalog page on the demo workspace, with one campaign defined in tandem.toml:
// marketing adds a campaign through the form, changes its offer, meets the server's
// refusal of an entry sales would learn nothing from, and removes it; adds a content
// asset with three questions; a rep reads the catalog without a way to change it; the
// page fits a phone 390 px wide. Prints how long the page takes to show.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { tempDir, removeDir, serve, exited } from '../node/harness.mjs';
import { CHROMIUM_ARGS, SHOTS, addUser, call, signIn, demoWorkspace } from './support.mjs';

const WIDTH = 390;
const PHONE = { viewport: { width: WIDTH, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const CONFIG = `[[catalog.campaigns]]
key = "partner-launch"
name = "Partner launch"
utm_campaign = "partner-launch"
offer = "A partner discount for the first year"
`;

// Opens the catalog from a blank page; answers the milliseconds until both tables show.
async function openCatalog(page, server) {
  await page.goto('about:blank');
  await page.goto(`${server.url}/app/#/catalog`);
  const shown = await page.waitForFunction(() => document.querySelector('section[aria-label="Campaigns"] tr[data-key]')
    && document.querySelector('section[aria-label="Content"] tr[data-key]')
    && !document.querySelector('.loading') && performance.now(), null, { polling: 'raf' });
  return Math.round(await shown.jsonValue());
}

const pageWidth = (page) => page.evaluate(() => document.documentElement.scrollWidth);

// How many links to the catalog the header and the settings page show.
async function catalogLinks(page, server) {
  await page.goto(`${server.url}/app/#/settings`);
  await page.waitForSelector('main > *');
  return page.locator('header.top a[href="#/catalog"], main a[href="#/catalog"]').count();
}

// Submits `form` and waits until its section says `done`; a refusal fails with the server's words.
async function save(section, form, done) {
  await form.locator('button[type=submit]').click();
  const refusal = form.locator('.error');
  await section.locator(`.ok:has-text("${done}")`).or(refusal).first().waitFor();
  if (await refusal.count()) assert.fail(`refused: ${await refusal.textContent()}`);
}

test('marketing keeps the catalog; a rep reads it', async (t) => {
  const dir = tempDir();
  const { db, passwords, out } = demoWorkspace(dir);
  assert.ok(passwords['tom.rep@demo.tandem'], out);
  const token = addUser(db, 'mia.marketing@demo.tandem', 'Mia Marketing', 'marketing');
  const config = path.join(dir, 'tandem.toml');
  writeFileSync(config, CONFIG);
  const server = await serve(db, { config });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  mkdirSync(SHOTS, { recursive: true });
  let loadMs = null;
  try {
    const page = await signIn(browser, server, 'mia.marketing@demo.tandem', { context: { viewport: { width: 1280, height: 900 } } });
    const campaigns = page.locator('section[aria-label="Campaigns"]');
    const content = page.locator('section[aria-label="Content"]');

    await t.test('the page lists both catalogs and marks what tandem.toml defines', async () => {
      assert.equal(await catalogLinks(page, server), 1, 'marketing is shown the way to the catalog');
      loadMs = await openCatalog(page, server);
      assert.equal(await page.title(), 'Catalog · Tandem');
      assert.match(await campaigns.locator('tr[data-key="sem-buyers-guide"]').textContent(), /SEM Buyer's Guide/);
      assert.match(await content.locator('tr[data-key="lead-scoring-playbook"]').textContent(), /Lead Scoring Playbook/);
      const fromFile = campaigns.locator('tr[data-key="partner-launch"]');
      assert.equal(await fromFile.getAttribute('data-origin'), 'config');
      assert.match(await fromFile.textContent(), /defined in tandem\.toml/);
      await fromFile.locator('button:has-text("Edit")').click();
      assert.match(await campaigns.locator('form.catalog-entry').textContent(), /Defined in the configuration file \(tandem\.toml\)/);
      await campaigns.locator('form.catalog-entry button:has-text("Cancel")').click();
      assert.equal(await campaigns.locator('tr[data-key="sem-buyers-guide"] .origin-config').count(), 0);
    });

    await t.test('a campaign is added, changed and removed through the form', async () => {
      await campaigns.locator('button:has-text("Add a campaign")').click();
      const add = page.locator('form[aria-label="Add a campaign"]');
      await add.locator('input[name=name]').fill('Spring webinar');
      await add.locator('input[name=utm_campaign]').fill('spring-webinar');
      await add.locator('textarea[name=persona]').fill('Sales managers with an inbound team');
      await add.locator('textarea[name=key_message]').fill('Speed to lead decides who wins the deal.');
      await add.locator('textarea[name=offer]').fill('The webinar recording');
      await add.locator('input[name=starts_on]').fill('2027-03-01');
      await add.locator('input[name=ends_on]').fill('2027-03-31');
      await save(campaigns, add, 'Saved Spring webinar.');
      const row = campaigns.locator('tr[data-key="spring-webinar"]');
      await row.waitFor();
      assert.match(await row.textContent(), /Spring webinar.*Sales managers with an inbound team.*The webinar recording.*2027-03-01 to 2027-03-31/s);
      assert.equal(await add.count(), 0, 'the form closes after saving');

      await row.locator('button:has-text("Edit")').click();
      const change = page.locator('form[aria-label="Change Spring webinar"]');
      assert.equal(await change.locator('textarea[name=offer]').inputValue(), 'The webinar recording');
      assert.equal(await change.locator('input[name=starts_on]').inputValue(), '2027-03-01');
      await change.locator('textarea[name=offer]').fill('The recording and a benchmark of their own team');
      await save(campaigns, change, 'Saved Spring webinar.');
      await row.locator('text=a benchmark of their own team').waitFor();
      const stored = await call(server, token, 'GET', '/api/v1/campaigns/spring-webinar');
      assert.equal(stored.status, 200);
      assert.equal(stored.body.offer, 'The recording and a benchmark of their own team');
      assert.equal(stored.body.persona, 'Sales managers with an inbound team');
      assert.equal(stored.body.ends_on, '2027-03-31');

      // Nothing sales would learn from: the server refuses, and the form says why in its words.
      const refusal = await call(server, token, 'POST', '/api/v1/campaigns', { name: 'Empty', utm_campaign: 'empty-campaign' });
      assert.equal(refusal.status, 422);
      await campaigns.locator('button:has-text("Add a campaign")').click();
      await add.locator('input[name=name]').fill('Empty');
      await add.locator('input[name=utm_campaign]').fill('empty-campaign');
      await add.locator('button[type=submit]').click();
      await add.locator('.error[role=alert]').waitFor();
      assert.equal((await add.locator('.error[role=alert]').textContent()).trim(), refusal.body.error.message);
      assert.equal(await add.locator('input[name=name]').inputValue(), 'Empty', 'a refusal keeps what was typed');
      // A UTM name another campaign has (in another case) is a conflict.
      await add.locator('textarea[name=offer]').fill('Something');
      await add.locator('input[name=utm_campaign]').fill('Spring-Webinar');
      await add.locator('button[type=submit]').click();
      await add.locator('.error:has-text("already matches utm_campaign")').waitFor();
      await add.locator('button:has-text("Cancel")').click();
      assert.equal((await call(server, token, 'GET', '/api/v1/campaigns/empty-campaign')).status, 404);

      page.once('dialog', (dialog) => dialog.accept());
      await row.locator('button:has-text("Delete")').click();
      await campaigns.locator('.ok:has-text("Removed Spring webinar.")').waitFor();
      await row.waitFor({ state: 'detached' });
      assert.equal((await call(server, token, 'GET', '/api/v1/campaigns/spring-webinar')).status, 404);
    });

    await t.test('a content asset is added with three questions', async () => {
      await content.locator('button:has-text("Add a content asset")').click();
      const add = page.locator('form[aria-label="Add a content asset"]');
      await add.locator('input[name=title]').fill('Routing checklist');
      await add.locator('input[name=asset_id]').fill('routing-checklist');
      await add.locator('input[name=topic]').fill('lead routing');
      await add.locator('select[name=funnel_stage]').selectOption('decision');
      await add.locator('input[name=url_pattern]').fill('/resources/routing-checklist*');
      await add.locator('textarea[name=problem]').fill('New leads wait while reps argue over who owns them.');
      const questions = ['Who decides today which rep gets a new lead?', 'What happens to a lead that arrives at night?',
        'How do you know a lead was called?'];
      await add.locator('textarea[name=questions]').fill(`${questions.join('\n')}\n`);
      await save(content, add, 'Saved Routing checklist.');
      const row = content.locator('tr[data-key="routing-checklist"]');
      await row.waitFor();
      assert.equal(await row.locator('.questions li').count(), 3);
      const stored = await call(server, token, 'GET', '/api/v1/content/routing-checklist');
      assert.equal(stored.status, 200);
      assert.deepEqual(stored.body.questions, questions);
      assert.equal(stored.body.funnel_stage, 'decision');
      await row.locator('button:has-text("Edit")').click();
      assert.equal(await page.locator('form[aria-label="Change Routing checklist"] textarea[name=questions]').inputValue(), questions.join('\n'));
      await page.screenshot({ path: path.join(SHOTS, 'catalog.png'), fullPage: true });
      assert.deepEqual(page.errors, []);
      await page.context().close();
    });

    await t.test('marketing on a phone: the tables and the form fit 390 px', async () => {
      const phone = await signIn(browser, server, 'mia.marketing@demo.tandem', { context: PHONE });
      await openCatalog(phone, server);
      assert.ok(await pageWidth(phone) <= WIDTH, `the page is ${await pageWidth(phone)} px wide`);
      await phone.locator('section[aria-label="Content"] tr[data-key="routing-checklist"] button:has-text("Edit")').click();
      await phone.locator('form[aria-label="Change Routing checklist"]').waitFor();
      assert.ok(await pageWidth(phone) <= WIDTH, `with the form open the page is ${await pageWidth(phone)} px wide`);
      assert.deepEqual(phone.errors, []);
      await phone.context().close();
    });

    await t.test('a rep reads the catalog on a phone, with nothing to change', async () => {
      const rep = await signIn(browser, server, 'tom.rep@demo.tandem', { password: passwords['tom.rep@demo.tandem'], context: PHONE });
      assert.equal(await catalogLinks(rep, server), 0, 'reps are not shown the way to it');
      await openCatalog(rep, server);
      assert.match(await rep.locator('section[aria-label="Campaigns"] tr[data-key="sem-buyers-guide"]').textContent(), /SEM Buyer's Guide/);
      assert.equal(await rep.locator('section[aria-label="Content"] tr[data-key="routing-checklist"] .questions li').count(), 3);
      assert.equal(await rep.locator('main button').count(), 0, 'no add, edit or delete');
      assert.equal(await rep.locator('main form').count(), 0);
      assert.match(await rep.textContent('main'), /Marketing and admins keep the catalog/);
      assert.ok(await pageWidth(rep) <= WIDTH, `the page is ${await pageWidth(rep)} px wide`);
      await rep.evaluate(() => window.scrollTo(0, 0));
      await rep.screenshot({ path: path.join(SHOTS, 'phone-catalog.png'), fullPage: true, scale: 'css' });
      // The API agrees: a rep's change is refused.
      const refused = await rep.evaluate(async () => {
        const { csrf_token: csrf } = await (await fetch('/auth/session')).json();
        const r = await fetch('/api/v1/campaigns/sem-buyers-guide', { method: 'DELETE', headers: { 'X-CSRF-Token': csrf } });
        return { status: r.status, body: await r.json() };
      });
      assert.equal(refused.status, 403, JSON.stringify(refused.body));
      assert.match(refused.body.error.message, /change the catalogs/);
      assert.deepEqual(rep.errors, []);
      await rep.context().close();
    });
  } finally {
    console.log(`# catalog page shown in ${loadMs} ms (marketing, demo workspace)`);
    await browser.close();
    server.kill('SIGTERM');
    await exited(server);
    removeDir(dir);
  }
});
