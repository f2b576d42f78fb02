// Chat over the API: channels (public joinable, private 404 to outsiders), direct and
// group conversations, idempotent sends, edits and deletes shown as such, reactions,
// threads, mentions that notify, read markers with unread counts, "seen by", keyset
// history both ways, search limited to the caller's channels, typing and presence,
// the size limit, and the outbox events every change writes.
// Demo data: anna (admin), boris (manager), vera (member); #general = all three,
// #sales = boris + vera, #management (private) = anna + boris. dan (no channels) is made here.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startPortal } from '../lib/portal.mjs';
import { loginAs, show } from '../lib/identity.mjs';
import { connect } from '../lib/realtime.mjs';

const fetchOnce = globalThis.fetch;
globalThis.fetch = async (...args) => {
  try {
    return await fetchOnce(...args);
  } catch (e) {
    if (e?.cause?.code !== 'UND_ERR_SOCKET') throw e;
    return fetchOnce(...args);
  }
};

let p;
let anna; let boris; let vera; let dan; let carol;
let ch; // channel name -> id

before(async () => {
  p = await startPortal({ demo: true, env: { PORTAL_CHAT_MAX_MESSAGE: '500' } });
  [anna, boris, vera, carol] = await Promise.all([
    loginAs(p.url, 'anna@demo.example'), loginAs(p.url, 'boris@demo.example'),
    loginAs(p.url, 'vera@demo.example'), loginAs(p.url, 'carol@client.example'),
  ]);
  const password = 'Chat-test-dan-7!q';
  const made = await anna.post('/api/v1/users', {
    email: 'dan@demo.example', name: 'Dan Orlov', realm: 'employee', role: 'member', password,
  });
  assert.equal(made.status, 201, show(made));
  dan = await loginAs(p.url, 'dan@demo.example', password);
  ch = Object.fromEntries(p.sql("SELECT name, id FROM chat_channels WHERE name IS NOT NULL")
    .map(([n, id]) => [n, Number(id)]));
});
after(async () => { await p?.stop(); });

const one = (q) => p.sql(q)[0]?.[0];
const del = (client, path) => client.req('DELETE', path, { body: {} });
const send = (client, channel, body, extra = {}) =>
  client.post(`/api/v1/chat/channels/${channel}/messages`, { body, client_id: randomUUID(), ...extra });
const events = (type, since) => p.sql(`SELECT audience, payload FROM event WHERE type = '${type}' AND id > ${since} ORDER BY id`)
  .map(([audience, payload]) => ({ audience, payload: JSON.parse(payload) }));
const lastEvent = () => Number(one('SELECT COALESCE(MAX(id), 0) FROM event'));

