// Boards, the cards: create and read, bad input (a malformed due date, a 10,000-item
// checklist, over-long text, people and labels from outside the project), edits with
// the card's version (409 with the current card when stale), the activity history of
// every change, comments with @mentions and their notifications, checklist items,
// attachments whose download follows the card, the board view (filters, and a fixed
// number of statements whatever the card count) and my open tasks, overdue first.
// Demo people: anna (admin), boris (manager), vera (member).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startPortal } from '../lib/portal.mjs';
import { loginAs, show } from '../lib/identity.mjs';
import {
  newProject, newCard, getBoard, layout, move, assertError, projectWithCards,
} from '../lib/boards.mjs';

const KiB = 1024;
let p;
let anna; let boris; let vera;
before(async () => {
  p = await startPortal({ demo: true, env: { PORTAL_SCHEDULER_INTERVAL: '3600' } });
  [anna, boris, vera] = await Promise.all([
    loginAs(p.url, 'anna@demo.example'), loginAs(p.url, 'boris@demo.example'),
    loginAs(p.url, 'vera@demo.example'),
  ]);
});
after(async () => { await p?.stop(); });

const one = (q) => p.sql(q)[0]?.[0];
const day = (offset) => new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10);

async function notifications(client) {
  const res = await client.get('/api/v1/notifications?limit=100');
  assert.equal(res.status, 200, show(res));
  return res.body.items;
}

