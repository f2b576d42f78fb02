// Administration → Users: search and filter, add a user, edit name and role, disable or enable.
import { html, useState } from '/shared/preact.js';
import { api } from '/shared/api.js';
import { t } from '/shared/i18n.js';
import { formatDate, isoOf } from '/shared/format.js';
import {
  Alert, Button, ConfirmDialog, Dialog, PasswordField, SelectField, TextField, formError, passwordLengthProblem,
  toast, useId, useLoad,
} from '/shared/forms.js';
import { isAdmin, setSessionUser, useSession } from '/shared/session.js';
import { Icon, PageHeader } from '/shared/ui.js';
import { AccessCell, Badge, ListState, LoadMore, PersonCell, REALMS, ROLES, useDebounced, usePagedList } from '/app/admin/common.js';

const PAGE_SIZE = 50;

/* Text for an error on the e-mail field: taken addresses get their own message. */
function emailTaken(err) {
  return err.code === 'email_taken' || (err.status === 409 && (err.field === 'email' || /email/i.test(err.message || '')));
}

/* Role or account choice that follows the realm; accounts come from GET /accounts. */
export function AccessFields({ realm, role, accountId, onRole, onAccount, errors, accounts, allowAdmin = true }) {
  const roleId = useId('role');
  const accountFieldId = useId('account');
  if (realm === 'employee')
    return html`<${SelectField} id=${roleId} label=${t('field.role')} value=${role} onValue=${onRole} error=${errors.role}
      hint=${t(`role.${role}.hint`)}
      options=${ROLES.filter((r) => allowAdmin || r !== 'admin').map((r) => ({ value: r, label: t(`role.${r}`) }))} />`;
  const list = (accounts.data?.items || []).filter((a) => (realm === 'partner' ? a.kind === 'partner' : a.kind !== 'partner'));
  const shown = list.length ? list : accounts.data?.items || [];
  const options = [{ value: '', label: accounts.loading ? t('state.loading') : t('field.account.choose'), disabled: true }]
    .concat(shown.map((a) => ({ value: String(a.id), label: a.name })));
  return html`<${SelectField} id=${accountFieldId} label=${t('field.company')} value=${accountId} onValue=${onAccount}
    error=${errors.account_id || (accounts.error && t('field.account.unavailable'))} options=${options}
    hint=${t(`realm.${realm}.hint`)} />`;
}

function CreateUserDialog({ onClose, onCreated }) {
  const [form, setForm] = useState({ email: '', name: '', realm: 'employee', role: 'member', account_id: '', password: '' });
  const [errors, setErrors] = useState({});
  const [problem, setProblem] = useState(null);
  const [busy, setBusy] = useState(false);
  const accounts = useLoad(() => api.get('/accounts'), []);
  const ids = { email: useId('email'), name: useId('name'), realm: useId('realm'), password: useId('password') };
  const set = (key) => (value) => setForm((f) => ({ ...f, [key]: value }));

  async function submit(event) {
    event.preventDefault();
    setProblem(null);
    const found = {};
    if (!/^[^@\s]+@[^@\s]+$/.test(form.email.trim())) found.email = t('error.field.email');
    if (!form.name.trim()) found.name = t('error.field.name');
    if (form.realm !== 'employee' && !form.account_id) found.account_id = t('error.field.account_id');
    const lengthProblem = passwordLengthProblem(form.password);
    if (lengthProblem) found.password = t(lengthProblem);
    setErrors(found);
    if (Object.keys(found).length) return;
    const body = { email: form.email.trim(), name: form.name.trim(), realm: form.realm, password: form.password };
    if (form.realm === 'employee') body.role = form.role;
    else body.account_id = Number(form.account_id);
    setBusy(true);
    try {
      const user = await api.post('/users', body);
      onCreated(user);
    } catch (err) {
      setBusy(false);
      if (emailTaken(err)) return setErrors({ email: t('error.email_taken') });
      const { field, text } = formError(err, { email: 'email', name: 'name', role: 'role', account_id: 'account_id', password: 'password' });
      if (field) setErrors({ [field]: text });
      else setProblem(text);
    }
  }

  const formId = useId('create-user');
  return html`<${Dialog} title=${t('users.create.title')} onClose=${onClose}
    footer=${html`<${Button} kind="secondary" onClick=${onClose}>${t('action.cancel')}<//>
      <${Button} type="submit" form=${formId} busy=${busy}>${t('users.create.submit')}<//>`}>
    <p class="dialog-text">${t('users.create.lead')}</p>
    ${problem && html`<${Alert} kind="error">${problem}<//>`}
    <form id=${formId} class="form" novalidate onSubmit=${submit}>
      <div class="form-row">
        <${TextField} id=${ids.name} label=${t('field.name')} value=${form.name} onValue=${set('name')} error=${errors.name}
          autocomplete="off" maxlength="200" />
        <${TextField} id=${ids.email} label=${t('field.email')} type="email" value=${form.email} onValue=${set('email')}
          error=${errors.email} autocomplete="off" autocapitalize="off" spellcheck="false" />
      </div>
      <div class="form-row">
        <${SelectField} id=${ids.realm} label=${t('field.realm')} value=${form.realm} onValue=${set('realm')}
          options=${REALMS.map((r) => ({ value: r, label: t(`realm.${r}`) }))} />
        <${AccessFields} realm=${form.realm} role=${form.role} accountId=${form.account_id} onRole=${set('role')}
          onAccount=${set('account_id')} errors=${errors} accounts=${accounts} />
      </div>
      <${PasswordField} id=${ids.password} label=${t('field.initial_password')} fresh value=${form.password}
        onValue=${set('password')} error=${errors.password} />
    </form>
  <//>`;
}

