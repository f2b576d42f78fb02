// Chat under abuse and failure: 1,000 messages a second from one user meet the send
// budget (429 with Retry-After, nothing half-written, others unaffected); and kill -9
// of the portal while messages are being sent loses no acknowledged message: after
// the restart every one is there once, with its outbox event, a resend of the ones in
// flight writes no duplicate, and the other side catches up with each exactly once.
import { test, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startPortal, sleep } from '../lib/portal.mjs';
import { loginAs, show } from '../lib/identity.mjs';
import { connect, openSocket, ticketFor } from '../lib/realtime.mjs';

const portals = [];
after(async () => { for (const p of portals) await p.stop(); });

async function demoPortal(env) {
  const p = await startPortal({ demo: true, env });
  portals.push(p);
  const general = Number(p.sql("SELECT id FROM chat_channels WHERE name = 'general'")[0][0]);
  return { p, general };
}

/** POST a message; network failures come back as status 0 (the portal is gone). */
async function post(client, channel, body, client_id) {
  try {
    return await client.post(`/api/v1/chat/channels/${channel}/messages`, { body, client_id });
  } catch {
    return { status: 0 };
  }
}

describe('send budget', () => {
  test('1,000 messages in a second from one user: the budget holds, the portal stays healthy', async () => {
    const { p, general } = await demoPortal({ PORTAL_CHAT_RATE: '60', PORTAL_CHAT_BURST: '10' });
    const [boris, vera] = await Promise.all([
      loginAs(p.url, 'boris@demo.example'), loginAs(p.url, 'vera@demo.example'),
    ]);
    const before = Number(p.sql(`SELECT COUNT(*) FROM chat_messages WHERE author_id = ${boris.user.id}`)[0][0]);
    const results = [];
    const started = Date.now();
    // 20 connections at once, 1,000 sends
    let next = 0;
    await Promise.all(Array.from({ length: 20 }, async () => {
      while (next < 1000) {
        const i = next++;
        results.push(await post(boris, general, `flood ${i}`, randomUUID()));
      }
    }));
    const seconds = (Date.now() - started) / 1000;
    const ok = results.filter((r) => r.status === 201);
    const limited = results.filter((r) => r.status === 429);
    assert.equal(ok.length + limited.length, 1000, `other answers: ${results.filter((r) => r.status !== 201 && r.status !== 429).map(show).slice(0, 3)}`);
    // burst of 10 plus one a second while the flood lasts
    assert.ok(ok.length >= 10 && ok.length <= 10 + Math.ceil(seconds) + 1, `${ok.length} accepted in ${seconds}s`);
    const r = limited[0];
    assert.equal(r.body.error.code, 'rate_limited');
    assert.ok(Number(r.headers.get('retry-after')) >= 1);
    // exactly the accepted ones were written, each with its event
    const after = Number(p.sql(`SELECT COUNT(*) FROM chat_messages WHERE author_id = ${boris.user.id}`)[0][0]);
    assert.equal(after - before, ok.length);
    const evs = p.sql("SELECT payload FROM event WHERE type = 'chat.message'").map(([j]) => JSON.parse(j).id);
    for (const m of ok) assert.ok(evs.includes(m.body.id), `event for ${m.body.id}`);
    // someone else is not slowed down, and the database is fine
    assert.equal((await post(vera, general, 'still here', randomUUID())).status, 201);
    assert.equal((await fetch(`${p.url}/healthz`)).status, 200);
    // a repeat of an accepted message is not counted against the budget
    const again = await post(boris, general, ok[0].body.body, ok[0].body.client_id);
    assert.equal(again.status, 200, show(again));
  });
});

