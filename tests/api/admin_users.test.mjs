// Administration: the users list (search, realm filter, keyset paging), creating and
// changing users (versions, self-protection, the last admin), roles taking effect at
// once, the sessions list, and the audit log of all of it.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { startPortal, api, sleep, testSocket } from '../lib/portal.mjs';
import { Client, PERSONAS, loginAs, show, stopChecked } from '../lib/identity.mjs';

let p;
let anna; let boris; let vera; let carol;
let since; // DB time before this file's writes
const ids = {};
before(async () => {
  p = await startPortal({ demo: true });
  since = p.sql("SELECT DATE_FORMAT(UTC_TIMESTAMP() - INTERVAL 1 SECOND, '%Y-%m-%dT%H:%i:%sZ')")[0][0];
  [anna, boris, vera, carol] = await Promise.all(
    [PERSONAS.admin, PERSONAS.manager, PERSONAS.member, PERSONAS.customer].map((e) => loginAs(p.url, e)));
  for (const [id, email] of p.sql('SELECT id, email FROM users')) ids[email] = Number(id);
});
after(async () => { await stopChecked(p); });

const userRow = (id) => p.sql(`SELECT name, role, disabled, version FROM users WHERE id = ${id}`)[0];
const versionOf = (id) => Number(userRow(id)[3]);

describe('GET /api/v1/users', () => {
  test('managers and admins may list; members and customers get 403', async () => {
    for (const c of [boris, anna]) {
      const res = await c.get('/api/v1/users');
      assert.equal(res.status, 200, show(res));
      const emails = res.body.items.map((u) => u.email);
      for (const e of Object.values(PERSONAS)) assert.ok(emails.includes(e), `${e} missing from the list`);
      assert.ok(!res.text.includes('argon2') && !res.text.includes('password_hash'), 'the list leaks password hashes');
    }
    for (const c of [vera, carol]) {
      const res = await c.get('/api/v1/users');
      assert.equal(res.status, 403, show(res));
    }
  });

  test('q searches email and name; realm filters', async () => {
    const byName = await boris.get('/api/v1/users?q=Petrova');
    assert.deepEqual(byName.body.items.map((u) => u.email), [PERSONAS.admin]);
    const byEmail = await boris.get(`/api/v1/users?q=${encodeURIComponent('client')}`);
    assert.deepEqual(byEmail.body.items.map((u) => u.email).sort(), [PERSONAS.customer, PERSONAS.customer2].sort());
    const none = await boris.get('/api/v1/users?q=zzz-no-such-user');
    assert.deepEqual(none.body.items, []);
    const customers = await boris.get('/api/v1/users?realm=customer');
    assert.ok(customers.body.items.length >= 2);
    assert.ok(customers.body.items.every((u) => u.realm === 'customer'), JSON.stringify(customers.body.items));
    assert.ok(customers.body.items.every((u) => u.account?.kind === 'customer'));
    const partners = await boris.get('/api/v1/users?realm=partner&q=pavel');
    assert.deepEqual(partners.body.items.map((u) => u.email), [PERSONAS.partner]);
    const bad = await boris.get('/api/v1/users?realm=robots');
    assert.equal(bad.status, 400, show(bad));
    assert.equal(bad.body.error.field, 'realm');
  });

  test('keyset paging: limit, before, next_before walk every user once, newest first', async () => {
    const all = (await boris.get('/api/v1/users?limit=500')).body.items.map((u) => u.id);
    assert.ok(all.length >= 6);
    const seen = [];
    let before = null;
    for (let page = 0; page < 20; page++) {
      const res = await boris.get(`/api/v1/users?limit=2${before ? `&before=${before}` : ''}`);
      assert.equal(res.status, 200, show(res));
      assert.ok(res.body.items.length <= 2);
      seen.push(...res.body.items.map((u) => u.id));
      if (res.body.next_before === undefined) break;
      assert.equal(res.body.next_before, res.body.items[res.body.items.length - 1].id);
      before = res.body.next_before;
    }
    assert.deepEqual(seen, all, 'paging lost, repeated or reordered users');
    assert.deepEqual(all, [...all].sort((a, b) => b - a), 'not newest first');
    for (const q of ['limit=0', 'limit=501', 'limit=abc', 'before=0', 'before=x']) {
      const res = await boris.get(`/api/v1/users?${q}`);
      assert.equal(res.status, 400, `${q}: ${show(res)}`);
      assert.equal(res.body.error.code, 'validation_failed');
    }
  });
});

