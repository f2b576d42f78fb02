// Boots an app (employee or cabinet): loads the catalog, routes paths to pages inside AppFrame.
import { html, render, useEffect, useRef } from '/shared/preact.js';
import { initI18n, t } from '/shared/i18n.js';
import { linkInterceptor, navigate, pathMatches, usePath } from '/shared/router.js';
import { AppFrame, NotFoundPage, PlaceholderPage, useLang } from '/shared/ui.js';

function flatten(nav) {
  return nav.flatMap((entry) => entry.items ?? [entry]);
}

/* The nav item owning path; the longest match wins so nested sections stay precise. */
function findItem(items, path) {
  let best = null;
  for (const item of items)
    if (pathMatches(item.path, path) && (!best || item.path.length > best.path.length)) best = item;
  return best;
}

/*
 * config: { base: '/app', home: '/app/feed', nav: [...], realm: catalog key or null, titleKey,
 *           gate: optional component wrapping the frame (the sign-in step) }
 * A nav item is { path, label, lead, icon, page? }; without page it shows a placeholder.
 */
export async function startShell(config) {
  const root = document.getElementById('root');
  try {
    await initI18n();
  } catch (err) {
    root.textContent = 'The portal could not load its interface text. Please reload the page.';
    throw err;
  }

  const { base, home, nav, realm, titleKey, gate: Gate } = config;
  const items = flatten(nav);
  const onLinkClick = linkInterceptor(base);

  function App() {
    const lang = useLang();
    const path = usePath();
    const first = useRef(true);
    const isRoot = path === base || path === base + '/';
    const item = isRoot ? null : findItem(items, path);

    useEffect(() => {
      if (isRoot) navigate(home, { replace: true });
    }, [isRoot]);

    useEffect(() => {
      const page = item ? t(item.label) : t('notfound.title');
      document.title = `${page} · ${t(titleKey)}`;
    }, [item, lang]);

    // After an in-app navigation move focus to the new heading, as a page load would.
    useEffect(() => {
      if (first.current) {
        first.current = false;
        return;
      }
      window.scrollTo(0, 0);
      document.querySelector('.page-title')?.focus({ preventScroll: true });
    }, [path]);

    let page = null;
    if (item?.page) page = html`<${item.page} item=${item} path=${path} />`;
    else if (item) page = html`<${PlaceholderPage} item=${item} />`;
    else if (!isRoot) page = html`<${NotFoundPage} path=${path} home=${home} />`;

    const frame = html`<${AppFrame} home=${home} realm=${realm} nav=${nav} path=${path} onLinkClick=${onLinkClick}>
      ${page}
    <//>`;
    return Gate ? html`<${Gate}>${frame}<//>` : frame;
  }

  render(html`<${App} />`, root);
}
