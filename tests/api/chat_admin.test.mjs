// Channel settings over the API: rename and topic by the owner or an admin (members 403,
// outsiders of a private channel 404 like a missing id), unique names, stale versions,
// archive (read-only: no sends, edits, deletes, reactions, joins; history readable;
// hidden from lists unless ?archived=1) and unarchive, conversations refused, bad input,
// owners handing over and the last owner refused when leaving, the events and audit rows.
// Demo data: anna (admin), boris (manager), vera (member); #office-move is archived.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startPortal } from '../lib/portal.mjs';
import { loginAs, show } from '../lib/identity.mjs';
import { connect } from '../lib/realtime.mjs';

let p;
let anna; let boris; let vera; let dan;
let ops; let desk; // boris' public #ops-room and private #deal-desk, vera a member of both

before(async () => {
  p = await startPortal({ demo: true });
  [anna, boris, vera] = await Promise.all([
    loginAs(p.url, 'anna@demo.example'), loginAs(p.url, 'boris@demo.example'), loginAs(p.url, 'vera@demo.example'),
  ]);
  const password = 'Chat-admin-dan-7!q';
  const made = await anna.post('/api/v1/users', {
    email: 'dan@demo.example', name: 'Dan Orlov', realm: 'employee', role: 'member', password,
  });
  assert.equal(made.status, 201, show(made));
  dan = await loginAs(p.url, 'dan@demo.example', password);
  ops = (await boris.post('/api/v1/chat/channels', { name: 'ops-room', members: [vera.user.id] })).body;
  desk = (await boris.post('/api/v1/chat/channels', { name: 'deal-desk', private: true, members: [vera.user.id] })).body;
  assert.ok(ops.id && desk.id);
});
after(async () => { await p?.stop(); });

const one = (q) => p.sql(q)[0]?.[0];
const lastEvent = () => Number(one('SELECT COALESCE(MAX(id), 0) FROM event'));
const events = (type, since) => p.sql(`SELECT audience, payload FROM event WHERE type = '${type}' AND id > ${since} ORDER BY id`)
  .map(([audience, payload]) => ({ audience, payload: JSON.parse(payload) }));
const patch = (client, id, body) => client.patch(`/api/v1/chat/channels/${id}`, body);
const send = (client, channel, body, extra = {}) =>
  client.post(`/api/v1/chat/channels/${channel}/messages`, { body, client_id: randomUUID(), ...extra });
const leave = (client, channel, userId = client.user.id) =>
  client.req('DELETE', `/api/v1/chat/channels/${channel}/members/${userId}`, { body: {} });
const setRole = (client, channel, userId, role) =>
  client.patch(`/api/v1/chat/channels/${channel}/members/${userId}`, { role });

function refused(res, status, code, field) {
  assert.equal(res.status, status, show(res));
  assert.equal(res.body.error.code, code, show(res));
  if (field !== undefined) assert.equal(res.body.error.field, field, show(res));
}

