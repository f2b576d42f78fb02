// The notification bell in the header of every page: unread badge (live over the realtime socket, polled every 30 s
// only while it is down), the latest notifications, mark as read.
import { html, useEffect, useRef, useState } from '/shared/preact.js';
import { api } from '/shared/api.js';
import { errorText, has, t } from '/shared/i18n.js';
import { Alert, useId } from '/shared/forms.js';
import { FIcon, PersonAvatar, TimeAgo, formatNumber, useDismiss } from '/app/feed/common.js';
import { postPath } from '/app/feed/post.js';
import { useLiveRefresh } from '/shared/realtime.js';

const POLL_MS = 30000;
const PAGE = 20;

/* Where a notification leads: posts and documents open on their own page, chat mentions in
 * their channel; other kinds stay in the list. */
function targetOf(n) {
  if (n.object_type === 'chat_channel' && n.object_id) return `/app/chat/${n.object_id}`;
  if (n.object_type === 'document' && n.object_id) return `/app/crm/documents?doc=${n.object_id}`;
  return n.object_type === 'post' && n.object_id ? postPath(n.object_id) : null;
}

/*
 * The server's summary reads "<actor> mentioned you: <first line>"; the bell writes the
 * action in the UI language from `kind` and keeps only the quoted line.
 */
function excerptOf(n) {
  const summary = String(n.summary || '');
  const name = n.actor?.name;
  if (name && summary.startsWith(name + ' ')) {
    const colon = summary.indexOf(': ', name.length);
    if (colon >= 0) return summary.slice(colon + 2).trim();
  }
  return summary;
}

function NotificationItem({ n, onOpen }) {
  const unread = !n.read_at;
  const href = targetOf(n);
  const action = has(`notify.kind.${n.kind}`) ? t(`notify.kind.${n.kind}`) : t('notify.kind.other');
  const excerpt = excerptOf(n);
  const body = html`
    <span class="notif-avatar">
      <${PersonAvatar} person=${n.actor || { id: 0, name: '?' }} />
      <span class=${`notif-kind notif-kind-${n.kind}`} aria-hidden="true"><${FIcon} name=${n.kind === 'comment' ? 'comment' : 'at'} class="icon icon-xs" /></span>
    </span>
    <span class="notif-text">
      <span class="notif-line"><strong>${n.actor?.name || t('notify.someone')}</strong> ${action}</span>
      ${excerpt && html`<span class="notif-excerpt">${excerpt}</span>`}
      <${TimeAgo} value=${n.created_at} class="notif-time" />
    </span>
    ${unread && html`<span class="notif-dot"><span class="visually-hidden">${t('notify.unread')}</span></span>`}`;
  const cls = 'notif' + (unread ? ' is-unread' : '');
  return html`<li>
    ${href
      ? html`<a class=${cls} href=${href} onClick=${() => onOpen(n)}>${body}</a>`
      : html`<button type="button" class=${cls} onClick=${() => onOpen(n)}>${body}</button>`}
  </li>`;
}

