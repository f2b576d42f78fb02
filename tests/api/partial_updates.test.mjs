// Partial updates: a PUT or PATCH that names one field changes that field and keeps every
// other one (read back through GET). The list of update routes comes from `portal routes`,
// so a new one without a case here fails. The reported case: PUT /api/v1/kb/articles/{id}
// without visibility turned a public help-centre article internal and the customer got 404.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { startPortal, portalBin } from '../lib/portal.mjs';
import { PERSONAS, loginAs, show } from '../lib/identity.mjs';
import { newProject, newCard, unique } from '../lib/boards.mjs';
import { item } from '../lib/crm.mjs';
import { accountId, newDocument } from '../lib/documents.mjs';

let p, admin, carol, ids;
const num = (q) => Number(p.sql(q)[0][0]);

async function ok(res, what) {
  assert.ok(res.status >= 200 && res.status < 300, `${what}: ${show(res)}`);
  return res.body;
}
const get = async (path, c = admin) => ok(await c.get(path), `GET ${path}`);

/* Keys that move with any change (versions, times, rendered text of a changed body). */
const ALWAYS = ['version', 'updated_at', 'revision', 'edited_at', 'last_activity_at', 'activity'];
function strip(o, drop) {
  if (Array.isArray(o)) return o.map((x) => strip(x, drop));
  if (!o || typeof o !== 'object') return o;
  return Object.fromEntries(Object.entries(o).filter(([k]) => !drop.includes(k)).map(([k, v]) => [k, strip(v, drop)]));
}

/*
 * One case per update route. setup() makes a record with every field set away from its
 * default and returns { path, body (one field), read() -> the record, changed: keys that
 * may differ, check(after) optional }.
 */
