// Sessions: the cookie and its flags, what the database keeps (hashes only), session
// fixation, /me, logout, idle and absolute expiry, password change, disabling a user,
// and the user's own list of sessions.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { startPortal, api, sleep } from '../lib/portal.mjs';
import { Client, DEMO_PASSWORD, PERSONAS, loginAs, sessionCookie, show, stopChecked } from '../lib/identity.mjs';

const sha256hex = (s) => createHash('sha256').update(s).digest('hex').toUpperCase();

let p;
let admin; // anna, reused by the tests that need an admin
before(async () => {
  p = await startPortal({ demo: true });
  admin = await loginAs(p.url, PERSONAS.admin);
});
after(async () => { await stopChecked(p); });

/** Creates an employee through the admin API; returns { id, email, password, name }. */
async function newUser(tag, { role = 'member' } = {}) {
  const email = `${tag}.${randomBytes(3).toString('hex')}@demo.example`;
  const password = `Quiet-harbor-${randomBytes(4).toString('hex')}`;
  const name = `Test ${tag}`;
  const res = await admin.post('/api/v1/users', { email, name, realm: 'employee', role, password });
  assert.equal(res.status, 201, `create ${email}: ${show(res)}`);
  return { id: res.body.id, email, password, name };
}

const sessionRow = (token) => p.sql(
  `SELECT id, user_id, revoked_at IS NULL FROM sessions WHERE token_hash = UNHEX('${sha256hex(token)}')`)[0];

describe('the session cookie', () => {
  test('login sets portal_session: HttpOnly, SameSite=Lax, Path=/, Max-Age, no Secure, 256-bit token', async () => {
    const res = await api(p.url, 'POST', '/api/v1/auth/login', { body: { email: PERSONAS.member, password: DEMO_PASSWORD } });
    assert.equal(res.status, 200, show(res));
    const c = sessionCookie(res);
    assert.ok(c, `no session cookie in ${JSON.stringify(res.headers.getSetCookie())}`);
    assert.equal(c.name, 'portal_session');
    assert.equal(c.attrs.httponly, true, `HttpOnly missing: ${c.line}`);
    assert.equal(String(c.attrs.samesite).toLowerCase(), 'lax', `SameSite: ${c.line}`);
    assert.equal(c.attrs.path, '/', `Path: ${c.line}`);
    assert.ok(Number(c.attrs['max-age']) > 0, `Max-Age: ${c.line}`);
    assert.equal(c.attrs.secure, undefined, `Secure without TLS: ${c.line}`);
    assert.equal(c.attrs.domain, undefined, `Domain widens the cookie: ${c.line}`);
    assert.match(c.value, /^[A-Za-z0-9_-]{43}$/, 'the token is 32 random bytes, base64url');
    assert.equal(Buffer.from(c.value, 'base64url').length, 32);
    assert.match(res.headers.get('cache-control') ?? '', /no-store/);
  });

  test('two logins get unrelated tokens and CSRF tokens', async () => {
    const a = await loginAs(p.url, PERSONAS.member);
    const b = await loginAs(p.url, PERSONAS.member);
    assert.notEqual(a.token, b.token);
    assert.notEqual(a.csrf, b.csrf);
    assert.notEqual(a.csrf, a.token, 'the CSRF token must not be the session token');
  });
});

