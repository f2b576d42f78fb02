// Realm separation: customer and partner sessions get nothing of the employee app (its
// routes answer 403 without data, its files are invisible), and `portal user add`
// creates users that can log in, refusing weak passwords with a message.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startPortal } from '../lib/portal.mjs';
import { Client, PERSONAS, loginAs, runCli, show, stopChecked } from '../lib/identity.mjs';

let p;
let anna; let carol; let pavel;
let routes;
before(async () => {
  p = await startPortal({ demo: true });
  [anna, carol, pavel] = await Promise.all([PERSONAS.admin, PERSONAS.customer, PERSONAS.partner].map((e) => loginAs(p.url, e)));
  routes = JSON.parse(p.run('routes'));
});
after(async () => { await stopChecked(p); });

describe('cabinet sessions and the employee app', () => {
  test('every employee-only route answers a customer and a partner 403 with no data', async () => {
    const employeeOnly = routes.filter((r) => r.realms.includes('employee') && !r.realms.includes('customer') && !r.realms.includes('partner'));
    assert.ok(employeeOnly.length >= 10);
    const before = p.sql('SELECT (SELECT COUNT(*) FROM users), (SELECT COUNT(*) FROM accounts), (SELECT COUNT(*) FROM auth_tokens)')[0];
    // Real ids where a route takes one, so a 403 is not a 404 in disguise.
    const realId = { '/api/v1/users/{id}': anna.user.id, '/api/v1/sessions/{id}': Number(p.sql(`SELECT MAX(id) FROM sessions WHERE user_id = ${anna.user.id}`)[0][0]) };
    for (const c of [carol, pavel]) {
      for (const r of employeeOnly) {
        const target = r.pattern.replace('{id}', String(realId[r.pattern] ?? 1));
        const body = r.method === 'GET' ? undefined
          : { name: 'Sneaky', kind: 'customer', email: 'sneaky@client.example', realm: 'customer', role: 'admin', version: 1, disabled: true, password: 'Sneaky-pass-9931' };
        const res = await c.req(r.method, target, { body });
        assert.equal(res.status, 403, `${c.user.email} ${r.method} ${target}: ${show(res)}`);
        assert.deepEqual(Object.keys(res.body ?? {}), ['error'], `${r.method} ${target} answered with data: ${res.text.slice(0, 200)}`);
      }
    }
    assert.deepEqual(p.sql('SELECT (SELECT COUNT(*) FROM users), (SELECT COUNT(*) FROM accounts), (SELECT COUNT(*) FROM auth_tokens)')[0], before,
      'a refused cabinet request changed something');
    assert.equal((await anna.get('/api/v1/me')).status, 200, 'a cabinet request ended the admin\'s session');
  });

  test('files: an employee\'s upload is invisible to customers, and a customer\'s to employees', async () => {
    const up = await anna.req('POST', '/api/v1/files?name=plan.txt', { raw: 'internal plan', headers: { 'Content-Type': 'text/plain' } });
    assert.equal(up.status, 201, show(up));
    assert.equal((await anna.get(`/api/v1/files/${up.body.id}`)).status, 200, 'the uploader cannot read their file');
    for (const c of [carol, pavel]) {
      const res = await c.get(`/api/v1/files/${up.body.id}`);
      assert.equal(res.status, 404, `${c.user.email}: ${show(res)}`);
      assert.ok(!res.text.includes('internal plan'));
    }
    const cup = await carol.req('POST', '/api/v1/files?name=invoice.txt', { raw: 'customer invoice', headers: { 'Content-Type': 'text/plain' } });
    assert.equal(cup.status, 201, show(cup));
    assert.equal((await pavel.get(`/api/v1/files/${cup.body.id}`)).status, 404, 'a partner reads a customer\'s upload');
    assert.equal((await anna.get(`/api/v1/files/${cup.body.id}`)).status, 404, 'an unattached upload is its uploader\'s alone');
  });

  test('a customer sees only their own sessions and cannot end an employee\'s', async () => {
    const list = await carol.get('/api/v1/me/sessions');
    assert.equal(list.status, 200, show(list));
    const own = new Set(p.sql(`SELECT id FROM sessions WHERE user_id = ${carol.user.id}`).map((r) => Number(r[0])));
    assert.ok(list.body.items.every((s) => own.has(s.id)), 'another user\'s session in a customer\'s list');
    const annaSession = Number(p.sql(`SELECT MAX(id) FROM sessions WHERE user_id = ${anna.user.id} AND revoked_at IS NULL`)[0][0]);
    const res = await carol.del(`/api/v1/me/sessions/${annaSession}`);
    assert.equal(res.status, 404, show(res));
    assert.equal((await anna.get('/api/v1/me')).status, 200);
  });

  test('/me of a cabinet user names their account, never another one', async () => {
    const dmitry = await loginAs(p.url, PERSONAS.customer2);
    const [c, d] = await Promise.all([carol.get('/api/v1/me'), dmitry.get('/api/v1/me')]);
    assert.equal(c.body.user.account.name, 'Romashka LLC');
    assert.equal(d.body.user.account.name, 'Vasilek JSC');
    assert.equal((await pavel.get('/api/v1/me')).body.user.account.kind, 'partner');
  });
});