describe('create and read', () => {
  test('a card keeps what it was given; the description is rendered in safe mode', async () => {
    const project = await newProject(vera, { members: [boris.user.id] });
    const b = project.boards[0].id;
    const label = (await vera.post(`/api/v1/projects/${project.id}/labels`, { name: 'bug', color: '#ff0000' })).body;
    const md = 'Steps:\n\n1. **open** it\n2. <script>alert(1)</script> [x](javascript:alert(1))\n\nПривет 👋';
    const card = await newCard(vera, b, {
      title: '  Fix the login page  ', description: md, priority: 'urgent', due_date: '2031-02-28',
      assignees: [boris.user.id, vera.user.id], labels: [label.id],
      checklist: ['first', { text: 'second', done: true }],
    });
    assert.equal(card.title, 'Fix the login page');
    assert.equal(card.description, md);
    assert.match(card.description_html, /<strong>open<\/strong>/);
    assert.doesNotMatch(card.description_html, /<script|javascript:/i);
    assert.match(card.description_html, /Привет 👋/);
    assert.equal(card.priority, 'urgent');
    assert.equal(card.due_date, '2031-02-28');
    assert.equal(card.overdue, false);
    assert.equal(card.archived, false);
    assert.equal(card.version, 1);
    assert.deepEqual(card.assignees.map((a) => a.handle), ['boris', 'vera']);
    assert.deepEqual(card.labels, [{ id: label.id, name: 'bug', color: '#ff0000' }]);
    assert.deepEqual(card.checklist.map((i) => [i.text, i.done]), [['first', false], ['second', true]]);
    assert.deepEqual(card.checklist_summary, { total: 2, done: 1 });
    assert.equal(card.column.name, 'To do');
    assert.equal(card.board.id, b);
    assert.equal(card.project.id, project.id);
    assert.equal(card.created_by.id, vera.user.id);
    assert.deepEqual(card.comments, []);
    assert.deepEqual(card.files, []);
    const got = await boris.get(`/api/v1/cards/${card.id}`);
    assert.equal(got.status, 200, show(got));
    assert.deepEqual(got.body, card);
    // The board shows the same card, in short.
    const board = await getBoard(boris, b);
    assert.deepEqual(board.columns[0].cards[0], {
      id: card.id, column_id: card.column_id, title: 'Fix the login page', priority: 'urgent',
      due_date: '2031-02-28', overdue: false, archived: false, version: 1, has_description: true,
      assignees: [boris.user.id, vera.user.id].sort((x, y) => x - y), labels: [label.id],
      checklist: { total: 2, done: 1 }, comment_count: 0, file_count: 0,
    });
    assert.equal(one(`SELECT COUNT(*) FROM audit WHERE action = 'card.create' AND object_id = ${card.id}`), '1');
    assert.equal(one(`SELECT COUNT(*) FROM event WHERE type = 'card.created' AND audience = 'board:${b}' AND JSON_VALUE(payload, '$.card_id') = ${card.id}`), '1');
  });

  test('defaults: normal priority, no due date, the first column, at the bottom (or the top)', async () => {
    const { boardId, cards } = await projectWithCards(vera, 2);
    assert.equal(cards[0].priority, 'normal');
    assert.equal(cards[0].due_date, null);
    const top = await newCard(vera, boardId, { title: 'on top', position: 'top' });
    const done = (await getBoard(vera, boardId)).columns[2];
    const inDone = await newCard(vera, boardId, { title: 'finished', column_id: done.id });
    const l = layout(await getBoard(vera, boardId));
    assert.deepEqual(l['To do'].cards, [top.id, cards[0].id, cards[1].id]);
    assert.deepEqual(l.Done.cards, [inDone.id]);
  });

  test('bad input is 400 naming the field, and nothing is stored', async () => {
    const project = await newProject(vera);
    const b = project.boards[0].id;
    const other = await newProject(vera);
    const foreignColumn = (await getBoard(vera, other.boards[0].id)).columns[0].id;
    const before = one('SELECT COUNT(*) FROM cards');
    const cases = [
      [{}, 'title'],
      [{ title: '  ' }, 'title'],
      [{ title: 'x'.repeat(301) }, 'title'],
      [{ title: 42 }, 'title'],
      [{ title: 'ok', due_date: '2025-13-01' }, 'due_date'],
      [{ title: 'ok', due_date: '2025-02-30' }, 'due_date'],
      [{ title: 'ok', due_date: '2023-02-29' }, 'due_date'],
      [{ title: 'ok', due_date: '2025-1-5' }, 'due_date'],
      [{ title: 'ok', due_date: '05.01.2025' }, 'due_date'],
      [{ title: 'ok', due_date: 'tomorrow' }, 'due_date'],
      [{ title: 'ok', due_date: '2025-01-05T10:00:00Z' }, 'due_date'],
      [{ title: 'ok', due_date: 20250105 }, 'due_date'],
      [{ title: 'ok', due_date: '' }, 'due_date'],
      [{ title: 'ok', priority: 'asap' }, 'priority'],
      [{ title: 'ok', position: 'middle' }, 'position'],
      [{ title: 'ok', assignees: 'vera' }, 'assignees'],
      [{ title: 'ok', assignees: [0] }, 'assignees'],
      [{ title: 'ok', assignees: [boris.user.id] }, 'assignees'], // not a member
      [{ title: 'ok', assignees: Array.from({ length: 21 }, (_, i) => i + 1) }, 'assignees'],
      [{ title: 'ok', labels: [999999] }, 'labels'],
      [{ title: 'ok', column_id: foreignColumn }, 'column_id'],
      [{ title: 'ok', column_id: 999999 }, 'column_id'],
      [{ title: 'ok', checklist: 'do it' }, 'checklist'],
      [{ title: 'ok', checklist: [''] }, 'checklist'],
      [{ title: 'ok', checklist: [{ done: true }] }, 'checklist'],
      [{ title: 'ok', checklist: ['x'.repeat(501)] }, 'checklist'],
      [{ title: 'ok', files: [999999] }, 'files'],
    ];
    for (const [body, field] of cases) {
      assertError(await vera.post(`/api/v1/boards/${b}/cards`, body), 400, 'validation_failed', field);
    }
    assert.equal(one('SELECT COUNT(*) FROM cards'), before);
  });

  test('a checklist of 10,000 items is refused with a clear limit (100); 100 is fine', async () => {
    const project = await newProject(vera);
    const b = project.boards[0].id;
    const huge = Array.from({ length: 10000 }, (_, i) => `item ${i}`);
    const res = await vera.post(`/api/v1/boards/${b}/cards`, { title: 'huge', checklist: huge });
    assertError(res, 400, 'validation_failed', 'checklist');
    assert.match(res.body.error.message, /at most 100/);
    const card = await newCard(vera, b, { checklist: huge.slice(0, 100) });
    assert.equal(card.checklist.length, 100);
    // The same limit holds for items added one by one, and for a PATCH.
    assertError(await vera.post(`/api/v1/cards/${card.id}/checklist`, { text: 'one more' }), 400, 'validation_failed', 'checklist');
    assertError(await vera.patch(`/api/v1/cards/${card.id}`, { checklist: huge, version: card.version }), 400, 'validation_failed', 'checklist');
    assert.equal(one(`SELECT COUNT(*) FROM card_checklist WHERE card_id = ${card.id}`), '100');
  });

  test('a description over 256 KiB is 413 naming the field', async () => {
    const project = await newProject(vera);
    const res = await vera.post(`/api/v1/boards/${project.boards[0].id}/cards`, { title: 'big', description: 'a'.repeat(256 * KiB + 1) });
    assertError(res, 413, 'payload_too_large', 'description');
  });
});

