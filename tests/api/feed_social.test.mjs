// Company feed, the social part: groups and who sees their posts, @mentions and
// notifications (no leaks to outsiders), likes, one-level comments, acknowledgements
// of important posts, and attachments whose download follows the post.
// Demo data: anna (admin), boris (manager), vera (member); Sales = {boris, vera},
// Support = {anna, vera}. A fourth employee, dan (member, no groups), is made here.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startPortal } from '../lib/portal.mjs';
import { loginAs, show } from '../lib/identity.mjs';

// The portal drops idle keep-alive connections after 2 s without announcing it (no
// "Keep-Alive: timeout=" header), so fetch() now and then writes a request on a socket
// the server has just closed and fails with "other side closed" (UND_ERR_SOCKET). That
// request never reached a handler: send it once more, as browsers do.
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
let anna; let boris; let vera; let dan;
let groups; // name -> id

before(async () => {
  p = await startPortal({ demo: true });
  [anna, boris, vera] = await Promise.all([
    loginAs(p.url, 'anna@demo.example'), loginAs(p.url, 'boris@demo.example'),
    loginAs(p.url, 'vera@demo.example'),
  ]);
  const password = 'Feed-test-dan-7!q';
  const made = await anna.post('/api/v1/users', {
    email: 'dan@demo.example', name: 'Dan Orlov', realm: 'employee', role: 'member', password,
  });
  assert.equal(made.status, 201, show(made));
  dan = await loginAs(p.url, 'dan@demo.example', password);
  assert.equal(dan.user.handle, 'dan');
  groups = Object.fromEntries(p.sql('SELECT name, id FROM `groups`').map(([n, id]) => [n, Number(id)]));
});
after(async () => { await p?.stop(); });

const one = (q) => p.sql(q)[0]?.[0];
// DELETE with a JSON body "{}": a bodiless DELETE without Content-Length may be refused
// with 415 (see feed_posts 'DELETE as browsers send it'); these tests are about the feed.
const del = (client, path) => client.req('DELETE', path, { body: {} });
const put = (client, path) => client.req('PUT', path);

async function createPost(client, body, extra = {}) {
  const res = await client.post('/api/v1/feed/posts', { body, ...extra });
  assert.equal(res.status, 201, `create post: ${show(res)}`);
  return res.body;
}

async function comment(client, postId, body, extra = {}) {
  const res = await client.post(`/api/v1/feed/posts/${postId}/comments`, { body, ...extra });
  assert.equal(res.status, 201, `comment: ${show(res)}`);
  return res.body.comments.at(-1);
}

function assertError(res, status, code, field) {
  assert.equal(res.status, status, show(res));
  assert.equal(res.body?.error?.code, code, show(res));
  if (field !== undefined) assert.equal(res.body.error.field, field, show(res));
}

async function notifications(client) {
  const res = await client.get('/api/v1/notifications?limit=100');
  assert.equal(res.status, 200, show(res));
  return res.body;
}

const notesAbout = (list, postId, kind) => list.items.filter((n) => n.object_type === 'post' && n.object_id === postId && (!kind || n.kind === kind));

// --------------------------------------------------------------------------------------

