// Starts real `tandem` processes on loopback for black-box tests and reads their
// store: SQLite with the sqlite3 command-line shell, PostgreSQL with psql.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const TANDEM = process.env.TANDEM_BIN ?? path.resolve('build/tandem');

export function tempDir() {
  return mkdtempSync(path.join(tmpdir(), 'tandem-node-'));
}

export function removeDir(dir) {
  rmSync(dir, { recursive: true, force: true });
}

// A store is a SQLite file path or a postgresql:// URL.
function storeUrl(db) {
  return db.startsWith('postgresql://') ? db : `sqlite:${db}`;
}

// What a command may print before it is cut off: a test may read tens of thousands
// of rows (node's default limit on a child's output is 1 MiB).
const kQueryOutputLimit = 512 * 1024 * 1024;

// Runs a tandem command; returns the last line of stdout.
export function tandem(db, ...args) {
  const out = execFileSync(TANDEM, ['--db', storeUrl(db), ...args], { encoding: 'utf8', maxBuffer: kQueryOutputLimit });
  return out.trim().split('\n').at(-1);
}

// Starts `tandem serve` on a free port; resolves once it listens.
export function serve(db, { config, logFormat } = {}) {
  const args = ['--db', storeUrl(db), 'serve', '--listen', '127.0.0.1:0'];
  if (config) args.unshift('--config', config);
  if (logFormat) args.unshift('--log-format', logFormat);
  const child = spawn(TANDEM, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tandem did not start:\n${log}`)), 15000);
    child.stderr.on('data', (chunk) => {
      log += chunk;
      const m = log.match(/\(port (\d+)\)/);
      if (m && !child.port) {
        child.port = Number(m[1]);
        child.url = `http://127.0.0.1:${child.port}`;
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.on('exit', (code) => reject(new Error(`tandem exited with ${code}:\n${log}`)));
    child.logText = () => log;
  });
}

export function exited(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode ?? child.signalCode);
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
}

// Rows of a query, as objects.
export function query(db, sql) {
  if (db.startsWith('postgresql://')) {
    const out = execFileSync('psql', [db, '-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-c',
      `SELECT COALESCE(json_agg(q), '[]') FROM (${sql}) q`], { encoding: 'utf8', maxBuffer: kQueryOutputLimit });
    return JSON.parse(out);
  }
  const out = execFileSync('sqlite3', ['-json', db, sql], { encoding: 'utf8', maxBuffer: kQueryOutputLimit });
  return out.trim() === '' ? [] : JSON.parse(out);
}

// A fresh schema in the test run's PostgreSQL cluster (TANDEM_TEST_PG_URL_FILE): the
// URL of a database only this test sees, and a function that drops it.
export function pgSchema() {
  const file = process.env.TANDEM_TEST_PG_URL_FILE;
  const base = process.env.TANDEM_TEST_PG_URL ?? (file && readFileSync(file, 'utf8').trim());
  if (!base) throw new Error('no PostgreSQL test cluster: run through ctest, or set TANDEM_TEST_PG_URL');
  const schema = `node_${process.pid}_${Math.floor(Math.random() * 1e9)}`;
  execFileSync('psql', [base, '-X', '-q', '-c', `CREATE SCHEMA ${schema}`]);
  const url = `${base}${base.includes('?') ? '&' : '?'}options=-csearch_path%3D${schema}`;
  const drop = () => execFileSync('psql', [base, '-X', '-q', '-c', `DROP SCHEMA ${schema} CASCADE`],
    { stdio: 'ignore' });
  return { url, drop };
}

// Posts a Segment batch to /v1/batch with the write key; answers the status.
export async function postBatch(url, writeKey, body) {
  const res = await fetch(`${url}/v1/batch`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: 'Basic ' + Buffer.from(`${writeKey}:`).toString('base64') },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  return res.status;
}

export async function waitFor(predicate, { timeoutMs = 10000, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await predicate()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}
