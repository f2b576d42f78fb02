// The card dialog: title, Markdown description, assignees, due date, labels, priority, checklist, files, comments and history.
import { html, useEffect, useLayoutEffect, useRef, useState } from '/shared/preact.js';
import { errorText, t } from '/shared/i18n.js';
import { formatDateTime } from '/shared/format.js';
import { Alert, Button, useId } from '/shared/forms.js';
import { Icon } from '/shared/ui.js';
import {
  ImageViewer, PersonAvatar, RichText, TimeAgo, fileKind, fileUrl, formatSize, isImage, useDismiss,
} from '/app/feed/common.js';
import { CommentComposer, MarkdownEditor, uploadFile } from '/app/feed/composer.js';
import {
  PRIORITY_LEVELS, addChecklistItem, addComment, cardActivity, cardIn, createLabel, deleteChecklistItem, getCard,
  updateCard, updateChecklistItem, wire,
} from '/app/boards/api.js';
import { DueBadge, LabelPill, formatDue, isDoneColumn, labelHue, labelStyle } from '/app/boards/common.js';

const TITLE_MAX = 300;

/* ---------- saving with versions ---------- */

function wireValue(key, value) {
  return wire[key] ? wire[key](value || []) : value;
}

const same = (key, a, b) => JSON.stringify(wireValue(key, a ?? null)) === JSON.stringify(wireValue(key, b ?? null));

/*
 * The card as loaded, and save(change) that PATCHes it against the version it was made on.
 * A 409 with nobody else touching the same fields is retried on the new version; a real clash
 * keeps the other person's value and says so. Saves run one after another.
 */
function useCard(board, cardId, onChange) {
  const [state, setState] = useState({ card: null, error: null, loading: true });
  const [notice, setNotice] = useState(null);
  const shown = useRef(null); // what the dialog shows: the server's card plus changes on their way
  const confirmed = useRef(null); // the card as the server last gave it
  const pending = useRef(0);
  const queue = useRef(Promise.resolve());
  const changed = useRef(onChange);
  changed.current = onChange;
  const boardRef = useRef(board);
  boardRef.current = board;

  const show = (card) => {
    shown.current = card;
    setState({ card, error: null, loading: false });
  };

  /* Takes the server's card; the view follows unless more changes are on their way. */
  const accept = (card, { tell = true } = {}) => {
    confirmed.current = card;
    if (pending.current === 0) show(card);
    if (tell) changed.current?.(card);
  };

  async function reload({ tell = false } = {}) {
    try {
      accept(await getCard(boardRef.current, cardId), { tell });
    } catch (error) {
      if (!confirmed.current) setState({ card: null, error, loading: false });
    }
  }

  useEffect(() => {
    reload();
  }, [cardId]);

  /* Shows change at once and queues job(confirmed card) → the server's card. */
  function enqueue(change, job) {
    if (!confirmed.current) return Promise.resolve();
    pending.current++;
    show({ ...shown.current, ...change });
    const run = async () => {
      try {
        confirmed.current = await job(confirmed.current);
        changed.current?.(confirmed.current);
      } catch (err) {
        setNotice({ error: t('boards.card.save_failed', { reason: errorText(err) }) });
      } finally {
        pending.current--;
        if (pending.current === 0) show(confirmed.current);
      }
    };
    queue.current = queue.current.then(run, run);
    return queue.current;
  }

  /*
   * PATCHes change against the version it was made on (body: what to send, when it is not
   * the change itself). A 409 with nobody else touching the same fields is sent again on the
   * new version; a real clash keeps the other person's value and says so.
   */
  function save(change, body) {
    const send = body || Object.fromEntries(Object.entries(change).map(([k, v]) => [k, wireValue(k, v)]));
    return enqueue(change, async (base) => {
      const b = boardRef.current;
      try {
        const answer = await updateCard(b, base.id, base.version, send);
        setNotice(null);
        return answer;
      } catch (err) {
        if (err.status !== 409 || err.code !== 'conflict') throw err;
        const current = err.data?.current ? cardIn(b, err.data.current) : await getCard(b, base.id);
        const clash = Object.keys(change).filter((k) => k !== 'files' && !same(k, current[k], base[k]));
        if (clash.length) {
          setNotice({ fields: clash });
          return current;
        }
        return updateCard(b, base.id, current.version, send);
      }
    });
  }

  /* A change that needs no version (checklist items): request() answers with the card. */
  function apply(change, request) {
    return enqueue(change, () => request());
  }

  return { ...state, notice, setNotice, save, apply, reload, accept, current: () => shown.current };
}

/* ---------- small editors ---------- */

function Section({ icon, title, actions, children, id }) {
  return html`<section class="bsection" aria-labelledby=${id}>
    <div class="bsection-head">
      <${Icon} name=${icon} class="icon bsection-icon" />
      <h3 class="bsection-title" id=${id}>${title}</h3>
      ${actions && html`<div class="bsection-actions">${actions}</div>`}
    </div>
    <div class="bsection-body">${children}</div>
  </section>`;
}