describe('POST /api/v1/users', () => {
  test('weak passwords -> 400 weak_password; nothing created', async () => {
    for (const password of ['short-1', 'password123', 'greta.gerwig-77', 'Greta Gerwig rocks']) {
      const res = await anna.post('/api/v1/users', { email: 'greta.gerwig@demo.example', name: 'Greta Gerwig', realm: 'employee', role: 'member', password });
      assert.equal(res.status, 400, `${password}: ${show(res)}`);
      assert.equal(res.body.error.code, 'weak_password', `${password}: ${show(res)}`);
      assert.equal(res.body.error.field, 'password');
    }
    assert.equal(p.sql("SELECT COUNT(*) FROM users WHERE email = 'greta.gerwig@demo.example'")[0][0], '0');
  });

  test('good -> 201 with the user; the user can log in', async () => {
    const res = await anna.post('/api/v1/users', { email: 'Greta.Gerwig@Demo.example', name: 'Greta Gerwig', realm: 'employee', role: 'manager', password: 'Thistle-anchor-5093' });
    assert.equal(res.status, 201, show(res));
    assert.equal(res.body.email, 'greta.gerwig@demo.example', 'email not normalised to lower case');
    assert.equal(res.body.role, 'manager');
    assert.equal(res.body.realm, 'employee');
    assert.equal(res.body.account, null);
    assert.ok(!res.text.includes('argon2'));
    ids.greta = res.body.id;
    assert.match(p.sql(`SELECT password_hash FROM users WHERE id = ${res.body.id}`)[0][0], /^\$argon2id\$/);
    const c = await loginAs(p.url, 'greta.gerwig@demo.example', 'Thistle-anchor-5093');
    assert.equal((await c.get('/api/v1/users')).status, 200, 'the new manager cannot list users');
  });

  test('a customer user with an account -> 201', async () => {
    const acc = (await anna.get('/api/v1/accounts?kind=customer')).body.items.find((a) => a.name === 'Vasilek JSC');
    const res = await anna.post('/api/v1/users', { email: 'second@client2.example', name: 'Second Client', realm: 'customer', account_id: acc.id, password: 'Pepper-lagoon-2718' });
    assert.equal(res.status, 201, show(res));
    assert.equal(res.body.account?.id, acc.id);
    assert.equal(res.body.role, null);
  });

  test('duplicate email -> 409 email_taken', async () => {
    for (const email of [PERSONAS.member, 'VERA@DEMO.EXAMPLE']) {
      const res = await anna.post('/api/v1/users', { email, name: 'Dup', realm: 'employee', role: 'member', password: 'Thistle-anchor-5093' });
      assert.equal(res.status, 409, `${email}: ${show(res)}`);
      assert.equal(res.body.error.code, 'email_taken');
      assert.equal(res.body.error.field, 'email');
    }
  });

  test('shape errors -> 400 naming the field', async () => {
    for (const [extra, field] of [[{ realm: 'employee' }, 'role'], [{ realm: 'customer' }, 'account_id'],
      [{ realm: 'employee', role: 'member', email: 'nope' }, 'email'], [{ realm: 'employee', role: 'member', password: undefined }, 'password']]) {
      const body = { email: 'shape.user@demo.example', name: 'Shape User', password: 'Thistle-anchor-5093', ...extra };
      const res = await anna.post('/api/v1/users', body);
      assert.equal(res.status, 400, `${JSON.stringify(extra)}: ${show(res)}`);
      assert.equal(res.body.error.field, field, `${JSON.stringify(extra)}: ${show(res)}`);
    }
  });
});

