// Pieces the feed and the notification bell share: icons, plural messages, people, groups, files, rendered bodies.
import { html, useEffect, useLayoutEffect, useRef, useState } from '/shared/preact.js';
import { api } from '/shared/api.js';
import { getLang, has, t } from '/shared/i18n.js';
import { formatDateTime, formatRelative, initials, isoOf } from '/shared/format.js';
import { Dialog } from '/shared/forms.js';

/* ---------- icons (24x24 strokes, same drawing rules as ui.js) ---------- */

const PATHS = {
  heart: 'M12 20.5s-8-4.6-8-10.6A4.4 4.4 0 0 1 12 7.3a4.4 4.4 0 0 1 8 2.6c0 6-8 10.6-8 10.6z',
  comment: 'M4.5 5h15a1 1 0 0 1 1 1v9.5a1 1 0 0 1-1 1H10l-4.5 3.5v-3.5h-1a1 1 0 0 1-1-1V6a1 1 0 0 1 1-1z',
  pin: 'M9 3.5h6 M10 3.5v6.2L7 13.5h10l-3-3.8V3.5 M12 13.5v7',
  clip: 'M20 11.5l-8.2 8.2a5 5 0 0 1-7.1-7.1l8.6-8.6a3.3 3.3 0 0 1 4.7 4.7l-8.6 8.6a1.7 1.7 0 0 1-2.4-2.4l7.9-7.9',
  image: 'M4 5h16v14H4z M4 16l4.5-4.5 4 4 2.5-2.5L20 18 M15.5 9h.01',
  bell: 'M6 16.5V11a6 6 0 0 1 12 0v5.5l1.5 1.5h-15z M10 20.5a2.2 2.2 0 0 0 4 0',
  trash: 'M4 7h16 M9.5 7V4.5h5V7 M6.5 7l1 13h9l1-13 M10 11v5.5 M14 11v5.5',
  download: 'M12 4v11 M7.5 10.5L12 15l4.5-4.5 M5 20h14',
  reply: 'M10 8L5 12l5 4 M5 12h9a5 5 0 0 1 5 5v1.5',
  at: 'M12 16a4 4 0 1 0 0-8a4 4 0 1 0 0 8z M16 8v5a2.5 2.5 0 0 0 5 0v-1a9 9 0 1 0-3.6 7.2',
  globe: 'M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z M3.5 12h17 M12 3c2.4 2.5 3.6 5.5 3.6 9s-1.2 6.5-3.6 9c-2.4-2.5-3.6-5.5-3.6-9S9.6 5.5 12 3z',
  megaphone: 'M3.5 10v4h3l7.5 4.5v-13L6.5 10z M17 9a4 4 0 0 1 0 6 M19.5 6.5a7.5 7.5 0 0 1 0 11',
  more: 'M5.5 12h.01 M12 12h.01 M18.5 12h.01',
  bold: 'M7 5h6a3.5 3.5 0 0 1 0 7H7z M7 12h7a3.5 3.5 0 0 1 0 7H7z',
  italic: 'M10 5h8 M6 19h8 M14 5l-4 14',
  list: 'M9 6h11 M9 12h11 M9 18h11 M4.5 6h.01 M4.5 12h.01 M4.5 18h.01',
  link: 'M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1 M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1',
  code: 'M8.5 7L3.5 12l5 5 M15.5 7l5 5-5 5',
  quote: 'M5 7h5v5H7c0 2 1 3.5 3 4 M14 7h5v5h-3c0 2 1 3.5 3 4',
  check_all: 'M3 12.5l4 4L15 8.5 M11 15.5l1 1L20.5 8',
  eye: 'M2.5 12s3.5-6.5 9.5-6.5 9.5 6.5 9.5 6.5-3.5 6.5-9.5 6.5S2.5 12 2.5 12z M12 9a3 3 0 1 0 0 6a3 3 0 1 0 0-6z',
  users: 'M9 5a3.5 3.5 0 1 0 0 7a3.5 3.5 0 1 0 0-7z M2.5 20a6.5 6.5 0 0 1 13 0 M16 5.2a3.5 3.5 0 0 1 0 6.6 M18.5 14.5a6.5 6.5 0 0 1 3 5.5',
  file: 'M6 3h8l4 4v14H6z M14 3v4h4 M9 12h6 M9 16h6',
  close: 'M6 6l12 12 M18 6L6 18',
  send: 'M21 3L10 14 M21 3l-7 18-4-7-7-4z',
  edit: 'M4 20h4L19 9l-4-4L4 16z M13.5 6.5l4 4',
  history: 'M3 12a9 9 0 1 0 3-6.7 M3 4v5h5 M12 8v4l3 2',
  arrow_left: 'M19 12H5 M11 6l-6 6 6 6',
  check: 'M5 12.5l4.5 4.5L19 7.5',
  copy: 'M9 9h11v11H9z M5 15H4V4h11v1',
  alert: 'M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z M12 7.5v5.5 M12 16.5h.01',
  feed: 'M4 5h16v14H4z M8 9h8 M8 13h8 M8 17h5',
};

