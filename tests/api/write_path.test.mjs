// The one write path (portal/write.c): a write whose first attempt dies of a deadlock
// (injected after its work, before its commit, by PORTAL_TEST_WRITE_FAULT) is run again
// and commits exactly once: one row, one audit entry, one outbox event, and the client
// sees success, not 503. One case per module as they move onto http_write.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startPortal } from '../lib/portal.mjs';
import { loginAs, mailsTo, show, Client, setCookies, sessionCookie, PERSONAS } from '../lib/identity.mjs';
import { projectWithCards, move, unique, newProject, newCard } from '../lib/boards.mjs';
import { item } from '../lib/crm.mjs';

const FAULTS = [
  'POST /api/v1/cards/{id}/move',
  'POST /api/v1/cards/{id}/comments',
  'POST /api/v1/feed/posts',
  'PUT /api/v1/kb/articles/{id}',
  'PATCH /api/v1/accounts/{id}',
  'POST /api/v1/orders/{id}/status',
  'POST /api/v1/tickets/{id}/messages',
  'POST /api/v1/chat/channels/{id}/messages',
  'POST /api/v1/folders',
  'POST /api/v1/auth/login',
  'POST /api/v1/users',
];
let p, anna;
const one = (q) => p.sql(q)[0][0];

before(async () => {
  p = await startPortal({ demo: true, env: { PORTAL_TEST_WRITE_FAULT: FAULTS.join(',') } });
  anna = await loginAs(p.url, 'anna@demo.example');
});
after(async () => { await p?.stop(); });

function retried(pattern) {
  return p.logs().split('\n').some((l) => l.includes(`${pattern} committed on attempt 2`));
}

test('a card move that deadlocks once is retried and lands once', async () => {
  const { board, cards } = await projectWithCards(anna, 1);
  const card = cards[0];
  const done = board.columns.find((c) => c.name === 'Done');
  const res = await move(anna, card.id, { column_id: done.id });
  assert.equal(res.status, 200, show(res));
  assert.equal(res.body.column_id, done.id);
  assert.equal(one(`SELECT column_id FROM cards WHERE id = ${card.id}`), String(done.id));
  assert.equal(one(`SELECT COUNT(*) FROM audit WHERE action = 'card.move' AND object_id = ${card.id}`), '1');
  assert.equal(one(`SELECT COUNT(*) FROM card_activity WHERE card_id = ${card.id} AND kind = 'moved'`), '1');
  assert.equal(one(`SELECT COUNT(*) FROM event WHERE type = 'card.moved' AND JSON_VALUE(payload, '$.card_id') = ${card.id}`), '1');
  assert.ok(retried('/api/v1/cards/{id}/move'), 'the first attempt failed and the second committed');
});

test('a card comment that deadlocks once is retried and lands once, its notification too', async () => {
  const boris = await loginAs(p.url, 'boris@demo.example');
  const project = await newProject(anna, { members: [boris.user.id] });
  const { id } = await newCard(anna, project.boards[0].id, { assignees: [boris.user.id] });
  const body = unique('retried comment');
  const res = await anna.post(`/api/v1/cards/${id}/comments`, { body });
  assert.equal(res.status, 201, show(res));
  assert.equal(res.body.body, body);
  assert.equal(one(`SELECT COUNT(*) FROM card_comments WHERE body_md = '${body}'`), '1');
  assert.equal(one(`SELECT COUNT(*) FROM audit WHERE action = 'card.comment' AND object_id = ${id}`), '1');
  assert.equal(one(`SELECT COUNT(*) FROM card_activity WHERE card_id = ${id} AND kind = 'commented'`), '1');
  assert.equal(one(`SELECT COUNT(*) FROM event WHERE type = 'card.commented' AND JSON_VALUE(payload, '$.card_id') = ${id}`), '1');
  assert.equal(one(`SELECT COUNT(*) FROM notifications WHERE user_id = ${boris.user.id} AND kind = 'card_comment' AND object_id = ${id}`), '1', 'the assignee hears of it once');
  assert.ok(retried('/api/v1/cards/{id}/comments'), 'the first attempt failed and the second committed');
});

