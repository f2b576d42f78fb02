// Invitations (employees, customers, partners) and password reset: who may invite
// whom, the mail with its one-time link, inspect/accept, and every way a link stops
// working: used, expired, revoked, replaced, or of the other kind.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startPortal, api } from '../lib/portal.mjs';
import {
  Client, DEMO_PASSWORD, PERSONAS, linkIn, loginAs, mailsTo, readMails, sessionCookie, show, stopChecked,
  waitForMailQueue, waitForMails,
} from '../lib/identity.mjs';

let p;
let anna; let boris; let vera;
const accounts = {};
before(async () => {
  p = await startPortal({ demo: true });
  [anna, boris, vera] = await Promise.all([PERSONAS.admin, PERSONAS.manager, PERSONAS.member].map((e) => loginAs(p.url, e)));
  for (const a of (await anna.get('/api/v1/accounts')).body.items) accounts[a.name] = a.id;
  assert.ok(accounts['Romashka LLC'] && accounts['Logistika Partner'], 'demo accounts missing');
});
after(async () => { await stopChecked(p); });

const tokenHash = (t) => createHash('sha256').update(t).digest('hex').toUpperCase();
const inspect = (token) => api(p.url, 'POST', '/api/v1/auth/invitations/inspect', { body: { token } });
const accept = (body) => api(p.url, 'POST', '/api/v1/auth/invitations/accept', { body });
const resetRequest = (email) => api(p.url, 'POST', '/api/v1/auth/reset/request', { body: { email } });
/** Asks for a reset of `email` and returns the mail that follows (sent after the answer). */
async function resetMail(email) {
  const seen = mailsTo(p.dataDir, email).length;
  const res = await resetRequest(email);
  assert.equal(res.status, 202, show(res));
  const mails = await waitForMails(p.dataDir, email, seen);
  return mails[mails.length - 1];
}
const resetConfirm = (token, password) => api(p.url, 'POST', '/api/v1/auth/reset/confirm', { body: { token, password } });

function assertInvalidToken(res, what) {
  assert.equal(res.status, 400, `${what}: ${show(res)}`);
  assert.equal(res.body?.error?.code, 'invalid_token', `${what}: ${show(res)}`);
}

/** Invites as `by`, checks the 201 answer and the mail; returns { id, token, link, mail }. */
async function invite(by, body) {
  const res = await by.post('/api/v1/invitations', body);
  assert.equal(res.status, 201, `invite ${body.email}: ${show(res)}`);
  assert.equal(typeof res.body.id, 'number');
  assert.equal(res.body.email, body.email.toLowerCase());
  assert.ok(Date.parse(res.body.expires_at) > Date.now() + 24 * 3600e3, `expires_at ${res.body.expires_at}`);
  const mails = mailsTo(p.dataDir, body.email);
  assert.equal(mails.length >= 1, true, `no mail to ${body.email} in ${p.dataDir}/mail`);
  const mail = mails[mails.length - 1];
  const link = linkIn(mail.body);
  assert.ok(link, `no link in the mail:\n${mail.body}`);
  assert.match(mail.subject, /invit/i, `subject: ${mail.subject}`);
  return { id: res.body.id, token: link.token, link: link.url, mail, answer: res.body };
}

