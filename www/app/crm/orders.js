// Orders (/app/crm/orders): the list with status, account and number/name filters; a new order;
// one order's page, where employees move it along its workflow with a comment for the customer
// and edit it while it is new. An account's page shows its orders through AccountOrdersSection.
import { html, useState } from '/shared/preact.js';
import { api } from '/shared/api.js';
import { errorText, t } from '/shared/i18n.js';
import { formatDate, formatDateTime, isoOf } from '/shared/format.js';
import { Alert, Button, Dialog, toast, useId, useLoad } from '/shared/forms.js';
import { navigate, useQuery } from '/shared/router.js';
import { Icon, NotFoundPage, PageHeader } from '/shared/ui.js';
import { ORDER_STATUSES, StatusBadge, formatMoney, statusText } from '/shared/crm.js';
import { ListState, LoadMore, useDebounced, usePagedList } from '/app/admin/common.js';
import { OrderView } from '/cabinet/orders/orders.js';
import { TextArea, accountPath, orderPath } from '/app/crm/common.js';
import { OrderForm } from '/app/crm/order-form.js';

const BASE = '/app/crm/orders';

function OrdersTable({ list, withAccount }) {
  return html`<div class=${'table-wrap' + (list.loading ? ' is-loading' : '')}>
    <table class="table orders-table">
      <thead><tr>
        <th scope="col">${t('crm.order.number')}</th>
        ${withAccount && html`<th scope="col">${t('crm.order.account')}</th>`}
        <th scope="col">${t('crm.order.date')}</th>
        <th scope="col">${t('crm.order.status')}</th>
        <th scope="col" class="num">${t('crm.order.total')}</th>
        <th scope="col">${t('crm.order.updated')}</th>
      </tr></thead>
      <tbody>
        ${list.items.map((o) => html`<tr key=${o.id}>
          <td data-label=${t('crm.order.number')}><a class="order-link" href=${orderPath(o.id)}>${o.number}</a></td>
          ${withAccount && html`<td data-label=${t('crm.order.account')}><a href=${accountPath(o.account.id)}>${o.account.name}</a></td>`}
          <td data-label=${t('crm.order.date')}><time datetime=${o.order_date}>${formatDate(o.order_date)}</time></td>
          <td data-label=${t('crm.order.status')}><${StatusBadge} status=${o.status} /></td>
          <td class="num" data-label=${t('crm.order.total')}>${formatMoney(o.total, o.currency)}</td>
          <td data-label=${t('crm.order.updated')}><time datetime=${isoOf(o.updated_at)}>${formatDateTime(o.updated_at)}</time></td>
        </tr>`)}
      </tbody>
    </table>
  </div>`;
}

function OrdersList({ item }) {
  const query = useQuery();
  const [search, setSearch] = useState(query.get('q') || '');
  const [status, setStatus] = useState(query.get('status') || '');
  const q = useDebounced(search.trim(), 250);
  const list = usePagedList((before) => api.get('/orders', { query: { q: q || undefined, status: status || undefined, limit: 50, before: before ?? undefined } }), [q, status]);
  const searchId = useId('search');
  const statusId = useId('status');
  const filtered = Boolean(q || status);
  return html`<div class="page page-wide">
    <${PageHeader} title=${t(item.label)} lead=${t(item.lead)}
      actions=${html`<a class="button" href=${`${BASE}/new`}><${Icon} name="plus" />${t('crm.order.new')}</a>`} />
    <div class="toolbar" role="search">
      <div class="search">
        <label class="visually-hidden" for=${searchId}>${t('crm.orders.search')}</label>
        <${Icon} name="search" class="icon search-icon" />
        <input id=${searchId} class="input" type="search" placeholder=${t('crm.orders.search')} value=${search}
          onInput=${(e) => setSearch(e.currentTarget.value)} autocomplete="off" />
      </div>
      <label class="visually-hidden" for=${statusId}>${t('crm.order.status')}</label>
      <select id=${statusId} class="input select toolbar-select" value=${status} onChange=${(e) => setStatus(e.currentTarget.value)}>
        <option value="">${t('crm.orders.all_statuses')}</option>
        ${ORDER_STATUSES.map((s) => html`<option value=${s}>${statusText(s)}</option>`)}
      </select>
    </div>
    <${ListState} loading=${list.loading} error=${list.error} empty=${!list.items.length} onRetry=${list.reload}
      emptyIcon=${filtered ? 'search' : 'box'} emptyTitle=${t(filtered ? 'crm.orders.none_found' : 'crm.orders.empty')}
      emptyBody=${t(filtered ? 'crm.orders.none_found.body' : 'crm.orders.empty.body')}>
      <${OrdersTable} list=${list} withAccount />
      <${LoadMore} next=${list.next} busy=${list.more} onMore=${list.loadMore} />
    <//>
  </div>`;
}

