// Dragging cards and columns of a board with Pointer Events: mouse and pen after a small move, touch after a long press.
import { useEffect, useRef, useState } from '/shared/preact.js';

const MOUSE_SLOP = 5; // px a mouse moves before a press becomes a drag
const TOUCH_DELAY = 260; // ms a finger rests before a press becomes a drag
const TOUCH_SLOP = 10; // px a finger may wander meanwhile (more is a scroll)
const EDGE = 64; // px from a scroller's edge where auto-scroll starts
const SPEED = 11; // px per frame at the very edge; slower further in

/* Interactive things inside a card or column head that keep their own pointer behaviour. */
const OWN_POINTER = 'button:not([data-column-handle]), a, input, textarea, select, label, [contenteditable], .no-drag';

function center(rect) {
  return { x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 };
}

/* Where a dragged card would land: { columnId, index, beforeId, afterId } among the cards shown. */
function cardTarget(root, id, x, y) {
  const cols = [...root.querySelectorAll('[data-drop-column]')];
  if (!cols.length) return null;
  let col = cols.find((el) => {
    const r = el.getBoundingClientRect();
    return x >= r.left && x <= r.right;
  });
  if (!col) col = cols.reduce((best, el) => (Math.abs(center(el.getBoundingClientRect()).x - x) < Math.abs(center(best.getBoundingClientRect()).x - x) ? el : best));
  const list = col.querySelector('[data-card-list]');
  const cards = [...(list?.children || [])].filter((el) => el.dataset.cardId && el.dataset.cardId !== String(id));
  let index = 0;
  for (const el of cards) if (center(el.getBoundingClientRect()).y < y) index++;
  return {
    columnId: Number(col.dataset.dropColumn),
    index,
    beforeId: cards[index] ? Number(cards[index].dataset.cardId) : null,
    afterId: cards[index - 1] ? Number(cards[index - 1].dataset.cardId) : null,
    list,
  };
}

/* Where a dragged column would land: { index, beforeId, afterId }. */
function columnTarget(root, id, x) {
  const cols = [...root.querySelectorAll('[data-drop-column]')].filter((el) => el.dataset.dropColumn !== String(id));
  let index = 0;
  for (const el of cols) if (center(el.getBoundingClientRect()).x < x) index++;
  return {
    index,
    beforeId: cols[index] ? Number(cols[index].dataset.dropColumn) : null,
    afterId: cols[index - 1] ? Number(cols[index - 1].dataset.dropColumn) : null,
  };
}

function sameTarget(a, b) {
  return a && b && a.columnId === b.columnId && a.index === b.index;
}

/* Scrolls el when (x, y) is near one of its edges; returns true when it moved. */
function edgeScroll(el, x, y, axis) {
  if (!el) return false;
  const r = el.getBoundingClientRect();
  const speed = (d) => Math.max(1, Math.round(SPEED * (1 - Math.max(0, d) / EDGE) ** 2));
  let moved = false;
  if (axis === 'x') {
    const before = el.scrollLeft;
    if (x < r.left + EDGE) el.scrollLeft -= speed(x - r.left);
    else if (x > r.right - EDGE) el.scrollLeft += speed(r.right - x);
    moved = el.scrollLeft !== before;
  } else {
    const before = el.scrollTop;
    if (y < r.top + EDGE) el.scrollTop -= speed(y - r.top);
    else if (y > r.bottom - EDGE) el.scrollTop += speed(r.bottom - y);
    moved = el.scrollTop !== before;
  }
  return moved;
}

/*
 * Drag and drop inside the board element rootRef (the horizontal scroller). Cards carry
 * data-card-id, columns data-drop-column (their card list data-card-list), column heads
 * data-column-handle. onCardDrop(cardId, target) and onColumnDrop(columnId, target) get the
 * place under the pointer at release. Returns { drag, onPointerDown, consumeClick }:
 * drag is null or { kind, id, columnId, index, height, width } for drawing the placeholder;
 * consumeClick() is true once right after a drag (the click that ends it opens nothing).
 */
export function usePointerDrag({ rootRef, onCardDrop, onColumnDrop, disabled }) {
  const [drag, setDrag] = useState(null);
  const handlers = useRef({});
  handlers.current = { onCardDrop, onColumnDrop, disabled };
  const gesture = useRef(null);
  if (!gesture.current) gesture.current = makeGesture(rootRef, handlers, setDrag);
  useEffect(() => gesture.current.cleanup, []);
  return { drag, onPointerDown: gesture.current.onPointerDown, consumeClick: gesture.current.consumeClick };
}

