// The outbox behind the realtime gateway: events reach exactly the users their audience
// names; a client that reconnects with the last id it saw gets what it missed, in order,
// exactly once; transactions that commit out of id order (one held open while later ones
// commit, some rolled back, many concurrent writers) lose and repeat nothing; a second
// portal process over the same database delivers the same events; presence and typing.
// Demo people: anna (admin), boris (manager), vera (member); carol (customer of
// Romashka), dmitry (customer of Vasilek), pavel (partner).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startPortal, sleep } from '../lib/portal.mjs';
import { loginAs } from '../lib/identity.mjs';
import { connect, insertEvents, sqlSession, ticketFor, openSocket } from '../lib/realtime.mjs';

let p;
let anna; let boris; let vera; let carol; let dmitry; let pavel;
before(async () => {
  p = await startPortal({ demo: true, env: { PORTAL_SCHEDULER_INTERVAL: '3600', PORTAL_WS_BACKFILL_MAX: '1000' } });
  [anna, boris, vera, carol, dmitry, pavel] = await Promise.all([
    loginAs(p.url, 'anna@demo.example'), loginAs(p.url, 'boris@demo.example'),
    loginAs(p.url, 'vera@demo.example'), loginAs(p.url, 'carol@client.example'),
    loginAs(p.url, 'dmitry@client2.example'), loginAs(p.url, 'pavel@partner.example'),
  ]);
});
after(async () => { await p?.stop(); });

const one = (q) => p.sql(q)[0]?.[0];
const ids = (sock) => sock.events.map((e) => e.id);

function assertInOrderOnce(got, want, what) {
  assert.deepEqual(got, [...want].sort((a, b) => a - b), `${what}: every event once, in id order`);
}

describe('audiences', () => {
  test('each user receives exactly the events their audience names', async () => {
    const socks = Object.fromEntries(await Promise.all(
      [['anna', anna], ['boris', boris], ['vera', vera], ['carol', carol], ['dmitry', dmitry], ['pavel', pavel]]
        .map(async ([n, c]) => [n, await connect(p, c)])));
    const romashka = carol.user.account_id ?? Number(one(`SELECT account_id FROM users WHERE id = ${carol.user.id}`));
    const vasilek = Number(one(`SELECT account_id FROM users WHERE id = ${dmitry.user.id}`));
    // A project only boris is in: its board's events reach boris and the admin, not vera.
    const project = (await boris.post('/api/v1/projects', { name: `RT ${Date.now()}` })).body;
    const boardId = project.boards[0].id;
    const marks = {};
    const emit = (name, audience) => { [marks[name]] = insertEvents(p, 1, { type: `test.${name}`, audience }); };
    emit('staff', 'employees');
    emit('carol_account', `account:${romashka}`);
    emit('dmitry_account', `account:${vasilek}`);
    emit('vera_only', `user:${vera.user.id}`);
    emit('carol_only', `user:${carol.user.id}`);
    emit('board', `board:${boardId}`);
    emit('project', `project:${project.id}`);
    // chat_members of the demo's #general: anna, boris and vera
    const general = Number(one("SELECT id FROM chat_channels WHERE name = 'general'"));
    emit('channel', `channel:${general}`);
    emit('garbage', 'nonsense:1');
    const [last] = insertEvents(p, 1, { type: 'test.last', audience: 'employees' });
    await socks.anna.waitFor((f) => f?.id === last);
    await sleep(200); // the others had as long
    const seen = (n) => socks[n].events.filter((e) => e.event.startsWith('test.') && e.event !== 'test.last').map((e) => e.event.slice(5));
    assert.deepEqual(seen('anna'), ['staff', 'board', 'project', 'channel']);
    assert.deepEqual(seen('boris'), ['staff', 'board', 'project', 'channel']);
    assert.deepEqual(seen('vera'), ['staff', 'vera_only', 'channel']);
    assert.deepEqual(seen('carol'), ['carol_account', 'carol_only']);
    assert.deepEqual(seen('dmitry'), ['dmitry_account']);
    assert.deepEqual(seen('pavel'), []);
    // A real change: the card created by boris reaches the project's viewers only.
    const card = await boris.post(`/api/v1/boards/${boardId}/cards`, { title: 'Live card' });
    assert.equal(card.status, 201, card.text);
    await socks.boris.waitFor((f) => f?.event === 'card.created');
    await socks.anna.waitFor((f) => f?.event === 'card.created');
    await sleep(200);
    assert.equal(socks.vera.events.some((e) => e.event === 'card.created'), false);
    assert.equal(socks.carol.events.some((e) => e.event === 'card.created'), false);
    // Adding vera to the project (a project.updated event) lets her see the board from then on.
    const proj = (await boris.get(`/api/v1/projects/${project.id}`)).body;
    const upd = await boris.patch(`/api/v1/projects/${project.id}`, { version: proj.version, members: [boris.user.id, vera.user.id] });
    assert.equal(upd.status, 200, upd.text);
    await socks.vera.waitFor((f) => f?.event === 'project.updated');
    const [later] = insertEvents(p, 1, { type: 'test.board_later', audience: `board:${boardId}` });
    await socks.vera.waitFor((f) => f?.id === later);
    await Promise.all(Object.values(socks).map((s) => s.close()));
  });
});

