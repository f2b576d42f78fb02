// Pieces the administration pages share: badges, user cells, list states, "load more", debounced input.
import { html, useEffect, useRef, useState } from '/shared/preact.js';
import { errorText, t } from '/shared/i18n.js';
import { Alert, Button } from '/shared/forms.js';
import { Avatar } from '/shared/auth.js';
import { EmptyState } from '/shared/ui.js';

export const ROLES = ['admin', 'manager', 'member'];
export const REALMS = ['employee', 'customer', 'partner'];

/* value, after it stopped changing for ms. */
export function useDebounced(value, ms = 300) {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value]);
  return settled;
}

export function Badge({ tone = 'neutral', children }) {
  return html`<span class=${`badge badge-${tone}`}>${children}</span>`;
}

const REALM_TONES = { employee: 'accent', customer: 'ok', partner: 'warn' };

export function RealmBadge({ realm }) {
  return html`<${Badge} tone=${REALM_TONES[realm] || 'neutral'}>${t(`realm.${realm}`)}<//>`;
}

/* "Administrator" for employees, the company for customers and partners. */
export function AccessCell({ realm, role, account }) {
  return html`<div class="cell-stack">
    <span><${RealmBadge} realm=${realm} /></span>
    <span class="cell-sub">${realm === 'employee' ? (role ? t(`role.${role}`) : '') : account?.name || '—'}</span>
  </div>`;
}

/* Avatar, name and email of a person. */
export function PersonCell({ person, you }) {
  return html`<div class="person">
    <${Avatar} user=${person} />
    <div class="person-text">
      <div class="person-name">${person.name || person.email}${you && html` <span class="cell-sub">${t('admin.you')}</span>`}</div>
      <div class="person-email">${person.email}</div>
    </div>
  </div>`;
}

/*
 * What a list shows around its table: a spinner on the first load, the error with "Try again",
 * the empty state; children (the table) otherwise.
 */
export function ListState({ loading, error, empty, emptyIcon = 'search', emptyTitle, emptyBody, onRetry, children }) {
  if (error && !children)
    return html`<${Alert} kind="error" actions=${html`<${Button} kind="secondary" size="sm" onClick=${onRetry}>${t('action.retry')}<//>`}>${errorText(error)}<//>`;
  if (loading && empty)
    return html`<div class="loading-block"><span class="spinner spinner-lg" aria-hidden="true"></span><span>${t('state.loading')}</span></div>`;
  if (empty) return html`<${EmptyState} icon=${emptyIcon} title=${emptyTitle} body=${emptyBody} />`;
  return html`${error && html`<${Alert} kind="error">${errorText(error)}<//>`}${children}`;
}

export function LoadMore({ next, busy, onMore }) {
  if (!next) return null;
  return html`<div class="load-more"><${Button} kind="secondary" busy=${busy} onClick=${onMore}>${t('action.load_more')}<//></div>`;
}

/* Keyset-paged list: fetchPage(before) answers {items, next_before}; reloads when deps change. */
export function usePagedList(fetchPage, deps) {
  const [items, setItems] = useState([]);
  const [next, setNext] = useState(null);
  const [loading, setLoading] = useState(true);
  const [more, setMore] = useState(false);
  const [error, setError] = useState(null);
  const [seq, setSeq] = useState(0);
  const latest = useRef(0); // answers to superseded requests are dropped

  async function load() {
    setLoading(true);
    setError(null);
    const mine = ++latest.current;
    try {
      const answer = await fetchPage(null);
      if (mine !== latest.current) return;
      setItems(answer.items || []);
      setNext(answer.next_before ?? null);
    } catch (err) {
      if (mine === latest.current) setError(err);
    } finally {
      if (mine === latest.current) setLoading(false);
    }
  }
  async function loadMore() {
    setMore(true);
    setError(null);
    try {
      const answer = await fetchPage(next);
      setItems((list) => [...list, ...(answer.items || [])]);
      setNext(answer.next_before ?? null);
    } catch (err) {
      setError(err);
    } finally {
      setMore(false);
    }
  }
  useEffect(() => {
    load();
  }, [...deps, seq]);
  return {
    items,
    next,
    loading,
    more,
    error,
    reload: () => setSeq((n) => n + 1),
    loadMore,
    replace: (item) => setItems((list) => list.map((x) => (x.id === item.id ? item : x))),
    remove: (id) => setItems((list) => list.filter((x) => x.id !== id)),
  };
}
