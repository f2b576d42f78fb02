// Login: one answer for unknown users and wrong passwords (same body, similar time),
// body validation, throttling per email and per client address, realms, disabled users.
import { test, before, after, describe, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { startPortal, api } from '../lib/portal.mjs';
import {
  Client, DEMO_PASSWORD, PERSONAS, loginAs, median, sessionCookie, show, stopChecked, streamBody,
} from '../lib/identity.mjs';

let p;
before(async () => { p = await startPortal({ demo: true }); });
after(async () => { await stopChecked(p); });

const login = (body, headers) => api(p.url, 'POST', '/api/v1/auth/login', { body, headers });
const clearThrottle = () => p.sql('DELETE FROM login_throttle');
const sessionsOf = (email) => Number(p.sql(
  `SELECT COUNT(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = '${email}'`)[0][0]);

function assertInvalid(res, what) {
  assert.equal(res.status, 401, `${what}: ${show(res)}`);
  assert.equal(res.body?.error?.code, 'invalid_credentials', `${what}: ${show(res)}`);
  assert.equal(sessionCookie(res), null, `${what}: a session cookie was set`);
}

describe('one answer for unknown users and wrong passwords', () => {
  afterEach(clearThrottle);

  test('same status and body, comparable time (medians of 5 within 0.5x..2x)', async () => {
    const timed = async (body) => {
      const t = performance.now();
      const res = await login(body);
      return { res, ms: performance.now() - t };
    };
    await timed({ email: 'warm-up@nowhere.example', password: 'whatever-123' });
    // A real leak (no dummy hash) is a factor of 10+ every time; on a loaded machine a
    // single round of 5 can still come out skewed, so up to 3 rounds are measured.
    const rounds = [];
    let mu; let ratio;
    for (let round = 0; round < 3; round++) {
      clearThrottle();
      const wrong = []; const unknown = [];
      for (let i = 0; i < 5; i++) {
        wrong.push(await timed({ email: PERSONAS.customer2, password: `not-the-password-${i}` }));
        unknown.push(await timed({ email: `ghost${round}.${i}@nowhere.example`, password: `not-the-password-${i}` }));
      }
      for (const { res } of [...wrong, ...unknown]) assertInvalid(res, 'failed login');
      const bodies = new Set([...wrong, ...unknown].map(({ res }) => res.text));
      assert.equal(bodies.size, 1, `the answers differ: ${[...bodies].join(' | ')}`);
      const mw = median(wrong.map((x) => x.ms));
      mu = median(unknown.map((x) => x.ms));
      ratio = mw / mu;
      rounds.push(`wrong password ${mw.toFixed(1)} ms / unknown email ${mu.toFixed(1)} ms = ${ratio.toFixed(2)}`);
      if (ratio >= 0.5 && ratio <= 2.0) break;
    }
    assert.ok(ratio >= 0.5 && ratio <= 2.0,
      `medians of 5 differ beyond 0.5x..2x in every round (${rounds.join('; ')}): the time tells which emails exist`);
    // Not just instant refusals: an unknown email costs a password hash too.
    assert.ok(mu > 10, `unknown email answered in ${mu.toFixed(1)} ms: no dummy hash`);
  });

  test('a disabled user with the right password gets the same 401 as an unknown one', async () => {
    const admin = await loginAs(p.url, PERSONAS.admin);
    const email = 'disabled.login@demo.example';
    const created = await admin.post('/api/v1/users', { email, name: 'Off Line', realm: 'employee', role: 'member', password: 'Gravel-orchid-6620' });
    assert.equal(created.status, 201, show(created));
    const off = await admin.patch(`/api/v1/users/${created.body.id}`, { disabled: true, version: created.body.version });
    assert.equal(off.status, 200, show(off));
    const res = await login({ email, password: 'Gravel-orchid-6620' });
    assertInvalid(res, 'disabled user');
    const ghost = await login({ email: 'nobody.at.all@demo.example', password: 'Gravel-orchid-6620' });
    assert.equal(res.text, ghost.text, 'a disabled account answers differently from an unknown one');
    assert.equal(sessionsOf(email), 0);
  });

  test('emails are matched case-insensitively; the answer is { user, csrf_token }', async () => {
    const res = await login({ email: 'Vera@Demo.EXAMPLE', password: DEMO_PASSWORD });
    assert.equal(res.status, 200, show(res));
    assert.equal(res.body.user.email, PERSONAS.member);
    assert.match(res.body.csrf_token, /^[A-Za-z0-9_-]{43}$/);
    assert.ok(!res.text.includes('argon2'), 'the answer leaks the password hash');
    assert.match(res.headers.get('cache-control') ?? '', /no-store/);
    const audit = p.sql(`SELECT action, ip FROM audit WHERE action = 'auth.login' AND actor_id = ${res.body.user.id} ORDER BY id DESC LIMIT 1`);
    assert.deepEqual(audit[0], ['auth.login', '127.0.0.1'], 'the login is not in the audit log');
  });

  test('a password with surrounding spaces is taken as typed', async () => {
    const res = await login({ email: PERSONAS.member, password: ` ${DEMO_PASSWORD} ` });
    assertInvalid(res, 'padded password');
  });
});

describe('request bodies', () => {
  test('malformed JSON, or JSON that is not an object -> 400 invalid_json', async () => {
    for (const raw of ['{"email": "a@b.c", "password": ', '{email: 1}', '[]', '[{"email":"x"}]', '"text"', '42', 'null', '']) {
      const res = await api(p.url, 'POST', '/api/v1/auth/login', { raw, headers: { 'Content-Type': 'application/json' } });
      assert.equal(res.status, 400, `${JSON.stringify(raw)}: ${show(res)}`);
      assert.equal(res.body?.error?.code, 'invalid_json', `${JSON.stringify(raw)}: ${show(res)}`);
    }
  });

  test('missing or mistyped fields -> 400 validation_failed naming the field', async () => {
    const cases = [
      [{ password: DEMO_PASSWORD }, 'email'],
      [{ email: PERSONAS.member }, 'password'],
      [{ email: '', password: DEMO_PASSWORD }, 'email'],
      [{ email: '   ', password: DEMO_PASSWORD }, 'email'],
      [{ email: 42, password: DEMO_PASSWORD }, 'email'],
      [{ email: PERSONAS.member, password: ['x'] }, 'password'],
      [{ email: PERSONAS.member, password: null }, 'password'],
      [{ email: `${'a'.repeat(250)}@b.example`, password: DEMO_PASSWORD }, 'email'],
      [{ email: PERSONAS.member, password: DEMO_PASSWORD, realm: 'admin' }, 'realm'],
    ];
    for (const [body, field] of cases) {
      const res = await login(body);
      assert.equal(res.status, 400, `${JSON.stringify(body).slice(0, 80)}: ${show(res)}`);
      assert.equal(res.body?.error?.code, 'validation_failed');
      assert.equal(res.body?.error?.field, field, `${JSON.stringify(body).slice(0, 80)}`);
    }
  });

  test('a duplicate key is refused rather than guessed at', async () => {
    const res = await api(p.url, 'POST', '/api/v1/auth/login', {
      raw: `{"email":"${PERSONAS.member}","password":"wrong-one","password":"${DEMO_PASSWORD}"}`,
      headers: { 'Content-Type': 'application/json' },
    });
    assert.equal(res.status, 400, show(res));
  });

  test('a 10 MB body -> 413 payload_too_large', async () => {
    const { host } = new URL(p.url);
    const res = await streamBody(p.url,
      `POST /api/v1/auth/login HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\n`, 10 * 1024 * 1024);
    assert.equal(res.status, 413, `${res.status} ${res.body}`);
    assert.equal(res.json?.error?.code, 'payload_too_large');
    assert.equal((await api(p.url, 'GET', '/api/v1/ping')).status, 200);
  });
});

describe('throttling', () => {
  afterEach(clearThrottle);

  test('5 wrong passwords for one email -> 429 with Retry-After, even for the right password', async () => {
    const email = PERSONAS.partner;
    for (let i = 1; i <= 5; i++) {
      assertInvalid(await login({ email, password: `guess-number-${i}` }), `attempt ${i}`);
    }
    const blocked = await login({ email, password: DEMO_PASSWORD });
    assert.equal(blocked.status, 429, `the right password after 5 failures: ${show(blocked)}`);
    assert.equal(blocked.body?.error?.code, 'rate_limited');
    const retry = Number(blocked.headers.get('retry-after'));
    assert.ok(retry > 0 && retry <= 31, `Retry-After ${blocked.headers.get('retry-after')}`);
    assert.equal(sessionCookie(blocked), null);
    // Case does not make it another account.
    assert.equal((await login({ email: email.toUpperCase(), password: DEMO_PASSWORD })).status, 429);
    // Another account from the same address is not blocked.
    const other = await login({ email: PERSONAS.member, password: DEMO_PASSWORD });
    assert.equal(other.status, 200, `another email from the same address: ${show(other)}`);
  });

  test('the block doubles: a failure right after it ends blocks for ~60 s; success clears it', async () => {
    const email = PERSONAS.customer;
    for (let i = 1; i <= 5; i++) await login({ email, password: `guess-number-${i}` });
    assert.equal((await login({ email, password: DEMO_PASSWORD })).status, 429);
    // Failures count per typed email and per user: both keys carry the block.
    const userId = p.sql(`SELECT id FROM users WHERE email = '${email}'`)[0][0];
    const keys = `('e:${email}', 'u:${userId}')`;
    // Let the first block run out.
    p.sql(`UPDATE login_throttle SET blocked_until = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND WHERE k IN ${keys}`);
    assertInvalid(await login({ email, password: 'guess-number-6' }), 'first try after the block');
    const again = await login({ email, password: DEMO_PASSWORD });
    assert.equal(again.status, 429, show(again));
    const retry = Number(again.headers.get('retry-after'));
    assert.ok(retry > 31 && retry <= 61, `second block should be ~60 s, Retry-After ${retry}`);
    p.sql(`UPDATE login_throttle SET blocked_until = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND WHERE k IN ${keys}`);
    const ok = await login({ email, password: DEMO_PASSWORD });
    assert.equal(ok.status, 200, show(ok));
    assert.equal(p.sql(`SELECT COUNT(*) FROM login_throttle WHERE k IN ${keys}`)[0][0], '0', 'a successful login does not reset the count');
  });

  test('per client address: other emails still log in until 30 failures, then 429 for everyone', async () => {
    const fail = (i) => login({ email: `spray${i}@nowhere.example`, password: 'Spray-and-pray-1' });
    for (let batch = 0; batch < 29; batch += 10) {
      const n = Math.min(10, 29 - batch);
      const rs = await Promise.all(Array.from({ length: n }, (_, k) => fail(batch + k)));
      for (const r of rs) assertInvalid(r, 'spray');
    }
    const still = await login({ email: PERSONAS.manager, password: DEMO_PASSWORD });
    assert.equal(still.status, 200, `after 29 failures from this address: ${show(still)}`);
    assertInvalid(await fail(29), '30th failure');
    const blocked = await login({ email: PERSONAS.admin, password: DEMO_PASSWORD });
    assert.equal(blocked.status, 429, `after 30 failures from this address: ${show(blocked)}`);
    assert.ok(Number(blocked.headers.get('retry-after')) > 0);
  });
});

describe('realms', () => {
  test('an employee asking for the cabinet, or a customer/partner for the employee app -> 403 wrong_realm', async () => {
    const cases = [
      [PERSONAS.admin, 'cabinet'],
      [PERSONAS.member, 'cabinet'],
      [PERSONAS.customer, 'employee'],
      [PERSONAS.partner, 'employee'],
    ];
    for (const [email, realm] of cases) {
      const before = sessionsOf(email);
      const res = await login({ email, password: DEMO_PASSWORD, realm });
      assert.equal(res.status, 403, `${email} -> ${realm}: ${show(res)}`);
      assert.equal(res.body?.error?.code, 'wrong_realm');
      assert.equal(sessionCookie(res), null, 'a wrong-realm login set a cookie');
      assert.equal(sessionsOf(email), before, 'a wrong-realm login created a session');
    }
  });

  test('the matching realm logs in', async () => {
    for (const [email, realm, want] of [[PERSONAS.admin, 'employee', 'employee'], [PERSONAS.customer, 'cabinet', 'customer'],
      [PERSONAS.partner, 'cabinet', 'partner']]) {
      const c = new Client(p.url);
      const res = await c.loginRaw(email, DEMO_PASSWORD, { realm });
      assert.equal(res.status, 200, `${email} -> ${realm}: ${show(res)}`);
      assert.equal((await c.get('/api/v1/me')).body.user.realm, want);
    }
  });

  test('a wrong password with a realm says invalid_credentials, not which realm the user is in', async () => {
    const res = await login({ email: PERSONAS.admin, password: 'not-it-at-all', realm: 'cabinet' });
    assertInvalid(res, 'wrong password + wrong realm');
    clearThrottle();
  });
});
