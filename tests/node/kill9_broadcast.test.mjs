// kill -9 during a broadcast, then restart on the same database: nobody receives a
// second copy of a message. The relay is a real SMTP server (tests/support/smtp_sink.py
// on Debian's Python with aiosmtpd) keeping every message it accepts.
//
// The restarted server finishes the broadcast by itself: every send that was queued when
// it died is delivered. Of the sends the dead process had claimed, once their claim runs
// out ([email] claim_s, short here), the one each connection was in the middle of becomes
// interrupted and is never sent again by itself; the rest of its claim, never tried, is
// delivered. None is sent twice; at most [email] connections sends are interrupted; the
// broadcast ends done.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir, removeDir, tandem, serve, exited, query, waitFor } from './harness.mjs';

const LEADS = 240;
const CONNECTIONS = 2;

// The SMTP sink, keeping each message in `dir`; resolves with the child and its port.
async function startSink(dir) {
  const portFile = path.join(dir, 'port');
  const child = spawn('/usr/bin/python3', [path.resolve('tests/support/smtp_sink.py'), '--dir', dir,
    '--port-file', portFile], { stdio: ['ignore', 'ignore', 'inherit'] });
  await waitFor(() => existsSync(portFile) && readFileSync(portFile, 'utf8').trim() !== '',
    { what: 'the SMTP sink to listen' });
  child.smtpPort = Number(readFileSync(portFile, 'utf8').trim());
  return child;
}

// The messages the sink accepted: recipient and Message-ID of each.
function received(dir) {
  return readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => {
    const meta = JSON.parse(readFileSync(path.join(dir, f), 'utf8'));
    const eml = readFileSync(path.join(dir, meta.eml), 'utf8');
    const id = eml.match(/^Message-ID:\s*<([^>\r\n]+)>/mi);
    return { to: meta.rcpt_tos.map((a) => a.toLowerCase()), messageId: id ? id[1] : '' };
  });
}