/* The orders of one account, on its page. */
export function AccountOrdersSection({ account }) {
  const list = usePagedList((before) => api.get('/orders', { query: { account_id: account.id, limit: 50, before: before ?? undefined } }), [account.id]);
  return html`<div class="crm-section-body">
    <div class="crm-section-bar"><h2 class="crm-section-title">${t('crm.section.orders')}</h2>
      <a class="button" href=${`${BASE}/new?account=${account.id}`}><${Icon} name="plus" />${t('crm.order.new')}</a></div>
    <${ListState} loading=${list.loading} error=${list.error} empty=${!list.items.length} onRetry=${list.reload}
      emptyIcon="box" emptyTitle=${t('crm.orders.empty')} emptyBody=${t('crm.orders.empty_account')}>
      <${OrdersTable} list=${list} />
      <${LoadMore} next=${list.next} busy=${list.more} onMore=${list.loadMore} />
    <//>
  </div>`;
}

function NewOrderPage() {
  const query = useQuery();
  return html`<div class="page page-wide">
    <a class="back-link" href=${BASE}>← ${t('app.nav.orders')}</a>
    <${PageHeader} title=${t('crm.order.new')} lead=${t('crm.order.new.lead')} />
    <section class="card"><div class="card-body">
      <${OrderForm} accountId=${query.get('account')} onCancel=${() => history.back()}
        onSaved=${(o) => { toast(t('crm.order.created', { number: o.number })); navigate(orderPath(o.id)); }} />
    </div></section>
  </div>`;
}

/* Moving the order to its next status (or cancelling it), with a comment the customer sees. */
function StatusDialog({ order, to, onClose, onDone, onConflict }) {
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState(null);
  const commentId = useId('comment');
  const formId = useId('status-form');
  async function submit(event) {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      onDone(await api.post(`/orders/${order.id}/status`, { status: to, comment: comment.trim(), version: order.version }));
    } catch (err) {
      setBusy(false);
      if (err.status === 409) return onConflict(err.data?.current);
      setProblem(errorText(err));
    }
  }
  return html`<${Dialog} title=${t('crm.order.move_to', { status: statusText(to) })} onClose=${onClose}
    footer=${html`<${Button} kind="secondary" onClick=${onClose}>${t('action.cancel')}<//>
      <${Button} type="submit" form=${formId} kind=${to === 'cancelled' ? 'danger' : 'primary'} busy=${busy}>${t(`crm.action.${to}`)}<//>`}>
    <p class="dialog-text">${t('crm.order.move_lead', { number: order.number, from: statusText(order.status), to: statusText(to) })}</p>
    ${problem && html`<${Alert} kind="error">${problem}<//>`}
    <form id=${formId} class="form" novalidate onSubmit=${submit}>
      <${TextArea} id=${commentId} label=${t('crm.order.status_comment')} hint=${t('crm.order.status_comment.hint')} value=${comment} onValue=${setComment} maxlength="2000" />
    </form>
  <//>`;
}