describe('what the database keeps', () => {
  test('sessions.token_hash is the SHA-256 of the cookie; the cookie value is stored nowhere', async () => {
    const c = await loginAs(p.url, PERSONAS.manager);
    const row = sessionRow(c.token);
    assert.ok(row, 'no session row whose token_hash = SHA-256(cookie)');
    assert.equal(row[1], String(c.user.id));
    const raw = Buffer.from(c.token, 'base64url').toString('hex');
    const leaks = p.sql(`SELECT COUNT(*) FROM sessions WHERE HEX(token_hash) = '${raw.toUpperCase()}'
      OR csrf_token = '${c.token}' OR user_agent LIKE '%${c.token}%' OR ip LIKE '%${c.token}%'`)[0][0];
    assert.equal(leaks, '0', 'the raw token (or its bytes) is in the sessions table');
    const audit = p.sql(`SELECT COUNT(*) FROM audit WHERE details LIKE '%${c.token}%'`)[0][0];
    assert.equal(audit, '0', 'the token is in the audit log');
  });

  test('every password_hash is argon2id with at least the INTERACTIVE limits', async () => {
    const u = await newUser('hashcheck');
    const rows = p.sql('SELECT email, password_hash FROM users');
    assert.ok(rows.length >= 7);
    for (const [email, hash] of rows) {
      const m = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=\d+\$/.exec(hash);
      assert.ok(m, `${email}: password_hash is not argon2id: ${hash.slice(0, 20)}`);
      assert.ok(Number(m[1]) >= 65536 && Number(m[2]) >= 2, `${email}: argon2id limits below INTERACTIVE: ${hash.slice(0, 40)}`);
      assert.ok(!hash.includes(u.password));
    }
  });
});

describe('session fixation', () => {
  test('a cookie planted before login is replaced, and is no session afterwards', async () => {
    const planted = randomBytes(32).toString('base64url');
    const res = await api(p.url, 'POST', '/api/v1/auth/login', {
      body: { email: PERSONAS.member, password: DEMO_PASSWORD },
      headers: { Cookie: `portal_session=${planted}` },
    });
    assert.equal(res.status, 200, show(res));
    const c = sessionCookie(res);
    assert.ok(c && c.value !== planted, 'login kept the cookie value the browser came with');
    const me = await api(p.url, 'GET', '/api/v1/me', { headers: { Cookie: `portal_session=${planted}` } });
    assert.equal(me.status, 401, 'the planted value became a session');
  });

  test('logging in over a live session revokes the old one and issues a new token', async () => {
    const c = await loginAs(p.url, PERSONAS.member);
    const old = c.token;
    await c.login(PERSONAS.member); // sends the old cookie along
    assert.notEqual(c.token, old, 'the token was reused');
    const oldMe = await api(p.url, 'GET', '/api/v1/me', { headers: { Cookie: `portal_session=${old}` } });
    assert.equal(oldMe.status, 401, 'the session from before the login still works');
    assert.equal(sessionRow(old)[2], '0', 'the old session row is not revoked');
    assert.equal((await c.get('/api/v1/me')).status, 200);
  });
});

describe('/api/v1/me', () => {
  test('shows user, realm, role, account and the CSRF token of the session', async () => {
    const cases = [
      [PERSONAS.admin, 'employee', 'admin', null],
      [PERSONAS.member, 'employee', 'member', null],
      [PERSONAS.customer, 'customer', null, { name: 'Romashka LLC', kind: 'customer' }],
      [PERSONAS.partner, 'partner', null, { name: 'Logistika Partner', kind: 'partner' }],
    ];
    for (const [email, realm, role, account] of cases) {
      const c = await loginAs(p.url, email);
      const res = await c.get('/api/v1/me');
      assert.equal(res.status, 200, show(res));
      const { user, csrf_token: csrf } = res.body;
      assert.equal(user.email, email);
      assert.equal(user.realm, realm, `${email} realm`);
      assert.equal(user.role, role, `${email} role`);
      assert.equal(typeof user.id, 'number');
      assert.ok(user.name);
      if (account) {
        assert.equal(user.account?.name, account.name, `${email} account`);
        assert.equal(user.account?.kind, account.kind);
      } else {
        assert.equal(user.account, null, `${email} has no account`);
      }
      assert.equal(csrf, c.csrf, '/me gives the CSRF token login gave');
      assert.ok(!('password_hash' in user) && !res.text.includes('$argon2'), '/me leaks the password hash');
      assert.match(res.headers.get('cache-control') ?? '', /no-store/);
    }
  });

  test('without a session, or with a made-up cookie: 401 unauthorized', async () => {
    for (const headers of [{}, { Cookie: `portal_session=${randomBytes(32).toString('base64url')}` },
      { Cookie: 'portal_session=short' }]) {
      const res = await api(p.url, 'GET', '/api/v1/me', { headers });
      assert.equal(res.status, 401, show(res));
      assert.equal(res.body?.error?.code, 'unauthorized');
    }
  });
});

