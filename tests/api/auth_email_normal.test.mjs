// One spelling of an email: addresses are trimmed, NFC-normalised and case-folded when
// stored (user add, invitations, PATCH, the CLI, old rows by migration 0015) and when
// typed (login, reset request), then compared exactly; look-alikes (an accent, a
// no-break space, a zero-width space) are other addresses or refused, and login
// failures through any spelling count against the one user.
import { test, before, after, describe, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startPortal, api } from '../lib/portal.mjs';
import {
  DEMO_PASSWORD, PERSONAS, loginAs, mailsTo, runCli, show, stopChecked, waitForMails,
} from '../lib/identity.mjs';

let p;
let anna;
before(async () => {
  p = await startPortal({ demo: true });
  anna = await loginAs(p.url, PERSONAS.admin);
});
after(async () => { await stopChecked(p); });

const login = (email, password = DEMO_PASSWORD) => api(p.url, 'POST', '/api/v1/auth/login', { body: { email, password } });
const clearThrottle = () => p.sql('DELETE FROM login_throttle');
const hex = (s) => Buffer.from(s, 'utf8').toString('hex').toUpperCase();
const idOf = (email) => p.sql(`SELECT id FROM users WHERE HEX(email) = '${hex(email)}'`)[0]?.[0];
const NBSP = '\u00a0';

function assertRefusedEmail(res, what) {
  assert.equal(res.status, 400, `${what}: ${show(res)}`);
  assert.equal(res.body?.error?.code, 'validation_failed', `${what}: ${show(res)}`);
  assert.equal(res.body?.error?.field, 'email', `${what}: ${show(res)}`);
}

describe('login with spellings of anna@demo.example', () => {
  afterEach(clearThrottle);

  test('case and ASCII spaces are the same address; an accent is another; a no-break space is refused', async () => {
    for (const email of ['ANNA@demo.example', ' anna@demo.example ', 'Anna@Demo.Example']) {
      const res = await login(email);
      assert.equal(res.status, 200, `${JSON.stringify(email)}: ${show(res)}`);
      assert.equal(res.body.user.email, PERSONAS.admin);
    }
    for (const email of ['ánna@demo.example', 'a\u0301nna@demo.example', 'anna@démo.example']) {
      const res = await login(email);
      assert.equal(res.status, 401, `${JSON.stringify(email)} logged in as anna: ${show(res)}`);
      assert.equal(res.body?.error?.code, 'invalid_credentials');
    }
    for (const email of [`anna@demo.example${NBSP}`, `${NBSP}anna@demo.example`, 'anna\u200b@demo.example',
      'anna@demo.example\u3000', 'anna@demo\u0007.example', 'anna@demo.example\u2028']) {
      assertRefusedEmail(await login(email), JSON.stringify(email));
    }
  });

  test('failures through case and space variants count against anna: the fifth blocks her', async () => {
    const annaId = idOf(PERSONAS.admin);
    const variants = ['ANNA@demo.example', ' anna@demo.example ', 'Anna@Demo.Example', 'anna@DEMO.example', 'aNNa@demo.example'];
    for (const email of variants) {
      const res = await login(email, 'not-her-password');
      assert.equal(res.status, 401, `${JSON.stringify(email)}: ${show(res)}`);
    }
    const blocked = await login(PERSONAS.admin);
    assert.equal(blocked.status, 429, `the right password after 5 failures through variants: ${show(blocked)}`);
    assert.equal(blocked.body?.error?.code, 'rate_limited');
    assert.ok(Number(blocked.headers.get('retry-after')) > 0, 'no Retry-After');
    assert.equal(p.sql(`SELECT failures FROM login_throttle WHERE k = 'u:${annaId}'`)[0]?.[0], '5',
      'the failures are not counted per user');
  });

  test('failures of a look-alike address are its own, not anna\'s', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await login('ánna@demo.example', `guess-${i}-of-five`);
      assert.equal(res.status, 401, show(res));
    }
    assert.equal((await login('ánna@demo.example', 'guess-6')).status, 429, 'the look-alike is not throttled');
    const res = await login(PERSONAS.admin);
    assert.equal(res.status, 200, `anna is blocked by failures of another address: ${show(res)}`);
  });
});

