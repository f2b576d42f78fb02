// The realtime gateway's front door and its flow control: one-time tickets (forged,
// expired, reused, from another node's point of view), the Origin allow-list, a 10 MB
// frame, invalid UTF-8, a binary frame, a flooding user, a client that never reads, and
// ping/pong reaping a client that stopped answering.
// Demo people: anna (admin), boris (manager), vera (member), carol (customer).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startPortal, api, sleep } from '../lib/portal.mjs';
import { loginAs } from '../lib/identity.mjs';
import { openSocket, connect, ticketFor, insertEvents } from '../lib/realtime.mjs';

let p;
let anna; let boris; let vera; let carol;
before(async () => {
  p = await startPortal({
    demo: true,
    env: {
      PORTAL_SCHEDULER_INTERVAL: '3600',
      PORTAL_WS_RATE: '20',
      PORTAL_WS_PING: '1',
      PORTAL_WS_SESSION_CHECK: '1',
    },
  });
  [anna, boris, vera, carol] = await Promise.all([
    loginAs(p.url, 'anna@demo.example'), loginAs(p.url, 'boris@demo.example'),
    loginAs(p.url, 'vera@demo.example'), loginAs(p.url, 'carol@client.example'),
  ]);
});
after(async () => { await p?.stop(); });

describe('tickets', () => {
  test('are issued to a session only, with CSRF, and name the socket URL', async () => {
    const anon = await api(p.url, 'POST', '/api/v1/realtime/ticket', { body: {} });
    assert.equal(anon.status, 401);
    const noCsrf = await anna.post('/api/v1/realtime/ticket', undefined, { csrf: false });
    assert.equal(noCsrf.status, 403);
    const res = await carol.post('/api/v1/realtime/ticket');
    assert.equal(res.status, 201, res.text);
    assert.match(res.body.ticket, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(res.body.expires_in, 30);
    assert.equal(res.body.url, `${p.wsUrl}/realtime`);
    const stored = p.sql(`SELECT COUNT(*) FROM realtime_tickets WHERE token_hash = UNHEX(SHA2('${res.body.ticket}', 256))`);
    assert.equal(stored[0][0], '1', 'only the hash is stored');
    assert.equal(p.sql(`SELECT COUNT(*) FROM realtime_tickets WHERE token_hash = '${res.body.ticket}'`)[0][0], '0');
  });

  test('a good ticket opens the socket once; reusing it is refused', async () => {
    const ticket = await ticketFor(vera);
    const first = await openSocket(p, { ticket });
    assert.equal(first.refused, null);
    const hello = await first.waitFor((f) => f?.type === 'hello');
    assert.equal(hello.user_id, vera.user.id);
    const again = await openSocket(p, { ticket });
    assert.ok(again.refused, 'a used ticket is refused');
    await first.close();
  });

  test('a forged, a missing and an expired ticket are refused', async () => {
    const forged = await openSocket(p, { ticket: 'A'.repeat(43) });
    assert.ok(forged.refused);
    const none = await openSocket(p, { ticket: '' });
    assert.ok(none.refused);
    const ticket = await ticketFor(vera);
    p.sql(`UPDATE realtime_tickets SET expires_at = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND WHERE token_hash = UNHEX(SHA2('${ticket}', 256))`);
    const expired = await openSocket(p, { ticket });
    assert.ok(expired.refused, 'an expired ticket is refused');
  });

  test('a ticket of a session that ended is refused', async () => {
    const mallory = await loginAs(p.url, 'boris@demo.example');
    const ticket = await ticketFor(mallory);
    assert.equal((await mallory.post('/api/v1/auth/logout')).status, 204);
    const sock = await openSocket(p, { ticket });
    assert.ok(sock.refused);
  });

  test('a foreign or missing Origin is refused, and does not burn the ticket', async () => {
    const ticket = await ticketFor(vera);
    const foreign = await openSocket(p, { ticket, origin: 'http://evil.example' });
    assert.ok(foreign.refused);
    const none = await openSocket(p, { ticket, origin: '' , wsOptions: {} });
    assert.ok(none.refused);
    const ok = await openSocket(p, { ticket });
    assert.equal(ok.refused, null, 'the ticket still works from the allowed origin');
    await ok.close();
  });

  test('other paths on the websocket port are not served', async () => {
    const ticket = await ticketFor(vera);
    const sock = await openSocket({ ...p, wsUrl: `${p.wsUrl}/elsewhere` }, { ticket });
    assert.ok(sock.refused);
  });
});

describe('bad input', () => {
  test('a 10 MB frame is closed with 1009 before it is read, and the gateway goes on', async () => {
    const sock = await connect(p, vera);
    sock.ws.send(Buffer.alloc(10 * 1024 * 1024, 0x61), { binary: false });
    const closed = await sock.closedPromise;
    assert.equal(closed.code, 1009);
    const other = await connect(p, vera);
    other.send({ type: 'ping' });
    await other.waitFor((f) => f?.type === 'pong');
    await other.close();
  });

  test('invalid UTF-8 in a text frame is closed with 1007', async () => {
    const sock = await connect(p, vera);
    sock.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
    const closed = await sock.closedPromise;
    assert.equal(closed.code, 1007);
  });

  test('a binary frame is refused; malformed JSON and unknown types get an error frame', async () => {
    const sock = await connect(p, vera);
    sock.send('{not json');
    await sock.waitFor((f) => f?.type === 'error' && f.code === 'bad_message');
    sock.send({ type: 'launch' });
    sock.send({ type: 'typing', channel: 'x' });
    sock.send({ type: 'presence', state: 'asleep' });
    sock.send({ type: 'resume', after: -4 });
    await sock.waitFor(() => sock.frames.filter((f) => f.type === 'error').length === 5);
    sock.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    const closed = await sock.closedPromise;
    assert.equal(closed.code, 1003);
  });
});

describe('flow control', () => {
  test('1,000 messages a second from one user: rate limited, then closed; others unaffected', async () => {
    const flooder = await connect(p, boris);
    const bystander = await connect(p, vera);
    const timer = setInterval(() => {
      for (let i = 0; i < 100 && flooder.ws.readyState === 1; i++) flooder.send({ type: 'ping' });
    }, 100);
    try {
      await flooder.waitFor((f) => f?.type === 'error' && f.code === 'rate_limited');
      const closed = await Promise.race([flooder.closedPromise, sleep(5000).then(() => null)]);
      assert.equal(closed?.code, 1008, 'a user who keeps flooding is closed');
    } finally {
      clearInterval(timer);
    }
    const pongs = flooder.frames.filter((f) => f.type === 'pong').length;
    assert.ok(pongs <= 80, `at most the burst and two seconds of the rate got through (${pongs})`);
    const [id] = insertEvents(p, 1);
    await bystander.waitFor((f) => f?.id === id);
    await bystander.close();
  });

  test('a client that never reads is cut off; the others receive every event', async () => {
    const slow = await connect(p, anna);
    const reader = await connect(p, vera);
    slow.ws._socket.pause(); // stops reading: the kernel buffers fill, then the gateway's queue
    const big = 'x'.repeat(16000);
    // 32 MB in all (more than the kernel's socket buffers and the queue bound together), in
    // bursts of 256 KB (well below the 1 MiB queue bound a reader may have).
    const ids = [];
    for (let k = 0; k < 125; k++) {
      ids.push(...insertEvents(p, 16, { payload: (i) => ({ i, big }) }));
      await sleep(50);
    }
    await reader.waitEvents(ids.length, 60000);
    assert.equal(reader.closed, null, 'the reader was never cut off');
    assert.deepEqual(reader.events.map((e) => e.id), ids, 'every event, in order, once');
    const deadline = Date.now() + 10000;
    while (!p.logs().includes('too slow a reader') && Date.now() < deadline) await sleep(100);
    assert.match(p.logs(), /closing connection of user \d+: too slow a reader/);
    slow.ws._socket.resume();
    const closed = await Promise.race([slow.closedPromise, sleep(10000).then(() => null)]);
    assert.ok(closed, 'the slow reader was disconnected');
    assert.ok(slow.events.length < ids.length, 'it did not get everything queued for it');
    await reader.close();
  });

  test('ping/pong reaps a client that stopped answering; one that answers stays', async () => {
    const alive = await connect(p, vera);
    // A raw client: handshakes, then never answers anything (no pong).
    const ticket = await ticketFor(vera);
    const port = Number(new URL(p.wsUrl).port);
    const raw = net.connect(port, '127.0.0.1');
    let data = '';
    raw.on('data', (d) => { data += d.toString('latin1'); });
    const ended = new Promise((r) => { raw.on('close', r); });
    raw.write(`GET /realtime?ticket=${ticket} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n` +
      `Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n` +
      `Origin: ${p.url}\r\n\r\n`);
    await sleep(300);
    assert.match(data, /^HTTP\/1.1 101/);
    const gone = await Promise.race([ended.then(() => true), sleep(12000).then(() => false)]);
    assert.ok(gone, 'the silent client was closed after missing its pongs');
    assert.equal(alive.closed, null, 'a client that answers pings stays');
    raw.destroy();
    await alive.close();
  });
});

describe('sessions', () => {
  test('logging out closes the sockets the session opened (4001), not the others', async () => {
    const leaving = await loginAs(p.url, 'boris@demo.example');
    const staying = await loginAs(p.url, 'boris@demo.example');
    const a = await connect(p, leaving);
    const b = await connect(p, staying);
    assert.equal((await leaving.post('/api/v1/auth/logout')).status, 204);
    const closed = await Promise.race([a.closedPromise, sleep(8000).then(() => null)]);
    assert.equal(closed?.code, 4001);
    assert.equal(closed.reason, 'session ended');
    assert.equal(b.closed, null, 'the other session keeps its socket');
    await b.close();
  });
});
