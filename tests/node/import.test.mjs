// Importing a CRM's export: a generated 100,000-row HubSpot-style file with opt-outs,
// do-not-calls, repeated addresses, consent, a purchased list and bad rows (an invalid
// email, an unknown owner, a purchased address claiming consent, broken quoting). A dry
// run lists every row it would reject with its line and stores nothing; an import killed
// half way and run again ends exactly where an uninterrupted one does; every opt-out is
// honoured by the contact gate afterwards and a later file cannot lift one; the upload
// route answers marketing and refuses a rep.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { TANDEM, tempDir, removeDir, tandem, serve, exited, query, waitFor } from './harness.mjs';

const ROWS = 100000;
const HEADER = 'Record ID,First Name,Last Name,Email,Company Name,Job Title,Contact owner,' +
  'Unsubscribed from all email,Do not call,address_source,consent_basis,Consent text';

// The file, and what importing it must do: the rejected lines and, per address, the
// facts its accepted rows add up to (an opt-out or do-not-call in any row holds).
function generate(file) {
  const lines = [HEADER];
  const rejected = new Map();  // line → what the message must say
  const expected = new Map();  // email → { optOut, dnc, owner, consent, source }
  for (let i = 1; i <= ROWS; i++) {
    const line = i + 1;
    let email = `person${i}@company${i % 500}.test`;
    if (i % 50 === 0) email = `PERSON${i - 1}@Company${(i - 1) % 500}.test`;  // the row before's address
    let owner = i % 3 === 0 ? 'ana@team.test' : i % 3 === 1 ? 'Bo Chen' : '';
    const optOut = i % 7 === 0;
    const dnc = i % 11 === 0;
    let source = i > 80000 && i <= 90000 ? 'purchased' : i <= 10000 ? 'form' : '';
    let consent = i <= 10000 ? 'consent' : '';
    let name = `Name${i}`;
    if (i % 997 === 0) { email = `not-an-email-${i}`; rejected.set(line, 'is not an email address'); }
    else if (i % 1000 === 0) { owner = 'ghost@nowhere.test'; rejected.set(line, 'ghost@nowhere.test'); }
    else if (i > 80000 && i <= 80010) { consent = 'consent'; rejected.set(line, 'carries no consent'); }
    else if (i % 20011 === 0) { name = 'Bro"ken'; rejected.set(line, 'quot'); }
    lines.push([i, name, 'Doe', email, `Company ${i % 500}`, 'Buyer', owner, optOut ? 'Yes' : 'No',
      dnc ? 'true' : 'false', source, consent, consent ? 'Send me the Tandem newsletter' : ''].join(','));
    if (rejected.has(line)) continue;
    const key = email.toLowerCase();
    const was = expected.get(key);
    expected.set(key, {
      optOut: optOut || (was?.optOut ?? false),
      dnc: dnc || (was?.dnc ?? false),
      owner: was?.owner || (owner === 'ana@team.test' ? 'ana@team.test' : owner === 'Bo Chen' ? 'bo@team.test' : null),
      // A consent is recorded unless an opt-out (this row's or an earlier one's) came first;
      // one recorded stays on record after a later opt-out, which outranks it.
      consent: (was?.consent ?? false) || (consent === 'consent' && !optOut && !(was?.optOut ?? false)),
      source: was?.source ?? (source || 'import'),
    });
  }
  writeFileSync(file, lines.join('\r\n') + '\r\n');
  return { rejected, expected };
}

const run = (db, ...args) => spawnSync(TANDEM, ['--db', `sqlite:${db}`, ...args],
  { encoding: 'utf8', maxBuffer: 64 << 20 });

function addUsers(db) {
  tandem(db, 'user', 'add', 'ana@team.test', '--name', 'Ana Lopez', '--role', 'sales_rep');
  tandem(db, 'user', 'add', 'bo@team.test', '--name', 'Bo Chen', '--role', 'sales_rep');
  return tandem(db, 'user', 'add', 'mo@team.test', '--name', 'Mo Marketing', '--role', 'marketing');
}

