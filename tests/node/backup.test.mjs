// Backups of a live store: `tandem backup` of SQLite while clients keep sending events
// restores (`tandem restore`) to a store holding every event acknowledged before the
// backup began, whose audit trail holds and records the backup; a restore never
// overwrites a store unasked; PostgreSQL goes through pg_dump and pg_restore as
// docs/operations.md says. The audit trail's verify finds an entry changed in the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { TANDEM, tempDir, removeDir, tandem, serve, exited, query, waitFor, pgSchema, postBatch as post } from './harness.mjs';

const run = (...args) => spawnSync(TANDEM, args, { encoding: 'utf8' });

// Clients sending batches until stop(); `acked` holds every acknowledged message id.
function load(url, writeKey, workers = 4) {
  const acked = [];
  let stopped = false;
  const sender = async (worker) => {
    for (let n = 0; !stopped; n++) {
      const ids = Array.from({ length: 20 }, (_, i) => `w${worker}-${n}-${i}`);
      const batch = ids.map((id, i) => ({ type: i % 4 ? 'track' : 'page', anonymousId: `v${worker}-${n % 30}`,
        event: 'Viewed Pricing', name: 'Pricing', properties: { path: '/pricing' }, messageId: id }));
      if (await post(url, writeKey, { batch }) === 200) acked.push(...ids);
    }
  };
  const senders = Array.from({ length: workers }, (_, w) => sender(w));
  return { acked, stop: async () => { stopped = true; await Promise.all(senders); } };
}

test('a backup taken while events arrive restores every event acknowledged before it began', async () => {
  const dir = tempDir();
  const db = path.join(dir, 'tandem.db');
  const copy = path.join(dir, 'backup.db');
  const restored = path.join(dir, 'restored.db');
  const writeKey = tandem(db, 'source', 'add', 'Website');
  const server = await serve(db);
  const clients = load(server.url, writeKey);
  try {
    await waitFor(() => clients.acked.length >= 5000, { timeoutMs: 60000, what: '5,000 acknowledged events' });
    const before = clients.acked.slice();
    const backup = await promisify(execFile)(TANDEM, ['--db', `sqlite:${db}`, 'backup', copy], { encoding: 'utf8' });
    const during = clients.acked.length - before.length;
    await clients.stop();
    assert.match(backup.stdout, /backed up .* schema version \d+/);
    console.log(`${before.length} events acknowledged before the backup, ${during} while it ran: ${backup.stdout.trim()}`);
    assert.equal(query(copy, 'PRAGMA integrity_check')[0].integrity_check, 'ok');

    const back = run('--db', `sqlite:${restored}`, 'restore', copy);
    assert.equal(back.status, 0, back.stderr);
    const stored = new Set(query(restored, 'SELECT message_id FROM events').map((r) => r.message_id));
    const missing = before.filter((id) => !stored.has(id));
    assert.equal(missing.length, 0, `acknowledged before the backup but missing: ${missing.slice(0, 5)}`);
    assert.equal(query(restored, 'SELECT COUNT(*) AS n FROM events')[0].n, stored.size, 'each event once');
    // The trail holds in the copy, and names the backup and the restore.
    const verified = run('--db', `sqlite:${restored}`, 'audit', 'verify');
    assert.equal(verified.status, 0, verified.stderr);
    assert.match(verified.stdout, /the audit trail holds: 2 entries/);
    const actions = run('--db', `sqlite:${restored}`, 'audit', 'list').stdout;
    assert.match(actions, /\tcli\tbackup\t-\t\{"file":".*backup\.db"\}/);
    assert.match(actions, /\tcli\trestore\t/);
    // The restored store serves.
    const again = await serve(restored);
    again.kill('SIGTERM');
    assert.equal(await exited(again), 0);

    // Nothing is overwritten unasked; a damaged or foreign file is refused by name.
    const twice = run('--db', `sqlite:${db}`, 'backup', copy);
    assert.equal(twice.status, 2);
    assert.match(twice.stderr, /backup\.db already exists: name a new file/);
    const over = run('--db', `sqlite:${restored}`, 'restore', copy);
    assert.equal(over.status, 2);
    assert.match(over.stderr, /restored\.db already exists: restore over it only with --replace/);
    const foreign = path.join(dir, 'foreign.db');
    execFileSync('sqlite3', [foreign, 'CREATE TABLE t (x)']);
    const wrong = run('--db', `sqlite:${path.join(dir, 'other.db')}`, 'restore', foreign);
    assert.equal(wrong.status, 2);
    assert.match(wrong.stderr, /foreign\.db is not a Tandem store/);
    const none = run('--db', `sqlite:${restored}`, 'restore', path.join(dir, 'nothing.db'), '--replace');
    assert.equal(none.status, 2);
    assert.match(none.stderr, /the backup .*nothing\.db does not exist/);
    assert.equal(query(restored, 'SELECT COUNT(*) AS n FROM events')[0].n, stored.size, 'left as it was');
    const replaced = run('--db', `sqlite:${restored}`, 'restore', copy, '--replace');
    assert.equal(replaced.status, 0, replaced.stderr);

    // An entry changed in the file, past the store's guard, is found by verify.
    execFileSync('sqlite3', [restored, "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET detail = '{}' WHERE seq = 1"]);
    const broken = run('--db', `sqlite:${restored}`, 'audit', 'verify');
    assert.equal(broken.status, 2);
    assert.match(broken.stderr, /audit entry 1: was changed after it was written/);
  } finally {
    await clients.stop();
    server.kill('SIGTERM');
    await exited(server);
    removeDir(dir);
  }
});

