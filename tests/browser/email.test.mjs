// Email in the web app, in a real browser (Debian's chromium, driven by playwright-core)
// against a real server and a real SMTP server (tests/support/smtp_sink.py, Debian's
// python3-aiosmtpd): a rep composes from a template on their lead's page, sees the
// check refuse a merge field the template may not use, fixes it and sends, and the
// message reaches the relay; the contact gate then refuses a manager, who overrides it
// with a reason; a marketing user saves a filter, drafts a broadcast, sees
// its audience counted (a lead without consent excluded), previews it, tests it on
// themselves, sends it and watches it finish, with the message at the relay. Screenshots go to build/screenshots/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { tandem, tempDir, removeDir, serve, exited, query, waitFor } from '../node/harness.mjs';
import { CHROMIUM_ARGS, SHOTS, startSink, addUser, call, signIn, middayZone } from './support.mjs';

const INTRO = '<p>Hi {{lead.first_name | there}}, is a spring offsite something you are planning? '
  + 'If you tell me your team size, I can send you three venues that fit your budget.</p>';
const SPRING = '<p>Hi {{lead.first_name | there}}, are you planning a team offsite this spring? If you tell '
  + 'me your team size and dates, I can send you three venues that fit your budget, with your travel '
  + 'times from your office.</p>';

