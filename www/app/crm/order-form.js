// The order form: account, date, currency, the comment for the customer and the lines (product,
// SKU, quantity, unit price, VAT). The totals shown while typing are computed the server's way
// (BigInt minor units, VAT per line rounded half up); the server computes them again on save.
import { html, useState } from '/shared/preact.js';
import { api } from '/shared/api.js';
import { t } from '/shared/i18n.js';
import { Alert, Button, SelectField, TextField, formError, useId, useLoad } from '/shared/forms.js';
import { Icon } from '/shared/ui.js';
import { formatMoney } from '/shared/crm.js';
import { TextArea } from '/app/crm/common.js';

const CURRENCIES = ['RUB', 'USD', 'EUR', 'CNY', 'KZT', 'BYN'];
const VAT_RATES = ['20', '10', '7', '5', '0'];

/* "12.34" at scale 2 -> 1234n; null when it is not a plain non-negative decimal with at most scale places. */
export function toUnits(text, scale) {
  const m = /^(\d+)(?:[.,](\d+))?$/.exec(String(text ?? '').trim());
  if (!m || (m[2] && m[2].replace(/0+$/, '').length > scale)) return null;
  return BigInt(m[1]) * 10n ** BigInt(scale) + BigInt(((m[2] || '') + '0'.repeat(scale)).slice(0, scale) || '0');
}

const divHalfUp = (a, d) => (a + d / 2n) / d;
const MAX = 2n ** 53n - 1n;
const unitsText = (v) => `${v / 100n}.${String(v % 100n).padStart(2, '0')}`;

/* Totals of the lines as the server will compute them, or null while a line is incomplete. */
export function estimate(items) {
  let net = 0n;
  let vat = 0n;
  for (const i of items) {
    const q = toUnits(i.quantity, 3);
    const p = toUnits(i.unit_price, 2);
    const r = toUnits(i.vat_rate, 2);
    if (q === null || p === null || r === null) return null;
    const n = divHalfUp(q * p, 1000n);
    net += n;
    vat += divHalfUp(n * r, 10000n);
  }
  const total = net + vat;
  return { subtotal: unitsText(net), vat_total: unitsText(vat), total: unitsText(total), tooLarge: total > MAX };
}

const blankItem = () => ({ product_name: '', sku: '', quantity: '1', unit_price: '', vat_rate: '20' });

/* Turns the form's decimal commas into points for the API. */
const dot = (s) => String(s).trim().replace(',', '.');

/*
 * order: the order being edited (null for a new one); accountId: the preselected account.
 * onSaved(order) after the server accepted it; onConflict(current) for a stale version.
 */
