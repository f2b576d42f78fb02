// A project's board (/app/projects/{id}): columns of cards, filters, drag and drop with pointer and keyboard, the card dialog.
import { html, useEffect, useLayoutEffect, useMemo, useRef, useState } from '/shared/preact.js';
import { errorText, t } from '/shared/i18n.js';
import { navigate, useQuery } from '/shared/router.js';
import { useSession } from '/shared/session.js';
import { Alert, Button, ConfirmDialog, Dialog, toast, useId } from '/shared/forms.js';
import { EmptyState, Icon, PageHeader } from '/shared/ui.js';
import { tn, useDismiss } from '/app/feed/common.js';
import {
  addColumn, createBoard, createCard, getBoard, getProject, moveCard, reorderColumns, updateCard, updateColumn,
} from '/app/boards/api.js';
import {
  AvatarStack, DueBadge, LabelPill, PriorityBadge, locate, moveColumnLocal, putCard,
} from '/app/boards/common.js';
import { usePointerDrag } from '/app/boards/dnd.js';
import { CardDialog } from '/app/boards/card.js';
import { ProjectDialog } from '/app/boards/project-form.js';
import { useLiveRefresh } from '/shared/realtime.js';

const POLL_MS = 8000; // only while the realtime socket is down

/* ---------- filters (kept in the URL) ---------- */

function readFilters(query) {
  return {
    assignee: query.get('assignee') || '',
    label: query.get('label') || '',
    due: query.get('due') || '',
    q: query.get('q') || '',
  };
}

const activeFilters = (f) => !!(f.assignee || f.label || f.due || f.q);

/* The current URL with some query parameters changed ('' or null removes one). */
function withQuery(changes) {
  const params = new URLSearchParams(location.search);
  for (const [k, v] of Object.entries(changes)) {
    if (v === '' || v == null) params.delete(k);
    else params.set(k, String(v));
  }
  const qs = params.toString();
  return location.pathname + (qs ? `?${qs}` : '');
}

/* The filters as GET /boards/{id} takes them (assignee: an id or "me", label: an id). */
function serverFilters(f) {
  const out = {};
  if (f.assignee) out.assignee = f.assignee;
  if (f.label) out.label = f.label;
  if (f.due) out.due = f.due;
  return out;
}

/* The text search runs here, over the cards the server sent. */
function matches(card, q) {
  return !q || card.title.toLocaleLowerCase().includes(q.toLocaleLowerCase());
}

/* ---------- local moves by neighbours ---------- */

/* The board with the card put into columnId before beforeId, else after afterId, else at the end. */
function moveRelative(board, cardId, columnId, { beforeId, afterId }) {
  let card = null;
  for (const col of board.columns) card = card || col.cards.find((c) => c.id === cardId);
  if (!card) return board;
  return {
    ...board,
    columns: board.columns.map((col) => {
      const cards = col.cards.filter((c) => c.id !== cardId);
      if (col.id !== columnId) return cards.length === col.cards.length ? col : { ...col, cards };
      let i = cards.length;
      if (beforeId != null && cards.some((c) => c.id === beforeId)) i = cards.findIndex((c) => c.id === beforeId);
      else if (afterId != null && cards.some((c) => c.id === afterId)) i = cards.findIndex((c) => c.id === afterId) + 1;
      cards.splice(i, 0, { ...card, column_id: columnId });
      return { ...col, cards };
    }),
  };
}

/* ---------- small pieces ---------- */

/* A menu of actions behind a "⋯" button: [{ key, label, icon, danger, onSelect }]. */
function Menu({ label, actions, class: cls = '' }) {
  const [open, setOpen] = useState(false);
  const rootRef = useRef(null);
  useDismiss(open, setOpen, rootRef, '.bmenu-button');
  useEffect(() => {
    if (open) rootRef.current?.querySelector('.feed-menu-item')?.focus();
  }, [open]);
  function onKeyDown(e) {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    e.preventDefault();
    const items = [...rootRef.current.querySelectorAll('.feed-menu-item')];
    const i = items.indexOf(document.activeElement);
    items[e.key === 'ArrowDown' ? (i + 1) % items.length : (i - 1 + items.length) % items.length]?.focus();
  }
  return html`<div class=${'feed-menu bmenu ' + cls} ref=${rootRef}>
    <button type="button" class="icon-button bmenu-button" aria-haspopup="menu" aria-expanded=${open ? 'true' : 'false'}
      aria-label=${label} title=${label} onClick=${() => setOpen(!open)}>
      <${Icon} name="more" />
    </button>
    ${open &&
    html`<div class="feed-menu-panel" role="menu" onKeyDown=${onKeyDown}>
      ${actions.map(
        (a) => html`<button type="button" role="menuitem" key=${a.key} disabled=${a.disabled}
          class=${'feed-menu-item' + (a.danger ? ' feed-menu-item-danger' : '')}
          onClick=${() => {
            setOpen(false);
            a.onSelect();
          }}>
          <${Icon} name=${a.icon} />${a.label}
        </button>`,
      )}
    </div>`}
  </div>`;
}

