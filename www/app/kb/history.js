// An article's history: the revision list, two revisions compared line by line, one old revision, restoring it.
import { html, useEffect, useState } from '/shared/preact.js';
import { api } from '/shared/api.js';
import { errorText, t } from '/shared/i18n.js';
import { formatDateTime, formatRelative, isoOf } from '/shared/format.js';
import { navigate, useQuery } from '/shared/router.js';
import { Alert, Button, ConfirmDialog, useId, useLoad, toast } from '/shared/forms.js';
import { Icon } from '/shared/ui.js';
import {
  Crumbs, DiffStats, DiffView, Prose, ProseSkeleton, StatusBadge, VisibilityBadge, useDocumentTitle, useMedia,
} from '/shared/kb.js';
import { ArticleMissing, Byline, articleCrumbs } from '/app/kb/article.js';
import { loadIndex, rememberArticle } from '/app/kb/store.js';

const PHONE = '(max-width: 700px)';

/* The server writes some summaries itself, in English; these are shown in the UI's language. */
export function summaryText(summary) {
  const restored = /^Restored revision (\d+)$/.exec(summary || '');
  if (restored) return t('kb.history.restored', { rev: restored[1] });
  if (summary === 'Created') return t('kb.history.created');
  return summary || '';
}

/* Crumbs down to the article itself, then (optionally) its history. */
function historyCrumbs(kb, article, withHistory) {
  const items = [...articleCrumbs(kb, article), { href: `/app/kb/${article.id}`, label: article.title }];
  if (withHistory) items.push({ href: `/app/kb/${article.id}/history`, label: t('kb.history') });
  return items;
}

/* Asks, then restores rev as a new revision on top of base (the revision on screen); goes to the article. */
function RestoreDialog({ article, rev, onClose }) {
  async function restore() {
    const saved = await api.post(`/kb/articles/${article.id}/restore`, { rev, base_revision: article.revision });
    rememberArticle(saved);
    loadIndex();
    toast(t('kb.restore.done', { rev }));
    navigate(`/app/kb/${article.id}`);
  }
  return html`<${ConfirmDialog} title=${t('kb.restore.title', { rev })} body=${t('kb.restore.body', { rev, current: article.revision })}
    confirmLabel=${t('kb.restore.confirm')} onConfirm=${restore} onClose=${onClose} />`;
}

function useArticle(id) {
  return useLoad(() => api.get(`/kb/articles/${id}`), [id]);
}

/* ---------- the revision list ---------- */

export function HistoryPage({ id, kb }) {
  const art = useArticle(id);
  const revs = useLoad(() => api.get(`/kb/articles/${id}/revisions`), [id]);
  const [picked, setPicked] = useState(null); // [rev, rev] chosen for comparing
  const [restoring, setRestoring] = useState(null);
  const article = art.data;
  const items = revs.data?.items || [];
  useDocumentTitle(article && `${t('kb.history')}: ${article.title}`, 'app.title');

  useEffect(() => {
    if (items.length >= 2 && !picked) setPicked([items[0].rev, items[1].rev]);
  }, [items.length]);

  const error = art.error || revs.error;
  if (error) return html`<${ArticleMissing} error=${error} onRetry=${() => (art.reload(), revs.reload())} />`;
  if (!article || !revs.data)
    return html`<div class="kb-page"><h1 class="kb-title" tabindex="-1">${t('kb.history')}</h1><${ProseSkeleton} /></div>`;

  const chosen = picked || [];
  function toggle(rev) {
    if (chosen.includes(rev)) setPicked(chosen.filter((r) => r !== rev));
    else setPicked([...chosen, rev].slice(-2));
  }
  const [lo, hi] = [...chosen].sort((a, b) => a - b);
  const canCompare = chosen.length === 2;

  return html`<div class="kb-page">
    <${Crumbs} items=${historyCrumbs(kb, article, false)} />
    <header class="kb-article-head">
      <div class="kb-title-row">
        <div>
          <h1 class="kb-title" tabindex="-1">${t('kb.history.title')}</h1>
          <p class="kb-lead">${t('kb.history.lead', { count: items.length })}</p>
        </div>
        <div class="kb-title-actions">
          <${Button} disabled=${!canCompare} onClick=${() => navigate(`/app/kb/${id}/diff?from=${lo}&to=${hi}`)}>
            <${Icon} name="columns" />${canCompare ? t('kb.compare.selected', { from: lo, to: hi }) : t('kb.compare')}
          <//>
        </div>
      </div>
    </header>
    <p class="kb-hint">${t('kb.history.pick')}</p>
    <ol class="kb-revs">
      ${items.map((r, i) => {
        const current = r.rev === article.revision;
        const prev = items[i + 1];
        const boxId = `kb-rev-${r.rev}`;
        return html`<li key=${r.rev} class=${'kb-rev' + (chosen.includes(r.rev) ? ' is-picked' : '')}>
          <input type="checkbox" class="kb-rev-check" id=${boxId} checked=${chosen.includes(r.rev)} onChange=${() => toggle(r.rev)}
            aria-label=${t('kb.history.pick_rev', { rev: r.rev })} />
          <div class="kb-rev-main">
            <div class="kb-rev-title">
              <label for=${boxId} class="kb-rev-no">${t('kb.revision_n', { rev: r.rev })}</label>
              ${current && html`<span class="badge badge-accent">${t('kb.current')}</span>`}
              ${prev && prev.visibility !== r.visibility && html`<${VisibilityBadge} visibility=${r.visibility} />`}
              ${prev && prev.status !== r.status && html`<${StatusBadge} status=${r.status} />`}
            </div>
            <p class=${'kb-rev-summary' + (r.summary ? '' : ' is-empty')}>${summaryText(r.summary) || t('kb.history.no_summary')}</p>
            ${prev && prev.title !== r.title && html`<p class="kb-rev-retitle">${t('kb.history.renamed', { title: r.title })}</p>`}
            <div class="kb-rev-meta"><${Byline} author=${r.author} time=${r.created_at} verb="kb.saved_by" /></div>
          </div>
          <div class="kb-rev-actions">
            <a class="button button-ghost button-sm" href=${`/app/kb/${id}/rev/${r.rev}`}>${t('kb.view')}</a>
            ${prev && html`<a class="button button-ghost button-sm" href=${`/app/kb/${id}/diff?from=${prev.rev}&to=${r.rev}`}>${t('kb.changes')}</a>`}
            ${!current && html`<${Button} kind="secondary" size="sm" onClick=${() => setRestoring(r.rev)}>
              <${Icon} name="restore" class="icon icon-sm" />${t('kb.restore')}
            <//>`}
          </div>
        </li>`;
      })}
    </ol>
    ${restoring && html`<${RestoreDialog} article=${article} rev=${restoring} onClose=${() => setRestoring(null)} />`}
  </div>`;
}