describe('addresses are stored in their one spelling', () => {
  test('POST /api/v1/users: trimmed, NFC, case-folded; look-alike spaces and controls refused', async () => {
    // "Zoë" typed decomposed (e + U+0308) and in capitals: stored precomposed, lower case.
    const res = await anna.post('/api/v1/users', {
      email: ' ZOE\u0308.Stored@Demo.Example ', name: 'Zoe Stored', realm: 'employee', role: 'member', password: 'Lantern-harvest-4410',
    });
    assert.equal(res.status, 201, show(res));
    assert.equal(res.body.email, 'zoë.stored@demo.example');
    assert.ok(idOf('zo\u00eb.stored@demo.example'), 'the row is not the NFC, lower-case spelling');
    // the precomposed capital logs in, the decomposed lower case too
    assert.equal((await login('ZOË.STORED@demo.example', 'Lantern-harvest-4410')).status, 200);
    assert.equal((await login('zoe\u0308.stored@demo.example', 'Lantern-harvest-4410')).status, 200);
    // the same address in another spelling is taken
    const dup = await anna.post('/api/v1/users', {
      email: 'Zoë.Stored@demo.example', name: 'Zoe Again', realm: 'employee', role: 'member', password: 'Lantern-harvest-4411',
    });
    assert.equal(dup.status, 409, show(dup));
    assert.equal(dup.body.error.code, 'email_taken');
    for (const email of [`nbsp${NBSP}user@demo.example`, `nbsp.user@demo.example${NBSP}`, 'zw\u200bsp@demo.example', 'bell\u0007@demo.example']) {
      const r = await anna.post('/api/v1/users', { email, name: 'Look Alike', realm: 'employee', role: 'member', password: 'Lantern-harvest-4412' });
      assertRefusedEmail(r, JSON.stringify(email));
    }
  });

  test('invitations: stored folded; a no-break space refused', async () => {
    const res = await anna.post('/api/v1/invitations', { email: 'Invitee.Folded@Demo.EXAMPLE', name: 'Invitee', realm: 'employee', role: 'member' });
    assert.equal(res.status, 201, show(res));
    assert.equal(res.body.email, 'invitee.folded@demo.example');
    assert.equal(p.sql(`SELECT COUNT(*) FROM auth_tokens WHERE id = ${res.body.id} AND HEX(email) = '${hex('invitee.folded@demo.example')}'`)[0][0], '1');
    assertRefusedEmail(await anna.post('/api/v1/invitations', { email: `invitee${NBSP}@demo.example`, name: 'Invitee', realm: 'employee', role: 'member' }), 'NBSP invitation');
  });

  test('PATCH /api/v1/users/{id} email: stored folded, 409 when another user has it in any spelling, 400 for look-alikes', async () => {
    const made = await anna.post('/api/v1/users', { email: 'to.rename@demo.example', name: 'To Rename', realm: 'employee', role: 'member', password: 'Copper-meadow-7731' });
    assert.equal(made.status, 201, show(made));
    const res = await anna.patch(`/api/v1/users/${made.body.id}`, { email: ' Renamed.User@Demo.Example ', version: made.body.version });
    assert.equal(res.status, 200, show(res));
    assert.equal(res.body.email, 'renamed.user@demo.example');
    assert.equal(idOf('renamed.user@demo.example'), String(made.body.id));
    assert.equal((await login('renamed.user@demo.example', 'Copper-meadow-7731')).status, 200, 'the new address does not log in');
    assert.equal((await login('to.rename@demo.example', 'Copper-meadow-7731')).status, 401, 'the old address still logs in');
    const taken = await anna.patch(`/api/v1/users/${made.body.id}`, { email: 'VERA@demo.example', version: res.body.version });
    assert.equal(taken.status, 409, show(taken));
    assert.equal(taken.body.error.code, 'email_taken');
    assertRefusedEmail(await anna.patch(`/api/v1/users/${made.body.id}`, { email: `renamed.user@demo.example${NBSP}`, version: res.body.version }), 'NBSP PATCH');
    assert.equal(idOf('renamed.user@demo.example'), String(made.body.id), 'a refused PATCH changed the email');
    clearThrottle();
  });

  test('`portal user add` stores the one spelling', async () => {
    const r = await runCli(p, ['user', 'add', '--email', ' CLI.Folded@Demo.Example ', '--name', 'Cli Folded', '--role', 'member', '--password-stdin'],
      { input: 'Thistle-orbit-5528\n' });
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    assert.ok(idOf('cli.folded@demo.example'), `not stored folded: ${r.stdout}`);
    const bad = await runCli(p, ['user', 'add', '--email', `cli${NBSP}nbsp@demo.example`, '--name', 'Cli Nbsp', '--role', 'member', '--password-stdin'],
      { input: 'Thistle-orbit-5529\n' });
    assert.notEqual(bad.status, 0, 'the CLI stored an address with a no-break space');
    assert.match(bad.stderr, /space/);
  });

  test('the demo seed is in the one spelling', () => {
    for (const email of Object.values(PERSONAS)) assert.ok(idOf(email), `${email} is not stored as typed here`);
  });
});

describe('reset request', () => {
  test('a case variant mails the user; a no-break space is refused 400', async () => {
    const seen = mailsTo(p.dataDir, PERSONAS.member).length;
    const res = await api(p.url, 'POST', '/api/v1/auth/reset/request', { body: { email: ' VERA@Demo.Example ' } });
    assert.equal(res.status, 202, show(res));
    const mails = await waitForMails(p.dataDir, PERSONAS.member, seen);
    assert.equal(mails[mails.length - 1].to, PERSONAS.member);
    assertRefusedEmail(await api(p.url, 'POST', '/api/v1/auth/reset/request', { body: { email: `vera@demo.example${NBSP}` } }), 'NBSP reset');
    p.sql('DELETE FROM login_throttle');
  });
});

describe('migration 0015 normalises rows written before', () => {
  test('an address stored with capitals and spaces is folded and logs in', async () => {
    const made = await anna.post('/api/v1/users', { email: 'old.row@demo.example', name: 'Old Row', realm: 'employee', role: 'member', password: 'Pebble-lantern-8842' });
    assert.equal(made.status, 201, show(made));
    // As an older portal could have stored it (it kept non-ASCII case and outer spaces).
    p.sql(`UPDATE users SET email = '  Old.ROW@Demo.Example ' WHERE id = ${made.body.id}`);
    p.sql('DELETE FROM schema_migrations WHERE version = 15');
    const m = await runCli(p, ['migrate']);
    assert.equal(m.status, 0, `${m.stdout}${m.stderr}`);
    assert.equal(p.sql(`SELECT email FROM users WHERE id = ${made.body.id}`)[0][0], 'old.row@demo.example');
    assert.equal((await login('OLD.row@demo.example', 'Pebble-lantern-8842')).status, 200);
  });
});
