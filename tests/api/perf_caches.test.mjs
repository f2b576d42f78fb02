// The in-process caches (sessions in portal/auth.c, feed pages in portal/feed.c, the
// knowledge base in kb/search_index.c, cabinet order lists in portal/orders.c) with
// two portal nodes over one database: what one node changes, the other stops serving
// from its cache within the epoch poll (100 ms; we allow 2 s), and the node that made
// the change at once. A change written behind the portal's back (SQL by hand) stays
// cached until the cache_epochs row moves: that is the contract the nodes rely on.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startPortal, sleep } from '../lib/portal.mjs';
import { Client, loginAs, show } from '../lib/identity.mjs';

let a; // node A
let b; // node B, same database

before(async () => {
  a = await startPortal({ demo: true });
  b = await startPortal({ db: a.db });
});
after(async () => {
  await b?.stop().catch(() => {});
  await a?.stop();
});

/** The same session (cookie + CSRF token) used against another node. */
function on(node, client) {
  const c = new Client(node.url);
  c.token = client.token;
  c.csrf = client.csrf;
  c.user = client.user;
  return c;
}

/** Repeats fn until it returns true or ms pass; returns the milliseconds it took. */
async function within(ms, fn, what) {
  const started = Date.now();
  for (;;) {
    if (await fn()) return Date.now() - started;
    assert.ok(Date.now() - started < ms, `not within ${ms} ms: ${what}`);
    await sleep(20);
  }
}
const within2s = (fn, what) => within(2000, fn, what);

const page = async (client) => {
  const res = await client.get('/api/v1/feed/posts?limit=20');
  assert.equal(res.status, 200, show(res));
  return res.body;
};

describe('sessions', () => {
  test('a logout on one node ends the session on the other', async () => {
    const vera = await loginAs(a.url, 'vera@demo.example');
    const veraB = on(b, vera);
    for (let i = 0; i < 3; i++) assert.equal((await veraB.get('/api/v1/me')).status, 200); // cached on B
    const out = await vera.post('/api/v1/auth/logout');
    assert.equal(out.status, 204, show(out));
    assert.equal((await on(a, veraB).get('/api/v1/me')).status, 401, 'the node that logged out: at once');
    await within2s(async () => (await veraB.get('/api/v1/me')).status === 401, 'B sees the logout');
  });

  test('disabling a user on one node ends their sessions on the other', async () => {
    const anna = await loginAs(a.url, 'anna@demo.example');
    const boris = await loginAs(b.url, 'boris@demo.example');
    assert.equal((await boris.get('/api/v1/users')).status, 200); // manager route, cached session
    const patch = await anna.patch(`/api/v1/users/${boris.user.id}`, { disabled: true, version: boris.user.version });
    assert.equal(patch.status, 200, show(patch));
    await within2s(async () => (await boris.get('/api/v1/me')).status === 401, 'B sees the disabled user');
    const back = await anna.patch(`/api/v1/users/${boris.user.id}`, { disabled: false, version: patch.body.version });
    assert.equal(back.status, 200, show(back));
  });

  test('a role taken away on one node counts on the other', async () => {
    const anna = await loginAs(a.url, 'anna@demo.example');
    const boris = await loginAs(b.url, 'boris@demo.example');
    assert.equal((await boris.get('/api/v1/users')).status, 200);
    const me = (await anna.get('/api/v1/users?limit=100')).body.items.find((u) => u.id === boris.user.id);
    const patch = await anna.patch(`/api/v1/users/${boris.user.id}`, { role: 'member', version: me.version });
    assert.equal(patch.status, 200, show(patch));
    await within2s(async () => (await boris.get('/api/v1/users')).status === 403, 'B sees the new role');
    const back = await anna.patch(`/api/v1/users/${boris.user.id}`, { role: 'manager', version: patch.body.version });
    assert.equal(back.status, 200, show(back));
  });
});

