// kill -9 during a sustained ingest, then restart: every event that was answered
// 200 is in the store, exactly once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { tempDir, removeDir, tandem, serve, exited, query, waitFor, postBatch as post } from './harness.mjs';

test('acknowledged events survive kill -9, stored once', async () => {
  const dir = tempDir();
  const db = path.join(dir, 'tandem.db');
  const writeKey = tandem(db, 'source', 'add', 'Load');
  let server = await serve(db);
  const acked = [];
  let attempted = 0;
  let killed = false;
  const sender = async (worker) => {
    for (let n = 0; !killed; n++) {
      const ids = Array.from({ length: 25 }, (_, i) => `w${worker}-${n}-${i}`);
      const batch = ids.map((id, i) => ({ type: i % 5 ? 'track' : 'page', anonymousId: `v${worker}-${n % 40}`,
        event: 'Viewed Pricing', name: 'Pricing', messageId: id }));
      attempted += ids.length;
      try {
        if (await post(server.url, writeKey, { batch }) === 200) acked.push(...ids);
      } catch {
        // the server died mid-request: not acknowledged, so not promised
      }
    }
  };
  const senders = Array.from({ length: 8 }, (_, w) => sender(w));
  await waitFor(() => acked.length >= 30000, { timeoutMs: 60000, what: "30,000 acknowledged events" });
  server.kill('SIGKILL');
  await exited(server);
  killed = true;
  await Promise.all(senders);
  console.log(`acknowledged ${acked.length} of ${attempted} attempted events before kill -9`);

  server = await serve(db);  // restart on the same file: recovery must not lose anything
  try {
    const stored = new Map(query(db, 'SELECT message_id, COUNT(*) AS n FROM events GROUP BY message_id')
      .map((r) => [r.message_id, r.n]));
    const missing = acked.filter((id) => !stored.has(id));
    assert.equal(missing.length, 0, `acknowledged but missing: ${missing.slice(0, 5)}`);
    assert.ok([...stored.values()].every((n) => n === 1), 'no event stored twice');
    // The pipeline resumes where it stopped and processes every event once.
    await waitFor(() => query(db, 'SELECT COUNT(*) AS n FROM events WHERE person_id IS NULL')[0].n === 0,
      { timeoutMs: 30000, what: 'the pipeline to catch up after restart' });
    // A client retrying a batch it never got an answer for does not duplicate it.
    const replay = acked.slice(0, 25).map((id) => ({ type: 'track', anonymousId: 'r', event: 'E', messageId: id }));
    assert.equal(await post(server.url, writeKey, { batch: replay }), 200);
    assert.equal(query(db, 'SELECT COUNT(*) AS n FROM events')[0].n, stored.size);
  } finally {
    server.kill('SIGTERM');
    assert.equal(await exited(server), 0);
    removeDir(dir);
  }
});
