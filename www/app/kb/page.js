// Knowledge base section (/app/kb/...): routes its pages and lays them out beside the space tree under the search bar.
import { html, useEffect, useState } from '/shared/preact.js';
import { errorText, t } from '/shared/i18n.js';
import { Alert, Button } from '/shared/forms.js';
import { EmptyState, Icon } from '/shared/ui.js';
import { ArticlePage } from '/app/kb/article.js';
import { EditorPage } from '/app/kb/editor.js';
import { DiffPage, HistoryPage, RevisionPage } from '/app/kb/history.js';
import { HomePage, NewSpaceDialog, SpacePage } from '/app/kb/home.js';
import { SearchBox, SearchPage } from '/app/kb/search.js';
import { canManage, loadIndex, useKbIndex } from '/app/kb/store.js';
import { Tree } from '/app/kb/tree.js';

const BASE = '/app/kb';

/* The page a path below /app/kb names: { name, id?, rev? }. */
function route(path) {
  const rest = path.slice(BASE.length).replace(/\/+$/, '');
  let m;
  if (!rest) return { name: 'home' };
  if (rest === '/search') return { name: 'search' };
  if (rest === '/new') return { name: 'new' };
  if ((m = /^\/space\/(\d+)$/.exec(rest))) return { name: 'space', id: Number(m[1]) };
  if ((m = /^\/(\d+)$/.exec(rest))) return { name: 'article', id: Number(m[1]) };
  if ((m = /^\/(\d+)\/(edit|history|diff)$/.exec(rest))) return { name: m[2], id: Number(m[1]) };
  if ((m = /^\/(\d+)\/rev\/(\d+)$/.exec(rest))) return { name: 'revision', id: Number(m[1]), rev: Number(m[2]) };
  return { name: 'unknown' };
}

function UnknownPage() {
  return html`<div class="kb-page">
    <h1 class="visually-hidden" tabindex="-1">${t('notfound.title')}</h1>
    <${EmptyState} icon="compass" title=${t('notfound.title')} body=${t('kb.unknown.body')}>
      <a class="button" href=${BASE}>${t('kb.back_home')}</a>
    <//>
  </div>`;
}

export function KbPage({ path }) {
  const r = route(path);
  const kb = useKbIndex();
  const [treeOpen, setTreeOpen] = useState(false);
  const [newSpace, setNewSpace] = useState(false);
  const onNewSpace = canManage() ? () => setNewSpace(true) : null;

  useEffect(() => setTreeOpen(false), [path]);

  // The tree opened over the page (narrow screens) closes on Escape or a click elsewhere.
  useEffect(() => {
    if (!treeOpen) return undefined;
    const onKey = (e) => e.key === 'Escape' && setTreeOpen(false);
    const onDown = (e) => !e.target.closest?.('#kb-side, .kb-tree-toggle') && setTreeOpen(false);
    document.addEventListener('keydown', onKey);
    document.addEventListener('pointerdown', onDown);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('pointerdown', onDown);
    };
  }, [treeOpen]);
  useEffect(() => {
    if (kb.status === 'ready') loadIndex(); // entering the section: pick up what others changed
  }, []);

  const articleId = ['article', 'edit', 'history', 'diff', 'revision'].includes(r.name) ? r.id : null;
  const spaceId = r.name === 'space' ? r.id : kb.byId.get(articleId)?.space_id;

  let page;
  switch (r.name) {
    case 'home':
      page = html`<${HomePage} kb=${kb} onNewSpace=${onNewSpace} />`;
      break;
    case 'search':
      page = html`<${SearchPage} />`;
      break;
    case 'space':
      page = html`<${SpacePage} id=${r.id} kb=${kb} />`;
      break;
    case 'article':
      page = html`<${ArticlePage} key=${r.id} id=${r.id} kb=${kb} />`;
      break;
    case 'history':
      page = html`<${HistoryPage} key=${r.id} id=${r.id} kb=${kb} />`;
      break;
    case 'diff':
      page = html`<${DiffPage} key=${r.id} id=${r.id} kb=${kb} />`;
      break;
    case 'revision':
      page = html`<${RevisionPage} key=${`${r.id}-${r.rev}`} id=${r.id} rev=${r.rev} kb=${kb} />`;
      break;
    case 'new':
    case 'edit':
      page = html`<${EditorPage} id=${r.name === 'edit' ? r.id : null} kb=${kb} />`;
      break;
    default:
      page = html`<${UnknownPage} />`;
  }

  const dialog = newSpace && html`<${NewSpaceDialog} onClose=${() => setNewSpace(false)} />`;
  const indexProblem = kb.status === 'error' &&
    html`<${Alert} kind="error" title=${t('kb.index.error')}
      actions=${html`<${Button} kind="secondary" size="sm" onClick=${loadIndex}>${t('action.retry')}<//>`}>${errorText(kb.error)}<//>`;

  // The editor takes the whole width: the tree and the search bar would only crowd it.
  if (r.name === 'new' || r.name === 'edit')
    return html`<div class="kb kb-focus">${indexProblem}${page}${dialog}</div>`;

  const wide = r.name === 'diff';
  const newHref = spaceId ? `${BASE}/new?space=${spaceId}` : `${BASE}/new`;
  return html`<div class=${'kb' + (wide ? ' kb-wide' : '') + (treeOpen ? ' kb-tree-open' : '')}>
    <aside class="kb-side" id="kb-side">
      <${Tree} kb=${kb} currentId=${articleId} currentSpace=${spaceId} onNewSpace=${onNewSpace} />
    </aside>
    <div class="kb-main">
      <div class="kb-bar">
        <button type="button" class="button button-secondary kb-tree-toggle" aria-controls="kb-side" title=${t('kb.tree.toggle')}
          aria-expanded=${treeOpen ? 'true' : 'false'} onClick=${() => setTreeOpen(!treeOpen)}>
          <${Icon} name=${treeOpen ? 'close' : 'folder'} /><span class="kb-tree-toggle-label">${t('kb.tree.toggle')}</span>
        </button>
        ${r.name === 'search' ? html`<span class="kb-bar-fill"></span>` : html`<${SearchBox} />`}
        ${kb.spaces.length > 0 &&
        html`<a class="button kb-bar-new" href=${newHref} title=${t('kb.new')}><${Icon} name="plus" /><span class="kb-bar-new-label">${t('kb.new')}</span></a>`}
      </div>
      ${indexProblem}
      ${page}
    </div>
    ${dialog}
  </div>`;
}