const CASES = {
  'PATCH /api/v1/users/{id}': async () => {
    const u = await ok(await admin.post('/api/v1/users', { email: `${randomUUID()}@demo.example`, name: 'Partial User', realm: 'employee', role: 'manager', password: 'a long unguessable pass 42' }), 'user');
    await ok(await admin.patch(`/api/v1/users/${u.id}`, { disabled: true, version: u.version }), 'disable');
    const read = async () => (await get('/api/v1/users?limit=500')).items.find((x) => x.id === u.id);
    return { path: `/api/v1/users/${u.id}`, body: { name: 'Renamed User', version: (await read()).version }, read, changed: ['name'] };
  },
  'PATCH /api/v1/feed/posts/{id}': async () => {
    const post = await ok(await admin.post('/api/v1/feed/posts', { body: 'Partial **post**', important: true }), 'post');
    await ok(await admin.patch(`/api/v1/feed/posts/${post.id}`, { pinned: true, version: post.version }), 'pin');
    const read = () => get(`/api/v1/feed/posts/${post.id}`);
    return { path: `/api/v1/feed/posts/${post.id}`, body: { body: 'Edited post', version: (await read()).version }, read, changed: ['body', 'html', 'edited', 'mentions'] };
  },
  'PUT /api/v1/kb/articles/{id}': async () => {
    const space = (await ok(await admin.post('/api/v1/kb/spaces', { name: unique('Partial space') }), 'space')).id;
    const parent = await ok(await admin.post('/api/v1/kb/articles', { space_id: space, title: 'Parent', body: 'P', visibility: 'public' }), 'parent');
    const a = await ok(await admin.post('/api/v1/kb/articles', {
      space_id: space, parent_id: parent.id, position: 7, title: 'Public help', body: 'How to **do** it', visibility: 'public', status: 'published', tags: ['alpha', 'beta'],
    }), 'article');
    ids.publicArticle = a.id;
    const read = () => get(`/api/v1/kb/articles/${a.id}`);
    return {
      path: `/api/v1/kb/articles/${a.id}`, method: 'PUT', body: { title: 'Public help, renamed', base_revision: a.revision }, read, changed: ['title'],
      check: async () => {
        const seen = await carol.get(`/api/v1/cabinet/kb/articles/${a.id}`);
        assert.equal(seen.status, 200, `the customer lost the public article: ${show(seen)}`);
        assert.equal(seen.body.title, 'Public help, renamed');
      },
    };
  },
  'PATCH /api/v1/projects/{id}': async () => {
    const pr = await newProject(admin, { description: 'Kept description', account_id: ids.romashka, members: [ids.vera] });
    const read = () => get(`/api/v1/projects/${pr.id}`);
    return { path: `/api/v1/projects/${pr.id}`, body: { name: unique('Renamed project'), version: (await read()).version }, read, changed: ['name'] };
  },
  'PATCH /api/v1/labels/{id}': async () => {
    const pr = await newProject(admin);
    const l = await ok(await admin.post(`/api/v1/projects/${pr.id}/labels`, { name: 'Keep name', color: '#abcdef' }), 'label');
    const read = async () => (await get(`/api/v1/projects/${pr.id}`)).labels.find((x) => x.id === l.id);
    return { path: `/api/v1/labels/${l.id}`, body: { name: 'Renamed label' }, read, changed: ['name'] };
  },
  'PATCH /api/v1/boards/{id}': async () => {
    const pr = await newProject(admin);
    const b = pr.boards[0].id;
    await ok(await admin.patch(`/api/v1/boards/${b}`, { archived: true }), 'archive');
    const read = async () => strip(await get(`/api/v1/boards/${b}`), ['columns', 'cards']);
    return { path: `/api/v1/boards/${b}`, body: { name: 'Renamed board' }, read, changed: ['name'] };
  },
  'PATCH /api/v1/boards/{id}/columns/{column_id}': async () => {
    const pr = await newProject(admin);
    const b = pr.boards[0].id;
    const col = (await get(`/api/v1/boards/${b}`)).columns[1].id;
    await ok(await admin.patch(`/api/v1/boards/${b}/columns/${col}`, { wip_limit: 4, done: true }), 'column');
    const read = async () => strip((await get(`/api/v1/boards/${b}`)).columns.find((c) => c.id === col), ['cards']);
    return { path: `/api/v1/boards/${b}/columns/${col}`, body: { name: 'Renamed column' }, read, changed: ['name'] };
  },
  'PATCH /api/v1/cards/{id}': async () => {
    const pr = await newProject(admin, { members: [ids.vera] });
    const lab = await ok(await admin.post(`/api/v1/projects/${pr.id}/labels`, { name: 'L', color: '#abcdef' }), 'label');
    const card = await newCard(admin, pr.boards[0].id, {
      description: 'Kept *description*', priority: 'urgent', due_date: '2030-01-02', assignees: [ids.vera], labels: [lab.id], checklist: ['one', { text: 'two', done: true }],
    });
    const read = () => get(`/api/v1/cards/${card.id}`);
    return { path: `/api/v1/cards/${card.id}`, body: { title: 'Renamed card', version: (await read()).version }, read, changed: ['title'] };
  },
  'PATCH /api/v1/cards/{id}/checklist/{item_id}': async () => {
    const pr = await newProject(admin);
    const card = await newCard(admin, pr.boards[0].id, { checklist: ['first', { text: 'second', done: true }, 'third'] });
    const itemId = (await get(`/api/v1/cards/${card.id}`)).checklist[1].id;
    const read = async () => (await get(`/api/v1/cards/${card.id}`)).checklist;
    return { path: `/api/v1/cards/${card.id}/checklist/${itemId}`, body: { text: 'second, renamed' }, read, changed: [], expect: (before) => before.map((x) => (x.id === itemId ? { ...x, text: 'second, renamed' } : x)) };
  },
  'PATCH /api/v1/chat/channels/{id}': async () => {
    const ch = await ok(await admin.post('/api/v1/chat/channels', { name: unique('partial'), topic: 'Kept topic', private: true }), 'channel');
    const read = () => get(`/api/v1/chat/channels/${ch.id}`);
    return { path: `/api/v1/chat/channels/${ch.id}`, body: { name: unique('renamed') }, read, changed: ['name'] };
  },
  'PATCH /api/v1/chat/channels/{id}/members/{user_id}': async () => {
    const ch = await ok(await admin.post('/api/v1/chat/channels', { name: unique('roles'), topic: 'Kept', members: [ids.vera, ids.boris] }), 'channel');
    const read = () => get(`/api/v1/chat/channels/${ch.id}`);
    return { path: `/api/v1/chat/channels/${ch.id}/members/${ids.vera}`, body: { role: 'owner' }, read, changed: ['members', 'owners', 'my_role'] };
  },
  'PATCH /api/v1/chat/messages/{id}': async () => {
    const ch = await ok(await admin.post('/api/v1/chat/channels', { name: unique('msgs') }), 'channel');
    const root = await ok(await admin.post(`/api/v1/chat/channels/${ch.id}/messages`, { body: 'root', client_id: randomUUID() }), 'root');
    const rootId = root.id ?? root.message?.id;
    const m = await ok(await admin.post(`/api/v1/chat/channels/${ch.id}/messages`, { body: 'reply', client_id: randomUUID(), parent_id: rootId }), 'reply');
    const mid = m.id ?? m.message?.id;
    await ok(await admin.req('PUT', `/api/v1/chat/messages/${mid}/reactions/${encodeURIComponent('👍')}`), 'react');
    const read = async () => (await get(`/api/v1/chat/messages/${rootId}/thread`)).items.find((x) => x.id === mid);
    assert.ok(await read(), 'the reply is in its thread');
    return { path: `/api/v1/chat/messages/${mid}`, body: { body: 'reply, edited' }, read, changed: ['body', 'html', 'edited', 'edited_at', 'mentions'] };
  },
  'PATCH /api/v1/accounts/{id}': async () => {
    const a = await ok(await admin.post('/api/v1/accounts', {
      name: unique('Partial account'), kind: 'partner', tax_id: '7708123450', legal_address: 'Legal 1', shipping_address: 'Ship 2',
      email: 'keep@partial.example', phone: '+7 495 000-00-01', notes: 'Kept notes', owner_id: ids.vera,
    }), 'account');
    const read = async () => strip(await get(`/api/v1/accounts/${a.id}`), ['timeline']);
    return { path: `/api/v1/accounts/${a.id}`, body: { phone: '+7 495 000-00-02', version: a.version }, read, changed: ['phone'] };
  },
  'PATCH /api/v1/contacts/{id}': async () => {
    const c = await ok(await admin.post('/api/v1/contacts', { account_id: ids.romashka, name: 'Partial Contact', position: 'Kept position', email: 'kept@partial.example', phone: '+7 495 000-00-03' }), 'contact');
    const read = () => get(`/api/v1/contacts/${c.id}`);
    return { path: `/api/v1/contacts/${c.id}`, body: { name: 'Renamed Contact', version: c.version }, read, changed: ['name'] };
  },
  'PATCH /api/v1/orders/{id}': async () => {
    const o = await ok(await admin.post('/api/v1/orders', { account_id: ids.romashka, currency: 'EUR', order_date: '2026-03-04', comment: 'Kept comment', items: [item(), item({ product_name: 'Pens', quantity: '5' })] }), 'order');
    const read = () => get(`/api/v1/orders/${o.id}`);
    return { path: `/api/v1/orders/${o.id}`, body: { order_date: '2026-03-05', version: o.version }, read, changed: ['order_date', 'history'] };
  },
  'PATCH /api/v1/tickets/{id}': async () => {
    const t = await ok(await admin.post('/api/v1/tickets', { account_id: ids.romashka, requester_id: ids.carol, subject: 'Kept subject', body: 'Body', priority: 'high', assignee_id: ids.vera }), 'ticket');
    const read = async () => strip(await get(`/api/v1/tickets/${t.id}`), ['messages', 'history']);
    return { path: `/api/v1/tickets/${t.id}`, body: { subject: 'Renamed subject', version: (await read()).version }, read, changed: ['subject'] };
  },
  'PATCH /api/v1/documents/{id}': async () => {
    const d = await newDocument(admin, ids.romashka, Buffer.from('partial document'), { name: 'kept.txt', title: 'Kept title' });
    const id = d.document_id;
    let doc = await get(`/api/v1/documents/${id}`);
    doc = await ok(await admin.patch(`/api/v1/documents/${id}`, { needs_ack: true, version: doc.version }), 'needs_ack');
    // access_log: each GET is logged as a view
    const read = async () => strip(await get(`/api/v1/documents/${id}`), ['access_log']);
    return { path: `/api/v1/documents/${id}`, body: { title: 'Renamed document', version: (await read()).version }, read, changed: ['title'] };
  },
};