describe('channels', () => {
  test('my channels come with unread counts; demo history is there', async () => {
    const res = await vera.get('/api/v1/chat/channels');
    assert.equal(res.status, 200, show(res));
    const names = res.body.items.filter((c) => c.name).map((c) => c.name).sort();
    assert.deepEqual(names, ['general', 'sales']);
    const general = res.body.items.find((c) => c.name === 'general');
    assert.ok(general.unread >= 1, JSON.stringify(general));
    const dm = res.body.items.find((c) => c.kind === 'direct');
    assert.deepEqual(dm.members.map((m) => m.handle).sort(), ['anna', 'vera']);
  });

  test('a private channel is 404 to outsiders, whatever they try', async () => {
    const id = ch.management;
    for (const res of [
      await vera.get(`/api/v1/chat/channels/${id}`),
      await vera.get(`/api/v1/chat/channels/${id}/messages`),
      await send(vera, id, 'let me in'),
      await vera.post(`/api/v1/chat/channels/${id}/join`, {}),
      await vera.post(`/api/v1/chat/channels/${id}/members`, { user_id: vera.user.id }),
      await vera.post(`/api/v1/chat/channels/${id}/read`, { message_id: 1 }),
      await vera.post(`/api/v1/chat/channels/${id}/typing`, {}),
    ]) {
      assert.equal(res.status, 404, show(res));
      assert.equal(res.body.error.code, 'not_found');
    }
    // the same answer as a channel that does not exist
    const none = await send(vera, 999999, 'hello?');
    assert.equal(none.status, 404);
    // and its messages never show up in vera's search
    const s = await vera.get('/api/v1/chat/search?q=budget');
    assert.equal(s.status, 200);
    assert.equal(s.body.items.length, 0, JSON.stringify(s.body));
    const a = await anna.get('/api/v1/chat/search?q=budget');
    assert.ok(a.body.items.length >= 1);
  });

  test('customers have no chat', async () => {
    const res = await carol.get('/api/v1/chat/channels');
    assert.equal(res.status, 403, show(res));
  });

  test('public channels are listed for browsing and joinable; members can leave', async () => {
    const browse = await dan.get('/api/v1/chat/channels/browse');
    assert.equal(browse.status, 200);
    const sales = browse.body.items.find((c) => c.name === 'sales');
    assert.equal(sales.member, false);
    assert.ok(!browse.body.items.some((c) => c.name === 'management'));
    const before = lastEvent();
    const join = await dan.post(`/api/v1/chat/channels/${ch.sales}/join`, {});
    assert.equal(join.status, 200, show(join));
    assert.ok(join.body.members.some((m) => m.handle === 'dan'));
    const evs = events('chat.member', before);
    assert.deepEqual(evs.map((e) => e.audience).sort(), [`channel:${ch.sales}`, `user:${dan.user.id}`]);
    // joined with nothing unread
    const mine = await dan.get('/api/v1/chat/channels');
    assert.equal(mine.body.items.find((c) => c.id === ch.sales).unread, 0);
    const leave = await del(dan, `/api/v1/chat/channels/${ch.sales}/members/${dan.user.id}`);
    assert.equal(leave.status, 204, show(leave));
    assert.equal((await dan.get(`/api/v1/chat/channels/${ch.sales}/messages`)).status, 404);
  });

  test('creating a channel: members, unique names, validation', async () => {
    const res = await boris.post('/api/v1/chat/channels', { name: 'deal-room', private: true, members: [vera.user.id] });
    assert.equal(res.status, 201, show(res));
    assert.equal(res.body.kind, 'private');
    assert.deepEqual(res.body.members.map((m) => m.handle).sort(), ['boris', 'vera']);
    assert.equal(res.body.role, 'owner');
    const dup = await anna.post('/api/v1/chat/channels', { name: 'Deal-Room' });
    assert.equal(dup.status, 409, show(dup));
    assert.equal(dup.body.error.code, 'name_taken');
    const bad = await anna.post('/api/v1/chat/channels', { name: 'x', members: [carol.user.id] });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.field, 'members');
    const noname = await anna.post('/api/v1/chat/channels', { name: '  ' });
    assert.equal(noname.status, 400);
    assert.equal(noname.body.error.field, 'name');
    // a member adds someone; only the owner removes others
    const add = await vera.post(`/api/v1/chat/channels/${res.body.id}/members`, { user_id: dan.user.id });
    assert.equal(add.status, 200, show(add));
    const kick = await del(vera, `/api/v1/chat/channels/${res.body.id}/members/${dan.user.id}`);
    assert.equal(kick.status, 403);
    const kick2 = await del(boris, `/api/v1/chat/channels/${res.body.id}/members/${dan.user.id}`);
    assert.equal(kick2.status, 204);
  });

  test('direct and group conversations are found again, not duplicated', async () => {
    const a = await dan.post('/api/v1/chat/direct', { user_ids: [vera.user.id] });
    assert.equal(a.status, 201, show(a));
    assert.equal(a.body.kind, 'direct');
    const b = await vera.post('/api/v1/chat/direct', { user_ids: [dan.user.id, dan.user.id] });
    assert.equal(b.status, 200, show(b));
    assert.equal(b.body.id, a.body.id);
    const g = await dan.post('/api/v1/chat/direct', { user_ids: [vera.user.id, boris.user.id] });
    assert.equal(g.status, 201);
    assert.equal(g.body.kind, 'group');
    assert.equal(g.body.members.length, 3);
    const self = await dan.post('/api/v1/chat/direct', { user_ids: [dan.user.id] });
    assert.equal(self.status, 400);
    const add = await dan.post(`/api/v1/chat/channels/${a.body.id}/members`, { user_id: anna.user.id });
    assert.equal(add.status, 409);
  });
});

