// KB search: the header box with results as you type, and the full results page (/app/kb/search?q=).
import { html, useEffect, useRef, useState } from '/shared/preact.js';
import { api } from '/shared/api.js';
import { errorText, t } from '/shared/i18n.js';
import { navigate, useQuery } from '/shared/router.js';
import { useId } from '/shared/forms.js';
import { Icon, PageHeader } from '/shared/ui.js';
import { Snippet, StatusBadge, useDebounced, useDocumentTitle } from '/shared/kb.js';

const DEBOUNCE_MS = 200;
const MIN_CHARS = 3; // the server searches words of three letters and more
const DROPDOWN_MAX = 6;

/*
 * Asks the search endpoint for q once it rests for 200 ms; older answers are dropped.
 * Returns { items, status: 'idle' | 'short' | 'loading' | 'done' | 'error', error, query }.
 */
export function useSearch(q, path = '/kb/search') {
  const settled = useDebounced(q.trim(), DEBOUNCE_MS);
  const [result, setResult] = useState({ items: [], status: 'idle', error: null, query: '' });
  useEffect(() => {
    if (!settled) {
      setResult({ items: [], status: 'idle', error: null, query: '' });
      return undefined;
    }
    if (longestWord(settled) < MIN_CHARS) {
      setResult({ items: [], status: 'short', error: null, query: settled });
      return undefined;
    }
    const ctl = new AbortController();
    setResult((r) => ({ ...r, status: 'loading' }));
    api
      .get(path, { query: { q: settled }, signal: ctl.signal })
      .then((data) => setResult({ items: data.items || [], status: 'done', error: null, query: settled }))
      .catch((error) => {
        if (error?.name !== 'AbortError') setResult({ items: [], status: 'error', error, query: settled });
      });
    return () => ctl.abort();
  }, [settled, path]);
  const typing = q.trim() !== settled;
  return { ...result, status: typing && q.trim() ? 'loading' : result.status };
}

function longestWord(q) {
  return Math.max(0, ...q.split(/[^\p{L}\p{N}]+/u).map((w) => [...w].length));
}

/* One result: title, space, badges when not plain published, snippet with the hits marked. */
export function ResultBody({ item }) {
  return html`<span class="kb-result-head">
      <${Icon} name="page" class="icon kb-result-icon" />
      <span class="kb-result-title">${item.title}</span>
      ${item.status === 'draft' && html`<${StatusBadge} status="draft" />`}
    </span>
    <span class="kb-result-meta">
      <span>${item.space?.name}</span>
      ${item.visibility === 'public' && html`<span class="kb-result-public"><${Icon} name="globe" class="icon icon-sm" />${t('kb.visibility.public')}</span>`}
    </span>
    <${Snippet} segments=${item.snippet} class="kb-result-snippet" />`;
}

