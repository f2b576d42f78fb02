// Chat state in the browser: channels with unread counts, each channel's loaded history,
// threads, unsent messages, typing and presence, and the link to the server.
//
// Sends are plain HTTP writes with a client_id (UUID), so a send repeated after a lost
// answer is the same message on the server; until it is acknowledged a message stays in
// `pending` and is sent again when the connection comes back. Live changes arrive as
// events ("chat.message", "chat.message.edited", ...) that apply() folds into the state;
// after a gap (reconnect) each open channel catches up with ?after=<newest id>, and
// messages are kept by id, so nothing shows twice. Events, typing and presence come over
// the realtime websocket (/shared/realtime.js); while it is down the page polls.
import { useEffect, useState } from '/shared/preact.js';
import { api } from '/shared/api.js';
import * as realtime from '/shared/realtime.js';

const { getState: socketState, onFrameType, onState, sendTyping, subscribe } = realtime;

const POLL_MS = 3000; // how often to ask the server while no live connection delivers events
const TYPING_SHOW_MS = 6000; // a typing notice shows this long unless renewed

export const state = {
  me: null,
  conn: 'online', // 'online' | 'offline' (the server is not reachable; the banner shows)
  live: false, // the websocket delivers events
  channels: [], // GET /chat/channels?archived=1 items (archived ones flagged)
  channelsLoaded: false,
  details: new Map(), // channel id -> GET /chat/channels/{id} (members, read markers)
  history: new Map(), // channel id -> { items: ascending, hasOlder, loading }
  threads: new Map(), // root id -> { root, items }
  pending: [], // { client_id, channel_id, parent_id, body, files, status: 'sending'|'queued'|'failed', error }
  typing: new Map(), // channel id -> [{ user_id, name }]
  presence: new Map(), // user id -> 'online' | 'away'
  active: null, // the open channel id
  highlight: null, // a message to show (from a search hit)
  openThread: null, // the open thread's root id
};

const listeners = new Set();
let version = 0;

function emit() {
  version++;
  for (const fn of listeners) fn(version);
}

/* Re-renders the caller on every change of the chat state. */
export function useChat() {
  const [, setV] = useState(version);
  useEffect(() => {
    listeners.add(setV);
    return () => listeners.delete(setV);
  }, []);
  return state;
}

/* ---------- connection ---------- */

function wentOffline(err) {
  if (err?.status === 0 && state.conn !== 'offline') {
    state.conn = 'offline';
    emit();
  }
}

/* Runs a request; a network failure marks the link down (and rethrows). */
async function call(fn) {
  try {
    const answer = await fn();
    if (state.conn !== 'online') {
      state.conn = 'online';
      emit();
      resume();
    }
    return answer;
  } catch (err) {
    wentOffline(err);
    throw err;
  }
}

/* After a gap: channels and badges again, each loaded channel from its newest message on,
 * the open thread, then whatever was not sent. */
async function resume() {
  try {
    await loadChannels();
    for (const id of state.history.keys()) await catchUp(id);
    if (state.openThread) await loadThread(state.openThread);
    await flushPending();
  } catch {
    /* still down: the next tick tries again */
  }
}

/* ---------- channels ---------- */

export async function loadChannels() {
  const answer = await call(() => api.get('/chat/channels', { query: { archived: 1 } }));
  state.channels = answer.items;
  state.channelsLoaded = true;
  if (state.active) clearUnreadLocally(state.active);
  watchPeople();
  emit();
  return state.channels;
}

export function channelById(id) {
  return state.channels.find((c) => c.id === id) || null;
}

async function loadDetails(id) {
  const d = await call(() => api.get(`/chat/channels/${id}`));
  state.details.set(id, d);
  if (id === state.active) watchPeople();
  emit();
  return d;
}

export async function createChannel(body) {
  const c = await call(() => api.post('/chat/channels', body));
  await loadChannels();
  return c;
}

export async function openDirect(userIds) {
  const c = await call(() => api.post('/chat/direct', { user_ids: userIds }));
  await loadChannels();
  return c;
}

