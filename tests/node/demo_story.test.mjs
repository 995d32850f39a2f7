// The demo workspace tells a true story: six weeks of history, leads qualified on the
// days they asked, some reached within their SLA and some after it was missed, deals won
// with amounts, rejections, recycles, a leak — and the server's first start names the
// address to open without rescoring anything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { TANDEM, tempDir, removeDir, serve, exited, query } from './harness.mjs';

const DAY = 86400000;

test('the demo spreads its history over weeks and every report has something to show', async () => {
  const dir = tempDir();
  try {
    const db = path.join(dir, 'demo.db');
    const started = Date.now();
    const out = execFileSync(TANDEM, ['--db', `sqlite:${db}`, 'demo'], { encoding: 'utf8' });
    const [, fast, late, never, won] = out.match(/the reps reached (\d+) leads? within the first-contact SLA, (\d+) after a missed deadline .* and (\d+) never; (\d+) deals? won/).map(Number);
    assert.ok(fast > 0 && late > 0 && won > 0, out);
    assert.ok(never >= 0);

    // Qualified over weeks, not all at the moment the demo ran.
    const mql = query(db, 'SELECT MIN(mql_at) AS first, COUNT(DISTINCT mql_at / 86400000) AS days FROM leads WHERE mql_at IS NOT NULL')[0];
    assert.ok(mql.first < started - 21 * DAY, `first MQL ${new Date(mql.first).toISOString()}`);
    assert.ok(mql.days >= 14, `MQLs on ${mql.days} days`);
    // Some first contacts within the deadline, some deadlines missed.
    const sla = query(db, `SELECT SUM(first_touch_at IS NOT NULL AND first_touch_at <= sla_due_at) AS met,
      SUM(sla_breached_at IS NOT NULL) AS breached, COUNT(*) AS assigned FROM assignments WHERE sla_due_at IS NOT NULL`)[0];
    assert.ok(sla.met > 0 && sla.breached > 0 && sla.met + sla.breached <= sla.assigned, JSON.stringify(sla));
    // Every stage down the funnel and out of it.
    const stages = Object.fromEntries(query(db, 'SELECT stage, COUNT(*) AS n FROM leads GROUP BY stage').map((r) => [r.stage, r.n]));
    for (const stage of ['mql', 'sal', 'opportunity', 'customer', 'disqualified', 'recycled']) {
      assert.ok(stages[stage] > 0, `no lead is ${stage}: ${JSON.stringify(stages)}`);
    }
    assert.ok(query(db, "SELECT COUNT(*) AS n FROM leads WHERE stage = 'recycled' AND revisit_on IS NOT NULL")[0].n > 0);
    // Open, owned and never contacted: the leak report's.
    assert.ok(query(db, "SELECT COUNT(*) AS n FROM leads WHERE stage = 'mql' AND owner_id IS NOT NULL AND contacted_at IS NULL")[0].n > 0);

    // The first start rescores nothing and names the address to open.
    const server = await serve(db);
    try {
      assert.match(server.logText(), new RegExp(`open http://127\\.0\\.0\\.1:${server.port}/app/ in a browser`));
      assert.doesNotMatch(server.logText(), /rescored/);
    } finally {
      server.kill('SIGTERM');
      await exited(server);
    }
  } finally {
    removeDir(dir);
  }
});