describe('settings', () => {
  test('the owner renames and sets the topic; members see it, the event and the audit row are written', async () => {
    const since = lastEvent();
    const res = await patch(boris, ops.id, { name: 'ops', topic: 'Operations and on-call', version: 1 });
    assert.equal(res.status, 200, show(res));
    assert.equal(res.body.name, 'ops');
    assert.equal(res.body.topic, 'Operations and on-call');
    assert.equal(res.body.archived, false);
    assert.equal(res.body.version, 2);
    const seen = await vera.get(`/api/v1/chat/channels/${ops.id}`);
    assert.equal(seen.body.name, 'ops');
    assert.equal(seen.body.version, 2);
    const evs = events('chat.channel.updated', since);
    assert.equal(evs.length, 1);
    assert.equal(evs[0].audience, `channel:${ops.id}`);
    assert.deepEqual(evs[0].payload.changes.name, { from: 'ops-room', to: 'ops' });
    assert.equal(evs[0].payload.by, boris.user.id);
    const audit = p.sql(`SELECT actor_id, details FROM audit WHERE action = 'chat.channel.update' AND object_id = ${ops.id}`);
    assert.equal(audit.length, 1);
    assert.equal(Number(audit[0][0]), boris.user.id);
    assert.equal(JSON.parse(audit[0][1]).topic.to, 'Operations and on-call');
  });

  test('a stale version is 409 with the channel as it is now; the same values change nothing', async () => {
    const stale = await patch(boris, ops.id, { topic: 'old view', version: 1 });
    refused(stale, 409, 'conflict', 'version');
    assert.equal(stale.body.current.version, 2);
    assert.equal(stale.body.current.topic, 'Operations and on-call');
    const since = lastEvent();
    const same = await patch(boris, ops.id, { name: 'ops', version: 2 });
    assert.equal(same.status, 200, show(same));
    assert.equal(same.body.version, 2);
    assert.equal(events('chat.channel.updated', since).length, 0);
  });

  test('members are refused (403); outsiders of a private channel get 404, as for a missing id', async () => {
    refused(await patch(vera, ops.id, { name: 'vera-was-here' }), 403, 'forbidden');
    refused(await patch(vera, desk.id, { topic: 'mine now' }), 403, 'forbidden');
    refused(await patch(dan, ops.id, { topic: 'outsider' }), 403, 'forbidden'); // public: he could join
    refused(await patch(dan, desk.id, { topic: 'outsider' }), 404, 'not_found');
    refused(await patch(dan, 999999, { topic: 'nothing' }), 404, 'not_found');
    refused(await patch(anna, desk.id, { topic: 'admin, not invited' }), 404, 'not_found');
    assert.equal(one(`SELECT CONCAT('[', topic, ']') FROM chat_channels WHERE id = ${desk.id}`), '[]');
    // an admin manages a public channel without being in it
    const admin = await patch(anna, ops.id, { topic: 'Operations (set by an admin)' });
    assert.equal(admin.status, 200, show(admin));
    assert.equal(admin.body.version, 3);
  });

  test('a name that is taken is 409, whatever its case', async () => {
    refused(await patch(boris, ops.id, { name: 'general' }), 409, 'name_taken', 'name');
    refused(await patch(boris, ops.id, { name: 'GENERAL' }), 409, 'name_taken', 'name');
    assert.equal(one(`SELECT name FROM chat_channels WHERE id = ${ops.id}`), 'ops');
  });

  test('bad input is 400 naming the field and changes nothing', async () => {
    const cases = [
      [{ name: 42 }, 'name'],
      [{ name: '' }, 'name'],
      [{ name: '   ' }, 'name'],
      [{ name: 'x'.repeat(200) }, 'name'],
      [{ name: 'two\nlines' }, 'name'],
      [{ name: ['ops'] }, 'name'],
      [{ topic: 7 }, 'topic'],
      [{ topic: 't'.repeat(251) }, 'topic'],
      [{ archived: 'yes' }, 'archived'],
      [{ archived: 1 }, 'archived'],
      [{ topic: 'ok', version: '3' }, 'version'],
    ];
    for (const [body, field] of cases) refused(await patch(boris, ops.id, body), 400, 'validation_failed', field);
    refused(await patch(boris, ops.id, {}), 400, 'validation_failed');
    for (const raw of ['{"name":', '[]', '"ops"', 'name=ops']) {
      const res = await boris.req('PATCH', `/api/v1/chat/channels/${ops.id}`, { raw });
      assert.equal(res.status, 400, `${raw}: ${show(res)}`);
      assert.ok(res.body.error.code, show(res));
    }
    assert.equal(one(`SELECT CONCAT(name, '|', version) FROM chat_channels WHERE id = ${ops.id}`), 'ops|3');
    refused(await boris.get('/api/v1/chat/channels?archived=maybe'), 400, 'validation_failed', 'archived');
    refused(await boris.get('/api/v1/chat/channels/browse?archived=2'), 400, 'validation_failed', 'archived');
  });

  test('direct and group conversations have no settings', async () => {
    const dm = (await vera.post('/api/v1/chat/direct', { user_ids: [boris.user.id] })).body;
    const group = (await vera.post('/api/v1/chat/direct', { user_ids: [boris.user.id, anna.user.id] })).body;
    refused(await patch(vera, dm.id, { name: 'our-room' }), 409, 'not_a_channel');
    refused(await patch(anna, group.id, { archived: true }), 409, 'not_a_channel');
    refused(await patch(dan, dm.id, { name: 'peek' }), 404, 'not_found');
    refused(await setRole(vera, dm.id, boris.user.id, 'owner'), 409, 'not_a_channel');
    assert.equal(one(`SELECT name IS NULL AND archived_at IS NULL FROM chat_channels WHERE id = ${dm.id}`), '1');
  });
});