describe('groups', () => {
  test('the groups list names its fields: member_count and member (am I in it)', async () => {
    const res = await vera.get('/api/v1/groups');
    assert.equal(res.status, 200, show(res));
    for (const g of res.body.items) {
      assert.deepEqual(Object.keys(g).sort(), ['description', 'handle', 'id', 'member', 'member_count', 'name'], JSON.stringify(g));
    }
    const sales = res.body.items.find((g) => g.handle === 'sales');
    assert.deepEqual(sales, { id: groups.Sales, name: 'Sales', handle: 'sales', description: sales.description, member_count: 2, member: true });
    const asDan = (await dan.get('/api/v1/groups')).body.items.find((g) => g.handle === 'sales');
    assert.equal(asDan.member, false);
  });

  test('posting to a group I am not in is 403 and stores nothing', async () => {
    const before = one('SELECT COUNT(*) FROM posts');
    assertError(await boris.post('/api/v1/feed/posts', { body: 'let me in', group_id: groups.Support }), 403, 'forbidden', 'group_id');
    assertError(await dan.post('/api/v1/feed/posts', { body: 'me too', group_id: groups.Sales }), 403, 'forbidden', 'group_id');
    assertError(await vera.post('/api/v1/feed/posts', { body: 'nowhere', group_id: 999999 }), 400, 'validation_failed', 'group_id');
    assert.equal(one('SELECT COUNT(*) FROM posts'), before);
    // A member posts there.
    const post = await createPost(vera, 'Sales: new price list', { group_id: groups.Sales });
    assert.deepEqual(post.group, { id: groups.Sales, name: 'Sales' });
    assert.equal(one(`SELECT group_id FROM posts WHERE id = ${post.id}`), String(groups.Sales));
  });

  test('a group post is invisible to a non-member employee: 404 and absent from every list', async () => {
    const post = await createPost(vera, 'Support only: escalation rota @boris @dan', { group_id: groups.Support });
    for (const outsider of [boris, dan]) {
      assertError(await outsider.get(`/api/v1/feed/posts/${post.id}`), 404, 'not_found');
      for (const q of ['limit=50', `group=${groups.Support}&limit=50`, `author=${vera.user.id}&limit=50`, 'mentions=me&limit=50']) {
        const list = await outsider.get(`/api/v1/feed/posts?${q}`);
        assert.equal(list.status, 200, show(list));
        assert.ok(!list.body.items.some((x) => x.id === post.id), `${q}: listed to an outsider`);
        assert.ok(!list.body.pinned.some((x) => x.id === post.id));
      }
    }
    // Members and the admin see it.
    assert.equal((await anna.get(`/api/v1/feed/posts/${post.id}`)).status, 200);
    const inList = await anna.get(`/api/v1/feed/posts?group=${groups.Support}&limit=50`);
    assert.ok(inList.body.items.some((x) => x.id === post.id));
  });

  test('a new group: members see its posts at once, a removed member no longer does', async () => {
    const made = await boris.post('/api/v1/groups', { name: 'Night shift', members: [dan.user.id] });
    assert.equal(made.status, 200, show(made));
    const g = made.body.items.find((x) => x.name === 'Night shift');
    assert.ok(g, show(made));
    assertError(await vera.post('/api/v1/groups', { name: 'Members cannot' }), 403, 'forbidden');
    const post = await createPost(dan, 'Night shift notes', { group_id: g.id });
    assertError(await vera.get(`/api/v1/feed/posts/${post.id}`), 404, 'not_found');
    const gone = await boris.req('DELETE', `/api/v1/groups/${g.id}/members/${dan.user.id}`, { body: {} });
    assert.equal(gone.status, 200, show(gone));
    assertError(await dan.get(`/api/v1/feed/posts/${post.id}`), 404, 'not_found');
    assertError(await dan.post('/api/v1/feed/posts', { body: 'still here?', group_id: g.id }), 403, 'forbidden');
  });
});

// --------------------------------------------------------------------------------------