function OrderPage({ id }) {
  const order = useLoad(() => api.get(`/orders/${id}`), [id]);
  const [dialog, setDialog] = useState(null); // { to } | { edit: true }
  const [conflict, setConflict] = useState(false);
  if (order.error?.status === 404) return html`<${NotFoundPage} path=${location.pathname} home=${BASE} />`;
  if (order.error && !order.data)
    return html`<div class="page"><${Alert} kind="error" actions=${html`<${Button} kind="secondary" size="sm" onClick=${order.reload}>${t('action.retry')}<//>`}>${errorText(order.error)}<//></div>`;
  if (!order.data) return html`<div class="page"><div class="loading-block"><span class="spinner spinner-lg" aria-hidden="true"></span><span>${t('state.loading')}</span></div></div>`;
  const o = order.data;
  const changed = (current) => {
    setDialog(null);
    setConflict(true);
    if (current) order.setData(current);
    else order.reload();
  };
  const actions = html`<div class="order-actions">
    ${o.next_statuses.filter((s) => s !== 'cancelled').map((s) => html`<${Button} onClick=${() => setDialog({ to: s })}>${t(`crm.action.${s}`)}<//>`)}
    ${o.editable && html`<${Button} kind="secondary" onClick=${() => setDialog({ edit: true })}><${Icon} name="edit" />${t('action.edit')}<//>`}
    ${o.next_statuses.includes('cancelled') && html`<${Button} kind="ghost" class="text-bad" onClick=${() => setDialog({ to: 'cancelled' })}>${t('crm.action.cancelled')}<//>`}
  </div>`;
  return html`<div class="page page-wide">
    <a class="back-link" href=${BASE}>← ${t('app.nav.orders')}</a>
    <${PageHeader} title=${t('crm.order.title', { number: o.number })}
      lead=${html`<${StatusBadge} status=${o.status} /> <a href=${accountPath(o.account.id)}>${o.account.name}</a> · <time datetime=${o.order_date}>${formatDate(o.order_date)}</time>${o.created_by ? ` · ${t('crm.order.created_by', { name: o.created_by.name })}` : ''}`}
      actions=${(o.next_statuses.length > 0 || o.editable) && actions} />
    ${conflict && html`<${Alert} kind="warning" title=${t('crm.conflict.title')}
      actions=${html`<${Button} kind="secondary" size="sm" onClick=${() => setConflict(false)}>${t('action.dismiss')}<//>`}>${t('crm.order.changed_meanwhile')}<//>`}
    ${dialog?.edit
      ? html`<section class="card"><div class="card-head"><h2 class="card-title">${t('crm.order.edit')}</h2></div><div class="card-body">
          <${OrderForm} order=${o} onCancel=${() => setDialog(null)} onConflict=${changed}
            onSaved=${(x) => { setDialog(null); order.setData(x); toast(t('crm.order.saved', { number: x.number })); }} /></div></section>`
      : html`<${OrderView} order=${o} />`}
    ${dialog?.to && html`<${StatusDialog} order=${o} to=${dialog.to} onClose=${() => setDialog(null)} onConflict=${changed}
      onDone=${(x) => { setDialog(null); order.setData(x); toast(t('crm.order.moved', { number: x.number, status: statusText(x.status) })); }} />`}
  </div>`;
}

/* /app/crm/orders, /app/crm/orders/new and /app/crm/orders/{id}. */
export function OrdersPage({ path, item }) {
  const m = /^\/app\/crm\/orders\/(\d+)\/?$/.exec(path);
  if (m) return html`<${OrderPage} key=${m[1]} id=${m[1]} />`;
  if (/^\/app\/crm\/orders\/new\/?$/.test(path)) return html`<${NewOrderPage} />`;
  if (path === BASE || path === `${BASE}/`) return html`<${OrdersList} item=${item} />`;
  return html`<${NotFoundPage} path=${path} home=${BASE} />`;
}