describe('archive', () => {
  let before; // a message of vera's in #ops from before the archive

  test('archiving hides the channel from lists unless asked, and says who did it', async () => {
    before = (await send(vera, ops.id, 'last words before the archive')).body;
    assert.ok(before.id);
    const since = lastEvent();
    const res = await patch(boris, ops.id, { archived: true });
    assert.equal(res.status, 200, show(res));
    assert.equal(res.body.archived, true);
    assert.ok(res.body.archived_at);
    assert.equal(res.body.archived_by.id, boris.user.id);
    const ev = events('chat.channel.updated', since);
    assert.equal(ev.length, 1);
    assert.equal(ev[0].payload.changes.archived, true);
    const mine = await vera.get('/api/v1/chat/channels');
    assert.ok(!mine.body.items.some((c) => c.id === ops.id), 'hidden by default');
    assert.ok(!mine.body.items.some((c) => c.name === 'office-move'), 'the demo archive is hidden');
    const all = await vera.get('/api/v1/chat/channels?archived=1');
    assert.equal(all.body.items.find((c) => c.id === ops.id)?.archived, true);
    assert.equal(all.body.items.find((c) => c.name === 'general')?.archived, false);
    assert.equal(all.body.items.find((c) => c.name === 'office-move')?.archived, true);
    const browse = await dan.get('/api/v1/chat/channels/browse');
    assert.ok(!browse.body.items.some((c) => c.id === ops.id));
    const browseAll = await dan.get('/api/v1/chat/channels/browse?archived=1');
    assert.equal(browseAll.body.items.find((c) => c.id === ops.id)?.archived, true);
    const got = await vera.get(`/api/v1/chat/channels/${ops.id}`);
    assert.equal(got.body.archived, true);
  });

  test('an archived channel refuses sends, replies, edits, deletes, reactions, joins and new members', async () => {
    const emoji = encodeURIComponent('👍');
    const attempts = [
      await send(vera, ops.id, 'anyone here?'),
      await send(vera, ops.id, 'a late reply', { parent_id: before.id }),
      await vera.patch(`/api/v1/chat/messages/${before.id}`, { body: 'edited after the archive' }),
      await vera.req('DELETE', `/api/v1/chat/messages/${before.id}`, { body: {} }),
      await boris.req('PUT', `/api/v1/chat/messages/${before.id}/reactions/${emoji}`, { body: {} }),
      await boris.req('DELETE', `/api/v1/chat/messages/${before.id}/reactions/${emoji}`, { body: {} }),
      await dan.post(`/api/v1/chat/channels/${ops.id}/join`, {}),
      await boris.post(`/api/v1/chat/channels/${ops.id}/members`, { user_id: dan.user.id }),
      await patch(boris, ops.id, { topic: 'changed while archived' }),
    ];
    for (const res of attempts) {
      refused(res, 409, 'channel_archived');
      assert.match(res.body.error.message, /archived/);
    }
    // nothing of it landed
    assert.equal(one(`SELECT COUNT(*) FROM chat_messages WHERE channel_id = ${ops.id}`), '1');
    assert.equal(one(`SELECT CONCAT(body_md, '|', deleted_at IS NULL) FROM chat_messages WHERE id = ${before.id}`),
      'last words before the archive|1');
    assert.equal(one(`SELECT COUNT(*) FROM chat_members WHERE channel_id = ${ops.id} AND user_id = ${dan.user.id}`), '0');
    // a repeated send of a message that went in before the archive still answers with it
    const again = await send(vera, ops.id, before.body, { client_id: before.client_id });
    assert.equal(again.status, 200, show(again));
    assert.equal(again.body.id, before.id);
  });

  test('its history stays readable and searchable, and reading it moves the marker', async () => {
    const hist = await vera.get(`/api/v1/chat/channels/${ops.id}/messages`);
    assert.equal(hist.status, 200, show(hist));
    assert.deepEqual(hist.body.items.map((m) => m.body), ['last words before the archive']);
    const demo = Number(one("SELECT id FROM chat_channels WHERE name = 'office-move'"));
    const old = await vera.get(`/api/v1/chat/channels/${demo}/messages`);
    assert.equal(old.body.items.length, 3);
    const read = await boris.post(`/api/v1/chat/channels/${ops.id}/read`, { message_id: before.id });
    assert.equal(read.status, 200, show(read));
    assert.equal(read.body.unread, 0);
    const found = await vera.get('/api/v1/chat/search?q=words');
    assert.ok(found.body.items.some((m) => m.id === before.id));
  });

  test('archiving twice changes nothing; unarchiving opens it again', async () => {
    const since = lastEvent();
    const twice = await patch(boris, ops.id, { archived: true });
    assert.equal(twice.status, 200);
    assert.equal(events('chat.channel.updated', since).length, 0);
    const res = await patch(boris, ops.id, { archived: false, topic: 'Back in business' });
    assert.equal(res.status, 200, show(res));
    assert.equal(res.body.archived, false);
    assert.equal(res.body.archived_at, null);
    assert.equal(res.body.archived_by, null);
    assert.equal(res.body.topic, 'Back in business');
    const sent = await send(vera, ops.id, 'we are open again');
    assert.equal(sent.status, 201, show(sent));
    const edit = await vera.patch(`/api/v1/chat/messages/${before.id}`, { body: 'last words, edited' });
    assert.equal(edit.status, 200, show(edit));
    const mine = await vera.get('/api/v1/chat/channels');
    assert.equal(mine.body.items.find((c) => c.id === ops.id)?.archived, false);
  });

  test('members hear of it live over the websocket', async () => {
    // From the last event committed now: a socket opened without `after` starts where
    // this node's gateway has got to, which may be a poll (20 ms) behind the previous
    // test's writes, and would then be offered them.
    const vs = await connect(p, vera, { after: lastEvent() });
    try {
      await patch(boris, ops.id, { archived: true });
      const ev = await vs.waitFor((f) => f?.type === 'event' && f.event === 'chat.channel.updated' && f.data.id === ops.id,
        5000, 'chat.channel.updated');
      assert.equal(ev.data.archived, true);
      // typing in an archived channel is dropped: it is read-only
      const bs = await connect(p, boris);
      try {
        bs.send({ type: 'typing', channel: ops.id });
        await new Promise((resolve) => setTimeout(resolve, 1500));
        assert.equal(vs.frames.some((f) => f?.type === 'typing'), false, 'no typing in an archived channel');
        await patch(boris, ops.id, { archived: false });
        await vs.waitFor((f) => f?.type === 'event' && f.event === 'chat.channel.updated' && f.data.id === ops.id && !f.data.archived,
          5000, 'the unarchive');
        await new Promise((resolve) => setTimeout(resolve, 700)); // one typing notice per 2 s
        bs.send({ type: 'typing', channel: ops.id });
        await vs.waitFor((f) => f?.type === 'typing' && f.channel === ops.id, 5000, 'typing once it is open again');
      } finally {
        await bs.close();
      }
    } finally {
      await vs.close();
    }
  });
});

