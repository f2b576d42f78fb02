// Shared Preact components: app frame (header, nav, main), language switch, health indicator, page states.
import { html, useEffect, useState } from '/shared/preact.js';
import { getLang, languages, onLangChange, setLang, t } from '/shared/i18n.js';
import { pathMatches } from '/shared/router.js';

/* Re-renders the caller after a language switch. */
export function useLang() {
  const [lang, setState] = useState(getLang());
  useEffect(() => onLangChange(setState), []);
  return lang;
}

/* ---------- icons (24x24 strokes, drawn for this project) ---------- */

const ICONS = {
  feed: 'M4 5h16v14H4z M8 9h8 M8 13h8 M8 17h5',
  book: 'M5 5a2 2 0 0 1 2-2h12v15H7a2 2 0 0 0-2 2z M5 20a2 2 0 0 0 2 1h12v-3 M9 7h6',
  board: 'M4 4h4v16H4z M10 4h4v11h-4z M16 4h4v7h-4z',
  chat: 'M4 5h16v11H10l-4 4v-4H4z M8 9h8 M8 12h5',
  building: 'M5 21V4h10v17 M15 9h4v12 M3 21h18 M8 8h4 M8 12h4 M8 16h4',
  box: 'M4 8l8-4 8 4v8l-8 4-8-4z M4 8l8 4 8-4 M12 12v8',
  ticket: 'M3 7h18v3a2 2 0 0 0 0 4v3H3v-3a2 2 0 0 0 0-4z M15 7v2 M15 11v2 M15 15v2',
  file: 'M6 3h8l4 4v14H6z M14 3v4h4 M9 12h6 M9 16h6',
  help: 'M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z M9.5 9.5a2.5 2.5 0 1 1 3.5 2.3c-.6.3-1 .8-1 1.5v.5 M12 17h.01',
  menu: 'M4 7h16 M4 12h16 M4 17h16',
  close: 'M6 6l12 12 M18 6L6 18',
  compass: 'M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z M15.5 8.5l-2 5-5 2 2-5z',
  alert: 'M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z M12 7.5v5.5 M12 16.5h.01',
  info: 'M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z M12 11v5.5 M12 7.5h.01',
  check_circle: 'M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z M8 12.5l2.7 2.7L16 9.8',
  check: 'M5 12.5l4.5 4.5L19 7.5',
  eye: 'M2.5 12s3.5-6.5 9.5-6.5 9.5 6.5 9.5 6.5-3.5 6.5-9.5 6.5S2.5 12 2.5 12z M12 9a3 3 0 1 0 0 6a3 3 0 1 0 0-6z',
  eye_off: 'M3 3l18 18 M10.6 5.6c.5-.1.9-.1 1.4-.1 6 0 9.5 6.5 9.5 6.5a17 17 0 0 1-2.9 3.7 M6.6 6.6C4 8.3 2.5 12 2.5 12s3.5 6.5 9.5 6.5c1.8 0 3.3-.6 4.6-1.3 M9.9 9.9a3 3 0 0 0 4.2 4.2',
  user: 'M12 4a4 4 0 1 0 0 8a4 4 0 1 0 0-8z M4.5 20a7.5 7.5 0 0 1 15 0',
  users: 'M9 5a3.5 3.5 0 1 0 0 7a3.5 3.5 0 1 0 0-7z M2.5 20a6.5 6.5 0 0 1 13 0 M16 5.2a3.5 3.5 0 0 1 0 6.6 M18.5 14.5a6.5 6.5 0 0 1 3 5.5',
  logout: 'M10 4H5v16h5 M15 8l4 4-4 4 M19 12H9',
  mail: 'M3 6h18v12H3z M3 7l9 6 9-6',
  monitor: 'M3 4h18v12H3z M8 20h8 M12 16v4',
  phone: 'M7 2h10v20H7z M11 18h2',
  key: 'M8 11a4 4 0 1 0 0 8a4 4 0 1 0 0-8z M11 13l9-9 M17 7l3 3 M15 9l2 2',
  shield: 'M12 3l8 3v6c0 5-3.5 8-8 9-4.5-1-8-4-8-9V6z M9 12l2 2 4-4',
  search: 'M10.5 4a6.5 6.5 0 1 0 0 13a6.5 6.5 0 1 0 0-13z M20 20l-4.8-4.8',
  plus: 'M12 5v14 M5 12h14',
  copy: 'M9 9h11v11H9z M5 15H4V4h11v1',
  clock: 'M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z M12 7v5l3 2',
  history: 'M3 12a9 9 0 1 0 3-6.7 M3 4v5h5 M12 8v4l3 2',
  globe: 'M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z M3 12h18 M12 3c2.5 2.6 3.8 5.6 3.8 9s-1.3 6.4-3.8 9c-2.5-2.6-3.8-5.6-3.8-9S9.5 5.6 12 3z',
  tag: 'M3 12V4h8l10 10-8 8z M7.5 7.5h.01',
  folder: 'M3 6a1 1 0 0 1 1-1h5l2 2h9a1 1 0 0 1 1 1v10a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1z',
  page: 'M6 3h8l4 4v14H6z M14 3v4h4',
  chevron_right: 'M9 6l6 6-6 6',
  paperclip: 'M20 11.5l-8.2 8.2a5 5 0 0 1-7.1-7.1l8.5-8.5a3.3 3.3 0 0 1 4.7 4.7l-8.5 8.5a1.7 1.7 0 0 1-2.4-2.4l7.8-7.8',
  columns: 'M4 4h16v16H4z M12 4v16',
  rows: 'M4 4h16v16H4z M4 12h16',
  restore: 'M4 12a8 8 0 1 0 2.4-5.7 M4 4v4h4',
  bold: 'M7 5h6a3.5 3.5 0 0 1 0 7H7z M7 12h7a3.5 3.5 0 0 1 0 7H7z',
  italic: 'M10 5h8 M6 19h8 M14 5l-4 14',
  heading: 'M6 5v14 M18 5v14 M6 12h12',
  list: 'M9 6h11 M9 12h11 M9 18h11 M4.5 6h.01 M4.5 12h.01 M4.5 18h.01',
  list_ordered: 'M10 6h10 M10 12h10 M10 18h10 M4 5l1.5-1v5 M3.5 14.2a1.5 1.5 0 0 1 2.6 1c0 1-2.6 2.3-2.6 3.3h2.8',
  code: 'M8 8l-4 4 4 4 M16 8l4 4-4 4 M13.5 5l-3 14',
  link: 'M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1 M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1',
  quote: 'M5 11h4v6H5z M5 11c0-3 1-5 4-6 M14 11h4v6h-4z M14 11c0-3 1-5 4-6',
  download: 'M12 4v11 M7 10l5 5 5-5 M5 20h14',
  lock: 'M5 11h14v10H5z M8 11V7a4 4 0 0 1 8 0v4',
  send: 'M21 3L10 14 M21 3l-7 18-4-7-7-4z',
  chevron_down: 'M6 9l6 6 6-6',
  arrow_right: 'M5 12h14 M13 6l6 6-6 6',
  arrow_left: 'M19 12H5 M11 6l-6 6 6 6',
  edit: 'M4 20h4L19 9l-4-4L4 16z M13.5 6.5l4 4',
  ban: 'M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z M5.6 5.6l12.8 12.8',
  refresh: 'M20 11a8 8 0 0 0-14.5-4.5L4 8 M4 4v4h4 M4 13a8 8 0 0 0 14.5 4.5L20 16 M20 20v-4h-4',
  calendar: 'M4 6h16v14H4z M4 10h16 M8 3v4 M16 3v4',
  flag: 'M5 21V4 M5 4h11l-2 4 2 4H5',
  checklist: 'M4 4h16v16H4z M8 12l3 3 5-6',
  tasks: 'M10 6h10 M10 12h10 M10 18h10 M3.5 6l1.5 1.5L7.5 5 M3.5 12l1.5 1.5 2.5-2.5 M3.5 18l1.5 1.5 2.5-2.5',
  archive: 'M3 4h18v4H3z M5 8v12h14V8 M10 12h4',
  trash: 'M4 7h16 M9.5 7V4.5h5V7 M6.5 7l1 13h9l1-13 M10 11v5.5 M14 11v5.5',
  comment: 'M4.5 5h15a1 1 0 0 1 1 1v9.5a1 1 0 0 1-1 1H10l-4.5 3.5v-3.5h-1a1 1 0 0 1-1-1V6a1 1 0 0 1 1-1z',
  text: 'M4 6h16 M4 10h16 M4 14h10 M4 18h7',
  grip: 'M9 6h.01 M15 6h.01 M9 12h.01 M15 12h.01 M9 18h.01 M15 18h.01',
  more: 'M6 10.6a1.4 1.4 0 1 0 0 2.8a1.4 1.4 0 1 0 0-2.8z M12 10.6a1.4 1.4 0 1 0 0 2.8a1.4 1.4 0 1 0 0-2.8z M18 10.6a1.4 1.4 0 1 0 0 2.8a1.4 1.4 0 1 0 0-2.8z',
  filter: 'M4 5h16l-6 7.5V19l-4 1.5v-8z',
  move: 'M12 3v18 M3 12h18 M9 6l3-3 3 3 M9 18l3 3 3-3 M6 9l-3 3 3 3 M18 9l3 3-3 3',
};

