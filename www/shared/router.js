// Client-side routing with history.pushState inside one app's base path (/app, /cabinet).
import { useEffect, useState } from '/shared/preact.js';

const NAVIGATE_EVENT = 'portal:navigate';

/* Moves to an in-app URL without reloading the page. */
export function navigate(to, { replace = false } = {}) {
  const here = location.pathname + location.search + location.hash;
  if (to !== here) history[replace ? 'replaceState' : 'pushState'](null, '', to);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
}

function here() {
  return location.pathname + location.search;
}

/* Re-renders the caller on pushState navigation and on back/forward (path or query changed). */
function useLocationChange() {
  const [, setHere] = useState(here());
  useEffect(() => {
    const update = () => setHere(here());
    window.addEventListener('popstate', update);
    window.addEventListener(NAVIGATE_EVENT, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(NAVIGATE_EVENT, update);
    };
  }, []);
}

/* The current path; re-renders the caller whenever the URL changes. */
export function usePath() {
  useLocationChange();
  return location.pathname;
}

/* The current query string as URLSearchParams; re-renders the caller whenever the URL changes. */
export function useQuery() {
  useLocationChange();
  return new URLSearchParams(location.search);
}

/*
 * Click handler for a container: plain left clicks on same-origin links under base
 * become pushState navigations; new-tab clicks, downloads and other targets are left alone.
 */
export function linkInterceptor(base) {
  return (event) => {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const link = event.target.closest?.('a[href]');
    if (!link || link.hasAttribute('download') || (link.target && link.target !== '_self')) return;
    const url = new URL(link.href, location.href);
    if (url.origin !== location.origin) return;
    if (url.pathname !== base && !url.pathname.startsWith(base + '/')) return;
    event.preventDefault();
    navigate(url.pathname + url.search + url.hash);
  };
}

/* True when path is the route's path or below it (/app/kb/42 is inside /app/kb). */
export function pathMatches(routePath, path) {
  return path === routePath || path.startsWith(routePath + '/');
}