describe('mentions and notifications', () => {
  test('mentioning a non-member in a group post: no notification, no post_mentions row', async () => {
    const before = await notifications(dan);
    const borisBefore = await notifications(boris);
    const post = await createPost(vera, 'Support: @dan and @boris cannot see this, @anna can', { group_id: groups.Support });
    for (const [who, was] of [[dan, before], [boris, borisBefore]]) {
      const now = await notifications(who);
      assert.equal(now.unread_count, was.unread_count, `${who.user.handle}: unread changed`);
      assert.deepEqual(notesAbout(now, post.id), []);
      assert.doesNotMatch(JSON.stringify(now), /cannot see this/);
    }
    assert.equal(one(`SELECT COUNT(*) FROM notifications WHERE object_id = ${post.id} AND user_id IN (${dan.user.id}, ${boris.user.id})`), '0');
    assert.equal(one(`SELECT COUNT(*) FROM post_mentions WHERE post_id = ${post.id} AND user_id IN (${dan.user.id}, ${boris.user.id})`), '0');
    assert.equal(one(`SELECT COUNT(*) FROM event WHERE audience IN ('user:${dan.user.id}', 'user:${boris.user.id}') AND JSON_VALUE(payload, '$.object_id') = ${post.id}`), '0');
    // The member who may see it is notified.
    assert.equal(notesAbout(await notifications(anna), post.id, 'mention').length, 1);
    // A comment mentioning an outsider does not leak either.
    await comment(anna, post.id, '@dan @boris have a look');
    assert.equal(one(`SELECT COUNT(*) FROM notifications WHERE object_id = ${post.id} AND user_id IN (${dan.user.id}, ${boris.user.id})`), '0');
    assert.equal(one(`SELECT COUNT(*) FROM post_mentions WHERE post_id = ${post.id} AND user_id IN (${dan.user.id}, ${boris.user.id})`), '0');
  });

  test('a mention notifies (kind mention) and unread_count goes up; read by ids and all', async () => {
    await boris.post('/api/v1/notifications/read', { all: true });
    const start = await notifications(boris);
    assert.equal(start.unread_count, 0);
    const post = await createPost(dan, 'Hello @boris, can you review the **Q4** deck?');
    const n1 = await notifications(boris);
    assert.equal(n1.unread_count, 1);
    const [note] = notesAbout(n1, post.id, 'mention');
    assert.ok(note, JSON.stringify(n1));
    assert.equal(note.read_at, null);
    assert.deepEqual(note.actor, { id: dan.user.id, name: 'Dan Orlov', handle: 'dan' });
    assert.match(note.summary, /Dan Orlov/);
    assert.match(note.summary, /review the Q4 deck/);
    assert.equal(one(`SELECT COUNT(*) FROM post_mentions WHERE post_id = ${post.id} AND user_id = ${boris.user.id}`), '1');
    assert.equal(one(`SELECT kind FROM notifications WHERE user_id = ${boris.user.id} AND object_id = ${post.id}`), 'mention');
    // The author mentioning themselves gets nothing.
    const selfPost = await createPost(dan, 'Note to @dan: me');
    assert.deepEqual(notesAbout(await notifications(dan), selfPost.id), []);

    const post2 = await createPost(anna, '@boris and again');
    const post3 = await createPost(vera, 'And @BORIS in capitals');
    const n2 = await notifications(boris);
    assert.equal(n2.unread_count, 3);
    // An edit that keeps the mention does not notify twice; adding one notifies.
    const edited = await vera.patch(`/api/v1/feed/posts/${post3.id}`, { body: 'And @boris, @dan in capitals', version: 1 });
    assert.equal(edited.status, 200, show(edited));
    assert.equal((await notifications(boris)).unread_count, 3);
    assert.equal(notesAbout(await notifications(dan), post3.id, 'mention').length, 1);

    const ids = [note.id, notesAbout(n2, post2.id)[0].id];
    const read = await boris.post('/api/v1/notifications/read', { ids });
    assert.equal(read.status, 200, show(read));
    assert.equal(read.body.unread_count, 1);
    const n3 = await notifications(boris);
    assert.equal(n3.unread_count, 1);
    assert.ok(n3.items.filter((n) => ids.includes(n.id)).every((n) => n.read_at));
    assert.equal(one(`SELECT COUNT(*) FROM notifications WHERE id IN (${ids}) AND read_at IS NOT NULL`), '2');
    // Someone else's notification ids change nothing.
    const danNote = notesAbout(await notifications(dan), post3.id)[0];
    await boris.post('/api/v1/notifications/read', { ids: [danNote.id] });
    assert.equal(one(`SELECT read_at IS NULL FROM notifications WHERE id = ${danNote.id}`), '1');
    assertError(await boris.post('/api/v1/notifications/read', {}), 400, 'validation_failed', 'ids');

    const all = await boris.post('/api/v1/notifications/read', { all: true });
    assert.equal(all.body.unread_count, 0);
    assert.equal((await notifications(boris)).unread_count, 0);
    assert.equal(one(`SELECT COUNT(*) FROM notifications WHERE user_id = ${boris.user.id} AND read_at IS NULL`), '0');
    const unreadOnly = await boris.get('/api/v1/notifications?unread=1');
    assert.deepEqual(unreadOnly.body.items, []);
  });

  test('a group mention (@sales) notifies the members of the group', async () => {
    for (const c of [anna, boris, vera, dan]) await c.post('/api/v1/notifications/read', { all: true });
    const post = await createPost(anna, 'Heads up @sales: the new CRM fields are live');
    for (const member of [boris, vera]) {
      const n = await notifications(member);
      assert.equal(n.unread_count, 1, member.user.handle);
      assert.equal(notesAbout(n, post.id, 'mention').length, 1, member.user.handle);
    }
    for (const other of [anna, dan]) assert.equal((await notifications(other)).unread_count, 0, other.user.handle);
    const rows = p.sql(`SELECT user_id FROM post_mentions WHERE post_id = ${post.id} ORDER BY user_id`).map(([u]) => Number(u));
    assert.deepEqual(rows, [boris.user.id, vera.user.id].sort((a, b) => a - b));
    // vera finds it under mentions=me.
    const mine = await vera.get('/api/v1/feed/posts?mentions=me&limit=5');
    assert.equal(mine.body.items[0]?.id, post.id);
  });

  test('every new comment that mentions someone notifies them, mentioned before or not', async () => {
    await dan.post('/api/v1/notifications/read', { all: true });
    const post = await createPost(boris, 'Plan for Q1, @dan please review');
    assert.equal((await notifications(dan)).unread_count, 1);
    await comment(anna, post.id, '@dan the budget part needs you too');
    await comment(vera, post.id, 'and @dan, the dates');
    const n = await notifications(dan);
    assert.equal(n.unread_count, 3, JSON.stringify(n.items.map((x) => x.summary)));
    assert.deepEqual(notesAbout(n, post.id, 'mention').map((x) => x.actor.handle).sort(), ['anna', 'boris', 'vera']);
    // An edit of the post that keeps the mention is not a new one.
    const edit = await boris.patch(`/api/v1/feed/posts/${post.id}`, { body: 'Plan for Q1 (v2), @dan please review', version: 1 });
    assert.equal(edit.status, 200, show(edit));
    assert.equal((await notifications(dan)).unread_count, 3);
  });

  test('mentions inside code and e-mail addresses are not mentions', async () => {
    for (const c of [boris]) await c.post('/api/v1/notifications/read', { all: true });
    const post = await createPost(vera, 'Write to sales@boris.example or run `ping @boris`');
    assert.equal((await notifications(boris)).unread_count, 0);
    assert.equal(one(`SELECT COUNT(*) FROM post_mentions WHERE post_id = ${post.id}`), '0');
  });
});

