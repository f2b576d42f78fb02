// CSRF: every write with a session needs X-CSRF-Token equal to the session's token,
// and JSON writes need Content-Type: application/json (a cross-site form can send
// neither). A refused write changes nothing.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startPortal, api } from '../lib/portal.mjs';
import { Client, PERSONAS, loginAs, show, stopChecked } from '../lib/identity.mjs';

let p;
let anna; let boris; let vera;
before(async () => {
  p = await startPortal({ demo: true });
  [anna, boris, vera] = await Promise.all([PERSONAS.admin, PERSONAS.manager, PERSONAS.member].map((e) => loginAs(p.url, e)));
});
after(async () => { await stopChecked(p); });

const count = (q) => Number(p.sql(q)[0][0]);
const alive = async (c) => (await c.get('/api/v1/me')).status === 200;

/** The bad X-CSRF-Token variants for client c: [label, headers-or-undefined]. */
function badTokens(c, other) {
  return [
    ['missing', undefined],
    ['empty', ''],
    ['wrong', 'x'.repeat(43)],
    ['another session\'s', other.csrf],
    ['a prefix of the right one', c.csrf.slice(0, 42)],
    ['the right one plus a character', `${c.csrf}A`],
    ['the session cookie itself', c.token],
  ];
}

async function send(c, method, path, body, token) {
  const headers = { 'Content-Type': 'application/json' };
  if (token !== undefined) headers['X-CSRF-Token'] = token;
  return c.req(method, path, { body, headers, csrf: false });
}

function assertCsrfFailed(res, what) {
  assert.equal(res.status, 403, `${what}: ${show(res)}`);
  assert.equal(res.body?.error?.code, 'csrf_failed', `${what}: ${show(res)}`);
}

describe('writes without the right X-CSRF-Token are refused with 403 csrf_failed', () => {
  test('POST /api/v1/accounts: refused, no account is created; with the token: 201', async () => {
    const before = count('SELECT COUNT(*) FROM accounts');
    for (const [label, token] of badTokens(boris, anna)) {
      const res = await send(boris, 'POST', '/api/v1/accounts', { name: `Csrf ${label}`, kind: 'prospect' }, token);
      assertCsrfFailed(res, `token ${label}`);
    }
    assert.equal(count('SELECT COUNT(*) FROM accounts'), before, 'a refused write created an account');
    const ok = await boris.post('/api/v1/accounts', { name: 'Csrf Passed LLC', kind: 'prospect' });
    assert.equal(ok.status, 201, show(ok));
    assert.equal(count("SELECT COUNT(*) FROM accounts WHERE name = 'Csrf Passed LLC'"), 1);
  });

  test('PATCH /api/v1/users/{id}: refused, the user is unchanged; with the token: 200', async () => {
    const [id, version, name] = p.sql(`SELECT id, version, name FROM users WHERE email = '${PERSONAS.member}'`)[0];
    for (const [label, token] of badTokens(anna, boris)) {
      const res = await send(anna, 'PATCH', `/api/v1/users/${id}`, { name: 'Hijacked', version: Number(version) }, token);
      assertCsrfFailed(res, `token ${label}`);
    }
    assert.deepEqual(p.sql(`SELECT name, version FROM users WHERE id = ${id}`)[0], [name, version]);
    const ok = await anna.patch(`/api/v1/users/${id}`, { name: 'Vera S.', version: Number(version) });
    assert.equal(ok.status, 200, show(ok));
    assert.equal(ok.body.name, 'Vera S.');
  });

  test('DELETE /api/v1/me/sessions/{id}: refused, the session lives; with the token: 204', async () => {
    const victim = await loginAs(p.url, PERSONAS.member);
    const id = Number(p.sql(`SELECT id FROM sessions WHERE user_id = ${victim.user.id} ORDER BY id DESC LIMIT 1`)[0][0]);
    for (const [label, token] of badTokens(vera, anna)) {
      const res = await send(vera, 'DELETE', `/api/v1/me/sessions/${id}`, undefined, token);
      assertCsrfFailed(res, `token ${label}`);
    }
    assert.ok(await alive(victim), 'a refused DELETE ended the session');
    const ok = await vera.del(`/api/v1/me/sessions/${id}`);
    assert.equal(ok.status, 204, show(ok));
    assert.ok(!(await alive(victim)));
  });

  test('POST /api/v1/auth/logout: refused, still logged in; with the token: 204', async () => {
    const c = await loginAs(p.url, PERSONAS.customer);
    for (const [label, token] of badTokens(c, vera)) {
      assertCsrfFailed(await send(c, 'POST', '/api/v1/auth/logout', undefined, token), `token ${label}`);
    }
    assert.ok(await alive(c), 'a forged logout logged the user out');
    assert.equal((await c.post('/api/v1/auth/logout')).status, 204);
    assert.ok(!(await alive(c)));
  });

  test('POST /api/v1/me/password: refused without the token', async () => {
    const res = await send(vera, 'POST', '/api/v1/me/password',
      { current_password: 'demo-password-1', new_password: 'Forged-change-7731' }, undefined);
    assertCsrfFailed(res, 'password change');
    assert.equal((await new Client(p.url).loginRaw(PERSONAS.member)).status, 200, 'the password was changed');
  });

  test('POST /api/v1/files (raw body): refused without the token, 201 with it', async () => {
    const before = count('SELECT COUNT(*) FROM files');
    const bad = await vera.req('POST', '/api/v1/files?name=note.txt',
      { raw: 'hello', headers: { 'Content-Type': 'text/plain' }, csrf: false });
    assertCsrfFailed(bad, 'upload');
    assert.equal(count('SELECT COUNT(*) FROM files'), before);
    const ok = await vera.req('POST', '/api/v1/files?name=note.txt', { raw: 'hello', headers: { 'Content-Type': 'text/plain' } });
    assert.equal(ok.status, 201, show(ok));
  });

  test('reads need no token: GET with a session and no X-CSRF-Token is 200', async () => {
    const res = await vera.get('/api/v1/me', { csrf: false });
    assert.equal(res.status, 200, show(res));
  });

  test('the CSRF token belongs to the session: a new login gets a new one, the old one stops working', async () => {
    const c = await loginAs(p.url, PERSONAS.partner);
    const first = c.csrf;
    await c.login(PERSONAS.partner);
    assert.notEqual(c.csrf, first);
    const res = await send(c, 'POST', '/api/v1/auth/logout', undefined, first);
    assertCsrfFailed(res, 'the previous session\'s token');
  });

  test('only the anonymous entry points are exempt from CSRF', async () => {
    const routes = JSON.parse(p.run('routes'));
    const exempt = routes.filter((r) => !['GET', 'HEAD'].includes(r.method) && r.csrf === false)
      .map((r) => `${r.method} ${r.pattern}`).sort();
    assert.deepEqual(exempt, [
      'POST /api/v1/auth/invitations/accept',
      'POST /api/v1/auth/invitations/inspect',
      'POST /api/v1/auth/login',
      'POST /api/v1/auth/reset/confirm',
      'POST /api/v1/auth/reset/request',
      // Share-link password form and upload-request link: no session; the link's token is
      // the credential (documents).
      'POST /s/{token}',
      'POST /u/{token}',
    ], 'a write route was exempted from the CSRF check');
    for (const r of routes.filter((x) => x.csrf === false && x.method !== 'GET')) {
      assert.ok(r.realms.includes('anonymous'), `${r.method} ${r.pattern} is CSRF-exempt but needs a session`);
    }
  });
});

