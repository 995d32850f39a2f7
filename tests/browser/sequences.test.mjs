// Sequences and what comes back, in a real browser (Debian's chromium, driven by
// playwright-core) against a real server and a real SMTP server: marketing builds a
// nurture sequence in the editor (an email, then a call two business days later, a
// refused step pausing the lead); a rep enrols their lead by hand on its page and sees
// the next step; the lead answers by email (handed in raw, as a mail provider's inbound
// webhook posts it); the reply shows in the rep's inbox, opens to what the lead wrote,
// and the lead's page says it left the sequence because it replied. Screenshots go to
// build/screenshots/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { tandem, tempDir, removeDir, serve, exited, query, waitFor } from '../node/harness.mjs';
import { CHROMIUM_ARGS, SHOTS, startSink, addUser, call, signIn } from './support.mjs';

const GUIDE = '<p>Hi {{lead.first_name | there}}, when you are ready to plan the next offsite, our venue guide '
  + 'compares forty venues by travel time, budget and group size. Reply with your team size and I will shortlist three.</p>';

const REPLY = (from, to) => [
  `From: Dana Berg <${from}>`, `To: ${to}`, 'Subject: Re: Venues for your next offsite',
  'Message-ID: <dana-reply-1@offsite.example>', 'Date: Thu, 03 Dec 2026 10:12:00 +0000',
  'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', '',
  'We are 24 people and would like a place near Lisbon in May. Could you send three options?', '',
  'Dana', '', 'On Tue, 1 Dec 2026, MeetCo wrote:', '> Hi Dana, when you are ready to plan the next offsite', ''].join('\r\n');

