// Migrations and the CLI: `portal migrate` is idempotent (also when two run at once),
// `portal serve` refuses a schema newer (or older) than it knows, `portal version`
// names the schema, `portal help` documents every setting.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { startPortal, sqlRows, freePort, portalBin, testSocket, sourceDir } from '../lib/portal.mjs';

let p;
before(async () => { p = await startPortal(); });
after(async () => { await p?.stop(); });

/** Runs the binary to completion: { code, signal, out } (stdout + stderr). */
function cli(args, env, { timeout = 30000 } = {}) {
  const r = spawnSync(portalBin, args, { env, encoding: 'utf8', timeout });
  return { code: r.status, signal: r.signal, out: `${r.stdout ?? ''}${r.stderr ?? ''}`, error: r.error };
}

/** Starts `portal serve` and waits for it to exit; a server that keeps running is
 * killed after `ms` and reported as { code: null, stillRunning: true }. */
function serveUntilExit(env, ms = 20000) {
  return new Promise((resolve) => {
    const child = spawn(portalBin, ['serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    const timer = setTimeout(() => { child.kill('SIGKILL'); }, ms);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out, stillRunning: signal === 'SIGKILL' });
    });
  });
}

async function freshEnv(db) {
  return {
    ...p.env,
    PORTAL_DB_URL: `mariadb://root@localhost/${db}?socket=${testSocket}`,
    PORTAL_HTTP: `127.0.0.1:${await freePort()}`,
    PORTAL_WS: `127.0.0.1:${await freePort()}`,
  };
}

const migrationRows = (db) => sqlRows('SELECT version, name, applied_at FROM schema_migrations ORDER BY version', { db });

function schemaOfVersionOutput(out) {
  const m = /schema\D{0,20}(\d+)/i.exec(out);
  assert.ok(m, `no schema number in: ${out}`);
  return Number(m[1]);
}

describe('portal migrate', () => {
  test('running it twice changes nothing', () => {
    const before = migrationRows(p.db);
    assert.ok(before.length >= 1, 'schema_migrations is empty after migrate');
    const tables = sqlRows('SHOW TABLES', { db: p.db }).map((r) => r[0]).sort();
    for (let i = 0; i < 2; i++) {
      const r = cli(['migrate'], p.env);
      assert.equal(r.code, 0, `migrate #${i + 2} failed:\n${r.out}`);
    }
    assert.deepEqual(migrationRows(p.db), before, 'schema_migrations changed on a repeated migrate');
    assert.deepEqual(sqlRows('SHOW TABLES', { db: p.db }).map((r) => r[0]).sort(), tables);
    const versions = before.map((r) => Number(r[0]));
    assert.deepEqual([...new Set(versions)], versions, 'duplicate versions');
  });

  test('`portal version` prints the schema the database was migrated to', () => {
    const r = cli(['version'], p.env);
    assert.equal(r.code, 0, r.out);
    const n = schemaOfVersionOutput(r.out);
    const max = Number(sqlRows('SELECT MAX(version) FROM schema_migrations', { db: p.db })[0][0]);
    assert.equal(n, max);
    // The version command needs no database at all.
    const offline = cli(['version'], { PATH: process.env.PATH, PORTAL_DB_URL: 'mariadb://nobody@127.0.0.1:1/none' }, { timeout: 5000 });
    assert.equal(offline.code, 0, offline.out);
    assert.equal(schemaOfVersionOutput(offline.out), n);
    // migrate says where it left the schema
    const m = cli(['migrate'], p.env);
    assert.match(m.out, new RegExp(`\\b${n}\\b`));
  });

  test('two migrations started at once on an empty database both succeed, once', async () => {
    const db = `t_mig_${process.pid}_${randomBytes(3).toString('hex')}`;
    sqlRows(`CREATE DATABASE \`${db}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    try {
      const env = await freshEnv(db);
      const runOne = () => new Promise((resolve) => {
        const c = spawn(portalBin, ['migrate'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        c.stdout.on('data', (d) => { out += d; });
        c.stderr.on('data', (d) => { out += d; });
        c.on('exit', (code) => resolve({ code, out }));
      });
      const [a, b] = await Promise.all([runOne(), runOne()]);
      assert.equal(a.code, 0, a.out);
      assert.equal(b.code, 0, b.out);
      assert.deepEqual(migrationRows(db).map((r) => r.slice(0, 2)), migrationRows(p.db).map((r) => r.slice(0, 2)));
    } finally {
      sqlRows(`DROP DATABASE IF EXISTS \`${db}\``);
    }
  });
});