/* A text box that grows with its text; Enter submits, Escape cancels. */
function GrowingInput({ value, onValue, onSubmit, onCancel, inputRef, label, placeholder, maxLength = 300, class: cls = '' }) {
  const own = useRef(null);
  const ref = inputRef || own;
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${el.scrollHeight}px`;
  }, [value]);
  return html`<textarea ref=${ref} class=${'bgrow ' + cls} rows="1" value=${value} aria-label=${label} placeholder=${placeholder}
    maxlength=${maxLength}
    onInput=${(e) => onValue(e.currentTarget.value.replace(/\n/g, ' '))}
    onKeyDown=${(e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        onSubmit();
      } else if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        onCancel();
      }
    }}></textarea>`;
}

/* ---------- a card on the board ---------- */

function CardTile({ card, done, grabbed, source, helpId, onOpen, onKey, consumeClick }) {
  const checklist = card.checklist_total > 0;
  const checklistDone = checklist && card.checklist_done === card.checklist_total;
  const titleId = `bcard-title-${card.id}`;
  return html`<li class=${'bcard-item' + (source ? ' is-drag-source' : '')} data-card-id=${card.id}>
    <div class=${'bcard' + (grabbed ? ' is-grabbed' : '') + (card.priority === 'urgent' ? ' is-urgent' : '')}
      role="button" tabindex="0" aria-labelledby=${titleId} aria-describedby=${helpId}
      aria-pressed=${grabbed ? 'true' : undefined}
      onClick=${() => !consumeClick() && onOpen(card.id)} onKeyDown=${(e) => onKey(e, card)}>
      ${card.labels.length > 0 &&
      html`<div class="bcard-labels">${card.labels.map((l) => html`<${LabelPill} key=${l.name} label=${l} small />`)}</div>`}
      <div class="bcard-title" id=${titleId}>${card.title}</div>
      <div class="bcard-foot">
        <div class="bcard-badges">
          <${DueBadge} due=${card.due_date} done=${done} />
          <${PriorityBadge} priority=${card.priority} quiet />
          ${card.has_description && html`<span class="bbadge" title=${t('boards.card.has_description')}><${Icon} name="text" class="icon icon-xs" /><span class="visually-hidden">${t('boards.card.has_description')}</span></span>`}
          ${checklist &&
          html`<span class=${'bbadge' + (checklistDone ? ' bbadge-ok' : '')} title=${t('boards.card.checklist_progress', { done: card.checklist_done, total: card.checklist_total })}>
            <${Icon} name="checklist" class="icon icon-xs" />${card.checklist_done}/${card.checklist_total}</span>`}
          ${card.comment_count > 0 &&
          html`<span class="bbadge" title=${tn('boards.card.comments', card.comment_count)}>
            <${Icon} name="comment" class="icon icon-xs" />${card.comment_count}</span>`}
          ${card.file_count > 0 &&
          html`<span class="bbadge" title=${tn('boards.card.files', card.file_count)}>
            <${Icon} name="paperclip" class="icon icon-xs" />${card.file_count}</span>`}
        </div>
        <${AvatarStack} people=${card.assignees} />
      </div>
    </div>
  </li>`;
}

function AddCard({ column, board, onAdded, open, setOpen }) {
  const [title, setTitle] = useState('');
  const [busy, setBusy] = useState(false);
  const ref = useRef(null);
  useEffect(() => {
    if (open) ref.current?.focus();
  }, [open]);
  if (!open)
    return html`<button type="button" class="badd-card" onClick=${() => setOpen(true)}>
      <${Icon} name="plus" class="icon icon-sm" />${t('boards.card.add')}
    </button>`;
  async function submit() {
    const text = title.trim();
    if (!text || busy) return;
    setBusy(true);
    try {
      const card = await createCard(board, column.id, text);
      onAdded(column.id, card);
      setTitle('');
    } catch (err) {
      toast(errorText(err), 'error');
    } finally {
      setBusy(false);
      ref.current?.focus();
    }
  }
  return html`<div class="badd-form">
    <${GrowingInput} inputRef=${ref} value=${title} onValue=${setTitle} onSubmit=${submit} onCancel=${() => setOpen(false)}
      label=${t('boards.card.title_for', { column: column.name })} placeholder=${t('boards.card.title_placeholder')} class="badd-input" />
    <div class="badd-actions">
      <${Button} size="sm" busy=${busy} onClick=${submit}>${t('boards.card.add_submit')}<//>
      <button type="button" class="icon-button" aria-label=${t('action.cancel')} title=${t('action.cancel')} onClick=${() => setOpen(false)}>
        <${Icon} name="close" />
      </button>
    </div>
  </div>`;
}

function ColumnTitle({ column, onRename }) {
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(column.name);
  const ref = useRef(null);
  useEffect(() => {
    if (editing) {
      ref.current?.focus();
      ref.current?.select();
    }
  }, [editing]);
  useEffect(() => !editing && setName(column.name), [column.name]);
  function save() {
    const next = name.trim();
    setEditing(false);
    if (next && next !== column.name) onRename(next);
    else setName(column.name);
  }
  if (editing)
    return html`<input ref=${ref} class="bcol-name-input" value=${name} maxlength="100" aria-label=${t('boards.column.name')}
      onInput=${(e) => setName(e.currentTarget.value)} onBlur=${save}
      onKeyDown=${(e) => {
        if (e.key === 'Enter') save();
        else if (e.key === 'Escape') {
          e.stopPropagation();
          setName(column.name);
          setEditing(false);
        }
      }} />`;
  return html`<h2 class="bcol-name" id=${`bcol-${column.id}`}>
    <button type="button" class="bcol-name-button" title=${t('boards.column.rename_hint')} onClick=${() => setEditing(true)}>${column.name}</button>
  </h2>`;
}

/* ---------- the board ---------- */

function Column({ column, index, count, view, board, drag, grab, colGrab, helpId, adding, setAdding, api }) {
  const dragged = drag?.kind === 'card' ? drag : null;
  const cards = column.cards;
  const placeholderAt = dragged && dragged.columnId === column.id ? dragged.index : -1;
  const shown = dragged ? cards.filter((c) => c.id !== dragged.id) : cards;
  const total = view.filtered ? (column.card_count ?? cards.length) : cards.length;
  const done = column.done;
  const full = column.wip_limit != null && total >= column.wip_limit;
  const items = [];
  shown.forEach((card, i) => {
    if (i === placeholderAt) items.push(html`<li class="bcard-placeholder" key="ph" style=${{ height: `${dragged.height}px` }} aria-hidden="true"></li>`);
    items.push(html`<${CardTile} key=${card.id} card=${card} done=${done} grabbed=${grab?.id === card.id} helpId=${helpId}
      onOpen=${api.openCard} onKey=${api.cardKey} consumeClick=${api.consumeClick} />`);
  });
  if (placeholderAt >= shown.length) items.push(html`<li class="bcard-placeholder" key="ph" style=${{ height: `${dragged.height}px` }} aria-hidden="true"></li>`);
  if (dragged) {
    // The dragged card stays in the DOM (hidden) so the gesture keeps its element.
    const src = cards.find((c) => c.id === dragged.id);
    if (src) items.push(html`<${CardTile} key=${src.id} card=${src} source helpId=${helpId} onOpen=${() => {}} onKey=${() => {}} consumeClick=${() => true} />`);
  }
  const isSource = drag?.kind === 'column' && drag.id === column.id;
  const grabbedCol = colGrab?.id === column.id;

  const actions = [
    { key: 'add', label: t('boards.card.add'), icon: 'plus', onSelect: () => setAdding(column.id) },
    { key: 'rename', label: t('boards.column.rename'), icon: 'edit', onSelect: () => api.startRename(column.id) },
    { key: 'settings', label: t('boards.column.settings'), icon: 'filter', onSelect: () => api.columnSettings(column) },
    { key: 'left', label: t('boards.column.move_left'), icon: 'arrow_left', disabled: index === 0, onSelect: () => api.shiftColumn(column.id, -1) },
    { key: 'right', label: t('boards.column.move_right'), icon: 'arrow_right', disabled: index === count - 1, onSelect: () => api.shiftColumn(column.id, 1) },
    { key: 'archive', label: t('boards.column.archive'), icon: 'archive', danger: true, disabled: count < 2, onSelect: () => api.askArchiveColumn(column) },
  ];

  return html`<section class=${'bcol' + (isSource ? ' is-drag-source' : '') + (grabbedCol ? ' is-grabbed' : '')}
      data-drop-column=${column.id} aria-labelledby=${`bcol-${column.id}`}>
    <header class="bcol-head" data-column-handle>
      <button type="button" class="bcol-grip" data-column-handle aria-label=${t('boards.column.move', { name: column.name })}
        aria-pressed=${grabbedCol ? 'true' : undefined} aria-describedby=${helpId + '-col'} title=${t('boards.column.drag_hint')}
        onKeyDown=${(e) => api.columnKey(e, column)}>
        <${Icon} name="grip" class="icon icon-sm icon-grip" />
      </button>
      <${ColumnTitle} column=${column} onRename=${(name) => api.renameColumn(column, name)} />
      ${column.done && html`<span class="bcol-done" title=${t('boards.column.done_hint')}><${Icon} name="check" class="icon icon-xs" /><span class="visually-hidden">${t('boards.column.done_hint')}</span></span>`}
      <span class=${'bcol-count' + (full ? ' is-full' : '')}
        title=${column.wip_limit != null ? t('boards.column.wip_title', { count: total, limit: column.wip_limit }) : tn('boards.column.count', total)}>
        ${view.filtered ? `${cards.length}/${total}` : column.wip_limit != null ? `${total}/${column.wip_limit}` : total}
      </span>
      <${Menu} label=${t('boards.column.menu', { name: column.name })} actions=${actions} />
    </header>
    <ol class="bcol-cards" data-card-list aria-labelledby=${`bcol-${column.id}`}>${items}</ol>
    ${cards.length === 0 && !dragged && view.filtered && html`<p class="bcol-empty">${t('boards.column.none_match')}</p>`}
    <div class="bcol-foot">
      <${AddCard} column=${column} board=${board} onAdded=${api.cardAdded} open=${adding === column.id}
        setOpen=${(on) => setAdding(on ? column.id : null)} />
    </div>
  </section>`;
}

function AddColumn({ onAdd }) {
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const ref = useRef(null);
  useEffect(() => {
    if (open) ref.current?.focus();
  }, [open]);
  async function submit() {
    if (!name.trim() || busy) return;
    setBusy(true);
    try {
      await onAdd(name.trim());
      setName('');
    } catch (err) {
      toast(errorText(err), 'error');
    } finally {
      setBusy(false);
      ref.current?.focus();
    }
  }
  if (!open)
    return html`<button type="button" class="bcol-add" onClick=${() => setOpen(true)}>
      <${Icon} name="plus" class="icon icon-sm" />${t('boards.column.add')}
    </button>`;
  return html`<div class="bcol-add-form">
    <input ref=${ref} class="input" value=${name} maxlength="100" aria-label=${t('boards.column.name')}
      placeholder=${t('boards.column.name_placeholder')} onInput=${(e) => setName(e.currentTarget.value)}
      onKeyDown=${(e) => {
        if (e.key === 'Enter') submit();
        else if (e.key === 'Escape') {
          e.stopPropagation();
          setOpen(false);
        }
      }} />
    <div class="badd-actions">
      <${Button} size="sm" busy=${busy} onClick=${submit}>${t('boards.column.add_submit')}<//>
      <button type="button" class="icon-button" aria-label=${t('action.cancel')} title=${t('action.cancel')} onClick=${() => setOpen(false)}>
        <${Icon} name="close" />
      </button>
    </div>
  </div>`;
}

function FilterBar({ filters, board, me, shown, total, onArchived }) {
  const go = (changes) => navigate(withQuery(changes), { replace: true });
  const [q, setQ] = useState(filters.q);
  useEffect(() => setQ(filters.q), [filters.q]);
  useEffect(() => {
    if (q === filters.q) return undefined;
    const timer = setTimeout(() => go({ q }), 200);
    return () => clearTimeout(timer);
  }, [q]);
  const others = board.members.filter((m) => m.id !== me);
  const select = (name, value, label, options, icon) => html`<label class=${'bfilter' + (value ? ' is-active' : '')}>
    <span class="visually-hidden">${label}</span>
    <${Icon} name=${icon} class="icon icon-sm" />
    <select class="bfilter-select" value=${value} onChange=${(e) => go({ [name]: e.currentTarget.value })}>
      ${options.map((o) => html`<option value=${o.value}>${o.label}</option>`)}
    </select>
  </label>`;
  return html`<div class="bfilters" role="search" aria-label=${t('boards.filter.bar')}>
    <label class="bsearch">
      <span class="visually-hidden">${t('boards.filter.search')}</span>
      <${Icon} name="search" class="icon icon-sm" />
      <input class="bsearch-input" type="search" value=${q} placeholder=${t('boards.filter.search_placeholder')}
        onInput=${(e) => setQ(e.currentTarget.value)} />
    </label>
    ${select('assignee', filters.assignee, t('boards.filter.assignee'), [
      { value: '', label: t('boards.filter.anyone') },
      { value: 'me', label: t('boards.filter.me') },
      { value: 'none', label: t('boards.filter.nobody') },
      ...others.map((m) => ({ value: String(m.id), label: m.name })),
    ], 'user')}
    ${select('label', filters.label, t('boards.filter.label'), [
      { value: '', label: t('boards.filter.any_label') },
      ...board.labels.map((l) => ({ value: String(l.id), label: l.name })),
    ], 'tag')}
    ${select('due', filters.due, t('boards.filter.due'), [
      { value: '', label: t('boards.filter.any_due') },
      { value: 'overdue', label: t('boards.filter.overdue') },
      { value: 'today', label: t('boards.filter.today') },
      { value: 'week', label: t('boards.filter.week') },
      { value: 'none', label: t('boards.filter.no_due') },
    ], 'calendar')}
    ${activeFilters(filters) &&
    html`<span class="bfilter-summary" role="status">${t('boards.filter.shown', { shown, total })}</span>
      <button type="button" class="bfilter-clear" onClick=${() => go({ assignee: '', label: '', due: '', q: '' })}>
        <${Icon} name="close" class="icon icon-xs" />${t('boards.filter.clear')}
      </button>`}
    <button type="button" class="bfilter-archived" onClick=${onArchived}>
      <${Icon} name="archive" class="icon icon-sm" />${t('boards.archived.button')}
    </button>
  </div>`;
}

function BoardSkeleton() {
  return html`<div class="board board-skeleton" aria-busy="true">
    <span class="visually-hidden">${t('state.loading')}</span>
    ${[4, 3, 2].map(
      (n, i) => html`<div class="bcol" key=${i} aria-hidden="true">
        <div class="bcol-head"><span class="sk sk-line sk-w40"></span></div>
        <div class="bcol-cards">${Array.from({ length: n }, (_, j) => html`<div class="bcard bcard-sk" key=${j}><span class="sk sk-line sk-w75"></span><span class="sk sk-line sk-w40"></span></div>`)}</div>
      </div>`,
    )}
  </div>`;
}

/* Name, WIP limit and the "done" flag of a column. onSave(change) may throw; its error shows here. */
function ColumnDialog({ column, onSave, onClose }) {
  const [name, setName] = useState(column.name);
  const [limit, setLimit] = useState(column.wip_limit != null ? String(column.wip_limit) : '');
  const [done, setDone] = useState(column.done);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const ids = { name: useId('cname'), limit: useId('climit'), done: useId('cdone') };
  async function save(e) {
    e?.preventDefault();
    const n = limit.trim() === '' ? null : Number(limit);
    if (!name.trim()) return setError(t('boards.column.name_required'));
    if (n !== null && (!Number.isInteger(n) || n < 1 || n > 10000)) return setError(t('boards.column.wip_invalid'));
    setBusy(true);
    setError(null);
    try {
      await onSave({ name: name.trim(), wip_limit: n, done });
      onClose();
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  }
  return html`<${Dialog} title=${t('boards.column.settings_title', { name: column.name })} onClose=${onClose}
    footer=${html`<${Button} kind="secondary" onClick=${onClose} disabled=${busy}>${t('action.cancel')}<//>
      <${Button} busy=${busy} onClick=${save}>${t('action.save')}<//>`}>
    <form class="form" onSubmit=${save} novalidate>
      ${error && html`<${Alert} kind="error">${error}<//>`}
      <div class="field">
        <label class="field-label" for=${ids.name}>${t('boards.column.name')}</label>
        <input id=${ids.name} class="input" value=${name} maxlength="100" onInput=${(e) => setName(e.currentTarget.value)} />
      </div>
      <div class="field">
        <label class="field-label" for=${ids.limit}>${t('boards.column.wip')}</label>
        <input id=${ids.limit} class="input input-short" type="number" min="1" max="10000" inputmode="numeric" value=${limit}
          placeholder=${t('boards.column.wip_none')} aria-describedby=${ids.limit + '-hint'} onInput=${(e) => setLimit(e.currentTarget.value)} />
        <p class="field-hint" id=${ids.limit + '-hint'}>${t('boards.column.wip_hint')}</p>
      </div>
      <label class="bcheck-row" for=${ids.done}>
        <input id=${ids.done} type="checkbox" checked=${done} onChange=${(e) => setDone(e.currentTarget.checked)} />
        <span><span class="bcheck-title">${t('boards.column.done')}</span>
          <span class="bcheck-hint">${t('boards.column.done_hint')}</span></span>
      </label>
      <button type="submit" class="visually-hidden" tabindex="-1">${t('action.save')}</button>
    </form>
  <//>`;
}

