// Two `tandem serve` processes on one PostgreSQL database, as behind a load balancer:
// the invariants hold across them — one owner per lead, the contact gate lets through
// only what policy allows, every webhook is delivered once, each SLA timer fires once —
// and kill -9 of one instance loses no acknowledged event while the other serves on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tempDir, removeDir, tandem, serve, exited, query, waitFor, pgSchema } from './harness.mjs';

// A webhook receiver on loopback that answers 200 and keeps what it got.
async function receiver() {
  const got = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      got.push({ uid: req.headers['tandem-delivery'], type: req.headers['tandem-event'], body });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}/hook`, got, close: () => server.close() };
}

async function send(url, writeKey, batch) {
  const res = await fetch(`${url}/v1/batch`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json',
      Authorization: 'Basic ' + Buffer.from(`${writeKey}:`).toString('base64') },
    body: JSON.stringify({ batch }),
  });
  await res.arrayBuffer();
  return res.status;
}

async function touch(url, token, leadId) {
  const res = await fetch(`${url}/api/v1/leads/ld_${leadId}/touches`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ channel: 'email', purpose: 'sales_outreach', direction: 'outbound' }),
  });
  return { status: res.status, body: await res.json() };
}

function psql(db, sql) {
  execFileSync('psql', [db, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', sql]);
}

const count = (db, sql) => Number(query(db, sql)[0].n);

test('two instances on one PostgreSQL: one owner, the gate, webhooks and SLA timers hold', async () => {
  const { url: db, drop } = pgSchema();
  const dir = tempDir();
  const hooks = await receiver();
  const config = path.join(dir, 'tandem.toml');
  writeFileSync(config, [
    '[sla]', 'on_breach = "notify"', 'check_interval_s = 1',
    'business_days = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]', '',
    '[contact]', 'max_touches = 3', 'max_touches_days = 7', '',
    '[[webhooks]]', `url = "${hooks.url}"`, 'secret = "a-webhook-secret-long-enough"', ''].join('\n'));
  const writeKey = tandem(db, 'source', 'add', 'Web');
  const tokens = {};
  for (const rep of ['ann', 'bob', 'cem']) {
    tokens[rep] = tandem(db, 'user', 'add', `${rep}@seller.example`, '--name', rep, '--role', 'sales_rep',
      '--team', 'sales');
  }
  const a = await serve(db, { config });
  const b = await serve(db, { config });
  try {
    // 30 prospects; each one's events go to both instances at once, and every batch is
    // also replayed to the other instance (a client retrying through the balancer).
    const persons = 30;
    const batches = [];
    for (let p = 0; p < persons; p++) {
      const anon = `anon-${p}`;
      batches.push([
        { type: 'page', anonymousId: anon, name: 'Pricing', properties: { path: '/pricing' }, messageId: `p${p}-1` },
        { type: 'identify', anonymousId: anon, userId: `u${p}`, messageId: `p${p}-2`,
          traits: { email: `person${p}@buyer${p}.example`, name: `Person ${p}`, title: 'VP Marketing' } },
      ]);
      batches.push([
        { type: 'track', userId: `u${p}`, event: 'Demo Requested', messageId: `p${p}-3` },
        { type: 'page', anonymousId: anon, name: 'Docs', properties: { path: '/docs' }, messageId: `p${p}-4` },
      ]);
    }
    const statuses = await Promise.all(batches.flatMap((batch, i) => [
      send((i % 2 ? a : b).url, writeKey, batch),
      send((i % 2 ? b : a).url, writeKey, batch),
    ]));
    assert.ok(statuses.every((s) => s === 200), `every batch accepted: ${statuses}`);
    assert.equal(count(db, 'SELECT COUNT(*) AS n FROM events'), persons * 4, 'replays stored once');

    await waitFor(() => count(db, 'SELECT COUNT(*) AS n FROM leads WHERE owner_id IS NOT NULL') === persons,
      { timeoutMs: 60000, what: 'every hand-raiser to be routed' });
    assert.deepEqual(query(db, `SELECT lead_id FROM assignments WHERE ended_at IS NULL
      GROUP BY lead_id HAVING COUNT(*) > 1`), [], 'no lead has two open assignments');
    assert.deepEqual(query(db, `SELECT lead_id, COUNT(*) AS n FROM assignments
      GROUP BY lead_id HAVING COUNT(*) <> 1`), [], 'each lead was assigned once, not fought over');
    assert.deepEqual(query(db, `SELECT l.id FROM leads l LEFT JOIN assignments s
      ON s.lead_id = l.id AND s.ended_at IS NULL WHERE l.owner_id IS DISTINCT FROM s.user_id`), [],
      "every lead's owner is its open assignment's user");
    const perRep = query(db, 'SELECT owner_id, COUNT(*) AS n FROM leads GROUP BY owner_id');
    assert.equal(perRep.length, 3, 'round robin spread the leads over the three reps');
    assert.ok(perRep.every((r) => r.n === 10), `10 each: ${JSON.stringify(perRep)}`);

    // 16 contact attempts on one lead at once, half through each instance: 12 by the
    // owner, 4 by another rep. Policy allows the owner 3 touches in 7 days; nobody else.
    const lead = query(db, "SELECT id, owner_id FROM leads WHERE email = 'person0@buyer0.example'")[0];
    const users = Object.fromEntries(query(db, 'SELECT id, email FROM users').map((u) => [u.id, u.email]));
    const owner = users[lead.owner_id].split('@')[0];
    const other = ['ann', 'bob', 'cem'].find((r) => r !== owner);
    const attempts = await Promise.all(Array.from({ length: 16 }, (_, i) =>
      touch((i % 2 ? a : b).url, tokens[i % 4 === 3 ? other : owner], lead.id)
        .then((r) => ({ ...r, by: i % 4 === 3 ? other : owner }))));
    const allowed = attempts.filter((r) => r.status === 201);
    assert.equal(allowed.length, 3, `exactly the 3 allowed touches: ${JSON.stringify(attempts.map((r) => r.status))}`);
    assert.ok(allowed.every((r) => r.by === owner), 'only the owner got through');
    assert.ok(attempts.filter((r) => r.status !== 201).every((r) => r.status === 409), 'the rest refused by the gate');
    const reasons = attempts.filter((r) => r.status === 409).flatMap((r) => r.body.reasons.map((x) => x.code));
    assert.ok(reasons.includes('frequency_cap') && reasons.includes('not_owner'), `reasons: ${[...new Set(reasons)]}`);
    assert.equal(count(db, `SELECT COUNT(*) AS n FROM touches WHERE lead_id = ${lead.id}`), 3);

    // Every other lead's first-contact deadline passes (moved, not waited for): both
    // instances' SLA timers see them due; each fires once.
    const past = Date.now() - 60000;
    psql(db, `UPDATE assignments SET sla_warn_at = ${past}, sla_due_at = ${past + 1000}
      WHERE ended_at IS NULL AND first_touch_at IS NULL`);
    await waitFor(() => count(db, "SELECT COUNT(*) AS n FROM lead_log WHERE kind = 'sla_breached'") >= persons - 1,
      { timeoutMs: 60000, what: 'the SLA timers to fire' });
    await new Promise((r) => setTimeout(r, 2500));  // two more passes of both schedulers
    assert.deepEqual(query(db, `SELECT lead_id FROM lead_log WHERE kind = 'sla_breached'
      GROUP BY lead_id HAVING COUNT(*) > 1`), [], 'no SLA timer fired twice');
    assert.equal(count(db, "SELECT COUNT(*) AS n FROM lead_log WHERE kind = 'sla_breached'"), persons - 1);

    // Every webhook message is delivered, each once.
    try {
      await waitFor(() => count(db, "SELECT COUNT(*) AS n FROM deliveries WHERE state <> 'delivered'") === 0,
        { timeoutMs: 60000, what: 'every webhook to be delivered' });
    } catch (e) {
      const pending = query(db, `SELECT d.id, o.type, d.attempts, d.next_attempt_at - ${Date.now()} AS due_in_ms,
        d.last_error FROM deliveries d JOIN outbox o ON o.id = d.outbox_id WHERE d.state <> 'delivered'`);
      throw new Error(`${e.message}; ${hooks.got.length} received; pending: ${JSON.stringify(pending.slice(0, 10))}`);
    }
    const outbox = query(db, 'SELECT uid, type FROM outbox');
    const received = hooks.got.map((g) => g.uid);
    assert.equal(new Set(received).size, received.length, 'no message delivered twice');
    assert.deepEqual([...received].sort(), outbox.map((m) => m.uid).sort(), 'every message delivered');
    assert.equal(hooks.got.filter((g) => g.type === 'lead.sla_breached').length, persons - 1);
    assert.equal(hooks.got.filter((g) => g.type === 'lead.assigned').length, persons);
    console.log(`two instances: ${outbox.length} webhooks delivered once each, ${persons - 1} SLA breaches fired once each`);
  } finally {
    for (const server of [a, b]) server.kill('SIGTERM');
    assert.equal(await exited(a), 0);
    assert.equal(await exited(b), 0);
    hooks.close();
    removeDir(dir);
    drop();
  }
});

test('kill -9 of one instance during ingest: every acknowledged event stored once, the other serves on', async () => {
  const { url: db, drop } = pgSchema();
  const writeKey = tandem(db, 'source', 'add', 'Load');
  const a = await serve(db);
  const b = await serve(db);
  const acked = [];
  let ackedByBAfterKill = 0;
  let killed = false;
  let stop = false;
  const sender = async (worker, server) => {
    for (let n = 0; !stop; n++) {
      const ids = Array.from({ length: 25 }, (_, i) => `w${worker}-${n}-${i}`);
      const batch = ids.map((id, i) => ({ type: i % 5 ? 'track' : 'page', anonymousId: `v${worker}-${n % 40}`,
        event: 'Viewed Pricing', name: 'Pricing', messageId: id }));
      try {
        if (await send(server.url, writeKey, batch) === 200) {
          acked.push(...ids);
          if (killed && server === b) ackedByBAfterKill += ids.length;
        }
      } catch {
        if (server === a && killed) return;  // the killed instance: nothing more to send it
      }
    }
  };
  const senders = Array.from({ length: 8 }, (_, w) => sender(w, w % 2 ? a : b));
  try {
    await waitFor(() => acked.length >= 10000, { timeoutMs: 60000, what: '10,000 acknowledged events' });
    a.kill('SIGKILL');
    await exited(a);
    killed = true;
    await waitFor(() => ackedByBAfterKill >= 2500, { timeoutMs: 60000, what: 'the other instance to go on serving' });
    stop = true;
    await Promise.all(senders);
    console.log(`acknowledged ${acked.length} events, ${ackedByBAfterKill} by the survivor after kill -9 of the other`);

    const stored = new Map(query(db, 'SELECT message_id, COUNT(*) AS n FROM events GROUP BY message_id')
      .map((r) => [r.message_id, Number(r.n)]));
    const missing = acked.filter((id) => !stored.has(id));
    assert.equal(missing.length, 0, `acknowledged but missing: ${missing.slice(0, 5)}`);
    assert.ok([...stored.values()].every((n) => n === 1), 'no event stored twice');
    // The survivor's pipeline processes everything, the dead instance's events too.
    try {
      await waitFor(() => count(db, 'SELECT COUNT(*) AS n FROM events WHERE person_id IS NULL') === 0,
        { timeoutMs: 120000, what: 'the pipeline to process every event' });
    } catch (e) {
      const left = count(db, 'SELECT COUNT(*) AS n FROM events WHERE person_id IS NULL');
      throw new Error(`${e.message}: ${left} of ${stored.size} still unprocessed`);
    }
  } finally {
    stop = true;
    b.kill('SIGTERM');
    assert.equal(await exited(b), 0);
    drop();
  }
});
