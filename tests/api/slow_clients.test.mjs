// Slow and many clients: while hundreds of connections dribble headers, dribble a body,
// sit idle or never finish a websocket handshake, normal requests are still answered in
// under 100 ms. Run twice: against the portal itself (its header and body deadlines, the
// per-address cap checked before a worker reads) and through the nginx configuration
// README recommends (scripts/run-proxy), which holds slow clients outside the portal.
// Every attacker is on loopback and every loop is bounded; the figures are printed for
// the issue note (`node --test tests/api/slow_clients.test.mjs`).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startPortal, freePort, sleep, sourceDir } from '../lib/portal.mjs';
import { loginAs } from '../lib/identity.mjs';

const PROBE_MS = 6000;
const figures = [];
let p, proxy, proxyUrl, anna;

async function startProxy(portal) {
  const port = await freePort();
  const prefix = mkdtempSync(path.join(os.tmpdir(), 'portal-proxy-'));
  const backend = new URL(portal.url).host, ws = new URL(portal.wsUrl).host;
  const child = spawn(path.join(sourceDir, 'scripts/run-proxy'), [`127.0.0.1:${port}`, backend, ws, prefix],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${url}/healthz`)).status === 200) break;
    } catch { /* not up yet */ }
    if (child.exitCode !== null) throw new Error(`nginx did not start: ${out}`);
    await sleep(100);
  }
  return {
    url,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
      rmSync(prefix, { recursive: true, force: true });
    },
  };
}

before(async () => {
  // The default worker count: the tests' usual 24 would make the cap (32) moot.
  p = await startPortal({ demo: true, env: { PORTAL_THREADS: '96' } });
  anna = await loginAs(p.url, 'anna@demo.example');
  proxy = await startProxy(p);
  proxyUrl = proxy.url;
});
after(async () => {
  await proxy?.stop();
  await p?.stop();
  console.log('\nslow clients: normal requests while under attack (ms)');
  for (const f of figures) console.log(`  ${f}`);
});

/** Opens n sockets to url's host:port from the given source addresses (round robin). */
async function openMany(url, n, sources, onConnect) {
  const { hostname, port } = new URL(url);
  const socks = [];
  const pending = [];
  for (let i = 0; i < n; i++) {
    const s = net.connect({ host: hostname, port: Number(port), localAddress: sources[i % sources.length] });
    s.on('error', () => {});
    s.setNoDelay(true);
    socks.push(s);
    pending.push(new Promise((resolve) => {
      s.once('connect', () => { onConnect?.(s, i); resolve(); });
      s.once('error', resolve);
      s.once('close', resolve);
    }));
    if (i % 200 === 199) await Promise.all(pending.splice(0)); // no SYN storm past the backlog
  }
  await Promise.all(pending);
  return socks;
}

/** One request on a new connection; resolves with its time in ms (5000 on failure). */
function probeOnce(url, pathname, headers = {}) {
  const t = process.hrtime.bigint();
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ ms: 5000, status: 0 }), 5000);
    fetch(url + pathname, { headers: { Connection: 'close', ...headers } })
      .then(async (res) => {
        await res.arrayBuffer();
        clearTimeout(timer);
        resolve({ ms: Number(process.hrtime.bigint() - t) / 1e6, status: res.status });
      })
      .catch(() => { clearTimeout(timer); resolve({ ms: 5000, status: 0 }); });
  });
}

/** Normal traffic for PROBE_MS: a ping and a signed-in /me every 100 ms. */
async function probe(url) {
  const results = [];
  const until = Date.now() + PROBE_MS;
  while (Date.now() < until) {
    const [a, b] = await Promise.all([
      probeOnce(url, '/api/v1/ping'),
      probeOnce(url, '/api/v1/me', { Cookie: `portal_session=${anna.token}` }),
    ]);
    results.push(a, b);
    await sleep(100);
  }
  const ms = results.map((r) => r.ms).sort((x, y) => x - y);
  const q = (f) => ms[Math.min(ms.length - 1, Math.floor(f * ms.length))];
  return { n: ms.length, failed: results.filter((r) => r.status !== 200).length, p50: q(0.5), p90: q(0.9), max: ms[ms.length - 1] };
}

/** Runs attack (which opens sockets and returns a stop function) while probing. */
async function underAttack(what, via, url, attack, { assertFast = true } = {}) {
  const stop = await attack();
  await sleep(300);
  const r = await probe(url);
  await stop();
  figures.push(`${via.padEnd(6)} ${what.padEnd(58)} n=${r.n} failed=${r.failed} p50=${r.p50.toFixed(1)} p90=${r.p90.toFixed(1)} max=${r.max.toFixed(1)}`);
  if (assertFast) {
    assert.equal(r.failed, 0, `${via} ${what}: ${r.failed} of ${r.n} normal requests failed`);
    assert.ok(r.p90 < 100, `${via} ${what}: p90 ${r.p90.toFixed(1)} ms`);
  }
  return r;
}

const ATTACKER = ['127.0.0.2'];
const MANY_ATTACKERS = Array.from({ length: 200 }, (_, i) => `127.0.${1 + Math.floor(i / 250)}.${(i % 250) + 2}`);

function slowloris(url, n, sources) {
  return async () => {
    const socks = await openMany(url, n, sources, (s) => s.write('GET /api/v1/ping HTTP/1.1\r\nHost: h\r\nX-A: '));
    let stopped = false;
    (async () => {
      for (let k = 0; k < 3 && !stopped; k++) { // a header byte every 5 s, for at most 15 s
        await sleep(5000);
        for (const s of socks) if (!s.destroyed) s.write('a');
      }
    })();
    return async () => { stopped = true; socks.forEach((s) => s.destroy()); };
  };
}

function slowBody(url, n, sources) {
  return async () => {
    const socks = await openMany(url, n, sources, (s) => s.write(
      'POST /api/v1/auth/login HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n{'));
    let stopped = false;
    (async () => {
      for (let k = 0; k < 15 && !stopped; k++) { // 1 byte/s, for at most 15 s
        await sleep(1000);
        for (const s of socks) if (!s.destroyed) s.write(' ');
      }
    })();
    return async () => { stopped = true; socks.forEach((s) => s.destroy()); };
  };
}

function idle(url, n, sources) {
  return async () => {
    const socks = await openMany(url, n, sources);
    return async () => socks.forEach((s) => s.destroy());
  };
}

/** Websockets that start the upgrade and never finish it (nor send anything else). */
function wsHalfOpen(wsUrlHttp, n, sources) {
  return async () => {
    const socks = await openMany(wsUrlHttp, n, sources, (s, i) => {
      if (i % 2) s.write('GET /realtime?ticket=x HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n');
    });
    return async () => socks.forEach((s) => s.destroy());
  };
}

for (const via of ['direct', 'nginx']) {
  describe(`${via}: normal requests stay fast`, () => {
    const url = () => (via === 'direct' ? p.url : proxyUrl);
    test('200 slowloris connections (a header byte every 5 s) from one address', async () => {
      await underAttack('200 slowloris, one address', via, url(), slowloris(url(), 200, ATTACKER));
    });
    test('200 bodies declared 10 MB sent at 1 byte/s from one address', async () => {
      await underAttack('200 slow 10 MB bodies, one address', via, url(), slowBody(url(), 200, ATTACKER));
    });
    test('2,000 idle connections from one address', async () => {
      await underAttack('2000 idle connections, one address', via, url(), idle(url(), 2000, ATTACKER));
    });
    test('2,000 websockets that never complete the handshake', async () => {
      const wsHttp = via === 'direct' ? p.wsUrl.replace(/^ws/, 'http') : proxyUrl;
      await underAttack('2000 half-open websocket handshakes', via, url(), wsHalfOpen(wsHttp, 2000, ATTACKER));
    });
    test('200 slowloris connections from 200 addresses', async () => {
      // The per-address cap cannot help here: the portal alone gives each a worker until
      // its 10 s header deadline. This is what the proxy is for; without it the figures
      // are printed, not judged.
      await underAttack('200 slowloris, 200 addresses', via, url(), slowloris(url(), 200, MANY_ATTACKERS),
        { assertFast: via === 'nginx' });
    });
  });
}

test('a refused address is told so: the 33rd connection gets 503 too_many_connections', async () => {
  const socks = await openMany(p.url, 33, ['127.0.0.3']);
  const last = socks[32];
  const answer = await new Promise((resolve) => {
    let buf = '';
    last.on('data', (d) => { buf += d; });
    last.on('close', () => resolve(buf));
    setTimeout(() => resolve(buf), 3000);
  });
  socks.forEach((s) => s.destroy());
  assert.match(answer, /^HTTP\/1\.1 503 /);
  assert.match(answer, /"code":"too_many_connections"/);
  assert.match(answer, /Retry-After: 5/);
  // The address is free again once they are closed.
  await sleep(200);
  const again = await openMany(p.url, 1, ['127.0.0.3'], (s) => s.write('GET /api/v1/ping HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n'));
  const ok = await new Promise((resolve) => {
    let buf = '';
    again[0].on('data', (d) => { buf += d; });
    again[0].on('close', () => resolve(buf));
  });
  assert.match(ok, /^HTTP\/1\.1 200 /);
});

test('websockets work through the proxy', async () => {
  const res = await anna.post('/api/v1/realtime/ticket');
  assert.equal(res.status, 201);
  const { default: WebSocket } = await import('ws');
  const ws = new WebSocket(`${proxyUrl.replace(/^http/, 'ws')}/realtime?ticket=${encodeURIComponent(res.body.ticket)}`, { origin: p.url });
  const pong = await new Promise((resolve, reject) => {
    ws.on('open', () => ws.send('{"type":"ping"}'));
    ws.on('message', (m) => { if (String(m).includes('pong')) resolve(true); });
    ws.on('error', reject);
    setTimeout(() => reject(new Error('no pong through nginx')), 5000);
  });
  ws.close();
  assert.ok(pong);
  assert.ok(existsSync(path.join(sourceDir, 'scripts/nginx/portal.conf.in')));
});