describe('portal serve and the schema version', () => {
  test('refuses a database schema newer than it knows', async () => {
    sqlRows("INSERT INTO schema_migrations (version, name) VALUES (9999, '9999_from_the_future')", { db: p.db });
    try {
      const env = { ...p.env, PORTAL_HTTP: `127.0.0.1:${await freePort()}`, PORTAL_WS: `127.0.0.1:${await freePort()}` };
      const r = await serveUntilExit(env);
      assert.ok(!r.stillRunning, `portal serve kept running over a newer schema:\n${r.out}`);
      assert.notEqual(r.code, 0, `exit ${r.code}:\n${r.out}`);
      assert.match(r.out, /newer/i);
      assert.match(r.out, /9999/);

      const m = cli(['migrate'], p.env);
      assert.notEqual(m.code, 0, `migrate over a newer schema exited 0:\n${m.out}`);
      assert.match(m.out, /newer/i);
      assert.ok(migrationRows(p.db).some((row) => row[0] === '9999'), 'migrate touched the newer row');
    } finally {
      sqlRows('DELETE FROM schema_migrations WHERE version = 9999', { db: p.db });
    }
    // and serves again once the schema matches (the running server was never affected)
    const ok = await fetch(`${p.url}/healthz`);
    assert.equal(ok.status, 200);
  });

  test('refuses an empty database and says to migrate', async () => {
    const db = `t_old_${process.pid}_${randomBytes(3).toString('hex')}`;
    sqlRows(`CREATE DATABASE \`${db}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    try {
      const r = await serveUntilExit(await freshEnv(db));
      assert.ok(!r.stillRunning, `portal serve started over an unmigrated database:\n${r.out}`);
      assert.notEqual(r.code, 0);
      assert.match(r.out, /migrate/);
    } finally {
      sqlRows(`DROP DATABASE IF EXISTS \`${db}\``);
    }
  });
});

describe('portal help', () => {
  test('exits 0 and lists the commands', () => {
    const r = cli(['help'], { PATH: process.env.PATH });
    assert.equal(r.code, 0, r.out);
    for (const cmd of ['serve', 'migrate', 'demo', 'user add', 'version', 'help']) {
      assert.match(r.out, new RegExp(`^\\s+${cmd}\\b`, 'm'), `help does not list ${cmd}`);
    }
  });

  test('lists every PORTAL_ setting', () => {
    const help = cli(['help'], { PATH: process.env.PATH }).out;
    const listed = new Set(help.match(/\bPORTAL_[A-Z0-9_]+/g));
    // Every setting the binary knows (`portal config` prints them all) ...
    const cfg = cli(['config'], p.env);
    const known = new Set(cfg.code === 0 ? [...cfg.out.matchAll(/^(PORTAL_[A-Z0-9_]+)=/gm)].map((m) => m[1]) : []);
    // ... every variable the C code reads directly ...
    const dirs = ['portal', 'chat', 'kb', 'client-cabinet'].map((d) => path.join(sourceDir, d)).filter((d) => fs.existsSync(d));
    for (const dir of dirs) {
      for (const f of fs.readdirSync(dir).filter((x) => /\.[ch]$/.test(x))) {
        for (const m of fs.readFileSync(path.join(dir, f), 'utf8').matchAll(/getenv\(\s*"(PORTAL_[A-Z0-9_]+)"/g)) known.add(m[1]);
      }
    }
    // ... and the ones the tests and scripts set.
    for (const name of ['PORTAL_HTTP', 'PORTAL_WS', 'PORTAL_DB_URL', 'PORTAL_DATA_DIR', 'PORTAL_WWW_DIR',
      'PORTAL_WS_ORIGINS', 'PORTAL_THREADS', 'PORTAL_SCHEDULER_INTERVAL']) known.add(name);
    const missing = [...known].filter((n) => !listed.has(n));
    assert.deepEqual(missing, [], 'settings missing from `portal help`');
  });

  test('an unknown command exits non-zero with the usage', () => {
    const r = cli(['frobnicate'], { PATH: process.env.PATH });
    assert.notEqual(r.code, 0);
    assert.match(r.out, /serve/);
  });
});
