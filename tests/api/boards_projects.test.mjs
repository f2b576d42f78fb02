// Boards, the project side: who may see and change a project (members and admins; others
// get 403, customers and partners never reach the API), a new project's starting board,
// members (leaving a project unassigns its cards, in their history), the CRM account
// link, labels, extra boards, optimistic locking of project edits, and the demo data.
// Demo people: anna (admin), boris (manager), vera (member); carol (customer), pavel
// (partner).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startPortal } from '../lib/portal.mjs';
import { loginAs, show } from '../lib/identity.mjs';
import { newProject, newCard, getBoard, assertError, unique } from '../lib/boards.mjs';

let p;
let anna; let boris; let vera; let carol; let pavel;
before(async () => {
  p = await startPortal({ demo: true, env: { PORTAL_SCHEDULER_INTERVAL: '3600' } });
  [anna, boris, vera, carol, pavel] = await Promise.all([
    loginAs(p.url, 'anna@demo.example'), loginAs(p.url, 'boris@demo.example'),
    loginAs(p.url, 'vera@demo.example'), loginAs(p.url, 'carol@client.example'),
    loginAs(p.url, 'pavel@partner.example'),
  ]);
});
after(async () => { await p?.stop(); });

const one = (q) => p.sql(q)[0]?.[0];

describe('a new project', () => {
  test('starts with one board whose columns are To do, In progress and Done; its creator is a member', async () => {
    const project = await newProject(vera, { description: 'About it' });
    assert.equal(project.description, 'About it');
    assert.equal(project.version, 1);
    assert.equal(project.member, true);
    assert.deepEqual(project.members.map((m) => m.id), [vera.user.id]);
    assert.equal(project.boards.length, 1);
    assert.equal(project.boards[0].name, project.name, 'the first board is named after the project');
    const board = await getBoard(vera, project.boards[0].id);
    assert.deepEqual(board.columns.map((c) => [c.name, c.done, c.wip_limit, c.cards.length]),
      [['To do', false, null, 0], ['In progress', false, null, 0], ['Done', true, null, 0]]);
    assert.deepEqual(board.archived_columns, []);
    assert.equal(board.project.id, project.id);
    assert.equal(one(`SELECT COUNT(*) FROM audit WHERE action = 'project.create' AND object_id = ${project.id} AND actor_id = ${vera.user.id}`), '1');
    assert.equal(one(`SELECT COUNT(*) FROM event WHERE type = 'project.created' AND audience = 'project:${project.id}'`), '1');
  });

  test('board_name names the first board; members are added with the creator', async () => {
    const project = await newProject(boris, { board_name: 'Sprint 1', members: [vera.user.id, vera.user.id] });
    assert.equal(project.boards[0].name, 'Sprint 1');
    assert.deepEqual(project.members.map((m) => m.handle).sort(), ['boris', 'vera']);
  });

  test('bad input: no name, a too long name, unknown members or account -> 400 naming the field', async () => {
    const before = one('SELECT COUNT(*) FROM projects');
    assertError(await vera.post('/api/v1/projects', {}), 400, 'validation_failed', 'name');
    assertError(await vera.post('/api/v1/projects', { name: '   ' }), 400, 'validation_failed', 'name');
    assertError(await vera.post('/api/v1/projects', { name: 'x'.repeat(201) }), 400, 'validation_failed', 'name');
    assertError(await vera.post('/api/v1/projects', { name: 'P', members: [999999] }), 400, 'validation_failed', 'members');
    assertError(await vera.post('/api/v1/projects', { name: 'P', members: 'all' }), 400, 'validation_failed', 'members');
    assertError(await vera.post('/api/v1/projects', { name: 'P', members: [carol.user.id] }), 400, 'validation_failed', 'members');
    assertError(await vera.post('/api/v1/projects', { name: 'P', account_id: 999999 }), 400, 'validation_failed', 'account_id');
    assertError(await vera.post('/api/v1/projects', { name: 'P', account_id: 'Romashka' }), 400, 'validation_failed', 'account_id');
    assert.equal(one('SELECT COUNT(*) FROM projects'), before);
  });

  test('a project linked to a CRM account shows it; the link can be changed and removed', async () => {
    const romashka = Number(one("SELECT id FROM accounts WHERE name = 'Romashka LLC'"));
    const project = await newProject(vera, { account_id: romashka });
    assert.deepEqual(project.account, { id: romashka, name: 'Romashka LLC', kind: 'customer' });
    const board = await getBoard(vera, project.boards[0].id);
    assert.equal(board.project.account.name, 'Romashka LLC');
    const unlinked = await vera.patch(`/api/v1/projects/${project.id}`, { account_id: null, version: 1 });
    assert.equal(unlinked.status, 200, show(unlinked));
    assert.equal(unlinked.body.account, null);
    assert.equal(unlinked.body.version, 2);
  });
});