export async function joinChannel(id) {
  const c = await call(() => api.post(`/chat/channels/${id}/join`, {}));
  await loadChannels();
  return c;
}

export async function leaveChannel(id) {
  await call(() => api.delete(`/chat/channels/${id}/members/${state.me.id}`));
  state.history.delete(id);
  await loadChannels();
}

/* Changes a channel's settings ({ name?, topic?, archived? }; the owner or an admin). */
export async function updateChannel(id, changes) {
  const version = state.details.get(id)?.version;
  let c;
  try {
    c = await call(() => api.patch(`/chat/channels/${id}`, version ? { ...changes, version } : changes));
  } catch (err) {
    if (err?.code === 'conflict') await loadDetails(id).catch(() => {}); // changed meanwhile: show it, then retry
    throw err;
  }
  await Promise.all([loadChannels(), loadDetails(id).catch(() => {})]);
  return c;
}

/* Makes a member an owner of the channel, or an owner a member again. */
export async function setMemberRole(id, userId, role) {
  await call(() => api.patch(`/chat/channels/${id}/members/${userId}`, { role }));
  await loadDetails(id);
}

/* My unread messages in the channels and conversations that are not archived. */
export function unreadTotal() {
  return state.channels.reduce((n, c) => n + (c.archived ? 0 : c.unread || 0), 0);
}

/* Whether the chat page keeps the state live (it started the store and has the list). */
export function isRunning() {
  return started > 0 && state.channelsLoaded;
}

export async function addMember(id, userId) {
  const d = await call(() => api.post(`/chat/channels/${id}/members`, { user_id: userId }));
  state.details.set(id, d);
  await loadChannels();
}

/* ---------- history ---------- */

function historyOf(id) {
  if (!state.history.has(id)) state.history.set(id, { items: [], hasOlder: true, loading: false, loaded: false });
  return state.history.get(id);
}

/* Puts a message into its channel's history (or its thread), replacing the copy with the
 * same id: an event and a fetch of the same message never make two. */
function upsert(m) {
  if (m.parent_id) {
    const th = state.threads.get(m.parent_id);
    if (th) merge(th.items, m);
    return;
  }
  const h = state.history.get(m.channel_id);
  if (!h || !h.loaded) return;
  const newest = h.items.at(-1);
  // a message newer than a gap we have not filled yet waits for catchUp()
  if (newest && m.id > newest.id && h.gap) return;
  merge(h.items, m);
}

function merge(list, m) {
  const i = list.findIndex((x) => x.id === m.id);
  if (i >= 0) list[i] = { ...list[i], ...m };
  else {
    let at = list.length;
    while (at > 0 && list[at - 1].id > m.id) at--;
    list.splice(at, 0, m);
  }
}

/* Opens a channel: its newest page (once), its members and read markers, marks it read. */
export async function openChannel(id) {
  if (state.active !== id) state.highlight = null;
  state.active = id;
  const h = historyOf(id);
  emit();
  if (!h.loaded && !h.loading) {
    h.loading = true;
    try {
      const page = await call(() => api.get(`/chat/channels/${id}/messages`, { query: { limit: 50 } }));
      h.items = page.items.slice().reverse();
      h.hasOlder = Boolean(page.next_before);
      h.loaded = true;
    } finally {
      h.loading = false;
      emit();
    }
  }
  await loadDetails(id).catch(() => {});
  markRead(id);
}

export function closeChannel() {
  state.active = null;
  state.openThread = null;
  emit();
}

/* The page before the oldest loaded message (infinite scroll up). Returns how many came. */
export async function loadOlder(id) {
  const h = historyOf(id);
  if (!h.loaded || h.loading || !h.hasOlder) return 0;
  h.loading = true;
  emit();
  try {
    const page = await call(() =>
      api.get(`/chat/channels/${id}/messages`, { query: { limit: 50, before: h.items[0]?.id } }),
    );
    for (const m of page.items) merge(h.items, m);
    h.hasOlder = Boolean(page.next_before);
    return page.items.length;
  } finally {
    h.loading = false;
    emit();
  }
}

