// Strict bodies: every write route of `portal routes` (POST/PUT/PATCH/DELETE, raw uploads
// aside) refuses a key it does not take with 400 unknown_field, field = that key, a
// message listing the keys it does take, and no row changed. The route list comes from
// the binary, so a new write route without a case here fails this test. Objects inside
// arrays (order lines, checklist items) get the same check. Routes that take no body
// refuse a body with keys the same way.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { startPortal, api, portalBin } from '../lib/portal.mjs';
import { Client, PERSONAS, loginAs, show } from '../lib/identity.mjs';
import { newProject, newCard, unique } from '../lib/boards.mjs';
import { item, newOrder } from '../lib/crm.mjs';
import { accountId, newDocument, inMs } from '../lib/documents.mjs';

const EXTRA = 'zz_not_a_field';
// Tables that change without any request of ours (session activity, throttles, the
// scheduler's lease, presence): left out of the "no row changed" comparison.
const VOLATILE = ['sessions', 'login_throttle', 'job_lease', 'presence'];

let p, admin, carol, f;
const one = (q) => p.sql(q)[0]?.[0];
const num = (q) => Number(one(q));

/** A checksum of every table but the volatile ones: equal before and after = no row changed. */
function snapshot() {
  const tables = p.sql(`SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()
    AND table_type = 'BASE TABLE' AND table_name NOT IN (${VOLATILE.map((t) => `'${t}'`).join(', ')})
    ORDER BY table_name`).map((r) => `\`${r[0]}\``);
  return p.sql(`CHECKSUM TABLE ${tables.join(', ')}`).map((r) => r.join(' ')).join('\n');
}

async function ok(res, what) {
  assert.ok(res.status >= 200 && res.status < 300, `${what}: ${show(res)}`);
  return res.body;
}

/*
 * One case per write route: who calls it (admin, customer, anon, or fresh: a new admin
 * session of its own), the path, a valid body (null: the route takes no body) and the
 * statuses the valid request answers (false: not sent, it would need a secret such as a
 * mailed token).
 */
