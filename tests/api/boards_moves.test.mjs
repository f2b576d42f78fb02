// Boards, moving cards and editing columns: a card goes after or before a neighbour or
// to the bottom of a column; order is kept by sparse keys that are renumbered only when
// a gap runs out; bad targets (a column of another board or project, a neighbour that
// moved meanwhile, an archived or full column) are refused; two people moving the same
// card at once (one wins, the other sees the result); many concurrent moves leave every
// card exactly once with distinct positions; columns are added, renamed, reordered,
// archived and given WIP limits. Demo people: anna (admin), boris (manager), vera (member).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startPortal } from '../lib/portal.mjs';
import { loginAs, show } from '../lib/identity.mjs';
import {
  newProject, newCard, getBoard, layout, move, assertError, projectWithCards,
} from '../lib/boards.mjs';

let p;
let boris; let vera;
before(async () => {
  p = await startPortal({ demo: true, env: { PORTAL_SCHEDULER_INTERVAL: '3600', PORTAL_THREADS: '40' } });
  [boris, vera] = await Promise.all([
    loginAs(p.url, 'boris@demo.example'), loginAs(p.url, 'vera@demo.example'),
  ]);
});
after(async () => { await p?.stop(); });

const one = (q) => p.sql(q)[0]?.[0];

/** The order of a board by its keys in the database: { columnId: [card ids] }. */
function dbOrder(boardId) {
  const out = {};
  for (const [col, id] of p.sql(`SELECT column_id, id FROM cards WHERE board_id = ${boardId} AND archived = 0 ORDER BY column_id, sort_key`)) {
    (out[col] ??= []).push(Number(id));
  }
  return out;
}

/** Every card of the board once, positions distinct, and the API's order = the keys' order. */
async function assertConsistent(boardId, expectedIds) {
  const board = await getBoard(vera, boardId);
  const seen = board.columns.flatMap((c) => c.cards.map((k) => k.id));
  assert.deepEqual([...seen].sort((a, b) => a - b), [...expectedIds].sort((a, b) => a - b), 'every card exactly once');
  const [total, distinct] = p.sql(`SELECT COUNT(*), COUNT(DISTINCT column_id, sort_key) FROM cards WHERE board_id = ${boardId}`)[0];
  assert.equal(total, distinct, 'no two cards share a position');
  const fromDb = dbOrder(boardId);
  for (const c of board.columns) assert.deepEqual(c.cards.map((k) => k.id), fromDb[c.id] ?? [], `column ${c.name}`);
  for (const c of board.columns) assert.ok(c.cards.every((k) => k.column_id === c.id));
  return board;
}