/* Loads older pages of channel id until message mid is among them (at most 20 pages),
 * then marks it to be scrolled to. Returns whether it was found. */
export async function reveal(id, mid) {
  const h = historyOf(id);
  for (let i = 0; i < 20 && h.loaded && !h.items.some((m) => m.id === mid) && h.hasOlder; i++) {
    if (!(await loadOlder(id))) break;
  }
  const found = h.items.some((m) => m.id === mid);
  state.highlight = found ? mid : null;
  emit();
  return found;
}

/* Everything after the newest loaded message, page by page: what a gap missed. */
export async function catchUp(id) {
  const h = state.history.get(id);
  if (!h || !h.loaded) return;
  h.gap = true;
  try {
    for (;;) {
      const after = h.items.at(-1)?.id ?? 0;
      const page = await call(() => api.get(`/chat/channels/${id}/messages`, { query: { after, limit: 200 } }));
      for (const m of page.items) merge(h.items, m);
      if (!page.has_more) break;
    }
    h.gap = false;
  } finally {
    emit();
  }
  // edits, deletes and reactions of what is on screen
  const recent = await call(() => api.get(`/chat/channels/${id}/messages`, { query: { limit: 50 } }));
  for (const m of recent.items) if (h.items.some((x) => x.id === m.id)) merge(h.items, m);
  emit();
}

export async function loadThread(rootId) {
  const t = await call(() => api.get(`/chat/messages/${rootId}/thread`));
  state.threads.set(rootId, { root: t.root, items: t.items });
  emit();
  return t;
}

export function setOpenThread(rootId) {
  state.openThread = rootId;
  emit();
  if (rootId) loadThread(rootId).catch(() => {});
}

/* ---------- sending ---------- */

function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/* Queues a message and sends it; it shows at once as "sending". */
export function send(channelId, body, { files = [], parentId = null } = {}) {
  const p = {
    client_id: uuid(),
    channel_id: channelId,
    parent_id: parentId,
    body,
    files: files.map((f) => f.id),
    fileInfo: files,
    status: 'sending',
    error: null,
    created_at: new Date().toISOString(),
  };
  state.pending.push(p);
  emit();
  deliver(p);
}

async function deliver(p) {
  p.status = 'sending';
  emit();
  try {
    const m = await call(() =>
      api.post(`/chat/channels/${p.channel_id}/messages`, {
        body: p.body,
        client_id: p.client_id,
        parent_id: p.parent_id || undefined,
        files: p.files.length ? p.files : undefined,
      }),
    );
    state.pending = state.pending.filter((x) => x !== p);
    upsert(m);
    if (m.thread) bumpRoot(m.thread, m.channel_id);
    emit();
    markRead(p.channel_id);
  } catch (err) {
    if (err?.status === 0 || err?.status === 503) {
      p.status = 'queued'; // sent again when the server answers
    } else if (err?.status === 429) {
      p.status = 'queued';
      setTimeout(() => deliver(p), Math.max(1, err.retryAfter || 1) * 1000);
    } else {
      p.status = 'failed';
      p.error = err;
    }
    emit();
  }
}

async function flushPending() {
  for (const p of state.pending.filter((x) => x.status === 'queued')) await deliver(p);
}

export function retryPending(p) {
  deliver(p);
}

export function discardPending(p) {
  state.pending = state.pending.filter((x) => x !== p);
  emit();
}

function bumpRoot(thread, channelId) {
  const h = state.history.get(channelId);
  const root = h?.items.find((x) => x.id === thread.id);
  if (root) Object.assign(root, { reply_count: thread.reply_count, last_reply_at: thread.last_reply_at });
  const th = state.threads.get(thread.id);
  if (th) Object.assign(th.root, { reply_count: thread.reply_count, last_reply_at: thread.last_reply_at });
}

export async function editMessage(m, body) {
  const next = await call(() => api.patch(`/chat/messages/${m.id}`, { body }));
  upsert(next);
  emit();
}

export async function deleteMessage(m) {
  await call(() => api.delete(`/chat/messages/${m.id}`));
  upsert({ ...m, deleted: true, body: '', html: '', reactions: [], files: [] });
  emit();
}