describe('messages', () => {
  test('a send is acknowledged once, with its event; a repeat returns the same message', async () => {
    const before = lastEvent();
    const client_id = randomUUID();
    const body = { body: 'Hello **team**', client_id };
    const first = await boris.post(`/api/v1/chat/channels/${ch.general}/messages`, body);
    assert.equal(first.status, 201, show(first));
    assert.equal(first.body.html.trim(), '<p>Hello <strong>team</strong></p>');
    assert.equal(first.body.client_id, client_id);
    const again = await boris.post(`/api/v1/chat/channels/${ch.general}/messages`, body);
    assert.equal(again.status, 200, show(again));
    assert.equal(again.body.id, first.body.id);
    // double submit at the same moment
    const twin = { body: 'twice', client_id: randomUUID() };
    const both = await Promise.all([1, 2].map(() => boris.post(`/api/v1/chat/channels/${ch.general}/messages`, twin)));
    assert.deepEqual(both.map((r) => r.status).sort(), [200, 201]);
    assert.equal(both[0].body.id, both[1].body.id);
    assert.equal(one(`SELECT COUNT(*) FROM chat_messages WHERE client_id = '${twin.client_id}'`), '1');
    const evs = events('chat.message', before);
    assert.equal(evs.length, 2);
    assert.equal(evs[0].audience, `channel:${ch.general}`);
    assert.equal(evs[0].payload.id, first.body.id);
    // the client id is someone else's business in another channel
    const other = await boris.post(`/api/v1/chat/channels/${ch.sales}/messages`, body);
    assert.equal(other.status, 409);
  });

  test('bad input: no body, bad client_id, oversized, unsafe Markdown', async () => {
    const empty = await send(vera, ch.general, '   ');
    assert.equal(empty.status, 400);
    const noId = await vera.post(`/api/v1/chat/channels/${ch.general}/messages`, { body: 'x' });
    assert.equal(noId.status, 400);
    assert.equal(noId.body.error.field, 'client_id');
    const badId = await vera.post(`/api/v1/chat/channels/${ch.general}/messages`, { body: 'x', client_id: 'nope' });
    assert.equal(badId.status, 400);
    const big = await send(vera, ch.general, 'я'.repeat(501));
    assert.equal(big.status, 413, show(big));
    assert.equal(big.body.error.field, 'body');
    assert.equal((await send(vera, ch.general, 'я'.repeat(500))).status, 201);
    const xss = await send(vera, ch.general, '<script>alert(1)</script> [x](javascript:alert(1))');
    assert.equal(xss.status, 201);
    assert.doesNotMatch(xss.body.html, /<script|javascript:/);
    const wrongType = await vera.post(`/api/v1/chat/channels/${ch.general}/messages`, { body: 5, client_id: randomUUID() });
    assert.equal(wrongType.status, 400);
  });

  test('edit and delete show as such; only the author edits', async () => {
    const m = (await send(vera, ch.general, 'typo hre')).body;
    const bad = await boris.patch(`/api/v1/chat/messages/${m.id}`, { body: 'hijack' });
    assert.equal(bad.status, 403);
    const before = lastEvent();
    const ed = await vera.patch(`/api/v1/chat/messages/${m.id}`, { body: 'typo here' });
    assert.equal(ed.status, 200, show(ed));
    assert.equal(ed.body.edited, true);
    assert.equal(events('chat.message.edited', before)[0].payload.body, 'typo here');
    const gone = await del(vera, `/api/v1/chat/messages/${m.id}`);
    assert.equal(gone.status, 204);
    assert.equal(events('chat.message.deleted', before)[0].payload.id, m.id);
    const page = await vera.get(`/api/v1/chat/channels/${ch.general}/messages?limit=5`);
    const shown = page.body.items.find((x) => x.id === m.id);
    assert.equal(shown.deleted, true);
    assert.equal(shown.body, '');
    assert.equal((await vera.patch(`/api/v1/chat/messages/${m.id}`, { body: 'back' })).status, 404);
    // outsiders: 404
    const secret = (await send(anna, ch.management, 'secret')).body;
    assert.equal((await vera.patch(`/api/v1/chat/messages/${secret.id}`, { body: 'x' })).status, 404);
    assert.equal((await del(vera, `/api/v1/chat/messages/${secret.id}`)).status, 404);
    assert.equal((await vera.get(`/api/v1/chat/messages/${secret.id}/thread`)).status, 404);
    assert.equal((await vera.req('PUT', `/api/v1/chat/messages/${secret.id}/reactions/${encodeURIComponent('👍')}`)).status, 404);
    // an admin removes anyone's message in a channel they are in
    const bm = (await send(boris, ch.general, 'oops')).body;
    assert.equal((await del(anna, `/api/v1/chat/messages/${bm.id}`)).status, 204);
  });

  test('reactions toggle per person and emoji', async () => {
    const m = (await send(vera, ch.general, 'react to me')).body;
    const e = encodeURIComponent('🎉');
    const before = lastEvent();
    const on = await boris.req('PUT', `/api/v1/chat/messages/${m.id}/reactions/${e}`);
    assert.equal(on.status, 200, show(on));
    await boris.req('PUT', `/api/v1/chat/messages/${m.id}/reactions/${e}`);
    await anna.req('PUT', `/api/v1/chat/messages/${m.id}/reactions/${e}`);
    const heart = await anna.req('PUT', `/api/v1/chat/messages/${m.id}/reactions/${encodeURIComponent('❤️')}`);
    assert.deepEqual(heart.body.reactions.map((r) => [r.emoji, r.count]), [['🎉', 2], ['❤️', 1]]);
    assert.equal(events('chat.reaction', before).length, 3);
    const off = await del(boris, `/api/v1/chat/messages/${m.id}/reactions/${e}`);
    assert.deepEqual(off.body.reactions[0].user_ids, [anna.user.id]);
    const bad = await boris.req('PUT', `/api/v1/chat/messages/${m.id}/reactions/${encodeURIComponent('a b')}`);
    assert.equal(bad.status, 400);
  });

  test('threads: replies stay out of the channel history and count on their root', async () => {
    const root = (await send(boris, ch.general, 'Thread about the offsite')).body;
    const r1 = await send(vera, ch.general, 'I vote for the lake', { parent_id: root.id });
    assert.equal(r1.status, 201, show(r1));
    assert.equal(r1.body.thread.reply_count, 1);
    await send(anna, ch.general, 'Lake it is', { parent_id: root.id });
    const nested = await send(anna, ch.general, 'nested?', { parent_id: r1.body.id });
    assert.equal(nested.status, 400);
    const elsewhere = await send(vera, ch.sales, 'wrong channel', { parent_id: root.id });
    assert.equal(elsewhere.status, 400);
    const t = await vera.get(`/api/v1/chat/messages/${root.id}/thread`);
    assert.equal(t.status, 200);
    assert.equal(t.body.root.reply_count, 2);
    assert.deepEqual(t.body.items.map((x) => x.body), ['I vote for the lake', 'Lake it is']);
    const page = await vera.get(`/api/v1/chat/channels/${ch.general}/messages?limit=3`);
    assert.ok(!page.body.items.some((x) => x.parent_id));
  });

  test('a mention of a member notifies; outsiders are not told', async () => {
    const before = Number(one(`SELECT COUNT(*) FROM notifications WHERE user_id = ${vera.user.id}`));
    await send(boris, ch.general, 'ping @vera and @dan');
    const n = await vera.get('/api/v1/notifications');
    assert.equal(n.body.items.length, before + 1);
    assert.equal(n.body.items[0].object_type, 'chat_channel');
    assert.equal(n.body.items[0].object_id, ch.general);
    assert.equal(one(`SELECT COUNT(*) FROM notifications WHERE user_id = ${dan.user.id}`), '0');
  });

  test('history pages backwards and forwards with keysets', async () => {
    const c = (await boris.post('/api/v1/chat/channels', { name: 'paging', members: [vera.user.id] })).body;
    const ids = [];
    for (let i = 0; i < 7; i++) ids.push((await send(boris, c.id, `m${i}`)).body.id);
    const p1 = await vera.get(`/api/v1/chat/channels/${c.id}/messages?limit=3`);
    assert.deepEqual(p1.body.items.map((x) => x.body), ['m6', 'm5', 'm4']);
    const p2 = await vera.get(`/api/v1/chat/channels/${c.id}/messages?limit=3&before=${p1.body.next_before}`);
    assert.deepEqual(p2.body.items.map((x) => x.body), ['m3', 'm2', 'm1']);
    const p3 = await vera.get(`/api/v1/chat/channels/${c.id}/messages?limit=3&before=${p2.body.next_before}`);
    assert.deepEqual(p3.body.items.map((x) => x.body), ['m0']);
    assert.equal(p3.body.next_before, undefined);
    const fwd = await vera.get(`/api/v1/chat/channels/${c.id}/messages?after=${ids[4]}&limit=10`);
    assert.deepEqual(fwd.body.items.map((x) => x.body), ['m5', 'm6']);
    assert.equal(fwd.body.has_more, false);
    assert.equal((await vera.get(`/api/v1/chat/channels/${c.id}/messages?after=x`)).status, 400);
    assert.equal((await vera.get(`/api/v1/chat/channels/${c.id}/messages?limit=0`)).status, 400);
  });

  test('read markers: unread counts, chat.read events and "seen by" in a conversation', async () => {
    const dm = (await boris.post('/api/v1/chat/direct', { user_ids: [vera.user.id] })).body;
    const m1 = (await send(boris, dm.id, 'are you there?')).body;
    const m2 = (await send(boris, dm.id, 'hello?')).body;
    let list = await vera.get('/api/v1/chat/channels');
    assert.equal(list.body.items.find((c) => c.id === dm.id).unread, 2);
    const before = lastEvent();
    const read = await vera.post(`/api/v1/chat/channels/${dm.id}/read`, { message_id: m1.id });
    assert.equal(read.status, 200, show(read));
    assert.equal(read.body.unread, 1);
    assert.deepEqual(events('chat.read', before).map((e) => e.payload),
      [{ channel_id: dm.id, user_id: vera.user.id, last_read_id: m1.id }]);
    // markers never move backwards, and only to messages of the channel
    await vera.post(`/api/v1/chat/channels/${dm.id}/read`, { message_id: m2.id });
    const back = await vera.post(`/api/v1/chat/channels/${dm.id}/read`, { message_id: m1.id });
    assert.equal(back.body.last_read_id, m2.id);
    const foreign = await vera.post(`/api/v1/chat/channels/${dm.id}/read`, { message_id: m2.id + 100000 });
    assert.equal(foreign.body.last_read_id, m2.id);
    list = await vera.get('/api/v1/chat/channels');
    assert.equal(list.body.items.find((c) => c.id === dm.id).unread, 0);
    // boris sees that vera has seen his message
    const seen = await boris.get(`/api/v1/chat/channels/${dm.id}`);
    assert.equal(seen.body.members.find((m) => m.id === vera.user.id).last_read_id, m2.id);
  });

  test('search: ranked, with snippets, only in my channels', async () => {
    await send(boris, ch.sales, 'The quarterly forecast for Vasilek looks strong');
    await send(anna, ch.management, 'quarterly forecast confidential');
    const s = await vera.get('/api/v1/chat/search?q=quarterly%20forecast');
    assert.equal(s.status, 200, show(s));
    assert.equal(s.body.items.length, 1, JSON.stringify(s.body.items.map((x) => x.body)));
    assert.equal(s.body.items[0].channel.name, 'sales');
    assert.match(s.body.items[0].snippet, /quarterly forecast/);
    const none = await vera.get('/api/v1/chat/search?q=a');
    assert.deepEqual(none.body.items, []);
    const ru = await vera.get(`/api/v1/chat/search?q=${encodeURIComponent('удобно')}`);
    assert.ok(ru.body.items.length >= 1);
  });

  test('attachments: only the uploader attaches; downloads follow the channel', async () => {
    const up = await vera.req('POST', '/api/v1/files?name=plan.txt', { raw: 'the plan', headers: { 'Content-Type': 'text/plain' } });
    assert.equal(up.status, 201, show(up));
    const stolen = await send(boris, ch.general, 'mine now', { files: [up.body.id] });
    assert.equal(stolen.status, 400);
    const m = await send(vera, ch.sales, 'see the plan', { files: [up.body.id] });
    assert.equal(m.status, 201, show(m));
    assert.equal(m.body.files[0].name, 'plan.txt');
    assert.equal((await boris.get(`/api/v1/files/${up.body.id}`)).status, 200);
    assert.equal((await anna.get(`/api/v1/files/${up.body.id}`)).status, 404);
  });
});