describe('portal user add', () => {
  test('creates an employee who can log in; the audit log records it', async () => {
    const r = await runCli(p, ['user', 'add', '--email', 'x@demo.example', '--name', 'X', '--role', 'member', '--password-stdin'],
      { input: 'Orbit-pebble-7265\n' });
    assert.equal(r.status, 0, `exit ${r.status}: ${r.stderr}`);
    assert.match(r.stdout, /created user \d+ <x@demo\.example>/);
    assert.ok(!r.stdout.includes('Orbit-pebble-7265') && !r.stderr.includes('Orbit-pebble-7265'), 'the password is echoed');
    const [realm, role, hash] = p.sql("SELECT realm, role, password_hash FROM users WHERE email = 'x@demo.example'")[0];
    assert.deepEqual([realm, role], ['employee', 'member']);
    assert.match(hash, /^\$argon2id\$/);
    assert.equal(p.sql("SELECT COUNT(*) FROM audit a JOIN users u ON u.id = a.object_id WHERE a.action = 'user.create' AND u.email = 'x@demo.example'")[0][0], '1');
  });

  test('the CLI user logs in over the API with that password', async () => {
    const c = new Client(p.url);
    const res = await c.loginRaw('x@demo.example', 'Orbit-pebble-7265');
    assert.equal(res.status, 200, show(res));
    assert.equal(res.body.user.role, 'member');
    assert.equal((await c.get('/api/v1/accounts')).status, 200);
    assert.equal((await c.get('/api/v1/users')).status, 403, 'a member from the CLI may list users');
  });

  test('a weak password fails with a message and creates nothing', async () => {
    for (const [pw, why] of [['short\n', /password.*short/i], ['password123\n', /password.*(common|dictionary)/i], ['weakling-Wx1\n', /password.*(email|name)/i]]) {
      const r = await runCli(p, ['user', 'add', '--email', 'weakling@demo.example', '--name', 'Weak Ling', '--role', 'member', '--password-stdin'], { input: pw });
      assert.notEqual(r.status, 0, `${pw.trim()}: exit 0, stdout ${r.stdout}`);
      assert.match(r.stderr, why, `${pw.trim()}: ${r.stderr}`);
    }
    assert.equal(p.sql("SELECT COUNT(*) FROM users WHERE email = 'weakling@demo.example'")[0][0], '0');
  });

  test('an existing email, a bad role or no password fail with a message', async () => {
    const cases = [
      [['--email', PERSONAS.member, '--name', 'Again', '--role', 'member'], 'Fjord-lantern-4402\n', /exists/i],
      [['--email', 'role@demo.example', '--name', 'Role', '--role', 'emperor'], 'Fjord-lantern-4402\n', /role/i],
      [['--email', 'nopass@demo.example', '--name', 'No Pass', '--role', 'member'], '', /password/i],
      [['--email', 'not-an-email', '--name', 'Bad', '--role', 'member'], 'Fjord-lantern-4402\n', /valid email/i],
    ];
    for (const [args, input, why] of cases) {
      const r = await runCli(p, ['user', 'add', ...args, '--password-stdin'], { input });
      assert.notEqual(r.status, 0, `${args.join(' ')}: exit 0`);
      assert.match(r.stderr, why, `${args.join(' ')}: ${r.stderr}`);
    }
    assert.equal(p.sql("SELECT COUNT(*) FROM users WHERE email IN ('role@demo.example', 'nopass@demo.example')")[0][0], '0');
  });

  test('a customer user needs a customer account', async () => {
    const acc = Object.fromEntries(p.sql('SELECT name, id FROM accounts'));
    const bad = await runCli(p, ['user', 'add', '--email', 'cli.cust@client.example', '--name', 'Cli Cust', '--realm', 'customer',
      '--account-id', acc['Logistika Partner'], '--password-stdin'], { input: 'Meadow-copper-1189\n' });
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /account/i);
    const ok = await runCli(p, ['user', 'add', '--email', 'cli.cust@client.example', '--name', 'Cli Cust', '--realm', 'customer',
      '--account-id', acc['Romashka LLC'], '--password-stdin'], { input: 'Meadow-copper-1189\n' });
    assert.equal(ok.status, 0, ok.stderr);
    const c = new Client(p.url);
    assert.equal((await c.loginRaw('cli.cust@client.example', 'Meadow-copper-1189', { realm: 'cabinet' })).status, 200);
    assert.equal((await c.get('/api/v1/me')).body.user.account.name, 'Romashka LLC');
  });
});