export function Icon({ name, class: cls = 'icon' }) {
  return html`<svg class=${cls} viewBox="0 0 24 24" aria-hidden="true" focusable="false"
    fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round">
    <path d=${ICONS[name] || ICONS.file} />
  </svg>`;
}

export function BrandMark() {
  return html`<svg class="brand-mark" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
    <rect width="32" height="32" rx="8" class="brand-mark-bg" />
    <path d="M10 24V14a6 6 0 0 1 12 0v10" fill="none" stroke="#fff" stroke-width="3" stroke-linecap="round" />
  </svg>`;
}

/* ---------- header widgets ---------- */

export function LangSwitch() {
  const current = getLang();
  return html`<div class="lang-switch" role="group" aria-label=${t('lang.label')}>
    ${languages.map(
      (code) => html`<button type="button" lang=${code} title=${t(`lang.${code}`)}
        aria-pressed=${code === current ? 'true' : 'false'}
        onClick=${() => setLang(code).catch((err) => console.warn('language switch failed', err))}>
        ${code.toUpperCase()}
      </button>`,
    )}
  </div>`;
}

const HEALTH_INTERVAL_MS = 30000;

/* Asks GET /healthz now, every 30 s and when the network comes back. */
export function HealthStatus() {
  const [state, setState] = useState('checking');
  useEffect(() => {
    let live = true;
    async function check() {
      let next;
      try {
        const res = await fetch('/healthz', { cache: 'no-store', headers: { Accept: 'application/json' } });
        const body = await res.json().catch(() => null);
        if (res.ok && body?.status === 'ok') next = 'ok';
        else if (body?.db === 'down') next = 'db_down';
        else next = 'degraded';
      } catch {
        next = 'unreachable';
      }
      if (live) setState(next);
    }
    check();
    const timer = setInterval(check, HEALTH_INTERVAL_MS);
    window.addEventListener('online', check);
    return () => {
      live = false;
      clearInterval(timer);
      window.removeEventListener('online', check);
    };
  }, []);
  const text = t(`status.${state}`);
  return html`<div class="health" role="status" data-state=${state} title=${text}>
    <span class="health-dot" aria-hidden="true"></span>
    <span class="health-text">${text}</span>
  </div>`;
}