describe('feed pages', () => {
  test('my own like shows on my next page at once; a post on the other node within the poll', async () => {
    const vera = await loginAs(b.url, 'vera@demo.example');
    const boris = await loginAs(a.url, 'boris@demo.example');
    const first = await page(vera);
    await page(vera); // served from B's cache now
    const target = first.items.find((p) => !p.liked);
    const like = await vera.req('PUT', `/api/v1/feed/posts/${target.id}/like`);
    assert.equal(like.status, 200, show(like));
    const after = (await page(vera)).items.find((p) => p.id === target.id);
    assert.equal(after.liked, true, 'same node: no wait');
    assert.equal(after.like_count, target.like_count + 1);

    const post = await boris.post('/api/v1/feed/posts', { body: 'posted on node A' });
    assert.equal(post.status, 201, show(post));
    await within2s(async () => (await page(vera)).items[0]?.id === post.body.id, 'B shows the new post');
    // Boris's own flags are his: vera's cached page never leaks them.
    const borisLike = await boris.req('PUT', `/api/v1/feed/posts/${post.body.id}/like`);
    assert.equal(borisLike.status, 200, show(borisLike));
    await within2s(async () => (await page(vera)).items[0].like_count === 1, 'B shows the like count');
    assert.equal((await page(vera)).items[0].liked, false);
    assert.equal((await page(on(b, boris))).items[0].liked, true);
  });

  test('a change behind the portal is served from the cache until the feed epoch moves', async () => {
    const vera = await loginAs(a.url, 'vera@demo.example');
    const top = (await page(vera)).items[0];
    a.sql(`UPDATE posts SET body_md = 'changed by hand' WHERE id = ${top.id}`);
    await sleep(300); // three polls: nothing told the nodes
    assert.equal((await page(vera)).items[0].body, top.body, 'cached');
    a.sql("UPDATE cache_epochs SET n = n + 1 WHERE domain = 'feed'");
    await within2s(async () => (await page(vera)).items[0].body === 'changed by hand', 'the epoch moved');
  });

  test('a group membership change on one node changes what the other shows', async () => {
    const anna = await loginAs(a.url, 'anna@demo.example');
    const vera = await loginAs(b.url, 'vera@demo.example');
    const groups = (await anna.get('/api/v1/groups')).body.items;
    const sales = groups.find((g) => g.handle === 'sales');
    const salesPost = await anna.post('/api/v1/feed/posts', { body: 'sales only', group_id: sales.id });
    assert.equal(salesPost.status, 201, show(salesPost));
    await within2s(async () => (await page(vera)).items.some((p) => p.id === salesPost.body.id), 'vera (Sales) sees it');
    const out = await anna.req('DELETE', `/api/v1/groups/${sales.id}/members/${vera.user.id}`, { body: {} });
    assert.equal(out.status, 200, show(out));
    await within2s(async () => !(await page(vera)).items.some((p) => p.id === salesPost.body.id), 'no longer a member');
  });
});

