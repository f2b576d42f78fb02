// Sockets follow their session (issue 14, item 8): logging out, ending a session (one's
// own, an admin's "end session", a login over an old cookie), a password change and
// disabling a user close that session's sockets within a second, and an event made
// right after the change never reaches them; a role change re-authorises the open
// sockets in place; an idle-expired session's socket is closed; a logout on one node
// closes the socket on another. PORTAL_WS_SESSION_CHECK stays at its 30 s default, so
// none of this is the periodic check's doing.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { startPortal, sleep } from '../lib/portal.mjs';
import { PERSONAS, loginAs, show } from '../lib/identity.mjs';
import { openSocket, connect, ticketFor, insertEvents, sqlSession } from '../lib/realtime.mjs';

const sha256hex = (s) => createHash('sha256').update(s).digest('hex').toUpperCase();

let p;
let anna; // admin
before(async () => {
  p = await startPortal({ demo: true, env: { PORTAL_SCHEDULER_INTERVAL: '3600' } });
  anna = await loginAs(p.url, PERSONAS.admin);
});
after(async () => { await p?.stop(); });

/** An employee made through the admin API: { id, email, password, handle, version }. */
async function newUser(tag, role = 'member') {
  const email = `sock${tag}${randomBytes(3).toString('hex')}@demo.example`;
  const password = `Quiet-harbor-${randomBytes(4).toString('hex')}`;
  const res = await anna.post('/api/v1/users', { email, name: `Socket ${tag}`, realm: 'employee', role, password });
  assert.equal(res.status, 201, show(res));
  return { id: res.body.id, email, password, handle: res.body.handle, version: res.body.version };
}

const sessionId = (client) => Number(p.sql(
  `SELECT id FROM sessions WHERE token_hash = UNHEX('${sha256hex(client.token)}')`)[0][0]);

/** The close frame ({code, reason}) if the socket closes within ms, else null. */
function closedWithin(sock, ms) {
  return Promise.race([sock.closedPromise, sleep(ms).then(() => null)]);
}

/** An event for the user that each socket sees: proves they are live up to here. */
async function marker(socks, userId) {
  const [id] = insertEvents(p, 1, { type: 'test.marker', audience: `user:${userId}` });
  for (const sock of [socks].flat()) await sock.waitFor((f) => f?.id === id, 5000, `marker ${id}`);
  return id;
}

/**
 * Right after the change's answer, makes events for the user: a mention by anna (a feed
 * post every employee's socket gets, and a notification for the user), then one written
 * straight to the outbox. Returns how long after the answer the mention was made (its
 * answer came back) and the ids of the two notifications. (A disabled user is not
 * mentionable: the post is still an event their sockets would get.)
 */
async function eventsRightAfter(u, answeredAt, { mentionable = true } = {}) {
  const res = await anna.post('/api/v1/feed/posts', { body: `Right after: @${u.handle} look` });
  const spent = Date.now() - answeredAt;
  assert.equal(res.status, 201, show(res));
  const [direct] = insertEvents(p, 1, { type: 'notification', audience: `user:${u.id}`, payload: () => ({ summary: 'secret' }) });
  const noted = Number(p.sql(`SELECT MAX(id) FROM event WHERE type = 'notification' AND audience = 'user:${u.id}' AND id < ${direct}`)[0][0]);
  if (mentionable) assert.ok(noted > 0, 'the mention made a notification event for the user');
  return { spent, ids: [noted, direct] };
}

function assertNothingAfter(sock, lastSeen, what) {
  const late = sock.events.filter((e) => e.id > lastSeen);
  assert.deepEqual(late, [], `${what}: the ended session's socket received ${JSON.stringify(late)}`);
}

/** A new user with two sessions, each with an open socket. */
async function userWithTwoSockets(tag) {
  const u = await newUser(tag);
  const a = await loginAs(p.url, u.email, u.password);
  const b = await loginAs(p.url, u.email, u.password);
  return { u, a, b, sa: await connect(p, a), sb: await connect(p, b) };
}