/* ---------- navigation ---------- */

/* A badge (item.badge, a component given the id) describes the link, so its name stays the
 * label: "Chat", described as "2 unread messages". */
function NavLink({ item, path }) {
  const active = pathMatches(item.path, path);
  const badgeId = item.badge ? `nav-badge${item.path.replace(/\W+/g, '-')}` : undefined;
  return html`<li>
    <a class="nav-link" href=${item.path} aria-current=${active ? 'page' : undefined} aria-describedby=${badgeId}>
      <${Icon} name=${item.icon} />
      <span>${t(item.label)}</span>
      ${item.badge && html`<${item.badge} id=${badgeId} />`}
    </a>
  </li>`;
}

function NavTree({ nav, path }) {
  return nav.map((entry) =>
    entry.items
      ? html`<div class="nav-group">
          <div class="nav-group-title" id=${`nav-group-${entry.id}`}>${t(entry.label)}</div>
          <ul class="nav-list" aria-labelledby=${`nav-group-${entry.id}`}>
            ${entry.items.map((item) => html`<${NavLink} item=${item} path=${path} />`)}
          </ul>
        </div>`
      : html`<ul class="nav-list"><${NavLink} item=${entry} path=${path} /></ul>`,
  );
}

/* ---------- the frame ---------- */

