// One KB article: breadcrumbs, title, badges, who edited it and when, the rendered body, files and sub-pages.
import { html } from '/shared/preact.js';
import { api } from '/shared/api.js';
import { errorText, t } from '/shared/i18n.js';
import { formatDateTime, formatRelative, initials, isoOf } from '/shared/format.js';
import { Alert, Button, useLoad } from '/shared/forms.js';
import { EmptyState, Icon } from '/shared/ui.js';
import { Crumbs, FileList, Prose, ProseSkeleton, StatusBadge, Tags, VisibilityBadge, useDocumentTitle } from '/shared/kb.js';
import { ancestorsOf } from '/app/kb/store.js';

/* Breadcrumb items down to (not including) the article: KB, its space, its ancestors. */
export function articleCrumbs(kb, article) {
  const spaceId = article.space?.id ?? article.space_id;
  const spaceName = article.space?.name ?? kb.spaces.find((s) => s.id === spaceId)?.name ?? '';
  return [
    { href: '/app/kb', label: t('app.nav.kb') },
    { href: `/app/kb/space/${spaceId}`, label: spaceName },
    ...ancestorsOf(kb.byId, article.id).map((a) => ({ href: `/app/kb/${a.id}`, label: a.title })),
  ];
}

/* A message with {name} filled by a node (bold name) rather than plain text. */
export function withNode(key, node) {
  const [before, after = ''] = t(key).split('{name}');
  return html`${before}${node}${after}`;
}

export function Byline({ author, time, verb = 'kb.edited_by' }) {
  return html`<span class="kb-byline">
    <span class="kb-avatar" aria-hidden="true">${initials(author?.name)}</span>
    <span>${withNode(verb, html`<strong>${author?.name}</strong>`)}</span>
    <span aria-hidden="true">·</span>
    <time datetime=${isoOf(time)} title=${formatDateTime(time)}>${formatRelative(time)}</time>
  </span>`;
}

/* The page for an id the server does not know (or an error loading it). */
export function ArticleMissing({ error, onRetry }) {
  if (error?.status === 404)
    return html`<div class="kb-page">
      <h1 class="visually-hidden" tabindex="-1">${t('kb.article.missing')}</h1>
      <${EmptyState} icon="compass" title=${t('kb.article.missing')} body=${t('kb.article.missing.body')}>
        <a class="button" href="/app/kb">${t('kb.back_home')}</a>
      <//>
    </div>`;
  return html`<div class="kb-page">
    <h1 class="visually-hidden" tabindex="-1">${t('kb.article.error')}</h1>
    <${Alert} kind="error" title=${t('kb.article.error')}
      actions=${onRetry && html`<${Button} kind="secondary" size="sm" onClick=${onRetry}>${t('action.retry')}<//>`}>
      ${errorText(error)}
    <//>
  </div>`;
}

function SubPages({ kb, id }) {
  const kids = kb.children.get(`a${id}`) || [];
  if (!kids.length) return null;
  return html`<section class="kb-subpages" aria-labelledby="kb-subpages-title">
    <h2 class="kb-section-title" id="kb-subpages-title">${t('kb.subpages')}</h2>
    <ul class="kb-card-list">
      ${kids.map(
        (a) => html`<li><a class="kb-card-link" href=${`/app/kb/${a.id}`}>
          <${Icon} name="page" class="icon" />
          <span class="kb-card-link-title">${a.title}</span>
          ${a.status === 'draft' && html`<${StatusBadge} status="draft" />`}
          <${Icon} name="arrow_right" class="icon kb-card-link-go" />
        </a></li>`,
      )}
    </ul>
  </section>`;
}

export function ArticlePage({ id, kb }) {
  const load = useLoad(() => api.get(`/kb/articles/${id}`), [id]);
  const article = load.data?.id === id ? load.data : null;
  useDocumentTitle(article?.title, 'app.title');

  if (load.error) return html`<${ArticleMissing} error=${load.error} onRetry=${load.reload} />`;
  if (!article) {
    const known = kb.byId.get(id);
    return html`<div class="kb-page">
      ${known && html`<${Crumbs} items=${articleCrumbs(kb, known)} />`}
      <h1 class="kb-title" tabindex="-1">${known?.title || html`<span class="visually-hidden">${t('state.loading')}</span>`}</h1>
      <${ProseSkeleton} />
    </div>`;
  }

  const edited = article.revision > 1;
  return html`<article class="kb-page kb-article">
    <${Crumbs} items=${articleCrumbs(kb, article)} />
    <header class="kb-article-head">
      <div class="kb-title-row">
        <h1 class="kb-title" tabindex="-1">${article.title}</h1>
        <div class="kb-title-actions">
          <a class="button button-secondary" href=${`/app/kb/${id}/history`}><${Icon} name="history" />${t('kb.history')}</a>
          <a class="button" href=${`/app/kb/${id}/edit`}><${Icon} name="edit" />${t('action.edit')}</a>
        </div>
      </div>
      <div class="kb-meta">
        <${VisibilityBadge} visibility=${article.visibility} />
        <${StatusBadge} status=${article.status} />
        <${Byline} author=${article.author} time=${article.updated_at} verb=${edited ? 'kb.edited_by' : 'kb.created_by'} />
        <a class="kb-rev-link" href=${`/app/kb/${id}/history`}>${t('kb.revision_n', { rev: article.revision })}</a>
      </div>
      <${Tags} tags=${article.tags} />
    </header>
    ${article.html?.trim()
      ? html`<${Prose} markup=${article.html} title=${article.title} linkBase="/app/kb" />`
      : html`<p class="kb-empty-body">${t('kb.article.empty')} <a href=${`/app/kb/${id}/edit`}>${t('kb.article.start_writing')}</a></p>`}
    <${FileList} files=${article.files} />
    <${SubPages} kb=${kb} id=${id} />
    <footer class="kb-article-foot">
      <a class="button button-ghost button-sm" href=${`/app/kb/new?space=${article.space.id}&parent=${id}`}>
        <${Icon} name="plus" class="icon icon-sm" />${t('kb.subpage.new')}
      </a>
    </footer>
  </article>`;
}