describe('moving a card', () => {
  test('after a neighbour, before one, to the bottom, into another column', async () => {
    const { boardId, board, cards } = await projectWithCards(vera, 4);
    const [a, b, c, d] = cards.map((x) => x.id);
    const cols = layout(board);
    let res = await move(vera, d, { column_id: cols['To do'].id, after_id: a });
    assert.equal(res.status, 200, show(res));
    assert.deepEqual(res.body, {
      id: d, board_id: boardId, column_id: cols['To do'].id, from_column_id: cols['To do'].id,
      version: 2, moved: true, after_id: a, before_id: null,
    });
    assert.deepEqual(layout(await getBoard(vera, boardId))['To do'].cards, [a, d, b, c]);
    res = await move(vera, a, { column_id: cols['To do'].id, before_id: c });
    assert.deepEqual(layout(await getBoard(vera, boardId))['To do'].cards, [d, b, a, c]);
    res = await move(vera, d, { column_id: cols['To do'].id });
    assert.deepEqual(layout(await getBoard(vera, boardId))['To do'].cards, [b, a, c, d]);
    res = await move(vera, b, { column_id: cols['In progress'].id });
    assert.equal(res.body.from_column_id, cols['To do'].id);
    res = await move(vera, c, { column_id: cols['In progress'].id, before_id: b });
    res = await move(vera, a, { after_id: c }); // the neighbour's column is the target
    assert.equal(res.status, 200, show(res));
    assert.equal(res.body.column_id, cols['In progress'].id);
    const l = layout(await assertConsistent(boardId, [a, b, c, d]));
    assert.deepEqual(l['To do'].cards, [d]);
    assert.deepEqual(l['In progress'].cards, [c, a, b]);
    const card = (await vera.get(`/api/v1/cards/${a}`)).body;
    assert.equal(card.column.name, 'In progress');
    assert.equal(card.version, 3, 'a moved twice');
  });

  test('a move writes its history, an outbox event for the board and the audit log', async () => {
    const { boardId, board, cards: [a, b] } = await projectWithCards(vera, 2);
    const cols = layout(board);
    const res = await move(vera, a.id, { column_id: cols.Done.id });
    assert.equal(res.status, 200, show(res));
    const events = p.sql(`SELECT payload FROM event WHERE type = 'card.moved' AND audience = 'board:${boardId}'`).map(([x]) => JSON.parse(x));
    assert.deepEqual(events, [{
      board_id: boardId, card_id: a.id, from_column_id: cols['To do'].id, column_id: cols.Done.id,
      version: 2, after_id: null, before_id: null,
    }]);
    const history = (await vera.get(`/api/v1/cards/${a.id}/activity`)).body.items;
    assert.equal(history[0].kind, 'moved');
    assert.deepEqual(history[0].details, { from: { id: cols['To do'].id, name: 'To do' }, to: { id: cols.Done.id, name: 'Done' } });
    assert.equal(one(`SELECT COUNT(*) FROM audit WHERE action = 'card.move' AND object_id = ${a.id}`), '1');
    // A card in a "done" column is not overdue.
    await vera.patch(`/api/v1/cards/${a.id}`, { due_date: '2001-01-01', version: 2 });
    assert.equal((await vera.get(`/api/v1/cards/${a.id}`)).body.overdue, false);
    await vera.patch(`/api/v1/cards/${b.id}`, { due_date: '2001-01-01', version: 1 });
    assert.equal((await vera.get(`/api/v1/cards/${b.id}`)).body.overdue, true);
  });

  test('a move to where the card already is changes nothing', async () => {
    const { boardId, board, cards: [a, b] } = await projectWithCards(vera, 2);
    const col = layout(board)['To do'].id;
    for (const [card, body] of [[b, { column_id: col, after_id: a.id }], [b, { column_id: col }],
      [a, { column_id: col, before_id: b.id }], [a, { before_id: b.id }]]) {
      const res = await move(vera, card.id, body);
      assert.equal(res.status, 200, show(res));
      assert.equal(res.body.moved, false, JSON.stringify(body));
      assert.equal(res.body.version, 1);
    }
    const res = await move(vera, b.id, { before_id: a.id });
    assert.equal(res.body.moved, true);
    assert.deepEqual(layout(await getBoard(vera, boardId))['To do'].cards, [b.id, a.id]);
    assert.equal(one(`SELECT COUNT(*) FROM card_activity WHERE kind = 'moved' AND card_id IN (${a.id}, ${b.id})`), '1');
  });

  test('bad targets: another board or project 400, a missing column 400, a neighbour elsewhere, oneself', async () => {
    const { project, boardId, board, cards: [a, b] } = await projectWithCards(vera, 2);
    const cols = layout(board);
    const second = (await vera.post(`/api/v1/projects/${project.id}/boards`, { name: 'Second' })).body;
    const secondCard = await newCard(vera, second.id, { title: 'there' });
    const other = await newProject(vera);
    const otherCol = (await getBoard(vera, other.boards[0].id)).columns[0].id;
    const otherCard = await newCard(vera, other.boards[0].id);
    assertError(await move(vera, a.id, { column_id: second.columns[0].id }), 400, 'validation_failed', 'column_id');
    assertError(await move(vera, a.id, { column_id: otherCol }), 400, 'validation_failed', 'column_id');
    assertError(await move(vera, a.id, { column_id: 999999 }), 400, 'validation_failed', 'column_id');
    assertError(await move(vera, a.id, { column_id: 'Done' }), 400, 'validation_failed', 'column_id');
    assertError(await move(vera, a.id, { after_id: secondCard.id }), 400, 'validation_failed', 'after_id');
    assertError(await move(vera, a.id, { before_id: otherCard.id }), 400, 'validation_failed', 'before_id');
    assertError(await move(vera, a.id, { column_id: cols['To do'].id, after_id: 999999 }), 400, 'validation_failed', 'after_id');
    assertError(await move(vera, a.id, { after_id: a.id }), 400, 'validation_failed', 'after_id');
    assertError(await move(vera, a.id, { after_id: b.id, before_id: b.id }), 400, 'validation_failed', 'before_id');
    assertError(await move(vera, a.id, {}), 400, 'validation_failed', 'column_id');
    assertError(await move(vera, 999999, { column_id: cols['To do'].id }), 404, 'not_found');
    // The neighbour is not in the named column (a stale board): 409 with the card as it is.
    const res = await move(vera, a.id, { column_id: cols.Done.id, after_id: b.id });
    assertError(res, 409, 'conflict', 'after_id');
    assert.equal(res.body.current.id, a.id);
    assert.equal(res.body.current.column_id, cols['To do'].id);
    await assertConsistent(boardId, [a.id, b.id]);
    await assertConsistent(second.id, [secondCard.id]);
  });

  test('a stale version gets 409 with the current card; the version is optional', async () => {
    const { board, cards: [a] } = await projectWithCards(vera, 1);
    const cols = layout(board);
    assert.equal((await move(vera, a.id, { column_id: cols.Done.id, version: 1 })).status, 200);
    const stale = await move(vera, a.id, { column_id: cols['In progress'].id, version: 1 });
    assertError(stale, 409, 'conflict', 'version');
    assert.equal(stale.body.current.column.name, 'Done');
    assert.equal(stale.body.current.version, 2);
    const unversioned = await move(vera, a.id, { column_id: cols['In progress'].id });
    assert.equal(unversioned.status, 200, show(unversioned));
    assert.equal(unversioned.body.version, 3);
  });

  test('archived and full (WIP limit) columns refuse cards; moving inside a full column is fine', async () => {
    const { boardId, board, cards: [a, b, c] } = await projectWithCards(vera, 3);
    const cols = layout(board);
    let res = await vera.patch(`/api/v1/boards/${boardId}/columns/${cols['In progress'].id}`, { wip_limit: 1 });
    assert.equal(res.status, 200, show(res));
    assert.equal((await move(vera, a.id, { column_id: cols['In progress'].id })).status, 200);
    res = await move(vera, b.id, { column_id: cols['In progress'].id });
    assertError(res, 409, 'wip_limit_reached', 'column_id');
    assert.equal(res.body.current.column.name, 'To do');
    assertError(await vera.post(`/api/v1/boards/${boardId}/cards`, { title: 'x', column_id: cols['In progress'].id }), 409, 'wip_limit_reached', 'column_id');
    assert.equal((await move(vera, a.id, { column_id: cols['In progress'].id })).status, 200, 'within the column');
    res = await vera.patch(`/api/v1/boards/${boardId}/columns/${cols['In progress'].id}`, { wip_limit: null });
    assert.equal(res.body.columns.find((x) => x.id === cols['In progress'].id).wip_limit, null);
    assert.equal((await move(vera, b.id, { column_id: cols['In progress'].id })).status, 200);
    res = await vera.patch(`/api/v1/boards/${boardId}/columns/${cols.Done.id}`, { archived: true });
    assert.equal(res.status, 200, show(res));
    assertError(await move(vera, c.id, { column_id: cols.Done.id }), 400, 'validation_failed', 'column_id');
    assertError(await vera.post(`/api/v1/boards/${boardId}/cards`, { title: 'x', column_id: cols.Done.id }), 400, 'validation_failed', 'column_id');
  });
});