describe('edits carry the version', () => {
  test('a stale version gets 409 with the current card, and changes nothing', async () => {
    const { cards: [card] } = await projectWithCards(vera, 1);
    const first = await vera.patch(`/api/v1/cards/${card.id}`, { title: 'first edit', version: 1 });
    assert.equal(first.status, 200, show(first));
    assert.equal(first.body.version, 2);
    const stale = await boris.patch(`/api/v1/cards/${card.id}`, { title: 'second edit', version: 1 });
    assert.equal(stale.status, 403, 'boris is not a member');
    const again = await vera.patch(`/api/v1/cards/${card.id}`, { title: 'stale edit', version: 1 });
    assertError(again, 409, 'conflict', 'version');
    assert.equal(again.body.current.title, 'first edit');
    assert.equal(again.body.current.version, 2);
    assert.equal(again.body.current.id, card.id);
    assert.equal(one(`SELECT CONCAT(title, '|', version) FROM cards WHERE id = ${card.id}`), 'first edit|2');
    assertError(await vera.patch(`/api/v1/cards/${card.id}`, { title: 'no version' }), 400, 'validation_failed', 'version');
    assertError(await vera.patch(`/api/v1/cards/${card.id}`, { due_date: '31/12/2030', version: 2 }), 400, 'validation_failed', 'due_date');
  });

  test('two people editing at once: one wins, the other gets 409 with the winner\'s card', async () => {
    const { project, cards: [card] } = await projectWithCards(vera, 1);
    await vera.patch(`/api/v1/projects/${project.id}`, { members: [vera.user.id, boris.user.id], version: project.version });
    const results = await Promise.all([
      vera.patch(`/api/v1/cards/${card.id}`, { title: 'by vera', version: 1 }),
      boris.patch(`/api/v1/cards/${card.id}`, { title: 'by boris', version: 1 }),
    ]);
    const ok = results.filter((r) => r.status === 200);
    const lost = results.filter((r) => r.status === 409);
    assert.equal(ok.length, 1, results.map(show).join('\n'));
    assert.equal(lost.length, 1, results.map(show).join('\n'));
    assert.equal(lost[0].body.current.title, ok[0].body.title);
    assert.equal(lost[0].body.current.version, 2);
  });

  test('an edit that changes nothing keeps the version and writes no history', async () => {
    const { cards: [card] } = await projectWithCards(vera, 1);
    const res = await vera.patch(`/api/v1/cards/${card.id}`, { title: card.title, priority: 'normal', version: 1 });
    assert.equal(res.status, 200, show(res));
    assert.equal(res.body.version, 1);
    assert.equal(one(`SELECT COUNT(*) FROM card_activity WHERE card_id = ${card.id}`), '1');
  });

  test('archived cards leave the board and my tasks; ?archived=1 shows them', async () => {
    const { boardId, cards: [card, other] } = await projectWithCards(vera, 2);
    await vera.patch(`/api/v1/cards/${card.id}`, { assignees: [vera.user.id], due_date: day(-3), version: 1 });
    assert.ok((await vera.get('/api/v1/me/tasks')).body.items.some((t) => t.id === card.id));
    const res = await vera.patch(`/api/v1/cards/${card.id}`, { archived: true, version: 2 });
    assert.equal(res.status, 200, show(res));
    assert.equal(res.body.archived, true);
    const board = await getBoard(vera, boardId);
    assert.deepEqual(board.columns[0].cards.map((c) => c.id), [other.id]);
    assert.equal(board.columns[0].card_count, 1);
    const archived = await getBoard(vera, boardId, 'archived=1');
    assert.deepEqual(archived.columns[0].cards.map((c) => [c.id, c.archived]), [[card.id, true]]);
    assert.ok(!(await vera.get('/api/v1/me/tasks')).body.items.some((t) => t.id === card.id));
    const back = await vera.patch(`/api/v1/cards/${card.id}`, { archived: false, version: 3 });
    assert.equal(back.status, 200);
    assert.deepEqual(layout(await getBoard(vera, boardId))['To do'].cards, [card.id, other.id], 'it comes back where it was');
  });
});