describe('logout', () => {
  test('revokes the session: 204, the cookie is cleared, the old cookie gets 401', async () => {
    const c = await loginAs(p.url, PERSONAS.member);
    const old = c.token;
    const res = await c.post('/api/v1/auth/logout');
    assert.equal(res.status, 204, show(res));
    const cleared = sessionCookie(res);
    assert.ok(cleared && cleared.value === '' && cleared.attrs['max-age'] === '0', `cookie not cleared: ${cleared?.line}`);
    const me = await api(p.url, 'GET', '/api/v1/me', { headers: { Cookie: `portal_session=${old}` } });
    assert.equal(me.status, 401, 'the session survives logout');
    assert.equal(sessionRow(old)[2], '0', 'revoked_at not set');
    const again = await api(p.url, 'POST', '/api/v1/auth/logout', { body: {}, headers: { Cookie: `portal_session=${old}`, 'X-CSRF-Token': c.csrf } });
    assert.equal(again.status, 401);
  });

  test('logging out one session leaves the user\'s other sessions alone', async () => {
    const a = await loginAs(p.url, PERSONAS.manager);
    const b = await loginAs(p.url, PERSONAS.manager);
    assert.equal((await a.post('/api/v1/auth/logout')).status, 204);
    assert.equal((await b.get('/api/v1/me')).status, 200);
  });
});

// Each of these starts its own portal with other settings; they run side by side.
describe('settings: secure cookies, idle and absolute expiry', { concurrency: true }, () => {
  test('with PORTAL_SECURE_COOKIES=1 the cookie is __Host-portal_session; Secure; Path=/', async () => {
    const sp = await startPortal({ demo: true, env: { PORTAL_SECURE_COOKIES: '1' } });
    try {
      const res = await api(sp.url, 'POST', '/api/v1/auth/login', { body: { email: PERSONAS.member, password: DEMO_PASSWORD } });
      assert.equal(res.status, 200, show(res));
      const c = sessionCookie(res);
      assert.ok(c, `no session cookie in ${JSON.stringify(res.headers.getSetCookie())}`);
      assert.equal(c.name, '__Host-portal_session');
      assert.equal(c.attrs.secure, true, `Secure missing: ${c.line}`);
      assert.equal(c.attrs.path, '/', '__Host- cookies need Path=/');
      assert.equal(c.attrs.domain, undefined, '__Host- cookies must not carry Domain');
      assert.equal(c.attrs.httponly, true);
      const me = await api(sp.url, 'GET', '/api/v1/me', { headers: { Cookie: `__Host-portal_session=${c.value}` } });
      assert.equal(me.status, 200, `the __Host- cookie is accepted: ${show(me)}`);
      const plain = await api(sp.url, 'GET', '/api/v1/me', { headers: { Cookie: `portal_session=${c.value}` } });
      assert.equal(plain.status, 401, 'the unprefixed name is not a session under TLS settings');
    } finally { await sp.stop(); }
  });
  test('idle: PORTAL_SESSION_IDLE=2, untouched for 3 s -> 401', async () => {
    const ip = await startPortal({ demo: true, env: { PORTAL_SESSION_IDLE: '2' } });
    try {
      const c = await loginAs(ip.url, PERSONAS.member);
      assert.equal((await c.get('/api/v1/me')).status, 200);
      await sleep(3000);
      const res = await c.get('/api/v1/me');
      assert.equal(res.status, 401, `idle session still alive: ${show(res)}`);
    } finally { await ip.stop(); }
  });

  test('idle: a session in use is not ended by the idle timeout (PORTAL_SESSION_IDLE=4)', async () => {
    const ip = await startPortal({ demo: true, env: { PORTAL_SESSION_IDLE: '4' } });
    try {
      const c = await loginAs(ip.url, PERSONAS.member);
      // A request every second for 6 s: never idle for 4 s, so never logged out.
      for (let i = 1; i <= 6; i++) {
        await sleep(1000);
        const res = await c.get('/api/v1/me');
        assert.equal(res.status, 200, `an active user was logged out after ${i} s by a 4 s idle timeout`);
      }
    } finally { await ip.stop(); }
  });

  test('absolute: PORTAL_SESSION_MAX=5 ends a session in use after 5 s; the cookie says so', async () => {
    const mp = await startPortal({ demo: true, env: { PORTAL_SESSION_MAX: '5' } });
    try {
      const c = new Client(mp.url);
      const login = await c.login(PERSONAS.member);
      const t0 = Date.now();
      assert.equal(sessionCookie(login).attrs['max-age'], '5', 'cookie Max-Age follows PORTAL_SESSION_MAX');
      for (const ms of [1000, 1000]) {
        await sleep(ms);
        assert.equal((await c.get('/api/v1/me')).status, 200, 'ended before its lifetime');
      }
      await sleep(Math.max(0, 5500 - (Date.now() - t0))); // t0 is after the session began
      const res = await c.get('/api/v1/me');
      assert.equal(res.status, 401, `session outlived PORTAL_SESSION_MAX: ${show(res)}`);
    } finally { await mp.stop(); }
  });
});

