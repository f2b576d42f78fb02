// The knowledge base's index (spaces and every article's place in its tree), loaded once and shared by the KB pages.
import { useEffect, useState } from '/shared/preact.js';
import { api } from '/shared/api.js';
import { getSession } from '/shared/session.js';

/* status: 'idle' | 'loading' | 'ready' | 'error'; byId and children are derived from articles. */
let state = { status: 'idle', spaces: [], articles: [], byId: new Map(), children: new Map(), error: null };
const listeners = new Set();
let pending = null;

function update(patch) {
  state = { ...state, ...patch };
  for (const fn of listeners) fn(state);
}

const byPosition = (a, b) => a.position - b.position || a.id - b.id;

/*
 * children: key `s<space id>` for a space's top-level articles, `a<article id>` for an
 * article's sub-pages, each ordered by position. An article whose parent is gone is top level.
 */
function index(articles) {
  const byId = new Map(articles.map((a) => [a.id, a]));
  const children = new Map();
  for (const a of articles) {
    const key = a.parent_id && byId.has(a.parent_id) ? `a${a.parent_id}` : `s${a.space_id}`;
    if (!children.has(key)) children.set(key, []);
    children.get(key).push(a);
  }
  for (const list of children.values()) list.sort(byPosition);
  return { byId, children };
}

/* The article count of a space: the server's count column (its name varies), else what the index holds. */
export function spaceCount(space, articles) {
  if (typeof space.article_count === 'number') return space.article_count;
  const counted = articles.filter((a) => a.space_id === space.id).length;
  if (counted) return counted;
  const col = Object.keys(space).find((k) => !['id', 'name', 'description'].includes(k) && typeof space[k] === 'number');
  return col ? space[col] : 0;
}

/* Loads spaces and articles (again); resolves when done, never rejects (the error is in the state). */
export function loadIndex() {
  if (pending) return pending;
  if (state.status !== 'ready') update({ status: 'loading', error: null });
  pending = (async () => {
    try {
      const [spaces, list] = await Promise.all([api.get('/kb/spaces'), api.get('/kb/articles', { query: { limit: 1000 } })]);
      const articles = list.items || [];
      update({ status: 'ready', spaces: spaces.items || [], articles, ...index(articles), error: null });
    } catch (error) {
      if (state.status !== 'ready') update({ status: 'error', error });
    } finally {
      pending = null;
    }
  })();
  return pending;
}

/* The index; loads it on first use. */
export function useKbIndex() {
  const [current, setCurrent] = useState(state);
  useEffect(() => {
    listeners.add(setCurrent);
    setCurrent(state);
    if (state.status === 'idle') loadIndex();
    return () => listeners.delete(setCurrent);
  }, []);
  return current;
}

/* Puts a saved article's list fields into the index at once (the next load confirms them). */
export function rememberArticle(article) {
  const entry = {
    id: article.id,
    space_id: article.space?.id ?? article.space_id,
    parent_id: article.parent_id ?? null,
    position: article.position ?? 0,
    title: article.title,
    visibility: article.visibility,
    status: article.status,
    revision: article.revision,
    updated_at: article.updated_at,
  };
  const articles = [...state.articles.filter((a) => a.id !== entry.id), entry];
  update({ articles, ...index(articles) });
}

/* Ids of article id and everything below it. */
export function subtreeIds(children, id) {
  const out = new Set([id]);
  const walk = (key) => {
    for (const c of children.get(key) || []) {
      out.add(c.id);
      walk(`a${c.id}`);
    }
  };
  walk(`a${id}`);
  return out;
}

/* The chain of articles from the top of the space down to id's parent. */
export function ancestorsOf(byId, id) {
  const chain = [];
  let cur = byId.get(id);
  const seen = new Set();
  while (cur?.parent_id && byId.has(cur.parent_id) && !seen.has(cur.parent_id)) {
    seen.add(cur.parent_id);
    cur = byId.get(cur.parent_id);
    chain.unshift(cur);
  }
  return chain;
}

/* Articles of a space in tree order with their depth, for the parent picker. */
export function flattenSpace(children, spaceId) {
  const out = [];
  const walk = (key, depth) => {
    for (const a of children.get(key) || []) {
      out.push({ article: a, depth });
      walk(`a${a.id}`, depth + 1);
    }
  };
  walk(`s${spaceId}`, 0);
  return out;
}

/* The position after the last sibling under parent (or at the space's top). */
export function nextPosition(children, spaceId, parentId) {
  const list = children.get(parentId ? `a${parentId}` : `s${spaceId}`) || [];
  return list.reduce((max, a) => Math.max(max, a.position), 0) + 1;
}

/* Managers and admins create spaces (the server checks again). */
export function canManage() {
  const user = getSession().user;
  return user?.realm === 'employee' && (user.role === 'manager' || user.role === 'admin');
}
