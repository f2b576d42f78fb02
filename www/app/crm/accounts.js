// CRM accounts (/app/crm/accounts): search and filter the companies, add one (managers), and
// each account's page: its company data (edited in place, with the version the server checks),
// "preview as customer", and the sections of account-sections.js as tabs.
import { html, useState } from '/shared/preact.js';
import { api } from '/shared/api.js';
import { errorText, t } from '/shared/i18n.js';
import { formatDate, isoOf } from '/shared/format.js';
import { Alert, Button, Dialog, SelectField, TextField, formError, toast, useId, useLoad } from '/shared/forms.js';
import { navigate, useQuery } from '/shared/router.js';
import { useSession } from '/shared/session.js';
import { Icon, NotFoundPage, PageHeader } from '/shared/ui.js';
import { previewUrl } from '/shared/preview.js';
import { ListState, LoadMore, useDebounced, usePagedList } from '/app/admin/common.js';
import { KINDS, KindBadge, TextArea, accountPath, trimmed, useEmployees } from '/app/crm/common.js';
import { ACCOUNT_SECTIONS } from '/app/crm/account-sections.js';

const BASE = '/app/crm/accounts';
const FIELDS = ['name', 'kind', 'tax_id', 'legal_address', 'shipping_address', 'email', 'phone', 'notes'];

/* The account form (create or edit): every company field and the owner. */
function AccountDialog({ account, onClose, onSaved, onConflict }) {
  const [form, setForm] = useState(() => ({
    ...Object.fromEntries(FIELDS.map((f) => [f, account?.[f] ?? ''])),
    kind: account?.kind || 'customer',
    owner_id: account?.owner ? String(account.owner.id) : '',
  }));
  const [errors, setErrors] = useState({});
  const [problem, setProblem] = useState(null);
  const [busy, setBusy] = useState(false);
  const employees = useEmployees(account?.owner);
  const id = Object.fromEntries([...FIELDS, 'owner_id'].map((f) => [f, useId(f)]));
  const formId = useId('account-form');
  const set = (key) => (value) => setForm((f) => ({ ...f, [key]: value }));

  async function submit(event) {
    event.preventDefault();
    setProblem(null);
    if (!form.name.trim()) return setErrors({ name: t('error.field.name') });
    const body = Object.fromEntries(FIELDS.map((f) => [f, trimmed(form[f])]));
    body.owner_id = form.owner_id ? Number(form.owner_id) : null;
    if (account) body.version = account.version;
    setBusy(true);
    try {
      onSaved(account ? await api.patch(`/accounts/${account.id}`, body) : await api.post('/accounts', body));
    } catch (err) {
      setBusy(false);
      if (err.code === 'conflict' && err.field === 'version') return onConflict(err.data?.current);
      if (err.code === 'conflict') return setErrors({ name: t('crm.account.name_taken') });
      if (err.code === 'invalid_tax_id') return setErrors({ tax_id: t('error.invalid_tax_id') });
      const { field, text } = formError(err, Object.fromEntries([...FIELDS, 'owner_id'].map((f) => [f, f])));
      if (field) setErrors({ [field]: text });
      else setProblem(text);
    }
  }
  const text = (f, extra = {}) => html`<${TextField} id=${id[f]} label=${t(`crm.account.${f}`)} value=${form[f]} onValue=${set(f)} error=${errors[f]} ...${extra} />`;
  return html`<${Dialog} wide title=${t(account ? 'crm.account.edit' : 'crm.account.new')} onClose=${onClose}
    footer=${html`<${Button} kind="secondary" onClick=${onClose}>${t('action.cancel')}<//>
      <${Button} type="submit" form=${formId} busy=${busy}>${t(account ? 'action.save' : 'crm.account.create')}<//>`}>
    ${problem && html`<${Alert} kind="error">${problem}<//>`}
    <form id=${formId} class="form" novalidate onSubmit=${submit}>
      <div class="form-row">
        ${text('name', { maxlength: 200, autocomplete: 'off' })}
        <${SelectField} id=${id.kind} label=${t('crm.account.kind')} value=${form.kind} onValue=${set('kind')}
          options=${KINDS.map((k) => ({ value: k, label: t(`crm.kind.${k}`) }))} />
      </div>
      <div class="form-row">
        ${text('tax_id', { maxlength: 32, inputmode: 'text', hint: t('crm.account.tax_id.hint') })}
        <${SelectField} id=${id.owner_id} label=${t('crm.account.owner')} value=${form.owner_id} onValue=${set('owner_id')}
          options=${[{ value: '', label: t('crm.account.no_owner') }, ...(employees.data || []).map((p) => ({ value: String(p.id), label: p.name }))]} />
      </div>
      ${text('legal_address', { maxlength: 500 })}
      ${text('shipping_address', { maxlength: 500 })}
      <div class="form-row">
        ${text('email', { type: 'email', maxlength: 254, autocapitalize: 'off', spellcheck: 'false' })}
        ${text('phone', { type: 'tel', maxlength: 50 })}
      </div>
      <${TextArea} id=${id.notes} label=${t('crm.account.notes')} value=${form.notes} onValue=${set('notes')} error=${errors.notes} maxlength="10000" />
    </form>
  <//>`;
}

