// Database faults: a second private MariaDB is killed with SIGKILL under load and
// started again. The portal must answer every request quickly while the database is
// gone (503 from /healthz, 200 from /api/v1/ping) and recover by itself.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startPortal, sourceDir, sleep } from '../lib/portal.mjs';

const run = promisify(execFile);
const script = path.join(sourceDir, 'scripts/mariadb-private');
const LOOPS = 32;
const REQUEST_BUDGET_MS = 3000;

let dbDir;
let p;
before(async () => {
  dbDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-dbfault-'));
  await run(script, ['start', dbDir, 'portal'], { env: { ...process.env, PORTAL_MARIADB_FAST: '1' } });
  // More workers than client connections: this test is about the database, not about
  // keep-alive connections queueing for a worker (see http_core.test.mjs).
  p = await startPortal({ socket: path.join(dbDir, 'mysqld.sock'), env: { PORTAL_THREADS: String(LOOPS + 16) } });
});
after(async () => {
  try {
    await p?.stop();
  } finally {
    if (dbDir) {
      await run(script, ['stop', dbDir]).catch(() => {});
      fs.rmSync(dbDir, { recursive: true, force: true });
    }
  }
});

/** GET over a pooled keep-alive connection; resolves { status, body } or rejects. */
function get(agent, base, pathname, timeoutMs) {
  return new Promise((resolve, reject) => {
    const req = http.get(base + pathname, { agent, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

/** `count` loops, each with its own connection; one record per request:
 * { path, start, end, status, body, error }. */
function loadLoops(base, paths, count) {
  // Exactly `count` client connections (fetch may open more than it has requests in
  // flight, and CivetWeb gives each open connection a worker thread).
  const agent = new http.Agent({ keepAlive: true, maxSockets: count });
  const records = [];
  let stopping = false;
  async function loop(i) {
    const pathname = paths[i % paths.length];
    while (!stopping) {
      const rec = { path: pathname, start: Date.now() };
      try {
        Object.assign(rec, await get(agent, base, pathname, REQUEST_BUDGET_MS + 2000));
      } catch (e) {
        rec.error = `${e.code ?? e.name}: ${e.message}`;
      }
      rec.end = Date.now();
      records.push(rec);
      if (rec.error) await sleep(20);
    }
  }
  const all = Promise.all(Array.from({ length: count }, (_, i) => loop(i)));
  return { records, stop: async () => { stopping = true; await all; agent.destroy(); } };
}

test('SIGKILL of MariaDB under load: quick 503s, ping stays up, recovery without a restart', async () => {
  const paths = ['/healthz', '/healthz', '/healthz', '/api/v1/ping'];
  const load = loadLoops(p.url, paths, LOOPS);
  const recs = load.records;
  try {
    await sleep(1500);
    const warm = recs.filter((r) => r.path === '/healthz' && r.status === 200).length;
    assert.ok(warm > LOOPS, `too few healthy answers before the fault (${warm})`);

    const pid = Number(fs.readFileSync(path.join(dbDir, 'mysqld.pid'), 'utf8').trim());
    assert.ok(pid > 1, 'no MariaDB pid');
    const killedAt = Date.now();
    process.kill(pid, 'SIGKILL');

    // /healthz must report the outage within 2 s.
    let firstDown = null;
    while (Date.now() - killedAt < 5000) {
      firstDown = recs.find((r) => r.path === '/healthz' && r.start >= killedAt && r.status === 503);
      if (firstDown) break;
      await sleep(50);
    }
    assert.ok(firstDown, '/healthz never answered 503 after MariaDB was killed');
    assert.ok(firstDown.end - killedAt <= 2000, `first 503 came ${firstDown.end - killedAt} ms after the kill`);
    assert.deepEqual(JSON.parse(firstDown.body), { status: 'degraded', db: 'down' });

    await sleep(2000); // a stretch of outage under load

    const restartAt = Date.now();
    await run(script, ['start', dbDir], { env: { ...process.env, PORTAL_MARIADB_FAST: '1' } });
    const dbUpAt = Date.now();

    // Back to 200 by itself, no portal restart.
    let firstUp = null;
    while (Date.now() - dbUpAt < 10000) {
      firstUp = recs.find((r) => r.path === '/healthz' && r.start >= dbUpAt && r.status === 200);
      if (firstUp) break;
      await sleep(100);
    }
    assert.ok(firstUp, `/healthz did not return to 200 within 10 s of MariaDB coming back (restart took ${dbUpAt - restartAt} ms)`);
    await sleep(1000); // all workers' connections should be back by now
    const settled = Date.now();
    await sleep(1000);
    await load.stop();

    // Every request got an answer, and quickly.
    const errors = recs.filter((r) => r.error);
    if (process.env.DBF_DEBUG) console.log(`first 503 +${firstDown.end - killedAt} ms, restart +${restartAt - killedAt}, db up +${dbUpAt - killedAt}, first 200 +${firstUp.end - killedAt}, requests ${recs.length}, slowest ${Math.max(...recs.map((r) => r.end - r.start))} ms`);
    assert.deepEqual(errors.slice(0, 5).map((r) => `${r.path}: ${r.error}`), [], `${errors.length} requests failed`);
    const slow = recs.filter((r) => r.end - r.start > REQUEST_BUDGET_MS);
    assert.deepEqual(slow.slice(0, 5).map((r) => `${r.path} ${r.status} took ${r.end - r.start} ms at +${r.start - killedAt} ms`), [],
      `${slow.length} requests took longer than ${REQUEST_BUDGET_MS} ms`);

    // While the database was gone: /healthz 503 (never a 200 that started after the
    // first 503 was seen), /api/v1/ping always 200.
    const outage = recs.filter((r) => r.start >= firstDown.end && r.end <= restartAt);
    const lies = outage.filter((r) => r.path === '/healthz' && r.status !== 503);
    assert.deepEqual(lies.slice(0, 5).map((r) => `${r.status} ${r.body}`), [], '/healthz said something other than 503 while the database was down');
    for (const r of outage.filter((x) => x.path === '/healthz').slice(0, 50)) {
      assert.deepEqual(JSON.parse(r.body), { status: 'degraded', db: 'down' });
    }
    const pings = recs.filter((r) => r.path === '/api/v1/ping' && r.start >= killedAt && r.end <= dbUpAt);
    assert.ok(pings.length > 10, `too few pings during the outage (${pings.length})`);
    assert.deepEqual([...new Set(pings.map((r) => r.status))], [200], '/api/v1/ping must not depend on the database');
    const unexpected = recs.filter((r) => r.path === '/healthz' && ![200, 503].includes(r.status));
    assert.deepEqual(unexpected.slice(0, 5).map((r) => `${r.status} ${r.body}`), [], 'unexpected /healthz statuses');

    // After recovery every worker is healthy again, not just one.
    const after = recs.filter((r) => r.path === '/healthz' && r.start >= settled);
    assert.ok(after.length > LOOPS, `too few requests after recovery (${after.length})`);
    assert.deepEqual([...new Set(after.map((r) => r.status))], [200], 'some workers stayed broken after MariaDB came back');
  } finally {
    await load.stop();
  }
});
