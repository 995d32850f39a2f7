// Starts real `tandem` processes on loopback for black-box tests and reads their
// SQLite store with the sqlite3 command-line shell.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const TANDEM = process.env.TANDEM_BIN ?? path.resolve('build/tandem');

export function tempDir() {
  return mkdtempSync(path.join(tmpdir(), 'tandem-node-'));
}

export function removeDir(dir) {
  rmSync(dir, { recursive: true, force: true });
}

// Runs a tandem command; returns the last line of stdout.
export function tandem(db, ...args) {
  const out = execFileSync(TANDEM, ['--db', `sqlite:${db}`, ...args], { encoding: 'utf8' });
  return out.trim().split('\n').at(-1);
}

// Starts `tandem serve` on a free port; resolves once it listens.
export function serve(db, { config, logFormat } = {}) {
  const args = ['--db', `sqlite:${db}`, 'serve', '--listen', '127.0.0.1:0'];
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
  const out = execFileSync('sqlite3', ['-json', db, sql], { encoding: 'utf8' });
  return out.trim() === '' ? [] : JSON.parse(out);
}

export async function waitFor(predicate, { timeoutMs = 10000, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await predicate()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}