before(async () => {
  p = await startPortal({ demo: true });
  admin = await loginAs(p.url, PERSONAS.admin);
  carol = await loginAs(p.url, PERSONAS.customer);
  const uid = (email) => num(`SELECT id FROM users WHERE email = '${email}'`);
  ids = { vera: uid(PERSONAS.member), boris: uid(PERSONAS.manager), carol: uid(PERSONAS.customer), romashka: accountId(p, 'Romashka LLC') };
});
after(async () => { await p?.stop(); });

describe('partial updates', () => {
  test('every PUT/PATCH with a body changes what it names and keeps the rest', async (t) => {
    const routes = JSON.parse(execFileSync(portalBin, ['routes'], { env: p.env, encoding: 'utf8' }))
      .filter((r) => ['PUT', 'PATCH'].includes(r.method) && !r.raw_body)
      // PUT .../like and .../reactions/{emoji} take no body: nothing to keep
      .filter((r) => !/\/like$|\/reactions\/\{emoji\}$/.test(r.pattern));
    const missing = routes.map((r) => `${r.method} ${r.pattern}`).filter((k) => !CASES[k]);
    assert.deepEqual(missing, [], 'update routes without a partial-update case in tests/api/partial_updates.test.mjs');
    for (const r of routes) {
      const key = `${r.method} ${r.pattern}`;
      await t.test(key, async () => {
        const c = await CASES[key]();
        const drop = [...ALWAYS, ...c.changed];
        const before = await c.read();
        const res = await admin.req(r.method, c.path, { body: c.body });
        assert.equal(res.status, 200, show(res));
        const after = await c.read();
        for (const [k, v] of Object.entries(c.body)) {
          if (k !== 'version' && k !== 'base_revision' && after && k in after) assert.deepEqual(after[k], v, `${k} was not changed`);
        }
        const want = c.expect ? c.expect(before) : before;
        assert.deepEqual(strip(after, drop), strip(want, drop), `${key} changed fields it was not given`);
        if (c.check) await c.check(after);
      });
    }
  });

  test('the reported case: saving a public help article without visibility keeps it public for the customer', async () => {
    const space = (await ok(await admin.post('/api/v1/kb/spaces', { name: unique('Help') }), 'space')).id;
    const a = await ok(await admin.post('/api/v1/kb/articles', { space_id: space, title: 'Reset your password', body: 'Click **Forgot**.', visibility: 'public', tags: ['login'] }), 'article');
    assert.equal((await carol.get(`/api/v1/cabinet/kb/articles/${a.id}`)).status, 200, 'public before the save');
    const res = await admin.req('PUT', `/api/v1/kb/articles/${a.id}`, { body: { title: 'Reset your password', body: 'Click **Forgot password**.', base_revision: a.revision } });
    assert.equal(res.status, 200, show(res));
    assert.equal(res.body.visibility, 'public');
    assert.equal(res.body.status, 'published');
    assert.deepEqual(res.body.tags, ['login']);
    const seen = await carol.get(`/api/v1/cabinet/kb/articles/${a.id}`);
    assert.equal(seen.status, 200, `the customer lost the article: ${show(seen)}`);
    assert.match(seen.body.html, /Forgot password/);
  });
});