describe('knowledge base in memory (kb/search_index.c)', () => {
  const put = (c, id, body) => c.req('PUT', `/api/v1/kb/articles/${id}`, { body });

  test('a view reads as the article the database gives, and a save on one node shows on the other', async () => {
    const vera = await loginAs(a.url, 'vera@demo.example');
    const veraB = on(b, vera);
    const space = (await vera.get('/api/v1/kb/spaces')).body.items.find((s) => s.name === 'Help center').id;
    const parent = (await vera.post('/api/v1/kb/articles', { space_id: space, title: 'Perf parent', body: 'p' })).body;
    const made = await vera.post('/api/v1/kb/articles', {
      space_id: space, parent_id: parent.id, title: 'Perf "quoted" \\ title', visibility: 'public',
      body: 'Tabs\tand "quotes", a [link](kb:1), Кириллица, emoji 🎉 and a\u0001control', tags: ['one', 'два'],
    });
    assert.equal(made.status, 201, show(made));
    const id = made.body.id;
    // The same article as article_json() builds it: the 409 of a stale save carries it.
    const stale = await put(vera, id, { title: 'x', body: 'x', base_revision: 0 });
    assert.equal(stale.status, 409, show(stale));
    await within2s(async () => {
      const view = await veraB.get(`/api/v1/kb/articles/${id}`);
      return view.status === 200 && view.text === JSON.stringify(stale.body.current);
    }, 'the view on B is the article, byte for byte');
    const saved = await put(vera, id, { title: 'Perf renamed', body: 'new body', base_revision: made.body.revision });
    assert.equal(saved.status, 200, show(saved));
    assert.equal((await vera.get(`/api/v1/kb/articles/${id}`)).body.title, 'Perf renamed', 'A: at once');
    await within2s(async () => (await veraB.get(`/api/v1/kb/articles/${id}`)).body.title === 'Perf renamed', 'B shows the save');
    assert.equal((await veraB.get('/api/v1/kb/articles/99999999')).status, 404);
    // A file attached by a save that changes nothing else (no new revision) shows too.
    const f = await vera.req('POST', '/api/v1/files?name=perf.txt', { raw: 'perf file', headers: { 'Content-Type': 'text/plain' } });
    assert.equal(f.status, 201, show(f));
    const attach = await put(vera, id, { title: 'Perf renamed', body: 'new body', base_revision: saved.body.revision, files: [f.body.id] });
    assert.equal(attach.status, 200, show(attach));
    assert.equal(attach.body.revision, saved.body.revision, 'no new revision');
    assert.deepEqual((await vera.get(`/api/v1/kb/articles/${id}`)).body.files.map((x) => x.id), [f.body.id]);
    await within2s(async () => (await veraB.get(`/api/v1/kb/articles/${id}`)).body.files.length === 1, 'B shows the file');
  });

  test('search from memory keeps the visibility rule and finds words the FULLTEXT index splits', async () => {
    const vera = await loginAs(a.url, 'vera@demo.example');
    const carol = await loginAs(b.url, 'carol@client.example');
    const space = (await vera.get('/api/v1/kb/spaces')).body.items.find((s) => s.name === 'Help center').id;
    const mk = async (title, extra) => {
      const res = await vera.post('/api/v1/kb/articles', { space_id: space, title, body: `About the _xylophonist_ ${title}`, ...extra });
      assert.equal(res.status, 201, show(res));
      return res.body.id;
    };
    const open = await mk('Xylophonist open', { visibility: 'public' });
    const internal = await mk('Xylophonist internal', { visibility: 'internal' });
    const draft = await mk('Xylophonist draft', { visibility: 'public', status: 'draft' });
    // "_xylophonist_" is one InnoDB token: only the index finds "xylophonist" in the body.
    await within2s(async () => {
      const res = await vera.get('/api/v1/kb/search?q=xylophonist');
      return [open, internal, draft].every((id) => res.body.items.some((i) => i.id === id));
    }, 'the employee finds all three');
    await within2s(async () => {
      const res = await carol.get('/api/v1/cabinet/kb/articles?q=xylophonist');
      return res.status === 200 && res.body.items.some((i) => i.id === open);
    }, 'the customer finds the public one (on node B)');
    const res = await carol.get('/api/v1/cabinet/kb/articles?q=xylophonist');
    assert.deepEqual(res.body.items.map((i) => i.id), [open], 'never the internal or the draft one');
    assert.equal(res.body.items[0].visibility, undefined);
    // Turning it internal on A hides it from B's customers too.
    const cur = (await vera.get(`/api/v1/kb/articles/${open}`)).body;
    const hide = await put(vera, open, { title: cur.title, body: cur.body, visibility: 'internal', base_revision: cur.revision });
    assert.equal(hide.status, 200, show(hide));
    await within2s(async () => (await carol.get('/api/v1/cabinet/kb/articles?q=xylophonist')).body.items.length === 0, 'hidden on B');
    assert.equal((await carol.get(`/api/v1/cabinet/kb/articles/${open}`)).status, 404);
  });
});

