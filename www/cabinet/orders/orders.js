// Cabinet orders (/cabinet/orders): the account's orders newest first with their status and total,
// and one order's page with its progress, items, totals, the comment for the customer and the
// history of status changes. Both refresh every 30 s while the tab is visible.
import { html, useEffect } from '/shared/preact.js';
import { api } from '/shared/api.js';
import { t } from '/shared/i18n.js';
import { formatDate, isoOf } from '/shared/format.js';
import { Alert, Button, useLoad } from '/shared/forms.js';
import { ListState, LoadMore, usePagedList } from '/app/admin/common.js';
import { EmptyState, NotFoundPage, PageHeader } from '/shared/ui.js';
import {
  ORDER_STATUSES, OrderHistory, OrderItems, OrderTotals, StatusBadge, StatusSteps, formatMoney, statusText,
} from '/shared/crm.js';
import { useQuery, navigate } from '/shared/router.js';
import { errorText } from '/shared/i18n.js';

const BASE = '/cabinet/orders';
const REFRESH_MS = 30000;

/* Calls fn every REFRESH_MS while the tab is visible, and when it becomes visible again. */
export function useRefresh(fn) {
  useEffect(() => {
    const tick = () => document.visibilityState === 'visible' && fn();
    const timer = setInterval(tick, REFRESH_MS);
    document.addEventListener('visibilitychange', tick);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', tick);
    };
  }, []);
}

function OrdersList() {
  const query = useQuery();
  const status = query.get('status') || '';
  const list = usePagedList((before) => api.get('/cabinet/orders', { query: { status: status || undefined, before: before || undefined, limit: 20 } }), [status]);
  useRefresh(list.reload);
  const setStatus = (s) => navigate(s ? `${BASE}?status=${s}` : BASE, { replace: true });
  return html`<div class="page">
    <${PageHeader} title=${t('cabinet.nav.orders')} lead=${t('cabinet.lead.orders')} />
    <div class="toolbar">
      <label class="visually-hidden" for="order-status">${t('crm.order.status')}</label>
      <select id="order-status" class="input select toolbar-select" value=${status} onChange=${(e) => setStatus(e.currentTarget.value)}>
        <option value="">${t('crm.orders.all_statuses')}</option>
        ${ORDER_STATUSES.map((s) => html`<option value=${s}>${statusText(s)}</option>`)}
      </select>
    </div>
    <${ListState} loading=${list.loading} error=${list.error} empty=${!list.items.length} onRetry=${list.reload}
      emptyIcon="box" emptyTitle=${t(status ? 'crm.orders.none_found' : 'crm.cabinet.empty')}
      emptyBody=${t(status ? 'crm.orders.none_found.body' : 'crm.cabinet.empty.body')}>
      <div class=${'table-wrap' + (list.loading ? ' is-loading' : '')}>
        <table class="table orders-table">
          <thead><tr>
            <th scope="col">${t('crm.order.number')}</th>
            <th scope="col">${t('crm.order.date')}</th>
            <th scope="col">${t('crm.order.status')}</th>
            <th scope="col" class="num">${t('crm.order.items')}</th>
            <th scope="col" class="num">${t('crm.order.total')}</th>
          </tr></thead>
          <tbody>
            ${list.items.map((o) => html`<tr key=${o.id}>
              <td data-label=${t('crm.order.number')}><a class="order-link" href=${`${BASE}/${o.id}`}>${o.number}</a></td>
              <td data-label=${t('crm.order.date')}><time datetime=${o.order_date}>${formatDate(o.order_date)}</time></td>
              <td data-label=${t('crm.order.status')}><${StatusBadge} status=${o.status} /></td>
              <td class="num" data-label=${t('crm.order.items')}>${o.item_count}</td>
              <td class="num" data-label=${t('crm.order.total')}>${formatMoney(o.total, o.currency)}</td>
            </tr>`)}
          </tbody>
        </table>
      </div>
      <${LoadMore} next=${list.next} busy=${list.more} onMore=${list.loadMore} />
    <//>
  </div>`;
}

/* One order as the customer sees it; employee pages reuse it (props: order). */
export function OrderView({ order, aside }) {
  return html`<div class="order-view">
    <section class="card order-progress"><div class="card-body"><${StatusSteps} order=${order} /></div></section>
    ${order.comment && html`<${Alert} kind="info" title=${t('crm.order.comment')}>${order.comment}<//>`}
    <div class="order-grid">
      <section class="card order-main">
        <div class="card-head"><h2 class="card-title">${t('crm.order.items')}</h2></div>
        <div class="card-body"><${OrderItems} order=${order} /><${OrderTotals} order=${order} /></div>
      </section>
      <section class="card order-side">
        ${aside}
        <div class="card-head"><h2 class="card-title">${t('crm.order.history')}</h2></div>
        <div class="card-body"><${OrderHistory} order=${order} /></div>
      </section>
    </div>
  </div>`;
}

function OrderPage({ id }) {
  const order = useLoad(() => api.get(`/cabinet/orders/${id}`), [id]);
  useRefresh(order.reload);
  if (order.error?.status === 404) return html`<${NotFoundPage} path=${location.pathname} home=${BASE} />`;
  if (order.error && !order.data)
    return html`<div class="page"><${Alert} kind="error" actions=${html`<${Button} kind="secondary" size="sm" onClick=${order.reload}>${t('action.retry')}<//>`}>${errorText(order.error)}<//></div>`;
  if (!order.data) return html`<div class="page"><div class="loading-block"><span class="spinner spinner-lg" aria-hidden="true"></span><span>${t('state.loading')}</span></div></div>`;
  const o = order.data;
  return html`<div class="page page-wide">
    <a class="back-link" href=${BASE}>← ${t('cabinet.nav.orders')}</a>
    <${PageHeader} title=${t('crm.order.title', { number: o.number })}
      lead=${html`<${StatusBadge} status=${o.status} /> <time datetime=${isoOf(o.order_date)}>${formatDate(o.order_date)}</time> · ${formatMoney(o.total, o.currency)}`} />
    <${OrderView} order=${o} />
  </div>`;
}

/* /cabinet/orders and /cabinet/orders/{id}. */
export function CabinetOrdersPage({ path }) {
  const m = /^\/cabinet\/orders\/(\d+)\/?$/.exec(path);
  if (m) return html`<${OrderPage} key=${m[1]} id=${m[1]} />`;
  if (path === BASE || path === `${BASE}/`) return html`<${OrdersList} />`;
  return html`<${EmptyState} icon="compass" title=${t('notfound.title')} body=${t('notfound.body', { path })} />`;
}
