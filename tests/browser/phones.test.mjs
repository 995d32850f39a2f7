// Every page of the web app on a phone 390 px wide (touch, mobile viewport), on the demo
// workspace: the page itself never scrolls sideways, the header keeps its links and the
// sign-out button within the screen, lead tables read as cards, the lead page is one
// column, and a rep logs a call from it. Screenshots go to build/screenshots/phone-*.png
// (docs/screenshots/ keeps a reviewed copy of the inbox's and the lead page's).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { TANDEM, tempDir, removeDir, serve, exited, query } from '../node/harness.mjs';
import { CHROMIUM_ARGS, SHOTS, signIn as signInAs, demoWorkspace, outOfQuietHours } from './support.mjs';

const WIDTH = 390;
const PHONE = { viewport: { width: WIDTH, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const MARKETER = 'mia.marketing@demo.tandem';
const MARKETER_PASSWORD = 'tide-lantern-harbour-4';

// Signs in through the form on a phone, measuring the sign-in page on the way.
const signIn = (browser, server, email, password) => signInAs(browser, server, email, {
  password,
  context: PHONE,
  beforeSignIn: async (page) => {
    await page.waitForSelector('form[aria-label="Sign in"]');
    page.signInWidth = await measure(page);
  },
});

// Opens an app page and waits until it has drawn its data: nothing is loading any more,
// twice in a row a frame apart.
async function open(page, server, route) {
  await page.goto(`${server.url}/app/${route}`);
  await page.waitForFunction(() => document.querySelector('main > *') && !document.querySelector('[aria-busy=true]'),
    null, { polling: 'raf' });
  await page.waitForTimeout(150);
  await page.waitForFunction(() => !document.querySelector('[aria-busy=true]'), null, { polling: 'raf' });
}

// How wide the page is, and what sticks out of the screen: elements whose right edge is
// past the viewport with no scrolling (or clipping) box of their own to keep them in. The
// document and the body do not count as such a box: hiding the page's overflow would
// only cut content off.
function measure(page) {
  return page.evaluate((width) => {
    const clipped = (el) => {
      for (let p = el.parentElement; p && p !== document.body && p !== document.documentElement; p = p.parentElement) {
        if (getComputedStyle(p).overflowX === 'visible') continue;
        const box = p.getBoundingClientRect();
        if (box.left >= -0.5 && box.right <= width + 0.5) return true;
      }
      return false;
    };
    const outside = [];
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0 || (r.right <= width + 0.5 && r.left >= -0.5)) continue;
      if (clipped(el) || outside.some((o) => o.el.contains(el))) continue;
      outside.push({ el, what: `${el.tagName.toLowerCase()}${el.className ? `.${String(el.className).trim().split(/\s+/).join('.')}` : ''}`
        + ` [${Math.round(r.left)}..${Math.round(r.right)}] ${(el.textContent || '').trim().slice(0, 40)}` });
    }
    return {
      scrollWidth: Math.max(document.documentElement.scrollWidth, document.body.scrollWidth),
      outside: outside.map((o) => o.what),
    };
  }, WIDTH);
}

// What does not fit is collected rather than thrown, so that one run names every page
// and element out of place; each part of the test ends by asserting the list is empty.
const problems = [];

// The page fits the phone's width: no sideways scrolling, nothing out of reach.
async function checkFits(page, name, widths) {
  const m = await measure(page);
  widths[name] = m.scrollWidth;
  if (m.scrollWidth > WIDTH) problems.push(`${name}: the page is ${m.scrollWidth} px wide`);
  for (const what of m.outside) problems.push(`${name}: outside the screen: ${what}`);
}