describe('races', () => {
  test('two people move the same card at once: one wins, the other sees the result', async () => {
    const { project, boardId, board, cards: [a, b] } = await projectWithCards(vera, 2);
    await vera.patch(`/api/v1/projects/${project.id}`, { members: [vera.user.id, boris.user.id], version: project.version });
    const cols = layout(board);
    for (let round = 0; round < 6; round++) {
      const now = (await vera.get(`/api/v1/cards/${a.id}`)).body;
      const version = now.version;
      // Both to a column it is not in (a move to where it is would be a no-op, not a race).
      const targets = Object.values(cols).map((c) => c.id).filter((id) => id !== now.column_id);
      if (round % 2) targets.reverse();
      const [x, y] = await Promise.all([
        move(vera, a.id, { column_id: targets[0], version }),
        move(boris, a.id, { column_id: targets[1], version }),
      ]);
      const results = [x, y];
      const won = results.filter((r) => r.status === 200);
      const lost = results.filter((r) => r.status === 409);
      assert.equal(won.length, 1, results.map(show).join('\n'));
      assert.equal(lost.length, 1, results.map(show).join('\n'));
      assert.equal(lost[0].body.current.column_id, won[0].body.column_id, 'the loser is shown where the card went');
      assert.equal(lost[0].body.current.version, version + 1);
      await assertConsistent(boardId, [a.id, b.id]);
    }
    // Without a version both moves apply one after the other; the card is in one place.
    const [x, y] = await Promise.all([
      move(vera, a.id, { column_id: cols['To do'].id, after_id: b.id }),
      move(boris, a.id, { column_id: cols.Done.id }),
    ]);
    assert.deepEqual([x.status, y.status], [200, 200], `${show(x)}\n${show(y)}`);
    await assertConsistent(boardId, [a.id, b.id]);
  });

  test('many concurrent moves: no card lost or duplicated, positions distinct, order consistent', async () => {
    const project = await newProject(vera, { members: [boris.user.id] });
    const boardId = project.boards[0].id;
    const cols = (await getBoard(vera, boardId)).columns.map((c) => c.id);
    const ids = [];
    for (let i = 0; i < 24; i++) ids.push((await newCard(vera, boardId, { title: `r${i}`, column_id: cols[i % 3] })).id);
    let seed = 7;
    const rnd = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
    const statuses = {};
    let moved = 0;
    for (let batch = 0; batch < 8; batch++) {
      const requests = [];
      for (let i = 0; i < 24; i++) {
        const card = ids[rnd(ids.length)];
        let other = ids[rnd(ids.length)];
        if (other === card) other = ids[(ids.indexOf(card) + 1) % ids.length];
        const kind = rnd(4);
        const body = kind === 0 ? { after_id: other } : kind === 1 ? { before_id: other }
          : kind === 2 ? { column_id: cols[rnd(3)] } : { column_id: cols[rnd(3)], after_id: other };
        requests.push(move(i % 2 ? vera : boris, card, body));
      }
      for (const res of await Promise.all(requests)) {
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        assert.ok([200, 409].includes(res.status), show(res));
        if (res.status === 409) assert.equal(res.body.error.field, 'after_id', show(res));
        if (res.status === 200 && res.body.moved) moved++;
      }
      await assertConsistent(boardId, ids);
    }
    assert.ok(statuses[200] > 150, JSON.stringify(statuses));
    // Every applied move is in the history and the outbox exactly once.
    const inList = `(${ids.join(',')})`;
    assert.equal(Number(one(`SELECT COUNT(*) FROM card_activity WHERE kind = 'moved' AND card_id IN ${inList}`)), moved);
    assert.equal(Number(one(`SELECT COUNT(*) FROM event WHERE type = 'card.moved' AND audience = 'board:${boardId}'`)), moved);
  });

  test('when the gap between two cards runs out the column is renumbered, order kept', async () => {
    const { boardId, cards } = await projectWithCards(vera, 30);
    const [anchor, next, ...rest] = cards.map((c) => c.id);
    const before = p.sql(`SELECT MAX(sort_key) FROM cards WHERE board_id = ${boardId}`)[0][0];
    // Each card goes right after the anchor: the gap there halves every time.
    for (const id of rest) {
      const res = await move(vera, id, { after_id: anchor });
      assert.equal(res.status, 200, show(res));
    }
    const expected = [anchor, ...[...rest].reverse(), next];
    assert.deepEqual(layout(await assertConsistent(boardId, cards.map((c) => c.id)))['To do'].cards, expected);
    const after = p.sql(`SELECT MAX(sort_key) FROM cards WHERE board_id = ${boardId}`)[0][0];
    assert.ok(BigInt(after) > BigInt(before), `renumbered: max key ${before} -> ${after}`);
  });
});