/**
 * Makes the change (a request answering `status`), then within 100 ms events for the
 * user, and checks that every socket in `gone` closes with 4001 within a second of the
 * answer and received nothing after the marker it had seen before the change. Returns
 * the ids of the events made. opts: mentionable (see eventsRightAfter), seen (the
 * marker already seen, when a new one could not arrive).
 */
async function endsSockets(change, status, u, gone, opts = {}) {
  const seen = opts.seen ?? await marker(gone, u.id);
  const res = await change();
  const answeredAt = Date.now();
  assert.equal(res.status, status, show(res));
  const { spent, ids } = await eventsRightAfter(u, answeredAt, opts);
  assert.ok(spent < 100, `the mention was made ${spent} ms after the answer`);
  const closed = await Promise.all(gone.map((sock) => closedWithin(sock, Math.max(0, 1000 - (Date.now() - answeredAt)))));
  for (const c of closed) {
    assert.equal(c?.code, 4001, 'closed within a second of the answer');
    assert.equal(c.reason, 'session ended');
  }
  await sleep(200);
  for (const sock of gone) assertNothingAfter(sock, seen, 'after the change');
  return ids;
}

describe('a session that ends closes its sockets at once', () => {
  test('logout: closed with 4001 within 1 s; an event made 100 ms after the answer never arrives', async () => {
    const { u, a, sa, sb } = await userWithTwoSockets('logout');
    await endsSockets(() => a.post('/api/v1/auth/logout'), 204, u, [sa]);
    // The user's other session keeps its socket and gets what was made meanwhile.
    await sb.waitFor((f) => f?.event === 'notification' && f.data?.summary === 'secret');
    assert.equal(sb.closed, null);
    await sb.close();
  });

  test('ending one of my sessions (DELETE /me/sessions/{id}) closes its socket only', async () => {
    const { u, a, b, sa, sb } = await userWithTwoSockets('endmine');
    await endsSockets(() => a.del(`/api/v1/me/sessions/${sessionId(b)}`), 204, u, [sb]);
    await marker(sa, u.id);
    assert.equal(sa.closed, null, 'the session that ended the other keeps its socket');
    await sa.close();
  });

  test('an admin ending a session (DELETE /sessions/{id}) closes its socket', async () => {
    const { u, a, sa, sb } = await userWithTwoSockets('adminend');
    await endsSockets(() => anna.del(`/api/v1/sessions/${sessionId(a)}`), 204, u, [sa]);
    await sb.close();
  });

  test('logging in again over an old cookie ends that session and its socket', async () => {
    const { u, a, sa, sb } = await userWithTwoSockets('relogin');
    // the login sends the old cookie: no fixation, that session is ended
    await endsSockets(() => a.loginRaw(u.email, u.password), 200, u, [sa]);
    await sb.close();
  });

  test('a password change closes the sockets of the other sessions, not its own', async () => {
    const { u, a, sa, sb } = await userWithTwoSockets('password');
    const fresh = `Brave-lantern-${randomBytes(4).toString('hex')}`;
    const ids = await endsSockets(() => a.post('/api/v1/me/password', { current_password: u.password, new_password: fresh }), 204, u, [sb]);
    await sa.waitFor((f) => f?.id === ids[1], 5000, 'the notification on the session that changed it');
    assert.equal(sa.closed, null);
    await sa.close();
  });

  test('disabling a user (PATCH /users/{id} {disabled:true}) closes every socket of theirs', async () => {
    const { u, sa, sb } = await userWithTwoSockets('disable');
    await endsSockets(() => anna.patch(`/api/v1/users/${u.id}`, { disabled: true, version: u.version }), 200, u,
      [sa, sb], { mentionable: false });
  });
});