function TitleEditor({ card, save }) {
  const [value, setValue] = useState(card.title);
  const ref = useRef(null);
  useEffect(() => {
    if (document.activeElement !== ref.current) setValue(card.title);
  }, [card.title]);
  useLayoutEffect(() => {
    const el = ref.current;
    el.style.height = 'auto';
    el.style.height = `${el.scrollHeight}px`;
  }, [value]);
  function commit() {
    const next = value.replace(/\s+/g, ' ').trim();
    if (!next) return setValue(card.title);
    if (next !== card.title) save({ title: next });
  }
  return html`<textarea ref=${ref} class="btitle-input" rows="1" value=${value} maxlength=${TITLE_MAX} aria-label=${t('boards.card.title')}
    onInput=${(e) => setValue(e.currentTarget.value.replace(/\n/g, ' '))} onBlur=${commit}
    onKeyDown=${(e) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        e.currentTarget.blur();
      } else if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        setValue(card.title);
        requestAnimationFrame(() => ref.current?.blur());
      }
    }}></textarea>`;
}

function Description({ card, save }) {
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(card.description);
  const [busy, setBusy] = useState(false);
  const id = useId('bdesc');
  function start() {
    setText(card.description);
    setEditing(true);
  }
  async function commit() {
    setBusy(true);
    await save({ description: text });
    setBusy(false);
    setEditing(false);
  }
  return html`<${Section} icon="text" title=${t('boards.card.description')} id=${id}
    actions=${!editing && card.description && html`<${Button} kind="secondary" size="sm" onClick=${start}>${t('action.edit')}<//>`}>
    ${editing
      ? html`<div class="bdesc-edit">
          <${MarkdownEditor} value=${text} onValue=${setText} label=${t('boards.card.description')} onSubmit=${commit} autoFocus
            placeholder=${t('boards.card.description_placeholder')} />
          <div class="bdesc-actions">
            <${Button} size="sm" busy=${busy} onClick=${commit}>${t('action.save')}<//>
            <${Button} kind="ghost" size="sm" disabled=${busy} onClick=${() => setEditing(false)}>${t('action.cancel')}<//>
            <span class="bdesc-hint">${t('boards.card.markdown_hint')}</span>
          </div>
        </div>`
      : card.description
        ? html`<div class="bdesc-view" onDblClick=${start}><${RichText} html=${card.html} class="feed-rich bdesc-rich" /></div>`
        : html`<button type="button" class="bdesc-empty" onClick=${start}>${t('boards.card.description_empty')}</button>`}
  <//>`;
}

let nextItem = 0;