describe('columns', () => {
  test('add, rename, reorder, archive and bring back; WIP limits', async () => {
    const { boardId, board, cards: [a] } = await projectWithCards(vera, 1);
    const cols = layout(board);
    let res = await vera.post(`/api/v1/boards/${boardId}/columns`, { name: 'Review', wip_limit: 3 });
    assert.equal(res.status, 201, show(res));
    const review = res.body.columns.at(-1);
    assert.deepEqual({ ...review, id: 0 }, { id: 0, name: 'Review', position: 4, wip_limit: 3, done: false, archived: false, card_count: 0 });
    res = await vera.patch(`/api/v1/boards/${boardId}/columns/${review.id}`, { name: 'QA', done: false });
    assert.equal(res.body.columns.find((c) => c.id === review.id).name, 'QA');
    const order = [cols.Done.id, review.id, cols['To do'].id, cols['In progress'].id];
    res = await vera.post(`/api/v1/boards/${boardId}/columns/reorder`, { column_ids: order });
    assert.equal(res.status, 200, show(res));
    assert.deepEqual(res.body.columns.map((c) => c.id), order);
    assert.deepEqual((await getBoard(vera, boardId)).columns.map((c) => c.name), ['Done', 'QA', 'To do', 'In progress']);
    // Bad reorders: one missing, a stranger, a repeat.
    for (const ids of [order.slice(1), [...order.slice(1), 999999], [order[0], ...order.slice(0, 3)], 'all']) {
      assertError(await vera.post(`/api/v1/boards/${boardId}/columns/reorder`, { column_ids: ids }), 400, 'validation_failed', 'column_ids');
    }
    // Archiving a column hides it and its cards; the board lists it apart.
    res = await vera.patch(`/api/v1/boards/${boardId}/columns/${cols['To do'].id}`, { archived: true });
    assert.equal(res.status, 200, show(res));
    let view = await getBoard(vera, boardId);
    assert.deepEqual(view.columns.map((c) => c.name), ['Done', 'QA', 'In progress']);
    assert.deepEqual(view.archived_columns.map((c) => [c.name, c.card_count]), [['To do', 1]]);
    assert.ok(!view.columns.some((c) => c.cards.some((k) => k.id === a.id)));
    // The order now names the live columns only.
    assertError(await vera.post(`/api/v1/boards/${boardId}/columns/reorder`, { column_ids: order }), 400, 'validation_failed', 'column_ids');
    res = await vera.patch(`/api/v1/boards/${boardId}/columns/${cols['To do'].id}`, { archived: false });
    view = await getBoard(vera, boardId);
    assert.ok(view.columns.some((c) => c.cards.some((k) => k.id === a.id)));
    // Bad input.
    assertError(await vera.post(`/api/v1/boards/${boardId}/columns`, { name: '' }), 400, 'validation_failed', 'name');
    assertError(await vera.post(`/api/v1/boards/${boardId}/columns`, { name: 'x', wip_limit: 0 }), 400, 'validation_failed', 'wip_limit');
    assertError(await vera.patch(`/api/v1/boards/${boardId}/columns/${review.id}`, { wip_limit: 'many' }), 400, 'validation_failed', 'wip_limit');
    assertError(await vera.patch(`/api/v1/boards/${boardId}/columns/${review.id}`, { name: ' ' }), 400, 'validation_failed', 'name');
    const other = await newProject(vera);
    const foreign = (await getBoard(vera, other.boards[0].id)).columns[0].id;
    assertError(await vera.patch(`/api/v1/boards/${boardId}/columns/${foreign}`, { name: 'mine' }), 404, 'not_found');
    assert.equal(one(`SELECT COUNT(*) FROM audit WHERE object_type = 'column' AND action LIKE 'column.%' AND object_id IN (${review.id}, ${cols['To do'].id})`), '4');
    assert.ok(Number(one(`SELECT COUNT(*) FROM event WHERE type = 'board.columns' AND audience = 'board:${boardId}'`)) >= 5);
  });

  test('the last live column cannot be archived; a board has at most 50 columns', async () => {
    const project = await newProject(vera);
    const b = project.boards[0].id;
    const cols = (await getBoard(vera, b)).columns;
    assert.equal((await vera.patch(`/api/v1/boards/${b}/columns/${cols[0].id}`, { archived: true })).status, 200);
    assert.equal((await vera.patch(`/api/v1/boards/${b}/columns/${cols[1].id}`, { archived: true })).status, 200);
    assertError(await vera.patch(`/api/v1/boards/${b}/columns/${cols[2].id}`, { archived: true }), 400, 'validation_failed', 'archived');
    for (let i = 3; i < 50; i++) assert.equal((await vera.post(`/api/v1/boards/${b}/columns`, { name: `c${i}` })).status, 201);
    assertError(await vera.post(`/api/v1/boards/${b}/columns`, { name: 'one too many' }), 400, 'validation_failed', 'name');
  });
});