/* A feed icon; `bold` thickens the stroke (the "more" dots need it). */
export function FIcon({ name, class: cls = 'icon', bold }) {
  return html`<svg class=${cls} viewBox="0 0 24 24" aria-hidden="true" focusable="false"
    fill="none" stroke="currentColor" stroke-width=${bold ? 3 : 1.8} stroke-linecap="round" stroke-linejoin="round">
    <path d=${PATHS[name] || PATHS.file} />
  </svg>`;
}

/* ---------- messages ---------- */

const pluralRules = new Map();

/* t() for counted things: picks `${key}.one|few|many|other` by the language's plural rules, {n} filled. */
export function tn(key, n, params) {
  const lang = getLang();
  if (!pluralRules.has(lang)) pluralRules.set(lang, new Intl.PluralRules(lang));
  const form = `${key}.${pluralRules.get(lang).select(n)}`;
  return t(has(form) ? form : `${key}.other`, { n: formatNumber(n), ...params });
}

export function formatNumber(n) {
  return new Intl.NumberFormat(getLang()).format(n);
}

/* "2.4 MB" in the current language. */
export function formatSize(bytes) {
  const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte'];
  let value = Number(bytes) || 0;
  let i = 0;
  while (value >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  return new Intl.NumberFormat(getLang(), {
    style: 'unit',
    unit: units[i],
    unitDisplay: i === 0 ? 'narrow' : 'short',
    maximumFractionDigits: i === 0 || value >= 100 ? 0 : 1,
  }).format(value);
}

/* ---------- time ---------- */

const tickers = new Set();
setInterval(() => tickers.forEach((fn) => fn(Date.now())), 30000);

/* "5 minutes ago" that keeps itself current; the exact date and time in the tooltip. */
export function TimeAgo({ value, class: cls }) {
  const [, setNow] = useState(0);
  useEffect(() => {
    tickers.add(setNow);
    return () => tickers.delete(setNow);
  }, []);
  return html`<time class=${cls} datetime=${isoOf(value)} title=${formatDateTime(value)}>${formatRelative(value)}</time>`;
}

/* ---------- people ---------- */

/* An avatar with initials, its colour picked from the person's id so people are told apart. */
export function PersonAvatar({ person, size }) {
  const hue = person?.id ? Number(person.id) % 8 : 0;
  const cls = `avatar avatar-hue-${hue}${size ? ` avatar-${size}` : ''}`;
  return html`<span class=${cls} aria-hidden="true">${initials(person?.name, person?.handle)}</span>`;
}

/* A list of people (likes, acknowledgements); aside(person) adds a note at the right. */
export function PeopleList({ people, aside, empty }) {
  if (!people.length) return html`<p class="people-empty">${empty}</p>`;
  return html`<ul class="people-list">
    ${people.map(
      (p) => html`<li class="people-item" key=${p.id}>
        <${PersonAvatar} person=${p} />
        <div class="people-text">
          <div class="people-name">${p.name}</div>
          ${p.handle && html`<div class="people-handle">@${p.handle}</div>`}
        </div>
        ${aside && html`<div class="people-aside">${aside(p)}</div>`}
      </li>`,
    )}
  </ul>`;
}

/* ---------- groups ---------- */

/*
 * GET /groups names its count and membership columns after the SQL expressions
 * ("(SELECT COUNT(*) ...)", "EXISTS (...)") until the server aliases them; accept both.
 */
export function normalizeGroup(g) {
  const pick = (re) => Object.entries(g).find(([k]) => re.test(k))?.[1];
  return {
    id: g.id,
    name: g.name,
    handle: g.handle,
    description: g.description || '',
    member_count: g.member_count ?? pick(/^\(\s*SELECT\s+COUNT/i) ?? null,
    member: Boolean(g.member ?? pick(/^EXISTS/i)),
  };
}

let groupsPromise = null;

/* The groups list, fetched once per page load (force: ask again). */
export function loadGroups(force = false) {
  if (force || !groupsPromise) {
    groupsPromise = api.get('/groups').then((answer) => (answer?.items || []).map(normalizeGroup));
    groupsPromise.catch(() => (groupsPromise = null));
  }
  return groupsPromise;
}

export function useGroups() {
  const [groups, setGroups] = useState([]);
  useEffect(() => {
    let live = true;
    loadGroups()
      .then((list) => live && setGroups(list))
      .catch(() => {});
    return () => (live = false);
  }, []);
  return groups;
}

/* ---------- roles ---------- */

export const isManager = (user) => user?.role === 'manager' || user?.role === 'admin';
export const isAdminUser = (user) => user?.role === 'admin';

/* ---------- files ---------- */

export const fileUrl = (id) => `/api/v1/files/${encodeURIComponent(id)}`;

/* The types the server shows inline (files_download_headers): others download. */
const IMAGE_TYPES = /^image\/(png|jpeg|gif|webp)$/i;
export function isImage(file) {
  return IMAGE_TYPES.test(file?.content_type || file?.type || '');
}

/* The file's extension in capitals for a chip ("PDF"), or a generic label. */
export function fileKind(name) {
  const m = /\.([a-z0-9]{1,5})$/i.exec(String(name || ''));
  return m ? m[1].toUpperCase() : t('feed.file.generic');
}

/* An enlarged image in a dialog, with its name and a download link. */
export function ImageViewer({ file, onClose }) {
  return html`<${Dialog} title=${file.name} wide onClose=${onClose}>
    <div class="feed-viewer">
      <img class="feed-viewer-img" src=${fileUrl(file.id)} alt=${file.name} />
    </div>
    <div class="feed-viewer-foot">
      <span class="feed-viewer-size">${formatSize(file.size)}</span>
      <a class="button button-secondary button-sm" href=${fileUrl(file.id)} download=${file.name}>
        <${FIcon} name="download" class="icon icon-sm" />${t('feed.file.download')}
      </a>
    </div>
  <//>`;
}

/* ---------- rendered Markdown ---------- */

const MENTION = /(^|[^\p{L}\p{N}_.@])@([a-z0-9](?:[a-z0-9._-]*[a-z0-9_])?)/giu;

/* Wraps @handles of text nodes (outside links and code) in <span class="mention">, built with DOM calls. */
function markMentions(root) {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
    acceptNode: (node) =>
      node.parentElement?.closest('a, code, pre, .mention') ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT,
  });
  const nodes = [];
  while (walker.nextNode()) if (walker.currentNode.nodeValue.includes('@')) nodes.push(walker.currentNode);
  for (const node of nodes) {
    const text = node.nodeValue;
    const parts = document.createDocumentFragment();
    let last = 0;
    for (const m of text.matchAll(MENTION)) {
      const at = m.index + m[1].length;
      if (at > last) parts.append(text.slice(last, at));
      const span = document.createElement('span');
      span.className = 'mention';
      span.textContent = '@' + m[2];
      parts.append(span);
      last = at + 1 + m[2].length;
    }
    if (last === 0) continue;
    if (last < text.length) parts.append(text.slice(last));
    node.replaceWith(parts);
  }
}