describe('who may see and change a project', () => {
  let project; let card;
  before(async () => {
    project = await newProject(vera, { name: unique('Vera only') });
    card = await newCard(vera, project.boards[0].id, { title: 'private card' });
  });

  test('a non-member employee gets 403 on every project, board and card route; the list leaves it out', async () => {
    const b = project.boards[0].id;
    const col = (await getBoard(vera, b)).columns[0].id;
    const attempts = [
      ['GET', `/api/v1/projects/${project.id}`],
      ['PATCH', `/api/v1/projects/${project.id}`, { name: 'taken over', version: 1 }],
      ['POST', `/api/v1/projects/${project.id}/boards`, { name: 'mine now' }],
      ['POST', `/api/v1/projects/${project.id}/labels`, { name: 'x' }],
      ['GET', `/api/v1/boards/${b}`],
      ['PATCH', `/api/v1/boards/${b}`, { name: 'renamed' }],
      ['POST', `/api/v1/boards/${b}/columns`, { name: 'extra' }],
      ['PATCH', `/api/v1/boards/${b}/columns/${col}`, { name: 'renamed' }],
      ['POST', `/api/v1/boards/${b}/columns/reorder`, { column_ids: [col] }],
      ['POST', `/api/v1/boards/${b}/cards`, { title: 'sneaky' }],
      ['GET', `/api/v1/cards/${card.id}`],
      ['PATCH', `/api/v1/cards/${card.id}`, { title: 'changed', version: 1 }],
      ['POST', `/api/v1/cards/${card.id}/move`, { column_id: col }],
      ['GET', `/api/v1/cards/${card.id}/activity`],
      ['POST', `/api/v1/cards/${card.id}/comments`, { body: 'hi' }],
      ['POST', `/api/v1/cards/${card.id}/checklist`, { text: 'x' }],
    ];
    for (const [method, path, body] of attempts) {
      const res = await boris.req(method, path, body ? { body } : {});
      assertError(res, 403, 'forbidden');
    }
    const list = await boris.get('/api/v1/projects');
    assert.equal(list.status, 200);
    assert.ok(!list.body.items.some((x) => x.id === project.id), 'the list shows only my projects');
    assert.equal(one(`SELECT CONCAT(name, '|', version) FROM projects WHERE id = ${project.id}`), `${project.name}|1`);
    assert.equal(one(`SELECT COUNT(*) FROM cards WHERE board_id = ${b}`), '1');
    assert.equal(one(`SELECT title FROM cards WHERE id = ${card.id}`), 'private card');
  });

  test('missing objects are 404, not 403', async () => {
    for (const path of ['/api/v1/projects/999999', '/api/v1/boards/999999', '/api/v1/cards/999999', '/api/v1/cards/abc']) {
      assertError(await boris.get(path), 404, 'not_found');
    }
    assertError(await boris.patch('/api/v1/projects/999999', { version: 1 }), 404, 'not_found');
  });

  test('an admin sees and changes every project without being a member', async () => {
    const list = await anna.get('/api/v1/projects');
    const row = list.body.items.find((x) => x.id === project.id);
    assert.ok(row, 'admins see all projects');
    assert.equal(row.member, false);
    assert.equal((await anna.get(`/api/v1/boards/${project.boards[0].id}`)).status, 200);
    const res = await anna.patch(`/api/v1/cards/${card.id}`, { priority: 'high', version: card.version });
    assert.equal(res.status, 200, show(res));
  });

  test('customers and partners get 403 on the boards API', async () => {
    for (const who of [carol, pavel]) {
      for (const [method, path, body] of [
        ['GET', '/api/v1/projects'], ['POST', '/api/v1/projects', { name: 'x' }],
        ['GET', `/api/v1/projects/${project.id}`], ['GET', `/api/v1/boards/${project.boards[0].id}`],
        ['GET', `/api/v1/cards/${card.id}`], ['POST', `/api/v1/cards/${card.id}/comments`, { body: 'hi' }],
        ['GET', '/api/v1/me/tasks'],
      ]) {
        assertError(await who.req(method, path, body ? { body } : {}), 403, 'forbidden');
      }
    }
  });

  test('a member added later gets in; PATCH needs the current version (409 with the project)', async () => {
    const cur = (await vera.get(`/api/v1/projects/${project.id}`)).body;
    const res = await vera.patch(`/api/v1/projects/${project.id}`, { members: [vera.user.id, boris.user.id], version: cur.version });
    assert.equal(res.status, 200, show(res));
    assert.equal(res.body.version, cur.version + 1);
    assert.equal((await boris.get(`/api/v1/boards/${project.boards[0].id}`)).status, 200);
    const stale = await boris.patch(`/api/v1/projects/${project.id}`, { name: 'stale', version: cur.version });
    assertError(stale, 409, 'conflict', 'version');
    assert.equal(stale.body.current.version, cur.version + 1);
    assert.equal(stale.body.current.name, project.name);
    assertError(await vera.patch(`/api/v1/projects/${project.id}`, { name: 'x' }), 400, 'validation_failed', 'version');
    assertError(await vera.patch(`/api/v1/projects/${project.id}`, { members: [], version: res.body.version }), 400, 'validation_failed', 'members');
    const audit = one(`SELECT details FROM audit WHERE action = 'project.update' AND object_id = ${project.id} ORDER BY id DESC LIMIT 1`);
    assert.deepEqual(JSON.parse(audit).members, { added: [boris.user.id], removed: [] });
  });
});