test('PostgreSQL: pg_dump and pg_restore as documented bring back the store and its trail', async () => {
  const { url, drop } = pgSchema();
  const schema = decodeURIComponent(url.split('search_path%3D')[1]);
  const base = url.split(/[?&]options=/)[0];
  const dir = tempDir();
  try {
    const writeKey = tandem(url, 'source', 'add', 'Website');
    const server = await serve(url);
    try {
      const batch = Array.from({ length: 50 }, (_, i) => ({ type: 'track', anonymousId: `a${i % 7}`, event: 'Viewed Pricing', messageId: `pg-${i}` }));
      assert.equal(await post(server.url, writeKey, { batch }), 200);
    } finally {
      server.kill('SIGTERM');
      await exited(server);
    }
    assert.equal(run('--db', url, 'rescore').status, 0);  // an audit entry to carry over
    const backup = run('--db', url, 'backup', path.join(dir, 'x.db'));
    assert.equal(backup.status, 2);
    assert.match(backup.stderr, /pg_dump and pg_restore/);
    const dump = path.join(dir, 'tandem.dump');
    execFileSync('pg_dump', ['--format=custom', `--schema=${schema}`, `--file=${dump}`, base]);
    execFileSync('psql', [base, '-X', '-q', '-c', `ALTER SCHEMA ${schema} RENAME TO ${schema}_before`]);
    execFileSync('pg_restore', [`--dbname=${base}`, '--no-owner', dump]);
    assert.equal(query(url, 'SELECT COUNT(*) AS n FROM events')[0].n, 50);
    const verified = run('--db', url, 'audit', 'verify');
    assert.equal(verified.status, 0, verified.stderr);
    assert.match(verified.stdout, /the audit trail holds: 1 entries/);
    // The restored trail still refuses changes.
    const edit = spawnSync('psql', [url, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', "UPDATE audit_log SET detail = '{}'"], { encoding: 'utf8' });
    assert.notEqual(edit.status, 0);
    assert.match(edit.stderr, /append-only/);
    execFileSync('psql', [base, '-X', '-q', '-c', `DROP SCHEMA ${schema}_before CASCADE`], { stdio: 'ignore' });
  } finally {
    drop();
    removeDir(dir);
  }
});