function Checklist({ card, board, apply }) {
  const items = card.checklist || [];
  const [draft, setDraft] = useState('');
  const [editing, setEditing] = useState(null); // item id
  const [editText, setEditText] = useState('');
  const [adding, setAdding] = useState(false);
  const addRef = useRef(null);
  const id = useId('bcheck');
  const done = items.filter((i) => i.done).length;
  const percent = items.length ? Math.round((done / items.length) * 100) : 0;
  const temporary = (item) => String(item.id).startsWith('n');

  useEffect(() => {
    if (adding) addRef.current?.focus();
  }, [adding]);

  function add() {
    const text = draft.trim();
    if (!text) return;
    apply({ checklist: [...items, { id: `n${++nextItem}`, text, done: false }] }, () => addChecklistItem(board, card.id, text));
    setDraft('');
    addRef.current?.focus();
  }
  function toggle(item, on) {
    apply({ checklist: items.map((i) => (i.id === item.id ? { ...i, done: on } : i)) }, () =>
      updateChecklistItem(board, card.id, item.id, { done: on }),
    );
  }
  function commitEdit(item) {
    const text = editText.trim();
    setEditing(null);
    if (text && text !== item.text)
      apply({ checklist: items.map((i) => (i.id === item.id ? { ...i, text } : i)) }, () => updateChecklistItem(board, card.id, item.id, { text }));
  }
  function remove(item) {
    apply({ checklist: items.filter((i) => i.id !== item.id) }, () => deleteChecklistItem(board, card.id, item.id));
  }

  return html`<${Section} icon="checklist" title=${t('boards.card.checklist')} id=${id}
    actions=${items.length > 0 && html`<span class=${'bcheck-count' + (done === items.length ? ' is-done' : '')}>${t('boards.card.checklist_progress', { done, total: items.length })}</span>`}>
    ${items.length > 0 &&
    html`<div class="bprogress" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow=${percent}
        aria-label=${t('boards.card.checklist_progress', { done, total: items.length })}>
        <span class=${'bprogress-fill' + (percent === 100 ? ' is-done' : '')} style=${{ width: `${percent}%` }}></span>
      </div>
      <ul class="bchecklist">
        ${items.map(
          (item) => html`<li class=${'bcheck-item' + (item.done ? ' is-done' : '')} key=${item.id}>
            <input type="checkbox" class="bcheck-box" checked=${item.done} aria-label=${item.text} disabled=${temporary(item)}
              onChange=${(e) => toggle(item, e.currentTarget.checked)} />
            ${editing === item.id
              ? html`<input class="input bcheck-edit" value=${editText} aria-label=${t('boards.card.checklist_edit')} maxlength="500"
                  ref=${(el) => el && document.activeElement !== el && el.focus()}
                  onInput=${(e) => setEditText(e.currentTarget.value)} onBlur=${() => commitEdit(item)}
                  onKeyDown=${(e) => {
                    if (e.key === 'Enter') commitEdit(item);
                    else if (e.key === 'Escape') {
                      e.preventDefault();
                      e.stopPropagation();
                      setEditing(null);
                    }
                  }} />`
              : html`<button type="button" class="bcheck-text" title=${t('boards.card.checklist_edit')} disabled=${temporary(item)}
                  onClick=${() => {
                    setEditText(item.text);
                    setEditing(item.id);
                  }}>${item.text}</button>`}
            <button type="button" class="icon-button bcheck-remove" aria-label=${t('boards.card.checklist_remove', { text: item.text })}
              title=${t('boards.card.checklist_remove', { text: item.text })} disabled=${temporary(item)} onClick=${() => remove(item)}>
              <${Icon} name="trash" class="icon icon-sm" />
            </button>
          </li>`,
        )}
      </ul>`}
    ${adding
      ? html`<div class="bcheck-add">
          <input ref=${addRef} class="input" value=${draft} maxlength="500" aria-label=${t('boards.card.checklist_new')}
            placeholder=${t('boards.card.checklist_placeholder')} onInput=${(e) => setDraft(e.currentTarget.value)}
            onKeyDown=${(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                add();
              } else if (e.key === 'Escape') {
                e.preventDefault();
                e.stopPropagation();
                setAdding(false);
              }
            }} />
          <${Button} size="sm" onClick=${add}>${t('boards.card.checklist_add_submit')}<//>
          <${Button} kind="ghost" size="sm" onClick=${() => setAdding(false)}>${t('action.close')}<//>
        </div>`
      : html`<${Button} kind="secondary" size="sm" onClick=${() => setAdding(true)}>
          <${Icon} name="plus" class="icon icon-sm" />${t('boards.card.checklist_add')}
        <//>`}
  <//>`;
}

function Attachments({ card, save, current }) {
  const files = card.files || [];
  const [uploads, setUploads] = useState([]); // { key, name, progress, error }
  const [viewing, setViewing] = useState(null);
  const inputRef = useRef(null);
  const id = useId('bfiles');

  function take(list) {
    for (const file of list) {
      const key = ++nextItem;
      setUploads((u) => [...u, { key, name: file.name || 'file', progress: 0, error: null }]);
      const up = uploadFile(file, (progress) => setUploads((u) => u.map((x) => (x.key === key ? { ...x, progress } : x))));
      up.promise.then(
        async (answer) => {
          const entry = { id: answer.id, name: answer.name || file.name, size: answer.size ?? file.size, content_type: answer.content_type || file.type };
          setUploads((u) => u.filter((x) => x.key !== key));
          await save({ files: [...(current().files || []), entry] }, { files: [entry.id] });
        },
        (error) => setUploads((u) => u.map((x) => (x.key === key ? { ...x, error } : x))),
      );
    }
  }

  return html`<${Section} icon="paperclip" title=${t('boards.card.files')} id=${id}
    actions=${html`<input ref=${inputRef} type="file" multiple class="visually-hidden" tabindex="-1" aria-hidden="true"
        onChange=${(e) => {
          take([...e.currentTarget.files]);
          e.currentTarget.value = '';
        }} />
      <${Button} kind="secondary" size="sm" onClick=${() => inputRef.current?.click()}>
        <${Icon} name="plus" class="icon icon-sm" />${t('boards.card.attach')}
      <//>`}>
    ${files.length === 0 && uploads.length === 0 && html`<p class="bmuted">${t('boards.card.no_files')}</p>`}
    ${(files.length > 0 || uploads.length > 0) &&
    html`<ul class="bfiles">
      ${files.map(
        (f) => html`<li class="bfile" key=${f.id}>
          ${isImage(f)
            ? html`<button type="button" class="bfile-thumb" onClick=${() => setViewing(f)} aria-label=${t('feed.file.open_image', { name: f.name })}>
                <img src=${fileUrl(f.id)} alt="" loading="lazy" />
              </button>`
            : html`<span class="file-badge bfile-badge">${fileKind(f.name)}</span>`}
          <a class="bfile-text" href=${fileUrl(f.id)} download=${f.name}>
            <span class="bfile-name">${f.name}</span>
            <span class="bfile-meta">${f.size != null ? formatSize(f.size) : ''}</span>
          </a>
          <a class="icon-button" href=${fileUrl(f.id)} download=${f.name} aria-label=${t('feed.file.download_named', { name: f.name })}
            title=${t('feed.file.download_named', { name: f.name })}><${Icon} name="download" class="icon icon-sm" /></a>
        </li>`,
      )}
      ${uploads.map(
        (u) => html`<li class=${'bfile' + (u.error ? ' is-error' : '')} key=${'u' + u.key}>
          <span class="file-badge bfile-badge">${fileKind(u.name)}</span>
          <span class="bfile-text">
            <span class="bfile-name">${u.name}</span>
            ${u.error
              ? html`<span class="bfile-meta text-bad">${errorText(u.error)}</span>`
              : html`<span class="upload-bar" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow=${Math.round(u.progress * 100)}
                  aria-label=${t('feed.upload.progress', { name: u.name })}><span class="upload-bar-fill" style=${{ width: `${Math.round(u.progress * 100)}%` }}></span></span>`}
          </span>
          ${u.error &&
          html`<button type="button" class="icon-button" aria-label=${t('action.dismiss')} onClick=${() => setUploads((x) => x.filter((y) => y.key !== u.key))}>
            <${Icon} name="close" class="icon icon-sm" /></button>`}
        </li>`,
      )}
    </ul>`}
    ${viewing && html`<${ImageViewer} file=${viewing} onClose=${() => setViewing(null)} />`}
  <//>`;
}