describe('resume', () => {
  test('a client that reconnects with the last id it saw gets what it missed, in order, once', async () => {
    const first = await connect(p, vera);
    const before = insertEvents(p, 5);
    await first.waitEvents(5);
    assert.deepEqual(ids(first), before);
    const lastSeen = before[4];
    await first.close();
    const missed = insertEvents(p, 30);
    insertEvents(p, 3, { audience: `user:${anna.user.id}` }); // not hers
    const again = await openSocket(p, { ticket: await ticketFor(vera), after: lastSeen });
    assert.equal(again.refused, null);
    const hello = await again.waitFor((f) => f?.type === 'hello');
    assert.deepEqual(ids(again), missed, 'the missed events come before hello');
    assert.ok(hello.last_id >= missed.at(-1));
    const live = insertEvents(p, 5);
    await again.waitEvents(35);
    await sleep(200);
    assertInOrderOnce(ids(again), [...missed, ...live], 'backfill then live');
    // The same resume through a message after opening.
    const third = await connect(p, vera);
    third.send({ type: 'resume', after: lastSeen });
    await third.waitEvents(35);
    await sleep(200);
    assertInOrderOnce(ids(third), [...missed, ...live], 'resume message');
    await again.close();
    await third.close();
  });

  test('a client too far behind (PORTAL_WS_BACKFILL_MAX) is told to reload instead', async () => {
    const watch = await connect(p, anna); // the gateway has seen them all once anna has
    const [mark] = insertEvents(p, 1);
    const more = insertEvents(p, 1100);
    await watch.waitFor((f) => f?.id === more.at(-1), 15000, 'the last of them');
    await watch.close();
    const sock = await connect(p, vera, { after: mark });
    try {
      const hello = sock.frames.find((f) => f.type === 'hello');
      assert.equal(hello.reset, true);
      assert.equal(sock.events.length, 0, 'nothing is replayed');
      const [next] = insertEvents(p, 1);
      await sock.waitFor((f) => f?.id === next, 5000, 'live events after the reset');
    } finally {
      await sock.close();
    }
  });
});