test('a feed post that deadlocks once is retried and lands once', async () => {
  const body = unique('retried post');
  const res = await anna.post('/api/v1/feed/posts', { body });
  assert.equal(res.status, 201, show(res));
  assert.equal(one(`SELECT COUNT(*) FROM posts WHERE body_md = '${body}'`), '1');
  assert.equal(one(`SELECT COUNT(*) FROM audit WHERE action = 'post.create' AND object_id = ${res.body.id}`), '1');
  assert.equal(one(`SELECT COUNT(*) FROM event WHERE type = 'feed.post' AND JSON_VALUE(payload, '$.post_id') = ${res.body.id}`), '1');
  assert.ok(retried('/api/v1/feed/posts'), 'the first attempt failed and the second committed');
});

test('a knowledge base save that deadlocks once is retried and makes one revision', async () => {
  const space = one('SELECT MIN(id) FROM kb_spaces');
  const created = await anna.post('/api/v1/kb/articles', { space_id: Number(space), title: unique('retried'), body: 'first' });
  assert.equal(created.status, 201, show(created));
  const id = created.body.id;
  const res = await anna.req('PUT', `/api/v1/kb/articles/${id}`, { body: { body: 'second', base_revision: 1 } });
  assert.equal(res.status, 200, show(res));
  assert.equal(res.body.revision, 2);
  assert.equal(one(`SELECT body_md FROM kb_articles WHERE id = ${id}`), 'second');
  assert.equal(one(`SELECT COUNT(*) FROM kb_revisions WHERE article_id = ${id}`), '2');
  assert.equal(one(`SELECT COUNT(*) FROM audit WHERE action = 'kb_article.update' AND object_id = ${id}`), '1');
  assert.ok(retried('/api/v1/kb/articles/{id}'), 'the first attempt failed and the second committed');
});

test('an account edit that deadlocks once is retried and lands once', async () => {
  const created = await anna.post('/api/v1/accounts', { name: unique('Retried LLC'), kind: 'customer' });
  assert.equal(created.status, 201, show(created));
  const id = created.body.id;
  const res = await anna.patch(`/api/v1/accounts/${id}`, { version: created.body.version, phone: '+7 495 123-45-67' });
  assert.equal(res.status, 200, show(res));
  assert.equal(res.body.version, created.body.version + 1);
  assert.equal(one(`SELECT COUNT(*) FROM account_timeline WHERE account_id = ${id} AND kind = 'account.updated'`), '1');
  assert.equal(one(`SELECT COUNT(*) FROM audit WHERE action = 'account.update' AND object_id = ${id}`), '1');
  assert.ok(retried('/api/v1/accounts/{id}'), 'the first attempt failed and the second committed');
});

test('an order status change that deadlocks once is retried, lands once and mails once', async () => {
  const account = Number(one("SELECT id FROM accounts WHERE name = 'Romashka LLC'"));
  const created = await anna.post('/api/v1/orders', { account_id: account, items: [item()] });
  assert.equal(created.status, 201, show(created));
  const { id, number } = created.body;
  const res = await anna.post(`/api/v1/orders/${id}/status`, { status: 'confirmed' });
  assert.equal(res.status, 200, show(res));
  assert.equal(res.body.status, 'confirmed');
  assert.equal(one(`SELECT COUNT(*) FROM order_status_history WHERE order_id = ${id} AND to_status = 'confirmed'`), '1');
  assert.equal(one(`SELECT COUNT(*) FROM audit WHERE action = 'order.status' AND object_id = ${id}`), '1');
  assert.equal(one(`SELECT COUNT(*) FROM event WHERE type = 'order.status' AND JSON_VALUE(payload, '$.id') = ${id} AND JSON_VALUE(payload, '$.to') = 'confirmed'`), '2');
  const mails = mailsTo(p.dataDir, 'carol@client.example').filter((m) => m.body.includes(number) && /Confirmed/.test(m.subject));
  assert.equal(mails.length, 1, 'the mail goes after the commit, once');
  assert.ok(retried('/api/v1/orders/{id}/status'), 'the first attempt failed and the second committed');
});