const CASES = {
  'POST /api/v1/auth/login': { as: 'anon', body: () => ({ email: PERSONAS.member, password: 'demo-password-1' }), ok: [200] },
  'POST /api/v1/auth/logout': { as: 'fresh', body: null, ok: [204] },
  'POST /api/v1/auth/invitations/inspect': { as: 'anon', body: () => ({ token: 'x'.repeat(43) }), ok: false },
  'POST /api/v1/auth/invitations/accept': { as: 'anon', body: () => ({ token: 'x'.repeat(43), password: 'a long new password 42', name: 'N' }), ok: false },
  'POST /api/v1/auth/reset/request': { as: 'anon', body: () => ({ email: 'nobody@demo.example' }), ok: [202] },
  'POST /api/v1/auth/reset/confirm': { as: 'anon', body: () => ({ token: 'x'.repeat(43), password: 'a long new password 42' }), ok: false },
  'DELETE /api/v1/me/sessions/{id}': { body: null, path: async () => `/api/v1/me/sessions/${await f.otherSession()}`, ok: [200, 204] },
  'POST /api/v1/me/password': { as: 'fresh', body: () => ({ current_password: 'demo-password-1', new_password: 'demo-password-1' }), ok: false },
  'POST /api/v1/users': { body: () => ({ email: `${randomUUID()}@demo.example`, name: 'Strict New', realm: 'employee', role: 'member', password: 'a long unguessable pass 42' }), ok: [201] },
  'PATCH /api/v1/users/{id}': { path: () => `/api/v1/users/${f.user.id}`, body: () => ({ name: 'Strict Renamed', version: f.userVersion() }), ok: [200] },
  'POST /api/v1/invitations': { body: () => ({ email: `${randomUUID()}@demo.example`, name: 'Invitee', realm: 'employee', role: 'member' }), ok: [201] },
  'DELETE /api/v1/invitations/{id}': { body: null, path: () => `/api/v1/invitations/${f.invitation}`, ok: [200, 204] },
  'DELETE /api/v1/sessions/{id}': { body: null, path: async () => `/api/v1/sessions/${await f.otherSession()}`, ok: [200, 204] },

  'POST /api/v1/feed/posts': { body: () => ({ body: 'A strict post', important: false }), ok: [201] },
  'PATCH /api/v1/feed/posts/{id}': { path: () => `/api/v1/feed/posts/${f.post.id}`, body: () => ({ body: 'Edited strictly', version: f.postVersion() }), ok: [200] },
  'DELETE /api/v1/feed/posts/{id}': { body: null, path: () => `/api/v1/feed/posts/${f.doomedPost}`, ok: [200, 204] },
  'POST /api/v1/feed/posts/{id}/comments': { path: () => `/api/v1/feed/posts/${f.post.id}/comments`, body: () => ({ body: 'A comment' }), ok: [200, 201] },
  'PUT /api/v1/feed/posts/{id}/like': { body: null, path: () => `/api/v1/feed/posts/${f.post.id}/like`, ok: [200] },
  'DELETE /api/v1/feed/posts/{id}/like': { body: null, path: () => `/api/v1/feed/posts/${f.post.id}/like`, ok: [200] },
  'POST /api/v1/feed/posts/{id}/ack': { body: null, path: () => `/api/v1/feed/posts/${f.post.id}/ack`, ok: [200] },
  'PUT /api/v1/feed/comments/{id}/like': { body: null, path: () => `/api/v1/feed/comments/${f.comment}/like`, ok: [200] },
  'DELETE /api/v1/feed/comments/{id}/like': { body: null, path: () => `/api/v1/feed/comments/${f.comment}/like`, ok: [200] },
  'POST /api/v1/groups': { body: () => ({ name: unique('Group'), description: 'd', members: [] }), ok: [200, 201] },
  'POST /api/v1/groups/{id}/members': { path: () => `/api/v1/groups/${f.group}/members`, body: () => ({ user_id: f.vera }), ok: [200, 201] },
  'DELETE /api/v1/groups/{id}/members/{user_id}': { body: null, path: () => `/api/v1/groups/${f.group}/members/${f.vera}`, ok: [200, 204] },
  'POST /api/v1/markdown/preview': { body: () => ({ text: '**hi**' }), ok: [200] },
  'POST /api/v1/notifications/read': { body: () => ({ all: true }), ok: [200] },
  'POST /api/v1/realtime/ticket': { body: null, ok: [200, 201] },

  'POST /api/v1/kb/spaces': { body: () => ({ name: unique('Space'), description: 'd' }), ok: [201] },
  'POST /api/v1/kb/articles': { body: () => ({ space_id: f.space, title: unique('Article'), body: 'Text', visibility: 'internal' }), ok: [201] },
  'PUT /api/v1/kb/articles/{id}': { path: () => `/api/v1/kb/articles/${f.article}`, body: () => ({ title: 'Strict title', base_revision: f.articleRevision() }), ok: [200] },
  'POST /api/v1/kb/articles/{id}/restore': { path: () => `/api/v1/kb/articles/${f.article}/restore`, body: () => ({ rev: 1, base_revision: f.articleRevision() }), ok: [200] },

  'POST /api/v1/projects': { body: () => ({ name: unique('Project'), description: 'd' }), ok: [201] },
  'PATCH /api/v1/projects/{id}': { path: () => `/api/v1/projects/${f.project.id}`, body: () => ({ description: 'Strict', version: f.projectVersion() }), ok: [200] },
  'POST /api/v1/projects/{id}/boards': { path: () => `/api/v1/projects/${f.project.id}/boards`, body: () => ({ name: unique('Board') }), ok: [201] },
  'POST /api/v1/projects/{id}/labels': { path: () => `/api/v1/projects/${f.project.id}/labels`, body: () => ({ name: unique('L'), color: '#123456' }), ok: [201] },
  'PATCH /api/v1/labels/{id}': { path: () => `/api/v1/labels/${f.label}`, body: () => ({ color: '#654321' }), ok: [200] },
  'DELETE /api/v1/labels/{id}': { body: null, path: () => `/api/v1/labels/${f.doomedLabel}`, ok: [200, 204] },
  'PATCH /api/v1/boards/{id}': { path: () => `/api/v1/boards/${f.board}`, body: () => ({ name: 'Strict board' }), ok: [200] },
  'POST /api/v1/boards/{id}/columns': { path: () => `/api/v1/boards/${f.board}/columns`, body: () => ({ name: unique('Col'), wip_limit: null }), ok: [201] },
  'POST /api/v1/boards/{id}/columns/reorder': { path: () => `/api/v1/boards/${f.board}/columns/reorder`, body: () => ({ column_ids: f.columnIds() }), ok: [200] },
  'PATCH /api/v1/boards/{id}/columns/{column_id}': { path: () => `/api/v1/boards/${f.board}/columns/${f.column}`, body: () => ({ wip_limit: 50 }), ok: [200] },
  'POST /api/v1/boards/{id}/cards': { path: () => `/api/v1/boards/${f.board}/cards`, body: () => ({ title: unique('Card') }), ok: [201] },
  'PATCH /api/v1/cards/{id}': { path: () => `/api/v1/cards/${f.card}`, body: () => ({ priority: 'high', version: f.cardVersion() }), ok: [200] },
  'POST /api/v1/cards/{id}/move': { path: () => `/api/v1/cards/${f.card}/move`, body: () => ({ column_id: f.column }), ok: [200] },
  'POST /api/v1/cards/{id}/comments': { path: () => `/api/v1/cards/${f.card}/comments`, body: () => ({ body: 'A card comment' }), ok: [200, 201] },
  'POST /api/v1/cards/{id}/checklist': { path: () => `/api/v1/cards/${f.card}/checklist`, body: () => ({ text: 'Step', done: false }), ok: [201] },
  'PATCH /api/v1/cards/{id}/checklist/{item_id}': { path: () => `/api/v1/cards/${f.card}/checklist/${f.checkItem}`, body: () => ({ done: true }), ok: [200] },
  'DELETE /api/v1/cards/{id}/checklist/{item_id}': { body: null, path: () => `/api/v1/cards/${f.card}/checklist/${f.doomedCheckItem}`, ok: [200] },

  'POST /api/v1/chat/channels': { body: () => ({ name: unique('chan'), topic: 't', private: false }), ok: [201] },
  'PATCH /api/v1/chat/channels/{id}': { path: () => `/api/v1/chat/channels/${f.channel}`, body: () => ({ topic: 'Strict topic' }), ok: [200] },
  'POST /api/v1/chat/channels/{id}/join': { as: 'member', body: null, path: () => `/api/v1/chat/channels/${f.channel}/join`, ok: [200] },
  'POST /api/v1/chat/channels/{id}/members': { path: () => `/api/v1/chat/channels/${f.channel}/members`, body: () => ({ user_id: f.boris }), ok: [200, 201] },
  'PATCH /api/v1/chat/channels/{id}/members/{user_id}': { path: () => `/api/v1/chat/channels/${f.channel}/members/${f.vera}` /* joined above */, body: () => ({ role: 'member' }), ok: [200] },
  'DELETE /api/v1/chat/channels/{id}/members/{user_id}': { body: null, path: () => `/api/v1/chat/channels/${f.channel}/members/${f.boris}`, ok: [200, 204] },
  'POST /api/v1/chat/channels/{id}/messages': { path: () => `/api/v1/chat/channels/${f.channel}/messages`, body: () => ({ body: 'hello', client_id: randomUUID() }), ok: [200, 201] },
  'POST /api/v1/chat/channels/{id}/read': { path: () => `/api/v1/chat/channels/${f.channel}/read`, body: () => ({ message_id: f.message }), ok: [200] },
  'POST /api/v1/chat/direct': { body: () => ({ user_ids: [f.vera] }), ok: [200, 201] },
  'PATCH /api/v1/chat/messages/{id}': { path: () => `/api/v1/chat/messages/${f.message}`, body: () => ({ body: 'edited' }), ok: [200] },
  'DELETE /api/v1/chat/messages/{id}': { body: null, path: () => `/api/v1/chat/messages/${f.doomedMessage}`, ok: [200, 204] },
  'PUT /api/v1/chat/messages/{id}/reactions/{emoji}': { body: null, path: () => `/api/v1/chat/messages/${f.message}/reactions/${encodeURIComponent('👍')}`, ok: [200] },
  'DELETE /api/v1/chat/messages/{id}/reactions/{emoji}': { body: null, path: () => `/api/v1/chat/messages/${f.message}/reactions/${encodeURIComponent('👍')}`, ok: [200] },

  'POST /api/v1/accounts': { body: () => ({ name: unique('Account'), kind: 'prospect' }), ok: [201] },
  'PATCH /api/v1/accounts/{id}': { path: () => `/api/v1/accounts/${f.account}`, body: () => ({ notes: 'Strict', version: f.accountVersion() }), ok: [200] },
  'POST /api/v1/contacts': { body: () => ({ account_id: f.account, name: 'New Contact' }), ok: [201] },
  'PATCH /api/v1/contacts/{id}': { path: () => `/api/v1/contacts/${f.contact}`, body: () => ({ position: 'Boss', version: f.contactVersion() }), ok: [200] },
  'DELETE /api/v1/contacts/{id}': { body: null, path: () => `/api/v1/contacts/${f.doomedContact}`, ok: [200, 204] },
  'POST /api/v1/orders': { body: () => ({ account_id: f.romashka, items: [item()] }), ok: [201] },
  'PATCH /api/v1/orders/{id}': { path: () => `/api/v1/orders/${f.order}`, body: () => ({ comment: 'Strict', version: f.orderVersion() }), ok: [200] },
  'POST /api/v1/orders/{id}/status': { path: () => `/api/v1/orders/${f.order}/status`, body: () => ({ status: 'confirmed', comment: 'ok' }), ok: [200] },

  'POST /api/v1/tickets': { body: () => ({ account_id: f.romashka, requester_id: f.carol, subject: 'Strict', body: 'Help' }), ok: [201] },
  'PATCH /api/v1/tickets/{id}': { path: () => `/api/v1/tickets/${f.ticket}`, body: () => ({ priority: 'high', version: f.ticketVersion() }), ok: [200] },
  'POST /api/v1/tickets/{id}/messages': { path: () => `/api/v1/tickets/${f.ticket}/messages`, body: () => ({ body: 'A reply', internal: true }), ok: [201] },
  'POST /api/v1/tickets/{id}/assign': { path: () => `/api/v1/tickets/${f.ticket}/assign`, body: () => ({ assignee_id: null, version: f.ticketVersion() }), ok: [200] },
  'POST /api/v1/tickets/{id}/status': { path: () => `/api/v1/tickets/${f.ticket}/status`, body: () => ({ status: 'open', version: f.ticketVersion() }), ok: [200] },
  'POST /api/v1/cabinet/tickets': { as: 'customer', body: () => ({ subject: 'From the cabinet', body: 'Help me' }), ok: [201] },
  'POST /api/v1/cabinet/tickets/{id}/messages': { as: 'customer', path: () => `/api/v1/cabinet/tickets/${f.cabTicket}/messages`, body: () => ({ body: 'More' }), ok: [201] },
  'POST /api/v1/cabinet/tickets/{id}/rating': { as: 'customer', path: () => `/api/v1/cabinet/tickets/${f.cabTicket}/rating`, body: () => ({ rating: 5, comment: 'Good' }), ok: [409] /* not resolved yet */ },
  'POST /api/v1/cabinet/documents/{id}/ack': { as: 'customer', body: null, path: () => `/api/v1/cabinet/documents/${f.docId}/ack`, ok: [200, 409] },

  'PATCH /api/v1/documents/{id}': { path: () => `/api/v1/documents/${f.docId}`, body: () => ({ title: 'Strict doc', version: f.docVersion() }), ok: [200] },
  'POST /api/v1/documents/{id}/links': { path: () => `/api/v1/documents/${f.docId}/links`, body: () => ({ expires_at: inMs(86400e3), max_downloads: 3 }), ok: [201] },
  'DELETE /api/v1/share-links/{id}': { body: null, path: () => `/api/v1/share-links/${f.link}`, ok: [200, 204] },
  'POST /api/v1/folders': { body: () => ({ account_id: f.romashka, name: unique('Folder'), kind: 'shared' }), ok: [201] },
  'POST /api/v1/folders/{id}/upload-links': { path: () => `/api/v1/folders/${f.folder}/upload-links`, body: () => ({ expires_at: inMs(86400e3), max_uploads: 2 }), ok: [201] },
};

