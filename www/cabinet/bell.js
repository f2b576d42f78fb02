// The cabinet's notification bell: unread count (polled every 30 s), the latest notifications
// (order status changes, and whatever else is addressed to a cabinet user), mark as read.
// Hidden while an employee previews the cabinet: those would be the employee's own.
import { html, useEffect, useRef, useState } from '/shared/preact.js';
import { api } from '/shared/api.js';
import { has, t } from '/shared/i18n.js';
import { formatDateTime, isoOf } from '/shared/format.js';
import { navigate } from '/shared/router.js';
import { isPreview } from '/shared/preview.js';
import { Icon } from '/shared/ui.js';
import { statusText } from '/shared/crm.js';

const POLL_MS = 30000;
const PATHS = { order: '/cabinet/orders/', ticket: '/cabinet/tickets/', document: '/cabinet/documents/' };

/* "ORD-000012: shipped" becomes "Order ORD-000012 is now Shipped" in the UI language. */
function textOf(n) {
  const m = /^(\S+): (\w+)$/.exec(n.summary || '');
  if (n.kind === 'order.status' && m) return t('crm.notify.order_status', { number: m[1], status: statusText(m[2]) });
  if (has(`notify.kind.${n.kind}`)) return `${t(`notify.kind.${n.kind}`)}: ${n.summary}`;
  return n.summary;
}

export function CabinetBell() {
  const [count, setCount] = useState(0);
  const [open, setOpen] = useState(false);
  const [items, setItems] = useState(null);
  const rootRef = useRef(null);

  async function check() {
    try {
      setCount((await api.get('/notifications', { query: { unread: 1, limit: 1 } }))?.unread_count ?? 0);
    } catch {
      /* the next poll tries again */
    }
  }
  useEffect(() => {
    if (isPreview()) return undefined;
    check();
    const timer = setInterval(() => document.visibilityState === 'visible' && check(), POLL_MS);
    return () => clearInterval(timer);
  }, []);
  useEffect(() => {
    if (!open) return undefined;
    const close = (e) => (e.key === 'Escape' || (e.type === 'pointerdown' && !rootRef.current?.contains(e.target))) && setOpen(false);
    document.addEventListener('keydown', close);
    document.addEventListener('pointerdown', close);
    return () => {
      document.removeEventListener('keydown', close);
      document.removeEventListener('pointerdown', close);
    };
  }, [open]);
  if (isPreview()) return null;

  async function toggle() {
    const next = !open;
    setOpen(next);
    if (next) {
      try {
        setItems((await api.get('/notifications', { query: { limit: 20 } })).items || []);
      } catch {
        setItems([]);
      }
    }
  }
  async function openItem(n) {
    setOpen(false);
    if (!n.read_at) {
      api.post('/notifications/read', { ids: [n.id] }).then((a) => setCount(a?.unread_count ?? 0)).catch(() => {});
    }
    if (PATHS[n.object_type] && n.object_id) navigate(PATHS[n.object_type] + n.object_id);
  }
  async function readAll() {
    try {
      setCount((await api.post('/notifications/read', { all: true }))?.unread_count ?? 0);
      setItems((list) => (list || []).map((n) => ({ ...n, read_at: n.read_at || new Date().toISOString() })));
    } catch {
      /* stays unread */
    }
  }

  return html`<div class="cbell" ref=${rootRef}>
    <button type="button" class="icon-button cbell-button" aria-expanded=${open ? 'true' : 'false'} aria-haspopup="true"
      aria-label=${count ? t('crm.notify.unread', { count }) : t('crm.notify.title')} onClick=${toggle}>
      <${Icon} name="mail" />
      ${count > 0 && html`<span class="cbell-count" aria-hidden="true">${count > 99 ? '99+' : count}</span>`}
    </button>
    ${open && html`<div class="cbell-panel" role="dialog" aria-label=${t('crm.notify.title')}>
      <div class="cbell-head"><strong>${t('crm.notify.title')}</strong>
        ${count > 0 && html`<button type="button" class="button button-ghost button-sm" onClick=${readAll}>${t('crm.notify.read_all')}</button>`}</div>
      ${items === null ? html`<p class="cbell-empty">${t('state.loading')}</p>`
        : !items.length ? html`<p class="cbell-empty">${t('crm.notify.empty')}</p>`
        : html`<ul class="cbell-list">${items.map((n) => html`<li key=${n.id}>
            <button type="button" class=${'cbell-item' + (n.read_at ? '' : ' is-unread')} onClick=${() => openItem(n)}>
              <span class="cbell-text">${textOf(n)}</span>
              <time class="cbell-time" datetime=${isoOf(n.created_at)}>${formatDateTime(n.created_at)}</time>
            </button></li>`)}</ul>`}
    </div>`}
  </div>`;
}