// The boxes matching `selector` are shown and lie within the screen's width; answers
// how many there are. With `scrolled`, a box inside a part of the page that scrolls
// sideways by itself (a wide table of figures) counts as within reach.
async function checkWithinWidth(page, selector, what, { scrolled = false } = {}) {
  const boxes = await page.locator(selector).evaluateAll((els, { width, scrolled }) => els.map((el) => {
    const r = el.getBoundingClientRect();
    let reachable = false;
    for (let p = el.parentElement; scrolled && p && p !== document.body; p = p.parentElement) {
      if (['auto', 'scroll'].includes(getComputedStyle(p).overflowX)) {
        const box = p.getBoundingClientRect();
        reachable = box.left >= -0.5 && box.right <= width + 0.5;
        break;
      }
    }
    return { left: Math.round(r.left), right: Math.round(r.right), shown: r.width > 0 && r.height > 0, reachable,
      text: (el.textContent || el.getAttribute('aria-label') || '').trim().slice(0, 40) };
  }).filter((box) => box.shown), { width: WIDTH, scrolled });
  if (!boxes.length) problems.push(`${what}: none shown (${selector})`);
  const outside = boxes.filter((box) => !box.reachable && (box.left < 0 || box.right > WIDTH));
  if (outside.length) {
    const [first] = outside;
    problems.push(`${what}: ${outside.length} of ${boxes.length} outside the screen, the first "${first.text}" at ${first.left}..${first.right}`);
  }
  return boxes.length;
}

// One part of the test, as a subtest that fails on what did not fit, listed in full,
// and on any other failure, with what it had found out of place by then.
function part(t, name, fn) {
  return t.test(name, async () => {
    problems.length = 0;
    let failure = null;
    try {
      await fn();
    } catch (err) {
      failure = err;
    }
    const found = problems.splice(0);
    if (failure) {
      if (found.length) failure.message += `\nalso out of place: ${found.join('; ')}`;
      throw failure;
    }
    assert.deepEqual(found, []);
  });
}


async function shot(page, name) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(SHOTS, `phone-${name}.png`), fullPage: true, scale: 'css' });
}