export function NotificationBell() {
  const [count, setCount] = useState(0);
  const [open, setOpen] = useState(false);
  const [list, setList] = useState({ items: null, next: null, error: null, more: false });
  const [marking, setMarking] = useState(false);
  const rootRef = useRef(null);
  const panelId = useId('notifications');
  const titleId = useId('notifications-title');

  useDismiss(open, setOpen, rootRef, '.bell-button');

  async function check() {
    try {
      const answer = await api.get('/notifications', { query: { unread: 1, limit: 1 } });
      setCount(answer?.unread_count ?? 0);
    } catch {
      /* keep the last count; the next poll tries again */
    }
  }

  useEffect(() => {
    check();
    const onVisible = () => document.visibilityState === 'visible' && check();
    document.addEventListener('visibilitychange', onVisible);
    window.addEventListener('online', check);
    return () => {
      document.removeEventListener('visibilitychange', onVisible);
      window.removeEventListener('online', check);
    };
  }, []);

  // A new notification arrives as an event: the badge (and the open list) follow at once.
  const openRef = useRef(open);
  openRef.current = open;
  useLiveRefresh(() => (openRef.current ? load(null) : check()), { prefixes: ['notification'], pollMs: POLL_MS });

  async function load(before) {
    setList((l) => ({ ...l, error: null, more: !!before }));
    try {
      const answer = await api.get('/notifications', { query: { limit: PAGE, before } });
      setCount(answer?.unread_count ?? 0);
      setList((l) => ({
        items: before ? [...(l.items || []), ...(answer.items || [])] : answer.items || [],
        next: answer.next_before ?? null,
        error: null,
        more: false,
      }));
    } catch (error) {
      setList((l) => ({ ...l, error, more: false }));
    }
  }

  useEffect(() => {
    if (open) load(null);
  }, [open]);

  function markLocal(ids) {
    const now = new Date().toISOString();
    setList((l) => ({ ...l, items: l.items?.map((n) => (ids === 'all' || ids.includes(n.id) ? { ...n, read_at: n.read_at || now } : n)) }));
  }

  function openItem(n) {
    setOpen(false);
    if (n.read_at) return;
    markLocal([n.id]);
    setCount((c) => Math.max(0, c - 1));
    api.post('/notifications/read', { ids: [n.id] }).then((a) => setCount(a?.unread_count ?? 0), () => {});
  }

  async function markAll() {
    setMarking(true);
    try {
      const answer = await api.post('/notifications/read', { all: true });
      setCount(answer?.unread_count ?? 0);
      markLocal('all');
    } catch (error) {
      setList((l) => ({ ...l, error }));
    } finally {
      setMarking(false);
    }
  }

  const label = count > 0 ? t('notify.button_unread', { n: formatNumber(count) }) : t('notify.button');
  return html`<div class="bell" ref=${rootRef}>
    <button type="button" class="bell-button" aria-label=${label} title=${label}
      aria-expanded=${open ? 'true' : 'false'} aria-controls=${panelId} onClick=${() => setOpen(!open)}>
      <${FIcon} name="bell" />
      ${count > 0 && html`<span class="bell-badge" aria-hidden="true">${count > 99 ? '99+' : formatNumber(count)}</span>`}
    </button>
    <div class="bell-panel" id=${panelId} role="dialog" aria-labelledby=${titleId} hidden=${!open}>
      <div class="bell-head">
        <h2 class="bell-title" id=${titleId}>${t('notify.title')}</h2>
        <button type="button" class="feed-link bell-mark-all" disabled=${count === 0 || marking} onClick=${markAll}>
          <${FIcon} name="check_all" class="icon icon-sm" />${t('notify.mark_all')}
        </button>
      </div>
      <div class="bell-body">
        ${list.error && html`<div class="bell-error"><${Alert} kind="error">${errorText(list.error)}<//></div>`}
        ${open && !list.items && !list.error && html`<div class="loading-row bell-loading"><span class="spinner" aria-hidden="true"></span>${t('state.loading')}</div>`}
        ${list.items?.length === 0 &&
        html`<div class="bell-empty">
          <span class="bell-empty-icon"><${FIcon} name="bell" /></span>
          <p class="bell-empty-title">${t('notify.empty.title')}</p>
          <p class="bell-empty-body">${t('notify.empty.body')}</p>
        </div>`}
        ${list.items?.length > 0 &&
        html`<ul class="notif-list">${list.items.map((n) => html`<${NotificationItem} key=${n.id} n=${n} onOpen=${openItem} />`)}</ul>`}
        ${list.next &&
        html`<button type="button" class="bell-more" disabled=${list.more} onClick=${() => load(list.next)}>
          ${list.more ? html`<span class="spinner" aria-hidden="true"></span>` : null}${t('notify.older')}
        </button>`}
      </div>
    </div>
  </div>`;
}