describe('PATCH /api/v1/users/{id}', () => {
  test('with the current version -> 200 and version+1; a stale version -> 409 with the current user', async () => {
    const id = ids[PERSONAS.customer2];
    const v = versionOf(id);
    const ok = await anna.patch(`/api/v1/users/${id}`, { name: 'Dmitry K.', version: v });
    assert.equal(ok.status, 200, show(ok));
    assert.equal(ok.body.name, 'Dmitry K.');
    assert.equal(ok.body.version, v + 1);
    const stale = await anna.patch(`/api/v1/users/${id}`, { name: 'Overwritten', version: v });
    assert.equal(stale.status, 409, show(stale));
    assert.equal(stale.body.error.code, 'conflict');
    assert.equal(stale.body.current?.name, 'Dmitry K.', 'the 409 does not carry the current user');
    assert.equal(stale.body.current?.version, v + 1);
    assert.equal(userRow(id)[0], 'Dmitry K.', 'a stale write went through');
  });

  test('bad requests: no version 400, unknown user 404, role on a customer 400, unknown role 400', async () => {
    const r1 = await anna.patch(`/api/v1/users/${ids[PERSONAS.member]}`, { name: 'X' });
    assert.equal(r1.status, 400, show(r1));
    assert.equal(r1.body.error.field, 'version');
    const r2 = await anna.patch('/api/v1/users/999999', { name: 'X', version: 1 });
    assert.equal(r2.status, 404, show(r2));
    const cid = ids[PERSONAS.customer];
    const r3 = await anna.patch(`/api/v1/users/${cid}`, { role: 'admin', version: versionOf(cid) });
    assert.equal(r3.status, 400, show(r3));
    assert.equal(r3.body.error.field, 'role');
    assert.equal(userRow(cid)[1], 'NULL', 'a customer got a role');
    const r4 = await anna.patch(`/api/v1/users/${ids[PERSONAS.member]}`, { role: 'root', version: versionOf(ids[PERSONAS.member]) });
    assert.equal(r4.status, 400, show(r4));
    assert.equal(r4.body.error.field, 'role');
  });

  test('an admin cannot demote or disable themself (400); renaming is fine', async () => {
    const id = anna.user.id;
    const demote = await anna.patch(`/api/v1/users/${id}`, { role: 'manager', version: versionOf(id) });
    assert.equal(demote.status, 400, show(demote));
    assert.equal(demote.body.error.field, 'role');
    const disable = await anna.patch(`/api/v1/users/${id}`, { disabled: true, version: versionOf(id) });
    assert.equal(disable.status, 400, show(disable));
    assert.equal(disable.body.error.field, 'disabled');
    assert.deepEqual(userRow(id).slice(1, 3), ['admin', '0']);
    assert.equal((await anna.get('/api/v1/me')).status, 200);
    const rename = await anna.patch(`/api/v1/users/${id}`, { name: 'Anna P.', version: versionOf(id) });
    assert.equal(rename.status, 200, show(rename));
  });

  test('a role change takes effect on the user\'s very next request', async () => {
    const id = ids[PERSONAS.member];
    assert.equal((await vera.get('/api/v1/users')).status, 403);
    const up = await anna.patch(`/api/v1/users/${id}`, { role: 'manager', version: versionOf(id) });
    assert.equal(up.status, 200, show(up));
    assert.equal((await vera.get('/api/v1/users')).status, 200, 'the promotion did not apply to the live session');
    assert.equal((await vera.get('/api/v1/me')).body.user.role, 'manager');
    const down = await anna.patch(`/api/v1/users/${id}`, { role: 'member', version: versionOf(id) });
    assert.equal(down.status, 200, show(down));
    assert.equal((await vera.get('/api/v1/users')).status, 403, 'the demotion did not apply to the live session');
  });

  test('disabling a user ends their sessions; enabling lets them log in again', async () => {
    const id = ids.greta;
    const g = await loginAs(p.url, 'greta.gerwig@demo.example', 'Thistle-anchor-5093');
    const off = await anna.patch(`/api/v1/users/${id}`, { disabled: true, version: versionOf(id) });
    assert.equal(off.status, 200, show(off));
    assert.equal((await g.get('/api/v1/me')).status, 401);
    const on = await anna.patch(`/api/v1/users/${id}`, { disabled: false, version: versionOf(id) });
    assert.equal(on.status, 200, show(on));
    assert.equal((await g.get('/api/v1/me')).status, 401, 'enabling revived the old session');
    assert.equal((await new Client(p.url).loginRaw('greta.gerwig@demo.example', 'Thistle-anchor-5093')).status, 200);
  });
});

