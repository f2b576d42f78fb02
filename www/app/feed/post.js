// One post of the feed: header, body, files, likes, "important" confirmation, comments, and the author's and managers' actions.
import { html, useEffect, useState } from '/shared/preact.js';
import { api } from '/shared/api.js';
import { errorText, t } from '/shared/i18n.js';
import { formatDateTime, isoOf } from '/shared/format.js';
import { Alert, Button, ConfirmDialog, Dialog, toast } from '/shared/forms.js';
import {
  ActionMenu, FIcon, ImageViewer, PeopleList, PersonAvatar, RichText, TimeAgo,
  fileKind, fileUrl, formatNumber, formatSize, isAdminUser, isImage, isManager, tn,
} from '/app/feed/common.js';
import { CommentComposer, MarkdownEditor } from '/app/feed/composer.js';

export const postPath = (id) => `/app/feed/post/${id}`;

/* ---------- dialogs: who liked, who has read, earlier versions ---------- */

function LoadingRow() {
  return html`<div class="loading-row"><span class="spinner" aria-hidden="true"></span>${t('state.loading')}</div>`;
}

function LikesDialog({ post, onClose }) {
  const [state, setState] = useState({ items: null, error: null });
  useEffect(() => {
    api.get(`/feed/posts/${post.id}/likes`).then(
      (a) => setState({ items: a?.items || [], error: null }),
      (error) => setState({ items: null, error }),
    );
  }, []);
  return html`<${Dialog} title=${t('feed.likes.title')} onClose=${onClose}>
    ${state.error && html`<${Alert} kind="error">${errorText(state.error)}<//>`}
    ${!state.items && !state.error && html`<${LoadingRow} />`}
    ${state.items && html`<${PeopleList} people=${state.items} empty=${t('feed.likes.none')} />`}
  <//>`;
}

function AcksDialog({ acks, onClose }) {
  const [tab, setTab] = useState(acks.unread.length && !acks.read.length ? 'unread' : 'read');
  const list = tab === 'read' ? acks.read : acks.unread;
  return html`<${Dialog} title=${t('feed.acks.title')} onClose=${onClose}>
    <div class="feed-seg" role="tablist" aria-label=${t('feed.acks.title')}>
      <button type="button" role="tab" aria-selected=${tab === 'read' ? 'true' : 'false'} onClick=${() => setTab('read')}>
        ${t('feed.acks.read', { n: formatNumber(acks.read_count) })}
      </button>
      <button type="button" role="tab" aria-selected=${tab === 'unread' ? 'true' : 'false'} onClick=${() => setTab('unread')}>
        ${t('feed.acks.unread', { n: formatNumber(acks.unread_count) })}
      </button>
    </div>
    <${PeopleList} people=${list} empty=${t(tab === 'read' ? 'feed.acks.none_read' : 'feed.acks.none_unread')}
      aside=${tab === 'read' ? (p) => html`<${TimeAgo} value=${p.acked_at} class="people-time" />` : null} />
  <//>`;
}

function VersionsDialog({ post, onClose }) {
  const [state, setState] = useState({ items: null, error: null });
  useEffect(() => {
    api.get(`/feed/posts/${post.id}/versions`).then(
      (a) => setState({ items: a?.items || [], error: null }),
      (error) => setState({ items: null, error }),
    );
  }, []);
  return html`<${Dialog} title=${t('feed.versions.title')} wide onClose=${onClose}>
    <p class="dialog-text">${t('feed.versions.lead')}</p>
    ${state.error && html`<${Alert} kind="error">${errorText(state.error)}<//>`}
    ${!state.items && !state.error && html`<${LoadingRow} />`}
    ${state.items &&
    html`<ol class="versions">
      <li class="version version-current">
        <div class="version-head">
          <span class="badge badge-accent">${t('feed.versions.current')}</span>
          <time datetime=${isoOf(post.edited_at)}>${formatDateTime(post.edited_at || post.created_at)}</time>
        </div>
        <${RichText} html=${post.html} />
      </li>
      ${state.items.map(
        (v) => html`<li class="version" key=${v.id}>
          <div class="version-head">
            <span class="version-who">${t('feed.versions.replaced', { name: v.edited_by?.name || '' })}</span>
            <time datetime=${isoOf(v.edited_at)}>${formatDateTime(v.edited_at)}</time>
          </div>
          <pre class="version-source">${v.body}</pre>
        </li>`,
      )}
    </ol>`}
  <//>`;
}