// --------------------------------------------------------------------------------------

describe('likes and comments', () => {
  test('liking is idempotent: PUT twice is one like, DELETE twice is none; who liked', async () => {
    const post = await createPost(vera, 'Like me');
    for (let i = 0; i < 2; i++) {
      const res = await put(boris, `/api/v1/feed/posts/${post.id}/like`);
      assert.equal(res.status, 200, show(res));
      assert.deepEqual(res.body, { liked: true, like_count: 1 });
    }
    const anns = await put(anna, `/api/v1/feed/posts/${post.id}/like`);
    assert.deepEqual(anns.body, { liked: true, like_count: 2 });
    assert.equal(one(`SELECT COUNT(*) FROM post_likes WHERE post_id = ${post.id}`), '2');
    assert.equal(one(`SELECT COUNT(*) FROM audit WHERE action = 'post.like' AND object_id = ${post.id}`), '2');

    const who = await dan.get(`/api/v1/feed/posts/${post.id}/likes`);
    assert.equal(who.status, 200, show(who));
    assert.deepEqual(who.body.items.map((u) => u.handle).sort(), ['anna', 'boris']);
    assert.deepEqual(who.body.items.find((u) => u.handle === 'boris'), { id: boris.user.id, name: 'Boris Ivanov', handle: 'boris' });

    const seenByBoris = await boris.get(`/api/v1/feed/posts/${post.id}`);
    assert.equal(seenByBoris.body.like_count, 2);
    assert.equal(seenByBoris.body.liked, true);
    const seenByVera = (await vera.get(`/api/v1/feed/posts?author=${vera.user.id}&limit=5`)).body.items.find((x) => x.id === post.id);
    assert.equal(seenByVera.like_count, 2);
    assert.equal(seenByVera.liked, false);

    for (let i = 0; i < 2; i++) {
      const res = await del(boris, `/api/v1/feed/posts/${post.id}/like`);
      assert.equal(res.status, 200, show(res));
      assert.deepEqual(res.body, { liked: false, like_count: 1 });
    }
    await del(anna, `/api/v1/feed/posts/${post.id}/like`);
    assert.equal(one(`SELECT COUNT(*) FROM post_likes WHERE post_id = ${post.id}`), '0');
    assert.equal((await vera.get(`/api/v1/feed/posts/${post.id}`)).body.like_count, 0);
    assert.deepEqual((await vera.get(`/api/v1/feed/posts/${post.id}/likes`)).body.items, []);
    assert.equal(one(`SELECT COUNT(*) FROM audit WHERE action = 'post.unlike' AND object_id = ${post.id}`), '2');
  });

  test('comment likes work the same way and show on the comment', async () => {
    const post = await createPost(vera, 'Comment on me');
    const c = await comment(boris, post.id, 'A comment worth liking');
    for (let i = 0; i < 2; i++) {
      const res = await put(vera, `/api/v1/feed/comments/${c.id}/like`);
      assert.equal(res.status, 200, show(res));
      assert.deepEqual(res.body, { liked: true, like_count: 1 });
    }
    assert.deepEqual((await put(dan, `/api/v1/feed/comments/${c.id}/like`)).body, { liked: true, like_count: 2 });
    assert.equal(one(`SELECT COUNT(*) FROM comment_likes WHERE comment_id = ${c.id}`), '2');
    const got = await vera.get(`/api/v1/feed/posts/${post.id}`);
    const shown = got.body.comments.find((x) => x.id === c.id);
    assert.equal(shown.like_count, 2);
    assert.equal(shown.liked, true);
    assert.equal((await boris.get(`/api/v1/feed/posts/${post.id}`)).body.comments[0].liked, false);
    for (let i = 0; i < 2; i++) {
      const res = await del(vera, `/api/v1/feed/comments/${c.id}/like`);
      assert.deepEqual(res.body, { liked: false, like_count: 1 });
    }
    assert.equal(one(`SELECT COUNT(*) FROM comment_likes WHERE comment_id = ${c.id}`), '1');
    assertError(await put(vera, '/api/v1/feed/comments/987654321/like'), 404, 'not_found');
  });

  test('comments are one level deep: a reply to a reply is 400', async () => {
    const post = await createPost(vera, 'Thread');
    const top = await comment(boris, post.id, 'Top-level');
    assert.equal(top.parent_id ?? null, null);
    const reply = await comment(anna, post.id, 'A reply', { parent_id: top.id });
    assert.equal(reply.parent_id, top.id);
    const before = one(`SELECT COUNT(*) FROM post_comments WHERE post_id = ${post.id}`);
    assertError(await vera.post(`/api/v1/feed/posts/${post.id}/comments`, { body: 'reply to reply', parent_id: reply.id }), 400, 'validation_failed', 'parent_id');
    // A parent from another post is no better.
    const other = await createPost(vera, 'Other thread');
    assertError(await vera.post(`/api/v1/feed/posts/${other.id}/comments`, { body: 'cross-post', parent_id: top.id }), 400, 'validation_failed', 'parent_id');
    assertError(await vera.post(`/api/v1/feed/posts/${post.id}/comments`, { body: '  ' }), 400, 'validation_failed', 'body');
    assert.equal(one(`SELECT COUNT(*) FROM post_comments WHERE post_id = ${post.id}`), before);
    assert.equal(one(`SELECT COUNT(*) FROM post_comments WHERE post_id = ${other.id}`), '0');

    const got = await dan.get(`/api/v1/feed/posts/${post.id}`);
    assert.deepEqual(got.body.comments.map((c) => [c.body, c.parent_id ?? null, c.author.handle]),
      [['Top-level', null, 'boris'], ['A reply', top.id, 'anna']]);
    assert.equal(got.body.comment_count, 2);
    assert.match(got.body.comments[0].html, /<p>Top-level<\/p>/);
    // Comments are rendered safely too.
    const bad = await comment(dan, post.id, '<script>alert(1)</script>[x](javascript:alert(1))');
    assert.doesNotMatch(bad.html, /<script|javascript:/i);
  });

  test('a comment notifies the post author (kind comment), not the commenter', async () => {
    for (const c of [vera, boris]) await c.post('/api/v1/notifications/read', { all: true });
    const post = await createPost(vera, 'What do you think?');
    await comment(boris, post.id, 'I think it is **great**');
    const n = await notifications(vera);
    assert.equal(n.unread_count, 1);
    const [note] = notesAbout(n, post.id, 'comment');
    assert.ok(note, JSON.stringify(n));
    assert.equal(note.actor.id, boris.user.id);
    assert.match(note.summary, /Boris Ivanov/);
    assert.match(note.summary, /I think it is great/);
    await comment(vera, post.id, 'Thanks!');
    assert.equal((await notifications(vera)).unread_count, 1, 'own comment notified the author');
    assert.deepEqual(notesAbout(await notifications(boris), post.id), []);
    assert.equal(one(`SELECT COUNT(*) FROM notifications WHERE object_id = ${post.id} AND kind = 'comment'`), '1');
  });
});

