// Realtime client: one websocket per tab to the gateway (chat/gateway.c), opened with a
// one-time ticket, reconnecting with backoff and resuming from the last event id it saw
// (kept in sessionStorage, so a reload resumes too). Pages subscribe by event-type prefix
// and keep polling only while the socket is down; the shell shows ReconnectBanner.
import { html, useEffect, useRef, useState } from '/shared/preact.js';
import { api } from '/shared/api.js';
import { t } from '/shared/i18n.js';

const LAST_KEY = 'portal.realtime.last';
const PING_MS = 25000; // the browser hides websocket pings: an app-level one finds dead links
const PONG_WAIT_MS = 10000;
const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 30000;

let ws = null;
let state = 'offline'; // connecting | open | offline
let wanted = false;
let attempt = 0;
let retryTimer = null;
let pingTimer = null;
let pongTimer = null;
let lastId = readLast();
let watched = []; // user ids whose presence this tab follows (sent again on every reconnect)
const subscribers = new Set(); // { prefix, fn }
const stateListeners = new Set();
const frameListeners = new Set(); // { type, fn } for typing, presence, reset

function readLast() {
  try {
    const v = Number(sessionStorage.getItem(LAST_KEY));
    return Number.isSafeInteger(v) && v > 0 ? v : null;
  } catch {
    return null;
  }
}

function writeLast(id) {
  lastId = id;
  try {
    sessionStorage.setItem(LAST_KEY, String(id));
  } catch {
    /* memory only */
  }
}

function setState(next) {
  if (state === next) return;
  state = next;
  for (const fn of [...stateListeners]) fn(state);
}

function emitFrame(type, frame) {
  for (const l of [...frameListeners]) if (l.type === type) l.fn(frame);
}

function onFrame(text) {
  let frame;
  try {
    frame = JSON.parse(text);
  } catch {
    return;
  }
  clearTimeout(pongTimer);
  pongTimer = null;
  switch (frame.type) {
    case 'hello':
      attempt = 0;
      if (frame.reset) emitFrame('reset', frame); // too far behind: pages reload what they show
      if (Number.isSafeInteger(frame.last_id) && frame.last_id > (lastId ?? 0)) writeLast(frame.last_id);
      if (watched.length) send({ type: 'presence', watch: watched });
      setState('open');
      break;
    case 'event':
      if (lastId !== null && frame.id <= lastId) return; // already seen (a resume overlapping)
      writeLast(frame.id);
      for (const s of [...subscribers]) {
        if (frame.event.startsWith(s.prefix)) {
          try {
            s.fn(frame.data, frame);
          } catch (err) {
            console.error(err); // one page's bug does not stop the others
          }
        }
      }
      break;
    default:
      emitFrame(frame.type, frame);
  }
}

function stopTimers() {
  clearTimeout(retryTimer);
  clearInterval(pingTimer);
  clearTimeout(pongTimer);
  retryTimer = pingTimer = pongTimer = null;
}

function scheduleRetry() {
  stopTimers();
  if (!wanted) return;
  const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** attempt) * (0.75 + Math.random() / 2);
  attempt = Math.min(attempt + 1, 10);
  retryTimer = setTimeout(open, delay);
}

async function open() {
  stopTimers();
  if (!wanted || ws) return;
  setState('connecting');
  let answer;
  try {
    answer = await api.post('/realtime/ticket');
  } catch (err) {
    setState('offline');
    if (err.status === 401 || err.status === 403) wanted = false; // signed out: the shell calls connect() again
    else scheduleRetry();
    return;
  }
  if (!wanted || ws) return;
  const url = new URL(answer.url);
  url.searchParams.set('ticket', answer.ticket);
  if (lastId !== null) url.searchParams.set('after', String(lastId));
  const socket = new WebSocket(url.toString());
  ws = socket;
  socket.onmessage = (e) => onFrame(e.data);
  socket.onopen = () => {
    pingTimer = setInterval(() => {
      if (socket.readyState !== WebSocket.OPEN) return;
      socket.send('{"type":"ping"}');
      pongTimer ??= setTimeout(() => socket.close(), PONG_WAIT_MS);
    }, PING_MS);
    sendPresence();
  };
  socket.onclose = () => {
    if (ws !== socket) return;
    ws = null;
    setState('offline');
    scheduleRetry();
  };
}

function sendPresence() {
  send({ type: 'presence', state: document.visibilityState === 'hidden' ? 'away' : 'online' });
}

function send(obj) {
  if (ws?.readyState === WebSocket.OPEN) ws.send(JSON.stringify(obj));
}

function reconnectNow() {
  if (!wanted) return;
  attempt = 0;
  if (!ws) open();
}

let hooked = false;
function hookPage() {
  if (hooked) return;
  hooked = true;
  window.addEventListener('online', reconnectNow);
  document.addEventListener('visibilitychange', () => {
    sendPresence();
    if (document.visibilityState === 'visible') reconnectNow();
  });
}