describe('a role change re-authorises the open sockets', () => {
  // project:999999 has no members: only admins see its events.
  const adminOnly = () => insertEvents(p, 1, { type: 'project.updated', audience: 'project:999999' })[0];

  test('a demoted admin stops getting admin-only events at once, on the same socket; promoted, gets them again', async () => {
    const u = await newUser('demote', 'admin');
    const c = await loginAs(p.url, u.email, u.password);
    const sock = await connect(p, c);
    const before1 = adminOnly();
    await sock.waitFor((f) => f?.id === before1, 5000, 'an admin-only event while admin');

    const down = await anna.patch(`/api/v1/users/${u.id}`, { role: 'member', version: u.version });
    assert.equal(down.status, 200, show(down));
    const hidden = adminOnly();
    const seen = await marker(sock, u.id);
    assert.ok(!sock.events.some((e) => e.id === hidden), 'a demoted user received an admin-only event');
    const told = sock.frames.find((f) => f.type === 'session');
    assert.deepEqual(told, { type: 'session', role: 'member' }, 'the socket says which role it now carries');
    assert.equal(sock.closed, null, 're-authorised in place, not closed');

    const up = await anna.patch(`/api/v1/users/${u.id}`, { role: 'admin', version: down.body.version });
    assert.equal(up.status, 200, show(up));
    const again = adminOnly();
    await sock.waitFor((f) => f?.id === again, 5000, 'admin-only events after the promotion');
    assert.ok(seen < again);
    assert.deepEqual(sock.frames.filter((f) => f.type === 'session').map((f) => f.role), ['member', 'admin']);
    await sock.close();
  });
});

describe('idle expiry', () => {
  test('the socket of a session idle past PORTAL_SESSION_IDLE closes; one whose session is in use stays', async () => {
    const ip = await startPortal({ db: undefined, demo: true, env: { PORTAL_SCHEDULER_INTERVAL: '3600', PORTAL_SESSION_IDLE: '3' } });
    try {
      const idle = await loginAs(ip.url, PERSONAS.member);
      const busy = await loginAs(ip.url, PERSONAS.manager);
      const sIdle = await connect(ip, idle);
      const sBusy = await connect(ip, busy);
      const lastUse = Date.now(); // the tickets were the sessions' last requests
      const timer = setInterval(() => { busy.get('/api/v1/me').catch(() => {}); }, 500);
      try {
        const closed = await closedWithin(sIdle, 7000);
        assert.equal(closed?.code, 4001, 'the idle session\'s socket was closed');
        const after = Date.now() - lastUse;
        assert.ok(after >= 2500, `closed after ${after} ms, before the session went idle`);
        assert.equal((await idle.get('/api/v1/me')).status, 401, 'the session is idle-expired for HTTP too');
        await sleep(1500);
        assert.equal(sBusy.closed, null, 'a socket whose session is in use stays open');
      } finally {
        clearInterval(timer);
      }
      await sBusy.close();
    } finally {
      await ip.stop();
    }
  });
});

// Last: stopping the second process drops the shared database.
describe('two portal nodes over one database', () => {
  let p2;
  before(async () => { p2 = await startPortal({ db: p.db, env: { PORTAL_SCHEDULER_INTERVAL: '3600' } }); });
  after(async () => { await p2?.stop().catch(() => {}); });

  /** A new user logged in on node A with a socket on node B. */
  async function socketOnB(tag) {
    const u = await newUser(tag);
    const c = await loginAs(p.url, u.email, u.password);
    const onB = await openSocket(p2, { ticket: await ticketFor(c), origin: p2.url });
    assert.equal(onB.refused, null);
    await onB.waitFor((f) => f?.type === 'hello');
    return { u, c, onB };
  }

  test('a logout on node A closes the socket on node B within 1 s; an event made right after never arrives there', async () => {
    const { u, c, onB } = await socketOnB('twonode');
    await endsSockets(() => c.post('/api/v1/auth/logout'), 204, u, [onB]);
  });

  test('node B closes it within 1 s even while an uncommitted event holds its delivery back', async () => {
    const { u, c, onB } = await socketOnB('gap');
    const seen = await marker(onB, u.id);
    // An event id allocated by a transaction that stays open: both tailers wait at it.
    const held = sqlSession(p.db);
    await held.q("BEGIN; INSERT INTO event (type, audience, payload, created_at) VALUES ('test.held', 'employees', '{}', UTC_TIMESTAMP(6))");
    try {
      await endsSockets(() => c.post('/api/v1/auth/logout'), 204, u, [onB], { seen });
    } finally {
      await held.q('ROLLBACK');
      await held.end();
    }
  });
});