describe('activity history', () => {
  test('every change of a card is in its history, newest first, with who did it', async () => {
    const project = await newProject(vera, { members: [boris.user.id] });
    const b = project.boards[0].id;
    const cols = layout(await getBoard(vera, b));
    const card = await newCard(vera, b, { title: 'tracked', checklist: ['step'] });
    let res = await vera.patch(`/api/v1/cards/${card.id}`, {
      title: 'tracked card', description: 'now with text', priority: 'high', due_date: '2030-05-01',
      assignees: [boris.user.id], version: 1,
    });
    assert.equal(res.status, 200, show(res));
    res = await move(boris, card.id, { column_id: cols['In progress'].id });
    assert.equal(res.status, 200, show(res));
    res = await boris.post(`/api/v1/cards/${card.id}/comments`, { body: 'on it' });
    assert.equal(res.status, 201, show(res));
    const item = (await vera.get(`/api/v1/cards/${card.id}`)).body.checklist[0];
    res = await boris.patch(`/api/v1/cards/${card.id}/checklist/${item.id}`, { done: true });
    assert.equal(res.status, 200, show(res));
    res = await vera.patch(`/api/v1/cards/${card.id}`, { due_date: null, version: res.body.version });
    assert.equal(res.status, 200, show(res));

    const history = (await vera.get(`/api/v1/cards/${card.id}/activity`)).body.items;
    assert.deepEqual(history.map((h) => [h.kind, h.actor.handle]), [
      ['updated', 'vera'], ['checklist', 'boris'], ['commented', 'boris'], ['moved', 'boris'],
      ['updated', 'vera'], ['created', 'vera'],
    ]);
    assert.deepEqual(history[0].details, { changes: { due_date: { from: '2030-05-01', to: null } } });
    assert.deepEqual(history[1].details, { action: 'check', item_id: item.id, text: 'step' });
    assert.equal(typeof history[2].details.comment_id, 'number');
    assert.deepEqual(history[3].details, {
      from: { id: cols['To do'].id, name: 'To do' }, to: { id: cols['In progress'].id, name: 'In progress' },
    });
    assert.deepEqual(history[4].details.changes, {
      title: { from: 'tracked', to: 'tracked card' }, description: true,
      priority: { from: 'normal', to: 'high' }, due_date: { from: null, to: '2030-05-01' },
      assignees: { added: [boris.user.id], removed: [] },
    });
    assert.deepEqual(history[5].details, { column: { id: cols['To do'].id, name: 'To do' } });
    for (const h of history) assert.ok(Math.abs(Date.parse(h.created_at) - Date.now()) < 120000);
    // Keyset paging.
    const page = (await vera.get(`/api/v1/cards/${card.id}/activity?limit=2`)).body;
    assert.equal(page.items.length, 2);
    const rest = (await vera.get(`/api/v1/cards/${card.id}/activity?limit=10&before=${page.next_before}`)).body;
    assert.deepEqual([...page.items, ...rest.items].map((h) => h.id), history.map((h) => h.id));
    assertError(await vera.get(`/api/v1/cards/${card.id}/activity?limit=0`), 400, 'validation_failed', 'limit');
    // Each write is audited too.
    assert.equal(one(`SELECT COUNT(*) FROM audit WHERE object_type = 'card' AND object_id = ${card.id}`), '6');
  });
});