test('a rep emails their lead from a template; marketing sends a broadcast', async (t) => {
  const dir = tempDir();
  const db = path.join(dir, 't.db');
  const writeKey = tandem(db, 'source', 'add', 'Web');
  const rep = addUser(db, 'rep@meetco.example', 'Rafael Ortiz', 'sales_rep');
  const marketing = addUser(db, 'mk@meetco.example', 'Mia Keller', 'marketing');
  addUser(db, 'manager@meetco.example', 'Maria Lopez', 'sales_manager');
  const sink = await startSink(dir);
  const config = path.join(dir, 'tandem.toml');
  writeFileSync(config, `[server]\npublic_url = "https://t.example.com"\n\n[email]\n`
    + `relay = "smtp://127.0.0.1:${sink.port}"\nfrom_address = "news@meetco.example"\nfrom_name = "MeetCo"\n`
    + `company_name = "MeetCo"\npostal_address = "12 Harbour Road, Leith EH6 6LX"\n`);
  const server = await serve(db, { config });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  mkdirSync(SHOTS, { recursive: true });
  try {
    // Three prospects ask for a demo: hot, all routed to the only rep. Ana and Cy give
    // marketing consent; Bo does not.
    const zone = middayZone();
    const batch = [];
    for (const [id, email, name] of [['ana', 'ana@offsite.example', 'Ana Ruiz'], ['bo', 'bo@offsite.example', 'Bo <b>Lind</b>'],
      ['cy', 'cy@offsite.example', 'Cy Moreau']]) {
      batch.push({ type: 'identify', userId: id, traits: { email, name, company: 'Offsite Co', timezone: zone } },
        { type: 'track', userId: id, event: 'Demo Requested' });
    }
    const sent = await fetch(`${server.url}/v1/batch`, { method: 'POST', body: JSON.stringify({ batch }),
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}` } });
    assert.equal(sent.status, 200);
    await waitFor(() => query(db, 'SELECT id FROM leads WHERE owner_id IS NOT NULL').length === 3, { what: 'the leads routed' });
    const leadOf = (email) => `ld_${query(db, `SELECT id FROM leads WHERE email = '${email}'`)[0].id}`;
    const ana = leadOf('ana@offsite.example');
    const cy = leadOf('cy@offsite.example');
    for (const lead of [ana, cy]) {
      const consent = await call(server, marketing, 'POST', `/api/v1/leads/${lead}/consents`, { purpose: 'email_marketing',
        status: 'granted', method: 'form', form_id: 'newsletter', wording: 'Send me venue ideas' });
      assert.equal(consent.status, 201, JSON.stringify(consent.body));
    }
    for (const [key, name, purpose, subject, html] of [
      ['spring', 'Spring venues', 'email_marketing', 'Three venues for your spring offsite?', SPRING],
      ['intro', 'First question', 'sales_outreach', '{{lead.first_name | Hello}}, a question', INTRO]]) {
      const r = await call(server, marketing, 'POST', '/api/v1/email-templates', { key, name, purpose, layout: 'default', subject, html });
      assert.equal(r.status, 201, JSON.stringify(r.body));
    }

    await t.test('a rep composes from a template, fixes what the check finds, and sends', async () => {
      const page = await signIn(browser, server, 'rep@meetco.example');
      assert.equal(await page.locator('header nav >> text=Broadcasts').count(), 0);
      await page.goto(`${server.url}/app/#/leads/${ana}`);
      const section = page.locator('section[aria-label="Email"]');
      await section.waitFor();
      // The sales template comes first; the email is shown as Ana will get it, in a
      // frame that runs nothing.
      assert.equal(await page.inputValue('#compose-template'), 'intro');
      const frame = section.locator('iframe.preview-frame');
      await frame.waitFor();
      assert.equal(await frame.getAttribute('sandbox'), '');
      assert.match(await frame.getAttribute('srcdoc'), /Hi Ana, is a spring offsite/);
      assert.match(await section.locator('.preview-subject').textContent(), /Ana, a question/);
      const send = section.locator('button.send-email');
      await page.waitForFunction(() => document.querySelector('button.send-email') && !document.querySelector('button.send-email').disabled);
      assert.equal(await send.textContent(), 'Send');

      // A merge field the template may not use: the check says so, and Send waits.
      await page.fill('#compose-body', INTRO.replace('{{lead.first_name | there}}', '{{first_name}}'));
      const problem = section.locator('.refused[data-error=template_invalid]');
      await problem.waitFor();
      assert.match(await problem.textContent(), /first_name/);
      assert.equal(await send.isDisabled(), true);
      assert.equal(await send.textContent(), 'Fix the errors first');
      await page.screenshot({ path: path.join(SHOTS, 'email-compose-problem.png'), fullPage: true });

      await page.fill('#compose-body', INTRO.replace('{{lead.first_name | there}}', '{{lead.first_name | there}} (from Rafael)'));
      await problem.waitFor({ state: 'detached' });
      await page.waitForFunction(() => /from Rafael/.test(document.querySelector('iframe.preview-frame')?.srcdoc || ''));
      await page.waitForFunction(() => !document.querySelector('button.send-email').disabled);
      await send.click();
      await section.locator('[role=status] >> text=Email queued').waitFor();
      // (The rep also heard of each new lead by email.)
      const toAna = () => sink.messages().filter((m) => m.rcpt_tos.includes('ana@offsite.example'));
      await waitFor(() => toAna().length === 1, { what: 'the email at the relay', timeoutMs: 20000 });
      const [mail] = toAna();
      assert.deepEqual(mail.rcpt_tos, ['ana@offsite.example']);
      assert.match(mail.raw, /^Subject: Ana, a question\r?$/m);
      assert.match(mail.text, /Hi Ana \(from Rafael\), is a spring offsite/);
      // The list on the page follows the email to "sent".
      await section.locator('.email-list li[data-status=sent] >> text=Ana, a question').waitFor({ timeout: 15000 });
      await page.screenshot({ path: path.join(SHOTS, 'email-sent.png'), fullPage: true });
      assert.deepEqual(page.errors, []);
      await page.context().close();
    });

    await t.test('the gate answers on the Send button; a manager may override it with a reason', async () => {
      const page = await signIn(browser, server, 'manager@meetco.example');
      await page.goto(`${server.url}/app/#/leads/${ana}`);
      const section = page.locator('section[aria-label="Email"]');
      await section.locator('iframe.preview-frame').waitFor();
      const send = section.locator('button.send-email');
      // The rep reached Ana just now: others wait, unless a manager says why not.
      assert.match(await section.locator('[aria-label="The contact gate"]').textContent(), /others wait/);
      assert.equal(await send.textContent(), 'Give a reason to override');
      assert.equal(await send.isDisabled(), true);
      assert.match(await send.getAttribute('title'), /others wait/);
      await page.fill('#compose-override', 'Ana asked me to send the contract');
      await page.waitForFunction(() => !document.querySelector('button.send-email').disabled);
      assert.equal(await send.textContent(), 'Send (override)');
      await send.click();
      await section.locator('[role=status] >> text=Email queued').waitFor();
      await section.locator('.email-list li:nth-child(2)').waitFor();
      assert.deepEqual(page.errors, []);
      await page.context().close();
    });

    await t.test('marketing drafts a broadcast, counts and previews it, sends it, and sees it done', async () => {
      const page = await signIn(browser, server, 'mk@meetco.example');
      assert.equal(await page.locator('header nav >> text=Broadcasts').count(), 1);
      // The lead list's filter becomes the audience.
      await page.goto(`${server.url}/app/#/search?priority=hot`);
      await page.click('a.as-audience');
      await page.waitForSelector('section[aria-label="New broadcast"]');
      assert.equal(await page.inputValue('#filter-query'), 'priority=hot');
      await page.fill('#filter-name', 'Hot prospects');
      await page.click('form[aria-label="Save a lead filter"] button[type=submit]');
      await page.waitForFunction(() => document.querySelector('#broadcast-filter').value.startsWith('flt_'));
      await page.fill('#broadcast-name', 'Spring offsites');
      await page.selectOption('#broadcast-template', 'spring');
      await page.click('form[aria-label="Draft a broadcast"] button[type=submit]');
      await page.waitForSelector('.broadcast-page[data-state=draft]');

      // Cy is in; Bo gave no consent; the rep emailed Ana just now, so others wait.
      const audience = page.locator('section[aria-label="Audience"]');
      await audience.locator('.included').waitFor();
      assert.equal(await audience.locator('.included').textContent(), '1', await audience.textContent());
      assert.match(await audience.locator('li[data-code=no_consent]').textContent(), /no_consent: 1/);
      assert.match(await audience.locator('li[data-code=recent_touch_by_other]').textContent(), /recent_touch_by_other: 1/);
      // The preview as one of the first recipients; a name is text, never markup.
      const preview = page.locator('section[aria-label="Preview"]');
      await preview.locator('iframe.preview-frame').waitFor();
      const options = await page.locator('#preview-lead option').allTextContents();
      assert.ok(options.some((o) => o.includes('Bo <b>Lind</b>')), options.join(' | '));
      await page.selectOption('#preview-lead', cy);
      await page.waitForFunction(() => /Hi Cy, are you planning/.test(document.querySelector('section[aria-label="Preview"] iframe')?.srcdoc || ''));
      assert.equal(await preview.locator('iframe').getAttribute('sandbox'), '');
      assert.ok(await preview.locator('.findings, .findings-none').count() > 0);
      await page.screenshot({ path: path.join(SHOTS, 'broadcast-draft.png'), fullPage: true });
      // A test to yourself, as Cy would get it.
      await preview.locator('text=Send me a test').click();
      await preview.locator('[role=status] >> text=Test queued to mk@meetco.example').waitFor();
      const toMe = () => sink.messages().filter((m) => m.rcpt_tos.includes('mk@meetco.example'));
      await waitFor(() => toMe().length === 1, { what: 'the test at the relay', timeoutMs: 20000 });
      assert.match(toMe()[0].text, /Hi Cy, are you planning/);

      await page.click('section[aria-label="Actions"] >> text=Send now');
      await page.waitForSelector('.broadcast-page[data-state=done]', { timeout: 30000 });
      const progress = page.locator('section[aria-label="Progress"]');
      assert.equal(await progress.locator('dd[data-status=sent]').textContent(), '1');
      assert.equal(await progress.locator('dd[data-status=refused]').textContent(), '2');
      assert.match(await progress.textContent(), /no_consent: 1/);
      const refused = page.locator('section[aria-label="Refused recipients"]');
      await refused.locator('text=bo@offsite.example').waitFor();
      assert.match(await refused.textContent(), /no_consent/);
      const toCy = () => sink.messages().filter((m) => m.rcpt_tos.includes('cy@offsite.example'));
      await waitFor(() => toCy().length === 1, { what: 'the broadcast at the relay', timeoutMs: 20000 });
      const [mail] = toCy();
      assert.deepEqual(mail.rcpt_tos, ['cy@offsite.example']);
      assert.match(mail.text, /Hi Cy, are you planning a team offsite/);
      // Nobody refused got anything.
      assert.equal(sink.messages().filter((m) => m.rcpt_tos.includes('bo@offsite.example')).length, 0);
      assert.match(mail.raw, /^Subject: Three venues for your spring offsite\?\r?$/m);
      assert.match(mail.raw, /^List-Unsubscribe: <https:\/\/t\.example\.com\/u\//m);
      await page.screenshot({ path: path.join(SHOTS, 'broadcast-done.png'), fullPage: true });
      await page.click('text=← All broadcasts');
      await page.waitForSelector('tr[data-broadcast] >> text=done');

      // A second one, for tomorrow: scheduled, paused, then cancelled; nothing is sent.
      await page.fill('#broadcast-name', 'Spring offsites, reminder');
      await page.selectOption('#broadcast-template', 'spring');
      await page.selectOption('#broadcast-filter', { label: 'Hot prospects — priority=hot' });
      await page.click('form[aria-label="Draft a broadcast"] button[type=submit]');
      await page.waitForSelector('.broadcast-page[data-state=draft]');
      const tomorrow = new Date(Date.now() + 86400000);
      const local = new Date(tomorrow.getTime() - tomorrow.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
      await page.fill('input[aria-label="Send at"]', local);
      await page.click('section[aria-label="Actions"] >> text=Schedule');
      await page.waitForSelector('.broadcast-page[data-state=scheduled]');
      await page.click('section[aria-label="Actions"] >> text=Pause');
      await page.waitForSelector('.broadcast-page[data-state=paused]');
      page.once('dialog', (dialog) => dialog.accept());
      await page.click('section[aria-label="Actions"] >> text=Cancel broadcast');
      await page.waitForSelector('.broadcast-page[data-state=cancelled]');
      assert.equal(sink.messages().filter((m) => m.rcpt_tos.includes('cy@offsite.example')).length, 1);
      assert.deepEqual(page.errors, []);
      await page.context().close();
    });
  } finally {
    await browser.close();
    server.kill('SIGINT');
    sink.kill('SIGTERM');
    await Promise.all([exited(server), exited(sink)]);
    removeDir(dir);
  }
});