describe('out-of-order commits', () => {
  test('a lower id committing after a higher one is delivered first, nothing skipped or repeated', async () => {
    const sock = await connect(p, vera);
    const a = sqlSession(p.db);
    const b = sqlSession(p.db);
    try {
      await a.q("BEGIN; INSERT INTO event (type, audience, payload, created_at) VALUES ('test.low', 'employees', '{}', UTC_TIMESTAMP(6))");
      const [[low]] = await a.q('SELECT LAST_INSERT_ID()');
      await b.q("BEGIN; INSERT INTO event (type, audience, payload, created_at) VALUES ('test.high', 'employees', '{}', UTC_TIMESTAMP(6))");
      const [[high]] = await b.q('SELECT LAST_INSERT_ID()');
      assert.ok(Number(high) > Number(low));
      await b.q('COMMIT');
      await sleep(600);
      assert.equal(sock.events.some((e) => e.id === Number(high)), false, 'the higher id waits for the lower');
      await a.q('COMMIT');
      await sock.waitFor((f) => f?.id === Number(high));
      assert.deepEqual(ids(sock), [Number(low), Number(high)]);
      // A rolled-back id leaves a hole that is skipped once its transaction is gone.
      await a.q("BEGIN; INSERT INTO event (type, audience, payload, created_at) VALUES ('test.gone', 'employees', '{}', UTC_TIMESTAMP(6))");
      const [after] = insertEvents(p, 1);
      await sleep(300);
      assert.equal(sock.events.some((e) => e.id === after), false);
      await a.q('ROLLBACK');
      await sock.waitFor((f) => f?.id === after, 10000, 'the event after the rolled-back one');
      assert.deepEqual(ids(sock), [Number(low), Number(high), after]);
    } finally {
      await a.end();
      await b.end();
      await sock.close();
    }
  });

  test('concurrent writers committing in random order: every event once, in order, live and on resume', async () => {
    const watcher = await connect(p, anna);
    const quitter = await connect(p, vera);
    const writers = Array.from({ length: 6 }, () => sqlSession(p.db));
    const committed = [];
    let quitterLast = 0;
    try {
      const work = writers.map(async (w, n) => {
        for (let k = 0; k < 25; k++) {
          const rollback = (k + n) % 7 === 3;
          await w.q(`BEGIN; INSERT INTO event (type, audience, payload, created_at) VALUES ('test.conc', 'employees', '{"w":${n},"k":${k}}', UTC_TIMESTAMP(6))`);
          const [[id]] = await w.q('SELECT LAST_INSERT_ID()');
          await sleep(Math.floor(Math.random() * 40));
          await w.q(rollback ? 'ROLLBACK' : 'COMMIT');
          if (!rollback) committed.push(Number(id));
        }
      });
      // Halfway, one client drops and comes back with the last id it saw.
      await sleep(400);
      quitterLast = quitter.events.at(-1)?.id ?? 0;
      const seenBefore = ids(quitter);
      await quitter.close();
      await sleep(300);
      const back = await openSocket(p, { ticket: await ticketFor(vera), after: quitterLast || undefined });
      await Promise.all(work);
      await watcher.waitFor(() => committed.every((id) => watcher.events.some((e) => e.id === id)), 15000, 'all committed events');
      await back.waitFor(() => committed.filter((id) => id > quitterLast).every((id) => back.events.some((e) => e.id === id)), 15000, 'the rest after resume');
      await sleep(300);
      const conc = (s) => s.events.filter((e) => e.event === 'test.conc').map((e) => e.id);
      assertInOrderOnce(conc(watcher), committed, 'watcher');
      if (quitterLast) {
        assertInOrderOnce([...seenBefore.filter((id) => committed.includes(id)), ...conc(back)], committed, 'the client that reconnected');
      }
      await back.close();
    } finally {
      await Promise.all(writers.map((w) => w.end()));
      await watcher.close();
    }
  });
});