test('marketing builds a nurture sequence; a rep enrols a lead; its reply reaches the rep', async (t) => {
  const dir = tempDir();
  const db = path.join(dir, 't.db');
  const writeKey = tandem(db, 'source', 'add', 'Web');
  const rep = addUser(db, 'rep@meetco.example', 'Rafael Ortiz', 'sales_rep');
  const marketing = addUser(db, 'mk@meetco.example', 'Mia Keller', 'marketing');
  const sink = await startSink(dir);
  const config = path.join(dir, 'tandem.toml');
  writeFileSync(config, `[server]\npublic_url = "https://t.example.com"\n\n[email]\n`
    + `relay = "smtp://127.0.0.1:${sink.port}"\nfrom_address = "news@meetco.example"\nfrom_name = "MeetCo"\n`
    + `company_name = "MeetCo"\npostal_address = "12 Harbour Road, Leith EH6 6LX"\n\n[sequences]\nsweep_s = 1\n`);
  const server = await serve(db, { config });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  mkdirSync(SHOTS, { recursive: true });
  try {
    const batch = [{ type: 'identify', userId: 'dana', traits: { email: 'dana@offsite.example', name: 'Dana Berg', company: 'Offsite Co' } },
      { type: 'track', userId: 'dana', event: 'Demo Requested' }];
    const sent = await fetch(`${server.url}/v1/batch`, { method: 'POST', body: JSON.stringify({ batch }),
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}` } });
    assert.equal(sent.status, 200);
    await waitFor(() => query(db, 'SELECT id FROM leads WHERE owner_id IS NOT NULL').length === 1, { what: 'the lead routed' });
    const dana = `ld_${query(db, "SELECT id FROM leads WHERE email = 'dana@offsite.example'")[0].id}`;
    const consent = await call(server, marketing, 'POST', `/api/v1/leads/${dana}/consents`, { purpose: 'email_marketing',
      status: 'granted', method: 'form', form_id: 'newsletter', wording: 'Send me venue ideas' });
    assert.equal(consent.status, 201, JSON.stringify(consent.body));
    const template = await call(server, marketing, 'POST', '/api/v1/email-templates', { key: 'guide', name: 'Venue guide',
      purpose: 'email_marketing', layout: 'default', subject: 'Venues for your next offsite', html: GUIDE });
    assert.equal(template.status, 201, JSON.stringify(template.body));

    let sequenceId;
    await t.test('marketing builds the sequence in the editor', async () => {
      const page = await signIn(browser, server, 'mk@meetco.example');
      await page.click('nav a[href="#/sequences"]');
      await page.waitForSelector('text=No sequences yet');
      await page.fill('#sequence-name', 'Not ready yet');
      await page.selectOption('form[aria-label="New sequence"] select', 'nurture');
      await page.click('form[aria-label="New sequence"] button[type=submit]');
      await page.waitForSelector('form[aria-label="Edit the sequence"]');
      await page.waitForSelector('text=No steps yet');
      // Chosen first: editing the steps after must not undo it.
      await page.selectOption('#seq-refused', 'pause');
      // Saving without a step says what is missing, and creates nothing.
      await page.click('text=Create sequence');
      assert.match(await page.textContent('form[aria-label="Edit the sequence"] [role=alert]'), /step/);
      assert.equal((await call(server, marketing, 'GET', '/api/v1/sequences')).body.items.length, 0);
      await page.click('text=Add an email');
      await page.selectOption('select[aria-label="Step 1 template"]', 'guide');
      await page.click('text=Add a call');
      await page.fill('input[aria-label="Step 2 wait in business days"]', '2');
      await page.fill('input[aria-label="Step 2 what to do"]', 'Ask about team size and dates');
      // A step added by mistake is removed again.
      await page.click('text=Add a task');
      await page.click('button[aria-label="Remove step 3"]');
      await page.click('text=Create sequence');
      await page.waitForSelector('article[data-sequence^="sq_"]');
      sequenceId = page.url().match(/sq_\d+/)[0];
      // A change saved to the sequence that exists now.
      await page.fill('input[aria-label="Step 2 what to do"]', 'Ask about team size and dates, then offer three venues');
      await page.click('text=Save sequence');
      await page.waitForSelector('[role=status]:has-text("Saved.")');
      const stored = await call(server, marketing, 'GET', `/api/v1/sequences/${sequenceId}`);
      assert.deepEqual(stored.body.steps, [{ kind: 'email', wait_days: 0, template: 'guide' },
        { kind: 'call', wait_days: 2, note: 'Ask about team size and dates, then offer three venues' }]);
      assert.equal(stored.body.on_refused, 'pause');
      // The editor shows what was saved after a reload, and why a lead leaves.
      await page.reload();
      await page.waitForSelector('li.step[data-step="2"]');
      assert.equal(await page.inputValue('input[aria-label="Step 2 what to do"]'), 'Ask about team size and dates, then offer three venues');
      assert.match(await page.textContent('.exits'), /replies to an email/);
      await page.screenshot({ path: path.join(SHOTS, 'sequence-editor.png'), fullPage: true });
      assert.deepEqual(page.errors, []);
      await page.context().close();
    });

    await t.test('a step without a template is refused with the step named', async () => {
      const bad = await call(server, marketing, 'PUT', `/api/v1/sequences/${sequenceId}`, { steps: [{ kind: 'email', wait_days: 1 }] });
      assert.equal(bad.status, 422);
      assert.match(bad.body.error.message, /steps\[0\]/);
      const kept = await call(server, marketing, 'GET', `/api/v1/sequences/${sequenceId}`);
      assert.equal(kept.body.steps.length, 2, 'the stored steps are unchanged');
    });

    await t.test('the rep enrols the lead on its page and sees the next step', async () => {
      const page = await signIn(browser, server, 'rep@meetco.example');
      await page.goto(`${server.url}/app/#/leads/${dana}`);
      await page.waitForSelector('section[aria-label="Sequences"] form[aria-label="Enrol in a sequence"]');
      assert.match(await page.textContent('section[aria-label="Sequences"]'), /Not in any sequence/);
      await page.selectOption('select[aria-label="Sequence"]', sequenceId);
      await page.click('form[aria-label="Enrol in a sequence"] button');
      await page.waitForSelector('li[data-enrolment]');
      const text = await page.textContent('li[data-enrolment]');
      assert.match(text, /Not ready yet/);
      assert.match(text, /Next: step 1, email \(guide\)|Next: step 2, call/);
      await page.context().close();
    });

    await t.test('the reply reaches the rep\'s inbox, and the lead leaves the sequence', async () => {
      const answer = await fetch(`${server.url}/api/v1/inbound/mime`, { method: 'POST', body: REPLY('dana@offsite.example', 'news@meetco.example'),
        headers: { authorization: `Bearer ${marketing}`, 'content-type': 'message/rfc822' } });
      const received = await answer.json();
      assert.equal(answer.status, 201, JSON.stringify(received));
      assert.equal(received.class, 'reply');
      assert.equal(received.lead_id, dana);
      await waitFor(async () => (await call(server, rep, 'GET', `/api/v1/leads/${dana}/enrolments`)).body.items[0].state === 'exited',
        { what: 'the enrolment exited' });

      const page = await signIn(browser, server, 'rep@meetco.example');
      await page.waitForSelector('section[aria-label="Replies to your leads"] li[data-inbound]');
      const item = page.locator(`li[data-inbound="${received.id}"]`);
      assert.match(await item.textContent(), /Re: Venues for your next offsite/);
      assert.match(await item.textContent(), /24 people/);
      await item.locator('button:has-text("Read")').click();
      await page.waitForSelector('pre.own-text');
      const own = await page.textContent('pre.own-text');
      assert.match(own, /near Lisbon in May/);
      assert.doesNotMatch(own, /when you are ready to plan/, 'the quoted email is left out');
      const raw = await page.getAttribute(`li[data-inbound="${received.id}"] a[download]`, 'href');
      const bytes = await page.evaluate(async (href) => (await fetch(href)).text(), raw);
      assert.match(bytes, /Message-ID: <dana-reply-1@offsite\.example>/);
      await page.screenshot({ path: path.join(SHOTS, 'inbox-replies.png'), fullPage: true });

      await page.click(`li[data-inbound="${received.id}"] a[href="#/leads/${dana}"]`);
      await page.waitForSelector('li[data-enrolment][data-state="exited"]');
      assert.match(await page.textContent('li[data-enrolment]'), /Left: replied/);
      assert.match(await page.textContent('section.timeline'), /Replied to “Re: Venues for your next offsite”/);
      assert.match(await page.textContent('section.timeline'), /Left the sequence “Not ready yet”: replied/);
      await page.screenshot({ path: path.join(SHOTS, 'lead-sequences.png'), fullPage: true });
      assert.deepEqual(page.errors, []);
      await page.context().close();

      // The list filters as asked, and says what is wrong with a bad filter.
      const none = await call(server, rep, 'GET', '/api/v1/inbound?owner=me&class=hard_bounce');
      assert.equal(none.status, 200);
      assert.deepEqual(none.body.items, []);
      const badClass = await call(server, rep, 'GET', '/api/v1/inbound?class=reply,nonsense');
      assert.equal(badClass.status, 400);
      assert.match(badClass.body.error.message, /class "nonsense" is not one of/);
      const missing = await call(server, rep, 'GET', '/api/v1/inbound/in_nope');
      assert.equal(missing.status, 404);
    });
  } finally {
    await browser.close();
    server.kill('SIGINT');
    sink.kill('SIGTERM');
    await Promise.all([exited(server), exited(sink)]);
    removeDir(dir);
  }
});