export async function toggleReaction(m, emoji) {
  const mine = m.reactions?.some((r) => r.emoji === emoji && r.user_ids.includes(state.me.id));
  const path = `/chat/messages/${m.id}/reactions/${encodeURIComponent(emoji)}`;
  const answer = await call(() => (mine ? api.delete(path) : api.put(path)));
  upsert({ ...m, reactions: answer.reactions });
  emit();
}

/* ---------- read markers ---------- */

function clearUnreadLocally(id) {
  const c = channelById(id);
  if (c) c.unread = 0;
}

/* Moves my read marker to the newest loaded message of the channel, if it is further. */
export async function markRead(id) {
  const h = state.history.get(id);
  const c = channelById(id);
  const newest = h?.items.at(-1)?.id;
  if (!newest || (c && c.last_read_id >= newest && !c.unread) || document.visibilityState === 'hidden') return;
  if (c) {
    c.last_read_id = Math.max(c.last_read_id, newest);
    c.unread = 0;
  }
  emit();
  try {
    const answer = await call(() => api.post(`/chat/channels/${id}/read`, { message_id: newest }));
    if (c) Object.assign(c, { last_read_id: answer.last_read_id, unread: answer.unread });
    emit();
  } catch {
    /* the next read tries again */
  }
}

/* ---------- typing and presence ---------- */

/* Tells the others I am typing in channel id (the gateway limits how often). */
export function typing(id) {
  if (state.live) sendTyping(id);
}

/* A typing frame {channel, user_id}: shown under the conversation for a few seconds. */
function typingFrame(f) {
  // away from the chat page nobody shows it (and the names of the channel are not loaded)
  if (!started || f.user_id === state.me?.id) return;
  const member = state.details.get(f.channel)?.members.find((m) => m.id === f.user_id)
    || channelById(f.channel)?.members?.find((m) => m.id === f.user_id);
  const list = (state.typing.get(f.channel) || []).filter((x) => x.user_id !== f.user_id);
  list.push({ user_id: f.user_id, name: member?.name || '…', until: Date.now() + TYPING_SHOW_MS });
  state.typing.set(f.channel, list);
  emit();
}

/* A presence frame: the state of people I follow, first all of them, then changes.
 * Listened to from the moment this module loads (with the app). */
function presenceFrame(f) {
  const set = (p) => (p.state === 'offline' ? state.presence.delete(p.user_id) : state.presence.set(p.user_id, p.state));
  if (Array.isArray(f.users)) f.users.forEach(set);
  else if (f.user_id) set(f);
  emit();
}

let watchedKey = '';

/* Follows the presence of the people on screen: my conversations' and the open channel's
 * members (the gateway sends presence only for watched users; realtime.js repeats the
 * list after a reconnect). */
function watchPeople() {
  const ids = new Set();
  for (const c of state.channels) for (const m of c.members || []) ids.add(m.id);
  for (const m of (state.active && state.details.get(state.active)?.members) || []) ids.add(m.id);
  ids.delete(state.me?.id);
  const list = [...ids].sort((a, b) => a - b).slice(0, 500);
  if (list.join(',') === watchedKey) return;
  watchedKey = list.join(',');
  realtime.watchPresence?.(list);
}

onFrameType('presence', presenceFrame);
onFrameType('typing', typingFrame);

/* ---------- live events ---------- */

