// Leads from outside the website, in a real browser: marketing checks a CRM's export on
// the Import page (every rejected row listed with its line, nothing stored), imports it,
// and the leads appear with their opt-outs kept; a rep adds someone met at an event from
// the lead list's form and lands on the lead, which is theirs. Screenshots go to
// build/screenshots/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { tempDir, removeDir, serve, exited, query, waitFor } from '../node/harness.mjs';
import { CHROMIUM_ARGS, SHOTS, addUser, signIn } from './support.mjs';

const EXPORT = [
  'Record ID,First Name,Last Name,Email,Company Name,Contact owner,Unsubscribed from all email',
  '1,Jane,Doe,jane@acme.example,Acme,rafael@team.example,No',
  '2,Bad,Row,jane@,Acme,,No',
  '3,Olaf,Out,olaf@acme.example,Acme,,Yes',
  '4,Gus,Ghost,gus@acme.example,Acme,ghost@nowhere.example,No',
].join('\r\n') + '\r\n';

test('marketing checks and imports a CRM export; a rep adds a lead met at an event', async () => {
  const dir = tempDir();
  const db = path.join(dir, 't.db');
  addUser(db, 'rafael@team.example', 'Rafael Ortiz', 'sales_rep');
  addUser(db, 'mia@team.example', 'Mia Keller', 'marketing');
  const file = path.join(dir, 'hubspot.csv');
  writeFileSync(file, EXPORT);
  const server = await serve(db);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  mkdirSync(SHOTS, { recursive: true });
  try {
    const app = await signIn(browser, server, 'mia@team.example');
    // Importing is one of the settings.
    await app.click('header.top nav a[href="#/settings"]');
    await app.click('a[href="#/imports"]');
    await app.setInputFiles('#import-file', file);
    await app.click('button:has-text("Check the file")');
    await app.waitForSelector('section.import-result[data-dry-run="true"]');
    const rejected = await app.$$eval('ul.rejections li', (items) => items.map((li) => [li.dataset.line, li.textContent]));
    assert.deepEqual(rejected.map(([line]) => line), ['3', '5']);
    assert.match(rejected[0][1], /"jane@" is not an email address/);
    assert.match(rejected[1][1], /ghost@nowhere\.example/);
    assert.equal(query(db, 'SELECT COUNT(*) AS n FROM events')[0].n, 0, 'a check stores nothing');
    await app.screenshot({ path: path.join(SHOTS, 'import-checked.png'), fullPage: true });

    await app.click('form[aria-label="Import leads"] button.primary');
    await app.waitForSelector('section.import-result[data-dry-run="false"]');
    assert.equal(await app.textContent('section.import-result [data-field=accepted]'), '2');
    await waitFor(() => query(db, 'SELECT COUNT(*) AS n FROM leads')[0].n === 2, { what: 'two leads' });
    const olaf = query(db, `SELECT p.unsubscribed_at IS NOT NULL AS out FROM leads l JOIN contact_prefs p ON p.lead_id = l.id
      WHERE l.email = 'olaf@acme.example'`)[0];
    assert.equal(olaf.out, 1, 'the opt-out is kept');
    await app.screenshot({ path: path.join(SHOTS, 'import-done.png'), fullPage: true });
    assert.deepEqual(app.errors, []);

    // A rep adds someone met at an event; consent needs its words.
    const rep = await signIn(browser, server, 'rafael@team.example');
    await rep.goto(`${server.url}/app/#/search`);
    await rep.click('button:has-text("Add a lead")');
    await rep.fill('form.add-lead input[name=email]', 'dana.berg@berg.example');
    await rep.fill('form.add-lead input[name=first_name]', 'Dana');
    await rep.fill('form.add-lead input[name=last_name]', 'Berg');
    await rep.fill('form.add-lead input[name=company]', 'Berg & Co');
    await rep.selectOption('form.add-lead select[name=address_source]', 'event');
    await rep.selectOption('form.add-lead select[name=consent_basis]', 'consent');
    await rep.fill('form.add-lead textarea[name=consent_wording]', 'Yes, send me the product newsletter');
    await rep.screenshot({ path: path.join(SHOTS, 'add-lead.png'), fullPage: true });
    await rep.click('form.add-lead button.primary');
    await rep.waitForURL(/#\/leads\/ld_\d+/);
    await rep.waitForSelector('h1');
    assert.match(await rep.textContent('main'), /Dana Berg/);
    const added = query(db, `SELECT u.email AS owner FROM leads l JOIN users u ON u.id = l.owner_id
      WHERE l.email = 'dana.berg@berg.example'`)[0];
    assert.equal(added.owner, 'rafael@team.example');
    assert.deepEqual(rep.errors, []);
  } finally {
    await browser.close();
    server.kill('SIGTERM');
    await exited(server);
    removeDir(dir);
  }
});
