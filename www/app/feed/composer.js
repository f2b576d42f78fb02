// Writing in the feed: the Markdown editor with @mention suggestions and a preview, uploads, the post and comment composers.
import { html, useEffect, useRef, useState } from '/shared/preact.js';
import { api } from '/shared/api.js';
import { uploadWithProgress } from '/shared/upload.js';
import { getSession } from '/shared/session.js';
import { errorText, t } from '/shared/i18n.js';
import { Alert, Button, toast, useId } from '/shared/forms.js';
import { FIcon, PersonAvatar, RichText, fileKind, formatSize, isImage, isAdminUser } from '/app/feed/common.js';

/* ---------- caret position (for the suggestion popup) ---------- */

const MIRRORED = [
  'boxSizing', 'width', 'borderTopWidth', 'borderRightWidth', 'borderBottomWidth', 'borderLeftWidth', 'borderStyle',
  'paddingTop', 'paddingRight', 'paddingBottom', 'paddingLeft', 'fontStyle', 'fontVariant', 'fontWeight',
  'fontStretch', 'fontSize', 'lineHeight', 'fontFamily', 'textAlign', 'textTransform', 'textIndent',
  'letterSpacing', 'wordSpacing', 'tabSize',
];

/* Where character pos of a textarea is drawn, relative to the textarea's box: { top, left, height }. */
function caretPosition(el, pos) {
  const cs = getComputedStyle(el);
  const div = document.createElement('div');
  for (const p of MIRRORED) div.style[p] = cs[p];
  Object.assign(div.style, {
    position: 'absolute', visibility: 'hidden', top: '0', left: '-9999px', height: 'auto',
    whiteSpace: 'pre-wrap', overflowWrap: 'break-word', overflow: 'hidden',
  });
  div.textContent = el.value.slice(0, pos);
  const span = document.createElement('span');
  span.textContent = el.value.slice(pos) || '.';
  div.append(span);
  document.body.append(div);
  const line = parseFloat(cs.lineHeight) || parseFloat(cs.fontSize) * 1.5;
  const r = { top: span.offsetTop - el.scrollTop, left: span.offsetLeft, height: line };
  div.remove();
  return r;
}

/*
 * Replaces a textarea's text and selection at once, then tells the owner (whose re-render finds
 * the same value and leaves the caret alone), so typing that continues lands in the right place.
 */
function setText(el, text, start, onValue, end = start) {
  el.value = text;
  el.focus();
  el.setSelectionRange(start, end);
  onValue(text);
}

/* ---------- a textarea that suggests people and groups after "@" ---------- */