describe('cabinet order lists (portal/orders.c)', () => {
  const PREVIEW = 'X-Portal-Preview-Account';
  const list = async (client, query = 'limit=20', opts) => {
    const res = await client.get(`/api/v1/cabinet/orders?${query}`, opts);
    assert.equal(res.status, 200, show(res));
    return res;
  };
  const idsOf = (account, status) => a.sql(`SELECT id FROM orders WHERE account_id = ${account}${
    status ? ` AND status = '${status}'` : ''} ORDER BY id DESC`).map(([x]) => Number(x));
  const accountOf = (email) => Number(a.sql(`SELECT account_id FROM users WHERE email = '${email}'`)[0][0]);
  const statusOn = async (client, query, id) => (await list(client, query)).body.items.find((o) => o.id === id)?.status;
  const setStatus = async (client, id, status) => {
    const res = await client.post(`/api/v1/orders/${id}/status`, { status });
    assert.equal(res.status, 200, show(res));
  };

  test('a status change on one node shows in the list at once there and within a second on the other, first and keyset pages', async () => {
    const vera = await loginAs(a.url, 'vera@demo.example');
    const carolA = await loginAs(a.url, 'carol@client.example');
    const carolB = on(b, carolA);
    const rom = accountOf('carol@client.example');
    const made = [];
    for (let i = 0; i < 4; i++) {
      const res = await vera.post('/api/v1/orders', { account_id: rom, items: [{ product_name: 'Paper', sku: 'P', quantity: '1', unit_price: '1.00', vat_rate: '20' }] });
      assert.equal(res.status, 201, show(res));
      made.push(res.body.id);
    }
    const [newest, , third] = made.slice().reverse();
    const first = (await list(carolB, 'limit=2')).body;
    assert.deepEqual(first.items.map((o) => o.id), idsOf(rom).slice(0, 2));
    const keyset = `limit=2&before=${first.next_before}`;
    assert.equal(await statusOn(carolB, keyset, third), 'new');
    assert.equal(await statusOn(carolA, 'limit=2', newest), 'new');
    for (const q of ['limit=2', keyset]) await list(carolB, q); // both pages cached on B

    await setStatus(vera, newest, 'confirmed');
    await setStatus(vera, third, 'cancelled');
    assert.equal(await statusOn(carolA, 'limit=2', newest), 'confirmed', 'the writing node: at once');
    assert.equal(await statusOn(carolA, keyset, third), 'cancelled', 'the writing node: at once');
    const took = await within(1000, async () => await statusOn(carolB, 'limit=2', newest) === 'confirmed' &&
      await statusOn(carolB, keyset, third) === 'cancelled', 'B shows both changes');
    assert.ok(took < 1000);
    // the status filter is part of the key
    assert.deepEqual((await list(carolB, 'status=cancelled&limit=100')).body.items.map((o) => o.id), idsOf(rom, 'cancelled'));
    await setStatus(vera, newest, 'cancelled');
    await within(1000, async () => (await list(carolB, 'status=cancelled&limit=100')).body.items[0]?.id === newest,
      'B\'s filtered list shows the newly cancelled order');
  });

  test('a list changed behind the portal is served from the cache until the orders epoch moves', async () => {
    const carol = await loginAs(b.url, 'carol@client.example');
    const top = (await list(carol, 'limit=5')).body.items[0];
    a.sql(`UPDATE orders SET status = 'closed', version = version + 1 WHERE id = ${top.id}`);
    await sleep(300); // three polls: nothing told the nodes
    assert.equal((await list(carol, 'limit=5')).body.items[0].status, top.status, 'cached');
    a.sql("UPDATE cache_epochs SET n = n + 1 WHERE domain = 'orders'");
    await within(1000, async () => (await list(carol, 'limit=5')).body.items[0].status === 'closed', 'the epoch moved');
  });

  test('another account never gets a cached page of someone else; a preview gets the customer\'s bytes', async () => {
    const carol = await loginAs(b.url, 'carol@client.example');
    const dmitry = await loginAs(b.url, 'dmitry@client2.example');
    const vera = await loginAs(b.url, 'vera@demo.example');
    const rom = accountOf('carol@client.example');
    const vas = accountOf('dmitry@client2.example');
    assert.notEqual(rom, vas);
    for (const q of ['limit=20', 'limit=3', `limit=3&before=${idsOf(rom)[1]}`, 'status=new&limit=20']) {
      const mine = await list(carol, q);
      await list(carol, q); // now cached on B under carol's account
      const theirs = await list(dmitry, q);
      assert.ok(theirs.body.items.every((o) => idsOf(vas).includes(o.id)), `${q}: only Vasilek's orders`);
      assert.ok(!theirs.body.items.some((o) => idsOf(rom).includes(o.id)), `${q}: none of Romashka's`);
      assert.equal((await list(vera, q, { headers: { [PREVIEW]: String(rom) } })).text, mine.text, `${q}: preview of Romashka`);
      assert.equal((await list(vera, q, { headers: { [PREVIEW]: String(vas) } })).text, theirs.text, `${q}: preview of Vasilek`);
      assert.equal((await list(carol, q)).text, mine.text);
    }
    assert.deepEqual((await list(dmitry, 'limit=100')).body.items.map((o) => o.id), idsOf(vas));
    // an employee without the preview header has no account: never a cached page
    const res = await vera.get('/api/v1/cabinet/orders?limit=20');
    assert.notEqual(res.status, 200, show(res));
  });
});