/* ---------- comments and history ---------- */

/* What one history entry says, without who did it: a list of phrases. */
function historyPhrases(entry, board) {
  const d = entry.details || {};
  const name = (x) => (x && typeof x === 'object' ? x.name : x) ?? '';
  const people = (ids) => (ids || []).map((id) => board.members.find((m) => m.id === Number(id))?.name || '?').join(', ');
  const labels = (ids) => (ids || []).map((id) => board.labels.find((l) => l.id === Number(id))?.name || '?').join(', ');
  switch (entry.kind) {
    case 'created':
      return [d.column ? t('boards.history.created_in', { column: name(d.column) }) : t('boards.history.created')];
    case 'moved':
      return [d.from?.id === d.to?.id ? t('boards.history.reordered') : t('boards.history.moved', { from: name(d.from), to: name(d.to) })];
    case 'commented':
      return [t('boards.history.commented')];
    case 'checklist': {
      const action = ['add', 'remove', 'check', 'uncheck', 'edit', 'move'].includes(d.action) ? d.action : 'edit';
      return [t(`boards.history.checklist_${action}`, { text: d.text || '' })];
    }
    case 'updated': {
      const c = d.changes || {};
      const out = [];
      if (c.title) out.push(t('boards.history.renamed', { title: c.title.to ?? '' }));
      if (c.description) out.push(t('boards.history.description'));
      if (c.priority) out.push(t('boards.history.priority', { level: t(`boards.priority.${c.priority.to}`) }));
      if (c.due_date) out.push(c.due_date.to ? t('boards.history.due', { date: formatDue(c.due_date.to) }) : t('boards.history.due_removed'));
      if (c.assignees?.added?.length) out.push(t('boards.history.assigned', { names: people(c.assignees.added) }));
      if (c.assignees?.removed?.length) out.push(t('boards.history.unassigned', { names: people(c.assignees.removed) }));
      if (c.labels?.added?.length) out.push(t('boards.history.labels_added', { names: labels(c.labels.added) }));
      if (c.labels?.removed?.length) out.push(t('boards.history.labels_removed', { names: labels(c.labels.removed) }));
      if (c.checklist) out.push(t('boards.history.checklist'));
      if (c.files) out.push(t('boards.history.files'));
      if (c.archived === true) out.push(t('boards.history.archived'));
      if (c.archived === false) out.push(t('boards.history.restored'));
      return out.length ? out : [t('boards.history.updated')];
    }
    default:
      return [t('boards.history.updated')];
  }
}

