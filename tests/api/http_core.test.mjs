// HTTP core: health endpoints, security headers on every kind of response, JSON
// errors for unknown paths and methods, hostile request heads, the access log.
import { test, before, after, beforeEach, describe } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { startPortal, api, sleep } from '../lib/portal.mjs';
import { rawRequest } from '../lib/rawhttp.mjs';

let p;
before(async () => { p = await startPortal(); });
after(async () => { await p?.stop(); });

/** Header lookup over fetch Headers or a raw lower-cased object. */
const hdr = (h, name) => (typeof h.get === 'function' ? h.get(name) : h[name.toLowerCase()]) ?? null;

function assertSecurityHeaders(headers, what) {
  const csp = hdr(headers, 'content-security-policy');
  assert.ok(csp, `${what}: Content-Security-Policy missing`);
  assert.match(csp, /(^|;)\s*default-src 'self'(\s|;|$)/, `${what}: CSP lacks default-src 'self': ${csp}`);
  assert.match(csp, /(^|;)\s*frame-ancestors 'none'(\s|;|$)/, `${what}: CSP lacks frame-ancestors 'none': ${csp}`);
  assert.equal(hdr(headers, 'x-content-type-options'), 'nosniff', `${what}: X-Content-Type-Options`);
  const rp = hdr(headers, 'referrer-policy');
  assert.ok(rp, `${what}: Referrer-Policy missing`);
  assert.match(rp, /^(no-referrer|same-origin|strict-origin|strict-origin-when-cross-origin|origin|origin-when-cross-origin)$/,
    `${what}: Referrer-Policy ${rp} leaks the URL`);
}

function assertJsonError(res, status, code, what) {
  assert.equal(res.status, status, `${what}: status (${res.text ?? res.body})`);
  const ct = hdr(res.headers, 'content-type') ?? '';
  assert.match(ct, /^application\/json/, `${what}: content-type ${ct}`);
  const body = res.body && typeof res.body === 'object' ? res.body : res.json;
  assert.ok(body?.error, `${what}: no error object in ${res.text ?? res.body}`);
  assert.equal(typeof body.error.message, 'string', `${what}: error.message`);
  assert.match(body.error.code, /^[a-z][a-z0-9_]*$/, `${what}: error.code is not snake_case`);
  if (code) assert.equal(body.error.code, code, `${what}: error.code`);
}

/** Describes a raw answer for assertion messages. */
const said = (res) => (res.status === 0
  ? 'the connection closed without an answer (did the portal crash?)'
  : `status ${res.status}: ${String(res.body).slice(0, 200)}`);

async function assertStillServing(q = p) {
  let res;
  try {
    res = await api(q.url, 'GET', '/api/v1/ping');
  } catch (e) {
    assert.fail(`the portal is gone (crashed?): ${e.cause?.code ?? e.message}\n${q.logs().slice(-2000)}`);
  }
  assert.equal(res.status, 200, 'server stopped serving');
}

describe('health', () => {
  test('GET /healthz is 200 {"status":"ok","db":"ok"}', async () => {
    const res = await api(p.url, 'GET', '/healthz');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^application\/json/);
    assert.deepEqual(res.body, { status: 'ok', db: 'ok' });
  });

  test('HEAD /healthz answers without a body', async () => {
    const res = await api(p.url, 'HEAD', '/healthz');
    assert.equal(res.status, 200);
    assert.equal(res.text, '');
  });

  test('GET /api/v1/ping is 200 JSON', async () => {
    const res = await api(p.url, 'GET', '/api/v1/ping');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^application\/json/);
    assert.equal(res.body?.status, 'ok');
  });
});

describe('security headers on every response', () => {
  const cases = [
    ['GET', '/api/v1/ping', 200],
    ['GET', '/healthz', 200],
    ['GET', '/shared/app.css', 200],
    ['GET', '/app/', 200],
    ['HEAD', '/app/', 200],
    ['GET', '/api/v1/no-such-thing', 404],
    ['GET', '/no-such-file.js', 404],
    ['PUT', '/healthz', 405],
    ['POST', '/shared/app.css', 405],
    ['POST', '/api/v1/files?name=a.txt', 401],
    ['GET', '/', 302],
  ];
  for (const [method, path, status] of cases) {
    test(`${method} ${path} (${status})`, async () => {
      const res = await api(p.url, method, path);
      assert.equal(res.status, status);
      assertSecurityHeaders(res.headers, `${method} ${path}`);
    });
  }

  test('GET / redirects to /app/', async () => {
    const res = await api(p.url, 'GET', '/');
    assert.equal(res.status, 302);
    assert.equal(res.headers.get('location'), '/app/');
  });

  test('an error CivetWeb produces itself (bad request line) carries them too', async () => {
    const res = await rawRequest(p.url, 'GET\r\n\r\n');
    assert.ok(res.status >= 400 && res.status < 500, said(res));
    assertSecurityHeaders(res.headers, 'malformed request line');
  });
});