// --------------------------------------------------------------------------------------

describe('important posts', () => {
  test('ack on a non-important post is 400; acks count and list who has and has not', async () => {
    const plain = await createPost(boris, 'Just news');
    assertError(await vera.post(`/api/v1/feed/posts/${plain.id}/ack`), 400, 'validation_failed');
    assert.equal(one(`SELECT COUNT(*) FROM post_acks WHERE post_id = ${plain.id}`), '0');

    const post = await createPost(boris, '**Read me**: new security policy', { important: true });
    assert.equal(post.important, true);
    const employees = Number(one("SELECT COUNT(*) FROM users WHERE realm = 'employee' AND disabled = 0"));
    const a0 = await vera.get(`/api/v1/feed/posts/${post.id}/acks`);
    assert.equal(a0.status, 200, show(a0));
    assert.equal(a0.body.read_count, 0);
    assert.equal(a0.body.unread_count, employees);
    assert.deepEqual(a0.body.unread.map((u) => u.handle).sort(), ['anna', 'boris', 'dan', 'vera']);

    const ack = await vera.post(`/api/v1/feed/posts/${post.id}/ack`);
    assert.equal(ack.status, 200, show(ack));
    assert.equal(ack.body.read_count, 1);
    assert.equal(ack.body.unread_count, employees - 1);
    const again = await vera.post(`/api/v1/feed/posts/${post.id}/ack`);
    assert.equal(again.body.read_count, 1, 'acking twice counts once');
    await dan.post(`/api/v1/feed/posts/${post.id}/ack`);

    const a1 = await boris.get(`/api/v1/feed/posts/${post.id}/acks`);
    assert.equal(a1.body.read_count, 2);
    assert.equal(a1.body.unread_count, employees - 2);
    assert.deepEqual(a1.body.read.map((u) => u.handle).sort(), ['dan', 'vera']);
    assert.deepEqual(a1.body.unread.map((u) => u.handle).sort(), ['anna', 'boris']);
    for (const u of a1.body.read) assert.ok(Math.abs(Date.parse(u.acked_at) - Date.now()) < 120000, u.acked_at);
    assert.equal(one(`SELECT COUNT(*) FROM post_acks WHERE post_id = ${post.id}`), '2');
    assert.equal(one(`SELECT COUNT(*) FROM audit WHERE action = 'post.ack' AND object_id = ${post.id}`), '2');

    const asVera = await vera.get(`/api/v1/feed/posts/${post.id}`);
    assert.equal(asVera.body.ack_count, 2);
    assert.equal(asVera.body.acked, true);
    const asAnna = (await anna.get(`/api/v1/feed/posts?author=${boris.user.id}&limit=5`)).body.items.find((x) => x.id === post.id);
    assert.equal(asAnna.ack_count, 2);
    assert.equal(asAnna.acked, false);
  });

  test("a group post's ack audience is the group", async () => {
    const post = await createPost(vera, 'Sales: read the new discount rules', { group_id: groups.Sales, important: true });
    const acks = await boris.get(`/api/v1/feed/posts/${post.id}/acks`);
    assert.equal(acks.status, 200, show(acks));
    assert.deepEqual(acks.body.unread.map((u) => u.handle).sort(), ['boris', 'vera']);
    assertError(await dan.post(`/api/v1/feed/posts/${post.id}/ack`), 404, 'not_found');
    assert.equal(one(`SELECT COUNT(*) FROM post_acks WHERE post_id = ${post.id}`), '0');
  });
});

