// What the browser tests of the web app share: chromium's arguments, the SMTP sink
// (tests/support/smtp_sink.py, Debian's python3-aiosmtpd) on a free port, users with a
// password, API calls with a token, and signing in through the page.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdirSync, readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { TANDEM, tandem, waitFor } from '../node/harness.mjs';

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
export const SHOTS = path.resolve('build/screenshots');
export const PASSWORD = 'sunflower-meadow-7';

// The SMTP sink on a free port; resolves once it listens.
export async function startSink(dir) {
  const mail = path.join(dir, 'mail');
  const portFile = path.join(dir, 'smtp.port');
  mkdirSync(mail);
  const child = spawn('/usr/bin/python3', ['tests/support/smtp_sink.py', '--dir', mail, '--port-file', portFile],
    { stdio: ['ignore', 'ignore', 'inherit'] });
  await waitFor(() => existsSync(portFile) && readFileSync(portFile, 'utf8').trim() !== '', { what: 'the SMTP sink listening' });
  child.port = Number(readFileSync(portFile, 'utf8').trim());
  // Every complete message: its envelope and the raw message, soft line breaks undone.
  child.messages = () => readdirSync(mail).filter((f) => f.endsWith('.json')).sort().map((f) => {
    const meta = JSON.parse(readFileSync(path.join(mail, f), 'utf8'));
    const raw = readFileSync(path.join(mail, meta.eml), 'utf8');
    return { ...meta, raw, text: raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=') };
  });
  return child;
}

// A user of the sales team, on duty all day in UTC, with PASSWORD; returns an API token.
export function addUser(db, email, name, role) {
  const token = tandem(db, 'user', 'add', email, '--name', name, '--role', role, '--team', 'sales',
    '--timezone', 'UTC', '--hours', '00:00-23:59');
  const passwd = spawnSync(TANDEM, ['--db', `sqlite:${db}`, 'user', 'passwd', email], { encoding: 'utf8', input: `${PASSWORD}\n` });
  assert.equal(passwd.status, 0, passwd.stderr);
  return token;
}

export async function call(server, token, method, target, body) {
  const r = await fetch(`${server.url}${target}`, { method, body: body && JSON.stringify(body),
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });
  return { status: r.status, body: await r.json() };
}

// A page signed in as `email` (with PASSWORD unless `password` is given), collecting the
// page's script errors in `page.errors`. `context` sets the browser context's options (a
// phone's viewport, say); `beforeSignIn(page)` runs on the sign-in page.
export async function signIn(browser, server, email, { password = PASSWORD, context: options, beforeSignIn } = {}) {
  const context = await browser.newContext(options ?? { viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (err) => page.errors.push(err.message));
  await page.goto(`${server.url}/app/`);
  if (beforeSignIn) await beforeSignIn(page);
  await page.fill('#email', email);
  await page.fill('#password', password);
  await page.click('button[type=submit]');
  await page.waitForSelector('header.top');
  return page;
}

// A customer's website on its own port: `pages` maps a path to its HTML (`fallback` for
// any other path; 404 without one). Resolves with the server, its address in `url`.
export function serveSite(pages, fallback) {
  const server = createServer((req, res) => {
    const page = pages[new URL(req.url, 'http://x').pathname] ?? fallback;
    res.writeHead(page ? 200 : 404, { 'content-type': 'text/html' });
    res.end(page ?? 'not found');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    server.url = `http://127.0.0.1:${server.address().port}`;
    resolve(server);
  }));
}

// A demo workspace (`tandem demo`) in `dir`: its database file and each demo user's
// password, by email.
export function demoWorkspace(dir) {
  const db = path.join(dir, 'demo.db');
  const out = execFileSync(TANDEM, ['--db', `sqlite:${db}`, 'demo'], { encoding: 'utf8' });
  const passwords = Object.fromEntries(
    [...out.matchAll(/demo user (\S+) \(\w+\): password (\S+)/g)].map((m) => [m[1], m[2]]));
  assert.ok(passwords['maria.manager@demo.tandem'], out);
  return { db, passwords, out };
}

// A zone where it is about noon now, so quiet hours do not refuse a call.
export function middayZone() {
  const east = ((12 - new Date().getUTCHours() + 36) % 24) - 12;  // hours east of UTC, -12..11
  return east === 0 ? 'Etc/GMT' : `Etc/GMT${east > 0 ? '-' : '+'}${Math.abs(east)}`;
}

// On a lead page whose call is refused for quiet hours in the lead's zone: records, as
// the page's preferences form does, that the lead lives where it is about noon now.
export async function outOfQuietHours(page) {
  if (!(await page.locator('[data-channel=call] .reasons li[data-code=quiet_hours]').count())) return;
  const prefs = page.locator('form[aria-label="Contact preferences"]');
  await prefs.locator('#timezone').fill(middayZone());
  await prefs.locator('button[type=submit]').click();
  await prefs.locator('text=Saved.').waitFor();
  await page.waitForFunction(() => !document.querySelector('[data-channel=call] li[data-code=quiet_hours]'));
}
