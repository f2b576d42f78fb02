// Orders as both apps show them: money in the UI language, status badges and the progress
// tracker, line items, totals and the status history. Amounts arrive as exact decimal
// strings ("12.34") next to integer minor units; only the strings are formatted.
import { html } from '/shared/preact.js';
import { getLang, t } from '/shared/i18n.js';
import { formatDate, formatDateTime, isoOf } from '/shared/format.js';
import { Icon } from '/shared/ui.js';

export const ORDER_STATUSES = ['new', 'confirmed', 'in_progress', 'shipped', 'delivered', 'closed', 'cancelled'];
const PATH = ['new', 'confirmed', 'in_progress', 'shipped', 'delivered', 'closed'];
const TONES = { new: 'neutral', confirmed: 'accent', in_progress: 'accent', shipped: 'warn', delivered: 'ok', closed: 'ok', cancelled: 'bad' };

/* "12 345,60 ₽" / "RUB 12,345.60": a decimal string in currency, exactly (no float on the way). */
export function formatMoney(amount, currency) {
  try {
    return new Intl.NumberFormat(getLang(), { style: 'currency', currency }).format(amount);
  } catch {
    return `${amount} ${currency}`;
  }
}

/* "2.5" -> "2,5" in Russian. */
export function formatQuantity(q) {
  try {
    return new Intl.NumberFormat(getLang(), { maximumFractionDigits: 3 }).format(q);
  } catch {
    return String(q);
  }
}

export const statusText = (status) => t(`crm.status.${status}`);

export function StatusBadge({ status }) {
  return html`<span class=${`badge badge-${TONES[status] || 'neutral'} order-status`} data-status=${status}>${statusText(status)}</span>`;
}

/* Where the order stands on its way: done steps, the current one, what is left; a cancelled order says so. */
export function StatusSteps({ order }) {
  if (order.status === 'cancelled') {
    const at = order.history.at(-1)?.at;
    return html`<div class="order-cancelled" role="status"><${Icon} name="ban" />
      <span>${t('crm.order.cancelled_on', { date: formatDate(at) })}</span></div>`;
  }
  const current = PATH.indexOf(order.status);
  const reached = Object.fromEntries(order.history.map((h) => [h.to, h.at]));
  return html`<ol class="order-steps" aria-label=${t('crm.order.progress')}>
    ${PATH.map((s, i) => {
      const state = i < current ? 'done' : i === current ? 'current' : 'todo';
      return html`<li class=${`order-step is-${state}`} aria-current=${state === 'current' ? 'step' : undefined}>
        <span class="order-step-dot" aria-hidden="true">${state === 'done' ? html`<${Icon} name="check" class="icon icon-xs" />` : i + 1}</span>
        <span class="order-step-text">
          <span class="order-step-name">${statusText(s)}</span>
          ${reached[s] && state !== 'todo' && html`<time class="order-step-when" datetime=${isoOf(reached[s])}>${formatDate(reached[s])}</time>`}
        </span>
      </li>`;
    })}
  </ol>`;
}

export function OrderItems({ order }) {
  const money = (v) => formatMoney(v, order.currency);
  return html`<div class="table-wrap order-items">
    <table class="table table-dense">
      <thead><tr>
        <th scope="col">${t('crm.item.product')}</th>
        <th scope="col" class="num">${t('crm.item.quantity')}</th>
        <th scope="col" class="num">${t('crm.item.unit_price')}</th>
        <th scope="col" class="num">${t('crm.item.vat_rate')}</th>
        <th scope="col" class="num">${t('crm.item.total')}</th>
      </tr></thead>
      <tbody>
        ${order.items.map((i) => html`<tr key=${i.id}>
          <td data-label=${t('crm.item.product')}><div class="cell-stack"><span>${i.product_name}</span>
            ${i.sku && html`<span class="cell-sub">${t('crm.item.sku')}: ${i.sku}</span>`}</div></td>
          <td class="num" data-label=${t('crm.item.quantity')}>${formatQuantity(i.quantity)}</td>
          <td class="num" data-label=${t('crm.item.unit_price')}>${money(i.unit_price)}</td>
          <td class="num" data-label=${t('crm.item.vat_rate')}>${formatQuantity(i.vat_rate)} %</td>
          <td class="num" data-label=${t('crm.item.total')}>${money(i.total)}</td>
        </tr>`)}
      </tbody>
    </table>
  </div>`;
}

export function OrderTotals({ order }) {
  const money = (v) => formatMoney(v, order.currency);
  return html`<dl class="order-totals">
    <div><dt>${t('crm.order.subtotal')}</dt><dd>${money(order.subtotal)}</dd></div>
    <div><dt>${t('crm.order.vat_total')}</dt><dd>${money(order.vat_total)}</dd></div>
    <div class="order-total"><dt>${t('crm.order.total')}</dt><dd data-total=${order.total}>${money(order.total)}</dd></div>
  </dl>`;
}

/* The status changes, newest first, each with who, when and the comment the customer sees. */
export function OrderHistory({ order }) {
  return html`<ol class="order-history">
    ${[...order.history].reverse().map((h) => html`<li class="order-history-item" key=${h.id}>
      <div class="order-history-head">
        <${StatusBadge} status=${h.to} />
        <time datetime=${isoOf(h.at)}>${formatDateTime(h.at)}</time>
        ${h.by && html`<span class="cell-sub">${h.by.name}</span>`}
      </div>
      ${h.comment && html`<p class="order-history-comment">${h.comment}</p>`}
    </li>`)}
  </ol>`;
}
