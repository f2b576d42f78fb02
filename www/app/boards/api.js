// Calls of the boards API (projects, boards, columns, labels, cards, my tasks) and the shapes the pages work with.
import { api } from '/shared/api.js';

/* ---------- shapes ---------- */

export const PRIORITY_LEVELS = ['low', 'normal', 'high', 'urgent'];

/* A person as the pages show them: { id, name, handle }; a bare id is looked up in people. */
function person(p, people) {
  if (p == null) return null;
  if (typeof p === 'object') return { id: Number(p.id), name: p.name || '', handle: p.handle || '' };
  const id = Number(p);
  return people?.get(id) || { id, name: '', handle: '' };
}

/* A label { id, name, color }; a bare id is looked up in labels. */
function label(l, labels) {
  if (l == null) return null;
  if (typeof l === 'object') return { id: Number(l.id), name: String(l.name ?? ''), color: l.color || null };
  return labels?.get(Number(l)) || null;
}

function priority(value) {
  return PRIORITY_LEVELS.includes(value) ? value : 'normal';
}

/*
 * A card from GET /boards/{id} (assignees and labels as ids, checklist as {total, done}),
 * GET|PATCH /cards/{id} (all of it) or GET /me/tasks (with project, board and column).
 * ctx: { people: Map id → person, labels: Map id → label } of the board.
 */
export function normCard(c, ctx = {}) {
  const list = Array.isArray(c.checklist) ? c.checklist.map((it) => ({ id: it.id, text: it.text ?? '', done: !!it.done })) : null;
  const summary = c.checklist_summary || (Array.isArray(c.checklist) ? null : c.checklist) || null;
  return {
    ...c,
    id: Number(c.id),
    column_id: c.column_id != null ? Number(c.column_id) : c.column?.id != null ? Number(c.column.id) : null,
    title: c.title || '',
    description: c.description ?? '',
    html: c.description_html ?? '',
    assignees: (c.assignees || []).map((p) => person(p, ctx.people)).filter(Boolean),
    labels: (c.labels || []).map((l) => label(l, ctx.labels)).filter(Boolean),
    due_date: c.due_date ? String(c.due_date).slice(0, 10) : null,
    priority: priority(c.priority),
    archived: !!c.archived,
    checklist: list,
    checklist_total: list ? list.length : (summary?.total ?? 0),
    checklist_done: list ? list.filter((i) => i.done).length : (summary?.done ?? 0),
    files: c.files || null,
    file_count: c.files ? c.files.length : (c.file_count ?? 0),
    comments: c.comments || null,
    comment_count: c.comments ? c.comments.length : (c.comment_count ?? 0),
    has_description: c.description != null ? !!c.description : !!c.has_description,
  };
}

/* Columns as the board shows them: live ones in order; each { id, name, done, wip_limit, cards }. */
function normColumns(columns, ctx) {
  return [...(columns || [])]
    .filter((col) => !col.archived)
    .sort((x, y) => (x.position ?? 0) - (y.position ?? 0) || x.id - y.id)
    .map((col) => ({
      ...col,
      id: Number(col.id),
      name: col.name || '',
      done: !!col.done,
      wip_limit: col.wip_limit ?? null,
      cards: (col.cards || []).map((c) => ({ ...normCard(c, ctx), column_id: Number(col.id) })),
    }));
}

/* A board: { id, name, project, columns, labels, members }. */
export function normBoard(b) {
  const members = (b.members || []).map((m) => person(m));
  const labels = (b.labels || []).map((l) => label(l)).filter(Boolean);
  const ctx = { people: new Map(members.map((m) => [m.id, m])), labels: new Map(labels.map((l) => [l.id, l])) };
  return { ...b, id: Number(b.id), project: b.project || null, members, labels, columns: normColumns(b.columns, ctx), ctx };
}

/* The cards of an answer with the board's people and labels filled in. */
export function cardIn(board, c) {
  return normCard(c, board?.ctx);
}

