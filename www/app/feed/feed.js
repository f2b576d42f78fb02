// The company feed page (/app/feed) with its filters and endless list, and the page of one post (/app/feed/post/{id}).
import { html, useEffect, useRef, useState } from '/shared/preact.js';
import { api } from '/shared/api.js';
import { errorText, t } from '/shared/i18n.js';
import { navigate, useQuery } from '/shared/router.js';
import { useSession } from '/shared/session.js';
import { Alert, Button } from '/shared/forms.js';
import { EmptyState, PageHeader } from '/shared/ui.js';
import { FIcon, isAdminUser, tn, useGroups } from '/app/feed/common.js';
import { Composer } from '/app/feed/composer.js';
import { PostCard } from '/app/feed/post.js';

const PAGE_SIZE = 20;
const POST_PATH = /^\/app\/feed\/post\/(\d+)\/?$/;

/* The filter in the URL: ?show=mentions or ?group=ID; nothing is the whole feed. */
function readFilter(query) {
  if (query.get('show') === 'mentions') return { kind: 'mentions' };
  const group = Number(query.get('group'));
  if (Number.isInteger(group) && group > 0) return { kind: 'group', group };
  return { kind: 'all' };
}

function filterUrl(filter) {
  if (filter.kind === 'mentions') return '/app/feed?show=mentions';
  if (filter.kind === 'group') return `/app/feed?group=${filter.group}`;
  return '/app/feed';
}

function filterQuery(filter) {
  if (filter.kind === 'mentions') return { mentions: 'me' };
  if (filter.kind === 'group') return { group: filter.group };
  return {};
}

/* ---------- the endless list ---------- */

/*
 * Posts of the filter, newest first; more load when the sentinel under the list comes near
 * the viewport (IntersectionObserver), from before=next_before.
 */
function useFeed(filter) {
  const [state, setState] = useState({ pinned: [], items: [], next: null, loading: true, more: false, error: null, moreError: null });
  const seq = useRef(0);
  const key = JSON.stringify(filter);

  async function load() {
    const mine = ++seq.current;
    setState((s) => ({ ...s, loading: true, error: null, moreError: null }));
    try {
      const answer = await api.get('/feed/posts', { query: { limit: PAGE_SIZE, ...filterQuery(filter) } });
      if (mine !== seq.current) return;
      const pinned = answer.pinned || [];
      const skip = new Set(pinned.map((p) => p.id));
      setState({
        pinned,
        items: (answer.items || []).filter((p) => !skip.has(p.id)),
        next: answer.next_before ?? null,
        loading: false,
        more: false,
        error: null,
        moreError: null,
      });
    } catch (error) {
      if (mine === seq.current) setState((s) => ({ ...s, loading: false, error }));
    }
  }

  async function loadMore() {
    const current = state;
    if (current.loading || current.more || !current.next) return;
    const mine = seq.current;
    setState((s) => ({ ...s, more: true, moreError: null }));
    try {
      const answer = await api.get('/feed/posts', { query: { limit: PAGE_SIZE, before: current.next, ...filterQuery(filter) } });
      if (mine !== seq.current) return;
      setState((s) => {
        // Pinned posts come again in later pages (they are only left out of the first one); show each post once.
        const seen = new Set([...s.pinned, ...s.items].map((p) => p.id));
        return {
          ...s,
          items: [...s.items, ...(answer.items || []).filter((p) => !seen.has(p.id))],
          next: answer.next_before ?? null,
          more: false,
        };
      });
    } catch (moreError) {
      if (mine === seq.current) setState((s) => ({ ...s, more: false, moreError }));
    }
  }

  useEffect(() => {
    load();
  }, [key]);

  function change(post, opts = {}) {
    setState((s) => {
      if (opts.pinChanged) {
        const pinned = s.pinned.filter((p) => p.id !== post.id);
        const items = s.items.filter((p) => p.id !== post.id);
        if (post.pinned && filter.kind === 'all') return { ...s, pinned: [post, ...pinned], items };
        const merged = [...items, post].sort((a, b) => b.id - a.id);
        // An unpinned post older than everything loaded would sit out of order: leave it to its page.
        const last = items[items.length - 1];
        return { ...s, pinned, items: s.next && last && post.id < last.id ? items : merged };
      }
      const put = (list) => list.map((p) => (p.id === post.id ? { ...p, ...post } : p));
      return { ...s, pinned: put(s.pinned), items: put(s.items) };
    });
  }
  function remove(id) {
    setState((s) => ({ ...s, pinned: s.pinned.filter((p) => p.id !== id), items: s.items.filter((p) => p.id !== id) }));
  }
  function add(post) {
    setState((s) => ({ ...s, items: [post, ...s.items.filter((p) => p.id !== post.id)] }));
  }

  return { ...state, reload: load, loadMore, change, remove, add };
}