describe('comments, mentions and notifications', () => {
  test('@mentions notify project members (as in the feed), assignees hear of comments, outsiders nothing', async () => {
    const project = await newProject(vera, { members: [boris.user.id] });
    const card = await newCard(vera, project.boards[0].id, { title: 'Discuss', assignees: [vera.user.id] });
    const [annaBefore, borisBefore, veraBefore] = await Promise.all([anna, boris, vera].map(notifications));
    const res = await boris.post(`/api/v1/cards/${card.id}/comments`, { body: 'Ping @anna and @vera, see `@nobody`' });
    assert.equal(res.status, 201, show(res));
    assert.equal(res.body.author.id, boris.user.id);
    assert.equal(res.body.body, 'Ping @anna and @vera, see `@nobody`');
    assert.match(res.body.html, /<code>@nobody<\/code>/);
    const fresh = async (client, before) => (await notifications(client)).filter((n) => !before.some((b) => b.id === n.id));
    const veraNew = await fresh(vera, veraBefore);
    assert.deepEqual(veraNew.map((n) => [n.kind, n.object_type, n.object_id]), [['mention', 'card', card.id]], 'mentioned: one notification, not a second one as assignee');
    assert.match(veraNew[0].summary, /Boris Ivanov mentioned you: Ping @anna/);
    const annaNew = await fresh(anna, annaBefore);
    assert.deepEqual(annaNew.map((n) => n.kind), ['mention'], 'admins see every project, so they may be mentioned');
    assert.deepEqual(await fresh(boris, borisBefore), [], 'the author is not notified');
    // An assignee who was not mentioned hears of the comment.
    const res2 = await vera.post(`/api/v1/cards/${card.id}/comments`, { body: 'noted' });
    assert.equal(res2.status, 201);
    assert.deepEqual((await fresh(vera, veraBefore)).length, 1, 'her own comment does not notify her');
    await vera.patch(`/api/v1/cards/${card.id}`, { assignees: [vera.user.id, boris.user.id], version: 1 });
    const before2 = await notifications(boris);
    await vera.post(`/api/v1/cards/${card.id}/comments`, { body: 'for the assignees' });
    assert.deepEqual((await fresh(boris, before2)).map((n) => n.kind), ['card_comment']);
    // Comments show on the card and count on the board.
    const full = (await vera.get(`/api/v1/cards/${card.id}`)).body;
    assert.deepEqual(full.comments.map((c) => c.body), ['Ping @anna and @vera, see `@nobody`', 'noted', 'for the assignees']);
    assert.equal((await getBoard(vera, project.boards[0].id)).columns[0].cards[0].comment_count, 3);
    assert.equal(one(`SELECT COUNT(*) FROM event WHERE type = 'card.commented' AND audience = 'board:${project.boards[0].id}'`), '3');
    assertError(await vera.post(`/api/v1/cards/${card.id}/comments`, {}), 400, 'validation_failed', 'body');
    assertError(await vera.post(`/api/v1/cards/${card.id}/comments`, { body: ' ' }), 400, 'validation_failed', 'body');
    assertError(await vera.post('/api/v1/cards/999999/comments', { body: 'x' }), 404, 'not_found');
  });

  test('a mention of someone outside the project notifies nobody', async () => {
    const project = await newProject(vera);
    const card = await newCard(vera, project.boards[0].id);
    const before = await notifications(boris);
    await vera.post(`/api/v1/cards/${card.id}/comments`, { body: '@boris look' });
    assert.equal((await notifications(boris)).length, before.length);
  });

  test('being assigned notifies the new assignee (not oneself)', async () => {
    const project = await newProject(vera, { members: [boris.user.id] });
    const before = await notifications(boris);
    const card = await newCard(vera, project.boards[0].id, { title: 'yours', assignees: [boris.user.id, vera.user.id] });
    const news = (await notifications(boris)).filter((n) => !before.some((b) => b.id === n.id));
    assert.deepEqual(news.map((n) => [n.kind, n.object_id]), [['card_assigned', card.id]]);
    assert.match(news[0].summary, /Vera Smirnova assigned you: yours/);
    assert.equal(one(`SELECT COUNT(*) FROM notifications WHERE object_type = 'card' AND object_id = ${card.id} AND user_id = ${vera.user.id}`), '0');
  });
});