/*
 * Header (menu toggle on phones, brand, language switch, user slot), side navigation
 * (a drawer on phones) with the health indicator at its foot, and the main area.
 */
export function AppFrame({ home, realm, nav, path, user, onLinkClick, children }) {
  const [navOpen, setNavOpen] = useState(false);

  useEffect(() => setNavOpen(false), [path]);
  useEffect(() => {
    if (!navOpen) return undefined;
    const onKey = (e) => e.key === 'Escape' && setNavOpen(false);
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [navOpen]);

  return html`<div class=${'shell' + (navOpen ? ' nav-open' : '')} onClick=${onLinkClick}>
    <a class="skip-link" href="#main">${t('nav.skip')}</a>
    <header class="topbar">
      <button type="button" class="nav-toggle" aria-controls="sidenav" aria-expanded=${navOpen ? 'true' : 'false'}
        aria-label=${t(navOpen ? 'nav.close' : 'nav.open')} onClick=${() => setNavOpen(!navOpen)}>
        <${Icon} name=${navOpen ? 'close' : 'menu'} />
      </button>
      <a class="brand" href=${home}>
        <${BrandMark} />
        <span class="brand-name">${t('brand.name')}</span>
        ${realm && html`<span class="brand-realm">${t(realm)}</span>`}
      </a>
      <div class="topbar-end">
        <${LangSwitch} />
        ${user}
      </div>
    </header>
    <nav id="sidenav" class="sidenav" aria-label=${t('nav.main')}>
      <div class="sidenav-scroll"><${NavTree} nav=${nav} path=${path} /></div>
      <div class="sidenav-foot"><${HealthStatus} /></div>
    </nav>
    <div class="scrim" aria-hidden="true" onClick=${() => setNavOpen(false)}></div>
    <main id="main" class="main" tabindex="-1">${children}</main>
  </div>`;
}

/* ---------- page states ---------- */

/* The page's h1 and lead line; actions (buttons) sit at the right, below on phones. */
export function PageHeader({ title, lead, actions }) {
  return html`<header class=${'page-header' + (actions ? ' page-header-actions' : '')}>
    <div class="page-header-text">
      <h1 class="page-title" tabindex="-1">${title}</h1>
      ${lead && html`<p class="page-lead">${lead}</p>`}
    </div>
    ${actions && html`<div class="page-actions">${actions}</div>`}
  </header>`;
}

export function EmptyState({ icon, title, body, children }) {
  return html`<section class="empty-state">
    <div class="empty-icon"><${Icon} name=${icon} /></div>
    <h2 class="empty-title">${title}</h2>
    <p class="empty-body">${body}</p>
    ${children}
  </section>`;
}

/* A section that is not built yet: its title, what it will hold, and a "coming soon" note. */
export function PlaceholderPage({ item }) {
  const title = t(item.label);
  return html`<div class="page">
    <${PageHeader} title=${title} lead=${t(item.lead)} />
    <${EmptyState} icon=${item.icon} title=${t('empty.soon.title')} body=${t('empty.soon.body', { section: title })} />
  </div>`;
}

/* A section the signed-in user's role does not open. */
export function ForbiddenPage({ item, home }) {
  return html`<div class="page">
    <${PageHeader} title=${t(item.label)} />
    <${EmptyState} icon="lock" title=${t('forbidden.title')} body=${t('forbidden.body')}>
      <a class="button" href=${home}>${t('notfound.home')}</a>
    <//>
  </div>`;
}

export function NotFoundPage({ path, home }) {
  return html`<div class="page">
    <${PageHeader} title=${t('notfound.title')} />
    <${EmptyState} icon="compass" title=${t('notfound.title')} body=${t('notfound.body', { path })}>
      <a class="button" href=${home}>${t('notfound.home')}</a>
    <//>
  </div>`;
}