function writeRoutes() {
  const routes = JSON.parse(execFileSync(portalBin, ['routes'], { env: p.env, encoding: 'utf8' }));
  return routes.filter((r) => !['GET', 'HEAD'].includes(r.method) && !r.raw_body);
}

async function clientFor(kind) {
  if (kind === 'anon') return new Client(p.url);
  if (kind === 'customer') return carol;
  if (kind === 'member') return loginAs(p.url, PERSONAS.member);
  if (kind === 'fresh') return loginAs(p.url, PERSONAS.admin);
  return admin;
}

before(async () => {
  p = await startPortal({ demo: true });
  admin = await loginAs(p.url, PERSONAS.admin);
  carol = await loginAs(p.url, PERSONAS.customer);
  const uid = (email) => num(`SELECT id FROM users WHERE email = '${email}'`);
  f = { vera: uid(PERSONAS.member), boris: uid(PERSONAS.manager), carol: uid(PERSONAS.customer) };
  f.romashka = accountId(p, 'Romashka LLC');
  // another session of anna's, ended by the two session routes
  f.otherSession = () => { const c = new Client(p.url); return c.login(PERSONAS.admin).then(() => num('SELECT MAX(id) FROM sessions')); };
  f.user = await ok(await admin.post('/api/v1/users', { email: 'strict.user@demo.example', name: 'Strict User', realm: 'employee', role: 'member', password: 'a long unguessable pass 42' }), 'user');
  f.userVersion = () => num(`SELECT version FROM users WHERE id = ${f.user.id}`);
  await ok(await admin.post('/api/v1/invitations', { email: 'strict.invitee@demo.example', name: 'Invitee', realm: 'employee', role: 'member' }), 'invitation');
  f.invitation = num('SELECT MAX(id) FROM auth_tokens');

  f.post = await ok(await admin.post('/api/v1/feed/posts', { body: 'Strict fixture post', important: true }), 'post');
  f.postVersion = () => num(`SELECT version FROM posts WHERE id = ${f.post.id}`);
  f.doomedPost = (await ok(await admin.post('/api/v1/feed/posts', { body: 'To delete' }), 'post')).id;
  await ok(await admin.post(`/api/v1/feed/posts/${f.post.id}/comments`, { body: 'Fixture comment' }), 'comment');
  f.comment = num('SELECT MAX(id) FROM post_comments');
  await ok(await admin.post('/api/v1/groups', { name: unique('Strict group') }), 'group');
  f.group = num('SELECT MAX(id) FROM `groups`');

  f.space = (await ok(await admin.post('/api/v1/kb/spaces', { name: unique('Strict space') }), 'space')).id;
  f.article = (await ok(await admin.post('/api/v1/kb/articles', { space_id: f.space, title: 'Fixture', body: 'Body' }), 'article')).id;
  f.articleRevision = () => num(`SELECT revision FROM kb_articles WHERE id = ${f.article}`);

  f.project = await newProject(admin);
  f.projectVersion = () => num(`SELECT version FROM projects WHERE id = ${f.project.id}`);
  f.board = f.project.boards[0].id;
  f.columnIds = () => p.sql(`SELECT id FROM board_columns WHERE board_id = ${f.board} ORDER BY position`).map((r) => Number(r[0]));
  f.column = f.columnIds()[1];
  await ok(await admin.post(`/api/v1/projects/${f.project.id}/labels`, { name: 'Fixture', color: '#101010' }), 'label');
  f.label = num('SELECT MAX(id) FROM labels');
  await ok(await admin.post(`/api/v1/projects/${f.project.id}/labels`, { name: 'Doomed', color: '#101010' }), 'label');
  f.doomedLabel = num('SELECT MAX(id) FROM labels');
  f.card = (await newCard(admin, f.board)).id;
  f.cardVersion = () => num(`SELECT version FROM cards WHERE id = ${f.card}`);
  await ok(await admin.post(`/api/v1/cards/${f.card}/checklist`, { text: 'Fixture step' }), 'check');
  f.checkItem = num('SELECT MAX(id) FROM card_checklist');
  await ok(await admin.post(`/api/v1/cards/${f.card}/checklist`, { text: 'Doomed step' }), 'check');
  f.doomedCheckItem = num('SELECT MAX(id) FROM card_checklist');

  f.channel = (await ok(await admin.post('/api/v1/chat/channels', { name: unique('strict') }), 'channel')).id;
  const say = async (body) => (await ok(await admin.post(`/api/v1/chat/channels/${f.channel}/messages`, { body, client_id: randomUUID() }), 'message'));
  await say('fixture');
  f.message = num('SELECT MAX(id) FROM chat_messages');
  await say('doomed');
  f.doomedMessage = num('SELECT MAX(id) FROM chat_messages');

  f.account = (await ok(await admin.post('/api/v1/accounts', { name: unique('Strict account'), kind: 'customer' }), 'account')).id;
  f.accountVersion = () => num(`SELECT version FROM accounts WHERE id = ${f.account}`);
  f.contact = (await ok(await admin.post('/api/v1/contacts', { account_id: f.account, name: 'Fixture Contact' }), 'contact')).id;
  f.contactVersion = () => num(`SELECT version FROM contacts WHERE id = ${f.contact}`);
  f.doomedContact = (await ok(await admin.post('/api/v1/contacts', { account_id: f.account, name: 'Doomed Contact' }), 'contact')).id;
  f.order = (await newOrder(admin, f.romashka)).id;
  f.orderVersion = () => num(`SELECT version FROM orders WHERE id = ${f.order}`);

  f.ticket = (await ok(await admin.post('/api/v1/tickets', { account_id: f.romashka, requester_id: f.carol, subject: 'Fixture', body: 'Body' }), 'ticket')).id;
  f.ticketVersion = () => num(`SELECT version FROM tickets WHERE id = ${f.ticket}`);
  f.cabTicket = (await ok(await carol.post('/api/v1/cabinet/tickets', { subject: 'Cabinet fixture', body: 'Body' }), 'cabinet ticket')).id;

  f.docId = (await newDocument(admin, f.romashka, Buffer.from('strict fixture document'))).document_id;
  f.docVersion = () => num(`SELECT version FROM documents WHERE id = ${f.docId}`);
  await ok(await admin.post(`/api/v1/documents/${f.docId}/links`, { expires_at: inMs(86400e3) }), 'link');
  f.link = num('SELECT MAX(id) FROM doc_links');
  await ok(await admin.post('/api/v1/folders', { account_id: f.romashka, name: unique('Strict folder') }), 'folder');
  f.folder = num('SELECT MAX(id) FROM doc_folders');
});
after(async () => { await p?.stop(); });