/* Links to other sites open in a new tab and do not pass the portal as referrer. */
function markLinks(root) {
  for (const a of root.querySelectorAll('a[href]')) {
    let external = true;
    try {
      external = new URL(a.href, location.href).origin !== location.origin;
    } catch {
      /* leave it */
    }
    if (external) {
      a.target = '_blank';
      a.rel = 'noopener noreferrer nofollow';
    }
  }
}

/*
 * HTML the server rendered from Markdown (cmark, safe mode: raw HTML omitted, unsafe links dropped).
 * That is the one kind of markup injected; mentions and links are then marked with DOM calls.
 */
export function RichText({ html: content, class: cls = 'feed-rich' }) {
  const ref = useRef(null);
  useLayoutEffect(() => {
    if (!ref.current) return;
    markMentions(ref.current);
    markLinks(ref.current);
  }, [content]);
  return html`<div class=${cls} ref=${ref} dangerouslySetInnerHTML=${{ __html: content || '' }}></div>`;
}

/* ---------- small menus ---------- */

/* Closes an open popup on a click outside rootRef or on Escape (focus returns to the opener). */
export function useDismiss(open, setOpen, rootRef, openerSelector) {
  useEffect(() => {
    if (!open) return undefined;
    const onDown = (e) => {
      if (!rootRef.current?.contains(e.target)) setOpen(false);
    };
    const onKey = (e) => {
      if (e.key !== 'Escape') return;
      setOpen(false);
      if (openerSelector) rootRef.current?.querySelector(openerSelector)?.focus();
    };
    document.addEventListener('pointerdown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('pointerdown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);
}

/* A "⋯" button with a menu of actions: [{ key, label, icon, danger, onSelect }]. */
export function ActionMenu({ label, actions }) {
  const [open, setOpen] = useState(false);
  const rootRef = useRef(null);
  useDismiss(open, setOpen, rootRef, '.feed-menu-button');
  useEffect(() => {
    if (open) rootRef.current?.querySelector('.feed-menu-item')?.focus();
  }, [open]);
  if (!actions.length) return null;
  function onKeyDown(e) {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    e.preventDefault();
    const items = [...rootRef.current.querySelectorAll('.feed-menu-item')];
    const i = items.indexOf(document.activeElement);
    const next = e.key === 'ArrowDown' ? (i + 1) % items.length : (i - 1 + items.length) % items.length;
    items[next]?.focus();
  }
  return html`<div class="feed-menu" ref=${rootRef}>
    <button type="button" class="icon-button feed-menu-button" aria-haspopup="menu" aria-expanded=${open ? 'true' : 'false'}
      aria-label=${label} title=${label} onClick=${() => setOpen(!open)}>
      <${FIcon} name="more" bold />
    </button>
    ${open &&
    html`<div class="feed-menu-panel" role="menu" onKeyDown=${onKeyDown}>
      ${actions.map(
        (a) => html`<button type="button" role="menuitem" key=${a.key} class=${'feed-menu-item' + (a.danger ? ' feed-menu-item-danger' : '')}
          onClick=${() => {
            setOpen(false);
            a.onSelect();
          }}>
          <${FIcon} name=${a.icon} />${a.label}
        </button>`,
      )}
    </div>`}
  </div>`;
}