/** Opens the socket (again) for the signed-in user; harmless when already open. */
export function connect() {
  hookPage();
  wanted = true;
  if (!ws && !retryTimer) open();
}

/** Closes the socket and stops reconnecting (sign-out). */
export function disconnect() {
  wanted = false;
  stopTimers();
  const socket = ws;
  ws = null;
  socket?.close();
  setState('offline');
}

/** Calls fn(data, frame) for every event whose type starts with prefix; returns unsubscribe. */
export function subscribe(prefix, fn) {
  const s = { prefix, fn };
  subscribers.add(s);
  return () => subscribers.delete(s);
}

/** Calls fn(frame) for frames of one type: 'typing', 'presence' or 'reset'; returns unsubscribe. */
export function onFrameType(type, fn) {
  const l = { type, fn };
  frameListeners.add(l);
  return () => frameListeners.delete(l);
}

/** Calls fn(state) now and on every change (connecting | open | offline); returns unsubscribe. */
export function onState(fn) {
  stateListeners.add(fn);
  fn(state);
  return () => stateListeners.delete(fn);
}

export function getState() {
  return state;
}

/** Tells the channel's members that the user is typing (the gateway limits how often). */
export function sendTyping(channelId) {
  send({ type: 'typing', channel: channelId });
}

/**
 * Follows the presence of these users (at most 500; replaces the previous list, kept
 * across reconnects). Their states arrive as 'presence' frames: see onFrameType.
 */
export function watchPresence(userIds) {
  watched = [...new Set(userIds)].slice(0, 500);
  send({ type: 'presence', watch: watched });
}

/** A hook: the socket's state, re-rendering on change. */
export function useRealtimeState() {
  const [s, setS] = useState(state);
  useEffect(() => onState(setS), []);
  return s;
}

/**
 * Keeps a page fresh: subscribes to prefixes (calling refresh on a matching event for
 * which match(data) holds, batched) and polls with refresh every pollMs only while the
 * socket is not open. Also refreshes when the socket (re)opens, since events may have
 * been missed before the first connection, and on a reset. refresh and match are read
 * from the latest render (they may close over filters); an event that arrives while the
 * tab is hidden refreshes when it becomes visible again.
 */
export function useLiveRefresh(refresh, { prefixes, match = () => true, pollMs, deps = [] }) {
  const latest = useRef(null);
  latest.current = { refresh, match };
  useEffect(() => {
    let timer = null;
    let pending = null;
    let missed = false;
    const visible = () => document.visibilityState === 'visible';
    const soon = () => {
      if (pending) return;
      pending = setTimeout(() => {
        pending = null;
        if (!wanted) return; // signed out meanwhile
        if (visible()) latest.current.refresh();
        else missed = true;
      }, 150);
    };
    const onVisible = () => {
      if (missed && visible()) {
        missed = false;
        soon();
      }
    };
    document.addEventListener('visibilitychange', onVisible);
    const offs = prefixes.map((p) => subscribe(p, (data) => latest.current.match(data) && soon()));
    offs.push(onFrameType('reset', soon));
    offs.push(() => document.removeEventListener('visibilitychange', onVisible));
    let wasOpen = state === 'open';
    offs.push(onState((s) => {
      clearInterval(timer);
      timer = null;
      if (s !== 'open') timer = setInterval(() => wanted && visible() && latest.current.refresh(), pollMs);
      else if (!wasOpen) soon();
      wasOpen = s === 'open';
    }));
    return () => {
      clearInterval(timer);
      clearTimeout(pending);
      for (const off of offs) off();
    };
  }, deps);
}

/** The shell's banner: shown while a socket that was open is down, with "retry now". */
export function ReconnectBanner() {
  const s = useRealtimeState();
  const [everOpen, setEverOpen] = useState(s === 'open');
  const [back, setBack] = useState(false);
  useEffect(() => {
    if (s === 'open' && !everOpen) setEverOpen(true);
    if (s === 'open' && everOpen) {
      setBack(true);
      const timer = setTimeout(() => setBack(false), 2500);
      return () => clearTimeout(timer);
    }
    setBack(false);
    return undefined;
  }, [s]);
  if (!everOpen || (s === 'open' && !back)) return null;
  if (s === 'open')
    return html`<div class="rt-banner rt-banner-back" role="status">${t('realtime.banner.back')}</div>`;
  return html`<div class="rt-banner" role="status">
    <span class="spinner" aria-hidden="true"></span>
    <span>${t(s === 'connecting' ? 'realtime.banner.connecting' : 'realtime.banner.offline')}</span>
    <button type="button" class="rt-banner-retry" onClick=${reconnectNow}>${t('realtime.banner.retry')}</button>
  </div>`;
}