describe('strict bodies', () => {
  test('every write route refuses an unknown key: 400 unknown_field naming it, the keys it takes listed, no row changed', async (t) => {
    const routes = writeRoutes();
    const missing = routes.map((r) => `${r.method} ${r.pattern}`).filter((k) => !CASES[k]);
    assert.deepEqual(missing, [], 'write routes without a strict-body case in tests/api/strict_bodies.test.mjs');
    for (const r of routes) {
      const key = `${r.method} ${r.pattern}`;
      await t.test(key, async () => {
        const c = CASES[key];
        const client = await clientFor(c.as);
        const path = c.path ? await c.path() : r.pattern;
        const valid = c.body ? await c.body() : null;
        const before = snapshot();
        const res = await client.req(r.method, path, { body: { ...valid, [EXTRA]: 1 } });
        assert.equal(res.status, 400, show(res));
        assert.equal(res.body?.error?.code, 'unknown_field', show(res));
        assert.equal(res.body.error.field, EXTRA, show(res));
        const msg = res.body.error.message;
        assert.match(msg, new RegExp(`^Unknown field ${EXTRA}; this route takes`), msg);
        if (valid) for (const k of Object.keys(valid)) assert.ok(msg.includes(k), `${msg}: does not list ${k}`);
        else assert.match(msg, /takes no fields/);
        assert.equal(snapshot(), before, 'a row changed');
        if (c.ok) {
          const good = valid ? await client.req(r.method, path, { body: valid }) : await client.req(r.method, path);
          assert.ok(c.ok.includes(good.status), `the valid body: want ${c.ok}, got ${show(good)}`);
        }
      });
    }
  });

  test('objects in arrays are checked too: an order line, a checklist item', async () => {
    let before = snapshot();
    let res = await admin.post('/api/v1/orders', { account_id: f.romashka, items: [item(), item({ colour: 'red' })] });
    assert.equal(res.status, 400, show(res));
    assert.equal(res.body.error.code, 'unknown_field');
    assert.equal(res.body.error.field, 'items[1].colour');
    assert.match(res.body.error.message, /product_name, sku, quantity, unit_price, unit_price_minor, vat_rate/);
    assert.equal(snapshot(), before, 'a row changed');

    before = snapshot();
    res = await admin.patch(`/api/v1/cards/${f.card}`, { version: f.cardVersion(), checklist: ['plain', { text: 'x', done: true, checked: true }] });
    assert.equal(res.status, 400, show(res));
    assert.equal(res.body.error.code, 'unknown_field');
    assert.equal(res.body.error.field, 'checklist[1].checked');
    assert.match(res.body.error.message, /id, text, done/);
    assert.equal(snapshot(), before, 'a row changed');
  });

  test('the reported case: max_uses instead of max_downloads makes no link', async () => {
    const before = num('SELECT COUNT(*) FROM doc_links');
    const res = await admin.post(`/api/v1/documents/${f.docId}/links`, { expires_at: inMs(86400e3), max_uses: 1 });
    assert.equal(res.status, 400, show(res));
    assert.equal(res.body.error.field, 'max_uses');
    assert.equal(res.body.error.message, 'Unknown field max_uses; this route takes: expires_at, password, max_downloads');
    assert.equal(num('SELECT COUNT(*) FROM doc_links'), before);
  });

  test('a write route without a body takes none, {} or an empty body', async () => {
    const c = await loginAs(p.url, PERSONAS.member);
    assert.equal((await c.post(`/api/v1/feed/posts/${f.post.id}/ack`, {})).status, 200);
    assert.equal((await c.req('POST', `/api/v1/feed/posts/${f.post.id}/ack`)).status, 200);
    const res = await api(p.url, 'POST', '/api/v1/realtime/ticket', { raw: '', headers: c.headers('POST') });
    assert.ok(res.status < 300, show(res));
  });
});

test('no handler used a body without declaring its keys (the server logs each one)', async () => {
  // Runs after the route cases above (node:test runs top-level tests in order).
  const lines = p.logs().split('\n').filter((l) => l.includes('without declaring its fields'));
  assert.deepEqual(lines, []);
});