describe('API errors', () => {
  for (const path of ['/api/v1/nope', '/api/v1/ping/extra', '/api/v2/ping', '/api', '/api/v1/files/1/x']) {
    test(`unknown API path ${path} is a 404 JSON error`, async () => {
      const res = await api(p.url, 'GET', path);
      assertJsonError(res, 404, 'not_found', path);
      assert.match(res.headers.get('cache-control') ?? '', /no-store/, 'API errors must not be cached');
    });
  }

  test('wrong method on an API path is 405 with Allow and a JSON error', async () => {
    for (const method of ['PUT', 'DELETE', 'PATCH', 'POST']) {
      const res = await api(p.url, method, '/healthz');
      assertJsonError(res, 405, 'method_not_allowed', `${method} /healthz`);
      const allow = (res.headers.get('allow') ?? '').split(',').map((s) => s.trim());
      assert.ok(allow.includes('GET'), `Allow should list GET: ${res.headers.get('allow')}`);
      assert.ok(!allow.includes(method), `Allow must not list ${method}`);
    }
    const res = await api(p.url, 'GET', '/api/v1/files');
    assertJsonError(res, 405, 'method_not_allowed', 'GET /api/v1/files');
    assert.ok(/\bPOST\b/.test(res.headers.get('allow') ?? ''), `Allow: ${res.headers.get('allow')}`);
  });

  for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
    test(`${method} on a static path is 405 Allow: GET, HEAD`, async () => {
      for (const path of ['/app/', '/shared/app.css', '/no-such-file']) {
        const res = await api(p.url, method, path, { raw: 'x', headers: { 'Content-Type': 'text/plain' } });
        assertJsonError(res, 405, 'method_not_allowed', `${method} ${path}`);
        const allow = (res.headers.get('allow') ?? '').split(',').map((s) => s.trim()).sort();
        assert.deepEqual(allow, ['GET', 'HEAD'], `Allow: ${res.headers.get('allow')}`);
      }
    });
  }
});