describe('members leaving a project', () => {
  test('lose their cards there: unassigned, in the card history, with a new card version', async () => {
    const project = await newProject(vera, { members: [boris.user.id] });
    const b = project.boards[0].id;
    const card = await newCard(vera, b, { assignees: [boris.user.id, vera.user.id] });
    const other = await newCard(vera, b, { assignees: [vera.user.id] });
    const res = await vera.patch(`/api/v1/projects/${project.id}`, { members: [vera.user.id], version: project.version });
    assert.equal(res.status, 200, show(res));
    const now = (await vera.get(`/api/v1/cards/${card.id}`)).body;
    assert.deepEqual(now.assignees.map((a) => a.id), [vera.user.id]);
    assert.equal(now.version, card.version + 1);
    assert.equal((await vera.get(`/api/v1/cards/${other.id}`)).body.version, other.version, 'cards without them are untouched');
    const board = await getBoard(vera, b);
    assert.deepEqual(board.columns[0].cards.find((c) => c.id === card.id).assignees, [vera.user.id]);
    const history = (await vera.get(`/api/v1/cards/${card.id}/activity`)).body.items;
    assert.deepEqual(history[0].details, { changes: { assignees: { added: [], removed: [boris.user.id] } } });
    assert.equal(history[0].actor.id, vera.user.id);
    assertError(await boris.get(`/api/v1/boards/${b}`), 403, 'forbidden');
    // Someone who is not a member cannot be assigned.
    assertError(await vera.patch(`/api/v1/cards/${card.id}`, { assignees: [boris.user.id], version: now.version }), 400, 'validation_failed', 'assignees');
  });
});

