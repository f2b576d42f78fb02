// Cabinet help center (/cabinet/help): search with highlighted snippets, the public articles, one article's page.
import { html, useEffect, useRef, useState } from '/shared/preact.js';
import { api } from '/shared/api.js';
import { errorText, t } from '/shared/i18n.js';
import { formatDate, isoOf } from '/shared/format.js';
import { Alert, Button, useId, useLoad } from '/shared/forms.js';
import { useQuery } from '/shared/router.js';
import { EmptyState, Icon } from '/shared/ui.js';
import { Crumbs, FileList, Prose, ProseSkeleton, Snippet, Tags, useDebounced, useDocumentTitle } from '/shared/kb.js';

const BASE = '/cabinet/help';
const DEBOUNCE_MS = 200;
const MIN_CHARS = 3;

function longestWord(q) {
  return Math.max(0, ...q.split(/[^\p{L}\p{N}]+/u).map((w) => [...w].length));
}

/* Results for q from the public search, 200 ms after typing stops; stale answers are dropped. */
function useHelpSearch(q) {
  const settled = useDebounced(q.trim(), DEBOUNCE_MS);
  const [result, setResult] = useState({ items: [], status: 'idle', query: '', error: null });
  useEffect(() => {
    if (!settled) return void setResult({ items: [], status: 'idle', query: '', error: null });
    if (longestWord(settled) < MIN_CHARS) return void setResult({ items: [], status: 'short', query: settled, error: null });
    const ctl = new AbortController();
    setResult((r) => ({ ...r, status: 'loading' }));
    api
      .get('/cabinet/kb/articles', { query: { q: settled }, signal: ctl.signal })
      .then((data) => setResult({ items: data.items || [], status: 'done', query: settled, error: null }))
      .catch((error) => error?.name !== 'AbortError' && setResult({ items: [], status: 'error', query: settled, error }));
    return () => ctl.abort();
  }, [settled]);
  const typing = q.trim() && q.trim() !== settled;
  return { ...result, status: typing ? 'loading' : result.status };
}

function Hero({ q, setQ }) {
  const id = useId('help-q');
  return html`<header class="help-hero">
    <div class="help-hero-icon"><${Icon} name="help" /></div>
    <h1 class="help-hero-title" tabindex="-1">${t('cabinet.nav.help')}</h1>
    <p class="help-hero-lead">${t('help.lead')}</p>
    <div class="search help-search" role="search">
      <${Icon} name="search" class="icon search-icon" />
      <label class="visually-hidden" for=${id}>${t('help.search.label')}</label>
      <input id=${id} class="input" type="search" value=${q} placeholder=${t('help.search.placeholder')} autocomplete="off"
        onInput=${(e) => setQ(e.currentTarget.value)} />
    </div>
  </header>`;
}

function Results({ result }) {
  return html`<section class="help-section" aria-labelledby="help-results-title">
    <div class="help-section-head">
      <h2 class="kb-section-title" id="help-results-title">${t('help.results')}</h2>
      <p class="kb-results-count" role="status">
        ${result.status === 'done' && result.items.length > 0 && t('kb.search.count', { count: result.items.length, q: result.query })}
        ${result.status === 'loading' && t('kb.search.searching')}
        ${result.status === 'short' && t('kb.search.short')}
        ${result.status === 'error' && errorText(result.error)}
      </p>
    </div>
    ${result.status === 'done' && !result.items.length &&
    html`<div class="kb-results-empty">
      <${Icon} name="search" class="icon" />
      <p class="kb-results-empty-title">${t('kb.search.none', { q: result.query })}</p>
      <p class="kb-results-empty-body">${t('help.none.body')}</p>
    </div>`}
    <ul class=${'kb-results' + (result.status === 'loading' ? ' is-loading' : '')}>
      ${result.items.map(
        (item) => html`<li key=${item.id}>
          <a class="kb-result" href=${`${BASE}/${item.id}`}>
            <span class="kb-result-head"><${Icon} name="page" class="icon kb-result-icon" /><span class="kb-result-title">${item.title}</span></span>
            <${Snippet} segments=${item.snippet} class="kb-result-snippet" />
          </a>
        </li>`,
      )}
    </ul>
  </section>`;
}

/* The public articles grouped by space, each group in title order. */
function Browse() {
  const load = useLoad(() => api.get('/cabinet/kb/articles', { query: { limit: 200 } }), []);
  if (load.error)
    return html`<${Alert} kind="error" title=${t('help.list.error')}
      actions=${html`<${Button} kind="secondary" size="sm" onClick=${load.reload}>${t('action.retry')}<//>`}>${errorText(load.error)}<//>`;
  if (!load.data) return html`<div class="help-grid" aria-busy="true"><div class="help-group help-group-skel"><${ProseSkeleton} /></div></div>`;
  const groups = new Map();
  for (const a of load.data.items || []) {
    const key = a.space?.id ?? 0;
    if (!groups.has(key)) groups.set(key, { space: a.space, items: [] });
    groups.get(key).items.push(a);
  }
  const list = [...groups.values()].sort((a, b) => (a.space?.name || '').localeCompare(b.space?.name || ''));
  for (const g of list) g.items.sort((a, b) => a.title.localeCompare(b.title));
  if (!list.length) return html`<${EmptyState} icon="book" title=${t('help.list.empty')} body=${t('help.list.empty.body')} />`;
  return html`<section class="help-section" aria-labelledby="help-browse-title">
    <h2 class="kb-section-title" id="help-browse-title">${t('help.browse')}</h2>
    <div class=${'help-grid' + (list.length === 1 ? ' help-grid-one' : '')}>
      ${list.map(
        (g) => html`<div class="help-group">
          ${list.length > 1 && html`<h3 class="help-group-title"><${Icon} name="book" class="icon icon-sm" />${g.space?.name}</h3>`}
          <ul class="help-links">
            ${g.items.map(
              (a) => html`<li><a class="help-link" href=${`${BASE}/${a.id}`}>
                <${Icon} name="page" class="icon icon-sm" /><span>${a.title}</span>
              </a></li>`,
            )}
          </ul>
        </div>`,
      )}
    </div>
  </section>`;
}