test('every page fits a phone 390 px wide', async (t) => {
  const dir = tempDir();
  const { db, passwords, out } = demoWorkspace(dir);
  assert.ok(passwords['maria.manager@demo.tandem'], out);
  // The demo has no marketing user; one is added for the pages only marketing opens.
  execFileSync(TANDEM, ['--db', `sqlite:${db}`, 'user', 'add', MARKETER, '--name', 'Mia Marketing',
    '--role', 'marketing', '--team', 'sales'], { encoding: 'utf8' });
  const passwd = spawnSync(TANDEM, ['--db', `sqlite:${db}`, 'user', 'passwd', MARKETER],
    { encoding: 'utf8', input: `${MARKETER_PASSWORD}\n` });
  assert.equal(passwd.status, 0, passwd.stderr);
  // The rep with the most open leads, and the lead on top of their inbox.
  const [rep] = query(db, `SELECT u.email AS email, COUNT(*) AS n FROM leads l JOIN users u ON u.id = l.owner_id
    WHERE u.role = 'sales_rep' AND l.stage IN ('mql', 'sal', 'sql', 'opportunity')
    GROUP BY u.email ORDER BY n DESC, u.email LIMIT 1`);
  assert.ok(rep && passwords[rep.email], `a demo rep owns an open lead: ${JSON.stringify(rep)}`);

  const server = await serve(db);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  mkdirSync(SHOTS, { recursive: true });
  const widths = {};
  try {
    await part(t, 'a rep: the inbox as cards, the lead page in one column, a call logged', async () => {
      const page = await signIn(browser, server, rep.email, passwords[rep.email]);
      widths['sign-in'] = page.signInWidth.scrollWidth;
      if (page.signInWidth.scrollWidth > WIDTH) problems.push(`sign-in: the page is ${page.signInWidth.scrollWidth} px wide`);

      await open(page, server, '#/inbox');
      await page.waitForSelector('section[aria-label="Inbox"] tr[data-lead]');
      await checkFits(page, 'inbox', widths);
      // The header's links, the user's name and the sign-out button are all on the screen.
      await checkWithinWidth(page, 'header.top nav a, header.top .who, header.top button', 'the header');
      const rows = await checkWithinWidth(page, 'section[aria-label="Inbox"] tr[data-lead]', 'an inbox row');
      assert.ok(rows >= 1);
      // Each row is a card: the lead's name and the first-contact clock read on the screen.
      await checkWithinWidth(page, 'section[aria-label="Inbox"] tr[data-lead] .who-cell a', 'a lead name');
      await checkWithinWidth(page, 'section[aria-label="Inbox"] tr[data-lead] .sla', 'a first-contact clock');
      await checkWithinWidth(page, 'main button', 'a button on the inbox');
      await shot(page, 'inbox');

      const leadId = await page.getAttribute('section[aria-label="Inbox"] tr[data-lead]', 'data-lead');
      await open(page, server, `#/leads/${leadId}`);
      await page.waitForSelector('section[aria-label="Contact"]');
      await checkFits(page, 'lead', widths);
      assert.ok((await page.textContent('.lead-head h1')).trim().length > 0);
      assert.match(await page.textContent('section[aria-label="Why now"]'), /\S/);
      // One column: the side panel sits below the main one, not beside it.
      const [main, side] = await Promise.all(['.lead-main', '.lead-side'].map((s) => page.locator(s).boundingBox()));
      assert.equal(Math.round(main.x), Math.round(side.x), 'the lead page is one column');
      assert.ok(side.y >= main.y + main.height - 1, 'the side panel follows the main one');
      await checkWithinWidth(page, 'main button', 'a button on the lead page');
      await checkWithinWidth(page, 'main input, main select, main textarea', 'a field on the lead page');

      // Quiet hours in the lead's zone refuse calls at night: the rep records, from the
      // phone, that the lead lives where it is about noon now.
      const call = page.locator('[data-channel=call] button');
      await outOfQuietHours(page);
      if (await call.isEnabled()) {
        const calls = () => query(db, `SELECT COUNT(*) AS n FROM touches WHERE lead_id = ${leadId.slice(3)} AND channel = 'call'`)[0].n;
        const before = calls();
        await call.click();
        await page.waitForSelector('form[aria-label="Log a touch"]');
        await checkWithinWidth(page, 'form[aria-label="Log a touch"] button, #touch-note', 'the touch form');
        await page.fill('#touch-note', 'Called from the road; follow-up demo on Thursday');
        await page.click('form[aria-label="Log a touch"] button[type=submit]');
        await page.waitForSelector('text=Call logged.');
        await page.waitForSelector('.timeline-list >> text=Outbound call — Called from the road');
        assert.equal(calls(), before + 1);
        await checkFits(page, 'lead after the call', widths);
      } else {
        // Refused now (quiet hours in the lead's zone, say): the button and the reasons
        // why are on the screen.
        t.diagnostic(`the call is not allowed now: ${await page.textContent('[data-channel=call]')}`);
        await checkWithinWidth(page, '[data-channel=call] button', 'the call button');
        await checkWithinWidth(page, '[data-channel=call] .reasons li', 'a reason the call is refused');
      }
      await shot(page, 'lead');

      for (const [route, name] of [['#/search', 'search'], ['#/sequences', 'sequences'], ['#/reports', 'reports'], ['#/me', 'me']]) {
        await open(page, server, route);
        await checkFits(page, `${name} (rep)`, widths);
        await checkWithinWidth(page, 'main button', `a button on ${name}`, { scrolled: true });
      }
      assert.deepEqual(page.errors, []);
      await page.context().close();
    });

    await part(t, 'a manager: team, search, reports, experiments, imports', async () => {
      const page = await signIn(browser, server, 'maria.manager@demo.tandem', passwords['maria.manager@demo.tandem']);
      await open(page, server, '#/team');
      await page.waitForSelector('section[aria-label="Never contacted"] tr[data-lead], section[aria-label="Never contacted"] .empty');
      await checkFits(page, 'team', widths);
      await checkWithinWidth(page, 'header.top nav a, header.top .who, header.top button', 'the header');
      await checkWithinWidth(page, '.team tr[data-lead]', 'a team row');
      await checkWithinWidth(page, 'main button', 'a button on the team view');
      // The reassign form opens inside its card.
      const reassign = page.locator('.team tr[data-lead] button:has-text("Reassign…")').first();
      const box = await reassign.count() ? await reassign.boundingBox() : null;
      if (box && box.x + box.width > WIDTH) problems.push(`team: the Reassign button is out of reach at ${Math.round(box.x)}`);
      else if (box) {
        await reassign.click();
        await checkWithinWidth(page, '.team form.reassign select, .team form.reassign input, .team form.reassign button', 'the reassign form');
        await checkFits(page, 'team, reassigning', widths);
      }
      await shot(page, 'team');

      await open(page, server, '#/search');
      await page.waitForSelector('table[aria-label="Leads found"] tr[data-lead]');
      await checkFits(page, 'search', widths);
      await checkWithinWidth(page, 'table[aria-label="Leads found"] tr[data-lead]', 'a search result');
      await checkWithinWidth(page, 'form[aria-label="Filter leads"] input, form[aria-label="Filter leads"] select, form[aria-label="Filter leads"] button', 'a filter');
      await shot(page, 'search');

      for (const [route, name] of [['#/inbox', 'inbox (manager)'], ['#/reports', 'reports'], ['#/experiments', 'experiments'],
        ['#/imports', 'imports'], ['#/sequences', 'sequences'], ['#/me', 'me'], ['#/settings', 'settings'],
        ['#/users', 'users'], ['#/rules', 'rules'], ['#/accounts', 'accounts']]) {
        await open(page, server, route);
        await checkFits(page, name, widths);
      }
      await shot(page, 'me');
      // Every report tab, and an experiment's own page with its chart and table of arms.
      await open(page, server, '#/reports');
      const tabs = await page.locator('nav.tabs a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
      for (const href of tabs) {
        await open(page, server, href);
        await checkFits(page, `reports (${new URLSearchParams(href.split('?')[1]).get('report')})`, widths);
      }
      await shot(page, 'reports');
      const lead = query(db, "SELECT id FROM leads WHERE stage IN ('mql', 'sal', 'sql', 'opportunity') ORDER BY id LIMIT 1")[0].id;
      await open(page, server, `#/leads/ld_${lead}`);
      await page.waitForSelector('section[aria-label="Reassign"]');
      await checkFits(page, 'lead (manager)', widths);
      await checkWithinWidth(page, 'main button', 'a button on the lead page');
      const domain = query(db, "SELECT account_domain AS d FROM leads WHERE account_domain IS NOT NULL LIMIT 1")[0].d;
      await open(page, server, `#/accounts/${domain}`);
      await page.waitForSelector('section[aria-label="Journey"]');
      await checkFits(page, 'an account', widths);
      await open(page, server, '#/experiments');
      await shot(page, 'experiments');
      const experiment = page.locator('table[aria-label="Experiment list"] a').first();
      if (await experiment.count()) {
        await open(page, server, await experiment.getAttribute('href'));
        await page.waitForSelector('table[aria-label="Arms"]');
        await checkFits(page, 'an experiment', widths);
        await shot(page, 'experiment');
      }
      assert.deepEqual(page.errors, []);
      await page.context().close();
    });

    await part(t, 'marketing: home, broadcasts, sequences, experiments, imports', async () => {
      const page = await signIn(browser, server, MARKETER, MARKETER_PASSWORD);
      for (const [route, name] of [['#/home', 'home (marketing)'], ['#/broadcasts', 'broadcasts'], ['#/search', 'search (marketing)'],
        ['#/sequences', 'sequences (marketing)'], ['#/experiments', 'experiments (marketing)'],
        ['#/imports', 'imports (marketing)'], ['#/reports', 'reports (marketing)'], ['#/sources', 'sources (marketing)'],
        ['#/catalog', 'catalog (marketing)']]) {
        await open(page, server, route);
        await checkFits(page, name, widths);
        await checkWithinWidth(page, 'header.top nav a, header.top .who, header.top button', 'the header');
        // The home page is figures and links; every other page has buttons.
        const [controls, what] = route === '#/home' ? ['main a', 'a link'] : ['main button', 'a button'];
        await checkWithinWidth(page, controls, `${what} on ${name}`, { scrolled: true });
      }
      await open(page, server, '#/home');
      await shot(page, 'home');
      await open(page, server, '#/broadcasts');
      await shot(page, 'broadcasts');
      await open(page, server, '#/sequences');
      const sequence = page.locator('a[href^="#/sequences/sq_"]').first();
      if (await sequence.count()) {
        await open(page, server, await sequence.getAttribute('href'));
        await checkFits(page, 'a sequence', widths);
        await shot(page, 'sequence');
      }
      assert.deepEqual(page.errors, []);
      await page.context().close();
    });
  } finally {
    console.log(`# page widths at ${WIDTH} px: ${Object.entries(widths).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    await browser.close();
    server.kill('SIGTERM');
    await exited(server);
    removeDir(dir);
  }
});