/* ---------- comparing two revisions ---------- */

function RevCard({ rev, side }) {
  if (!rev) return html`<div class="kb-cmp-card"></div>`;
  return html`<div class=${`kb-cmp-card kb-cmp-${side}`}>
    <div class="kb-cmp-head">
      <span class="kb-cmp-mark" aria-hidden="true">${side === 'old' ? '−' : '+'}</span>
      <span class="kb-cmp-rev">${t('kb.revision_n', { rev: rev.rev })}</span>
    </div>
    <p class=${'kb-rev-summary' + (rev.summary ? '' : ' is-empty')}>${summaryText(rev.summary) || t('kb.history.no_summary')}</p>
    <div class="kb-rev-meta"><${Byline} author=${rev.author} time=${rev.created_at} verb="kb.saved_by" /></div>
  </div>`;
}

export function DiffPage({ id, kb }) {
  const query = useQuery();
  const from = Number(query.get('from')) || 0;
  const to = Number(query.get('to')) || 0;
  const art = useArticle(id);
  const revs = useLoad(() => api.get(`/kb/articles/${id}/revisions`), [id]);
  const diff = useLoad(() => (from && to ? api.get(`/kb/articles/${id}/diff`, { query: { from, to } }) : Promise.resolve(null)), [id, from, to]);
  const phone = useMedia(PHONE);
  const [mode, setMode] = useState('split');
  const [restoring, setRestoring] = useState(null);
  const fromId = useId('kb-from');
  const toId = useId('kb-to');
  const article = art.data;
  useDocumentTitle(article && `${t('kb.compare.title')}: ${article.title}`, 'app.title');

  const error = art.error || revs.error;
  if (error) return html`<${ArticleMissing} error=${error} onRetry=${() => (art.reload(), revs.reload())} />`;
  if (!article || !revs.data)
    return html`<div class="kb-page"><h1 class="kb-title" tabindex="-1">${t('kb.compare.title')}</h1><${ProseSkeleton} /></div>`;

  const items = revs.data.items || [];
  const find = (rev) => items.find((r) => r.rev === rev);
  const d = diff.data?.from === from && diff.data?.to === to ? diff.data : null;
  const shown = phone ? 'inline' : mode;
  const pick = (which, value) => {
    const next = { from, to, [which]: Number(value) };
    navigate(`/app/kb/${id}/diff?from=${next.from}&to=${next.to}`, { replace: true });
  };
  const revOptions = items.map((r) => html`<option value=${r.rev}>${t('kb.revision_n', { rev: r.rev })}</option>`);

  return html`<div class="kb-page kb-page-wide">
    <${Crumbs} items=${historyCrumbs(kb, article, true)} />
    <header class="kb-article-head">
      <div class="kb-title-row">
        <div>
          <h1 class="kb-title" tabindex="-1">${t('kb.compare.title')}</h1>
          <p class="kb-lead">${article.title}</p>
        </div>
        <div class="kb-title-actions">
          ${from && from !== article.revision && html`<${Button} kind="secondary" onClick=${() => setRestoring(from)}>
            <${Icon} name="restore" />${t('kb.restore.rev', { rev: from })}
          <//>`}
        </div>
      </div>
    </header>

    <div class="kb-cmp">
      <${RevCard} rev=${find(from)} side="old" />
      <div class="kb-cmp-arrow" aria-hidden="true"><${Icon} name="arrow_right" /></div>
      <${RevCard} rev=${find(to)} side="new" />
    </div>

    <div class="kb-diff-toolbar">
      <div class="kb-diff-pick">
        <label class="visually-hidden" for=${fromId}>${t('kb.compare.from')}</label>
        <select id=${fromId} class="input select kb-select-sm" value=${from} onChange=${(e) => pick('from', e.currentTarget.value)}>${revOptions}</select>
        <${Icon} name="arrow_right" class="icon icon-sm kb-diff-pick-arrow" />
        <label class="visually-hidden" for=${toId}>${t('kb.compare.to')}</label>
        <select id=${toId} class="input select kb-select-sm" value=${to} onChange=${(e) => pick('to', e.currentTarget.value)}>${revOptions}</select>
        ${d && html`<${DiffStats} added=${d.added} removed=${d.removed} />`}
      </div>
      ${!phone &&
      html`<div class="kb-seg" role="group" aria-label=${t('kb.diff.view')}>
        <button type="button" aria-pressed=${mode === 'split' ? 'true' : 'false'} onClick=${() => setMode('split')}>
          <${Icon} name="columns" class="icon icon-sm" />${t('kb.diff.split')}
        </button>
        <button type="button" aria-pressed=${mode === 'inline' ? 'true' : 'false'} onClick=${() => setMode('inline')}>
          <${Icon} name="rows" class="icon icon-sm" />${t('kb.diff.inline')}
        </button>
      </div>`}
    </div>

    ${d && d.title.from !== d.title.to &&
    html`<div class="kb-retitle">
      <span class="kb-retitle-label">${t('kb.diff.title_changed')}</span>
      <del>${d.title.from}</del><${Icon} name="arrow_right" class="icon icon-sm" /><ins>${d.title.to}</ins>
    </div>`}
    ${diff.error && html`<${Alert} kind="error" title=${t('kb.diff.error')}>${errorText(diff.error)}<//>`}
    ${!d && !diff.error && html`<${ProseSkeleton} />`}
    ${d && html`<${DiffView} lines=${d.lines} mode=${shown}
      oldLabel=${t('kb.revision_n', { rev: from })} newLabel=${t('kb.revision_n', { rev: to })} />`}
    ${restoring && html`<${RestoreDialog} article=${article} rev=${restoring} onClose=${() => setRestoring(null)} />`}
  </div>`;
}

/* ---------- one old revision ---------- */

export function RevisionPage({ id, rev, kb }) {
  const art = useArticle(id);
  const load = useLoad(() => api.get(`/kb/articles/${id}/revisions/${rev}`), [id, rev]);
  const [restoring, setRestoring] = useState(false);
  const article = art.data;
  const r = load.data?.rev === rev ? load.data : null;
  useDocumentTitle(r && `${r.title} (${t('kb.revision_n', { rev })})`, 'app.title');

  const error = art.error || load.error;
  if (error) return html`<${ArticleMissing} error=${error} onRetry=${() => (art.reload(), load.reload())} />`;
  if (!article || !r) return html`<div class="kb-page"><h1 class="kb-title" tabindex="-1">${t('kb.revision_n', { rev })}</h1><${ProseSkeleton} /></div>`;
  const current = rev === article.revision;

  return html`<article class="kb-page kb-article">
    <${Crumbs} items=${historyCrumbs(kb, article, true)} />
    <div class="kb-oldrev">
      <${Icon} name="history" class="icon kb-oldrev-icon" />
      <div class="kb-oldrev-text">
        <p class="kb-oldrev-title">${current ? t('kb.rev.current', { rev }) : t('kb.rev.old', { rev, current: article.revision })}</p>
        <p class="kb-oldrev-meta">
          <${Byline} author=${r.author} time=${r.created_at} verb="kb.saved_by" />
          ${r.summary && html`<span class="kb-oldrev-summary">“${summaryText(r.summary)}”</span>`}
        </p>
      </div>
      <div class="kb-oldrev-actions">
        ${!current && html`<a class="button button-secondary button-sm" href=${`/app/kb/${id}/diff?from=${rev}&to=${article.revision}`}>${t('kb.rev.compare_current')}</a>`}
        ${!current && html`<${Button} size="sm" onClick=${() => setRestoring(true)}><${Icon} name="restore" class="icon icon-sm" />${t('kb.restore')}<//>`}
        ${current && html`<a class="button button-secondary button-sm" href=${`/app/kb/${id}`}>${t('kb.rev.open_current')}</a>`}
      </div>
    </div>
    <header class="kb-article-head">
      <h1 class="kb-title" tabindex="-1">${r.title}</h1>
      <div class="kb-meta">
        <${VisibilityBadge} visibility=${r.visibility} />
        <${StatusBadge} status=${r.status} />
        <time class="kb-meta-time" datetime=${isoOf(r.created_at)} title=${formatDateTime(r.created_at)}>${formatRelative(r.created_at)}</time>
      </div>
    </header>
    <${Prose} markup=${r.html} title=${r.title} linkBase="/app/kb" />
    ${restoring && html`<${RestoreDialog} article=${article} rev=${rev} onClose=${() => setRestoring(false)} />`}
  </article>`;
}