export function normProject(p) {
  const boards = (p.boards || []).filter((b) => !b.archived).sort((x, y) => (x.position ?? 0) - (y.position ?? 0));
  return {
    ...p,
    id: Number(p.id),
    name: p.name || '',
    description: p.description || '',
    boards,
    members: (p.members || []).map((m) => person(m)),
    labels: (p.labels || []).map((l) => label(l)).filter(Boolean),
    member_count: p.member_count ?? p.members?.length ?? null,
    archived: !!p.archived,
  };
}

/* ---------- projects ---------- */

export const listProjects = (withArchived) =>
  api.get('/projects', { query: withArchived ? { archived: 1 } : {} }).then((a) => (a?.items || []).map(normProject));
export const getProject = (id) => api.get(`/projects/${id}`).then(normProject);
/* body: { name, description, members: [user ids] } (the creator is a member anyway). */
export const createProject = (body) => api.post('/projects', body).then(normProject);
/* body: { name?, description?, archived?, members?, version } (409 when stale). */
export const updateProject = (id, body) => api.patch(`/projects/${id}`, body).then(normProject);
export const createBoard = (projectId, name) => api.post(`/projects/${projectId}/boards`, { name });
export const createLabel = (projectId, name, color) => api.post(`/projects/${projectId}/labels`, { name, color }).then((l) => label(l));

/* ---------- boards and columns ---------- */

/* filters: { assignee: id|'me'|'none', label: id, due: overdue|today|week|none, archived: 1 }. */
export const getBoard = (id, filters = {}) => api.get(`/boards/${id}`, { query: filters }).then(normBoard);

export const createCard = (board, columnId, title) =>
  api.post(`/boards/${board.id}/cards`, { column_id: columnId, title }).then((c) => cardIn(board, c));

/* The column answers carry all columns of the board: { columns }. */
export const addColumn = (boardId, name) => api.post(`/boards/${boardId}/columns`, { name });
/* change: { name?, done?, wip_limit?, archived? } */
export const updateColumn = (boardId, columnId, change) => api.patch(`/boards/${boardId}/columns/${columnId}`, change);
export const reorderColumns = (boardId, columnIds) => api.post(`/boards/${boardId}/columns/reorder`, { column_ids: columnIds });

/* ---------- cards ---------- */

export const getCard = (board, id) => api.get(`/cards/${id}`).then((c) => cardIn(board, c));
/* change: the fields to set; version: the one the change was made against (409 with the current card when stale). */
export const updateCard = (board, id, version, change) => api.patch(`/cards/${id}`, { ...change, version }).then((c) => cardIn(board, c));
export const cardActivity = (id) => api.get(`/cards/${id}/activity`, { query: { limit: 100 } }).then((a) => a?.items || []);

/* Puts the card into columnId, before the card beforeId or after afterId (neither: at the bottom). */
export function moveCard(id, columnId, { beforeId, afterId } = {}) {
  const body = { column_id: columnId };
  if (beforeId != null) body.before_id = beforeId;
  else if (afterId != null) body.after_id = afterId;
  return api.post(`/cards/${id}/move`, body);
}

export const addComment = (id, text) => api.post(`/cards/${id}/comments`, { body: text });

/* Checklist items change one by one, without the card's version; each answer is the whole card. */
export const addChecklistItem = (board, id, text) => api.post(`/cards/${id}/checklist`, { text }).then((c) => cardIn(board, c));
export const updateChecklistItem = (board, id, itemId, change) =>
  api.patch(`/cards/${id}/checklist/${itemId}`, change).then((c) => cardIn(board, c));
export const deleteChecklistItem = (board, id, itemId) => api.delete(`/cards/${id}/checklist/${itemId}`).then((c) => cardIn(board, c));

export const myTasks = () => api.get('/me/tasks').then((a) => (a?.items || []).map((c) => normCard(c)));

/* The PATCH body of assignees, labels and files from the page's shapes (files: the new ones only). */
export const wire = {
  assignees: (people) => people.map((p) => p.id),
  labels: (labels) => labels.map((l) => l.id),
  files: (files) => files.map((f) => f.id),
};