/* Calls onVisible when the element comes within 800px of the viewport. */
function Sentinel({ onVisible, active }) {
  const ref = useRef(null);
  const callback = useRef(onVisible);
  callback.current = onVisible;
  useEffect(() => {
    if (!active || !ref.current) return undefined;
    const observer = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && callback.current(), {
      rootMargin: '800px 0px',
    });
    observer.observe(ref.current);
    return () => observer.disconnect();
  }, [active]);
  return html`<div ref=${ref} class="feed-sentinel" aria-hidden="true"></div>`;
}

/* ---------- filters and side panel ---------- */

function FilterBar({ filter, groups, user }) {
  const visible = groups.filter((g) => g.member || isAdminUser(user));
  const go = (f) => navigate(filterUrl(f));
  return html`<nav class="feed-filters" aria-label=${t('feed.filter.label')}>
    <div class="feed-seg">
      <button type="button" aria-pressed=${filter.kind === 'all' ? 'true' : 'false'} onClick=${() => go({ kind: 'all' })}>
        ${t('feed.filter.all')}
      </button>
      <button type="button" aria-pressed=${filter.kind === 'mentions' ? 'true' : 'false'} onClick=${() => go({ kind: 'mentions' })}>
        <${FIcon} name="at" class="icon icon-sm" />${t('feed.filter.mentions')}
      </button>
    </div>
    <label class=${'group-filter' + (filter.kind === 'group' ? ' is-active' : '')}>
      <span class="visually-hidden">${t('feed.filter.group')}</span>
      <${FIcon} name="users" class="icon icon-sm" />
      <select class="group-filter-select" value=${filter.kind === 'group' ? String(filter.group) : ''}
        onChange=${(e) => go(e.currentTarget.value ? { kind: 'group', group: Number(e.currentTarget.value) } : { kind: 'all' })}>
        <option value="">${t('feed.filter.any_group')}</option>
        ${visible.map((g) => html`<option value=${String(g.id)}>${g.name}</option>`)}
      </select>
    </label>
  </nav>`;
}

function SidePanel({ groups, user, filter }) {
  const mine = groups.filter((g) => g.member || isAdminUser(user));
  return html`<aside class="feed-aside" aria-label=${t('feed.aside.label')}>
    <section class="aside-card">
      <h2 class="aside-title">${t('feed.aside.groups')}</h2>
      ${mine.length === 0 && html`<p class="aside-empty">${t('feed.aside.no_groups')}</p>`}
      <ul class="aside-groups">
        ${mine.map(
          (g) => html`<li key=${g.id}>
            <a class="aside-group" href=${filterUrl({ kind: 'group', group: g.id })}
              aria-current=${filter.kind === 'group' && filter.group === g.id ? 'true' : undefined}>
              <span class="aside-group-icon" aria-hidden="true">${[...g.name][0]?.toUpperCase()}</span>
              <span class="aside-group-text">
                <span class="aside-group-name">${g.name}</span>
                <span class="aside-group-meta">${g.member_count === null ? g.description : tn('feed.group.members', g.member_count)}</span>
              </span>
            </a>
          </li>`,
        )}
      </ul>
    </section>
    <section class="aside-card aside-tips">
      <h2 class="aside-title">${t('feed.tips.title')}</h2>
      <ul class="feed-tips">
        <li><code>@name</code> ${t('feed.tips.mention')}</li>
        <li><code>**bold**</code> <code>_italic_</code> ${t('feed.tips.format')}</li>
        <li><code>- item</code> ${t('feed.tips.list')}</li>
        <li><kbd>Ctrl</kbd>+<kbd>Enter</kbd> ${t('feed.tips.send')}</li>
      </ul>
    </section>
  </aside>`;
}

function FeedSkeleton() {
  return html`<div class="post-skeletons" aria-busy="true">
    <span class="visually-hidden">${t('state.loading')}</span>
    ${[0, 1, 2].map(
      (i) => html`<div class="post post-skeleton" key=${i} aria-hidden="true">
        <div class="sk-head"><span class="sk sk-avatar"></span><span class="sk-lines"><span class="sk sk-line sk-w40"></span><span class="sk sk-line sk-w25"></span></span></div>
        <span class="sk sk-line sk-w90"></span><span class="sk sk-line sk-w75"></span><span class="sk sk-line sk-w50"></span>
      </div>`,
    )}
  </div>`;
}

