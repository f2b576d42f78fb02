// The KB sidebar: every space with its article tree (sub-pages under their parent, ordered by position).
import { html, useEffect, useState } from '/shared/preact.js';
import { t } from '/shared/i18n.js';
import { Icon } from '/shared/ui.js';
import { ancestorsOf, spaceCount } from '/app/kb/store.js';

const STORAGE_KEY = 'portal.kb.tree';

/* Open nodes as keys (`s1` a space, `a7` an article); spaces start open, the choice is remembered. */
function storedOpen() {
  try {
    const saved = JSON.parse(localStorage.getItem(STORAGE_KEY) || 'null');
    return saved && typeof saved === 'object' ? saved : {};
  } catch {
    return {};
  }
}

function useOpenNodes() {
  const [open, setOpen] = useState(storedOpen);
  const toggle = (key, value) =>
    setOpen((prev) => {
      const next = { ...prev, [key]: value };
      try {
        localStorage.setItem(STORAGE_KEY, JSON.stringify(next));
      } catch {
        /* remembered for this page only */
      }
      return next;
    });
  return [open, toggle];
}

function Twisty({ open, label, onToggle }) {
  return html`<button type="button" class="kb-twisty" aria-expanded=${open ? 'true' : 'false'}
      aria-label=${label} title=${label} onClick=${onToggle}>
    <${Icon} name="chevron_right" class="icon" />
  </button>`;
}

function ArticleNode({ article, kb, open, toggle, currentId, depth }) {
  const kids = kb.children.get(`a${article.id}`) || [];
  const key = `a${article.id}`;
  const isOpen = open[key] ?? false;
  const current = article.id === currentId;
  return html`<li>
    <div class=${'kb-node' + (current ? ' is-current' : '')} style=${{ '--depth': depth }}>
      ${kids.length
        ? html`<${Twisty} open=${isOpen} label=${t(isOpen ? 'kb.tree.collapse' : 'kb.tree.expand', { title: article.title })}
            onToggle=${() => toggle(key, !isOpen)} />`
        : html`<span class="kb-twisty-space" aria-hidden="true"></span>`}
      <a class="kb-node-link" href=${`/app/kb/${article.id}`} aria-current=${current ? 'page' : undefined}>
        <span class="kb-node-title">${article.title}</span>
        ${article.status === 'draft' && html`<span class="kb-node-flag">${t('kb.status.draft')}</span>`}
        ${article.visibility === 'public' &&
        html`<span class="kb-node-public" title=${t('kb.visibility.public')}><${Icon} name="globe" class="icon" /><span class="visually-hidden">${t('kb.visibility.public')}</span></span>`}
      </a>
    </div>
    ${kids.length > 0 && isOpen &&
    html`<ul class="kb-tree-list">
      ${kids.map((c) => html`<${ArticleNode} key=${c.id} article=${c} kb=${kb} open=${open} toggle=${toggle} currentId=${currentId} depth=${depth + 1} />`)}
    </ul>`}
  </li>`;
}

/*
 * kb: the index from store.js; currentId: the article on screen (its ancestors open by
 * themselves); currentSpace: the space on screen.
 */
export function Tree({ kb, currentId, currentSpace, onNewSpace }) {
  const [open, toggle] = useOpenNodes();

  // The article on screen is always visible: open its space and every ancestor.
  useEffect(() => {
    if (!currentId || !kb.byId.has(currentId)) return;
    const a = kb.byId.get(currentId);
    if (open[`s${a.space_id}`] === false) toggle(`s${a.space_id}`, true);
    for (const p of ancestorsOf(kb.byId, currentId)) if (!open[`a${p.id}`]) toggle(`a${p.id}`, true);
  }, [currentId, kb.byId]);

  return html`<nav class="kb-tree" aria-label=${t('kb.tree.label')}>
    <div class="kb-tree-head">
      <span class="kb-tree-title">${t('kb.spaces')}</span>
      ${onNewSpace &&
      html`<button type="button" class="icon-button kb-tree-add" title=${t('kb.space.new')} aria-label=${t('kb.space.new')} onClick=${onNewSpace}>
        <${Icon} name="plus" class="icon icon-sm" />
      </button>`}
    </div>
    ${kb.status === 'loading' && !kb.spaces.length &&
    html`<div class="kb-tree-loading" aria-busy="true"><span class="kb-skel"></span><span class="kb-skel"></span><span class="kb-skel kb-skel-short"></span></div>`}
    <ul class="kb-tree-list kb-tree-spaces">
      ${kb.spaces.map((space) => {
        const key = `s${space.id}`;
        const isOpen = open[key] ?? true;
        const kids = kb.children.get(key) || [];
        const current = currentSpace === space.id && !currentId;
        return html`<li key=${space.id} class="kb-tree-space">
          <div class=${'kb-node kb-node-space' + (current ? ' is-current' : '')}>
            <${Twisty} open=${isOpen} label=${t(isOpen ? 'kb.tree.collapse' : 'kb.tree.expand', { title: space.name })}
              onToggle=${() => toggle(key, !isOpen)} />
            <a class="kb-node-link" href=${`/app/kb/space/${space.id}`} aria-current=${current ? 'page' : undefined}>
              <span class="kb-space-dot" data-hue=${space.id % 8} aria-hidden="true">${[...space.name][0]?.toUpperCase()}</span>
              <span class="kb-node-title">${space.name}</span>
              <span class="kb-node-count" title=${t('kb.space.count', { count: spaceCount(space, kb.articles) })}>${spaceCount(space, kb.articles)}</span>
            </a>
          </div>
          ${isOpen &&
          html`<ul class="kb-tree-list">
            ${kids.length
              ? kids.map((a) => html`<${ArticleNode} key=${a.id} article=${a} kb=${kb} open=${open} toggle=${toggle} currentId=${currentId} depth=${1} />`)
              : html`<li class="kb-tree-empty">${t('kb.space.empty_short')}</li>`}
          </ul>`}
        </li>`;
      })}
    </ul>
  </nav>`;
}