/* The archived cards of the board, each with "Restore" and "Open". */
function ArchivedDialog({ board, onOpen, onRestored, onClose }) {
  const [state, setState] = useState({ cards: null, error: null });
  const [busy, setBusy] = useState(null);
  useEffect(() => {
    getBoard(board.id, { archived: 1 }).then(
      (b) => setState({ cards: b.columns.flatMap((col) => col.cards.map((c) => ({ ...c, columnName: col.name }))), error: null }),
      (error) => setState({ cards: null, error }),
    );
  }, []);
  async function restore(card) {
    setBusy(card.id);
    try {
      const fresh = await updateCard(board, card.id, card.version, { archived: false });
      setState((s) => ({ ...s, cards: s.cards.filter((c) => c.id !== card.id) }));
      onRestored(fresh);
      toast(t('boards.archived.restored', { title: card.title }));
    } catch (err) {
      setState((s) => ({ ...s, error: err }));
    } finally {
      setBusy(null);
    }
  }
  return html`<${Dialog} title=${t('boards.archived.title')} onClose=${onClose} wide>
    ${state.error && html`<${Alert} kind="error">${errorText(state.error)}<//>`}
    ${!state.cards && !state.error && html`<div class="loading-row"><span class="spinner" aria-hidden="true"></span>${t('state.loading')}</div>`}
    ${state.cards?.length === 0 && html`<p class="dialog-text">${t('boards.archived.empty')}</p>`}
    ${state.cards?.length > 0 &&
    html`<ul class="barchived">
      ${state.cards.map(
        (c) => html`<li class="barchived-item" key=${c.id}>
          <div class="barchived-text">
            <button type="button" class="barchived-title" onClick=${() => onOpen(c.id)}>${c.title}</button>
            <span class="barchived-where">${c.columnName}</span>
          </div>
          <${Button} kind="secondary" size="sm" busy=${busy === c.id} onClick=${() => restore(c)}>
            <${Icon} name="restore" class="icon icon-sm" />${t('boards.card.restore')}<//>
        </li>`,
      )}
    </ul>`}
  <//>`;
}