describe('invitations: who and what', () => {
  test('admin invites an employee: mail with the link; the token is stored only as a hash', async () => {
    const inv = await invite(anna, { email: 'ivan.new@demo.example', name: 'Ivan Novikov', realm: 'employee', role: 'member' });
    assert.match(inv.link, /\/app\/invite\?token=/, inv.link);
    assert.match(inv.mail.body, /Ivan Novikov/);
    assert.match(inv.token, /^[A-Za-z0-9_-]{43}$/);
    const rows = p.sql(`SELECT kind, email, realm, role, HEX(token_hash) FROM auth_tokens WHERE id = ${inv.id}`);
    assert.deepEqual(rows[0].slice(0, 4), ['invite', 'ivan.new@demo.example', 'employee', 'member']);
    assert.equal(rows[0][4], tokenHash(inv.token), 'token_hash is not SHA-256 of the token');
    assert.equal(p.sql(`SELECT COUNT(*) FROM auth_tokens WHERE HEX(token_hash) = HEX('${inv.token}')`)[0][0], '0');
    const audit = p.sql(`SELECT actor_id, ip FROM audit WHERE action = 'invitation.create' AND object_id = ${inv.id}`);
    assert.deepEqual(audit[0], [String(anna.user.id), '127.0.0.1']);
  });

  test('admin invites a customer (customer account) and a partner (partner account): cabinet links', async () => {
    const c = await invite(anna, { email: 'olga@client.example', name: 'Olga Client', realm: 'customer', account_id: accounts['Romashka LLC'] });
    assert.match(c.link, /\/cabinet\/invite\?token=/, c.link);
    const pt = await invite(anna, { email: 'petr@partner.example', name: 'Petr Partner', realm: 'partner', account_id: accounts['Logistika Partner'] });
    assert.match(pt.link, /\/cabinet\/invite\?token=/, pt.link);
  });

  test('a manager invites a member but not an admin (403)', async () => {
    await invite(boris, { email: 'by.manager@demo.example', name: 'By Manager', realm: 'employee', role: 'member' });
    const res = await boris.post('/api/v1/invitations', { email: 'would.be.admin@demo.example', name: 'Would Be', realm: 'employee', role: 'admin' });
    assert.equal(res.status, 403, show(res));
    assert.equal(res.body.error.code, 'forbidden');
    assert.equal(mailsTo(p.dataDir, 'would.be.admin@demo.example').length, 0, 'the refused invitation was mailed');
    assert.equal(p.sql("SELECT COUNT(*) FROM auth_tokens WHERE email = 'would.be.admin@demo.example'")[0][0], '0');
  });

  test('an existing email -> 409 email_taken (any case)', async () => {
    for (const email of [PERSONAS.member, 'VERA@demo.example', PERSONAS.customer]) {
      const res = await anna.post('/api/v1/invitations', { email, name: 'Dup', realm: 'employee', role: 'member' });
      assert.equal(res.status, 409, `${email}: ${show(res)}`);
      assert.equal(res.body.error.code, 'email_taken');
      assert.equal(res.body.error.field, 'email');
    }
  });

  test('wrong shapes -> 400 validation_failed naming the field', async () => {
    const cases = [
      [{ realm: 'customer' }, 'account_id', 'customer without account_id'],
      [{ realm: 'employee', role: 'member', account_id: accounts['Romashka LLC'] }, 'account_id', 'employee with account_id'],
      [{ realm: 'partner', account_id: accounts['Romashka LLC'] }, 'account_id', 'partner on a customer account'],
      [{ realm: 'customer', account_id: accounts['Logistika Partner'] }, 'account_id', 'customer on a partner account'],
      [{ realm: 'customer', account_id: 999999 }, 'account_id', 'no such account'],
      [{ realm: 'employee' }, 'role', 'employee without role'],
      [{ realm: 'employee', role: 'owner' }, 'role', 'unknown role'],
      [{ realm: 'customer', role: 'member', account_id: accounts['Romashka LLC'] }, 'role', 'customer with a role'],
      [{ realm: 'robot', role: 'member' }, 'realm', 'unknown realm'],
      [{ realm: 'employee', role: 'member', email: 'not-an-email' }, 'email', 'bad email'],
      [{ realm: 'employee', role: 'member', name: '' }, 'name', 'empty name'],
    ];
    for (const [extra, field, what] of cases) {
      const body = { email: 'shape.test@demo.example', name: 'Shape Test', ...extra };
      const res = await anna.post('/api/v1/invitations', body);
      assert.equal(res.status, 400, `${what}: ${show(res)}`);
      assert.equal(res.body.error.code, 'validation_failed', `${what}: ${show(res)}`);
      assert.equal(res.body.error.field, field, `${what}: ${show(res)}`);
    }
    assert.equal(p.sql("SELECT COUNT(*) FROM auth_tokens WHERE email = 'shape.test@demo.example'")[0][0], '0');
    assert.equal(mailsTo(p.dataDir, 'shape.test@demo.example').length, 0);
  });
});