function EditUserDialog({ user, self, onClose, onSaved, onConflict }) {
  const [name, setName] = useState(user.name);
  const [role, setRole] = useState(user.role || 'member');
  const [errors, setErrors] = useState({});
  const [problem, setProblem] = useState(null);
  const [busy, setBusy] = useState(false);
  const ids = { name: useId('name'), role: useId('role') };
  const formId = useId('edit-user');

  async function submit(event) {
    event.preventDefault();
    setProblem(null);
    if (!name.trim()) return setErrors({ name: t('error.field.name') });
    const body = { version: user.version };
    if (name.trim() !== user.name) body.name = name.trim();
    if (user.realm === 'employee' && role !== user.role) body.role = role;
    if (Object.keys(body).length === 1) return onClose();
    setBusy(true);
    try {
      onSaved(await api.patch(`/users/${user.id}`, body));
    } catch (err) {
      setBusy(false);
      if (err.code === 'conflict') return onConflict();
      const { field, text } = formError(err, { name: 'name', role: 'role' });
      if (field) setErrors({ [field]: text });
      else setProblem(text);
    }
  }

  return html`<${Dialog} title=${t('users.edit.title')} onClose=${onClose}
    footer=${html`<${Button} kind="secondary" onClick=${onClose}>${t('action.cancel')}<//>
      <${Button} type="submit" form=${formId} busy=${busy}>${t('action.save')}<//>`}>
    <p class="dialog-text">${user.email}</p>
    ${problem && html`<${Alert} kind="error">${problem}<//>`}
    <form id=${formId} class="form" novalidate onSubmit=${submit}>
      <${TextField} id=${ids.name} label=${t('field.name')} value=${name} onValue=${setName} error=${errors.name} maxlength="200" />
      ${user.realm === 'employee' &&
      html`<${SelectField} id=${ids.role} label=${t('field.role')} value=${role} onValue=${setRole} error=${errors.role}
        hint=${self ? t('users.own_role') : t(`role.${role}.hint`)} disabled=${self}
        options=${ROLES.map((r) => ({ value: r, label: t(`role.${r}`) }))} />`}
    </form>
  <//>`;
}