describe('writes must be JSON', () => {
  const forms = ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'];

  test('a write with a session, the right token and a non-JSON Content-Type -> 415, nothing created', async () => {
    const before = count('SELECT COUNT(*) FROM accounts');
    for (const ct of forms) {
      const res = await boris.req('POST', '/api/v1/accounts', {
        raw: JSON.stringify({ name: `Form ${ct}`, kind: 'prospect' }), headers: { 'Content-Type': ct },
      });
      assert.equal(res.status, 415, `${ct}: ${show(res)}`);
      assert.equal(res.body?.error?.code, 'unsupported_media_type');
    }
    // A body with no Content-Type at all is not JSON either.
    const bare = await api(p.url, 'POST', '/api/v1/accounts', {
      raw: new TextEncoder().encode(JSON.stringify({ name: 'Bare body', kind: 'prospect' })),
      headers: { Cookie: `portal_session=${boris.token}`, 'X-CSRF-Token': boris.csrf },
    });
    assert.equal(bare.status, 415, `no Content-Type: ${show(bare)}`);
    assert.equal(count('SELECT COUNT(*) FROM accounts'), before, 'a non-JSON write created an account');
  });

  test('application/json; charset=utf-8 is JSON', async () => {
    const res = await boris.req('POST', '/api/v1/accounts', {
      raw: JSON.stringify({ name: 'Charset Ok', kind: 'prospect' }), headers: { 'Content-Type': 'application/json; charset=utf-8' },
    });
    assert.equal(res.status, 201, show(res));
  });

  test('login with a JSON body sent as a form -> 415, no session', async () => {
    for (const ct of forms) {
      const res = await api(p.url, 'POST', '/api/v1/auth/login', {
        raw: JSON.stringify({ email: PERSONAS.member, password: 'demo-password-1' }), headers: { 'Content-Type': ct },
      });
      assert.equal(res.status, 415, `${ct}: ${show(res)}`);
      assert.equal(res.body?.error?.code, 'unsupported_media_type');
      assert.equal(res.headers.getSetCookie().length, 0, `${ct}: a session cookie was set`);
    }
  });

  test('a DELETE without a body needs no Content-Type (as curl and API clients send it)', async () => {
    // A plain DELETE carries neither Content-Length nor Content-Type: there is no JSON
    // to label, so it is not "a non-JSON body".
    const victim = await loginAs(p.url, PERSONAS.member);
    const id = Number(p.sql(`SELECT id FROM sessions WHERE user_id = ${victim.user.id} ORDER BY id DESC LIMIT 1`)[0][0]);
    const del = await api(p.url, 'DELETE', `/api/v1/sessions/${id}`,
      { headers: { Cookie: `portal_session=${anna.token}`, 'X-CSRF-Token': anna.csrf } });
    assert.equal(del.status, 204, `bodyless DELETE: ${show(del)}`);
    assert.ok(!(await alive(victim)));
  });
});