describe('presence and typing', () => {
  test('employees see who comes online, goes away and leaves; nothing is kept for long', async () => {
    const watcher = await connect(p, anna);
    const stateOf = (uid, state) => (f) => f?.type === 'presence' && f.users.some((u) => u.user_id === uid && u.state === state);
    // A connection follows the people it shows (at most 500): first their state now.
    watcher.send({ type: 'presence', watch: [vera.user.id, boris.user.id] });
    await watcher.waitFor(stateOf(vera.user.id, 'offline'), 3000, 'the snapshot');
    const unrelated = await connect(p, boris);
    const customerWatch = await connect(p, carol);
    customerWatch.send({ type: 'presence', watch: [vera.user.id] });
    await customerWatch.waitFor((f) => f?.type === 'error', 3000, 'customers cannot watch staff');
    const v = await connect(p, vera);
    await watcher.waitFor(stateOf(vera.user.id, 'online'), 5000, 'online');
    v.send({ type: 'presence', state: 'away' });
    await watcher.waitFor(stateOf(vera.user.id, 'away'), 5000, 'away');
    assert.equal(one(`SELECT state FROM presence WHERE user_id = ${vera.user.id}`), 'away');
    await v.close();
    await watcher.waitFor(stateOf(vera.user.id, 'offline'), 5000, 'offline');
    assert.equal(one(`SELECT COUNT(*) FROM presence WHERE user_id = ${vera.user.id}`), '0');
    assert.equal(customerWatch.frames.some((f) => f.type === 'presence'), false, 'customers see no staff presence');
    assert.equal(unrelated.frames.some((f) => f.type === 'presence'), false, 'only watchers get presence');
    await unrelated.close();
    // Typing in a channel reaches its chat members (anna is in #general; sales is boris and
    // vera's) and nobody else.
    const general = Number(one("SELECT id FROM chat_channels WHERE name = 'general'"));
    const sales = Number(one("SELECT id FROM chat_channels WHERE name = 'sales'"));
    const t = await connect(p, boris);
    t.send({ type: 'typing', channel: sales });
    await sleep(2100); // the gateway passes one typing notice per connection every 2 s
    t.send({ type: 'typing', channel: general });
    const typing = await watcher.waitFor((f) => f?.type === 'typing', 5000, 'typing');
    assert.equal(typing.channel, general);
    assert.equal(typing.user_id, boris.user.id);
    await sleep(200);
    assert.equal(watcher.frames.filter((f) => f.type === 'typing').length, 1);
    assert.equal(customerWatch.frames.some((f) => f.type === 'typing'), false);
    await t.close();
    await watcher.close();
    await customerWatch.close();
  });
});

// Last: stopping the second process drops the shared database.
describe('two portal processes over one database', () => {
  test('both deliver the same events, and a ticket is good on either but only once', async () => {
    const p2 = await startPortal({ db: p.db, env: { PORTAL_SCHEDULER_INTERVAL: '3600' } });
    try {
      const ticket = await ticketFor(vera);
      const on2 = await openSocket(p2, { ticket, origin: p2.url.replace(/:\d+$/, `:${new URL(p.url).port}`) });
      // p2's allow-list names its own origin only: a page of node 1 is foreign to it.
      assert.ok(on2.refused);
      const s2 = await openSocket(p2, { ticket, origin: p2.url });
      assert.equal(s2.refused, null, 'a ticket from node 1 opens a socket on node 2');
      await s2.waitFor((f) => f?.type === 'hello');
      const reuse = await openSocket(p, { ticket });
      assert.ok(reuse.refused, 'and then nowhere else');
      const s1 = await connect(p, vera);
      // Events written through node 1's HTTP and straight into the table.
      const post = await anna.post('/api/v1/feed/posts', { body: 'Both nodes hear this' });
      assert.equal(post.status, 201);
      const written = insertEvents(p, 20);
      await s1.waitFor((f) => f?.id === written.at(-1));
      await s2.waitFor((f) => f?.id === written.at(-1));
      assert.deepEqual(ids(s1), ids(s2));
      assert.ok(s1.events.some((e) => e.event === 'feed.post'));
      await s1.close();
      await s2.close();
    } finally {
      await p2.stop().catch(() => {});
    }
  });
});