test('a ticket reply that deadlocks once is retried and lands once', async () => {
  const ticket = one('SELECT MIN(id) FROM tickets');
  const body = unique('retried reply');
  const res = await anna.post(`/api/v1/tickets/${ticket}/messages`, { body });
  assert.equal(res.status, 201, show(res));
  assert.equal(one(`SELECT COUNT(*) FROM ticket_messages WHERE body_md = '${body}'`), '1');
  const replies = one(`SELECT COUNT(*) FROM audit WHERE action = 'ticket.reply' AND object_id = ${ticket}`);
  assert.equal(replies, '1', 'one audit entry for the one reply');
  assert.ok(retried('/api/v1/tickets/{id}/messages'), 'the first attempt failed and the second committed');
});

test('a chat message that deadlocks once is retried and lands once', async () => {
  const channel = one("SELECT id FROM chat_channels WHERE name = 'general'");
  const body = unique('retried message');
  const res = await anna.post(`/api/v1/chat/channels/${channel}/messages`, { body, client_id: randomUUID() });
  assert.equal(res.status, 201, show(res));
  assert.equal(one(`SELECT COUNT(*) FROM chat_messages WHERE body_md = '${body}'`), '1');
  assert.equal(one(`SELECT COUNT(*) FROM audit WHERE action = 'chat.message.send' AND object_id = ${res.body.id}`), '1');
  assert.equal(one(`SELECT COUNT(*) FROM event WHERE type = 'chat.message' AND JSON_VALUE(payload, '$.id') = ${res.body.id}`), '1');
  assert.ok(retried('/api/v1/chat/channels/{id}/messages'), 'the first attempt failed and the second committed');
});

test('a document folder that deadlocks once is retried and lands once', async () => {
  const account = one('SELECT MIN(id) FROM accounts');
  const name = unique('Retried folder');
  const res = await anna.post('/api/v1/folders', { account_id: Number(account), name, kind: 'internal' });
  assert.equal(res.status, 201, show(res));
  assert.equal(one(`SELECT COUNT(*) FROM doc_folders WHERE name = '${name}'`), '1');
  assert.equal(one(`SELECT COUNT(*) FROM audit WHERE action = 'document.folder_create' AND object_id = ${res.body.id}`), '1');
  assert.equal(one(`SELECT COUNT(*) FROM event WHERE type = 'document.folder' AND JSON_VALUE(payload, '$.id') = ${res.body.id}`), '1');
  assert.ok(retried('/api/v1/folders'), 'the first attempt failed and the second committed');
});

test('a login that deadlocks once is retried: one session, one cookie, and it works', async () => {
  const vera = new Client(p.url);
  const res = await vera.login(PERSONAS.member);
  const cookies = setCookies(res).filter((l) => /portal_session=/.test(l));
  assert.equal(cookies.length, 1, `one session cookie, not the rolled-back one too: ${cookies.join(' | ')}`);
  assert.ok(sessionCookie(res).value);
  const me = await vera.get('/api/v1/me');
  assert.equal(me.status, 200, show(me));
  const id = vera.user.id;
  assert.equal(one(`SELECT COUNT(*) FROM sessions WHERE user_id = ${id}`), '1');
  assert.equal(one(`SELECT COUNT(*) FROM audit WHERE action = 'auth.login' AND object_id = ${id}`), '1');
  assert.ok(retried('/api/v1/auth/login'), 'the first attempt failed and the second committed');
});

test('a user created by an admin that deadlocks once is retried and lands once', async () => {
  const email = `${unique('retried').replace(' ', '-')}@demo.example`;
  const res = await anna.post('/api/v1/users', {
    email, name: 'Retried User', realm: 'employee', role: 'member', password: 'a long and unusual passphrase 7',
  });
  assert.equal(res.status, 201, show(res));
  assert.equal(one(`SELECT COUNT(*) FROM users WHERE email = '${email}'`), '1');
  assert.equal(one(`SELECT COUNT(*) FROM audit WHERE action = 'user.create' AND object_id = ${res.body.id}`), '1');
  assert.ok(retried('/api/v1/users'), 'the first attempt failed and the second committed');
});