describe('hostile request heads (raw socket)', () => {
  // A portal of its own: a crash here must not take the other tests down with it.
  let h;
  before(async () => { h = await startPortal(); });
  after(async () => { await h?.stop(); });
  beforeEach(async () => { // bring it back if the previous test killed it
    const alive = await fetch(`${h.url}/api/v1/ping`).then(() => true, () => false);
    if (!alive) await h.restart();
  });
  test('unknown method BREW is a 4xx and the server keeps serving', async () => {
    for (const path of ['/api/v1/ping', '/app/']) {
      const res = await rawRequest(h.url, `BREW ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      assert.ok(res.status >= 400 && res.status < 500, `BREW ${path}: ${said(res)}`);
      assert.ok(res.json?.error?.code, `BREW ${path}: not a JSON error: ${res.body}`);
    }
    await assertStillServing(h);
  });

  test('a 100 KB request line is a 4xx JSON error and the server keeps serving', async () => {
    const res = await rawRequest(h.url, `GET /api/v1/${'a'.repeat(100 * 1024)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    assert.ok(res.status >= 400 && res.status < 500, said(res));
    assert.match(res.headers['content-type'] ?? '', /^application\/json/);
    assert.ok(res.json?.error?.code, `not a JSON error: ${res.body}`);
    assertSecurityHeaders(res.headers, 'long request line');
    await assertStillServing(h);
  });

  test('100 KB of headers is a 4xx JSON error and the server keeps serving', async () => {
    const headers = Array.from({ length: 50 }, (_, i) => `X-Filler-${i}: ${'b'.repeat(2048)}\r\n`).join('');
    const res = await rawRequest(h.url, `GET /api/v1/ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${headers}\r\n`);
    assert.ok(res.status >= 400 && res.status < 500, said(res));
    assert.match(res.headers['content-type'] ?? '', /^application\/json/);
    assert.ok(res.json?.error?.code, `not a JSON error: ${res.body}`);
    // One 100 KB header value, too.
    const one = await rawRequest(h.url, `GET /api/v1/ping HTTP/1.1\r\nHost: x\r\nX-Big: ${'c'.repeat(100 * 1024)}\r\n\r\n`);
    assert.ok(one.status >= 400 && one.status < 500, said(one));
    await assertStillServing(h);
  });

  test('garbage instead of HTTP is answered or dropped, never hangs', async () => {
    const res = await rawRequest(h.url, Buffer.from([0, 1, 2, 3, 0xff, 0xfe, 13, 10, 13, 10]));
    assert.ok(res.status === 0 || (res.status >= 400 && res.status < 500), said(res));
    await assertStillServing(h);
  });
});

describe('connections', () => {
  test('idle keep-alive connections do not starve new clients', async () => {
    // CivetWeb gives a connection a worker thread for as long as it stays open. Idle
    // browsers (keep-alive) must not lock newcomers out: open more idle keep-alive
    // connections than there are workers, then a new client must still be served.
    const threads = 4;
    const small = await startPortal({ env: { PORTAL_THREADS: String(threads) } });
    const socks = [];
    try {
      const { port } = new URL(small.url);
      for (let i = 0; i < threads + 2; i++) {
        const s = net.connect(Number(port), '127.0.0.1');
        s.on('error', () => {});
        socks.push(s);
        const answered = new Promise((resolve) => s.once('data', resolve));
        s.write('GET /api/v1/ping HTTP/1.1\r\nHost: x\r\n\r\n'); // keep-alive, then idle
        await Promise.race([answered, sleep(200)]);
      }
      // The newcomer uses its own connection (fetch could reuse a pooled one).
      const res = await rawRequest(small.url, 'GET /api/v1/ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
        { timeout: 4000 }).catch((e) => ({ status: 0, ms: Infinity, error: e.message }));
      assert.equal(res.status, 200, `a new client behind ${threads + 2} idle keep-alive connections: ${res.error ?? res.status}`);
      assert.ok(res.ms < 3000, `a new client waited ${res.ms} ms behind ${threads + 2} idle keep-alive connections`);
    } finally {
      for (const s of socks) s.destroy();
      await small.stop();
    }
  });
});

describe('access log', () => {
  test('one line per request with method, path, status and duration in ms', async () => {
    const tag = randomBytes(4).toString('hex');
    const requests = [
      ['GET', `/api/v1/log-probe-${tag}`, 404],
      ['GET', `/api/v1/log-probe-${tag}`, 404],
      ['DELETE', `/app/log-probe-${tag}`, 405],
      ['GET', `/app/log-probe-${tag}/deep`, 200],
      ['HEAD', `/shared/log-probe-${tag}.css`, 404],
    ];
    for (const [method, path, status] of requests) {
      const res = await api(p.url, method, path);
      assert.equal(res.status, status, `${method} ${path}`);
    }
    // The log is flushed every 250 ms.
    let lines = [];
    for (let i = 0; i < 20; i++) {
      await sleep(150);
      lines = p.logs().split('\n').filter((l) => l.includes(`log-probe-${tag}`));
      if (lines.length >= requests.length) break;
    }
    for (const [method, path, status] of requests) {
      const re = new RegExp(`\\b${method} ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\?\\S*)? ${status}\\b.*\\b\\d+(\\.\\d+)?\\s?ms\\b`);
      const matching = lines.filter((l) => re.test(l));
      assert.equal(matching.length, requests.filter((r) => r[0] === method && r[1] === path).length,
        `${method} ${path}: expected one log line per request matching ${re}, got:\n${lines.join('\n')}`);
    }
    assert.equal(lines.length, requests.length, `extra log lines:\n${lines.join('\n')}`);
  });

  test('requests CivetWeb rejects itself are logged too', async () => {
    await sleep(400); // earlier lines flushed
    const rejected = () => p.logs().split('\n').filter((l) => / 4\d\d .*\b(bad_request|request_too_large)\b/.test(l)).length;
    const before = rejected();
    const res = await rawRequest(p.url, 'BREW /api/v1/ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.ok(res.status >= 400 && res.status < 500, said(res));
    let after = before;
    for (let i = 0; i < 20 && after === before; i++) {
      await sleep(150);
      after = rejected();
    }
    assert.equal(after, before + 1, `expected one access log line for the rejected request:\n${p.logs().slice(-1500)}`);
  });
});