/* A short form for a new board of the project. */
function NewBoardDialog({ projectId, onDone, onClose }) {
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const id = useId('bname');
  async function save(e) {
    e?.preventDefault();
    if (!name.trim()) return setError(t('boards.board.name_required'));
    setBusy(true);
    try {
      onDone(await createBoard(projectId, name.trim()));
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  }
  return html`<${Dialog} title=${t('boards.board.new_title')} onClose=${onClose}
    footer=${html`<${Button} kind="secondary" onClick=${onClose} disabled=${busy}>${t('action.cancel')}<//>
      <${Button} busy=${busy} onClick=${save}>${t('boards.board.create')}<//>`}>
    <form class="form" onSubmit=${save} novalidate>
      <p class="dialog-text">${t('boards.board.new_lead')}</p>
      ${error && html`<${Alert} kind="error">${error}<//>`}
      <div class="field">
        <label class="field-label" for=${id}>${t('boards.board.name')}</label>
        <input id=${id} class="input" value=${name} maxlength="200" onInput=${(e) => setName(e.currentTarget.value)} />
      </div>
    </form>
  <//>`;
}

/*
 * Project projectId with one of its boards (?board=, else the first): columns of cards,
 * asked for again every few seconds while the tab is visible; ?card= opens in a dialog.
 */
export function BoardPage({ projectId }) {
  const { user } = useSession();
  const me = user?.id;
  const query = useQuery();
  const filters = readFilters(query);
  const cardId = Number(query.get('card')) || null;
  const [project, setProject] = useState(null);
  const [board, setBoard] = useState(null);
  const [error, setError] = useState(null);
  const [adding, setAdding] = useState(null); // column id with an open "add card" form
  const [grab, setGrab] = useState(null); // keyboard move of a card: { id, origin: board }
  const [colGrab, setColGrab] = useState(null); // keyboard move of a column: { id, origin: board }
  const [announce, setAnnounce] = useState('');
  const [dialog, setDialog] = useState(null); // 'project' | 'archived' | 'board' | { archiveColumn } | { column }
  const boardRef = useRef(null);
  const boardState = useRef(null);
  boardState.current = board;
  const mutations = useRef(0); // bumped by every local change, so older polls are dropped
  const focusAfter = useRef(null); // selector of what to focus after the next render
  const helpId = useId('bhelp');
  const serverKey = JSON.stringify(serverFilters(filters));

  const wanted = Number(query.get('board')) || null;
  const boardId = project ? (project.boards.find((b) => b.id === wanted) || project.boards[0])?.id ?? null : null;

  async function loadBoard({ silent } = {}) {
    if (!boardId) return;
    const mark = mutations.current;
    try {
      const fresh = await getBoard(boardId, serverFilters(filters));
      if (mark !== mutations.current) return; // a change of ours happened meanwhile: the next poll brings it
      setBoard(fresh);
      setError(null);
    } catch (err) {
      if (!silent) setError(err);
    }
  }

  useEffect(() => {
    let live = true;
    setProject(null);
    setBoard(null);
    setError(null);
    getProject(projectId).then(
      (p) => live && setProject(p),
      (err) => live && setError(err),
    );
    return () => (live = false);
  }, [projectId]);

  useEffect(() => {
    mutations.current++;
    if (boardState.current?.id !== boardId) setBoard(null);
    loadBoard();
  }, [boardId, serverKey]);

  // Others' changes arrive as realtime events about this board or its project (polling only
  // while the socket is down); never reloaded in the middle of a move.
  const busy = useRef(false);
  busy.current = !!(grab || colGrab);
  const refreshBoard = useRef(null);
  refreshBoard.current = () => {
    if (busy.current || document.body.classList.contains('is-board-dragging')) return;
    loadBoard({ silent: true });
  };
  useLiveRefresh(() => boardId && refreshBoard.current(), {
    prefixes: ['card.', 'board.', 'project.'],
    match: (data) => data?.board_id === boardId || (data?.project_id != null && data.project_id === project?.id),
    pollMs: POLL_MS,
    deps: [boardId, serverKey, project?.id],
  });

  useLayoutEffect(() => {
    const sel = focusAfter.current;
    if (!sel) return;
    focusAfter.current = null;
    const el = boardRef.current?.querySelector(sel);
    el?.focus();
    el?.scrollIntoView?.({ block: 'nearest', inline: 'nearest' });
  });

  function change(next) {
    mutations.current++;
    setBoard(next);
  }

  /* ---------- card moves ---------- */

  async function commitMove(cardId, before, after) {
    const from = locate(before, cardId);
    const to = locate(after, cardId);
    if (!to || (from && from.column.id === to.column.id && from.index === to.index)) return;
    const next = to.column.cards[to.index + 1];
    const prev = to.column.cards[to.index - 1];
    try {
      mutations.current++;
      const answer = await moveCard(cardId, to.column.id, next ? { beforeId: next.id } : prev ? { afterId: prev.id } : {});
      const b = boardState.current;
      if (answer?.version != null && b)
        change({ ...b, columns: b.columns.map((col) => ({ ...col, cards: col.cards.map((c) => (c.id === cardId ? { ...c, version: answer.version } : c)) })) });
    } catch (err) {
      toast(t('boards.move.failed', { reason: errorText(err) }), 'error');
      mutations.current++;
      loadBoard();
    }
  }

  function dropCard(id, target) {
    const before = boardState.current;
    const after = moveRelative(before, id, target.columnId, target);
    change(after);
    const at = locate(after, id);
    if (at) setAnnounce(t('boards.move.dropped', { title: at.column.cards[at.index].title, column: at.column.name, position: at.index + 1, count: at.column.cards.length }));
    commitMove(id, before, after);
  }

  async function commitColumns(before, after) {
    const ids = after.columns.map((c) => c.id);
    if (ids.join() === before.columns.map((c) => c.id).join()) return;
    try {
      mutations.current++;
      await reorderColumns(after.id, ids);
      mutations.current++;
    } catch (err) {
      toast(t('boards.column.move_failed', { reason: errorText(err) }), 'error');
      mutations.current++;
      loadBoard();
    }
  }

  function dropColumn(id, target) {
    const before = boardState.current;
    const after = moveColumnLocal(before, id, target.index);
    change(after);
    commitColumns(before, after);
  }

  const { drag, onPointerDown, consumeClick } = usePointerDrag({
    rootRef: boardRef,
    onCardDrop: dropCard,
    onColumnDrop: dropColumn,
    disabled: !!(grab || colGrab),
  });

  /* ---------- the view: the text search ---------- */

  const view = useMemo(() => {
    if (!board) return null;
    const filtered = activeFilters(filters);
    const columns = filters.q ? board.columns.map((col) => ({ ...col, cards: col.cards.filter((c) => matches(c, filters.q)) })) : board.columns;
    return { columns, filtered };
  }, [board, filters.assignee, filters.label, filters.due, filters.q]);

  /* ---------- keyboard ---------- */

  function describe(b, id) {
    const at = locate(b, id);
    return at ? t('boards.move.position', { column: at.column.name, position: at.index + 1, count: at.column.cards.length }) : '';
  }

  /* Moves the grabbed card one step among the cards shown; returns the new board. */
  function stepCard(b, id, key) {
    const cols = view.columns;
    const ci = cols.findIndex((c) => c.cards.some((x) => x.id === id));
    if (ci < 0) return b;
    const list = cols[ci].cards.filter((x) => x.id !== id);
    const i = cols[ci].cards.findIndex((x) => x.id === id);
    let col = cols[ci];
    let index = i;
    let others = list;
    if (key === 'ArrowUp') index = Math.max(0, i - 1);
    else if (key === 'ArrowDown') index = Math.min(list.length, i + 1);
    else {
      const nci = ci + (key === 'ArrowLeft' ? -1 : 1);
      if (nci < 0 || nci >= cols.length) return b;
      col = cols[nci];
      others = col.cards;
      index = Math.min(i, others.length);
    }
    return moveRelative(b, id, col.id, { beforeId: others[index]?.id ?? null, afterId: others[index - 1]?.id ?? null });
  }

  function cardKey(e, card) {
    const key = e.key;
    const self = `[data-card-id="${card.id}"] .bcard`;
    if (grab) {
      if (grab.id !== card.id) return;
      if (['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight'].includes(key)) {
        e.preventDefault();
        const next = stepCard(board, card.id, key);
        if (next !== board) {
          change(next);
          focusAfter.current = self;
        }
        setAnnounce(describe(next, card.id));
      } else if (key === ' ' || key === 'Enter') {
        e.preventDefault();
        const origin = grab.origin;
        setGrab(null);
        setAnnounce(t('boards.move.kbd_dropped', { title: card.title, where: describe(board, card.id) }));
        commitMove(card.id, origin, board);
      } else if (key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        change(grab.origin);
        setGrab(null);
        focusAfter.current = self;
        setAnnounce(t('boards.move.cancelled', { title: card.title }));
      }
      return;
    }
    if (key === 'Enter') {
      e.preventDefault();
      openCard(card.id);
    } else if (key === ' ') {
      e.preventDefault();
      setGrab({ id: card.id, origin: board });
      setAnnounce(t('boards.move.grabbed', { title: card.title, where: describe(board, card.id) }));
    } else if (['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight'].includes(key)) {
      // Arrows without a grabbed card move the focus, like in a grid.
      e.preventDefault();
      const cols = view.columns;
      const ci = cols.findIndex((c) => c.cards.some((x) => x.id === card.id));
      const i = cols[ci].cards.findIndex((x) => x.id === card.id);
      let target = null;
      if (key === 'ArrowUp') target = cols[ci].cards[i - 1];
      else if (key === 'ArrowDown') target = cols[ci].cards[i + 1];
      else {
        const step = key === 'ArrowLeft' ? -1 : 1;
        for (let c = ci + step; c >= 0 && c < cols.length && !target; c += step)
          target = cols[c].cards[Math.min(i, cols[c].cards.length - 1)];
      }
      if (target) boardRef.current?.querySelector(`[data-card-id="${target.id}"] .bcard`)?.focus();
    }
  }

  function columnKey(e, column) {
    const key = e.key;
    const grip = `[data-drop-column="${column.id}"] .bcol-grip`;
    if (colGrab && colGrab.id === column.id) {
      if (key === 'ArrowLeft' || key === 'ArrowRight') {
        e.preventDefault();
        const i = board.columns.findIndex((c) => c.id === column.id);
        const next = moveColumnLocal(board, column.id, i + (key === 'ArrowLeft' ? -1 : 1));
        change(next);
        focusAfter.current = grip;
        setAnnounce(t('boards.column.position', { name: column.name, position: next.columns.findIndex((c) => c.id === column.id) + 1, count: next.columns.length }));
      } else if (key === ' ' || key === 'Enter') {
        e.preventDefault();
        const origin = colGrab.origin;
        setColGrab(null);
        setAnnounce(t('boards.column.dropped', { name: column.name }));
        commitColumns(origin, board);
      } else if (key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        change(colGrab.origin);
        setColGrab(null);
        focusAfter.current = grip;
        setAnnounce(t('boards.move.cancelled', { title: column.name }));
      }
      return;
    }
    if (key === ' ' || key === 'Enter') {
      e.preventDefault();
      setColGrab({ id: column.id, origin: board });
      setAnnounce(t('boards.column.grabbed', { name: column.name }));
    }
  }

  // Leaving a grabbed card or column (focus goes elsewhere) drops it where it is.
  useEffect(() => {
    if (!grab && !colGrab) return undefined;
    const onFocus = (e) => {
      const el = e.target;
      if (grab && el.closest?.(`[data-card-id="${grab.id}"]`)) return;
      if (colGrab && el.closest?.(`[data-drop-column="${colGrab.id}"] .bcol-grip`)) return;
      if (grab) {
        commitMove(grab.id, grab.origin, boardState.current);
        setGrab(null);
      }
      if (colGrab) {
        commitColumns(colGrab.origin, boardState.current);
        setColGrab(null);
      }
    };
    document.addEventListener('focusin', onFocus);
    return () => document.removeEventListener('focusin', onFocus);
  }, [grab, colGrab]);

  /* ---------- cards and columns ---------- */

  function openCard(id) {
    navigate(withQuery({ card: id }));
  }

  function closeCard() {
    navigate(withQuery({ card: '' }));
    if (cardId) focusAfter.current = `[data-card-id="${cardId}"] .bcard`;
  }

  function cardAdded(columnId, card) {
    const b = boardState.current;
    change({ ...b, columns: b.columns.map((c) => (c.id === columnId ? { ...c, card_count: (c.card_count ?? c.cards.length) + 1, cards: [...c.cards, { ...card, column_id: columnId }] } : c)) });
    setAnnounce(t('boards.card.added', { title: card.title, column: b.columns.find((c) => c.id === columnId)?.name || '' }));
  }

  function cardChanged(card) {
    const b = boardState.current;
    if (!b) return;
    if (!locate(b, card.id)) {
      // Restored from the archive, or moved in from elsewhere: ask for the board again.
      if (!card.archived) {
        mutations.current++;
        loadBoard({ silent: true });
      }
      return;
    }
    change(putCard(b, card));
  }

  function labelCreated(label) {
    const b = boardState.current;
    if (!b || b.labels.some((l) => l.id === label.id)) return;
    const labels = [...b.labels, label].sort((x, y) => x.name.localeCompare(y.name));
    change({ ...b, labels, ctx: { ...b.ctx, labels: new Map(labels.map((l) => [l.id, l])) } });
  }

  async function cardMovedFromDialog(card, columnId) {
    const before = boardState.current;
    change(moveRelative(before, card.id, columnId, {}));
    mutations.current++;
    try {
      await moveCard(card.id, columnId);
    } catch (err) {
      mutations.current++;
      loadBoard();
      throw err;
    }
  }

  /* Column changes answer with every column of the board; their cards stay as they are here. */
  function takeColumns(answer) {
    const b = boardState.current;
    if (!answer?.columns || !b) return loadBoard({ silent: true });
    const cards = new Map(b.columns.map((c) => [c.id, c.cards]));
    const columns = answer.columns
      .filter((c) => !c.archived)
      .sort((x, y) => x.position - y.position)
      .map((c) => ({ ...c, id: Number(c.id), done: !!c.done, cards: cards.get(Number(c.id)) || [] }));
    change({ ...b, columns });
  }

  async function renameColumn(column, name) {
    const b = boardState.current;
    change({ ...b, columns: b.columns.map((c) => (c.id === column.id ? { ...c, name } : c)) });
    try {
      takeColumns(await updateColumn(b.id, column.id, { name }));
    } catch (err) {
      toast(errorText(err), 'error');
      loadBoard();
    }
  }

  function shiftColumn(id, step) {
    const before = boardState.current;
    const i = before.columns.findIndex((c) => c.id === id);
    const after = moveColumnLocal(before, id, i + step);
    change(after);
    commitColumns(before, after);
  }

  async function addNewColumn(name) {
    takeColumns(await addColumn(board.id, name));
  }

  async function archiveColumn(column) {
    takeColumns(await updateColumn(board.id, column.id, { archived: true }));
    toast(t('boards.column.archived', { name: column.name }));
  }

  const api = {
    openCard,
    cardKey,
    columnKey,
    consumeClick,
    cardAdded,
    renameColumn,
    shiftColumn,
    startRename: (id) => requestAnimationFrame(() => boardRef.current?.querySelector(`[data-drop-column="${id}"] .bcol-name-button`)?.click()),
    columnSettings: (column) => setDialog({ column }),
    askArchiveColumn: (column) => setDialog({ archiveColumn: column }),
  };

  /* ---------- page ---------- */

  const title = project?.name || board?.project?.name || t('app.nav.projects');
  const back = html`<a class="back-link" href="/app/projects"><${Icon} name="arrow_left" class="icon icon-sm" />${t('boards.back')}</a>`;

  if (error && !board) {
    const missing = error.status === 404 || error.status === 403;
    return html`<div class="page">
      ${back}
      <${PageHeader} title=${t('app.nav.projects')} />
      <${EmptyState} icon=${missing ? 'search' : 'alert'} title=${t(missing ? 'boards.project.missing' : 'boards.error.load')}
        body=${missing ? t(error.status === 403 ? 'boards.project.forbidden_body' : 'boards.project.missing_body') : errorText(error)}>
        ${!missing && html`<${Button} onClick=${() => location.reload()}>${t('action.retry')}<//>`}
      <//>
    </div>`;
  }

  const shown = view ? view.columns.reduce((n, c) => n + c.cards.length, 0) : 0;
  const total = board ? board.columns.reduce((n, c) => n + (view?.filtered ? (c.card_count ?? c.cards.length) : c.cards.length), 0) : 0;
  const boards = project?.boards || [];

  return html`<div class="page bpage">
    <div class="bpage-head">
      <div class="bpage-title-row">
        ${back}
        <div class="bpage-titles">
          <h1 class="page-title bpage-title" tabindex="-1">${title}</h1>
          ${project?.account && html`<span class="badge badge-accent" title=${t('boards.project.account')}>${project.account.name}</span>`}
          ${project?.archived && html`<span class="badge badge-neutral">${t('boards.project.archived_badge')}</span>`}
        </div>
        ${project?.description && html`<p class="page-lead bpage-lead">${project.description}</p>`}
      </div>
      <div class="bpage-actions">
        ${project?.members?.length > 0 && html`<${AvatarStack} people=${project.members} max=${5} size="sm" />`}
        ${project &&
        html`<${Button} kind="secondary" size="sm" onClick=${() => setDialog('project')} title=${t('boards.project.edit')}>
          <${Icon} name="edit" class="icon icon-sm" />${t('boards.project.edit')}
        <//>`}
      </div>
    </div>
    ${project &&
    (boards.length > 1 || boards.length === 0) &&
    html`<nav class="btabs-row" aria-label=${t('boards.board.tabs')}>
      ${boards.map(
        (b) => html`<a key=${b.id} class="btab-link" href=${`/app/projects/${project.id}?board=${b.id}`}
          aria-current=${b.id === boardId ? 'page' : undefined}>${b.name}</a>`,
      )}
      <button type="button" class="btab-add" onClick=${() => setDialog('board')}><${Icon} name="plus" class="icon icon-sm" />${t('boards.board.new')}</button>
    </nav>`}
    ${board && html`<${FilterBar} filters=${filters} board=${board} me=${me} shown=${shown} total=${total} onArchived=${() => setDialog('archived')} />`}
    ${error && board && html`<${Alert} kind="error">${errorText(error)}<//>`}
    <p class="visually-hidden" id=${helpId}>${t('boards.help.card')}</p>
    <p class="visually-hidden" id=${helpId + '-col'}>${t('boards.help.column')}</p>
    <div class="visually-hidden" role="status" aria-live="assertive" aria-atomic="true">${announce}</div>
    ${project && !boardId
      ? html`<${EmptyState} icon="board" title=${t('boards.board.none')} body=${t('boards.board.none_body')}>
          <${Button} onClick=${() => setDialog('board')}>${t('boards.board.new')}<//><//>`
      : !board || !view
        ? html`<${BoardSkeleton} />`
        : html`<div class="board" ref=${boardRef} onPointerDown=${onPointerDown} data-board-id=${board.id}>
          ${view.columns.map((column, i) => {
            const el = html`<${Column} key=${column.id} column=${column} index=${i} count=${view.columns.length} view=${view}
              board=${board} drag=${drag} grab=${grab} colGrab=${colGrab} helpId=${helpId} adding=${adding} setAdding=${setAdding} api=${api} />`;
            if (drag?.kind !== 'column') return el;
            const shownIndex = view.columns.filter((c) => c.id !== drag.id).findIndex((c) => c.id === column.id);
            return shownIndex === drag.index
              ? [html`<div class="bcol-placeholder" key="colph" style=${{ width: `${drag.width}px` }} aria-hidden="true"></div>`, el]
              : el;
          })}
          ${drag?.kind === 'column' && drag.index >= view.columns.length - 1 && html`<div class="bcol-placeholder" key="colph" style=${{ width: `${drag.width}px` }} aria-hidden="true"></div>`}
          <div class="bcol-add-wrap"><${AddColumn} onAdd=${addNewColumn} /></div>
        </div>`}
    ${cardId && board &&
    html`<${CardDialog} key=${cardId} cardId=${cardId} board=${board} user=${user} onClose=${closeCard}
      onChange=${cardChanged} onMove=${cardMovedFromDialog} onLabelCreated=${labelCreated} />`}
    ${dialog === 'project' &&
    html`<${ProjectDialog} project=${project} onClose=${() => setDialog(null)}
      onDone=${(p) => {
        setProject(p);
        setDialog(null);
        loadBoard({ silent: true });
      }} />`}
    ${dialog === 'archived' && board &&
    html`<${ArchivedDialog} board=${board} onClose=${() => setDialog(null)}
      onOpen=${(id) => {
        setDialog(null);
        openCard(id);
      }}
      onRestored=${() => {
        mutations.current++;
        loadBoard({ silent: true });
      }} />`}
    ${dialog === 'board' && project &&
    html`<${NewBoardDialog} projectId=${project.id} onClose=${() => setDialog(null)}
      onDone=${async (b) => {
        setDialog(null);
        setProject(await getProject(project.id));
        navigate(`/app/projects/${project.id}?board=${b.id}`);
      }} />`}
    ${dialog?.column &&
    html`<${ColumnDialog} column=${dialog.column} onClose=${() => setDialog(null)}
      onSave=${async (change) => takeColumns(await updateColumn(board.id, dialog.column.id, change))} />`}
    ${dialog?.archiveColumn &&
    html`<${ConfirmDialog} title=${t('boards.column.archive_title', { name: dialog.archiveColumn.name })} danger
      confirmLabel=${t('boards.column.archive_confirm')}
      body=${dialog.archiveColumn.cards.length ? t('boards.column.archive_body_cards') : t('boards.column.archive_body')}
      onConfirm=${() => archiveColumn(dialog.archiveColumn)} onClose=${() => setDialog(null)} />`}
  </div>`;
}