describe('owners and leaving', () => {
  test('the last owner may not leave while others stay; after handing over they can', async () => {
    refused(await leave(boris, ops.id), 409, 'last_owner');
    assert.equal(one(`SELECT role FROM chat_members WHERE channel_id = ${ops.id} AND user_id = ${boris.user.id}`), 'owner');
    // only an owner (or an admin) hands over
    refused(await setRole(vera, ops.id, vera.user.id, 'owner'), 403, 'forbidden');
    refused(await setRole(boris, ops.id, vera.user.id, 'boss'), 400, 'validation_failed', 'role');
    refused(await boris.patch(`/api/v1/chat/channels/${ops.id}/members/${vera.user.id}`, {}), 400, 'validation_failed', 'role');
    refused(await setRole(boris, ops.id, dan.user.id, 'owner'), 404, 'not_found');
    const since = lastEvent();
    const up = await setRole(boris, ops.id, vera.user.id, 'owner');
    assert.equal(up.status, 200, show(up));
    assert.equal(up.body.role, 'owner');
    assert.ok(events('chat.member', since).some((e) => e.audience === `channel:${ops.id}` && e.payload.action === 'promoted'));
    const gone = await leave(boris, ops.id);
    assert.equal(gone.status, 204, show(gone));
    // vera is the last owner now: she cannot step down nor leave while dan is in
    assert.equal((await dan.post(`/api/v1/chat/channels/${ops.id}/join`, {})).status, 200);
    refused(await setRole(vera, ops.id, vera.user.id, 'member'), 409, 'last_owner');
    refused(await leave(vera, ops.id), 409, 'last_owner');
    // and she now manages the channel
    assert.equal((await patch(vera, ops.id, { topic: 'Vera runs it' })).status, 200);
    // an admin may remove members, but not the last owner either
    assert.equal((await anna.post(`/api/v1/chat/channels/${ops.id}/join`, {})).status, 200);
    refused(await leave(anna, ops.id, vera.user.id), 409, 'last_owner');
    assert.equal((await leave(anna, ops.id, dan.user.id)).status, 204);
    assert.equal(one(`SELECT COUNT(*) FROM audit WHERE action = 'chat.member.role' AND object_id = ${ops.id}`), '1');
  });

  test('the last member of a private channel archives it instead of leaving; a public one may be left empty', async () => {
    const solo = (await boris.post('/api/v1/chat/channels', { name: 'solo-notes', private: true })).body;
    refused(await leave(boris, solo.id), 409, 'last_member');
    assert.equal((await patch(boris, solo.id, { archived: true })).status, 200);
    assert.equal((await leave(boris, solo.id)).status, 204);
    const lonely = (await boris.post('/api/v1/chat/channels', { name: 'lonely' })).body;
    assert.equal((await leave(boris, lonely.id)).status, 204);
    assert.equal(one(`SELECT COUNT(*) FROM chat_members WHERE channel_id = ${lonely.id}`), '0');
  });

  test('a member who is not an owner leaves freely', async () => {
    assert.equal((await leave(vera, desk.id)).status, 204);
    refused(await vera.get(`/api/v1/chat/channels/${desk.id}`), 404, 'not_found');
  });
});