describe('labels and boards of a project', () => {
  test('labels: create, rename, recolour, duplicate names 409, delete takes them off cards', async () => {
    const project = await newProject(vera);
    const b = project.boards[0].id;
    const bug = await vera.post(`/api/v1/projects/${project.id}/labels`, { name: 'bug', color: '#d73a4a' });
    assert.equal(bug.status, 201, show(bug));
    assert.deepEqual(Object.keys(bug.body).sort(), ['color', 'id', 'name']);
    const plain = await vera.post(`/api/v1/projects/${project.id}/labels`, { name: 'plain' });
    assert.equal(plain.body.color, '#808080');
    assertError(await vera.post(`/api/v1/projects/${project.id}/labels`, { name: 'bug' }), 409, 'conflict', 'name');
    assertError(await vera.post(`/api/v1/projects/${project.id}/labels`, { name: 'x', color: 'red' }), 400, 'validation_failed', 'color');
    assertError(await vera.post(`/api/v1/projects/${project.id}/labels`, { name: '' }), 400, 'validation_failed', 'name');
    const renamed = await vera.patch(`/api/v1/labels/${bug.body.id}`, { name: 'defect', color: '#000000' });
    assert.equal(renamed.status, 200, show(renamed));
    assert.deepEqual(renamed.body, { id: bug.body.id, name: 'defect', color: '#000000' });
    assertError(await vera.patch(`/api/v1/labels/${plain.body.id}`, { name: 'defect' }), 409, 'conflict', 'name');
    assertError(await boris.patch(`/api/v1/labels/${plain.body.id}`, { name: 'mine' }), 403, 'forbidden');

    const card = await newCard(vera, b, { labels: [bug.body.id, plain.body.id] });
    assert.deepEqual(card.labels.map((l) => l.name), ['defect', 'plain']);
    // A label of another project cannot go on the card.
    const elsewhere = await newProject(vera);
    const foreign = await vera.post(`/api/v1/projects/${elsewhere.id}/labels`, { name: 'foreign' });
    assertError(await vera.patch(`/api/v1/cards/${card.id}`, { labels: [foreign.body.id], version: card.version }), 400, 'validation_failed', 'labels');

    const gone = await vera.req('DELETE', `/api/v1/labels/${bug.body.id}`, { body: {} });
    assert.equal(gone.status, 204, show(gone));
    const now = (await vera.get(`/api/v1/cards/${card.id}`)).body;
    assert.deepEqual(now.labels.map((l) => l.name), ['plain']);
    assert.equal(now.version, card.version + 1);
    assert.deepEqual((await getBoard(vera, b)).columns[0].cards[0].labels, [plain.body.id]);
    assert.deepEqual((await vera.get(`/api/v1/cards/${card.id}/activity`)).body.items[0].details,
      { changes: { labels: { added: [], removed: [bug.body.id] } } });
    assertError(await vera.req('DELETE', `/api/v1/labels/${bug.body.id}`, { body: {} }), 404, 'not_found');
    const labels = (await vera.get(`/api/v1/projects/${project.id}`)).body.labels;
    assert.deepEqual(labels.map((l) => l.name), ['plain']);
  });

  test('a second board starts with the same three columns; boards can be renamed and archived', async () => {
    const project = await newProject(vera);
    const res = await vera.post(`/api/v1/projects/${project.id}/boards`, { name: 'Second' });
    assert.equal(res.status, 201, show(res));
    assert.equal(res.body.name, 'Second');
    assert.deepEqual(res.body.columns.map((c) => c.name), ['To do', 'In progress', 'Done']);
    assertError(await vera.post(`/api/v1/projects/${project.id}/boards`, {}), 400, 'validation_failed', 'name');
    const renamed = await vera.patch(`/api/v1/boards/${res.body.id}`, { name: 'Renamed', archived: true });
    assert.equal(renamed.status, 200, show(renamed));
    assert.equal(renamed.body.name, 'Renamed');
    assert.equal(renamed.body.archived, true);
    const again = (await vera.get(`/api/v1/projects/${project.id}`)).body;
    assert.deepEqual(again.boards.map((b) => [b.name, b.archived]), [[project.name, false], ['Renamed', true]]);
  });
});

describe('demo data', () => {
  test('two projects, one for Romashka LLC, with cards in several columns, assignees, due dates and comments', async () => {
    const list = (await vera.get('/api/v1/projects')).body.items;
    const demo = list.filter((x) => ['Website relaunch', 'Romashka LLC onboarding'].includes(x.name));
    assert.equal(demo.length, 2, JSON.stringify(list.map((x) => x.name)));
    const romashka = demo.find((x) => x.account);
    assert.equal(romashka.account.name, 'Romashka LLC');
    for (const project of demo) {
      const board = await getBoard(vera, project.boards[0].id);
      const filled = board.columns.filter((c) => c.cards.length > 0);
      assert.ok(filled.length >= 3, `${project.name}: cards in ${filled.length} columns`);
      const cards = board.columns.flatMap((c) => c.cards);
      assert.ok(cards.some((c) => c.assignees.length > 0));
      assert.ok(cards.some((c) => c.due_date));
      assert.ok(cards.some((c) => c.comment_count > 0));
      assert.ok(cards.some((c) => c.labels.length > 0));
      assert.ok(cards.some((c) => c.checklist.total > 0));
      const full = (await vera.get(`/api/v1/cards/${cards.find((c) => c.comment_count > 0).id}`)).body;
      assert.ok(full.comments.length > 0);
      const history = (await vera.get(`/api/v1/cards/${full.id}/activity`)).body.items;
      assert.ok(history.some((h) => h.kind === 'created'));
    }
    // The badges on the demo rows agree with their tables.
    assert.equal(one(`SELECT COUNT(*) FROM cards c WHERE c.comment_count <> (SELECT COUNT(*) FROM card_comments m WHERE m.card_id = c.id)
      OR c.checklist_total <> (SELECT COUNT(*) FROM card_checklist k WHERE k.card_id = c.id)
      OR c.assignee_ids <> COALESCE((SELECT GROUP_CONCAT(user_id ORDER BY user_id) FROM card_assignees a WHERE a.card_id = c.id), '')`), '0');
  });
});