// --------------------------------------------------------------------------------------

describe('attachments', () => {
  async function upload(client, name, data, type = 'image/png') {
    const res = await client.req('POST', `/api/v1/files?name=${encodeURIComponent(name)}`, { raw: data, headers: { 'Content-Type': type } });
    assert.equal(res.status, 201, `upload: ${show(res)}`);
    return res.body;
  }
  const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

  test('upload, attach on create, the post lists it; readers of the post download it', async () => {
    const f = await upload(vera, 'a.png', png);
    assert.equal(f.size, png.length);
    // Not attached yet: only the uploader can download.
    const own = await vera.get(`/api/v1/files/${f.id}`);
    assert.equal(own.status, 200, show(own));
    for (const other of [boris, anna]) assertError(await other.get(`/api/v1/files/${f.id}`), 404, 'not_found');

    const post = await createPost(vera, 'Screenshot attached', { files: [f.id] });
    assert.deepEqual(post.files, [{ id: f.id, name: 'a.png', size: png.length, content_type: 'image/png' }]);
    assert.equal(one(`SELECT CONCAT(owner_kind, ':', owner_id) FROM files WHERE id = ${f.id}`), `post:${post.id}`);
    const listed = (await boris.get(`/api/v1/feed/posts?author=${vera.user.id}&limit=5`)).body.items.find((x) => x.id === post.id);
    assert.deepEqual(listed.files.map((x) => x.id), [f.id]);

    const res = await fetch(`${p.url}/api/v1/files/${f.id}`, { headers: { Cookie: `portal_session=${dan.token}` } });
    assert.equal(res.status, 200);
    // An image is shown in the page (inline); anything else is only saved (files_serving).
    assert.equal(res.headers.get('content-disposition'), "inline; filename=\"a.png\"; filename*=UTF-8''a.png");
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), png);

    // A deleted post takes its files with it.
    assert.equal((await del(vera, `/api/v1/feed/posts/${post.id}`)).status, 204);
    for (const who of [vera, dan]) assertError(await who.get(`/api/v1/files/${f.id}`), 404, 'not_found');
  });

  test("a group post's file is 404 to a non-member, 200 to members", async () => {
    const f = await upload(vera, 'Отчёт продаж.pdf', Buffer.from('%PDF-1.4 sales'), 'application/pdf');
    const post = await createPost(vera, 'Sales report', { group_id: groups.Sales, files: [f.id] });
    assert.equal(post.files[0].name, 'Отчёт продаж.pdf');
    const member = await boris.get(`/api/v1/files/${f.id}`);
    assert.equal(member.status, 200, show(member));
    assert.match(member.headers.get('content-disposition'), /^attachment;.*filename\*=UTF-8''%D0%9E/);
    const outsider = await dan.get(`/api/v1/files/${f.id}`);
    const missing = await dan.get('/api/v1/files/987654321');
    assertError(outsider, 404, 'not_found');
    assert.equal(outsider.text, missing.text, 'a hidden file looks like a missing one');
    assert.equal((await anna.get(`/api/v1/files/${f.id}`)).status, 200, 'admins see every group');
  });

  test("attaching someone else's file, or one attached already, is 400 and creates no post", async () => {
    const hers = await upload(vera, 'vera.png', png);
    const before = one('SELECT COUNT(*) FROM posts');
    assertError(await boris.post('/api/v1/feed/posts', { body: 'stealing', files: [hers.id] }), 400, 'validation_failed', 'files');
    assertError(await boris.post('/api/v1/feed/posts', { body: 'no such', files: [987654321] }), 400, 'validation_failed', 'files');
    assertError(await boris.post('/api/v1/feed/posts', { body: 'bad ids', files: ['1'] }), 400, 'validation_failed', 'files');
    assert.equal(one('SELECT COUNT(*) FROM posts'), before);
    assert.equal(one(`SELECT owner_kind IS NULL FROM files WHERE id = ${hers.id}`), '1');
    assertError(await boris.get(`/api/v1/files/${hers.id}`), 404, 'not_found');

    const mine = await upload(boris, 'b.png', png);
    await createPost(boris, 'first use', { files: [mine.id] });
    assertError(await boris.post('/api/v1/feed/posts', { body: 'second use', files: [mine.id] }), 400, 'validation_failed', 'files');
    // One bad file spoils the whole post: the good one stays unattached.
    const good = await upload(boris, 'c.png', png);
    assertError(await boris.post('/api/v1/feed/posts', { body: 'mixed', files: [good.id, hers.id] }), 400, 'validation_failed', 'files');
    assert.equal(one(`SELECT owner_kind IS NULL FROM files WHERE id = ${good.id}`), '1');
    assert.equal(one('SELECT COUNT(*) FROM posts'), String(Number(before) + 1));
  });
});