/* ---------- "important": please confirm you have read this ---------- */

/* The audience's read state of an important post; asked once per card, again after confirming. */
function useAcks(post) {
  const [acks, setAcks] = useState(null);
  useEffect(() => {
    if (!post.important) return undefined;
    let live = true;
    api.get(`/feed/posts/${post.id}/acks`).then((a) => live && setAcks(a), () => {});
    return () => (live = false);
  }, [post.id, post.important]);
  return [acks, setAcks];
}

function ImportantBanner({ post, onChange }) {
  const [acks, setAcks] = useAcks(post);
  const [busy, setBusy] = useState(false);
  const [open, setOpen] = useState(false);
  const read = acks ? acks.read_count : post.ack_count;
  const total = acks ? acks.read_count + acks.unread_count : null;

  async function confirm() {
    setBusy(true);
    try {
      const answer = await api.post(`/feed/posts/${post.id}/ack`, {});
      setAcks(answer);
      onChange({ ...post, acked: true, ack_count: answer.read_count });
      toast(t('feed.ack.done'));
    } catch (err) {
      toast(errorText(err), 'error');
    } finally {
      setBusy(false);
    }
  }

  return html`<div class=${'important' + (post.acked ? ' is-acked' : '')}>
    <span class="important-icon"><${FIcon} name=${post.acked ? 'check' : 'megaphone'} /></span>
    <div class="important-text">
      <p class="important-title">${post.acked ? t('feed.ack.acked') : t('feed.ack.ask')}</p>
      <button type="button" class="feed-link important-count" disabled=${!acks} onClick=${() => setOpen(true)}
        aria-label=${t('feed.ack.who')}>
        ${total === null ? tn('feed.ack.count_only', read) : t('feed.ack.count', { n: formatNumber(read), m: formatNumber(total) })}
      </button>
    </div>
    ${!post.acked &&
    html`<${Button} size="sm" busy=${busy} onClick=${confirm}><${FIcon} name="check" class="icon icon-sm" />${t('feed.ack.confirm')}<//>`}
    ${open && acks && html`<${AcksDialog} acks=${acks} onClose=${() => setOpen(false)} />`}
  </div>`;
}

/* ---------- files ---------- */

function PostFiles({ files }) {
  const [viewing, setViewing] = useState(null);
  const images = files.filter(isImage);
  const others = files.filter((f) => !isImage(f));
  return html`<div class="post-files">
    ${images.length > 0 &&
    html`<div class=${`post-gallery post-gallery-${Math.min(images.length, 4)}`}>
      ${images.slice(0, 4).map(
        (f, i) => html`<button type="button" class="post-image" key=${f.id} onClick=${() => setViewing(f)}
          aria-label=${t('feed.file.open_image', { name: f.name })}>
          <img src=${fileUrl(f.id)} alt=${f.name} loading="lazy" decoding="async" />
          ${i === 3 && images.length > 4 && html`<span class="post-image-more">+${images.length - 4}</span>`}
        </button>`,
      )}
    </div>`}
    ${others.length > 0 &&
    html`<ul class="file-list">
      ${others.map(
        (f) => html`<li key=${f.id}>
          <a class="file-chip" href=${fileUrl(f.id)} download=${f.name} title=${t('feed.file.download_named', { name: f.name })}>
            <span class="file-badge">${fileKind(f.name)}</span>
            <span class="file-chip-text">
              <span class="file-chip-name">${f.name}</span>
              <span class="file-chip-meta">${formatSize(f.size)}</span>
            </span>
            <${FIcon} name="download" class="icon icon-sm file-chip-icon" />
          </a>
        </li>`,
      )}
    </ul>`}
    ${viewing && html`<${ImageViewer} file=${viewing} onClose=${() => setViewing(null)} />`}
  </div>`;
}

/* ---------- likes ---------- */

/* Optimistic like toggle; the server's count wins when it answers. */
async function toggleLike(path, item, apply) {
  const on = !item.liked;
  apply({ liked: on, like_count: Math.max(0, item.like_count + (on ? 1 : -1)) });
  try {
    const answer = on ? await api.put(path, {}) : await api.delete(path);
    apply({ liked: answer.liked, like_count: answer.like_count });
  } catch (err) {
    apply({ liked: item.liked, like_count: item.like_count });
    toast(errorText(err), 'error');
  }
}

/* ---------- comments ---------- */

function Comment({ comment, replies, user, onLike, onReply, isReply }) {
  const mine = comment.author?.id === user.id;
  return html`<li class=${'comment' + (isReply ? ' comment-reply' : '')} id=${`comment-${comment.id}`}>
    <${PersonAvatar} person=${comment.author} size="sm" />
    <div class="comment-main">
      <div class="comment-bubble">
        <div class="comment-author">${comment.author?.name}${mine && html` <span class="comment-you">${t('feed.you')}</span>`}</div>
        ${comment.deleted
          ? html`<p class="comment-deleted">${t('feed.comment.deleted')}</p>`
          : html`<${RichText} html=${comment.html} class="feed-rich feed-rich-comment" />`}
      </div>
      <div class="comment-actions">
        <${TimeAgo} value=${comment.created_at} class="comment-time" />
        ${!comment.deleted &&
        html`<button type="button" class=${'comment-action' + (comment.liked ? ' is-on' : '')} aria-pressed=${comment.liked ? 'true' : 'false'}
            onClick=${() => onLike(comment)}>${t('feed.like')}</button>
          <button type="button" class="comment-action" onClick=${() => onReply(comment)}>${t('feed.comment.reply')}</button>`}
        ${comment.like_count > 0 &&
        html`<span class="comment-likes" aria-label=${tn('feed.likes.count', comment.like_count)}>
          <${FIcon} name="heart" class="icon icon-xs" />${formatNumber(comment.like_count)}
        </span>`}
      </div>
      ${replies?.length > 0 &&
      html`<ul class="comment-replies">
        ${replies.map((r) => html`<${Comment} key=${r.id} comment=${r} user=${user} onLike=${onLike} onReply=${onReply} isReply />`)}
      </ul>`}
    </div>
  </li>`;
}

function Comments({ post, user, comments, setComments, onPost, focusNew }) {
  const [replyTo, setReplyTo] = useState(null); // { parent, mention }
  const tops = comments.filter((c) => !c.parent_id);
  const repliesOf = (id) => comments.filter((c) => c.parent_id === id);
  const known = new Set(tops.map((c) => c.id));
  const orphans = comments.filter((c) => c.parent_id && !known.has(c.parent_id));

  async function send(text, parent) {
    const body = { body: text };
    if (parent) body.parent_id = parent;
    const answer = await api.post(`/feed/posts/${post.id}/comments`, body);
    setComments(answer.comments || []);
    onPost(answer);
    if (parent) setReplyTo(null);
  }

  function like(comment) {
    toggleLike(`/feed/comments/${comment.id}/like`, comment, (change) =>
      setComments((list) => list.map((c) => (c.id === comment.id ? { ...c, ...change } : c))),
    );
  }

  function reply(comment) {
    const parent = comment.parent_id || comment.id;
    const handle = comment.author?.handle;
    setReplyTo({ parent, mention: handle && comment.author.id !== user.id ? `@${handle} ` : '', key: Date.now() });
  }

  return html`<div class="comments">
    ${comments.length > 0 &&
    html`<ul class="comment-list">
      ${[...tops, ...orphans].map(
        (c) => html`<${Comment} key=${c.id} comment=${c} replies=${repliesOf(c.id)} user=${user} onLike=${like} onReply=${reply} />
          ${replyTo?.parent === c.id &&
          html`<li class="comment-reply-box" key=${'reply-' + c.id}>
            <${CommentComposer} key=${replyTo.key} user=${user} initial=${replyTo.mention} autoFocus
              placeholder=${t('feed.comment.reply_placeholder', { name: c.author?.name || '' })}
              onSubmit=${(text) => send(text, c.id)} onCancel=${() => setReplyTo(null)} />
          </li>`}`,
      )}
    </ul>`}
    <${CommentComposer} user=${user} placeholder=${t('feed.comment.placeholder')} autoFocus=${focusNew}
      onSubmit=${(text) => send(text, null)} />
  </div>`;
}

/* ---------- editing ---------- */

function EditPost({ post, onSaved, onCancel }) {
  const [text, setText] = useState(post.body);
  const [important, setImportant] = useState(post.important);
  const [version, setVersion] = useState(post.version);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState(null);

  async function save() {
    if (!text.trim()) return setProblem({ kind: 'error', text: t('feed.composer.empty') });
    setBusy(true);
    setProblem(null);
    try {
      const answer = await api.patch(`/feed/posts/${post.id}`, { body: text, important, version });
      toast(t('feed.edit.saved'));
      onSaved(answer);
    } catch (err) {
      if (err.status === 409) {
        // Keep the user's text; the next save goes against the version now on the server.
        const current = await api.get(`/feed/posts/${post.id}`).catch(() => null);
        if (current) {
          setVersion(current.version);
          onSaved(current, { keepEditing: true });
        }
        setProblem({ kind: 'warning', text: t('feed.edit.conflict') });
      } else {
        setProblem({ kind: 'error', text: errorText(err) });
      }
    } finally {
      setBusy(false);
    }
  }

  return html`<div class="post-edit">
    ${problem && html`<${Alert} kind=${problem.kind}>${problem.text}<//>`}
    <${MarkdownEditor} value=${text} onValue=${setText} label=${t('feed.edit.label')} onSubmit=${save} autoFocus />
    <div class="post-edit-bar">
      <label class="feed-chip feed-chip-toggle">
        <input type="checkbox" checked=${important} onChange=${(e) => setImportant(e.currentTarget.checked)} />
        <${FIcon} name="megaphone" class="icon icon-sm" /><span>${t('feed.composer.important')}</span>
      </label>
      <div class="post-edit-actions">
        <${Button} kind="ghost" size="sm" onClick=${onCancel} disabled=${busy}>${t('action.cancel')}<//>
        <${Button} size="sm" busy=${busy} onClick=${save}>${t('action.save')}<//>
      </div>
    </div>
  </div>`;
}

/* ---------- the card ---------- */

/*
 * post: as GET /feed/posts answers (with comments when standalone).
 * onChange(post, {pinChanged}) replaces it in the list; onRemove(id) drops it;
 * onGroup(group) filters the feed by the group badge.
 */
export function PostCard({ post, user, onChange, onRemove, onGroup, standalone }) {
  const [editing, setEditing] = useState(false);
  const [dialog, setDialog] = useState(null); // 'likes' | 'versions' | 'delete'
  const [comments, setComments] = useState(post.comments || null);
  const [showComments, setShowComments] = useState(!!standalone);
  const [focusComment, setFocusComment] = useState(false);
  const [commentsError, setCommentsError] = useState(null);

  const mine = post.author?.id === user.id;
  const canDelete = mine || isAdminUser(user);
  const canPin = isManager(user);

  useEffect(() => {
    if (post.comments) setComments(post.comments);
  }, [post.comments]);

  useEffect(() => {
    if (!showComments || comments) return;
    let live = true;
    setCommentsError(null);
    api.get(`/feed/posts/${post.id}`).then(
      (full) => live && setComments(full.comments || []),
      (err) => live && setCommentsError(err),
    );
    return () => (live = false);
  }, [showComments, comments]);

  const update = (change) => onChange({ ...post, ...change });

  async function setPinned(pinned) {
    try {
      const answer = await api.patch(`/feed/posts/${post.id}`, { pinned, version: post.version });
      onChange(answer, { pinChanged: true });
      toast(t(pinned ? 'feed.pin.done' : 'feed.unpin.done'));
    } catch (err) {
      if (err.status === 409) toast(t('feed.edit.stale'), 'error');
      else toast(errorText(err), 'error');
    }
  }

  async function remove() {
    await api.delete(`/feed/posts/${post.id}`);
    toast(t('feed.delete.done'));
    onRemove(post.id);
  }

  async function copyLink() {
    try {
      await navigator.clipboard.writeText(new URL(postPath(post.id), location.href).href);
      toast(t('feed.link.copied'));
    } catch {
      toast(t('feed.link.failed'), 'error');
    }
  }

  const actions = [
    mine && !editing && { key: 'edit', label: t('feed.menu.edit'), icon: 'edit', onSelect: () => setEditing(true) },
    canPin && { key: 'pin', label: t(post.pinned ? 'feed.menu.unpin' : 'feed.menu.pin'), icon: 'pin', onSelect: () => setPinned(!post.pinned) },
    { key: 'link', label: t('feed.menu.copy_link'), icon: 'copy', onSelect: copyLink },
    post.edited && { key: 'history', label: t('feed.menu.versions'), icon: 'history', onSelect: () => setDialog('versions') },
    canDelete && { key: 'delete', label: t('feed.menu.delete'), icon: 'trash', danger: true, onSelect: () => setDialog('delete') },
  ].filter(Boolean);

  function openComments(focus) {
    setShowComments(focus ? true : !showComments);
    setFocusComment(focus);
  }

  const commentCount = comments ? comments.filter((c) => !c.deleted).length : post.comment_count;
  return html`<article class=${'post' + (post.pinned ? ' is-pinned' : '') + (post.important ? ' is-important' : '')}
    aria-labelledby=${`post-${post.id}-author`} data-post-id=${post.id}>
    ${post.pinned && html`<div class="post-pinned"><${FIcon} name="pin" class="icon icon-xs" />${t('feed.pinned')}</div>`}
    <header class="post-head">
      <${PersonAvatar} person=${post.author} size="lg" />
      <div class="post-who">
        <div class="post-author-line">
          <span class="post-author" id=${`post-${post.id}-author`}>${post.author?.name}</span>
          ${post.group &&
          html`<span class="post-to" aria-hidden="true">▸</span>
            <button type="button" class="group-badge" onClick=${() => onGroup?.(post.group)}
              title=${t('feed.group.show', { name: post.group.name })}>
              <${FIcon} name="users" class="icon icon-xs" />${post.group.name}
            </button>`}
        </div>
        <div class="post-meta">
          <a class="post-time" href=${postPath(post.id)}><${TimeAgo} value=${post.created_at} /></a>
          ${post.edited &&
          html`<span aria-hidden="true">·</span>
            <button type="button" class="feed-link post-edited" onClick=${() => setDialog('versions')}
              title=${t('feed.edited.title', { when: formatDateTime(post.edited_at) })}>${t('feed.edited')}</button>`}
          ${!post.group && html`<span aria-hidden="true">·</span><span class="post-audience" title=${t('feed.audience.company')}><${FIcon} name="globe" class="icon icon-xs" /></span>`}
        </div>
      </div>
      <${ActionMenu} label=${t('feed.menu.label')} actions=${actions} />
    </header>

    ${post.important && html`<${ImportantBanner} post=${post} onChange=${onChange} />`}

    <div class="post-body">
      ${editing
        ? html`<${EditPost} post=${post} onCancel=${() => setEditing(false)}
            onSaved=${(answer, opts) => {
              onChange(answer);
              if (!opts?.keepEditing) setEditing(false);
            }} />`
        : html`<${RichText} html=${post.html} />`}
      ${post.files?.length > 0 && html`<${PostFiles} files=${post.files} />`}
    </div>

    <div class="post-stats">
      ${post.like_count > 0 &&
      html`<button type="button" class="feed-link post-likes" onClick=${() => setDialog('likes')} title=${t('feed.likes.who')}>
        <span class="like-dot"><${FIcon} name="heart" class="icon icon-xs" /></span>${tn('feed.likes.count', post.like_count)}
      </button>`}
      ${commentCount > 0 &&
      html`<button type="button" class="feed-link post-comment-count" onClick=${() => openComments(false)}
        aria-expanded=${showComments ? 'true' : 'false'}>${tn('feed.comments.count', commentCount)}</button>`}
    </div>

    <div class="post-actions">
      <button type="button" class=${'post-action' + (post.liked ? ' is-liked' : '')} aria-pressed=${post.liked ? 'true' : 'false'}
        onClick=${() => toggleLike(`/feed/posts/${post.id}/like`, post, update)}>
        <${FIcon} name="heart" /><span>${t('feed.like')}</span>
      </button>
      <button type="button" class="post-action" onClick=${() => openComments(true)}>
        <${FIcon} name="comment" /><span>${t('feed.comment')}</span>
      </button>
    </div>

    ${showComments &&
    html`<div class="post-comments">
      ${commentsError && html`<${Alert} kind="error">${errorText(commentsError)}<//>`}
      ${!comments && !commentsError && html`<${LoadingRow} />`}
      ${comments &&
      html`<${Comments} key=${post.id} post=${post} user=${user} comments=${comments} focusNew=${focusComment}
        setComments=${setComments}
        onPost=${(answer) => onChange({ ...answer, comment_count: Math.max(answer.comment_count, (answer.comments || []).length) })} />`}
    </div>`}

    ${dialog === 'likes' && html`<${LikesDialog} post=${post} onClose=${() => setDialog(null)} />`}
    ${dialog === 'versions' && html`<${VersionsDialog} post=${post} onClose=${() => setDialog(null)} />`}
    ${dialog === 'delete' &&
    html`<${ConfirmDialog} title=${t('feed.delete.title')} danger confirmLabel=${t('feed.delete.confirm')}
      body=${t(mine ? 'feed.delete.body' : 'feed.delete.body_admin')} onConfirm=${remove} onClose=${() => setDialog(null)} />`}
  </article>`;
}