export function UsersPage({ item }) {
  const { user: me } = useSession();
  const admin = isAdmin(me);
  const [search, setSearch] = useState('');
  const [realm, setRealm] = useState('');
  const q = useDebounced(search.trim(), 300);
  const list = usePagedList(
    (before) => api.get('/users', { query: { q: q || undefined, realm: realm || undefined, limit: PAGE_SIZE, before: before ?? undefined } }),
    [q, realm],
  );
  const [dialog, setDialog] = useState(null); // { kind: 'create' | 'edit' | 'toggle', user }
  const [conflict, setConflict] = useState(false);
  const searchId = useId('search');
  const realmId = useId('realm');

  function saved(user, message) {
    list.replace(user);
    if (user.id === me.id) setSessionUser({ ...me, name: user.name, role: user.role });
    setDialog(null);
    toast(message);
  }
  function onConflict() {
    setDialog(null);
    setConflict(true);
    list.reload();
  }
  async function toggle(user) {
    try {
      saved(await api.patch(`/users/${user.id}`, { disabled: !user.disabled, version: user.version }),
        t(user.disabled ? 'users.enabled' : 'users.disabled_done', { name: user.name }));
    } catch (err) {
      if (err.code === 'conflict') return onConflict();
      throw err;
    }
  }

  const filtered = Boolean(q || realm);
  return html`<div class="page">
    <${PageHeader} title=${t(item.label)} lead=${t('users.lead')}
      actions=${admin && html`<${Button} onClick=${() => setDialog({ kind: 'create' })}><${Icon} name="plus" />${t('users.create')}<//>`} />
    ${conflict && html`<${Alert} kind="warning" title=${t('error.conflict.title')}
      actions=${html`<${Button} kind="secondary" size="sm" onClick=${() => setConflict(false)}>${t('action.dismiss')}<//>`}>
      ${t('error.conflict.reloaded')}<//>`}
    <div class="toolbar" role="search">
      <div class="search">
        <label class="visually-hidden" for=${searchId}>${t('users.search')}</label>
        <${Icon} name="search" class="icon search-icon" />
        <input id=${searchId} class="input" type="search" placeholder=${t('users.search')} value=${search}
          onInput=${(e) => setSearch(e.currentTarget.value)} autocomplete="off" />
      </div>
      <label class="visually-hidden" for=${realmId}>${t('field.realm')}</label>
      <select id=${realmId} class="input select toolbar-select" value=${realm} onChange=${(e) => setRealm(e.currentTarget.value)}>
        <option value="">${t('users.filter.all')}</option>
        ${REALMS.map((r) => html`<option value=${r}>${t(`realm.${r}.plural`)}</option>`)}
      </select>
    </div>
    <${ListState} loading=${list.loading} error=${list.error} empty=${!list.items.length} onRetry=${list.reload}
      emptyIcon=${filtered ? 'search' : 'users'} emptyTitle=${t(filtered ? 'users.none_found' : 'users.empty')}
      emptyBody=${t(filtered ? 'users.none_found.body' : 'users.empty.body')}>
      <div class=${'table-wrap' + (list.loading ? ' is-loading' : '')}>
        <table class="table">
          <thead><tr>
            <th scope="col">${t('users.col.user')}</th>
            <th scope="col">${t('users.col.access')}</th>
            <th scope="col">${t('users.col.status')}</th>
            <th scope="col">${t('users.col.created')}</th>
            ${admin && html`<th scope="col" class="col-actions"><span class="visually-hidden">${t('users.col.actions')}</span></th>`}
          </tr></thead>
          <tbody>
            ${list.items.map(
              (u) => html`<tr key=${u.id} class=${u.disabled ? 'row-muted' : ''}>
                <td data-label=${t('users.col.user')}><${PersonCell} person=${u} you=${u.id === me.id} /></td>
                <td data-label=${t('users.col.access')}><${AccessCell} realm=${u.realm} role=${u.role} account=${u.account} /></td>
                <td data-label=${t('users.col.status')}>
                  <${Badge} tone=${u.disabled ? 'bad' : 'ok'}>${t(u.disabled ? 'users.status.disabled' : 'users.status.active')}<//>
                </td>
                <td data-label=${t('users.col.created')}><time datetime=${isoOf(u.created_at)}>${formatDate(u.created_at)}</time></td>
                ${admin && html`<td class="col-actions">
                  <div class="row-actions">
                    <${Button} kind="ghost" size="sm" onClick=${() => setDialog({ kind: 'edit', user: u })}
                      aria-label=${t('users.edit.for', { name: u.name })}><${Icon} name="edit" class="icon icon-sm" />${t('action.edit')}<//>
                    ${u.id !== me.id && html`<${Button} kind="ghost" size="sm" class=${u.disabled ? '' : 'text-bad'}
                      onClick=${() => setDialog({ kind: 'toggle', user: u })}
                      aria-label=${t(u.disabled ? 'users.enable.for' : 'users.disable.for', { name: u.name })}>
                      ${t(u.disabled ? 'users.enable' : 'users.disable')}<//>`}
                  </div>
                </td>`}
              </tr>`,
            )}
          </tbody>
        </table>
      </div>
      <${LoadMore} next=${list.next} busy=${list.more} onMore=${list.loadMore} />
    <//>
    ${dialog?.kind === 'create' && html`<${CreateUserDialog} onClose=${() => setDialog(null)}
      onCreated=${(u) => { setDialog(null); toast(t('users.created', { name: u.name })); list.reload(); }} />`}
    ${dialog?.kind === 'edit' && html`<${EditUserDialog} user=${dialog.user} self=${dialog.user.id === me.id} onClose=${() => setDialog(null)}
      onSaved=${(u) => saved(u, t('users.saved', { name: u.name }))} onConflict=${onConflict} />`}
    ${dialog?.kind === 'toggle' && html`<${ConfirmDialog}
      title=${t(dialog.user.disabled ? 'users.enable.title' : 'users.disable.title', { name: dialog.user.name })}
      body=${t(dialog.user.disabled ? 'users.enable.body' : 'users.disable.body', { name: dialog.user.name, email: dialog.user.email })}
      confirmLabel=${t(dialog.user.disabled ? 'users.enable' : 'users.disable')} danger=${!dialog.user.disabled}
      onConfirm=${() => toggle(dialog.user)} onClose=${() => setDialog(null)} />`}
  </div>`;
}