describe('invitations: inspect and accept', () => {
  test('inspect shows email, name, realm and does not use the link', async () => {
    const inv = await invite(anna, { email: 'inspect.me@demo.example', name: 'Inspect Me', realm: 'employee', role: 'manager' });
    for (let i = 0; i < 2; i++) {
      const res = await inspect(inv.token);
      assert.equal(res.status, 200, show(res));
      assert.equal(res.body.email, 'inspect.me@demo.example');
      assert.equal(res.body.name, 'Inspect Me');
      assert.equal(res.body.realm, 'employee');
      assert.ok(Date.parse(res.body.expires_at) > Date.now());
    }
    assertInvalidToken(await inspect('A'.repeat(43)), 'a made-up token');
    assertInvalidToken(await inspect(inv.token.slice(0, 42)), 'a truncated token');
  });

  test('accept: weak password -> 400 and the link still works; then 200 with a session and an argon2id user', async () => {
    const inv = await invite(anna, { email: 'nadia.new@demo.example', name: 'Nadia Orlova', realm: 'employee', role: 'member' });
    for (const weak of ['short1!', 'password123', 'nadia.new-2024', 'I am Nadia Orlova']) {
      const res = await accept({ token: inv.token, password: weak });
      assert.equal(res.status, 400, `${weak}: ${show(res)}`);
      assert.equal(res.body.error.code, 'weak_password', `${weak}: ${show(res)}`);
      assert.equal(res.body.error.field, 'password');
    }
    assert.equal((await inspect(inv.token)).status, 200, 'a refused accept used up the link');
    assert.equal(p.sql("SELECT COUNT(*) FROM users WHERE email = 'nadia.new@demo.example'")[0][0], '0');

    const res = await accept({ token: inv.token, password: 'Juniper-canyon-3381' });
    assert.equal(res.status, 200, show(res));
    const c = sessionCookie(res);
    assert.ok(c && c.attrs.httponly, 'accept does not log the user in');
    assert.equal(res.body.user.email, 'nadia.new@demo.example');
    const client = new Client(p.url).adopt(res);
    const me = await client.get('/api/v1/me');
    assert.equal(me.status, 200, show(me));
    assert.equal(me.body.user.realm, 'employee');
    assert.equal(me.body.user.role, 'member');
    assert.equal(me.body.user.name, 'Nadia Orlova');
    const [realm, role, hash] = p.sql("SELECT realm, role, password_hash FROM users WHERE email = 'nadia.new@demo.example'")[0];
    assert.deepEqual([realm, role], ['employee', 'member']);
    assert.match(hash, /^\$argon2id\$/);
    assert.notEqual(p.sql(`SELECT used_at FROM auth_tokens WHERE id = ${inv.id}`)[0][0], 'NULL', 'used_at not set');
    // the new password logs in
    assert.equal((await new Client(p.url).loginRaw('nadia.new@demo.example', 'Juniper-canyon-3381')).status, 200);
    // reuse
    assertInvalidToken(await accept({ token: inv.token, password: 'Another-fine-pass-77' }), 'the link used twice');
    assertInvalidToken(await inspect(inv.token), 'inspect of a used link');
  });

  test('accepting a customer and a partner invitation binds them to their account', async () => {
    for (const [email, realm, account] of [['lena@client.example', 'customer', 'Romashka LLC'], ['max@partner.example', 'partner', 'Logistika Partner']]) {
      const inv = await invite(anna, { email, name: `New ${realm}`, realm, account_id: accounts[account] });
      const res = await accept({ token: inv.token, password: 'Saffron-glacier-9034' });
      assert.equal(res.status, 200, show(res));
      const me = await new Client(p.url).adopt(res).get('/api/v1/me');
      assert.equal(me.body.user.realm, realm);
      assert.equal(me.body.user.role, null);
      assert.equal(me.body.user.account?.name, account);
      // and they are cabinet users: the employee API refuses them
      assert.equal((await new Client(p.url).adopt(res).get('/api/v1/accounts')).status, 403);
    }
  });

  test('an expired link -> 400 invalid_token', async () => {
    const inv = await invite(anna, { email: 'late.comer@demo.example', name: 'Late Comer', realm: 'employee', role: 'member' });
    p.sql(`UPDATE auth_tokens SET expires_at = UTC_TIMESTAMP(6) - INTERVAL 1 MINUTE WHERE id = ${inv.id}`);
    assertInvalidToken(await inspect(inv.token), 'inspect expired');
    assertInvalidToken(await accept({ token: inv.token, password: 'Harbor-lights-5120' }), 'accept expired');
    assert.equal(p.sql("SELECT COUNT(*) FROM users WHERE email = 'late.comer@demo.example'")[0][0], '0');
  });

  test('a revoked link (DELETE /api/v1/invitations/{id}) -> 400 invalid_token', async () => {
    const inv = await invite(boris, { email: 'changed.mind@demo.example', name: 'Changed Mind', realm: 'employee', role: 'member' });
    const del = await boris.del(`/api/v1/invitations/${inv.id}`);
    assert.equal(del.status, 204, show(del));
    assertInvalidToken(await accept({ token: inv.token, password: 'Harbor-lights-5120' }), 'accept revoked');
    assert.equal((await boris.del(`/api/v1/invitations/${inv.id}`)).status, 404, 'revoked twice');
    assert.notEqual(p.sql(`SELECT revoked_at FROM auth_tokens WHERE id = ${inv.id}`)[0][0], 'NULL');
    assert.equal(p.sql(`SELECT COUNT(*) FROM audit WHERE action = 'invitation.revoke' AND object_id = ${inv.id}`)[0][0], '1');
  });

  test('GET /api/v1/invitations lists each invitation with its own id, state and inviter', async () => {
    const emp = await invite(boris, { email: 'listed.emp@demo.example', name: 'Listed Emp', realm: 'employee', role: 'member' });
    const cust = await invite(boris, { email: 'listed.cust@client.example', name: 'Listed Cust', realm: 'customer', account_id: accounts['Romashka LLC'] });
    assert.equal((await boris.del(`/api/v1/invitations/${emp.id}`)).status, 204);
    const list = await boris.get('/api/v1/invitations');
    assert.equal(list.status, 200, show(list));
    const byEmail = Object.fromEntries(list.body.items.map((i) => [i.email, i]));
    const e = byEmail['listed.emp@demo.example']; const c = byEmail['listed.cust@client.example'];
    assert.ok(e && c, 'invitations missing from the list');
    // The id is what the UI passes to DELETE /api/v1/invitations/{id}.
    assert.equal(e.id, emp.id, `employee invitation listed with id ${JSON.stringify(e.id)}`);
    assert.equal(c.id, cust.id, `customer invitation listed with id ${JSON.stringify(c.id)}`);
    assert.ok(e.revoked_at && !c.revoked_at, 'revoked_at');
    assert.equal(c.account?.name, 'Romashka LLC');
    assert.equal(e.created_by?.id, boris.user.id);
  });

  test('inviting the same email again replaces the earlier link', async () => {
    const first = await invite(anna, { email: 'twice@demo.example', name: 'Twice', realm: 'employee', role: 'member' });
    const second = await invite(anna, { email: 'twice@demo.example', name: 'Twice', realm: 'employee', role: 'member' });
    assert.notEqual(first.token, second.token);
    assertInvalidToken(await inspect(first.token), 'the replaced link');
    assert.equal((await inspect(second.token)).status, 200);
  });

  test('a member may not invite anyone (403)', async () => {
    const res = await vera.post('/api/v1/invitations', { email: 'from.member@demo.example', name: 'X Y', realm: 'employee', role: 'member' });
    assert.equal(res.status, 403, show(res));
  });
});