function History({ card, board }) {
  const [state, setState] = useState({ items: null, error: null });
  useEffect(() => {
    let live = true;
    cardActivity(card.id).then(
      (items) => live && setState({ items, error: null }),
      (error) => live && setState((s) => ({ ...s, error })),
    );
    return () => (live = false);
  }, [card.id, card.version, card.comment_count]);
  if (state.error && !state.items) return html`<${Alert} kind="error">${errorText(state.error)}<//>`;
  if (!state.items) return html`<div class="loading-row"><span class="spinner" aria-hidden="true"></span>${t('state.loading')}</div>`;
  if (!state.items.length) return html`<p class="bmuted bempty-line">${t('boards.card.no_history')}</p>`;
  return html`<ol class="bhistory">
    ${state.items.map(
      (h) => html`<li class="bhistory-item" key=${h.id}>
        <${PersonAvatar} person=${h.actor || { id: 0, name: '?' }} size="sm" />
        <div class="bhistory-main">
          <span class="bhistory-text"><strong class="bhistory-who">${h.actor?.name || t('boards.history.someone')}</strong>${t('boards.history.sep')}${historyPhrases(h, board).join('; ')}</span>
          <${TimeAgo} value=${h.created_at} class="bhistory-time" />
        </div>
      </li>`,
    )}
  </ol>`;
}

function Activity({ card, board, user, onComment }) {
  const [tab, setTab] = useState('comments');
  const id = useId('bact');
  const comments = [...(card.comments || [])].sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)) || b.id - a.id);
  const tabButton = (name, label, count) => html`<button type="button" role="tab" aria-selected=${tab === name ? 'true' : 'false'}
    id=${`${id}-${name}`} aria-controls=${`${id}-panel`} tabindex=${tab === name ? 0 : -1}
    onClick=${() => setTab(name)}
    onKeyDown=${(e) => {
      if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
        const other = name === 'comments' ? 'history' : 'comments';
        setTab(other);
        document.getElementById(`${id}-${other}`)?.focus();
      }
    }}>${label}${count > 0 && html`<span class="btab-count">${count}</span>`}</button>`;
  return html`<section class="bsection bactivity" aria-labelledby=${id}>
    <div class="bsection-head">
      <${Icon} name="comment" class="icon bsection-icon" />
      <h3 class="bsection-title" id=${id}>${t('boards.card.activity')}</h3>
      <div class="feed-seg btabs" role="tablist" aria-label=${t('boards.card.activity')}>
        ${tabButton('comments', t('boards.card.comments_tab'), comments.length)}
        ${tabButton('history', t('boards.card.history_tab'), 0)}
      </div>
    </div>
    <div class="bsection-body" id=${`${id}-panel`} role="tabpanel" aria-labelledby=${`${id}-${tab}`}>
      ${tab === 'comments'
        ? html`<${CommentComposer} user=${user} placeholder=${t('boards.card.comment_placeholder')} label=${t('boards.card.comment_label')}
              onSubmit=${onComment} />
            ${comments.length === 0 && html`<p class="bmuted bempty-line">${t('boards.card.no_comments')}</p>`}
            <ul class="bcomments">
              ${comments.map(
                (c) => html`<li class="bcomment" key=${c.id}>
                  <${PersonAvatar} person=${c.author} size="sm" />
                  <div class="bcomment-main">
                    <div class="bcomment-head"><span class="bcomment-author">${c.author?.name}</span>
                      <${TimeAgo} value=${c.created_at} class="bcomment-time" /></div>
                    <${RichText} html=${c.html} class="feed-rich bcomment-body" />
                  </div>
                </li>`,
              )}
            </ul>`
        : html`<${History} card=${card} board=${board} />`}
    </div>
  </section>`;
}

/* ---------- the side panel ---------- */