export function OrderForm({ order, accountId, onSaved, onCancel, onConflict }) {
  const [form, setForm] = useState(() => ({
    account_id: String(order?.account.id ?? accountId ?? ''),
    order_date: order?.order_date ?? new Date().toISOString().slice(0, 10),
    currency: order?.currency ?? 'RUB',
    comment: order?.comment ?? '',
  }));
  const [items, setItems] = useState(() => (order?.items.length ? order.items.map((i) => ({
    product_name: i.product_name, sku: i.sku || '', quantity: i.quantity, unit_price: i.unit_price, vat_rate: i.vat_rate,
  })) : [blankItem()]));
  const [errors, setErrors] = useState({});
  const [problem, setProblem] = useState(null);
  const [busy, setBusy] = useState(false);
  const accounts = useLoad(() => (order ? Promise.resolve(null) : api.get('/accounts', { query: { limit: 500 } })), []);
  const id = { account: useId('account'), date: useId('date'), currency: useId('currency'), comment: useId('comment') };
  const set = (key) => (value) => setForm((f) => ({ ...f, [key]: value }));
  const setItem = (i, key) => (value) => setItems((list) => list.map((x, k) => (k === i ? { ...x, [key]: value } : x)));
  const totals = estimate(items.map((i) => ({ quantity: dot(i.quantity), unit_price: dot(i.unit_price), vat_rate: dot(i.vat_rate) })));

  async function submit(event) {
    event.preventDefault();
    setProblem(null);
    const found = {};
    if (!form.account_id) found.account_id = t('crm.order.choose_account');
    items.forEach((i, k) => {
      if (!i.product_name.trim()) found[`items[${k}].product_name`] = t('crm.item.product_required');
      if (toUnits(dot(i.quantity), 3) === null || toUnits(dot(i.quantity), 3) === 0n) found[`items[${k}].quantity`] = t('crm.item.quantity_invalid');
      if (toUnits(dot(i.unit_price), 2) === null) found[`items[${k}].unit_price`] = t('crm.item.price_invalid');
    });
    setErrors(found);
    if (Object.keys(found).length) return;
    const body = {
      order_date: form.order_date,
      currency: form.currency,
      comment: form.comment.trim(),
      items: items.map((i) => ({
        product_name: i.product_name.trim(), sku: i.sku.trim(), quantity: dot(i.quantity), unit_price: dot(i.unit_price), vat_rate: dot(i.vat_rate),
      })),
    };
    setBusy(true);
    try {
      onSaved(order
        ? await api.patch(`/orders/${order.id}`, { ...body, version: order.version })
        : await api.post('/orders', { ...body, account_id: Number(form.account_id) }));
    } catch (err) {
      setBusy(false);
      if (err.code === 'conflict' || err.code === 'order_locked') return onConflict?.(err.data?.current);
      const key = err.field && /^items\[\d+\]/.test(err.field) ? err.field.replace(/_minor$/, '') : err.field;
      const { text } = formError(err);
      if (key && (key in found || /^items\[\d+\]\./.test(key) || key === 'account_id')) setErrors({ [key]: err.code === 'amount_too_large' ? t('error.amount_too_large') : text });
      else setProblem(err.code === 'amount_too_large' ? t('error.amount_too_large') : text);
    }
  }

  const formId = useId('order-form');
  return html`<form id=${formId} class="form order-form" novalidate onSubmit=${submit}>
    ${problem && html`<${Alert} kind="error">${problem}<//>`}
    <div class="form-row order-form-head">
      ${order ? html`<div class="field"><span class="field-label">${t('crm.order.account')}</span><strong>${order.account.name}</strong></div>`
        : html`<${SelectField} id=${id.account} label=${t('crm.order.account')} value=${form.account_id} onValue=${set('account_id')} error=${errors.account_id}
          options=${[{ value: '', label: accounts.loading ? t('state.loading') : t('crm.order.choose_account'), disabled: true },
            ...(accounts.data?.items || []).map((a) => ({ value: String(a.id), label: a.name }))]} />`}
      <${TextField} id=${id.date} label=${t('crm.order.date')} type="date" value=${form.order_date} onValue=${set('order_date')} error=${errors.order_date} required />
      <${SelectField} id=${id.currency} label=${t('crm.order.currency')} value=${form.currency} onValue=${set('currency')}
        options=${[...new Set([form.currency, ...CURRENCIES])].map((c) => ({ value: c, label: c }))} />
    </div>
    <fieldset class="order-lines">
      <legend class="field-label">${t('crm.order.items')}</legend>
      ${items.map((i, k) => html`<div class="order-line" key=${k} data-line=${k}>
        <span class="order-line-no" aria-hidden="true">${k + 1}</span>
        <${TextField} id=${`line-${k}-name`} label=${t('crm.item.product')} value=${i.product_name} onValue=${setItem(k, 'product_name')}
          error=${errors[`items[${k}].product_name`]} maxlength="200" class="input order-line-name" />
        <${TextField} id=${`line-${k}-sku`} label=${t('crm.item.sku')} value=${i.sku} onValue=${setItem(k, 'sku')} maxlength="64" />
        <${TextField} id=${`line-${k}-qty`} label=${t('crm.item.quantity')} value=${i.quantity} onValue=${setItem(k, 'quantity')}
          error=${errors[`items[${k}].quantity`]} inputmode="decimal" />
        <${TextField} id=${`line-${k}-price`} label=${t('crm.item.unit_price')} value=${i.unit_price} onValue=${setItem(k, 'unit_price')}
          error=${errors[`items[${k}].unit_price`]} inputmode="decimal" placeholder="0.00" />
        <${SelectField} id=${`line-${k}-vat`} label=${t('crm.item.vat_rate')} value=${i.vat_rate} onValue=${setItem(k, 'vat_rate')}
          error=${errors[`items[${k}].vat_rate`]}
          options=${[...new Set([String(i.vat_rate), ...VAT_RATES])].map((r) => ({ value: r, label: `${r} %` }))} />
        <button type="button" class="icon-button order-line-remove" disabled=${items.length === 1}
          aria-label=${t('crm.item.remove', { n: k + 1 })} onClick=${() => setItems((list) => list.filter((_, x) => x !== k))}>
          <${Icon} name="trash" />
        </button>
      </div>`)}
      <div><${Button} kind="secondary" size="sm" onClick=${() => setItems((list) => [...list, blankItem()])} disabled=${items.length >= 200}>
        <${Icon} name="plus" class="icon icon-sm" />${t('crm.item.add')}<//></div>
    </fieldset>
    <dl class="order-totals order-totals-live" aria-live="polite">
      ${totals ? html`
        <div><dt>${t('crm.order.subtotal')}</dt><dd>${formatMoney(totals.subtotal, form.currency)}</dd></div>
        <div><dt>${t('crm.order.vat_total')}</dt><dd>${formatMoney(totals.vat_total, form.currency)}</dd></div>
        <div class="order-total"><dt>${t('crm.order.total')}</dt><dd>${formatMoney(totals.total, form.currency)}</dd></div>
        ${totals.tooLarge && html`<p class="field-error">${t('error.amount_too_large')}</p>`}`
        : html`<p class="cell-sub">${t('crm.order.totals_pending')}</p>`}
    </dl>
    <${TextArea} id=${id.comment} label=${t('crm.order.comment')} hint=${t('crm.order.comment.hint')} value=${form.comment} onValue=${set('comment')} maxlength="2000" />
    <div class="form-actions">
      ${onCancel && html`<${Button} kind="secondary" onClick=${onCancel}>${t('action.cancel')}<//>`}
      <${Button} type="submit" busy=${busy}>${t(order ? 'action.save' : 'crm.order.create')}<//>
    </div>
  </form>`;
}