async function api(server, token, method, target, body) {
  const res = await fetch(`${server.url}${target}`, {
    method,
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function ingest(server, writeKey, batch) {
  const res = await fetch(`${server.url}/v1/batch`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: 'Basic ' + Buffer.from(`${writeKey}:`).toString('base64') },
    body: JSON.stringify({ batch }),
  });
  await res.arrayBuffer();
  assert.equal(res.status, 200);
}

function writeConfig(dir, smtpPort) {
  const file = path.join(dir, 'tandem.toml');
  writeFileSync(file, `[server]
public_url = "https://t.example.com"

[limits]
api_per_client_per_minute = 0
api_per_token_per_minute = 0

[email]
relay = "smtp://127.0.0.1:${smtpPort}"
starttls = "off"
connections = ${CONNECTIONS}
rate_per_second = 40        # slow enough for the kill to land mid-broadcast
claim_s = 5                 # a claim the dead process held runs out soon
from_address = "news@meetco.example"
from_name = "MeetCo"
company_name = "MeetCo"
postal_address = "12 Harbour Road, Leith EH6 6LX"
`);
  return file;
}

// LEADS leads with a marketing consent, a template, a filter of them all, a broadcast;
// the broadcast's id.
async function prepare(server, db, writeKey, token) {
  const batch = Array.from({ length: LEADS }, (_, i) => ({ type: 'identify', userId: `k${i}`,
    traits: { email: `reader${i}@k9.example`, name: `Reader ${i}`, timezone: 'Europe/London' } }));
  for (let i = 0; i < LEADS; i += 60) await ingest(server, writeKey, batch.slice(i, i + 60));
  await waitFor(() => query(db, "SELECT COUNT(*) AS n FROM leads WHERE email LIKE '%@k9.example'")[0].n === LEADS,
    { timeoutMs: 30000, what: 'the leads' });
  const ids = query(db, "SELECT id FROM persons WHERE email LIKE '%@k9.example'").map((r) => `ld_${r.id}`);
  assert.equal(ids.length, LEADS);
  for (const id of ids) {
    const r = await api(server, token, 'POST', `/api/v1/leads/${id}/consents`, { purpose: 'email_marketing',
      status: 'granted', method: 'form', form_id: 'newsletter', wording: 'Send me venue ideas' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
  const t = await api(server, token, 'POST', '/api/v1/email-templates', { key: 'venues', name: 'Venues',
    purpose: 'email_marketing', layout: 'default', subject: 'Three venues for your spring offsite?',
    html: '<p>Hi {{lead.first_name | there}}, are you planning a team offsite this spring? Tell me your '
      + 'team size and dates and I will send you three venues that fit your budget.</p>' });
  assert.equal(t.status, 201, JSON.stringify(t.body));
  const f = await api(server, token, 'POST', '/api/v1/lead-filters', { name: 'every lead', query: 'stage=lead' });
  assert.equal(f.status, 201, JSON.stringify(f.body));
  const b = await api(server, token, 'POST', '/api/v1/broadcasts', { name: 'venues', template: 'venues',
    filter_id: f.body.id });
  assert.equal(b.status, 201, JSON.stringify(b.body));
  return b.body.id;
}

test('a broadcast killed with kill -9 and restarted sends nobody the same message twice', async () => {
  const dir = tempDir();
  const sinkDir = path.join(dir, 'sink');
  const db = path.join(dir, 'tandem.db');
  const sink = await startSink(sinkDir);
  const config = writeConfig(dir, sink.smtpPort);
  const writeKey = tandem(db, 'source', 'add', 'Web');
  const token = tandem(db, 'user', 'add', 'mk@meetco.example', '--name', 'Mk', '--role', 'marketing');
  let server = await serve(db, { config });
  try {
    const broadcast = await prepare(server, db, writeKey, token);
    assert.equal((await api(server, token, 'POST', `/api/v1/broadcasts/${broadcast}/schedule`, {})).status, 200);
    await waitFor(() => received(sinkDir).length >= LEADS / 3, { timeoutMs: 60000, what: 'a third of the messages' });
    server.kill('SIGKILL');
    await exited(server);
    const beforeRestart = received(sinkDir).length;
    assert.ok(beforeRestart < LEADS, `all ${LEADS} arrived before the kill: nothing was tested`);

    server = await serve(db, { config });
    const number = Number(broadcast.replace(/^bc_/, ''));
    const sends = () => query(db, `SELECT to_address, message_id, status, updated_at FROM email_sends `
      + `WHERE broadcast_id = ${number}`);
    // Everything the dead process had not begun to send is delivered by the new one, and
    // what it was sending is interrupted: the broadcast is done.
    await waitFor(async () => {
      const b = await api(server, token, 'GET', `/api/v1/broadcasts/${broadcast}`);
      return b.body.state === 'done';
    }, { timeoutMs: 90000, what: 'the broadcast to be done after the restart' });
    const rows = sends();
    assert.equal(rows.length, LEADS);
    const byStatus = (...statuses) => rows.filter((s) => statuses.includes(s.status));
    const stuck = byStatus('interrupted');
    const listed = await api(server, token, 'GET',
      `/api/v1/broadcasts/${broadcast}/sends?status=interrupted&limit=500`);
    assert.equal(listed.body.items.length, stuck.length);
    const sent = byStatus('sent');
    const refused = byStatus('refused');
    console.log(`${beforeRestart} arrived before kill -9; then ${sent.length} sent, ${stuck.length} cut off `
      + `mid-attempt, ${refused.length} refused`);
    assert.equal(sent.length + stuck.length + refused.length, LEADS, JSON.stringify(rows.map((s) => s.status)));
    assert.equal(refused.length, 0);
    assert.ok(stuck.length <= CONNECTIONS, `${stuck.length} sends interrupted`);

    const mail = received(sinkDir);
    const ids = mail.map((m) => m.messageId);
    assert.equal(new Set(ids).size, ids.length, 'a Message-ID arrived twice');
    const copies = new Map();
    for (const m of mail) for (const to of m.to) copies.set(to, (copies.get(to) ?? 0) + 1);
    assert.ok([...copies.values()].every((n) => n === 1), 'a recipient received two messages');
    // Each sent recipient got exactly its own message; nobody but the interrupted ones
    // went without.
    const idOf = new Map(mail.map((m) => [m.to[0], m.messageId]));
    for (const s of sent) assert.equal(idOf.get(s.to_address), s.message_id, s.to_address);
    const stuckAddresses = new Set(stuck.map((s) => s.to_address));
    for (const s of rows) {
      if (!idOf.has(s.to_address)) assert.ok(stuckAddresses.has(s.to_address), `${s.to_address} got nothing`);
    }
    // The progress the API reports adds up the same way.
    const progress = (await api(server, token, 'GET', `/api/v1/broadcasts/${broadcast}`)).body.progress;
    const n = (k) => progress.by_status[k] ?? 0;
    assert.equal(n('sent') + n('interrupted') + n('refused'), LEADS, JSON.stringify(progress));
    assert.equal(n('sending') + n('queued') + n('retrying'), 0, JSON.stringify(progress));
  } finally {
    server.kill('SIGTERM');
    await exited(server);
    sink.kill('SIGTERM');
    await exited(sink);
    removeDir(dir);
  }
});