describe('GET/DELETE /api/v1/sessions', () => {
  test('lists live sessions with their users; DELETE ends one (that user gets 401)', async () => {
    const victim = await loginAs(p.url, PERSONAS.partner);
    const res = await anna.get('/api/v1/sessions');
    assert.equal(res.status, 200, show(res));
    const mine = res.body.items.filter((s) => s.user?.email === PERSONAS.partner);
    assert.ok(mine.length >= 1, 'the partner\'s session is not listed');
    assert.ok(res.body.items.some((s) => s.user?.email === PERSONAS.admin));
    for (const s of res.body.items) {
      assert.equal(typeof s.id, 'number');
      assert.ok(s.user?.id && s.user?.realm && s.ip && s.created_at, JSON.stringify(s));
      assert.ok(!('token_hash' in s) && !('csrf_token' in s));
    }
    const id = Math.max(...mine.map((s) => s.id));
    const del = await anna.del(`/api/v1/sessions/${id}`);
    assert.equal(del.status, 204, show(del));
    assert.equal((await victim.get('/api/v1/me')).status, 401, 'the ended session still works');
    assert.equal((await anna.del(`/api/v1/sessions/${id}`)).status, 404, 'ended twice');
    const after = await anna.get('/api/v1/sessions');
    assert.ok(!after.body.items.some((s) => s.id === id), 'the ended session is still listed');
    ids.endedSession = id;
  });

  test('pages with limit/next_before', async () => {
    const all = (await anna.get('/api/v1/sessions?limit=500')).body.items.map((s) => s.id);
    const first = await anna.get('/api/v1/sessions?limit=1');
    assert.equal(first.body.items.length, 1);
    assert.equal(first.body.next_before, first.body.items[0].id);
    const second = await anna.get(`/api/v1/sessions?limit=1&before=${first.body.next_before}`);
    assert.deepEqual([first.body.items[0].id, second.body.items[0].id], all.slice(0, 2));
  });

  test('managers may not see or end sessions (403)', async () => {
    assert.equal((await boris.get('/api/v1/sessions')).status, 403);
    const id = Number(p.sql(`SELECT MAX(id) FROM sessions WHERE user_id = ${anna.user.id} AND revoked_at IS NULL`)[0][0]);
    assert.equal((await boris.del(`/api/v1/sessions/${id}`)).status, 403);
    assert.equal((await anna.get('/api/v1/me')).status, 200);
  });
});

describe('GET /api/v1/audit', () => {
  test('every write above is in the log with actor, action, object and ip', async () => {
    const res = await anna.get(`/api/v1/audit?actor=${anna.user.id}&limit=500`);
    assert.equal(res.status, 200, show(res));
    const items = res.body.items;
    const find = (action, type, id) => items.find((a) => a.action === action && a.object_type === type && a.object_id === id);
    const expectations = [
      ['user.create', 'user', ids.greta],
      ['user.update', 'user', ids[PERSONAS.customer2]],
      ['user.update', 'user', ids[PERSONAS.member]],
      ['user.disable', 'user', ids.greta],
      ['session.end', 'session', ids.endedSession],
      ['auth.login', 'user', anna.user.id],
    ];
    for (const [action, type, id] of expectations) {
      const a = find(action, type, id);
      assert.ok(a, `no audit entry ${action} ${type} ${id}`);
      assert.equal(a.actor?.id, anna.user.id);
      assert.equal(a.actor?.email, PERSONAS.admin);
      assert.equal(a.actor_realm, 'employee');
      assert.equal(a.ip, '127.0.0.1');
      assert.ok(Date.parse(a.at) > 0, `at: ${a.at}`);
    }
    const promo = items.find((a) => a.action === 'user.update' && a.object_id === ids[PERSONAS.member] && a.details?.role === 'manager');
    assert.ok(promo, 'the role change is logged without its details');
    // newest first
    const idsDesc = items.map((a) => a.id);
    assert.deepEqual(idsDesc, [...idsDesc].sort((a, b) => b - a));
  });

  test('filters: actor, object_type, object_id, since/until', async () => {
    const byType = await anna.get('/api/v1/audit?object_type=session&limit=500');
    assert.ok(byType.body.items.length >= 1);
    assert.ok(byType.body.items.every((a) => a.object_type === 'session'), 'object_type filter');
    const byActor = await anna.get(`/api/v1/audit?actor=${vera.user.id}&limit=500`);
    assert.ok(byActor.body.items.length >= 1, 'vera logged in: there is an entry');
    assert.ok(byActor.body.items.every((a) => a.actor?.id === vera.user.id), 'actor filter');
    const byObject = await anna.get(`/api/v1/audit?object_type=user&object_id=${ids.greta}&limit=500`);
    assert.ok(byObject.body.items.length >= 2);
    assert.ok(byObject.body.items.every((a) => a.object_type === 'user' && a.object_id === ids.greta));
    const recent = await anna.get(`/api/v1/audit?since=${encodeURIComponent(since)}&limit=500`);
    assert.ok(recent.body.items.length >= 5);
    assert.ok(recent.body.items.every((a) => Date.parse(a.at) >= Date.parse(since)), 'since filter');
    const future = await anna.get('/api/v1/audit?since=2999-01-01');
    assert.deepEqual(future.body.items, [], 'since in the future');
    const past = await anna.get('/api/v1/audit?until=2000-01-01');
    assert.deepEqual(past.body.items, [], 'until in the past');
    for (const q of ['since=yesterday', 'actor=abc', 'object_id=-1', 'limit=0']) {
      const res = await anna.get(`/api/v1/audit?${q}`);
      assert.equal(res.status, 400, `${q}: ${show(res)}`);
    }
  });

  test('pages with limit/before/next_before', async () => {
    const all = (await anna.get('/api/v1/audit?limit=500')).body.items.map((a) => a.id);
    const seen = [];
    let before = null;
    for (let i = 0; i < 200; i++) {
      const res = await anna.get(`/api/v1/audit?limit=7${before ? `&before=${before}` : ''}`);
      seen.push(...res.body.items.map((a) => a.id));
      if (res.body.next_before === undefined) break;
      before = res.body.next_before;
    }
    assert.deepEqual(seen.filter((id) => id <= all[0]), all);
  });

  test('customers, partners, members and managers get 403', async () => {
    const pavel = await loginAs(p.url, PERSONAS.partner);
    for (const c of [carol, pavel, vera, boris]) {
      const res = await c.get('/api/v1/audit');
      assert.equal(res.status, 403, show(res));
    }
  });
});