describe('checklist items', () => {
  test('add, tick, reword, reorder and remove; each bumps the version and shows on the board', async () => {
    const { boardId, cards: [card] } = await projectWithCards(vera, 1);
    let res;
    for (const text of ['one', 'two', 'three']) {
      res = await vera.post(`/api/v1/cards/${card.id}/checklist`, { text });
      assert.equal(res.status, 201, show(res));
    }
    const [one_, two, three] = res.body.checklist;
    assert.equal(res.body.version, 4);
    res = await vera.patch(`/api/v1/cards/${card.id}/checklist/${two.id}`, { done: true });
    assert.deepEqual(res.body.checklist.map((i) => i.done), [false, true, false]);
    res = await vera.patch(`/api/v1/cards/${card.id}/checklist/${three.id}`, { position: 1, text: 'three!' });
    assert.deepEqual(res.body.checklist.map((i) => i.text), ['three!', 'one', 'two']);
    res = await vera.patch(`/api/v1/cards/${card.id}/checklist/${three.id}`, { position: 99 });
    assert.deepEqual(res.body.checklist.map((i) => i.text), ['one', 'two', 'three!']);
    res = await vera.req('DELETE', `/api/v1/cards/${card.id}/checklist/${one_.id}`, { body: {} });
    assert.equal(res.status, 200, show(res));
    assert.deepEqual(res.body.checklist.map((i) => [i.text, i.done]), [['two', true], ['three!', false]]);
    assert.equal(res.body.version, 8);
    assert.deepEqual((await getBoard(vera, boardId)).columns[0].cards[0].checklist, { total: 2, done: 1 });
    assert.equal(one(`SELECT done_by FROM card_checklist WHERE id = ${two.id}`), String(vera.user.id));
    // A whole checklist in a PATCH keeps the ids it names.
    res = await vera.patch(`/api/v1/cards/${card.id}`, { checklist: [{ id: three.id, text: 'three', done: true }, 'four'], version: 8 });
    assert.equal(res.status, 200, show(res));
    assert.deepEqual(res.body.checklist.map((i) => [i.id === three.id, i.text, i.done]), [[true, 'three', true], [false, 'four', false]]);
    // Bad requests.
    assertError(await vera.patch(`/api/v1/cards/${card.id}/checklist/${two.id}`, { text: 'gone' }), 404, 'not_found');
    assertError(await vera.post(`/api/v1/cards/${card.id}/checklist`, { text: '' }), 400, 'validation_failed', 'text');
    assertError(await vera.patch(`/api/v1/cards/${card.id}/checklist/${three.id}`, { position: 0 }), 400, 'validation_failed', 'position');
    const other = await newCard(vera, boardId);
    assertError(await vera.patch(`/api/v1/cards/${other.id}/checklist/${three.id}`, { done: false }), 404, 'not_found');
    assertError(await vera.patch(`/api/v1/cards/${card.id}`, { checklist: [{ id: 999999, text: 'x' }], version: res.body.version }), 400, 'validation_failed', 'checklist');
  });
});

describe('attachments', () => {
  test('files attach to a card; members download them, others cannot', async () => {
    const { boardId, cards: [card] } = await projectWithCards(vera, 1);
    const up = await vera.req('POST', '/api/v1/files?name=spec.txt', { raw: 'the spec', headers: { 'Content-Type': 'text/plain' } });
    assert.equal(up.status, 201, show(up));
    const res = await vera.patch(`/api/v1/cards/${card.id}`, { files: [up.body.id], version: 1 });
    assert.equal(res.status, 200, show(res));
    assert.deepEqual(res.body.files.map((f) => f.name), ['spec.txt']);
    assert.equal(res.body.version, 2);
    assert.deepEqual((await getBoard(vera, boardId)).columns[0].cards[0].file_count, 1);
    const mine = await vera.get(`/api/v1/files/${up.body.id}`);
    assert.equal(mine.status, 200);
    assert.equal(mine.text, 'the spec');
    assert.equal((await anna.get(`/api/v1/files/${up.body.id}`)).status, 200, 'admins too');
    assert.equal((await boris.get(`/api/v1/files/${up.body.id}`)).status, 404, 'not a member');
    // A file cannot be attached twice, nor someone else's.
    assertError(await vera.patch(`/api/v1/cards/${card.id}`, { files: [up.body.id], version: 2 }), 400, 'validation_failed', 'files');
    const theirs = await boris.req('POST', '/api/v1/files?name=b.txt', { raw: 'b', headers: { 'Content-Type': 'text/plain' } });
    assertError(await vera.patch(`/api/v1/cards/${card.id}`, { files: [theirs.body.id], version: 2 }), 400, 'validation_failed', 'files');
    const history = (await vera.get(`/api/v1/cards/${card.id}/activity`)).body.items;
    assert.deepEqual(history[0].details, { changes: { files: { added: [up.body.id] } } });
  });
});