function FeedList({ feed, filter, groups, user }) {
  const group = filter.kind === 'group' ? groups.find((g) => g.id === filter.group) : null;
  const onGroup = (g) => navigate(filterUrl({ kind: 'group', group: g.id }));
  const card = (post) => html`<${PostCard} key=${post.id} post=${post} user=${user} onChange=${feed.change}
    onRemove=${feed.remove} onGroup=${onGroup} />`;

  if (feed.loading && !feed.items.length && !feed.pinned.length) return html`<${FeedSkeleton} />`;
  if (feed.error)
    return html`<${Alert} kind="error" title=${t('feed.error.load')}
      actions=${html`<${Button} kind="secondary" size="sm" onClick=${feed.reload}>${t('action.retry')}<//>`}>${errorText(feed.error)}<//>`;
  if (!feed.items.length && !feed.pinned.length) {
    if (filter.kind === 'mentions')
      return html`<${EmptyState} icon="search" title=${t('feed.empty.mentions.title')} body=${t('feed.empty.mentions.body')} />`;
    if (filter.kind === 'group')
      return html`<${EmptyState} icon="users" title=${t('feed.empty.group.title', { name: group?.name || '' })} body=${t('feed.empty.group.body')} />`;
    return html`<${EmptyState} icon="feed" title=${t('feed.empty.title')} body=${t('feed.empty.body')} />`;
  }
  return html`<div class="feed-list">
    ${feed.pinned.length > 0 && html`<div class="feed-pinned">${feed.pinned.map(card)}</div>`}
    ${feed.items.map(card)}
    <${Sentinel} active=${!!feed.next && !feed.moreError} onVisible=${feed.loadMore} />
    ${feed.more && html`<div class="feed-more" role="status"><span class="spinner" aria-hidden="true"></span>${t('feed.loading_more')}</div>`}
    ${feed.moreError &&
    html`<${Alert} kind="error" actions=${html`<${Button} kind="secondary" size="sm" onClick=${feed.loadMore}>${t('action.retry')}<//>`}>
      ${errorText(feed.moreError)}<//>`}
    ${!feed.next && !feed.loading && html`<p class="feed-end"><${FIcon} name="check" class="icon icon-sm" />${t('feed.end')}</p>`}
  </div>`;
}

function FeedStream({ user }) {
  const query = useQuery();
  const filter = readFilter(query);
  const groups = useGroups();
  const feed = useFeed(filter);
  const group = filter.kind === 'group' ? groups.find((g) => g.id === filter.group) : null;

  function posted(post) {
    const fits =
      filter.kind === 'all' ||
      (filter.kind === 'group' && post.group?.id === filter.group);
    if (fits) feed.add(post);
    else navigate(filterUrl({ kind: 'all' }));
  }

  return html`<div class="page feed-page">
    <${PageHeader} title=${t('app.nav.feed')} lead=${t('app.lead.feed')} />
    <div class="feed-layout">
      <div class="feed-column">
        <${Composer} user=${user} groups=${groups} defaultGroup=${filter.kind === 'group' ? filter.group : null} onPosted=${posted} />
        <${FilterBar} filter=${filter} groups=${groups} user=${user} />
        ${group && html`<div class="feed-context"><${FIcon} name="users" class="icon icon-sm" />
          <span>${t('feed.filter.showing_group', { name: group.name })}</span>
          <a href="/app/feed" class="feed-context-clear">${t('feed.filter.clear')}</a></div>`}
        <${FeedList} feed=${feed} filter=${filter} groups=${groups} user=${user} />
      </div>
      <${SidePanel} groups=${groups} user=${user} filter=${filter} />
    </div>
  </div>`;
}

/* ---------- one post ---------- */

function PostPage({ id, user }) {
  const [state, setState] = useState({ post: null, error: null, loading: true, gone: false });
  useEffect(() => {
    let live = true;
    setState({ post: null, error: null, loading: true, gone: false });
    api.get(`/feed/posts/${id}`).then(
      (post) => live && setState({ post, error: null, loading: false, gone: false }),
      (error) => live && setState({ post: null, error, loading: false, gone: false }),
    );
    return () => (live = false);
  }, [id]);

  const back = html`<a class="back-link" href="/app/feed"><${FIcon} name="arrow_left" class="icon icon-sm" />${t('feed.back')}</a>`;
  let content;
  if (state.loading) content = html`<${FeedSkeleton} />`;
  else if (state.gone) content = html`<${EmptyState} icon="check_circle" title=${t('feed.post.deleted')} body=${t('feed.post.deleted_body')}>
      <a class="button" href="/app/feed">${t('feed.back')}</a><//>`;
  else if (state.error?.status === 404)
    content = html`<${EmptyState} icon="search" title=${t('feed.post.missing')} body=${t('feed.post.missing_body')}>
      <a class="button" href="/app/feed">${t('feed.back')}</a><//>`;
  else if (state.error) content = html`<${Alert} kind="error">${errorText(state.error)}<//>`;
  else
    content = html`<${PostCard} post=${state.post} user=${user} standalone
      onChange=${(post) => setState((s) => ({ ...s, post: { ...s.post, ...post } }))}
      onRemove=${() => setState((s) => ({ ...s, gone: true }))}
      onGroup=${(g) => navigate(filterUrl({ kind: 'group', group: g.id }))} />`;

  return html`<div class="page feed-page feed-page-single">
    ${back}
    <${PageHeader} title=${t('feed.post.title')} />
    <div class="feed-column feed-column-single">${content}</div>
  </div>`;
}

/* /app/feed and everything below it. */
export function FeedPage({ path }) {
  const { user } = useSession();
  if (!user) return null;
  const m = POST_PATH.exec(path || location.pathname);
  if (m) return html`<${PostPage} id=${Number(m[1])} user=${user} />`;
  return html`<${FeedStream} user=${user} />`;
}