describe('kill -9 while sending', () => {
  test('every acknowledged message survives, once, and reaches the other side', async () => {
    const { p, general } = await demoPortal({ PORTAL_CHAT_RATE: '1000000', PORTAL_CHAT_BURST: '100000' });
    const [boris, anna, vera] = await Promise.all([
      loginAs(p.url, 'boris@demo.example'), loginAs(p.url, 'anna@demo.example'),
      loginAs(p.url, 'vera@demo.example'),
    ]);
    // vera has seen the channel up to here before she goes away
    const seen = await vera.get(`/api/v1/chat/channels/${general}/messages?limit=1`);
    const lastSeen = seen.body.items[0].id;
    // and her browser is live on the websocket until the crash
    const live = await connect(p, vera);

    const acked = new Map(); // client_id -> message id
    const unanswered = []; // [client, channel body, client_id] sent but never acknowledged
    let stop = false;
    const sender = async (client, tag) => {
      for (let i = 0; !stop; i++) {
        const client_id = randomUUID();
        const body = `${tag} ${i}`;
        const res = await post(client, general, body, client_id);
        if (res.status === 201) acked.set(client_id, res.body.id);
        else unanswered.push({ client, body, client_id, status: res.status });
        if (res.status === 0) await sleep(20);
      }
    };
    const senders = [sender(boris, 'boris'), sender(anna, 'anna'), sender(boris, 'boris2'), sender(anna, 'anna2')];
    while (acked.size < 150) await sleep(5);
    await p.crash();
    const crashedAt = acked.size;
    await sleep(300);
    stop = true;
    await Promise.all(senders);
    assert.ok(crashedAt >= 150);
    assert.ok(unanswered.every((u) => u.status === 0), `answers other than a dropped connection: ${unanswered.filter((u) => u.status).map((u) => u.status)}`);

    await p.restart();
    await live.closedPromise;
    const lastEvent = live.events.at(-1)?.id ?? 0;
    // every acknowledged message is in the database, once, with its event
    const ids = [...acked.values()];
    const rows = p.sql(`SELECT id, client_id FROM chat_messages WHERE id IN (${ids.join(',')})`);
    assert.equal(rows.length, acked.size);
    for (const [id, cid] of rows) assert.equal(acked.get(cid), Number(id));
    const evIds = new Set(p.sql(`SELECT JSON_VALUE(payload, '$.id') FROM event WHERE type = 'chat.message'`).map(([x]) => Number(x)));
    for (const id of ids) assert.ok(evIds.has(id), `chat.message event for ${id}`);

    // the senders resend what was in flight: each lands once (200 when it had committed)
    for (const u of unanswered) {
      const res = await post(u.client, general, u.body, u.client_id);
      assert.ok(res.status === 201 || res.status === 200, show(res));
      acked.set(u.client_id, res.body.id);
    }
    const dupes = p.sql(`SELECT client_id, COUNT(*) FROM chat_messages WHERE channel_id = ${general} AND client_id IS NOT NULL GROUP BY client_id HAVING COUNT(*) > 1`);
    assert.deepEqual(dupes, []);

    // vera comes back and pages forward from what she had: every message exactly once
    const got = [];
    let after = lastSeen;
    for (;;) {
      const page = await vera.get(`/api/v1/chat/channels/${general}/messages?after=${after}&limit=200`);
      assert.equal(page.status, 200, show(page));
      got.push(...page.body.items.map((m) => m.id));
      if (!page.body.has_more) break;
      after = page.body.items.at(-1).id;
    }
    assert.equal(new Set(got).size, got.length, 'no message twice');
    const want = new Set(acked.values());
    assert.equal(got.filter((id) => want.has(id)).length, want.size, 'every message once');

    // her socket resumes from the last event it saw: with what came before the crash,
    // every message's event arrives exactly once
    const again = await openSocket(p, { ticket: await ticketFor(vera), after: lastEvent });
    assert.equal(again.refused, null);
    const messageEvents = () => [...live.events, ...again.events]
      .filter((f) => f.event === 'chat.message' && want.has(f.data.id)).map((f) => f.data.id);
    await again.waitFor(() => messageEvents().length >= want.size, 20000, `${want.size} message events`);
    await sleep(300);
    assert.equal(messageEvents().length, want.size, 'no event twice');
    assert.equal(new Set(messageEvents()).size, want.size, 'every event once');
    await again.close();
  });
});
