// Boots an app (employee or cabinet): loads the catalog, checks the session, routes paths to pages inside AppFrame.
import { html, render, useEffect, useLayoutEffect, useRef } from '/shared/preact.js';
import { errorText, initI18n, t } from '/shared/i18n.js';
import { linkInterceptor, navigate, pathMatches, usePath } from '/shared/router.js';
import { fitsApp, hasRole, loadSession, useSession } from '/shared/session.js';
import { AuthLayout, InvitePage, LoginPage, ResetPage, UserMenu, WrongRealmPage } from '/shared/auth.js';
import { Alert, Button, Toasts } from '/shared/forms.js';
import { AppFrame, ForbiddenPage, NotFoundPage, PlaceholderPage, useLang } from '/shared/ui.js';
import { ReconnectBanner, connect as connectRealtime, disconnect as disconnectRealtime } from '/shared/realtime.js';

/* Pages shown without a session, below the app's base path, with their title keys. */
const PUBLIC_PAGES = {
  '/login': { page: LoginPage, title: 'auth.title.login' },
  '/reset': { page: ResetPage, title: 'auth.title.reset' },
  '/invite': { page: InvitePage, title: 'auth.title.invite' },
};

/* Items of all groups, each carrying its group's roles unless it names its own. */
function flatten(nav) {
  return nav.flatMap((entry) => (entry.items ? entry.items.map((item) => ({ roles: entry.roles, ...item })) : [entry]));
}

/* The nav as this user may see it: groups and items whose roles leave the user out are dropped. */
function visibleNav(nav, user) {
  return nav
    .filter((entry) => hasRole(user, entry.roles))
    .map((entry) => (entry.items ? { ...entry, items: entry.items.filter((item) => hasRole(user, item.roles)) } : entry))
    .filter((entry) => !entry.items || entry.items.length);
}

/* The nav item owning path; the longest match wins so nested sections stay precise. */
function findItem(items, path) {
  let best = null;
  for (const item of items)
    if (pathMatches(item.path, path) && (!best || item.path.length > best.path.length)) best = item;
  return best;
}

function Boot() {
  return html`<div class="boot" aria-busy="true"><span class="spinner spinner-lg" aria-hidden="true"></span>
    <span class="visually-hidden">${t('state.loading')}</span></div>`;
}

/*
 * config: { base: '/app', home: '/app/feed', nav: [...], routes: [...], realm: catalog key or null,
 *           titleKey, auth: 'employee' | 'cabinet' (which sign-in this app asks for),
 *           headerExtra: a component shown in the header before the user menu (props app, user),
 *           banner: a component shown above every page (props app, user), e.g. the preview notice }
 * A nav item is { path, label, lead, icon, page?, roles?, badge? }; without page it shows a placeholder;
 * roles (also on a group) limits it to employees with one of those roles.
 * routes are pages outside the nav (e.g. "My account"), same shape.
 */
export async function startShell(config) {
  const root = document.getElementById('root');
  try {
    await initI18n();
  } catch (err) {
    root.textContent = 'The portal could not load its interface text. Please reload the page.';
    throw err;
  }

  const { base, home, nav, routes = [], realm, titleKey, auth, headerExtra: HeaderExtra, banner: Banner } = config;
  const app = { realm: auth, base, home, realmLabel: realm };
  const items = [...flatten(nav), ...routes];
  const onLinkClick = linkInterceptor(base);
  loadSession();

  function App() {
    const lang = useLang();
    const path = usePath();
    const session = useSession();
    const first = useRef(true);
    const isRoot = path === base || path === base + '/';
    const publicPage = PUBLIC_PAGES[path.slice(base.length)] || null;
    const user = session.user;
    const signedIn = session.status === 'user' && fitsApp(auth, user);
    const item = isRoot || publicPage ? null : findItem(items, path);
    const mustSignIn = !publicPage && session.status === 'anon';

    useEffect(() => {
      if (isRoot && signedIn) navigate(home, { replace: true });
    }, [isRoot, signedIn]);

    // Live events (chat, notifications, boards) while signed in; pages fall back to polling.
    useEffect(() => {
      if (signedIn) connectRealtime();
      else disconnectRealtime();
    }, [signedIn, user?.id]);

    // No session on a private page: to the sign-in form, which comes back here afterwards.
    useEffect(() => {
      if (!mustSignIn) return;
      const back = location.pathname + location.search;
      const keep = !isRoot && session.notice !== 'signed_out';
      navigate(`${base}/login${keep ? `?next=${encodeURIComponent(back)}` : ''}`, { replace: true });
    }, [mustSignIn]);

    // Layout effect: the title changes in the same frame as the page, never a frame later.
    useLayoutEffect(() => {
      let page = null;
      if (publicPage) page = t(publicPage.title);
      else if (signedIn) page = item ? t(item.label) : isRoot ? null : t('notfound.title');
      document.title = page ? `${page} · ${t(titleKey)}` : t(titleKey);
    }, [item, publicPage, signedIn, lang]);

    // After an in-app navigation move focus to the new heading, as a page load would.
    useEffect(() => {
      if (first.current) {
        first.current = false;
        return;
      }
      window.scrollTo(0, 0);
      document.querySelector('main h1')?.focus({ preventScroll: true });
    }, [path]);

    const bare = (content) => html`<div class="bare" onClick=${onLinkClick}>${content}</div><${Toasts} />`;
    if (publicPage) return bare(html`<${publicPage.page} app=${app} />`);
    if (session.status === 'error')
      return bare(html`<${AuthLayout} app=${app}>
        <${Alert} kind="error" title=${t('auth.check_failed')}>${errorText(session.error)}<//>
        <${Button} block onClick=${loadSession}>${t('action.retry')}<//>
      <//>`);
    if (session.status !== 'user') return html`<${Boot} />`;
    if (!signedIn) return bare(html`<${WrongRealmPage} app=${app} user=${user} />`);

    let page = null;
    if (item && !hasRole(user, item.roles)) page = html`<${ForbiddenPage} item=${item} home=${home} />`;
    else if (item?.page) page = html`<${item.page} item=${item} path=${path} app=${app} />`;
    else if (item) page = html`<${PlaceholderPage} item=${item} />`;
    else if (!isRoot) page = html`<${NotFoundPage} path=${path} home=${home} />`;

    return html`<${AppFrame} home=${home} realm=${realm} nav=${visibleNav(nav, user)} path=${path}
        onLinkClick=${onLinkClick} user=${html`${HeaderExtra && html`<${HeaderExtra} app=${app} user=${user} />`}<${UserMenu} app=${app} user=${user} />`}>
        <${ReconnectBanner} />
        ${Banner && html`<${Banner} app=${app} user=${user} />`}${page}
      <//>
      <${Toasts} />`;
  }

  render(html`<${App} />`, root);
}
