// Scheduler: two portal processes over one database (and one shared data directory,
// as behind a load balancer) run each housekeeping job once per period, never both.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startPortal, sleep } from '../lib/portal.mjs';

const JOBS = ['files.tmp_cleanup', 'event.prune'];
let a;
let b;
before(async () => {
  a = await startPortal({ env: { PORTAL_SCHEDULER_INTERVAL: '1' } });
  b = await startPortal({ db: a.db, env: { PORTAL_SCHEDULER_INTERVAL: '1', PORTAL_DATA_DIR: a.dataDir } });
});
after(async () => {
  try { await b?.stop(); } finally { await a?.stop(); }
});

function leases() {
  const rows = a.sql(`SELECT name, owner, lease_until, last_started, last_finished, last_status FROM job_lease
    WHERE name IN (${JOBS.map((j) => `'${j}'`).join(',')}) ORDER BY name`);
  const out = {};
  for (const [name, owner, leaseUntil, lastStarted, lastFinished, lastStatus] of rows) {
    const nul = (v) => (v === 'NULL' ? null : v);
    out[name] = { owner: nul(owner), leaseUntil: nul(leaseUntil), lastStarted: nul(lastStarted),
      lastFinished: nul(lastFinished), lastStatus: nul(lastStatus) };
  }
  return out;
}

/** Polls job_lease until every job finished with 'ok' and holds no lease; returns
 * every distinct last_started value seen per job on the way. */
async function waitAllDone(timeoutMs) {
  const seen = Object.fromEntries(JOBS.map((j) => [j, new Set()]));
  const deadline = Date.now() + timeoutMs;
  let rows;
  for (;;) {
    rows = leases();
    for (const j of JOBS) if (rows[j]?.lastStarted) seen[j].add(rows[j].lastStarted);
    if (JOBS.every((j) => rows[j]?.lastStatus === 'ok' && rows[j].leaseUntil === null)) break;
    if (Date.now() > deadline) {
      assert.fail(`jobs did not finish with 'ok' within ${timeoutMs} ms: ${JSON.stringify(rows)}\n${a.logs().slice(-1500)}\n${b.logs().slice(-1500)}`);
    }
    await sleep(25);
  }
  return { rows, seen };
}

/** Keeps watching for a while: a job that runs again within its period shows up as a
 * second last_started value. */
async function watch(ms, seen) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const rows = leases();
    for (const j of JOBS) if (rows[j]?.lastStarted) seen[j].add(rows[j].lastStarted);
    await sleep(25);
  }
}

/** The owner column names host:pid:random; the pid must be one of our two portals. */
function assertOwnerIsOurPortal(owner) {
  const m = /:(\d+):[0-9a-f]+$/.exec(owner ?? '');
  assert.ok(m, `owner ${owner} does not name a process`);
  const pid = m[1];
  let exe;
  let environ;
  try {
    exe = fs.readlinkSync(`/proc/${pid}/exe`);
    environ = fs.readFileSync(`/proc/${pid}/environ`, 'latin1');
  } catch (e) {
    assert.fail(`owner ${owner}: no such process (${e.code})`);
  }
  assert.match(exe, /portal( \(deleted\))?$/, `owner ${owner} is not a portal process`);
  assert.ok(environ.includes(`/${a.db}?`), `owner ${owner} is a portal on another database`);
}

test('each job runs once per period across two processes, and stale uploads go', async () => {
  // Both processes are up: the first ticks have run (by one of them).
  let { rows, seen } = await waitAllDone(8000);
  await watch(2500, seen); // both processes tick twice more, inside the period
  for (const j of JOBS) {
    assert.equal(seen[j].size, 1, `${j} started ${seen[j].size} times within one period: ${[...seen[j]].join(', ')}`);
    assertOwnerIsOurPortal(rows[j].owner);
    assert.ok(rows[j].lastFinished >= rows[j].lastStarted, `${j}: finished before it started`);
  }

  // Housekeeping of the shared file store: plant leftovers of dead uploads.
  const tmpDir = path.join(a.dataDir, 'files', 'tmp');
  assert.ok(fs.statSync(tmpDir).isDirectory(), 'files/tmp was not created');
  const twoHoursAgo = new Date(Date.now() - 2 * 3600 * 1000);
  const stale = path.join(tmpDir, 'upload-stale0');
  const fresh = path.join(tmpDir, 'upload-fresh0');
  const other = path.join(tmpDir, 'not-an-upload');
  for (const f of [stale, fresh, other]) fs.writeFileSync(f, 'partial upload');
  fs.utimesSync(stale, twoHoursAgo, twoHoursAgo);
  fs.utimesSync(other, twoHoursAgo, twoHoursAgo);

  // Make both jobs due again, a few times: every time exactly one process takes each.
  const winners = [];
  for (let round = 0; round < 3; round++) {
    a.sql(`UPDATE job_lease SET last_started = NULL, lease_until = NULL, last_status = NULL
      WHERE name IN (${JOBS.map((j) => `'${j}'`).join(',')})`);
    ({ rows, seen } = await waitAllDone(5000));
    await watch(1200, seen); // longer than one tick of either process
    for (const j of JOBS) {
      assert.equal(seen[j].size, 1, `round ${round}: ${j} started ${seen[j].size} times: ${[...seen[j]].join(', ')}`);
      assertOwnerIsOurPortal(rows[j].owner);
      winners.push(rows[j].owner);
    }
    if (round === 0) {
      assert.ok(!fs.existsSync(stale), 'a stale upload-* file older than an hour was not removed');
      assert.ok(fs.existsSync(fresh), 'a live upload (fresh mtime) was removed');
      assert.ok(fs.existsSync(other), 'a file that is not an upload was removed');
    }
  }
  assert.ok(new Set(winners).size <= 2, `more than two owners: ${[...new Set(winners)].join(', ')}`);
  // Both processes are healthy throughout.
  for (const q of [a, b]) assert.equal((await fetch(`${q.url}/healthz`)).status, 200);
});