describe('changing the password', () => {
  let u;
  before(async () => { u = await newUser('pwchange'); });

  test('wrong current password -> 400 wrong_password on current_password', async () => {
    const c = await loginAs(p.url, u.email, u.password);
    const res = await c.post('/api/v1/me/password', { current_password: 'not-my-password-9', new_password: 'Lantern-meadow-4417' });
    assert.equal(res.status, 400, show(res));
    assert.equal(res.body.error.code, 'wrong_password');
    assert.equal(res.body.error.field, 'current_password');
  });

  test('weak new passwords -> 400 weak_password on new_password', async () => {
    const c = await loginAs(p.url, u.email, u.password);
    const local = u.email.split('@')[0];
    for (const weak of ['Sh0rt!', 'password123', `${local}-Xq81`, `x${local.toUpperCase()}77z!`, 'aaaaaaaaaaaaaa', u.password]) {
      const res = await c.post('/api/v1/me/password', { current_password: u.password, new_password: weak });
      assert.equal(res.status, 400, `${weak}: ${show(res)}`);
      assert.equal(res.body.error.code, 'weak_password', `${weak}: ${show(res)}`);
      assert.equal(res.body.error.field, 'new_password', weak);
      assert.ok(res.body.error.message.length > 10, 'the message says why');
    }
    // Nothing changed: the old password still logs in.
    assert.equal((await new Client(p.url).loginRaw(u.email, u.password)).status, 200);
  });

  test('success: 204, other sessions revoked, this one kept; old password fails, new works', async () => {
    const keep = await loginAs(p.url, u.email, u.password);
    const other = await loginAs(p.url, u.email, u.password);
    const before = p.sql(`SELECT password_hash FROM users WHERE id = ${u.id}`)[0][0];
    const fresh = 'Copper-willow-5582';
    const res = await keep.post('/api/v1/me/password', { current_password: u.password, new_password: fresh });
    assert.equal(res.status, 204, show(res));
    assert.equal((await keep.get('/api/v1/me')).status, 200, 'the session that changed the password was ended');
    assert.equal((await other.get('/api/v1/me')).status, 401, 'another session survived the password change');
    const [hash, changed] = p.sql(`SELECT password_hash, password_changed_at IS NOT NULL FROM users WHERE id = ${u.id}`)[0];
    assert.notEqual(hash, before);
    assert.match(hash, /^\$argon2id\$/);
    assert.equal(changed, '1', 'password_changed_at not set');
    const oldLogin = await new Client(p.url).loginRaw(u.email, u.password);
    assert.equal(oldLogin.status, 401, 'the old password still logs in');
    assert.equal((await new Client(p.url).loginRaw(u.email, fresh)).status, 200, 'the new password does not log in');
    const audit = p.sql(`SELECT COUNT(*) FROM audit WHERE action = 'user.password_change' AND object_id = ${u.id} AND actor_id = ${u.id}`)[0][0];
    assert.equal(audit, '1', 'the change is not in the audit log');
  });
});

