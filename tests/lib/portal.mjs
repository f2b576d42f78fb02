// tests/lib/portal.mjs - starts the real portal binary on free loopback ports over a
// fresh database in the private test MariaDB (the ctest fixture `mariadb`), for API
// and browser tests. Every test file gets its own database and data directory.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

export const sourceDir = process.env.PORTAL_SOURCE_DIR ??
  path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
export const portalBin = process.env.PORTAL_BIN ?? path.join(sourceDir, 'build/portal');
export const testSocket = process.env.PORTAL_TEST_SOCKET ??
  path.join(sourceDir, 'build/test-tmp/mariadb/mysqld.sock');

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Runs SQL as root over the test socket; returns rows as arrays of strings. */
export function sqlRows(query, { db, socket = testSocket } = {}) {
  const args = ['--no-defaults', `--socket=${socket}`, '--user=root', '-N', '-B', '-e', query];
  if (db) args.push(db);
  const out = execFileSync('mariadb', args, { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.length).map((l) => l.split('\t'));
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Starts a portal. Options: demo (seed demo data), env (extra settings), socket
 * (another MariaDB), db (reuse a database name). Returns
 * { url, wsUrl, db, dataDir, env, stop(), restart(), crash(), sql(query), logs() }.
 */
export async function startPortal({ demo = false, env = {}, socket = testSocket, db } = {}) {
  const dbName = db ?? `t_${process.pid}_${randomBytes(4).toString('hex')}`;
  sqlRows(`CREATE DATABASE IF NOT EXISTS \`${dbName}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`, { socket });
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'portal-test-'));
  let httpPort, wsPort, fullEnv;
  /* A port found free can be taken before the portal binds it (by another test's portal
   * or any outgoing connection's ephemeral port): the first start then tries new ports. */
  async function pickPorts() {
    [httpPort, wsPort] = [await freePort(), await freePort()];
    fullEnv = {
      ...process.env,
      PORTAL_DB_URL: `mariadb://root@localhost/${dbName}?socket=${socket}`,
      PORTAL_DATA_DIR: dataDir,
      PORTAL_HTTP: `127.0.0.1:${httpPort}`,
      PORTAL_WS: `127.0.0.1:${wsPort}`,
      PORTAL_WS_ORIGINS: `http://127.0.0.1:${httpPort}`,
      PORTAL_PUBLIC_URL: `http://127.0.0.1:${httpPort}`,
      PORTAL_THREADS: '24',
      PORTAL_SCHEDULER_INTERVAL: '1',
      ...env,
    };
  }
  await pickPorts();
  const run = (...args) => execFileSync(portalBin, args, { env: fullEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  run('migrate');
  if (demo) run('demo');

  let child;
  let output = '';
  let url = `http://127.0.0.1:${httpPort}`;
  async function launch() {
    output = '';
    child = spawn(portalBin, ['serve'], { env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    const deadline = Date.now() + 20000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`portal exited early (${child.exitCode}):\n${output}`);
      try {
        const res = await fetch(`${url}/api/v1/ping`);
        if (res.ok) break;
      } catch { /* not listening yet */ }
      if (Date.now() > deadline) throw new Error(`portal did not start:\n${output}`);
      await sleep(100);
    }
  }
  async function halt() {
    if (!child) return;
    if (child.exitCode !== null || child.signalCode) {
      /* It died before we asked: a crash is a failure, not a quiet stop. */
      if (child.exitCode !== 0) throw new Error(`portal had exited with ${child.exitCode ?? child.signalCode}:\n${output.slice(-4000)}`);
      return;
    }
    const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
    const { code, signal } = await exited;
    clearTimeout(timer);
    if (code !== 0) throw new Error(`portal exited with ${code ?? signal}:\n${output.slice(-4000)}`);
  }
  for (let attempt = 1; ; attempt++) {
    try {
      await launch();
      break;
    } catch (err) {
      const taken = /binding|in use|cannot listen/i.test(output) && !env.PORTAL_HTTP && !env.PORTAL_WS;
      if (!taken || attempt === 3) throw err;
      await pickPorts();
      url = `http://127.0.0.1:${httpPort}`;
    }
  }
  return {
    url,
    wsUrl: `ws://127.0.0.1:${wsPort}`,
    db: dbName,
    dataDir,
    env: fullEnv,
    run,
    logs: () => output,
    sql: (q) => sqlRows(q, { db: dbName, socket }),
    restart: async () => { await halt(); await launch(); },
    /* kill -9, as a crash would: no clean shutdown; restart() brings it back. */
    crash: async () => {
      if (!child || child.exitCode !== null || child.signalCode) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      child = null;
    },
    stop: async () => {
      try {
        await halt();
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
        try { sqlRows(`DROP DATABASE IF EXISTS \`${dbName}\``, { socket }); } catch { /* server gone */ }
      }
    },
  };
}

/** fetch + JSON for API tests: returns { status, headers, body, text }. */
export async function api(base, method, pathname, { body, headers = {}, raw } = {}) {
  const init = { method, headers: { ...headers }, redirect: 'manual' };
  if (raw !== undefined) init.body = raw;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers['Content-Type'] ??= 'application/json';
  }
  const res = await fetch(base + pathname, init);
  const text = await res.text();
  let json;
  try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
  return { status: res.status, headers: res.headers, body: json, text };
}