/* A popup under an opener button; closes on Escape or a click outside. */
function usePopup() {
  const [open, setOpen] = useState(false);
  const rootRef = useRef(null);
  useDismiss(open, setOpen, rootRef, '.bpick-button');
  // Escape while the popup is open closes the popup only, not the card dialog around it.
  useEffect(() => {
    if (!open) return undefined;
    const onKey = (e) => e.key === 'Escape' && e.preventDefault();
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [open]);
  return { open, setOpen, rootRef };
}

/* Assignees are project members (the server refuses anyone else). */
function AssigneePicker({ card, board, save }) {
  const popup = usePopup();
  const [q, setQ] = useState('');
  const searchRef = useRef(null);
  useEffect(() => {
    if (popup.open) searchRef.current?.focus();
  }, [popup.open]);
  const chosen = new Set(card.assignees.map((p) => p.id));
  const needle = q.trim().toLocaleLowerCase();
  const list = board.members.filter((p) => !needle || p.name.toLocaleLowerCase().includes(needle) || p.handle?.includes(needle));
  function toggle(p) {
    save({ assignees: chosen.has(p.id) ? card.assignees.filter((x) => x.id !== p.id) : [...card.assignees, p] });
  }
  return html`<div class="bpick" ref=${popup.rootRef}>
    ${card.assignees.length > 0 &&
    html`<ul class="bpeople">
      ${card.assignees.map(
        (p) => html`<li class="bperson" key=${p.id}>
          <${PersonAvatar} person=${p} size="sm" /><span class="bperson-name">${p.name}</span>
          <button type="button" class="icon-button bperson-remove" aria-label=${t('boards.card.unassign', { name: p.name })}
            title=${t('boards.card.unassign', { name: p.name })} onClick=${() => toggle(p)}><${Icon} name="close" class="icon icon-sm" /></button>
        </li>`,
      )}
    </ul>`}
    <button type="button" class="bside-button bpick-button" aria-expanded=${popup.open ? 'true' : 'false'} onClick=${() => popup.setOpen(!popup.open)}>
      <${Icon} name="plus" class="icon icon-sm" />${t(card.assignees.length ? 'boards.card.assign_more' : 'boards.card.assign')}
    </button>
    ${popup.open &&
    html`<div class="bpick-panel">
      <input ref=${searchRef} class="input bpick-search" type="search" value=${q} placeholder=${t('boards.card.people_search')}
        aria-label=${t('boards.card.people_search')} onInput=${(e) => setQ(e.currentTarget.value)} />
      <ul class="bpick-list" role="listbox" aria-multiselectable="true" aria-label=${t('boards.card.assignees')}>
        ${list.map(
          (p) => html`<li key=${p.id} role="option" aria-selected=${chosen.has(p.id) ? 'true' : 'false'} tabindex="0" class="bpick-option"
            onClick=${() => toggle(p)} onKeyDown=${(e) => (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), toggle(p))}>
            <${PersonAvatar} person=${p} size="sm" />
            <span class="bpick-name">${p.name}${p.handle && html`<span class="bpick-handle">@${p.handle}</span>`}</span>
            ${chosen.has(p.id) && html`<${Icon} name="check" class="icon icon-sm bpick-check" />`}
          </li>`,
        )}
        ${list.length === 0 && html`<li class="bpick-none">${t('boards.card.people_none')}</li>`}
      </ul>
      <p class="bpick-note">${t('boards.card.members_only')}</p>
    </div>`}
  </div>`;
}

const LABEL_COLORS = ['#d73a4a', '#f97316', '#eab308', '#16a34a', '#0d9488', '#1d76db', '#7c3aed', '#db2777'];

/* The card's labels, chosen from the project's; a new one can be made on the spot. */
function LabelPicker({ card, board, save, onLabelCreated }) {
  const popup = usePopup();
  const [name, setName] = useState('');
  const [color, setColor] = useState(LABEL_COLORS[5]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const chosen = new Set(card.labels.map((l) => l.id));
  const all = [...board.labels];
  for (const l of card.labels) if (!all.some((x) => x.id === l.id)) all.push(l);
  function toggle(l) {
    save({ labels: chosen.has(l.id) ? card.labels.filter((x) => x.id !== l.id) : [...card.labels, l] });
  }
  async function create(e) {
    e?.preventDefault();
    const text = name.trim();
    if (!text || busy) return;
    const existing = all.find((l) => l.name.toLocaleLowerCase() === text.toLocaleLowerCase());
    if (existing) {
      if (!chosen.has(existing.id)) toggle(existing);
      setName('');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const label = await createLabel(board.project.id, text, color);
      onLabelCreated(label);
      save({ labels: [...card.labels, label] });
      setName('');
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }
  return html`<div class="bpick" ref=${popup.rootRef}>
    ${card.labels.length > 0 &&
    html`<div class="blabels">${card.labels.map((l) => html`<${LabelPill} key=${l.id} label=${l} onRemove=${() => toggle(l)} />`)}</div>`}
    <button type="button" class="bside-button bpick-button" aria-expanded=${popup.open ? 'true' : 'false'} onClick=${() => popup.setOpen(!popup.open)}>
      <${Icon} name="tag" class="icon icon-sm" />${t('boards.card.label_add')}
    </button>
    ${popup.open &&
    html`<div class="bpick-panel">
      ${all.length > 0 &&
      html`<ul class="bpick-list" role="listbox" aria-multiselectable="true" aria-label=${t('boards.card.labels')}>
        ${all.map(
          (l) => html`<li key=${l.id} role="option" aria-selected=${chosen.has(l.id) ? 'true' : 'false'} tabindex="0" class="bpick-option"
            onClick=${() => toggle(l)} onKeyDown=${(e) => (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), toggle(l))}>
            <span class=${`blabel-swatch blabel-${labelHue(l)}`} style=${labelStyle(l)} aria-hidden="true"></span>
            <span class="bpick-name">${l.name}</span>
            ${chosen.has(l.id) && html`<${Icon} name="check" class="icon icon-sm bpick-check" />`}
          </li>`,
        )}
      </ul>`}
      <form class="blabel-new" onSubmit=${create}>
        <div class="bside-label">${t('boards.card.label_new')}</div>
        <input class="input bpick-search" value=${name} maxlength="50" aria-label=${t('boards.card.label_name')}
          placeholder=${t('boards.card.label_placeholder')} onInput=${(e) => setName(e.currentTarget.value)} />
        <div class="bswatches" role="radiogroup" aria-label=${t('boards.card.label_color')}>
          ${LABEL_COLORS.map(
            (c, i) => html`<button type="button" role="radio" key=${c} aria-checked=${color === c ? 'true' : 'false'}
              aria-label=${t('boards.card.label_color_n', { n: i + 1 })} class="bswatch" style=${{ '--hue': c }} onClick=${() => setColor(c)}>
              ${color === c && html`<${Icon} name="check" class="icon icon-xs" />`}
            </button>`,
          )}
        </div>
        ${error && html`<p class="field-error">${error}</p>`}
        <${Button} size="sm" type="submit" busy=${busy} disabled=${!name.trim()}>${t('boards.card.label_create')}<//>
      </form>
    </div>`}
  </div>`;
}

function SideField({ name, label, htmlFor, children }) {
  return html`<div class=${`bside-field bside-${name}`}>
    ${htmlFor ? html`<label class="bside-label" for=${htmlFor}>${label}</label>` : html`<div class="bside-label">${label}</div>`}
    ${children}
  </div>`;
}

function Side({ card, board, save, onMove, onLabelCreated }) {
  const ids = { column: useId('bcol'), due: useId('bdue'), priority: useId('bprio') };
  const [moving, setMoving] = useState(false);
  async function move(columnId) {
    setMoving(true);
    try {
      await onMove(columnId);
    } finally {
      setMoving(false);
    }
  }
  return html`<aside class="bdialog-side" aria-label=${t('boards.card.details')}>
    <${SideField} name="column" label=${t('boards.card.column')} htmlFor=${ids.column}>
      <select id=${ids.column} class="input input-sm select" value=${String(card.column_id)} disabled=${moving || card.archived}
        onChange=${(e) => move(Number(e.currentTarget.value))}>
        ${board.columns.map((c) => html`<option value=${String(c.id)}>${c.name}</option>`)}
      </select>
    <//>
    <${SideField} name="assignees" label=${t('boards.card.assignees')}>
      <${AssigneePicker} card=${card} board=${board} save=${save} />
    <//>
    <${SideField} name="due" label=${t('boards.card.due')} htmlFor=${ids.due}>
      <div class="bdue-edit">
        <input id=${ids.due} type="date" class="input input-sm" value=${card.due_date || ''}
          onChange=${(e) => save({ due_date: e.currentTarget.value || null })} />
        ${card.due_date &&
        html`<button type="button" class="icon-button" aria-label=${t('boards.card.due_clear')} title=${t('boards.card.due_clear')}
          onClick=${() => save({ due_date: null })}><${Icon} name="close" class="icon icon-sm" /></button>`}
      </div>
      ${card.due_date && html`<${DueBadge} due=${card.due_date} done=${isDoneColumn(board, card.column_id)} long />`}
    <//>
    <${SideField} name="priority" label=${t('boards.card.priority')} htmlFor=${ids.priority}>
      <select id=${ids.priority} class="input input-sm select" value=${card.priority} onChange=${(e) => save({ priority: e.currentTarget.value })}>
        ${PRIORITY_LEVELS.map((p) => html`<option value=${p}>${t(`boards.priority.${p}`)}</option>`)}
      </select>
    <//>
    <${SideField} name="labels" label=${t('boards.card.labels')}>
      <${LabelPicker} card=${card} board=${board} save=${save} onLabelCreated=${onLabelCreated} />
    <//>
    <div class="bside-actions">
      ${card.archived
        ? html`<${Button} kind="secondary" size="sm" block onClick=${() => save({ archived: false })}>
            <${Icon} name="restore" class="icon icon-sm" />${t('boards.card.restore')}<//>`
        : html`<${Button} kind="secondary" size="sm" block onClick=${() => save({ archived: true })}>
            <${Icon} name="archive" class="icon icon-sm" />${t('boards.card.archive')}<//>`}
    </div>
    <dl class="bmeta">
      ${card.created_at && html`<div><dt>${t('boards.card.created')}</dt><dd>${formatDateTime(card.created_at)}${card.created_by?.name ? ` · ${card.created_by.name}` : ''}</dd></div>`}
      ${card.updated_at && html`<div><dt>${t('boards.card.updated')}</dt><dd><${TimeAgo} value=${card.updated_at} /></dd></div>`}
    </dl>
  </aside>`;
}

/* ---------- the dialog ---------- */

const CONFLICT_FIELDS = {
  title: 'boards.card.title',
  description: 'boards.card.description',
  assignees: 'boards.card.assignees',
  due_date: 'boards.card.due',
  priority: 'boards.card.priority',
  labels: 'boards.card.labels',
  archived: 'boards.card.archived_flag',
};

/*
 * The card cardId of board in a modal dialog. onChange(card) after every saved change,
 * onMove(card, columnId) moves it to the bottom of another column, onLabelCreated(label)
 * tells the board of a new project label; onClose when dismissed.
 */
export function CardDialog({ cardId, board, user, onClose, onChange, onMove, onLabelCreated }) {
  const ref = useRef(null);
  const closeRef = useRef(onClose);
  closeRef.current = onClose;
  const state = useCard(board, cardId, onChange);
  const { card } = state;

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog.open) dialog.showModal();
    dialog.focus(); // the dialog itself, so no control shows a focus ring until the keyboard moves
    const onCancel = (e) => {
      e.preventDefault();
      // Escape in a box with text typed into it leaves the box first, so nothing typed is lost.
      const el = document.activeElement;
      if (dialog.contains(el) && (el.tagName === 'TEXTAREA' || (el.tagName === 'INPUT' && el.type === 'text')) && el.value.trim()) {
        el.blur();
        dialog.focus();
        return;
      }
      closeRef.current?.();
    };
    dialog.addEventListener('cancel', onCancel);
    return () => {
      dialog.removeEventListener('cancel', onCancel);
      if (dialog.open) dialog.close();
    };
  }, []);

  async function comment(text) {
    const answer = await addComment(cardId, text);
    const cur = state.current();
    const comments = [...(cur.comments || []).filter((c) => c.id !== answer.id), answer];
    state.accept({ ...cur, comments, comment_count: comments.length });
  }

  async function move(columnId) {
    try {
      await onMove(state.current(), columnId);
      await state.reload({ tell: false });
    } catch (err) {
      state.setNotice({ error: t('boards.move.failed', { reason: errorText(err) }) });
      state.reload();
    }
  }

  const column = card && board.columns.find((c) => c.id === card.column_id);
  const project = board.project;
  let content;
  if (state.loading && !card)
    content = html`<div class="bdialog-loading"><span class="spinner spinner-lg" aria-hidden="true"></span><span class="visually-hidden">${t('state.loading')}</span></div>`;
  else if (!card)
    content = html`<div class="bdialog-missing">
      <${Alert} kind=${state.error?.status === 404 ? 'warning' : 'error'} title=${state.error?.status === 404 ? t('boards.card.missing') : t('boards.error.load_card')}>
        ${state.error?.status === 404 ? t('boards.card.missing_body') : errorText(state.error)}<//>
    </div>`;
  else
    content = html`<div class="bdialog-title-row">
        <${TitleEditor} card=${card} save=${state.save} />
      </div>
      ${card.archived &&
      html`<div class="barchived-banner" role="status"><${Icon} name="archive" class="icon icon-sm" />${t('boards.card.archived_banner')}
        <${Button} kind="secondary" size="sm" onClick=${() => state.save({ archived: false })}>${t('boards.card.restore')}<//></div>`}
      ${state.notice?.error &&
      html`<div class="bdialog-notice"><${Alert} kind="error"
        actions=${html`<${Button} kind="secondary" size="sm" onClick=${() => state.setNotice(null)}>${t('action.dismiss')}<//>`}>${state.notice.error}<//></div>`}
      ${state.notice?.fields &&
      html`<div class="bdialog-notice"><${Alert} kind="warning" title=${t('boards.card.conflict_title')}
        actions=${html`<${Button} kind="secondary" size="sm" onClick=${() => state.setNotice(null)}>${t('action.dismiss')}<//>`}>
        ${t('boards.card.conflict_body', { fields: state.notice.fields.map((f) => t(CONFLICT_FIELDS[f] || 'boards.card.title')).join(', ') })}<//></div>`}
      <div class="bdialog-body">
        <div class="bdialog-main">
          <${Description} card=${card} save=${state.save} />
          <${Checklist} card=${card} board=${board} apply=${state.apply} />
          <${Attachments} card=${card} save=${state.save} current=${state.current} />
          <${Activity} card=${card} board=${board} user=${user} onComment=${comment} />
        </div>
        <${Side} card=${card} board=${board} save=${state.save} onMove=${move} onLabelCreated=${onLabelCreated} />
      </div>`;

  return html`<dialog ref=${ref} class="dialog bdialog" tabindex="-1" aria-label=${card?.title || t('boards.card.dialog')} data-card=${cardId}>
    <div class="bdialog-head">
      <div class="bdialog-crumbs">
        <${Icon} name="board" class="icon icon-sm" />
        <span>${project?.name || ''}</span>
        ${board.name && html`<${Icon} name="chevron_right" class="icon icon-xs" /><span>${board.name}</span>`}
        ${column && html`<${Icon} name="chevron_right" class="icon icon-xs" /><span>${column.name}</span>`}
      </div>
      <button type="button" class="icon-button bdialog-close" aria-label=${t('action.close')} title=${t('action.close')}
        onClick=${() => closeRef.current?.()}><${Icon} name="close" /></button>
    </div>
    <div class="bdialog-scroll">${content}</div>
  </dialog>`;
}