describe('over the websocket', () => {
  test('members get the events of their channel live; typing reaches members only', async () => {
    const [vs, bs, ds] = await Promise.all([connect(p, vera), connect(p, boris), connect(p, dan)]);
    try {
      const sent = (await send(boris, ch.general, 'live for members')).body;
      const ev = await vs.waitFor((f) => f?.type === 'event' && f.event === 'chat.message' && f.data.id === sent.id, 5000, 'the message');
      assert.equal(ev.data.body, 'live for members');
      // dan is not in #general: he gets nothing of it, not even after a later event of his own
      const mine = (await dan.post('/api/v1/chat/direct', { user_ids: [vera.user.id] })).body;
      await send(vera, mine.id, 'hi dan');
      await ds.waitFor((f) => f?.type === 'event' && f.event === 'chat.message' && f.data.body === 'hi dan', 5000, 'the direct message');
      assert.ok(!ds.events.some((f) => f.data.id === sent.id));
      // typing in a channel reaches its other members, not outsiders
      vs.send({ type: 'typing', channel: ch.general });
      const typing = await bs.waitFor((f) => f?.type === 'typing' && f.channel === ch.general, 5000, 'typing');
      assert.equal(typing.user_id, vera.user.id);
      ds.send({ type: 'typing', channel: ch.general }); // not his channel: dropped
      await new Promise((r) => setTimeout(r, 600));
      assert.ok(!bs.frames.some((f) => f.type === 'typing' && f.user_id === dan.user.id));
      assert.ok(!ds.frames.some((f) => f.type === 'typing' && f.user_id === vera.user.id));
      // joining a channel lets its events through at once; leaving stops them
      const join = await dan.post(`/api/v1/chat/channels/${ch.sales}/join`, {});
      assert.equal(join.status, 200, show(join));
      await ds.waitFor((f) => f?.type === 'event' && f.event === 'chat.member' && f.data.channel_id === ch.sales, 5000, 'chat.member');
      const hello = (await send(boris, ch.sales, 'welcome dan')).body;
      await ds.waitFor((f) => f?.type === 'event' && f.data.id === hello.id, 5000, 'the welcome');
      await del(dan, `/api/v1/chat/channels/${ch.sales}/members/${dan.user.id}`);
      const gone = (await send(boris, ch.sales, 'after dan left')).body;
      await vs.waitFor((f) => f?.type === 'event' && f.data.id === gone.id, 5000, 'the message after');
      await bs.waitFor((f) => f?.type === 'event' && f.data.id === gone.id, 5000, 'the message after');
      assert.ok(!ds.events.some((f) => f.data.id === gone.id));
      // and it is not kept: the table of messages holds no trace of it
      assert.equal(one("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name LIKE 'chat_typing'"), '0');
    } finally {
      await Promise.all([vs.close(), bs.close(), ds.close()]);
    }
  });
});
