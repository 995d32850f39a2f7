// Segment's own browser library (@segment/analytics-next, unmodified, its UMD build from
// npm) in Debian's chromium, on a page of another origin, with `cdnURL` pointed at Tandem:
// the settings, CORS preflights, standard and batching delivery, and retries after a
// failed request — each event stored exactly once.
//
// A small proxy in front of Tandem relays everything and records what the browser sent;
// when told to, it answers the next ingest request itself with a 503 or a 429 and
// Retry-After, carrying the CORS headers Tandem puts on its own error answers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request as httpRequest } from 'node:http';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { tandem, tempDir, removeDir, serve, exited, query, waitFor } from '../node/harness.mjs';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const LIBRARY = readFileSync(path.resolve('node_modules/@segment/analytics-next/dist/umd/index.js'));
const INGEST = /^\/v1\/(identify|track|page|screen|group|alias|batch|[itpsgab])$/;

function listen(server) {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    server.url = `http://127.0.0.1:${server.address().port}`;
    resolve(server);
  }));
}

function readBody(req) {
  return new Promise((resolve) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

// One request to Tandem; resolves to { status, headers, body }.
function forward(tandemPort, { method, url, headers }, body) {
  return new Promise((resolve, reject) => {
    const upstream = httpRequest({ host: '127.0.0.1', port: tandemPort, method, path: url, headers },
      (res) => readBody(res).then((b) => resolve({ status: res.statusCode, headers: res.headers, body: b })));
    upstream.on('error', reject);
    upstream.end(body);
  });
}

// The proxy: relays to Tandem (the Host header too, so Tandem's settings point the
// browser back here), records every request, and fails the next ingest request on demand.
async function proxyTo(tandemPort) {
  const seen = [];
  let failures = [];
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    const pathname = req.url.split('?')[0];
    seen.push({ method: req.method, path: pathname, headers: req.headers, at: Date.now(),
      body: body.toString() });
    if (req.method === 'POST' && INGEST.test(pathname) && failures.length > 0) {
      const { status, retryAfter } = failures.shift();
      // Tandem's own CORS headers on an error answer: those of the same request with an
      // empty body, which Tandem refuses (400) and stores nothing of.
      const probe = await forward(tandemPort,
        { method: req.method, url: req.url, headers: { ...req.headers, 'content-length': '0' } }, '');
      const headers = { 'content-type': 'application/json', 'retry-after': String(retryAfter) };
      for (const [k, v] of Object.entries(probe.headers)) {
        if (k.startsWith('access-control-')) headers[k] = v;
      }
      seen.at(-1).answered = status;
      res.writeHead(status, headers);
      res.end(JSON.stringify({ error: { code: 'test_failure', message: 'failed by the test proxy' } }));
      return;
    }
    const answer = await forward(tandemPort, req, body);
    seen.at(-1).answered = answer.status;
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  });
  await listen(server);
  server.seen = seen;
  server.failNext = (status, retryAfter) => failures.push({ status, retryAfter });
  server.reset = () => { seen.length = 0; failures = []; };
  return server;
}

// The customer's website, on its own origin: a page and the library's UMD build.
async function website() {
  const server = createServer((req, res) => {
    const pathname = req.url.split('?')[0];
    if (pathname === '/analytics-next.js') {
      res.writeHead(200, { 'content-type': 'application/javascript' });
      return res.end(LIBRARY);
    }
    if (pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html' });
      return res.end('<!doctype html><title>Acme pricing</title><script src="/analytics-next.js"></script><h1>Pricing</h1>');
    }
    res.writeHead(pathname === '/favicon.ico' ? 204 : 404);
    res.end();
  });
  return listen(server);
}

let dir, db, writeKey, server, proxy, site, browser;

before(async () => {
  dir = tempDir();
  db = path.join(dir, 't.db');
  writeKey = tandem(db, 'source', 'add', 'Acme website');
  server = await serve(db);
  proxy = await proxyTo(server.port);
  site = await website();
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  proxy?.close();
  site?.close();
  if (server) {
    server.kill('SIGTERM');
    await exited(server);
  }
  if (dir) removeDir(dir);
});