describe('password reset', () => {
  test('request: known and unknown emails get the same 202; only the known one gets a mail', async () => {
    const before = readMails(p.dataDir).length;
    const known = await resetRequest(PERSONAS.manager);
    const unknown = await resetRequest('nobody.here@demo.example');
    const malformed = await resetRequest('not an email');
    assert.equal(known.status, 202, show(known));
    assert.equal(unknown.status, 202, show(unknown));
    assert.equal(malformed.status, 202, show(malformed));
    assert.equal(known.text, unknown.text, 'the answer tells whether the email exists');
    assert.equal(known.text, malformed.text);
    await waitForMails(p.dataDir, PERSONAS.manager);
    await waitForMailQueue(p);
    const mails = readMails(p.dataDir).slice(before);
    assert.deepEqual(mails.map((m) => m.to), [PERSONAS.manager], 'mail went out to the wrong addresses');
    const link = linkIn(mails[0].body);
    assert.match(link?.url ?? '', /\/app\/reset\?token=/, mails[0].body);
    assert.match(mails[0].subject, /reset/i);
  });

  test('confirm: 204, every session of the user ends, the new password works, the link is single-use', async () => {
    const email = PERSONAS.member;
    const s1 = await loginAs(p.url, email);
    const s2 = await loginAs(p.url, email);
    const { token } = linkIn((await resetMail(email)).body);
    // a weak password is refused and leaves the link usable
    const weak = await resetConfirm(token, 'password123');
    assert.equal(weak.status, 400, show(weak));
    assert.equal(weak.body.error.code, 'weak_password');
    assert.equal(weak.body.error.field, 'password');
    assert.equal((await s1.get('/api/v1/me')).status, 200, 'a refused reset ended sessions');

    const fresh = 'Marble-thunder-4471';
    const res = await resetConfirm(token, fresh);
    assert.equal(res.status, 204, show(res));
    assert.equal((await s1.get('/api/v1/me')).status, 401, 'a session survived the reset');
    assert.equal((await s2.get('/api/v1/me')).status, 401, 'a session survived the reset');
    assert.equal(p.sql(`SELECT COUNT(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = '${email}' AND s.revoked_at IS NULL`)[0][0], '0');
    assert.equal((await new Client(p.url).loginRaw(email, DEMO_PASSWORD)).status, 401, 'the old password still works');
    assert.equal((await new Client(p.url).loginRaw(email, fresh)).status, 200, 'the new password does not work');
    assertInvalidToken(await resetConfirm(token, 'Yet-another-pass-8812'), 'the reset link used twice');
    assert.equal((await new Client(p.url).loginRaw(email, fresh)).status, 200, 'the reused link changed the password');
    p.sql('DELETE FROM login_throttle');
  });

  test('a customer\'s reset link points at the cabinet', async () => {
    assert.match(linkIn((await resetMail(PERSONAS.customer)).body)?.url ?? '', /\/cabinet\/reset\?token=/);
  });

  test('an expired reset link -> 400 invalid_token, the password is unchanged', async () => {
    const { token } = linkIn((await resetMail(PERSONAS.partner)).body);
    p.sql(`UPDATE auth_tokens SET expires_at = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND WHERE token_hash = UNHEX('${tokenHash(token)}')`);
    assertInvalidToken(await resetConfirm(token, 'Cobalt-river-2290'), 'expired reset');
    assert.equal((await new Client(p.url).loginRaw(PERSONAS.partner, DEMO_PASSWORD)).status, 200);
  });

  test('a reset link is no invitation, and an invitation is no reset link', async () => {
    const reset = linkIn((await resetMail(PERSONAS.customer2)).body).token;
    assertInvalidToken(await inspect(reset), 'reset token inspected as an invitation');
    assertInvalidToken(await accept({ token: reset, password: 'Velvet-summit-6610' }), 'reset token accepted as an invitation');
    // and it still works as what it is
    const inv = await invite(anna, { email: 'cross.kind@demo.example', name: 'Cross Kind', realm: 'employee', role: 'member' });
    assertInvalidToken(await resetConfirm(inv.token, 'Velvet-summit-6610'), 'invitation used as a reset link');
    assert.equal((await inspect(inv.token)).status, 200, 'the misuse consumed the invitation');
    assert.equal(p.sql("SELECT COUNT(*) FROM users WHERE email = 'cross.kind@demo.example'")[0][0], '0');
    const ok = await resetConfirm(reset, 'Velvet-summit-6610');
    assert.equal(ok.status, 204, show(ok));
  });
});
