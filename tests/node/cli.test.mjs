// The tandem command line: help, exit codes, config errors that name the line, logs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TANDEM, tempDir, removeDir, serve, exited } from './harness.mjs';

const run = (...args) => spawnSync(TANDEM, args, { encoding: 'utf8' });

test('help is useful and exits 0', () => {
  const top = run('--help');
  assert.equal(top.status, 0);
  for (const word of ['serve', 'migrate', 'source', 'demo', '--db', '--config']) assert.match(top.stdout, new RegExp(word));
  const serveHelp = run('serve', '--help');
  assert.equal(serveHelp.status, 0);
  assert.match(serveHelp.stdout, /--listen/);
});

test('usage errors exit 2 with a message on stderr', () => {
  const noName = run('source', 'add');
  assert.equal(noName.status, 2);
  assert.match(noName.stderr, /NAME/);
  const unknown = run('frobnicate');
  assert.equal(unknown.status, 2);
  const badDb = run('--db', 'mysql://x', 'migrate');
  assert.equal(badDb.status, 2);
  assert.match(badDb.stderr, /sqlite:PATH/);
});

test('a command about a store that is not there names it and creates nothing', () => {
  const dir = tempDir();
  try {
    const file = path.join(dir, 'var', 'tandem.db');
    for (const args of [['brief', 'ana@example.com'], ['user', 'list'], ['source', 'list'], ['audit', 'verify']]) {
      const r = run('--db', `sqlite:${file}`, ...args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stdout}`);
      assert.match(r.stderr, /there is no store at .*tandem\.db .*give --db/);
      assert.equal(existsSync(file), false, `${args.join(' ')} created the store`);
    }
    assert.equal(run('--db', `sqlite:${file}`, 'migrate').status, 0);
    assert.equal(existsSync(file), true);
  } finally {
    removeDir(dir);
  }
});

test('source add prints the write key last; config errors name file and line', () => {
  const dir = tempDir();
  try {
    const db = `sqlite:${path.join(dir, 'a', 't.db')}`;
    const added = run('--db', db, 'source', 'add', 'Marketing site');
    assert.equal(added.status, 0, added.stderr);
    const key = added.stdout.trim().split('\n').at(-1);
    assert.match(key, /^[A-Za-z0-9_-]{32}$/);
    const listed = run('--db', db, 'source', 'list');
    assert.match(listed.stdout, new RegExp(key));
    // One name, one source: a second "marketing SITE" is refused and nothing is added.
    const again = run('--db', db, 'source', 'add', '  marketing SITE ');
    assert.notEqual(again.status, 0);
    assert.match(again.stderr, /a source named "Marketing site" already exists/);
    assert.equal(run('--db', db, 'source', 'list').stdout.trim().split('\n').length, 1);
    assert.match(run('--db', db, 'migrate').stdout, /schema is at version 35/);

    const bad = path.join(dir, 'bad.toml');
    writeFileSync(bad, '[server]\nlisten = "127.0.0.1:1"\nlisten_port = 9\n');
    const failed = run('--config', bad, '--db', db, 'migrate');
    assert.equal(failed.status, 2);
    assert.match(failed.stderr, /bad\.toml:3: unknown key "listen_port" in \[server\]/);

    const example = run('--config', path.resolve('tandem.example.toml'), '--db', db, 'migrate');
    assert.equal(example.status, 0, `the shipped example config loads: ${example.stderr}`);
  } finally {
    removeDir(dir);
  }
});

test('user add prints a working API token last; bad users and configs are refused', async () => {
  const dir = tempDir();
  try {
    const db = `sqlite:${path.join(dir, 't.db')}`;
    const added = run('--db', db, 'user', 'add', 'ana@example.com', '--name', 'Ana Diaz',
      '--role', 'sales_rep', '--team', 'emea', '--timezone', 'Europe/Madrid', '--capacity', '30',
      '--hours', '08:30-17:00');
    assert.equal(added.status, 0, added.stderr);
    const token = added.stdout.trim().split('\n').at(-1);
    assert.match(token, /^tdm_[A-Za-z0-9_-]{43}$/);
    assert.match(run('--db', db, 'user', 'list').stdout, /ana@example\.com\tsales_rep\temea\tEurope\/Madrid\tcapacity 30/);

    for (const [args, message] of [
      [['--role', 'boss'], /--role "boss" must be admin, marketing/],
      [['--role', 'viewer', '--timezone', 'Mars/Olympus'], /--timezone "Mars\/Olympus" is not a time zone/],
      [['--role', 'viewer', '--hours', '18:00-09:00'], /--hours "18:00-09:00" must be HH:MM-HH:MM/],
    ]) {
      const refused = run('--db', db, 'user', 'add', 'x@example.com', '--name', 'X', ...args);
      assert.equal(refused.status, 2);
      assert.match(refused.stderr, message);
    }
    const twice = run('--db', db, 'user', 'add', 'ana@example.com', '--name', 'A', '--role', 'viewer');
    assert.equal(twice.status, 2);
    assert.match(twice.stderr, /a user with email ana@example.com exists/);

    const config = path.join(dir, 'routing.toml');
    writeFileSync(config, '[routing]\n\n[[routing.rules]]\nname = "big"\nteam = "enterprise"\n' +
      'when = [{ trait = "company.size", gte = 1000 }]\n');
    const unknownTeam = run('--db', db, 'config', 'check', config);
    assert.equal(unknownTeam.status, 2);
    assert.match(unknownTeam.stderr, /routing\.toml:3: routing rule "big" names unknown team "enterprise" \(teams: emea\)/);
    writeFileSync(config, '[scoring]\n[[scoring.fit]]\nname = "t"\ntrait = "title"\nmatches = "[vp"\npoints = 5\n');
    const badRegex = run('--db', db, 'config', 'check', config);
    assert.equal(badRegex.status, 2);
    assert.match(badRegex.stderr, /routing\.toml:5: scoring\.fit\.matches is not a valid regular expression "\[vp"/);
    const example = run('--db', db, 'config', 'check', path.resolve('tandem.example.toml'));
    assert.equal(example.status, 0, example.stderr);

    // A sign-in password comes from standard input; weak ones are refused.
    const weak = spawnSync(TANDEM, ['--db', db, 'user', 'passwd', 'ana@example.com'],
      { encoding: 'utf8', input: 'short\n' });
    assert.equal(weak.status, 2);
    assert.match(weak.stderr, /at least 10 characters/);
    const set = spawnSync(TANDEM, ['--db', db, 'user', 'passwd', 'ana@example.com'],
      { encoding: 'utf8', input: 'lavender-field-42\n' });
    assert.equal(set.status, 0, set.stderr);
    assert.match(set.stdout, /password set for ana@example\.com/);

    // The token works against a running server; a wrong one does not.
    const server = await serve(path.join(dir, 't.db'));
    try {
      const ok = await fetch(`${server.url}/api/v1/users/me`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(ok.status, 200);
      assert.equal((await ok.json()).email, 'ana@example.com');
      const bad = await fetch(`${server.url}/api/v1/users/me`, { headers: { authorization: 'Bearer tdm_nope' } });
      assert.equal(bad.status, 401);
      // The password set above signs in.
      const login = await fetch(`${server.url}/auth/login`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'ana@example.com', password: 'lavender-field-42' }) });
      assert.equal(login.status, 200);
      assert.match(login.headers.get('set-cookie'), /^tandem_session=tds_[^;]+; Path=\/; Max-Age=43200; HttpOnly; SameSite=Strict$/);
    } finally {
      server.kill('SIGINT');
      await exited(server);
    }
  } finally {
    removeDir(dir);
  }
});

test('token create, list and revoke; an expiring token; passwd --revoke-tokens', async () => {
  const dir = tempDir();
  try {
    const db = `sqlite:${path.join(dir, 't.db')}`;
    const added = run('--db', db, 'user', 'add', 'bo@example.com', '--name', 'Bo', '--role', 'viewer',
      '--token-expires', '30d');
    assert.equal(added.status, 0, added.stderr);
    assert.match(added.stdout, /API token, expires \d{4}-\d\d-\d\dT/);
    const first = added.stdout.trim().split('\n').at(-1);
    const created = run('--db', db, 'token', 'create', 'bo@example.com', '--name', 'zapier');
    assert.equal(created.status, 0, created.stderr);
    assert.match(created.stdout, /API token tok_2 for bo@example\.com, no expiry/);
    const second = created.stdout.trim().split('\n').at(-1);
    assert.match(second, /^tdm_[A-Za-z0-9_-]{43}$/);

    const listed = run('--db', db, 'token', 'list', 'bo@example.com');
    assert.equal(listed.status, 0, listed.stderr);
    assert.match(listed.stdout, /^tok_1\tbo@example\.com\t-\tcreated \S+\texpires \S+Z\tlast used -$/m);
    assert.match(listed.stdout, /^tok_2\tbo@example\.com\tzapier\tcreated \S+\texpires -\tlast used -$/m);
    assert.doesNotMatch(listed.stdout, /tdm_/);

    for (const [args, message] of [
      [['token', 'create', 'bo@example.com', '--expires', '90'], /must be a number of days from 1d to 3650d/],
      [['token', 'create', 'nobody@example.com'], /no user with email nobody@example\.com/],
      [['token', 'revoke', '12'], /"12" is not a token id such as tok_12/],
      [['token', 'revoke', 'tok_99'], /no API token tok_99/],
    ]) {
      const refused = run('--db', db, ...args);
      assert.equal(refused.status, 2, args.join(' '));
      assert.match(refused.stderr, message);
    }

    const server = await serve(path.join(dir, 't.db'));
    try {
      const me = (token) => fetch(`${server.url}/api/v1/users/me`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal((await me(first)).status, 200);
      assert.equal((await me(second)).status, 200);
      const revoked = run('--db', db, 'token', 'revoke', 'tok_2');
      assert.equal(revoked.status, 0, revoked.stderr);
      assert.equal((await me(second)).status, 401);
      assert.match(run('--db', db, 'token', 'list').stdout, /^tok_1\t.*\tlast used \d{4}-/m);
      const passwd = spawnSync(TANDEM, ['--db', db, 'user', 'passwd', 'bo@example.com', '--revoke-tokens'],
        { encoding: 'utf8', input: 'lavender-field-42\n' });
      assert.equal(passwd.status, 0, passwd.stderr);
      assert.match(passwd.stdout, /API tokens of bo@example\.com revoked: 1/);
      assert.equal((await me(first)).status, 401);
    } finally {
      server.kill('SIGINT');
      await exited(server);
    }
  } finally {
    removeDir(dir);
  }
});

test('--log-format json writes one JSON object per line', async () => {
  const dir = tempDir();
  try {
    const db = path.join(dir, 't.db');
    const server = await serve(db, { logFormat: 'json' });
    server.kill('SIGINT');
    assert.equal(await exited(server), 0);
    const lines = server.logText().trim().split('\n');
    assert.ok(lines.length >= 2);
    for (const line of lines) {
      const entry = JSON.parse(line);
      assert.ok(entry.time && entry.level && typeof entry.msg === 'string', line);
    }
  } finally {
    removeDir(dir);
  }
});

test('catalog import reads TOML and CSV, names the bad line, and the demo brief is printable', () => {
  const dir = tempDir();
  try {
    const db = `sqlite:${path.join(dir, 't.db')}`;
    const toml = run('--db', db, 'catalog', 'import', path.resolve('examples/catalog.toml'));
    assert.equal(toml.status, 0, toml.stderr);
    assert.match(toml.stdout, /imported 3 campaigns and 4 content entries/);

    const csv = path.join(dir, 'content.csv');
    writeFileSync(csv, 'asset_id,title,topic,problem,questions\n' +
      'roi-calc,ROI calculator,pricing,"Nobody can say what a lead is worth","What is a customer worth? | Who decides budgets?"\n' +
      'bad,Bad,topic,problem,only one question?\n');
    const refused = run('--db', db, 'catalog', 'import', csv);
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /content\.csv:3: content: questions must hold 2 to 4/);
    assert.doesNotMatch(run('--db', db, 'catalog', 'list').stdout, /roi-calc/, 'a bad file imports nothing');

    writeFileSync(csv, 'asset_id,title,topic,problem,questions\n' +
      'roi-calc,ROI calculator,pricing,"Nobody can say what a lead is worth","What is a customer worth? | Who decides budgets?"\n');
    const one = run('--db', db, 'catalog', 'import', csv);
    assert.equal(one.status, 0, one.stderr);
    assert.match(one.stdout, /imported 0 campaigns and 1 content entry from/);
    const listed = run('--db', db, 'catalog', 'list').stdout;
    assert.match(listed, /content\troi-calc\tpricing\tROI calculator/);
    assert.match(listed, /campaign\tsem-buyers-guide\tutm_campaign=sem-buyers-guide/);

    const demo = run('--db', db, 'demo', '--events', '1500');
    assert.equal(demo.status, 0, demo.stderr);
    // It ends by saying where to open the web app and whom to sign in as.
    assert.match(demo.stdout.trim().split('\n').at(-1),
      /^Open http:\/\/127\.0\.0\.1:8080\/app\/ once `tandem serve` runs, and sign in as maria\.manager@demo\.tandem with the password [A-Za-z0-9_-]{16} /);
    const again = run('--db', db, 'demo');
    assert.match(again.stdout, /already present/);
    assert.match(again.stdout.trim().split('\n').at(-1), /sign in as maria\.manager@demo\.tandem with the password printed when the workspace was created .*user passwd maria\.manager@demo\.tandem/);
    const missing = run('--db', db, 'brief', 'nobody@nowhere.example');
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /no lead "nobody@nowhere.example"/);
    const routed = demo.stdout.match(/brief (ld_\d+)/);
    assert.ok(routed, `the demo names a routed lead: ${demo.stdout}`);
    const brief = run('--db', db, 'brief', routed[1]);
    assert.equal(brief.status, 0, brief.stderr);
    for (const section of ['Why now', 'Who', 'Can I contact them', 'Journey', 'Campaign',
      'Talking points', "Don't", 'Score', 'History', 'Next step']) {
      assert.match(brief.stdout, new RegExp(`## ${section}`));
    }
    const asJson = JSON.parse(run('--db', db, 'brief', routed[1], '--format', 'json').stdout);
    assert.equal(asJson.lead_id, routed[1]);
    assert.ok(asJson.next_step.owner, 'a routed lead has an owner in its brief');

    // The closed-loop reports, as the API answers them: CSV by default, JSON on request.
    const day = (offset) => new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10);
    const range = ['--from', day(-3000), '--to', day(1)];
    const funnel = run('--db', db, 'report', 'funnel', ...range, '--by', 'campaign');
    assert.equal(funnel.status, 0, funnel.stderr);
    assert.match(funnel.stdout, /^scope,group,lead,mql,sal,sql,opportunity,customer,/);
    const total = funnel.stdout.split('\r\n').find((line) => line.startsWith('total,'));
    assert.ok(Number(total.split(',')[2]) > 0, `the demo's leads are counted: ${total}`);
    assert.match(funnel.stdout, /\r\ngroup,sem-buyers-guide,/);
    const funnelJson = JSON.parse(run('--db', db, 'report', 'funnel', ...range, '--format', 'json').stdout);
    assert.equal(funnelJson.total.counts.lead, Number(total.split(',')[2]));
    const outcomes = run('--db', db, 'report', 'outcomes', ...range, '--by', 'source', '--min-group', '5');
    assert.equal(outcomes.status, 0, outcomes.stderr);
    assert.match(outcomes.stdout, /^scope,group,small,outcome,reason,count,share,/);
    const speed = run('--db', db, 'report', 'speed-to-lead', ...range, '--by', 'rep', '--format', 'json');
    assert.equal(speed.status, 0, speed.stderr);
    assert.deepEqual(JSON.parse(speed.stdout).buckets, ['under_5_min', '5_to_60_min', '1_to_24_h', 'over_24_h', 'never']);
    const attribution = run('--db', db, 'report', 'attribution', ...range, '--by', 'source', '--model', 'w_shaped');
    assert.equal(attribution.status, 0, attribution.stderr);
    assert.match(attribution.stdout, /^scope,group,opportunities,pipeline,won,revenue,opportunity_deals,won_deals\r\ntotal,/);
    const zeroHalfLife = run('--db', db, 'report', 'attribution', ...range, '--model', 'time_decay', '--half-life-days', '0');
    assert.equal(zeroHalfLife.status, 2);
    assert.match(zeroHalfLife.stderr, /half_life_days="0" is not a number of days above 0/);
    const badBy = run('--db', db, 'report', 'outcomes', ...range, '--by', 'planet');
    assert.equal(badBy.status, 2);
    assert.match(badBy.stderr, /by="planet" is not one of source/);
    const inverted = run('--db', db, 'report', 'funnel', '--from', day(1), '--to', day(-1));
    assert.equal(inverted.status, 2);
    assert.match(inverted.stderr, /to must be later than from/);
  } finally {
    removeDir(dir);
  }
});