const MENTION_QUERY = /(^|[\s(\[{"'«„])@([\p{L}\p{N}._-]{0,40})$/u;

/*
 * A textarea; typing "@" and the start of a name or handle lists matching colleagues and groups
 * (GET /people?q=) below the caret. Arrows move, Enter or Tab inserts "@handle ", Escape closes.
 * onKeyDown gets the keys the list does not use.
 */
export function MentionTextarea({ value, onValue, textareaRef, onKeyDown, class: cls = 'input textarea', ...rest }) {
  const ownRef = useRef(null);
  const ref = textareaRef || ownRef;
  const [query, setQuery] = useState(null); // { start, text, top, left }
  const [found, setFound] = useState(null); // null while asking
  const [index, setIndex] = useState(0);
  const listId = useId('mentions');

  const close = () => {
    setQuery(null);
    setFound(null);
  };

  function detect() {
    const el = ref.current;
    if (!el || el.selectionStart !== el.selectionEnd) return close();
    const m = MENTION_QUERY.exec(el.value.slice(0, el.selectionStart));
    if (!m) return close();
    const start = el.selectionStart - m[2].length - 1;
    const pos = caretPosition(el, start);
    const left = Math.max(0, Math.min(pos.left, el.clientWidth - 280));
    setQuery({ start, text: m[2], top: el.offsetTop + pos.top + pos.height + 6, left: el.offsetLeft + left });
  }

  useEffect(() => {
    if (!query) return undefined;
    const ctrl = new AbortController();
    const timer = setTimeout(async () => {
      try {
        const answer = await api.get('/people', { query: { q: query.text }, signal: ctrl.signal });
        const me = getSession().user?.id;
        const users = (answer?.users || []).filter((u) => u.id !== me).map((u) => ({ ...u, kind: 'user' }));
        const groups = (answer?.groups || []).map((g) => ({ ...g, kind: 'group' }));
        setFound([...users, ...groups].filter((x) => x.handle));
        setIndex(0);
      } catch (err) {
        if (err?.name !== 'AbortError') setFound([]);
      }
    }, 120);
    return () => {
      clearTimeout(timer);
      ctrl.abort();
    };
  }, [query?.start, query?.text]);

  function pick(item) {
    const el = ref.current;
    if (!el || !query) return;
    const end = el.selectionStart;
    const insert = `@${item.handle} `;
    const next = value.slice(0, query.start) + insert + value.slice(end);
    setText(el, next, query.start + insert.length, onValue);
    close();
  }

  const open = query && found && found.length > 0;
  function keyDown(e) {
    if (open) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const n = found.length;
        setIndex((i) => (e.key === 'ArrowDown' ? (i + 1) % n : (i - 1 + n) % n));
        return;
      }
      if ((e.key === 'Enter' && !e.shiftKey && !e.ctrlKey && !e.metaKey) || e.key === 'Tab') {
        e.preventDefault();
        pick(found[Math.min(index, found.length - 1)]);
        return;
      }
    }
    if (query && e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      close();
      return;
    }
    onKeyDown?.(e);
  }

  const optionId = (i) => `${listId}-${i}`;
  return html`<div class="mention-wrap">
    <textarea ref=${ref} class=${cls} value=${value} role="combobox" aria-autocomplete="list"
      aria-expanded=${open ? 'true' : 'false'} aria-controls=${open ? listId : undefined}
      aria-activedescendant=${open ? optionId(index) : undefined}
      onInput=${(e) => {
        onValue(e.currentTarget.value);
        detect();
      }}
      onKeyDown=${keyDown} onKeyUp=${(e) => ['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(e.key) && detect()}
      onClick=${detect} onBlur=${() => setTimeout(close, 150)} ...${rest}></textarea>
    ${query && found && html`<div class="mention-popup" style=${{ top: `${query.top}px`, left: `${query.left}px` }}>
      ${found.length === 0
        ? html`<div class="mention-none">${t('feed.mention.none')}</div>`
        : html`<ul class="mention-list" role="listbox" id=${listId} aria-label=${t('feed.mention.label')}>
            ${found.map(
              (item, i) => html`<li role="option" id=${optionId(i)} key=${item.kind + item.id}
                class="mention-option" aria-selected=${i === index ? 'true' : 'false'}
                onMouseDown=${(e) => e.preventDefault()} onMouseEnter=${() => setIndex(i)} onClick=${() => pick(item)}>
                ${item.kind === 'user'
                  ? html`<${PersonAvatar} person=${item} />`
                  : html`<span class="mention-group-icon" aria-hidden="true"><${FIcon} name="users" class="icon icon-sm" /></span>`}
                <span class="mention-text">
                  <span class="mention-name">${item.name}</span>
                  <span class="mention-handle">@${item.handle}${item.kind === 'group' ? ` · ${t('feed.mention.group')}` : ''}</span>
                </span>
              </li>`,
            )}
          </ul>`}
    </div>`}
  </div>`;
}

/* ---------- the Markdown editor: formatting buttons, Write / Preview ---------- */

/* Wraps the selection in before/after (or inserts them around a placeholder) and reselects the inside. */
function wrapSelection(el, value, onValue, before, after = before, placeholder = '') {
  const start = el.selectionStart;
  const end = el.selectionEnd;
  const inside = value.slice(start, end) || placeholder;
  const text = value.slice(0, start) + before + inside + after + value.slice(end);
  setText(el, text, start + before.length, onValue, start + before.length + inside.length);
}

/* Puts prefix at the start of every selected line (lists, quotes). */
function prefixLines(el, value, onValue, prefix) {
  const start = value.lastIndexOf('\n', el.selectionStart - 1) + 1;
  const end = el.selectionEnd;
  const block = value.slice(start, end) || '';
  const changed = block.split('\n').map((line) => prefix + line).join('\n');
  setText(el, value.slice(0, start) + changed + value.slice(end), start + changed.length, onValue);
}

function insertAt(el, value, onValue, text) {
  const start = el.selectionStart;
  setText(el, value.slice(0, start) + text + value.slice(el.selectionEnd), start + text.length, onValue);
}

/*
 * Markdown with Write and Preview tabs; the preview is rendered by the server
 * (POST /markdown/preview), exactly as the post will look. Ctrl+Enter calls onSubmit.
 */
export function MarkdownEditor({ value, onValue, placeholder, label, textareaRef, onSubmit, autoFocus, compact }) {
  const ownRef = useRef(null);
  const ref = textareaRef || ownRef;
  const [tab, setTab] = useState('write');
  const [preview, setPreview] = useState({ text: null, html: '', error: null, loading: false });
  const ids = { write: useId('tab'), preview: useId('tab'), panel: useId('panel') };

  useEffect(() => {
    if (autoFocus) ref.current?.focus();
  }, []);

  useEffect(() => {
    if (tab !== 'preview' || preview.text === value || !value.trim()) return undefined;
    let live = true;
    setPreview((p) => ({ ...p, loading: true, error: null }));
    api
      .post('/markdown/preview', { text: value })
      .then((answer) => live && setPreview({ text: value, html: answer?.html || '', error: null, loading: false }))
      .catch((err) => live && setPreview({ text: null, html: '', error: err, loading: false }));
    return () => (live = false);
  }, [tab, value]);

  function keyDown(e) {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      onSubmit?.();
    } else if ((e.ctrlKey || e.metaKey) && (e.key === 'b' || e.key === 'i')) {
      e.preventDefault();
      wrapSelection(ref.current, value, onValue, e.key === 'b' ? '**' : '_');
    }
  }

  const tools = [
    { key: 'bold', icon: 'bold', label: t('feed.format.bold'), run: (el) => wrapSelection(el, value, onValue, '**', '**', t('feed.format.bold_sample')) },
    { key: 'italic', icon: 'italic', label: t('feed.format.italic'), run: (el) => wrapSelection(el, value, onValue, '_', '_', t('feed.format.italic_sample')) },
    { key: 'link', icon: 'link', label: t('feed.format.link'), run: (el) => wrapSelection(el, value, onValue, '[', '](https://)', t('feed.format.link_sample')) },
    { key: 'list', icon: 'list', label: t('feed.format.list'), run: (el) => prefixLines(el, value, onValue, '- ') },
    { key: 'quote', icon: 'quote', label: t('feed.format.quote'), run: (el) => prefixLines(el, value, onValue, '> ') },
    { key: 'code', icon: 'code', label: t('feed.format.code'), run: (el) => wrapSelection(el, value, onValue, '`') },
    { key: 'mention', icon: 'at', label: t('feed.format.mention'), run: (el) => {
      const before = value.slice(0, el.selectionStart);
      insertAt(el, value, onValue, before && !/\s$/.test(before) ? ' @' : '@');
      el.dispatchEvent(new Event('click'));
    } },
  ];

  const tabButton = (name, text) => html`<button type="button" role="tab" id=${ids[name]} class="md-tab"
    aria-selected=${tab === name ? 'true' : 'false'} aria-controls=${ids.panel} tabindex=${tab === name ? 0 : -1}
    onClick=${() => setTab(name)}
    onKeyDown=${(e) => {
      if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
        const other = name === 'write' ? 'preview' : 'write';
        setTab(other);
        document.getElementById(ids[other])?.focus();
      }
    }}>${text}</button>`;

  return html`<div class=${'md-editor' + (compact ? ' md-editor-compact' : '')}>
    <div class="md-head">
      <div class="md-tabs" role="tablist" aria-label=${label}>
        ${tabButton('write', t('feed.editor.write'))}
        ${tabButton('preview', t('feed.editor.preview'))}
      </div>
      ${tab === 'write' &&
      html`<div class="md-tools" role="toolbar" aria-label=${t('feed.format.label')}>
        ${tools.map(
          (tool) => html`<button type="button" class="md-tool" key=${tool.key} title=${tool.label} aria-label=${tool.label}
            onMouseDown=${(e) => e.preventDefault()} onClick=${() => tool.run(ref.current)}>
            <${FIcon} name=${tool.icon} class="icon icon-sm" />
          </button>`,
        )}
      </div>`}
    </div>
    <div id=${ids.panel} role="tabpanel" aria-labelledby=${ids[tab]} class="md-panel">
      ${tab === 'write'
        ? html`<${MentionTextarea} textareaRef=${ref} value=${value} onValue=${onValue} placeholder=${placeholder}
            aria-label=${label} class="md-textarea" onKeyDown=${keyDown} />`
        : html`<div class="md-preview" aria-live="polite" aria-busy=${preview.loading ? 'true' : 'false'}>
            ${!value.trim() && html`<p class="md-preview-empty">${t('feed.editor.nothing')}</p>`}
            ${value.trim() && preview.loading && preview.text === null && html`<div class="loading-row"><span class="spinner" aria-hidden="true"></span>${t('state.loading')}</div>`}
            ${value.trim() && preview.error && html`<${Alert} kind="error">${errorText(preview.error)}<//>`}
            ${value.trim() && preview.text !== null && html`<${RichText} html=${preview.html} />`}
          </div>`}
    </div>
  </div>`;
}

/* ---------- uploads ---------- */

/*
 * POST /files?name= with the raw bytes, through XMLHttpRequest for upload progress.
 * Returns { promise (→ {id, name, size}), abort }.
 */
export function uploadFile(file, onProgress) {
  return uploadWithProgress(`/api/v1/files?name=${encodeURIComponent(file.name || 'file')}`, file, onProgress);
}

let nextKey = 0;

/* Files being attached: each uploads at once; the list holds progress, the server id or the error. */
function useAttachments() {
  const [list, setList] = useState([]);
  const live = useRef(new Map()); // key -> { abort, url }

  const patch = (key, change) => setList((all) => all.map((a) => (a.key === key ? { ...a, ...change } : a)));

  function add(files) {
    for (const file of files) {
      const key = ++nextKey;
      const image = isImage(file);
      const url = image ? URL.createObjectURL(file) : null;
      const upload = uploadFile(file, (progress) => patch(key, { progress }));
      live.current.set(key, { abort: upload.abort, url });
      setList((all) => [...all, { key, name: file.name || 'file', size: file.size, image, url, progress: 0, status: 'uploading' }]);
      upload.promise.then(
        (answer) => patch(key, { status: 'done', progress: 1, id: answer.id }),
        (err) => err?.name !== 'AbortError' && patch(key, { status: 'error', error: err }),
      );
    }
  }
  function remove(key) {
    const entry = live.current.get(key);
    entry?.abort();
    if (entry?.url) URL.revokeObjectURL(entry.url);
    live.current.delete(key);
    setList((all) => all.filter((a) => a.key !== key));
  }
  function reset() {
    for (const key of [...live.current.keys()]) remove(key);
  }
  useEffect(() => () => reset(), []);
  return {
    list,
    add,
    remove,
    reset,
    uploading: list.some((a) => a.status === 'uploading'),
    failed: list.some((a) => a.status === 'error'),
    ids: list.filter((a) => a.status === 'done').map((a) => a.id),
  };
}

function Attachments({ attachments }) {
  const images = attachments.list.filter((a) => a.image);
  const others = attachments.list.filter((a) => !a.image);
  const progress = (a) => html`<span class="upload-bar" role="progressbar" aria-valuemin="0" aria-valuemax="100"
    aria-valuenow=${Math.round(a.progress * 100)} aria-label=${t('feed.upload.progress', { name: a.name })}>
    <span class="upload-bar-fill" style=${{ width: `${Math.round(a.progress * 100)}%` }}></span>
  </span>`;
  const removeButton = (a) => html`<button type="button" class="attach-remove" aria-label=${t('feed.upload.remove', { name: a.name })}
    title=${t('feed.upload.remove', { name: a.name })} onClick=${() => attachments.remove(a.key)}>
    <${FIcon} name="close" class="icon icon-sm" />
  </button>`;
  return html`<div class="attach-area">
    ${images.length > 0 &&
    html`<ul class="attach-thumbs">
      ${images.map(
        (a) => html`<li class=${'attach-thumb' + (a.status === 'error' ? ' is-error' : '')} key=${a.key}>
          <img src=${a.url} alt=${a.name} />
          ${a.status === 'uploading' && html`<span class="attach-thumb-progress">${progress(a)}</span>`}
          ${a.status === 'error' && html`<span class="attach-thumb-error" title=${errorText(a.error)}><${FIcon} name="alert" /></span>`}
          ${removeButton(a)}
        </li>`,
      )}
    </ul>`}
    ${others.length > 0 &&
    html`<ul class="attach-chips">
      ${others.map(
        (a) => html`<li class=${'attach-chip' + (a.status === 'error' ? ' is-error' : '')} key=${a.key}>
          <span class="file-badge">${fileKind(a.name)}</span>
          <span class="attach-chip-text">
            <span class="attach-chip-name">${a.name}</span>
            <span class="attach-chip-meta">${a.status === 'error' ? errorText(a.error) : a.status === 'uploading' ? t('feed.upload.uploading', { percent: Math.round(a.progress * 100) }) : formatSize(a.size)}</span>
            ${a.status === 'uploading' && progress(a)}
          </span>
          ${removeButton(a)}
        </li>`,
      )}
    </ul>`}
  </div>`;
}

/* ---------- the post composer ---------- */

const DRAFT_KEY = 'portal.feed.draft';
function readDraft() {
  try {
    return localStorage.getItem(DRAFT_KEY) || '';
  } catch {
    return '';
  }
}
function writeDraft(text) {
  try {
    if (text) localStorage.setItem(DRAFT_KEY, text);
    else localStorage.removeItem(DRAFT_KEY);
  } catch {
    /* not kept */
  }
}

/* Groups the user may post to: their own, or all of them for an administrator (the server's rule). */
export function postableGroups(groups, user) {
  return groups.filter((g) => g.member || isAdminUser(user));
}

/*
 * "What's new?" at the top of the feed: Markdown with preview and mentions, the audience
 * (the whole company or one of my groups), "important" (asks readers to confirm), files.
 * onPosted(post) gets the created post.
 */
export function Composer({ user, groups, defaultGroup, onPosted }) {
  const [text, setText] = useState(readDraft);
  const [expanded, setExpanded] = useState(() => !!readDraft());
  const [group, setGroup] = useState(defaultGroup ? String(defaultGroup) : '');
  const [important, setImportant] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [dragging, setDragging] = useState(false);
  const attachments = useAttachments();
  const fileRef = useRef(null);
  const areaRef = useRef(null);
  const ids = { audience: useId('audience'), important: useId('important') };
  const targets = postableGroups(groups, user);

  useEffect(() => writeDraft(text), [text]);
  useEffect(() => {
    if (defaultGroup && targets.some((g) => String(g.id) === String(defaultGroup))) setGroup(String(defaultGroup));
  }, [defaultGroup, targets.length]);

  const empty = !text.trim();
  const canPublish = !empty && !busy && !attachments.uploading;

  function expand() {
    setExpanded(true);
    requestAnimationFrame(() => areaRef.current?.focus());
  }

  function cancel() {
    setText('');
    setImportant(false);
    setError(null);
    attachments.reset();
    setExpanded(false);
  }

  async function publish() {
    if (!canPublish) {
      if (empty) {
        setError(t('feed.composer.empty'));
        areaRef.current?.focus();
      }
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const body = { body: text, important };
      if (group) body.group_id = Number(group);
      if (attachments.ids.length) body.files = attachments.ids;
      const post = await api.post('/feed/posts', body);
      setText('');
      setImportant(false);
      attachments.reset();
      setExpanded(false);
      toast(t('feed.composer.posted'));
      onPosted?.(post);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  function takeFiles(files) {
    if (!files?.length) return;
    setExpanded(true);
    attachments.add([...files]);
  }

  const drop = {
    onDragOver: (e) => {
      if (![...(e.dataTransfer?.types || [])].includes('Files')) return;
      e.preventDefault();
      setDragging(true);
    },
    onDragLeave: (e) => {
      if (!e.currentTarget.contains(e.relatedTarget)) setDragging(false);
    },
    onDrop: (e) => {
      if (!e.dataTransfer?.files?.length) return;
      e.preventDefault();
      setDragging(false);
      takeFiles(e.dataTransfer.files);
    },
    onPaste: (e) => {
      const files = [...(e.clipboardData?.files || [])];
      if (files.length) {
        e.preventDefault();
        takeFiles(files);
      }
    },
  };

  const firstName = String(user?.name || '').split(/\s+/)[0];
  return html`<section class=${'composer' + (expanded ? ' is-expanded' : '') + (dragging ? ' is-dragging' : '')}
    aria-label=${t('feed.composer.label')} ...${drop}>
    <div class="composer-main">
      <${PersonAvatar} person=${user} size="lg" />
      ${expanded
        ? html`<div class="composer-editor">
            <${MarkdownEditor} value=${text} onValue=${setText} textareaRef=${areaRef} onSubmit=${publish}
              label=${t('feed.composer.label')} placeholder=${t('feed.composer.placeholder')} />
          </div>`
        : html`<button type="button" class="composer-prompt" onClick=${expand}>
            ${t('feed.composer.prompt', { name: firstName })}
          </button>`}
    </div>
    ${expanded && attachments.list.length > 0 && html`<${Attachments} attachments=${attachments} />`}
    ${expanded && error && html`<div class="composer-error"><${Alert} kind="error">${error}<//></div>`}
    ${expanded &&
    html`<div class="composer-bar">
      <div class="composer-options">
        <input ref=${fileRef} type="file" multiple class="visually-hidden" tabindex="-1" aria-hidden="true"
          onChange=${(e) => {
            takeFiles(e.currentTarget.files);
            e.currentTarget.value = '';
          }} />
        <button type="button" class="feed-chip" onClick=${() => fileRef.current?.click()} title=${t('feed.composer.attach_hint')}>
          <${FIcon} name="clip" class="icon icon-sm" /><span>${t('feed.composer.attach')}</span>
        </button>
        <label class="feed-chip feed-chip-toggle" title=${t('feed.composer.important_hint')}>
          <input type="checkbox" id=${ids.important} checked=${important} onChange=${(e) => setImportant(e.currentTarget.checked)} />
          <${FIcon} name="megaphone" class="icon icon-sm" /><span>${t('feed.composer.important')}</span>
        </label>
        <label class="audience">
          <span class="visually-hidden">${t('feed.composer.audience')}</span>
          <${FIcon} name=${group ? 'users' : 'globe'} class="icon icon-sm audience-icon" />
          <select id=${ids.audience} class="audience-select" value=${group} onChange=${(e) => setGroup(e.currentTarget.value)}>
            <option value="">${t('feed.audience.company')}</option>
            ${targets.map((g) => html`<option value=${String(g.id)}>${g.name}</option>`)}
          </select>
        </label>
      </div>
      <div class="composer-actions">
        <${Button} kind="ghost" size="sm" onClick=${cancel} disabled=${busy}>${t('action.cancel')}<//>
        <${Button} size="sm" busy=${busy} disabled=${!canPublish && !empty} onClick=${publish} title=${t('feed.composer.shortcut')}>
          <${FIcon} name="send" class="icon icon-sm" />${t('feed.composer.publish')}
        <//>
      </div>
    </div>`}
    ${dragging && html`<div class="composer-drop" aria-hidden="true"><${FIcon} name="clip" />${t('feed.composer.drop')}</div>`}
  </section>`;
}

/* ---------- comments ---------- */

/*
 * One line that grows: Enter sends, Shift+Enter starts a new line; @ suggests people.
 * onSubmit(text) returns a promise; the text is kept when it fails.
 */
export function CommentComposer({ user, initial = '', placeholder, autoFocus, onSubmit, onCancel, label }) {
  const [text, setText] = useState(initial);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const ref = useRef(null);

  useEffect(() => {
    if (!autoFocus) return;
    const el = ref.current;
    el?.focus();
    el?.setSelectionRange(text.length, text.length);
  }, []);

  async function send() {
    if (!text.trim() || busy) return;
    setBusy(true);
    setError(null);
    try {
      await onSubmit(text);
      setText('');
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return html`<div class="comment-composer">
    <${PersonAvatar} person=${user} size="sm" />
    <div class="comment-composer-box">
      <div class="comment-input-row">
        <${MentionTextarea} textareaRef=${ref} value=${text} onValue=${setText} class="comment-input" rows="1"
          placeholder=${placeholder} aria-label=${label || placeholder} disabled=${busy}
          onKeyDown=${(e) => {
            if (e.key === 'Enter' && !e.shiftKey) {
              e.preventDefault();
              send();
            } else if (e.key === 'Escape' && onCancel) {
              onCancel();
            }
          }} />
        <button type="button" class="comment-send" aria-label=${t('feed.comment.send')} title=${t('feed.comment.send')}
          disabled=${!text.trim() || busy} onClick=${send}>
          ${busy ? html`<span class="spinner" aria-hidden="true"></span>` : html`<${FIcon} name="send" class="icon icon-sm" />`}
        </button>
      </div>
      ${error && html`<p class="comment-error" role="alert">${error}</p>`}
      ${text.trim() && !error && html`<p class="comment-hint">${t('feed.comment.hint')}</p>`}
    </div>
  </div>`;
}