/* Folds one chat event into the state. */
export function apply(type, data) {
  switch (type) {
    case 'chat.message': {
      if (data.author?.id === state.me?.id) {
        state.pending = state.pending.filter((p) => p.client_id !== data.client_id);
      }
      upsert(data);
      if (data.thread) bumpRoot(data.thread, data.channel_id);
      const c = channelById(data.channel_id);
      if (c && !data.parent_id) {
        c.last_message_id = Math.max(c.last_message_id, data.id);
        if (data.channel_id === state.active && document.visibilityState === 'visible') markRead(data.channel_id);
        else if (data.author?.id !== state.me?.id && data.id > c.last_read_id) c.unread++;
      } else if (!c) {
        loadChannels().catch(() => {});
      }
      // whoever sent it has stopped typing
      const typists = state.typing.get(data.channel_id);
      if (typists) state.typing.set(data.channel_id, typists.filter((x) => x.user_id !== data.author?.id));
      break;
    }
    case 'chat.message.edited':
      upsert(data);
      break;
    case 'chat.message.deleted': {
      const h = state.history.get(data.channel_id);
      const list = data.parent_id ? state.threads.get(data.parent_id)?.items : h?.items;
      const m = list?.find((x) => x.id === data.id);
      if (m) Object.assign(m, { deleted: true, body: '', html: '', reactions: [], files: [] });
      break;
    }
    case 'chat.reaction': {
      for (const list of [state.history.get(data.channel_id)?.items, ...[...state.threads.values()].map((x) => [x.root, ...x.items])]) {
        const m = list?.find((x) => x.id === data.message_id);
        if (m) m.reactions = data.reactions;
      }
      break;
    }
    case 'chat.read': {
      const d = state.details.get(data.channel_id);
      const member = d?.members.find((x) => x.id === data.user_id);
      if (member) member.last_read_id = Math.max(member.last_read_id, data.last_read_id);
      if (data.user_id === state.me?.id) {
        const c = channelById(data.channel_id);
        if (c && data.last_read_id >= c.last_read_id) {
          c.last_read_id = data.last_read_id;
          if (data.last_read_id >= c.last_message_id) c.unread = 0;
        }
      }
      break;
    }
    case 'chat.member':
      loadChannels().catch(() => {});
      if (state.details.has(data.channel_id)) loadDetails(data.channel_id).catch(() => {});
      break;
    case 'chat.channel.updated': {
      // renamed, a new topic, archived or back: show it at once, then reload the truth
      const fields = { name: data.name, topic: data.topic, archived: data.archived };
      const c = channelById(data.id);
      if (c) Object.assign(c, fields);
      const d = state.details.get(data.id);
      if (d) Object.assign(d, fields, { archived_at: data.archived_at, version: data.version });
      loadChannels().catch(() => {});
      break;
    }
    default:
      return;
  }
  emit();
}

/* ---------- the loop ---------- */

let offs = [];
let timer = null;
let started = 0;

/* One round of asking the server what changed, while no live link delivers events. */
async function poll() {
  if (document.visibilityState === 'hidden' || state.live) return;
  try {
    await loadChannels();
    if (state.active) {
      await catchUp(state.active);
      if (state.details.has(state.active)) await loadDetails(state.active);
      markRead(state.active);
    }
    if (state.openThread) await loadThread(state.openThread);
  } catch {
    /* offline: the banner shows, the next round tries again */
  }
}

/* The socket opened or closed: when it opens after a gap, catch up once over HTTP (the
 * gateway resumes its events too; both land by id, so nothing doubles). */
function onSocket(s) {
  const was = state.live;
  state.live = s === 'open';
  if (state.live && !was && started) resume();
  emit();
}

/* Starts the chat for user me (idempotent; stop() undoes it). */
export function start(me) {
  state.me = me;
  if (started++) return;
  state.live = socketState() === 'open';
  offs = [
    subscribe('chat.', (data, frame) => apply(frame.event, data)),
    onFrameType('reset', () => resume()),
    onState(onSocket),
  ];
  timer = setInterval(poll, POLL_MS);
  window.addEventListener('online', reconnectNow);
  document.addEventListener('visibilitychange', onVisible);
}

/* Coming back to the tab reads what arrived meanwhile in the open channel. */
function onVisible() {
  if (document.visibilityState === 'visible' && state.active) markRead(state.active);
}

export function stop() {
  if (--started > 0) return;
  offs.forEach((off) => off());
  offs = [];
  clearInterval(timer);
  timer = null;
  window.removeEventListener('online', reconnectNow);
  document.removeEventListener('visibilitychange', onVisible);
}

/* Tries the server now (the banner's "Retry"). */
export function reconnectNow() {
  if (state.live) resume();
  else poll();
}