/* The search box of the KB header: a combobox whose list shows the first results as you type. */
export function SearchBox() {
  const [q, setQ] = useState('');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const boxRef = useRef(null);
  const inputRef = useRef(null);
  const listId = useId('kb-results');
  const result = useSearch(q);
  const items = result.items.slice(0, DROPDOWN_MAX);
  const showAll = result.status === 'done' && result.items.length > 0;
  const count = items.length + (showAll ? 1 : 0);

  useEffect(() => setActive(-1), [result.query]);
  useEffect(() => {
    if (!open) return undefined;
    const away = (e) => boxRef.current && !boxRef.current.contains(e.target) && setOpen(false);
    document.addEventListener('pointerdown', away);
    return () => document.removeEventListener('pointerdown', away);
  }, [open]);

  const allPath = `/app/kb/search?q=${encodeURIComponent(q.trim())}`;
  function go(to) {
    setOpen(false);
    setQ('');
    inputRef.current?.blur();
    navigate(to);
  }
  function onKeyDown(e) {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      setOpen(true);
      if (!count) return;
      setActive((i) => (e.key === 'ArrowDown' ? (i + 1) % count : i <= 0 ? count - 1 : i - 1));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      if (active >= 0 && active < items.length) go(`/app/kb/${items[active].id}`);
      else if (q.trim()) go(allPath);
    } else if (e.key === 'Escape') {
      if (open && q) {
        e.preventDefault();
        setOpen(false);
      } else setQ('');
    }
  }

  const expanded = open && !!q.trim();
  const optionId = (i) => `${listId}-${i}`;
  return html`<div class="kb-search" ref=${boxRef}>
    <div class="search kb-search-field">
      <${Icon} name="search" class="icon search-icon" />
      <input ref=${inputRef} class="input" type="search" value=${q} placeholder=${t('kb.search.placeholder')}
        aria-label=${t('kb.search.label')} role="combobox" aria-autocomplete="list" autocomplete="off" spellcheck="false"
        aria-expanded=${expanded ? 'true' : 'false'} aria-controls=${listId}
        aria-activedescendant=${expanded && active >= 0 ? optionId(active) : undefined}
        onInput=${(e) => {
          setQ(e.currentTarget.value);
          setOpen(true);
        }}
        onFocus=${() => setOpen(true)} onKeyDown=${onKeyDown} />
      ${result.status === 'loading' && expanded && html`<span class="spinner kb-search-spinner" aria-hidden="true"></span>`}
    </div>
    <div class=${'kb-search-panel' + (expanded ? ' is-open' : '')} hidden=${!expanded}>
      <ul id=${listId} role="listbox" class="kb-search-list" aria-label=${t('kb.search.results')}>
        ${items.map(
          (item, i) => html`<li key=${item.id} id=${optionId(i)} role="option" aria-selected=${i === active ? 'true' : 'false'}
              class=${'kb-search-option' + (i === active ? ' is-active' : '')}
              onPointerDown=${(e) => e.preventDefault()} onClick=${() => go(`/app/kb/${item.id}`)}
              onPointerMove=${() => active !== i && setActive(i)}>
            <${ResultBody} item=${item} />
          </li>`,
        )}
        ${showAll &&
        html`<li id=${optionId(items.length)} role="option" aria-selected=${active === items.length ? 'true' : 'false'}
            class=${'kb-search-option kb-search-all' + (active === items.length ? ' is-active' : '')}
            onPointerDown=${(e) => e.preventDefault()} onClick=${() => go(allPath)}>
          <${Icon} name="arrow_right" class="icon icon-sm" />${t('kb.search.all', { q: result.query })}
        </li>`}
      </ul>
      <div class="kb-search-note" role="status">
        ${result.status === 'short' && t('kb.search.short')}
        ${result.status === 'done' && !result.items.length && t('kb.search.none', { q: result.query })}
        ${result.status === 'error' && errorText(result.error)}
        ${result.status === 'loading' && !items.length && t('kb.search.searching')}
      </div>
    </div>
  </div>`;
}

/* /app/kb/search?q= : every result, the query kept in the URL. */
export function SearchPage() {
  const urlQ = useQuery().get('q') || '';
  const [q, setQ] = useState(urlQ);
  const written = useRef(urlQ); // the q this page last put in the URL itself
  const result = useSearch(q);
  const inputId = useId('kb-q');
  useDocumentTitle(t('kb.search.title'), 'app.title');

  // A search started from the header while this page is open arrives through the URL.
  useEffect(() => {
    if (urlQ === written.current) return;
    written.current = urlQ;
    setQ(urlQ);
  }, [urlQ]);

  useEffect(() => {
    if (result.query !== q.trim()) return; // still catching up with the box
    written.current = result.query;
    const want = result.query ? `/app/kb/search?q=${encodeURIComponent(result.query)}` : '/app/kb/search';
    if (location.pathname + location.search !== want) history.replaceState(null, '', want);
  }, [result.query]);

  return html`<div class="kb-page">
    <${PageHeader} title=${t('kb.search.title')} />
    <div class="search kb-search-big">
      <${Icon} name="search" class="icon search-icon" />
      <input id=${inputId} class="input" type="search" value=${q} placeholder=${t('kb.search.placeholder')}
        aria-label=${t('kb.search.label')} autocomplete="off" onInput=${(e) => setQ(e.currentTarget.value)} />
    </div>
    <p class="kb-results-count" role="status">
      ${result.status === 'done' && result.items.length > 0 && t('kb.search.count', { count: result.items.length, q: result.query })}
      ${result.status === 'loading' && t('kb.search.searching')}
      ${result.status === 'short' && t('kb.search.short')}
      ${result.status === 'error' && errorText(result.error)}
    </p>
    ${result.status === 'done' && !result.items.length &&
    html`<div class="kb-results-empty">
      <${Icon} name="search" class="icon" />
      <p class="kb-results-empty-title">${t('kb.search.none', { q: result.query })}</p>
      <p class="kb-results-empty-body">${t('kb.search.none.body')}</p>
    </div>`}
    <ul class=${'kb-results' + (result.status === 'loading' ? ' is-loading' : '')}>
      ${result.items.map((item) => html`<li key=${item.id}><a class="kb-result" href=${`/app/kb/${item.id}`}><${ResultBody} item=${item} /></a></li>`)}
    </ul>
  </div>`;
}