describe('the board view', () => {
  let project; let b; let label; let cards;
  before(async () => {
    project = await newProject(vera, { members: [boris.user.id] });
    b = project.boards[0].id;
    label = (await vera.post(`/api/v1/projects/${project.id}/labels`, { name: 'urgent' })).body;
    cards = {
      overdue: await newCard(vera, b, { title: 'overdue', due_date: day(-2), assignees: [vera.user.id] }),
      today: await newCard(vera, b, { title: 'today', due_date: day(0), assignees: [boris.user.id], labels: [label.id] }),
      week: await newCard(vera, b, { title: 'week', due_date: day(5) }),
      later: await newCard(vera, b, { title: 'later', due_date: day(40), labels: [label.id] }),
      none: await newCard(vera, b, { title: 'none' }),
    };
    const done = (await getBoard(vera, b)).columns[2].id;
    cards.doneLate = await newCard(vera, b, { title: 'done late', due_date: day(-5), column_id: done });
  });
  const titles = (board) => board.columns.flatMap((c) => c.cards.map((k) => k.title));

  test('filters by assignee, label and due date', async () => {
    assert.deepEqual(titles(await getBoard(vera, b, 'assignee=me')), ['overdue']);
    assert.deepEqual(titles(await getBoard(vera, b, `assignee=${boris.user.id}`)), ['today']);
    assert.deepEqual(titles(await getBoard(vera, b, 'assignee=none')), ['week', 'later', 'none', 'done late']);
    assert.deepEqual(titles(await getBoard(vera, b, `label=${label.id}`)), ['today', 'later']);
    assert.deepEqual(titles(await getBoard(vera, b, 'due=overdue')), ['overdue'], 'a card in Done is not overdue');
    assert.deepEqual(titles(await getBoard(vera, b, 'due=today')), ['today']);
    assert.deepEqual(titles(await getBoard(vera, b, 'due=week')), ['today', 'week']);
    assert.deepEqual(titles(await getBoard(vera, b, 'due=none')), ['none']);
    assert.deepEqual(titles(await getBoard(vera, b, 'due=any')), ['overdue', 'today', 'week', 'later', 'done late']);
    assert.deepEqual(titles(await getBoard(vera, b, `due_from=${day(1)}&due_to=${day(41)}`)), ['week', 'later']);
    assert.deepEqual(titles(await getBoard(vera, b, `assignee=none&label=${label.id}`)), ['later']);
    const all = await getBoard(vera, b);
    assert.deepEqual(all.columns[0].cards.map((c) => [c.title, c.overdue]),
      [['overdue', true], ['today', false], ['week', false], ['later', false], ['none', false]]);
    assert.equal(all.columns[2].cards[0].overdue, false);
    assert.equal(all.columns[0].card_count, 5);
    assert.deepEqual(all.members.map((m) => m.handle), ['boris', 'vera']);
    assert.deepEqual(all.labels.map((l) => l.name), ['urgent']);
    for (const [q, field] of [['assignee=someone', 'assignee'], ['label=x', 'label'], ['due=soon', 'due'], ['due_from=2025-02-30', 'due_from'], ['due_to=never', 'due_to']]) {
      assertError(await vera.get(`/api/v1/boards/${b}?${q}`), 400, 'validation_failed', field);
    }
  });

  test('my tasks: my open cards across projects, overdue first, then by due date, undated last', async () => {
    const other = await newProject(vera);
    const ob = other.boards[0].id;
    const undated = await newCard(vera, ob, { title: 'mine undated', assignees: [vera.user.id], priority: 'urgent' });
    const soon = await newCard(vera, ob, { title: 'mine soon', assignees: [vera.user.id], due_date: day(1) });
    const veryLate = await newCard(vera, ob, { title: 'mine very late', assignees: [vera.user.id], due_date: day(-9) });
    const done = (await getBoard(vera, ob)).columns[2].id;
    const finished = await newCard(vera, ob, { title: 'mine finished', assignees: [vera.user.id], due_date: day(-1), column_id: done });
    const notMine = await newCard(vera, ob, { title: 'not mine', due_date: day(-20) });
    const res = await vera.get('/api/v1/me/tasks');
    assert.equal(res.status, 200, show(res));
    const ids = res.body.items.map((t) => t.id);
    const mine = [veryLate.id, cards.overdue.id, soon.id, undated.id];
    assert.deepEqual(ids.filter((id) => mine.includes(id)), mine);
    assert.ok(!ids.includes(finished.id) && !ids.includes(notMine.id));
    // Overdue ones come before anything else, undated after every dated one.
    const items = res.body.items;
    const firstNotOverdue = items.findIndex((t) => !t.overdue);
    assert.ok(items.slice(firstNotOverdue).every((t) => !t.overdue));
    const firstUndated = items.findIndex((t) => !t.due_date);
    assert.ok(firstUndated === -1 || items.slice(firstUndated).every((t) => !t.due_date));
    const t = items.find((x) => x.id === veryLate.id);
    assert.deepEqual(t, {
      id: veryLate.id, title: 'mine very late', priority: 'normal', due_date: day(-9), overdue: true,
      version: 1, project: { id: other.id, name: other.name }, board: { id: ob, name: other.boards[0].name },
      column: { id: veryLate.column_id, name: 'To do' }, labels: [],
    });
    assert.equal(items.find((x) => x.id === cards.today.id), undefined, 'boris\'s card is not in vera\'s list');
    assertError(await vera.get('/api/v1/me/tasks?limit=0'), 400, 'validation_failed', 'limit');
    assert.equal((await vera.get('/api/v1/me/tasks?limit=1')).body.items.length, 1);
  });

  test('a board loads in a small fixed number of statements, 5 cards or 200', async () => {
    const q = await startPortal({ demo: true, env: { PORTAL_CACHES: '0' } });
    try {
      const who = await loginAs(q.url, 'vera@demo.example');
      const mk = async (n) => {
        const proj = (await who.post('/api/v1/projects', { name: `cost ${n}` })).body;
        const bid = proj.boards[0].id;
        const cols = (await who.get(`/api/v1/boards/${bid}`)).body.columns;
        const label = (await who.post(`/api/v1/projects/${proj.id}/labels`, { name: 'l' })).body;
        for (let i = 0; i < n; i++) {
          const res = await who.post(`/api/v1/boards/${bid}/cards`, {
            title: `c${i}`, column_id: cols[i % 3].id, assignees: [who.user.id], labels: [label.id],
            checklist: ['a', { text: 'b', done: true }], due_date: '2030-01-01', description: 'd',
          });
          assert.equal(res.status, 201, show(res));
          if (i % 10 === 0) await who.post(`/api/v1/cards/${res.body.id}/comments`, { body: 'c' });
        }
        return bid;
      };
      const small = await mk(5);
      const big = await mk(200);
      // The access log ends each line with the request's database round trips ("… 3q"):
      // counted per request by the portal, so other tests on the same MariaDB do not count.
      async function cost(bid, cardsExpected) {
        const path = `/api/v1/boards/${bid}`;
        const re = new RegExp(`GET ${path} 200 .*\\s(\\d+)q\\b`);
        const already = q.logs().split('\n').filter((l) => re.test(l)).length;
        for (let i = 0; i < 5; i++) {
          const res = await who.get(path);
          assert.equal(res.status, 200, show(res));
          assert.equal(res.body.columns.reduce((n, c) => n + c.cards.length, 0), cardsExpected);
        }
        let lines = [];
        for (let t = 0; t < 40 && lines.length < already + 5; t++) {
          await new Promise((r) => setTimeout(r, 100)); // the log is flushed every 250 ms
          lines = q.logs().split('\n').filter((l) => re.test(l));
        }
        assert.equal(lines.length, already + 5, `access log lines for ${path}`);
        return Math.min(...lines.slice(already).map((l) => Number(l.match(re)[1])));
      }
      const s = await cost(small, 5);
      const l = await cost(big, 200);
      const msg = JSON.stringify({ small: s, big: l });
      assert.ok(s > 0, msg);
      assert.equal(l, s, `5 cards vs 200 cards: ${msg}`);
      assert.ok(l <= 7, `round trips per board: ${msg}`);
    } finally {
      await q.stop();
    }
  });
});