describe('disabling a user', () => {
  test('their live session gets 401 at once and they cannot log in', async () => {
    const u = await newUser('disable');
    const c = await loginAs(p.url, u.email, u.password);
    assert.equal((await c.get('/api/v1/me')).status, 200);
    const version = p.sql(`SELECT version FROM users WHERE id = ${u.id}`)[0][0];
    const res = await admin.patch(`/api/v1/users/${u.id}`, { disabled: true, version: Number(version) });
    assert.equal(res.status, 200, show(res));
    assert.equal(res.body.disabled, true);
    const me = await c.get('/api/v1/me');
    assert.equal(me.status, 401, `a disabled user's session still works: ${show(me)}`);
    const open = p.sql(`SELECT COUNT(*) FROM sessions WHERE user_id = ${u.id} AND revoked_at IS NULL`)[0][0];
    assert.equal(open, '0', 'disabling left sessions unrevoked');
    const login = await new Client(p.url).loginRaw(u.email, u.password);
    assert.equal(login.status, 401, show(login));
    assert.equal(login.body.error.code, 'invalid_credentials');
    assert.equal(sessionCookie(login), null);
  });
});

describe('/api/v1/me/sessions', () => {
  test('lists the caller\'s sessions, the current one flagged', async () => {
    const u = await newUser('mysessions');
    const a = await loginAs(p.url, u.email, u.password);
    const b = await loginAs(p.url, u.email, u.password);
    const res = await a.get('/api/v1/me/sessions');
    assert.equal(res.status, 200, show(res));
    const items = res.body.items;
    assert.equal(items.length, 2, `want the user's 2 sessions, got ${JSON.stringify(items)}`);
    const current = items.filter((s) => s.current === true);
    assert.equal(current.length, 1, 'exactly one session is current');
    assert.equal(current[0].id, Number(sessionRow(a.token)[0]));
    for (const s of items) {
      assert.equal(typeof s.id, 'number');
      assert.ok(s.created_at && s.last_seen, 'created_at and last_seen');
      assert.equal(s.ip, '127.0.0.1');
      assert.ok(!('token_hash' in s) && !('csrf_token' in s), 'the list leaks secrets');
    }
    // ends b's session from a
    const bId = Number(sessionRow(b.token)[0]);
    const del = await a.del(`/api/v1/me/sessions/${bId}`);
    assert.equal(del.status, 204, show(del));
    assert.equal((await b.get('/api/v1/me')).status, 401, 'the ended session still works');
    assert.equal((await a.get('/api/v1/me')).status, 200, 'ending another session ended mine');
    const after = (await a.get('/api/v1/me/sessions')).body.items;
    assert.deepEqual(after.map((s) => s.id), [Number(sessionRow(a.token)[0])]);
    assert.equal((await a.del(`/api/v1/me/sessions/${bId}`)).status, 404, 'ending it twice');
  });

  test('another user\'s session id -> 404, and that session lives on', async () => {
    const mine = await loginAs(p.url, PERSONAS.member);
    const theirs = await loginAs(p.url, PERSONAS.manager);
    const theirId = Number(sessionRow(theirs.token)[0]);
    const res = await mine.del(`/api/v1/me/sessions/${theirId}`);
    assert.equal(res.status, 404, show(res));
    assert.equal(res.body.error.code, 'not_found');
    assert.equal((await theirs.get('/api/v1/me')).status, 200, 'a user ended someone else\'s session');
    const ids = (await mine.get('/api/v1/me/sessions')).body.items.map((s) => s.id);
    assert.ok(!ids.includes(theirId), 'another user\'s session is in my list');
  });

  test('ending the current session logs out (cookie cleared)', async () => {
    const c = await loginAs(p.url, PERSONAS.customer);
    const id = Number(sessionRow(c.token)[0]);
    const old = c.token;
    const res = await c.del(`/api/v1/me/sessions/${id}`);
    assert.equal(res.status, 204, show(res));
    assert.equal(sessionCookie(res)?.attrs['max-age'], '0');
    const me = await api(p.url, 'GET', '/api/v1/me', { headers: { Cookie: `portal_session=${old}` } });
    assert.equal(me.status, 401);
  });
});
