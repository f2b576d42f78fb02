// Pieces the boards pages share: labels in colour, due dates, priorities, avatar stacks, local board edits.
import { html } from '/shared/preact.js';
import { getLang, t } from '/shared/i18n.js';
import { Icon } from '/shared/ui.js';
import { PersonAvatar } from '/app/feed/common.js';

/* ---------- labels ---------- */

const LABEL_HUES = 9;

const HEX = /^#[0-9a-f]{6}$/i;

/* A label without a colour of its own gets one of nine, always the same for the same name. */
export function labelHue(l) {
  let h = 0;
  for (const ch of String(l.name).toLowerCase()) h = (h * 31 + ch.codePointAt(0)) >>> 0;
  return h % LABEL_HUES;
}

/* The label's own colour (a CSS custom property set through the CSSOM, which the CSP allows). */
export function labelStyle(label) {
  return HEX.test(label.color || '') ? { '--hue': label.color } : undefined;
}

export function LabelPill({ label, onRemove, small }) {
  return html`<span class=${`blabel blabel-${labelHue(label)}${small ? ' blabel-sm' : ''}`} style=${labelStyle(label)}>
    <span class="blabel-text">${label.name}</span>
    ${onRemove &&
    html`<button type="button" class="blabel-remove" aria-label=${t('boards.label.remove', { name: label.name })}
      title=${t('boards.label.remove', { name: label.name })} onClick=${onRemove}><${Icon} name="close" class="icon icon-xs" /></button>`}
  </span>`;
}

/* ---------- dates ---------- */

function pad(n) {
  return String(n).padStart(2, '0');
}