// A fresh browser profile on the site's page, the library loaded with `cdnURL`; returns
// the page, and the URLs of requests that went anywhere but the site and the proxy.
async function openPage({ cdnURL, options = {} }) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const elsewhere = [];
  const errors = [];
  page.on('request', (r) => {
    const origin = new URL(r.url()).origin;
    if (origin !== site.url && origin !== proxy.url) elsewhere.push(r.url());
  });
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('requestfailed', (r) => errors.push(`${r.method()} ${r.url()}: ${r.failure()?.errorText}`));
  await page.goto(`${site.url}/`);
  await page.evaluate(async ({ writeKey, cdnURL, options }) => {
    const [analytics] = await window.AnalyticsNext.AnalyticsBrowser.load({ writeKey, cdnURL }, options);
    window.analytics = analytics;
  }, { writeKey, cdnURL, options });
  return { context, page, elsewhere, errors };
}

function storedEvents(where) {
  return query(db, `SELECT message_id, type, payload FROM events WHERE ${where} ORDER BY id`)
    .map((r) => ({ ...r, payload: JSON.parse(r.payload) }));
}

function eventsNamed(name) {
  return storedEvents(`type = 'track' AND event = '${name}'`);
}

// The POSTs to `path` the proxy has answered, once there are `count` of them.
async function answeredSends(path, count) {
  const sends = () => proxy.seen.filter((r) => r.method === 'POST' && r.path === path);
  await waitFor(() => sends().filter((r) => r.answered).length >= count,
    { what: `${count} answered POST ${path}` });
  return sends();
}

const BATCHING = { integrations: { 'Segment.io': { deliveryStrategy: { strategy: 'batching', config: { size: 3, timeout: 2000 } } } } };

