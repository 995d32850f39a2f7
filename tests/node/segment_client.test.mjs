// The unmodified @segment/analytics-node library sends to Tandem as it would to
// Segment: every call arrives once, and the person is stitched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { Analytics } from '@segment/analytics-node';
import { tempDir, removeDir, tandem, serve, exited, query, waitFor } from './harness.mjs';

test('analytics-node delivers every call once, stitched to one person', async () => {
  const dir = tempDir();
  const db = path.join(dir, 'tandem.db');
  const writeKey = tandem(db, 'source', 'add', 'Node backend');
  const server = await serve(db);
  try {
    const analytics = new Analytics({ writeKey, host: server.url, path: '/v1/batch', flushAt: 7, maxRetries: 3 });
    const errors = [];
    analytics.on('error', (err) => errors.push(err));
    const anonymousId = 'anon-7f3a';
    analytics.page({ anonymousId, name: 'SEM Buyer\'s Guide', properties: { path: '/resources/sem-buyers-guide' },
      context: { campaign: { source: 'google', medium: 'cpc', name: 'sem-buyers-guide', term: 'lead scoring tool' } } });
    for (let i = 0; i < 20; i++) {
      analytics.track({ anonymousId, event: 'Page Scrolled', properties: { depth: i * 5 } });
    }
    analytics.track({ anonymousId, event: 'Content Downloaded', properties: { asset_id: 'sem-buyers-guide' } });
    analytics.identify({ anonymousId, userId: 'user-42', traits: { email: 'Ada.Lovelace@Example.com', name: 'Ada Lovelace' } });
    analytics.group({ userId: 'user-42', groupId: 'northwind', traits: { name: 'Northwind', domain: 'northwind.example' } });
    analytics.screen({ userId: 'user-42', name: 'Dashboard' });
    analytics.alias({ userId: 'user-42', previousId: 'crm-9981' });
    const sent = 26;
    await analytics.closeAndFlush({ timeout: 10000 });
    assert.deepEqual(errors, []);

    const counts = query(db, 'SELECT COUNT(*) AS n, COUNT(DISTINCT message_id) AS distinct_ids FROM events')[0];
    assert.equal(counts.n, sent, 'every call stored');
    assert.equal(counts.distinct_ids, sent, 'each once');
    const types = query(db, 'SELECT type, COUNT(*) AS n FROM events GROUP BY type ORDER BY type');
    assert.deepEqual(types, [
      { type: 'alias', n: 1 }, { type: 'group', n: 1 }, { type: 'identify', n: 1 },
      { type: 'page', n: 1 }, { type: 'screen', n: 1 }, { type: 'track', n: 21 },
    ]);
    const page = JSON.parse(query(db, "SELECT payload FROM events WHERE type = 'page'")[0].payload);
    assert.equal(page.context.library.name, '@segment/analytics-node');
    assert.equal(page.context.campaign.term, 'lead scoring tool');
    assert.ok(page.receivedAt && page.timestamp && page.messageId);

    await waitFor(() => query(db, 'SELECT COUNT(*) AS n FROM events WHERE person_id IS NULL')[0].n === 0,
      { what: 'identity stitching' });
    const persons = query(db, 'SELECT DISTINCT person_id FROM events');
    assert.equal(persons.length, 1, 'anonymous and identified activity belong to one person');
    const identities = query(db, `SELECT kind, value FROM identities WHERE person_id = ${persons[0].person_id} ORDER BY kind, value`);
    assert.deepEqual(identities, [
      { kind: 'anonymous_id', value: 'anon-7f3a' }, { kind: 'anonymous_id', value: 'crm-9981' },
      { kind: 'email', value: 'ada.lovelace@example.com' }, { kind: 'user_id', value: 'user-42' },
    ]);
  } finally {
    server.kill('SIGTERM');
    assert.equal(await exited(server), 0, 'graceful stop exits 0');
    removeDir(dir);
  }
});

test('the browser library short forms and its settings document work', async () => {
  const dir = tempDir();
  const db = path.join(dir, 'tandem.db');
  const writeKey = tandem(db, 'source', 'add', 'Website');
  const server = await serve(db);
  try {
    const settings = await (await fetch(`${server.url}/v1/projects/${writeKey}/settings`)).json();
    assert.equal(settings.integrations['Segment.io'].apiHost, `127.0.0.1:${server.port}/v1`);
    // analytics.js sends text/plain bodies with the write key inside, to avoid a CORS preflight.
    const res = await fetch(`${server.url}/v1/t`, {
      method: 'POST', headers: { 'Content-Type': 'text/plain' },
      body: JSON.stringify({ writeKey, anonymousId: 'b1', event: 'Clicked CTA', messageId: 'ajs-1' }),
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.equal(query(db, "SELECT COUNT(*) AS n FROM events WHERE message_id = 'ajs-1'")[0].n, 1);
  } finally {
    server.kill('SIGTERM');
    await exited(server);
    removeDir(dir);
  }
});
