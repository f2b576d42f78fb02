// Request errors: 401 before the body is read, and the JSON body checks every JSON
// route gets from http_json_body (malformed, not an object, wrong type, too large).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startPortal, api } from '../lib/portal.mjs';
import { rawRequest, streamRequest } from '../lib/rawhttp.mjs';

const MB = 1024 * 1024;
let p;
let loginBuilt = false;
before(async () => {
  p = await startPortal();
  const probe = await api(p.url, 'POST', '/api/v1/auth/login', { body: {} });
  loginBuilt = probe.status !== 404;
});
after(async () => { await p?.stop(); });

function assertError(res, status, code, what) {
  const body = res.body && typeof res.body === 'object' ? res.body : res.json;
  const text = res.text ?? res.body;
  assert.equal(res.status, status, `${what}: status ${res.status} ${text}`);
  const ct = typeof res.headers.get === 'function' ? res.headers.get('content-type') : res.headers['content-type'];
  assert.match(ct ?? '', /^application\/json/, `${what}: content-type`);
  assert.equal(typeof body?.error?.message, 'string', `${what}: ${text}`);
  assert.match(body.error.code, /^[a-z][a-z0-9_]*$/);
  if (code) assert.equal(body.error.code, code, `${what}: error.code`);
}

async function assertStillServing(base = p.url) {
  assert.equal((await api(base, 'GET', '/api/v1/ping')).status, 200, 'server stopped serving');
}

describe('routes that need a session', () => {
  test('POST /api/v1/files without a session is 401 JSON', async () => {
    const res = await api(p.url, 'POST', '/api/v1/files?name=a.txt', {
      raw: 'hello', headers: { 'Content-Type': 'text/plain' },
    });
    assertError(res, 401, null, 'upload without session');
    assert.match(res.headers.get('cache-control') ?? '', /no-store/);
  });

  test('GET /api/v1/files/{id} without a session is 401, not 404', async () => {
    for (const id of ['1', '999999', 'abc']) {
      const res = await api(p.url, 'GET', `/api/v1/files/${id}`);
      assertError(res, 401, null, `download ${id}`);
    }
  });

  test('a forged or garbage session cookie is still 401', async () => {
    for (const cookie of ['portal_session=' + 'A'.repeat(43), 'portal_session=', 'portal_session=%00%ff', '__Host-portal_session=x; portal_session=y']) {
      const res = await api(p.url, 'POST', '/api/v1/files?name=a.txt', {
        raw: 'hello', headers: { 'Content-Type': 'text/plain', Cookie: cookie },
      });
      assertError(res, 401, null, `cookie ${cookie}`);
    }
  });

  test('the 401 comes before the body is read (headers only, body never sent)', async () => {
    const res = await rawRequest(p.url,
      'POST /api/v1/files?name=big.bin HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\n' +
      `Content-Length: ${40 * MB}\r\n\r\n`, { timeout: 3000 });
    assert.equal(res.status, 401);
    assert.ok(res.json?.error?.code, res.body);
    await assertStillServing();
  });

  test('a bad JSON body to a session route is still 401 (auth first)', async () => {
    const res = await api(p.url, 'POST', '/api/v1/files?name=x', {
      raw: '{"broken":', headers: { 'Content-Type': 'application/json' },
    });
    assertError(res, 401, null, 'bad body without session');
  });

  test('streaming 100 MB at a session route gets a quick 401 and the server keeps serving', async () => {
    const res = await streamRequest(p.url,
      'POST /api/v1/files?name=huge.bin HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\n',
      100 * MB, { timeout: 5000 });
    assert.equal(res.status, 401);
    assert.ok(res.ms < 3000, `401 took ${res.ms} ms`);
    await assertStillServing();
  });
});

describe('JSON bodies (POST /api/v1/auth/login)', () => {
  const login = (raw, headers = { 'Content-Type': 'application/json' }) =>
    api(p.url, 'POST', '/api/v1/auth/login', { raw, headers });

  test('malformed JSON is 400 invalid_json', async (t) => {
    if (!loginBuilt) return t.skip('login route not built yet');
    for (const raw of ['{"email":', '{email: "a"}', "{'email':'a'}", '{"email":"a@b.c",}', '\u0000', '{"a":1}{"b":2}']) {
      assertError(await login(raw), 400, 'invalid_json', `body ${JSON.stringify(raw)}`);
    }
  });

  test('an empty body is 400 invalid_json', async (t) => {
    if (!loginBuilt) return t.skip('login route not built yet');
    assertError(await login(''), 400, 'invalid_json', 'empty body');
  });

  test('a JSON array, string, number or null is 400', async (t) => {
    if (!loginBuilt) return t.skip('login route not built yet');
    for (const raw of ['[{"email":"a@b.c","password":"x"}]', '"text"', '42', 'null', 'true']) {
      assertError(await login(raw), 400, null, `body ${raw}`);
    }
  });

  test('duplicate keys are refused with 400', async (t) => {
    if (!loginBuilt) return t.skip('login route not built yet');
    assertError(await login('{"email":"a@b.c","email":"x@y.z","password":"0123456789ab"}'), 400, null, 'duplicate keys');
  });

  test('a text/plain body is 415 unsupported_media_type', async (t) => {
    if (!loginBuilt) return t.skip('login route not built yet');
    const body = JSON.stringify({ email: 'nobody@example.com', password: 'wrong-password-1' });
    assertError(await login(body, { 'Content-Type': 'text/plain' }), 415, 'unsupported_media_type', 'text/plain');
    assertError(await login(body, { 'Content-Type': 'application/x-www-form-urlencoded' }), 415, 'unsupported_media_type', 'form');
    assertError(await login(body, { 'Content-Type': 'application/jsonp' }), 415, 'unsupported_media_type', 'application/jsonp');
  });

  test('application/json with a charset parameter is accepted as JSON', async (t) => {
    if (!loginBuilt) return t.skip('login route not built yet');
    const res = await login('{"email":', { 'Content-Type': 'application/json; charset=utf-8' });
    assertError(res, 400, 'invalid_json', 'charset parameter');
  });

  test('100 MB with a Content-Length is 413 payload_too_large quickly', async (t) => {
    if (!loginBuilt) return t.skip('login route not built yet');
    const res = await streamRequest(p.url,
      'POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n',
      100 * MB, { timeout: 5000 });
    assertError(res, 413, 'payload_too_large', '100 MB body');
    assert.ok(res.ms < 3000, `413 took ${res.ms} ms`);
    await assertStillServing();
  });

  test('100 MB chunked (no Content-Length) is 413 payload_too_large quickly', async (t) => {
    if (!loginBuilt) return t.skip('login route not built yet');
    const res = await streamRequest(p.url,
      'POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n',
      100 * MB, { chunked: true, timeout: 5000 });
    assertError(res, 413, 'payload_too_large', '100 MB chunked body');
    assert.ok(res.ms < 3000, `413 took ${res.ms} ms`);
    await assertStillServing();
  });
});