/* The listeners of one board, made once so the same functions are added and removed. */
function makeGesture(rootRef, handlers, setDrag) {
  let live = null; // the gesture in progress
  let clickBlocked = false;

  function cleanup() {
    const g = live;
    live = null;
    if (!g) return;
    clearTimeout(g.timer);
    cancelAnimationFrame(g.frame);
    g.ghost?.remove();
    window.removeEventListener('pointermove', onMove);
    window.removeEventListener('pointerup', onUp);
    window.removeEventListener('pointercancel', onCancel);
    window.removeEventListener('keydown', onKey, true);
    window.removeEventListener('touchmove', blockTouchScroll);
    window.removeEventListener('contextmenu', blockMenu, true);
    document.body.classList.remove('is-board-dragging');
    rootRef.current?.classList.remove('is-dragging');
    try {
      if (g.active) rootRef.current?.releasePointerCapture(g.pointerId);
    } catch {
      /* released already */
    }
    setDrag(null);
  }

  function blockTouchScroll(e) {
    if (live?.active && e.cancelable) e.preventDefault();
  }

  function blockMenu(e) {
    if (live) e.preventDefault();
  }

  function start() {
    const g = live;
    const root = rootRef.current;
    if (!g || !root) return;
    const rect = g.el.getBoundingClientRect();
    g.active = true;
    g.dx = g.x0 - rect.left;
    g.dy = g.y0 - rect.top;
    const ghost = g.el.cloneNode(true);
    ghost.removeAttribute('id');
    for (const el of ghost.querySelectorAll('[id]')) el.removeAttribute('id');
    ghost.setAttribute('aria-hidden', 'true');
    ghost.classList.add('drag-ghost', `drag-ghost-${g.kind}`);
    ghost.style.width = `${rect.width}px`;
    ghost.style.height = `${rect.height}px`;
    document.body.append(ghost);
    g.ghost = ghost;
    g.width = rect.width;
    g.height = rect.height;
    try {
      root.setPointerCapture(g.pointerId);
    } catch {
      /* the pointer is gone already; pointerup will end it */
    }
    document.body.classList.add('is-board-dragging');
    root.classList.add('is-dragging');
    if (g.type === 'touch') navigator.vibrate?.(15);
    place(g.x0, g.y0);
    const target = g.kind === 'card' ? cardTarget(root, g.id, g.x0, g.y0) : columnTarget(root, g.id, g.x0);
    g.target = target;
    setDrag({ kind: g.kind, id: g.id, columnId: target?.columnId ?? null, index: target?.index ?? 0, height: rect.height, width: rect.width });
    const tick = () => {
      const cur = live;
      if (!cur?.active) return;
      const scroller = rootRef.current;
      let moved = edgeScroll(scroller, cur.x, cur.y, 'x');
      if (cur.kind === 'card') moved = edgeScroll(cur.target?.list, cur.x, cur.y, 'y') || moved;
      if (moved) retarget();
      cur.frame = requestAnimationFrame(tick);
    };
    g.frame = requestAnimationFrame(tick);
  }

  function place(x, y) {
    const g = live;
    g.x = x;
    g.y = y;
    const tilt = g.kind === 'card' ? ' rotate(2.5deg)' : ' rotate(1deg)';
    g.ghost.style.transform = `translate(${x - g.dx}px, ${y - g.dy}px)${tilt}`;
  }

  function retarget() {
    const g = live;
    const root = rootRef.current;
    if (!g?.active || !root) return;
    const target = g.kind === 'card' ? cardTarget(root, g.id, g.x, g.y) : columnTarget(root, g.id, g.x);
    if (!target) return;
    const same = g.kind === 'card' ? sameTarget(target, g.target) : target.index === g.target?.index;
    g.target = target;
    if (!same) setDrag((d) => (d ? { ...d, columnId: target.columnId ?? null, index: target.index } : d));
  }

  function onMove(e) {
    const g = live;
    if (!g || e.pointerId !== g.pointerId) return;
    if (!g.active) {
      const dist = Math.hypot(e.clientX - g.x0, e.clientY - g.y0);
      if (g.type === 'touch') {
        if (dist > TOUCH_SLOP) cleanup(); // a scroll, not a drag
        return;
      }
      if (dist < MOUSE_SLOP) return;
      start();
    }
    if (e.cancelable) e.preventDefault();
    place(e.clientX, e.clientY);
    retarget();
  }

  function onUp(e) {
    const g = live;
    if (!g || e.pointerId !== g.pointerId) return;
    if (!g.active) return cleanup();
    place(e.clientX, e.clientY);
    retarget();
    const { kind, id, target } = g;
    clickBlocked = true;
    setTimeout(() => (clickBlocked = false), 0);
    cleanup();
    if (!target) return;
    if (kind === 'card') handlers.current.onCardDrop?.(id, target);
    else handlers.current.onColumnDrop?.(id, target);
  }

  function onCancel(e) {
    if (live && e.pointerId === live.pointerId) cleanup();
  }

  function onKey(e) {
    if (e.key === 'Escape' && live?.active) {
      e.preventDefault();
      e.stopPropagation();
      cleanup();
    }
  }

  function onPointerDown(e) {
    if (handlers.current.disabled || live || (e.pointerType === 'mouse' && e.button !== 0)) return;
    const handle = e.target.closest('[data-column-handle]');
    const card = handle ? null : e.target.closest('[data-card-id]');
    const el = handle ? handle.closest('[data-drop-column]') : card;
    if (!el || !rootRef.current?.contains(el)) return;
    const own = e.target.closest(OWN_POINTER);
    if (own && el.contains(own) && own !== el) return;
    live = {
      kind: handle ? 'column' : 'card',
      id: Number(handle ? el.dataset.dropColumn : el.dataset.cardId),
      el,
      pointerId: e.pointerId,
      type: e.pointerType,
      x0: e.clientX,
      y0: e.clientY,
      x: e.clientX,
      y: e.clientY,
      active: false,
    };
    window.addEventListener('pointermove', onMove);
    window.addEventListener('pointerup', onUp);
    window.addEventListener('pointercancel', onCancel);
    window.addEventListener('keydown', onKey, true);
    window.addEventListener('contextmenu', blockMenu, true);
    if (e.pointerType === 'touch') {
      window.addEventListener('touchmove', blockTouchScroll, { passive: false });
      live.timer = setTimeout(() => live && !live.active && start(), TOUCH_DELAY);
    }
  }

  return { onPointerDown, cleanup, consumeClick: () => clickBlocked };
}