/* Today in the browser's time zone as "YYYY-MM-DD". */
export function today(offsetDays = 0) {
  const d = new Date();
  d.setDate(d.getDate() + offsetDays);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function localDate(ymd) {
  const [y, m, d] = ymd.split('-').map(Number);
  return new Date(y, m - 1, d);
}

/* 'overdue' | 'today' | 'soon' (within two days) | 'later' | 'done' | null */
export function dueState(due, done) {
  if (!due) return null;
  if (done) return 'done';
  const now = today();
  if (due < now) return 'overdue';
  if (due === now) return 'today';
  if (due <= today(2)) return 'soon';
  return 'later';
}

/* "12 Mar" (this year) or "12 Mar 2026"; "Today", "Tomorrow", "Yesterday" near now. */
export function formatDue(due) {
  if (!due) return '';
  if (due === today()) return t('boards.due.today');
  if (due === today(1)) return t('boards.due.tomorrow');
  if (due === today(-1)) return t('boards.due.yesterday');
  const d = localDate(due);
  const sameYear = d.getFullYear() === new Date().getFullYear();
  return new Intl.DateTimeFormat(getLang(), { day: 'numeric', month: 'short', ...(sameYear ? {} : { year: 'numeric' }) }).format(d);
}

export function formatDueLong(due) {
  return due ? new Intl.DateTimeFormat(getLang(), { dateStyle: 'full' }).format(localDate(due)) : '';
}

export function DueBadge({ due, done, long }) {
  const state = dueState(due, done);
  if (!state) return null;
  const text = formatDue(due);
  const title = state === 'overdue' ? t('boards.due.overdue_title', { date: formatDueLong(due) }) : t('boards.due.title', { date: formatDueLong(due) });
  return html`<span class=${`bdue bdue-${state}`} title=${title}>
    <${Icon} name=${state === 'done' ? 'check' : 'clock'} class="icon icon-xs" />
    <span>${long && state === 'overdue' ? t('boards.due.overdue_short', { date: text }) : text}</span>
    <span class="visually-hidden">${title}</span>
  </span>`;
}

/* ---------- priority ---------- */

export function PriorityBadge({ priority, quiet }) {
  if (!priority || (quiet && (priority === 'normal' || priority === 'low'))) return null;
  const text = t(`boards.priority.${priority}`);
  return html`<span class=${`bprio bprio-${priority}`} title=${t('boards.priority.title', { level: text })}>
    <${Icon} name="flag" class="icon icon-xs" /><span>${text}</span>
  </span>`;
}

/* ---------- people ---------- */

/* Up to max avatars, overlapping, with "+n" for the rest; the names in the tooltip. */
export function AvatarStack({ people, max = 3, size = 'xs' }) {
  if (!people?.length) return null;
  const shown = people.slice(0, max);
  const rest = people.length - shown.length;
  const names = people.map((p) => p.name).join(', ');
  return html`<span class=${`avatar-stack avatar-stack-${size}`} title=${names}>
    ${shown.map((p) => html`<${PersonAvatar} key=${p.id} person=${p} />`)}
    ${rest > 0 && html`<span class="avatar avatar-more" aria-hidden="true">+${rest}</span>`}
    <span class="visually-hidden">${t('boards.assigned_to', { names })}</span>
  </span>`;
}

/* ---------- paths ---------- */

export const projectPath = (projectId) => `/app/projects/${projectId}`;
export const cardPath = (projectId, cardId, boardId) =>
  `/app/projects/${projectId}?${boardId ? `board=${boardId}&` : ''}card=${cardId}`;

/* ---------- local edits of a board (optimistic moves) ---------- */

/* The board with the card taken out of its column and put into columnId at index. */
export function moveLocal(board, cardId, columnId, index) {
  let card = null;
  const columns = board.columns.map((col) => {
    const i = col.cards.findIndex((c) => c.id === cardId);
    if (i < 0) return col;
    card = col.cards[i];
    return { ...col, cards: col.cards.filter((c) => c.id !== cardId) };
  });
  if (!card) return board;
  return {
    ...board,
    columns: columns.map((col) => {
      if (col.id !== columnId) return col;
      const cards = [...col.cards];
      cards.splice(Math.max(0, Math.min(index, cards.length)), 0, { ...card, column_id: columnId });
      return { ...col, cards };
    }),
  };
}

/* Where the card sits in the board: { column, columnIndex, index } or null. */
export function locate(board, cardId) {
  for (let ci = 0; ci < board.columns.length; ci++) {
    const index = board.columns[ci].cards.findIndex((c) => c.id === cardId);
    if (index >= 0) return { column: board.columns[ci], columnIndex: ci, index };
  }
  return null;
}

/* The move request that puts the card where it now sits: before its next neighbour, else after its previous one. */
export function placement(board, cardId) {
  const at = locate(board, cardId);
  if (!at) return null;
  const next = at.column.cards[at.index + 1];
  const prev = at.column.cards[at.index - 1];
  return { columnId: at.column.id, beforeId: next?.id ?? null, afterId: next ? null : (prev?.id ?? null) };
}

export function moveColumnLocal(board, columnId, index) {
  const col = board.columns.find((c) => c.id === columnId);
  if (!col) return board;
  const rest = board.columns.filter((c) => c.id !== columnId);
  rest.splice(Math.max(0, Math.min(index, rest.length)), 0, col);
  return { ...board, columns: rest };
}

/* Replaces the card's summary fields everywhere it appears (it may have moved column too). */
export function putCard(board, card) {
  const at = locate(board, card.id);
  if (!at) return board;
  const merged = { ...at.column.cards[at.index], ...summaryOf(card) };
  if (merged.archived) return { ...board, columns: board.columns.map((col) => ({ ...col, cards: col.cards.filter((c) => c.id !== card.id) })) };
  if (card.column_id != null && card.column_id !== at.column.id) {
    const moved = moveLocal(board, card.id, card.column_id, Infinity);
    return putCard(moved, card);
  }
  return {
    ...board,
    columns: board.columns.map((col) => (col.id === at.column.id ? { ...col, cards: col.cards.map((c) => (c.id === card.id ? merged : c)) } : col)),
  };
}

/* The fields a card tile shows, taken from a full card. */
export function summaryOf(card) {
  const out = {};
  for (const k of ['title', 'assignees', 'labels', 'due_date', 'priority', 'archived', 'version', 'column_id'])
    if (card[k] !== undefined) out[k] = card[k];
  if (card.checklist) {
    out.checklist_total = card.checklist.length;
    out.checklist_done = card.checklist.filter((i) => i.done).length;
  }
  if (card.comments) out.comment_count = card.comments.length;
  if (card.files) out.file_count = card.files.length;
  if (card.description !== undefined) out.has_description = !!card.description;
  return out;
}

/* Cards in a "done" column are finished: their due dates no longer warn. */
export function isDoneColumn(board, columnId) {
  return !!board?.columns.find((c) => c.id === columnId)?.done;
}