// What the store holds per lead, comparable across two stores.
function leadState(db) {
  const sql = `SELECT l.email, u.email AS owner, p.address_source AS source,
      p.unsubscribed_at IS NOT NULL AS opt_out,
      COALESCE(json_extract(p.do_not_contact, '$.call') IS NOT NULL, 0) AS dnc,
      (SELECT COUNT(*) FROM consents c WHERE c.lead_id = l.id AND c.status = 'granted') AS granted
    FROM leads l LEFT JOIN users u ON u.id = l.owner_id LEFT JOIN contact_prefs p ON p.lead_id = l.id
    ORDER BY l.email`;
  return JSON.parse(execFileSync('sqlite3', ['-json', db, sql], { encoding: 'utf8', maxBuffer: 256 << 20 }));
}

test('a 100,000-row export imports with every rejection named, resumes after a kill, and keeps every opt-out', async () => {
  const dir = tempDir();
  try {
    const file = path.join(dir, 'hubspot-export.csv');
    const { rejected, expected } = generate(file);
    const clean = path.join(dir, 'clean.db');
    const resumed = path.join(dir, 'resumed.db');
    addUsers(clean);
    const token = addUsers(resumed);

    // A dry run names every row it would reject, with its line, and stores nothing.
    const dry = run(clean, 'import', 'leads', file, '--dry-run');
    assert.equal(dry.status, 1, dry.stderr);
    const named = new Map([...dry.stdout.matchAll(/^would reject line (\d+): (.*)$/gm)].map((m) => [Number(m[1]), m[2]]));
    for (const [line, says] of rejected) {
      assert.ok(named.has(line), `line ${line} is not reported`);
      assert.ok(named.get(line).includes(says), `line ${line}: ${named.get(line)}`);
    }
    assert.equal(named.size, rejected.size, `unexpected rejections: ${[...named.keys()].filter((l) => !rejected.has(l)).slice(0, 5)}`);
    assert.equal(query(clean, 'SELECT COUNT(*) AS n FROM events')[0].n, 0);

    const started = Date.now();
    const full = run(clean, 'import', 'leads', file);
    assert.equal(full.status, 0, full.stderr);
    console.log(`imported ${ROWS} rows in ${Date.now() - started} ms: ${full.stdout.trim().split('\n').at(-1)}`);
    assert.match(full.stdout, new RegExp(`${ROWS} rows, ${ROWS - rejected.size} imported \\(${ROWS - rejected.size} now, 0 by an earlier run`));

    // Killed while storing rows, then run again: the same leads, each row once.
    const child = spawn(TANDEM, ['--db', `sqlite:${resumed}`, 'import', 'leads', file], { stdio: 'ignore' });
    await waitFor(() => query(resumed, 'SELECT COUNT(*) AS n FROM events')[0].n >= 20000,
      { timeoutMs: 60000, what: 'the first 20,000 rows stored' });
    child.kill('SIGKILL');
    await exited(child);
    const before = query(resumed, 'SELECT COUNT(*) AS n FROM events')[0].n;
    assert.ok(before < ROWS - rejected.size, `the import ended before it was killed (${before} rows)`);
    const again = run(resumed, 'import', 'leads', file);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, new RegExp(`\\(${ROWS - rejected.size - before} now, ${before} by an earlier run`));
    assert.equal(query(resumed, 'SELECT COUNT(*) AS n FROM events')[0].n, ROWS - rejected.size);
    const state = leadState(clean);
    assert.deepEqual(leadState(resumed), state);
    console.log(`killed after ${before} rows; the second run stored the rest; ${state.length} leads in both`);

    // What the leads hold is what the file said, address by address.
    assert.equal(state.length, expected.size);
    const mismatches = state.filter((l) => {
      const e = expected.get(l.email);
      return !e || Boolean(l.opt_out) !== e.optOut || Boolean(l.dnc) !== e.dnc || l.owner !== e.owner ||
        (l.granted > 0) !== e.consent || l.source !== e.source;
    });
    assert.deepEqual(mismatches.slice(0, 3), []);

    // The gate honours every opt-out (each checked through the API on a sample, all in the store).
    const server = await serve(resumed);
    try {
      const optedOut = state.filter((l) => l.opt_out);
      const ids = query(resumed, `SELECT l.id, l.email FROM leads l JOIN contact_prefs p ON p.lead_id = l.id
        WHERE p.unsubscribed_at IS NOT NULL ORDER BY l.id LIMIT 40`);
      assert.equal(query(resumed, 'SELECT COUNT(*) AS n FROM contact_prefs WHERE unsubscribed_at IS NOT NULL')[0].n, optedOut.length);
      const admin = tandem(resumed, 'user', 'add', 'root@team.test', '--name', 'Root', '--role', 'admin');
      for (const { id } of ids) {
        const res = await fetch(`${server.url}/api/v1/leads/ld_${id}/contact-check?channel=email&purpose=email_marketing`,
          { headers: { Authorization: `Bearer ${admin}` } });
        const body = await res.json();
        assert.equal(body.allowed, false);
        assert.ok(body.reasons.some((r) => r.code === 'unsubscribed'), JSON.stringify(body));
      }
      const dncLead = query(resumed, `SELECT l.id FROM leads l JOIN contact_prefs p ON p.lead_id = l.id
        WHERE json_extract(p.do_not_contact, '$.call') IS NOT NULL LIMIT 1`)[0].id;
      const call = await (await fetch(`${server.url}/api/v1/leads/ld_${dncLead}/contact-check?channel=call`,
        { headers: { Authorization: `Bearer ${admin}` } })).json();
      assert.ok(call.reasons.some((r) => r.code === 'do_not_contact'), JSON.stringify(call));

      // A later file saying "No" and claiming consent lifts nothing.
      const later = `Email,Unsubscribed from all email,consent_basis,Consent text\r\n` +
        ids.map(({ email }) => `${email},No,consent,I agree`).join('\r\n') + '\r\n';
      const upload = (who, body, query = '') => fetch(`${server.url}/api/v1/imports${query}`,
        { method: 'POST', headers: { Authorization: `Bearer ${who}`, 'Content-Type': 'text/csv' }, body });
      const rep = tandem(resumed, 'user', 'token', 'ana@team.test');
      assert.equal((await upload(rep, later)).status, 403);
      const checked = await upload(token, later, '?dry_run=true');
      assert.equal(checked.status, 200);
      assert.equal((await checked.json()).accepted, ids.length);
      const res = await upload(token, later);
      assert.equal(res.status, 201);
      const summary = await res.json();
      assert.equal(summary.stored, ids.length);
      await waitFor(() => query(resumed, `SELECT COUNT(*) AS n FROM lead_log WHERE kind = 'imported'`)[0].n
        >= ROWS - rejected.size + ids.length, { timeoutMs: 20000, what: 'the later file processed' });
      const still = query(resumed, `SELECT COUNT(*) AS n FROM contact_prefs WHERE unsubscribed_at IS NOT NULL`)[0].n;
      assert.equal(still, optedOut.length);
      const bad = await upload(token, later, '?consent_basis=maybe');
      assert.equal(bad.status, 422);
      assert.match((await bad.json()).error.message, /consent basis "maybe" must be consent or none/);
      const audit = run(resumed, 'audit', 'list', '--action', 'import');
      assert.equal((audit.stdout.match(/\timport\t/g) || []).length, 3, audit.stdout);
    } finally {
      server.kill('SIGTERM');
      await exited(server);
    }
  } finally {
    removeDir(dir);
  }
});