describe('the last admin', () => {
  /** Holds LOCK TABLES audit WRITE in a separate connection until release() is called. */
  async function lockAudit() {
    const child = spawn('mariadb', ['--no-defaults', `--socket=${testSocket}`, '--user=root', '-N', '-B', '-n', p.db],
      { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stdin.write("LOCK TABLES audit WRITE; SELECT 'locked';\n");
    for (let i = 0; i < 100 && !out.includes('locked'); i++) await sleep(50);
    assert.ok(out.includes('locked'), 'could not lock the audit table');
    const exited = new Promise((resolve) => child.on('exit', resolve));
    let released = false;
    return async () => {
      if (!released) {
        released = true;
        child.stdin.end('UNLOCK TABLES;\n');
      }
      await exited;
    };
  }

  test('two admins demoting each other at the same moment leave one admin (409 last_admin)', async () => {
    const cr = await anna.post('/api/v1/users', { email: 'second.admin@demo.example', name: 'Second Admin', realm: 'employee', role: 'admin', password: 'Granite-falcon-8126' });
    assert.equal(cr.status, 201, show(cr));
    const bob = await loginAs(p.url, 'second.admin@demo.example', 'Granite-falcon-8126');
    const annaId = anna.user.id; const bobId = cr.body.id;
    // Both requests get past their checks, then wait to write the audit row; released
    // together they commit together. Only one of them may succeed.
    const release = await lockAudit();
    let results;
    try {
      const a = anna.patch(`/api/v1/users/${bobId}`, { role: 'member', version: versionOf(bobId) });
      const b = bob.patch(`/api/v1/users/${annaId}`, { role: 'member', version: versionOf(annaId) });
      for (let i = 0; i < 60; i++) { // until both wait on the lock (or 3 s)
        const waiting = Number(p.sql("SELECT COUNT(*) FROM information_schema.processlist WHERE state LIKE '%lock%' AND info LIKE 'INSERT INTO audit%'")[0][0]);
        if (waiting >= 2) break;
        await sleep(50);
      }
      await release();
      results = await Promise.all([a, b]);
    } finally {
      await release();
    }
    const admins = Number(p.sql("SELECT COUNT(*) FROM users WHERE realm = 'employee' AND role = 'admin' AND disabled = 0")[0][0]);
    if (admins === 0) p.sql(`UPDATE users SET role = 'admin' WHERE id = ${annaId}`); // repair for what follows
    assert.ok(admins >= 1, `both demotions went through (${results.map((r) => r.status).join(', ')}): the portal has no admin left`);
    const statuses = results.map((r) => r.status).sort();
    assert.equal(statuses[0], 200, `one demotion should succeed: ${results.map(show).join(' | ')}`);
    const loser = results.find((r) => r.status !== 200);
    assert.ok(loser, 'both succeeded');
    assert.ok(loser.status === 409 || loser.status === 403, show(loser));
    if (loser.status === 409) assert.equal(loser.body.error.code, 'last_admin');
  });
});