function AccountsList({ item }) {
  const { user } = useSession();
  const query = useQuery();
  const [search, setSearch] = useState(query.get('q') || '');
  const [kind, setKind] = useState('');
  const [mine, setMine] = useState(false);
  const [creating, setCreating] = useState(false);
  const q = useDebounced(search.trim(), 250);
  const list = usePagedList((before) => api.get('/accounts', {
    query: { q: q || undefined, kind: kind || undefined, owner: mine ? 'me' : undefined, limit: 50, before: before ?? undefined },
  }), [q, kind, mine]);
  const searchId = useId('search');
  const kindId = useId('kind');
  const manager = user?.role === 'manager' || user?.role === 'admin';
  const filtered = Boolean(q || kind || mine);
  return html`<div class="page page-wide">
    <${PageHeader} title=${t(item.label)} lead=${t(item.lead)}
      actions=${manager && html`<${Button} onClick=${() => setCreating(true)}><${Icon} name="plus" />${t('crm.account.new')}<//>`} />
    <div class="toolbar" role="search">
      <div class="search">
        <label class="visually-hidden" for=${searchId}>${t('crm.accounts.search')}</label>
        <${Icon} name="search" class="icon search-icon" />
        <input id=${searchId} class="input" type="search" placeholder=${t('crm.accounts.search')} value=${search}
          onInput=${(e) => setSearch(e.currentTarget.value)} autocomplete="off" />
      </div>
      <label class="visually-hidden" for=${kindId}>${t('crm.account.kind')}</label>
      <select id=${kindId} class="input select toolbar-select" value=${kind} onChange=${(e) => setKind(e.currentTarget.value)}>
        <option value="">${t('crm.accounts.all_kinds')}</option>
        ${KINDS.map((k) => html`<option value=${k}>${t(`crm.kind.${k}.plural`)}</option>`)}
      </select>
      <label class="crm-check"><input type="checkbox" checked=${mine} onChange=${(e) => setMine(e.currentTarget.checked)} />${t('crm.accounts.mine')}</label>
    </div>
    <${ListState} loading=${list.loading} error=${list.error} empty=${!list.items.length} onRetry=${list.reload}
      emptyIcon=${filtered ? 'search' : 'building'} emptyTitle=${t(filtered ? 'crm.accounts.none_found' : 'crm.accounts.empty')}
      emptyBody=${t(filtered ? 'crm.accounts.none_found.body' : 'crm.accounts.empty.body')}>
      <div class=${'table-wrap' + (list.loading ? ' is-loading' : '')}>
        <table class="table accounts-table">
          <thead><tr>
            <th scope="col">${t('crm.account.name')}</th>
            <th scope="col">${t('crm.account.kind')}</th>
            <th scope="col">${t('crm.account.tax_id')}</th>
            <th scope="col">${t('crm.account.owner')}</th>
            <th scope="col" class="num">${t('crm.account.open_orders')}</th>
          </tr></thead>
          <tbody>
            ${list.items.map((a) => html`<tr key=${a.id}>
              <td data-label=${t('crm.account.name')}><a class="account-link" href=${accountPath(a.id)}>${a.name}</a></td>
              <td data-label=${t('crm.account.kind')}><${KindBadge} kind=${a.kind} /></td>
              <td data-label=${t('crm.account.tax_id')}>${a.tax_id || '—'}</td>
              <td data-label=${t('crm.account.owner')}>${a.owner?.name || '—'}</td>
              <td class="num" data-label=${t('crm.account.open_orders')}>${a.open_orders}</td>
            </tr>`)}
          </tbody>
        </table>
      </div>
      <${LoadMore} next=${list.next} busy=${list.more} onMore=${list.loadMore} />
    <//>
    ${creating && html`<${AccountDialog} onClose=${() => setCreating(false)}
      onSaved=${(a) => { setCreating(false); toast(t('crm.account.created', { name: a.name })); navigate(accountPath(a.id)); }} />`}
  </div>`;
}

function Fact({ label, children }) {
  return html`<div class="crm-fact"><dt>${label}</dt><dd>${children || html`<span class="cell-sub">—</span>`}</dd></div>`;
}

function AccountPage({ id, tab }) {
  const account = useLoad(() => api.get(`/accounts/${id}`), [id]);
  const [editing, setEditing] = useState(false);
  const [conflict, setConflict] = useState(false);
  if (account.error?.status === 404) return html`<${NotFoundPage} path=${location.pathname} home=${BASE} />`;
  if (account.error && !account.data)
    return html`<div class="page"><${Alert} kind="error" actions=${html`<${Button} kind="secondary" size="sm" onClick=${account.reload}>${t('action.retry')}<//>`}>${errorText(account.error)}<//></div>`;
  if (!account.data) return html`<div class="page"><div class="loading-block"><span class="spinner spinner-lg" aria-hidden="true"></span><span>${t('state.loading')}</span></div></div>`;
  const a = account.data;
  const active = ACCOUNT_SECTIONS.find((s) => s.id === tab) || ACCOUNT_SECTIONS[0];
  const Section = active.component;
  return html`<div class="page page-wide crm-account">
    <a class="back-link" href=${BASE}>← ${t('app.nav.accounts')}</a>
    <${PageHeader} title=${a.name} lead=${html`<${KindBadge} kind=${a.kind} />${a.tax_id ? html` <span class="crm-inn">${t('crm.account.tax_id')} ${a.tax_id}</span>` : ''}`}
      actions=${html`<a class="button button-secondary" href=${previewUrl(a.id)} target="_blank" rel="noopener"><${Icon} name="eye" />${t('crm.preview.open')}</a>
        <${Button} kind="secondary" onClick=${() => setEditing(true)}><${Icon} name="edit" />${t('action.edit')}<//>`} />
    ${conflict && html`<${Alert} kind="warning" title=${t('crm.conflict.title')}
      actions=${html`<${Button} kind="secondary" size="sm" onClick=${() => setConflict(false)}>${t('action.dismiss')}<//>`}>${t('crm.conflict.reloaded')}<//>`}
    <section class="card"><div class="card-body">
      <dl class="crm-facts">
        <${Fact} label=${t('crm.account.owner')}>${a.owner?.name}<//>
        <${Fact} label=${t('crm.account.email')}>${a.email && html`<a href=${`mailto:${a.email}`}>${a.email}</a>`}<//>
        <${Fact} label=${t('crm.account.phone')}>${a.phone && html`<a href=${`tel:${a.phone.replace(/[^+\d]/g, '')}`}>${a.phone}</a>`}<//>
        <${Fact} label=${t('crm.account.legal_address')}>${a.legal_address}<//>
        <${Fact} label=${t('crm.account.shipping_address')}>${a.shipping_address}<//>
        <${Fact} label=${t('crm.account.users')}>${a.users.length ? a.users.map((u) => u.name).join(', ') : null}<//>
        <${Fact} label=${t('crm.account.since')}><time datetime=${isoOf(a.created_at)}>${formatDate(a.created_at)}</time><//>
      </dl>
      ${a.notes && html`<p class="crm-notes">${a.notes}</p>`}
    </div></section>
    <nav class="crm-tabs" aria-label=${t('crm.account.sections')}>
      ${ACCOUNT_SECTIONS.map((s) => html`<a class="crm-tab" href=${`${accountPath(a.id)}/${s.id}`} aria-current=${s === active ? 'page' : undefined}>
        ${t(s.label)}${s.id === 'orders' && a.counts.orders ? html` <span class="crm-tab-count">${a.counts.orders}</span>` : ''}
        ${s.id === 'contacts' && a.counts.contacts ? html` <span class="crm-tab-count">${a.counts.contacts}</span>` : ''}</a>`)}
    </nav>
    <section class="crm-section" aria-label=${t(active.label)}>
      <${Section} key=${active.id + a.id} account=${a} onChange=${account.reload} />
    </section>
    ${editing && html`<${AccountDialog} account=${a} onClose=${() => setEditing(false)}
      onSaved=${(x) => { setEditing(false); account.setData(x); toast(t('crm.account.saved')); }}
      onConflict=${(current) => { setEditing(false); setConflict(true); if (current) account.setData(current); else account.reload(); }} />`}
  </div>`;
}

/* /app/crm/accounts, /app/crm/accounts/{id} and /app/crm/accounts/{id}/{section}. */
export function AccountsPage({ path, item }) {
  const m = /^\/app\/crm\/accounts\/(\d+)(?:\/([a-z_-]+))?\/?$/.exec(path);
  if (m) return html`<${AccountPage} key=${m[1]} id=${m[1]} tab=${m[2]} />`;
  if (path === BASE || path === `${BASE}/`) return html`<${AccountsList} item=${item} />`;
  return html`<${NotFoundPage} path=${path} home=${BASE} />`;
}
