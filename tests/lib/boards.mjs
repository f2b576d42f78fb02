// tests/lib/boards.mjs - helpers for the boards API tests (boards_*): projects, boards and
// cards made through the API, a board's order as a plain object, and the assertions the
// tests share.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { show } from './identity.mjs';

// The portal drops idle keep-alive connections after 2 s without announcing it, so fetch()
// now and then writes a request on a socket the server has just closed and fails with
// UND_ERR_SOCKET before any handler saw it: send it once more, as browsers do (the same
// shim as the feed tests').
const fetchOnce = globalThis.fetch;
globalThis.fetch = async (...args) => {
  try {
    return await fetchOnce(...args);
  } catch (e) {
    if (e?.cause?.code !== 'UND_ERR_SOCKET') throw e;
    return fetchOnce(...args);
  }
};

export const unique = (prefix) => `${prefix} ${randomBytes(3).toString('hex')}`;

/** Creates a project as client (201 expected); returns it. */
export async function newProject(client, body = {}) {
  const res = await client.post('/api/v1/projects', { name: unique('Project'), ...body });
  assert.equal(res.status, 201, `create project: ${show(res)}`);
  return res.body;
}

/** GET /api/v1/boards/{id}[?query] (200 expected). */
export async function getBoard(client, id, query = '') {
  const res = await client.get(`/api/v1/boards/${id}${query ? `?${query}` : ''}`);
  assert.equal(res.status, 200, `board ${id}: ${show(res)}`);
  return res.body;
}

/** A board's columns by name: { 'To do': { id, cards: [ids...] }, ... }. */
export function layout(board) {
  return Object.fromEntries(board.columns.map((c) => [c.name, { id: c.id, cards: c.cards.map((k) => k.id) }]));
}

/** Creates a card (201 expected); returns it. */
export async function newCard(client, boardId, body = {}) {
  const res = await client.post(`/api/v1/boards/${boardId}/cards`, { title: unique('Card'), ...body });
  assert.equal(res.status, 201, `create card: ${show(res)}`);
  return res.body;
}

/** A project with its first board, and n cards in its first column. */
export async function projectWithCards(client, n, body = {}) {
  const project = await newProject(client, body);
  const boardId = project.boards[0].id;
  const cards = [];
  for (let i = 0; i < n; i++) cards.push(await newCard(client, boardId, { title: `card ${i}` }));
  return { project, boardId, board: await getBoard(client, boardId), cards };
}

export async function move(client, cardId, body) {
  return client.post(`/api/v1/cards/${cardId}/move`, body);
}

export function assertError(res, status, code, field) {
  assert.equal(res.status, status, show(res));
  assert.equal(res.body?.error?.code, code, show(res));
  if (field !== undefined) assert.equal(res.body.error.field, field, show(res));
}