function ContactCard() {
  return html`<aside class="help-contact">
    <div class="help-contact-icon"><${Icon} name="ticket" /></div>
    <div class="help-contact-text">
      <p class="help-contact-title">${t('help.contact.title')}</p>
      <p class="help-contact-body">${t('help.contact.body')}</p>
    </div>
    <a class="button" href="/cabinet/tickets">${t('help.contact.action')}</a>
  </aside>`;
}

function HelpHome() {
  const urlQ = useQuery().get('q') || '';
  const [q, setQ] = useState(urlQ);
  const result = useHelpSearch(q);
  const written = useRef(urlQ);

  // The query lives in the URL, so Back from an article returns to the same results.
  useEffect(() => {
    if (result.query !== q.trim()) return;
    written.current = result.query;
    const want = result.query ? `${BASE}?q=${encodeURIComponent(result.query)}` : BASE;
    if (location.pathname + location.search !== want) history.replaceState(null, '', want);
  }, [result.query]);
  useEffect(() => {
    if (urlQ === written.current) return;
    written.current = urlQ;
    setQ(urlQ);
  }, [urlQ]);

  return html`<div class="help">
    <${Hero} q=${q} setQ=${setQ} />
    ${q.trim() ? html`<${Results} result=${result} />` : html`<${Browse} />`}
    <${ContactCard} />
  </div>`;
}

/* Unknown, internal and draft articles all look the same from the cabinet: not found. */
function HelpMissing() {
  useDocumentTitle(t('help.missing'), 'cabinet.title');
  return html`<div class="help help-narrow">
    <${Crumbs} items=${[{ href: BASE, label: t('cabinet.nav.help') }]} />
    <div class="help-missing">
      <div class="empty-icon"><${Icon} name="compass" /></div>
      <h1 class="help-missing-title" tabindex="-1">${t('help.missing')}</h1>
      <p class="empty-body">${t('help.missing.body')}</p>
      <div class="help-missing-actions">
        <a class="button" href=${BASE}><${Icon} name="search" />${t('help.missing.search')}</a>
        <a class="button button-secondary" href="/cabinet/tickets">${t('help.contact.action')}</a>
      </div>
    </div>
  </div>`;
}

function HelpArticle({ id }) {
  const load = useLoad(() => api.get(`/cabinet/kb/articles/${id}`), [id]);
  const article = load.data?.id === id ? load.data : null;
  useDocumentTitle(article?.title, 'cabinet.title');
  const crumbs = [{ href: BASE, label: t('cabinet.nav.help') }];

  if (load.error?.status === 404) return html`<${HelpMissing} />`;
  if (load.error)
    return html`<div class="help help-narrow">
      <${Crumbs} items=${crumbs} />
      <h1 class="visually-hidden" tabindex="-1">${t('kb.article.error')}</h1>
      <${Alert} kind="error" title=${t('kb.article.error')}
        actions=${html`<${Button} kind="secondary" size="sm" onClick=${load.reload}>${t('action.retry')}<//>`}>${errorText(load.error)}<//>
    </div>`;
  if (!article)
    return html`<div class="help help-narrow"><${Crumbs} items=${crumbs} />
      <h1 class="kb-title" tabindex="-1"><span class="visually-hidden">${t('state.loading')}</span></h1><${ProseSkeleton} /></div>`;

  return html`<div class="help help-narrow">
    <${Crumbs} items=${[...crumbs, { label: article.title }]} />
    <article class="help-article">
      <header class="kb-article-head">
        <h1 class="kb-title" tabindex="-1">${article.title}</h1>
        <p class="kb-meta">
          <span class="kb-meta-time">${t('help.updated')}${' '}<time datetime=${isoOf(article.updated_at)}>${formatDate(article.updated_at)}</time></span>
        </p>
        <${Tags} tags=${article.tags} />
      </header>
      <${Prose} markup=${article.html} title=${article.title} linkBase=${BASE} />
      <${FileList} files=${article.files} />
    </article>
    <${ContactCard} />
    <p class="help-back"><a href=${BASE}><${Icon} name="arrow_left" class="icon icon-sm" />${t('help.back')}</a></p>
  </div>`;
}

/* /cabinet/help and /cabinet/help/{id}; anything else below is "not found". */
export function HelpPage({ path }) {
  const rest = path.slice(BASE.length).replace(/\/+$/, '');
  const m = /^\/(\d+)$/.exec(rest);
  if (!rest) return html`<${HelpHome} />`;
  if (m) return html`<${HelpArticle} key=${m[1]} id=${Number(m[1])} />`;
  return html`<${HelpMissing} />`;
}