// The fixture server of tests/support: pages and real PNGs on 127.0.0.1.
function fixtureServer() {
  const child = spawn('python3', [path.resolve('tests/support/fixture_http_server.py')],
    { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the fixture server did not start')), 10000);
    child.stdout.once('data', (chunk) => {
      clearTimeout(timer);
      resolve({ url: (p) => `http://127.0.0.1:${String(chunk).trim()}${p}`, stop: () => child.stdin.end() });
    });
  });
}

test('email lint: seed 000 exits 1 with each finding, the fixed email exits 0', async () => {
  const dir = tempDir();
  const server = await fixtureServer();
  try {
    const config = path.join(dir, 'tandem.toml');
    writeFileSync(config, '[server]\npublic_url = "https://tandem.example"\n\n[email]\n' +
      'company_name = "MeetCo"\npostal_address = "12 Harbour Road, Leith EH6 6LX"\n' +
      'fetch_private_hosts = true\n');
    const logo = server.url('/image.png?w=900&h=300');
    const seed = path.join(dir, 'seed.html');
    writeFileSync(seed, `<html><body>\n<img src="${logo}" width="600" height="80">\n` +
      '<p>MeetCo is the leading meeting company. We have hosted meetings for 20 years. Our venues\n' +
      'are the best, our staff are the best, and we are proud of our awards. Contact us today.</p>\n' +
      '</body></html>');
    const lint = (...args) => run('--config', config, 'email', 'lint', ...args);
    const stopped = lint(seed, '--subject', '(E-mail Subject)', '--marketing');
    assert.equal(stopped.status, 1, stopped.stderr);
    for (const line of [
      /^error +subject_placeholder +subject +the subject "\(E-mail Subject\)" is a placeholder/m,
      /^error +image_distorted +body: image 1 \(.*\) +the image is 900×300 but shown in a 600×80 box.* — fix: show it at its own proportions \(for 600 wide, 200 high\)$/m,
      /^error +no_unsubscribe +body/m,
      /^error +no_postal_address +body +the marketing email does not show the postal address/m,
      /^warning +image_no_alt +body: image 1/m,
      /^warning +copy_about_sender +body +the copy says you\/your 0 times and we\/our\/MeetCo/m,
      /^warning +copy_no_question /m,
      /^4 errors, \d+ warnings$/m,
    ]) assert.match(stopped.stdout, line);

    const json = JSON.parse(lint(seed, '--subject', '(E-mail Subject)', '--marketing', '--json').stdout);
    assert.equal(json.ok, false);
    assert.ok(json.findings.some((f) => f.code === 'image_distorted' && f.severity === 'error'));

    const fixed = path.join(dir, 'fixed.html');
    writeFileSync(fixed, `<html><body>\n<img src="${logo}" width="300" height="100" alt="MeetCo">\n` +
      '<p>Hi Ana, you downloaded the offsite planning guide last week. Are you planning a team\n' +
      'offsite this spring? If you tell me your team size and dates, I can send you three venues\n' +
      'that fit your budget, with your travel times from the office.</p>\n' +
      `<p><a href="${server.url('/ok')}">See venues near you</a></p>\n` +
      '<p><a href="https://tandem.example/u/abc">Unsubscribe</a> · 12 Harbour Road, Leith EH6 6LX</p>\n' +
      '</body></html>');
    const passed = lint(fixed, '--subject', 'Three venues for your spring offsite?', '--marketing');
    assert.equal(passed.status, 0, passed.stdout + passed.stderr);
    assert.match(passed.stdout, /^0 errors, 1 warning$/m);  // http, not https, in the test

    const missing = lint(path.join(dir, 'nope.html'), '--subject', 'Hi');
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /cannot read .*nope\.html/);
    assert.equal(lint(fixed).status, 2);  // no --subject
  } finally {
    server.stop();
    removeDir(dir);
  }
});