test('standard delivery: settings through a cdnURL ending in "/", preflighted sends, every call stored', async () => {
  proxy.reset();
  const { context, page, elsewhere, errors } = await openPage({ cdnURL: `${proxy.url}/` });
  try {
    const settings = proxy.seen.find((r) => r.path.endsWith(`/v1/projects/${writeKey}/settings`));
    assert.equal(settings?.path, `//v1/projects/${writeKey}/settings`, 'the library asks with the doubled slash');
    assert.equal(settings.answered, 200);
    await page.evaluate(async () => {
      await window.analytics.identify('user-std', { email: 'sam@buyer.example', name: 'Sam Roe' });
      await window.analytics.track('Pricing Viewed', { plan: 'pro' });
      await window.analytics.page('Pricing');
    });
    await waitFor(() => storedEvents("user_id = 'user-std'").length === 3,
      { what: 'identify, track and page of user-std' });
    const stored = storedEvents("user_id = 'user-std'");
    assert.deepEqual(stored.map((e) => e.type).sort(), ['identify', 'page', 'track']);
    const track = stored.find((e) => e.type === 'track').payload;
    assert.equal(track.event, 'Pricing Viewed');
    assert.equal(track.properties.plan, 'pro');
    assert.equal(track.context.library.name, 'analytics.js');
    assert.equal(stored.find((e) => e.type === 'identify').payload.traits.email, 'sam@buyer.example');
    const posts = proxy.seen.filter((r) => r.method === 'POST').map((r) => r.path).sort();
    assert.deepEqual(posts, ['/v1/i', '/v1/p', '/v1/t']);
    assert.ok(proxy.seen.some((r) => r.method === 'OPTIONS'), 'the browser preflighted its sends');
    assert.deepEqual(elsewhere, [], 'nothing is loaded from anywhere but the site and Tandem');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('batching delivery: events sent together to /v1/b, each stored once', async () => {
  proxy.reset();
  const { context, page, elsewhere } = await openPage({ cdnURL: proxy.url, options: BATCHING });
  try {
    await page.evaluate(async () => {
      window.analytics.track('Batched One', { n: 1 });
      window.analytics.track('Batched Two', { n: 2 });
      window.analytics.track('Batched Three', { n: 3 });
    });
    await waitFor(() => storedEvents("event LIKE 'Batched %'").length === 3,
      { what: 'the three batched events' });
    const batches = proxy.seen.filter((r) => r.method === 'POST');
    assert.deepEqual(batches.map((r) => r.path), ['/v1/b'], 'one request carried all three');
    assert.equal(JSON.parse(batches[0].body).batch.length, 3);
    for (const name of ['Batched One', 'Batched Two', 'Batched Three']) {
      assert.equal(eventsNamed(name).length, 1, name);
    }
    assert.deepEqual(elsewhere, []);
  } finally {
    await context.close();
  }
});

test('a 503 is retried with X-Retry-Count and the event stored exactly once', async () => {
  proxy.reset();
  const { context, page } = await openPage({ cdnURL: proxy.url });
  try {
    proxy.failNext(503, 1);
    await page.evaluate(() => { window.analytics.track('Demo Requested', { form: 'demo-request' }); });
    await waitFor(() => eventsNamed('Demo Requested').length === 1,
      { timeoutMs: 20000, what: 'the retried event' });
    const sends = await answeredSends('/v1/t', 2);
    assert.deepEqual(sends.map((r) => r.answered), [503, 200], 'the retry reached Tandem');
    assert.equal(sends[1].headers['x-retry-count'], '1');
    assert.equal(JSON.parse(sends[0].body).messageId, JSON.parse(sends[1].body).messageId,
      'the retry is the same message');
    await new Promise((r) => setTimeout(r, 500));  // nothing more arrives
    assert.equal(eventsNamed('Demo Requested').length, 1);
  } finally {
    await context.close();
  }
});

test('a 429 is retried after the Retry-After the library can read, and stored exactly once', async () => {
  proxy.reset();
  const { context, page } = await openPage({ cdnURL: proxy.url });
  try {
    proxy.failNext(429, 3);
    await page.evaluate(() => { window.analytics.track('Trial Started', { plan: 'team' }); });
    await waitFor(() => eventsNamed('Trial Started').length === 1,
      { timeoutMs: 20000, what: 'the event sent again after Retry-After' });
    const sends = await answeredSends('/v1/t', 2);
    assert.deepEqual(sends.map((r) => r.answered), [429, 200]);
    const waited = sends[1].at - sends[0].at;
    // Without Retry-After the library backs off ~1 s; it can only wait 3 s by reading it.
    assert.ok(waited >= 2800, `the retry waited the 3 s of Retry-After (waited ${waited} ms)`);
    assert.equal(eventsNamed('Trial Started').length, 1);
  } finally {
    await context.close();
  }
});

test('batching delivery: a batch answered 503 is sent again with X-Retry-Count, each event stored once', async () => {
  proxy.reset();
  const { context, page } = await openPage({ cdnURL: proxy.url, options: BATCHING });
  try {
    proxy.failNext(503, 1);
    await page.evaluate(() => {
      for (const n of [1, 2, 3]) window.analytics.track('Batch Retried', { n });
    });
    await waitFor(() => eventsNamed('Batch Retried').length === 3,
      { timeoutMs: 20000, what: 'the retried batch' });
    const sends = await answeredSends('/v1/b', 2);
    assert.equal(sends[0].answered, 503);
    const retry = sends.find((r) => r.headers['x-retry-count'] === '1');
    assert.equal(retry?.answered, 200, 'the failed batch was sent again and reached Tandem');
    const idsOf = (r) => JSON.parse(r.body).batch.map((m) => m.messageId).sort();
    assert.deepEqual(idsOf(retry), idsOf(sends[0]), 'the same messages');
    await new Promise((r) => setTimeout(r, 500));  // nothing more arrives
    const ids = eventsNamed('Batch Retried').map((e) => e.message_id);
    assert.equal(ids.length, 3);
    assert.equal(new Set(ids).size, 3);
  } finally {
    await context.close();
  }
});
