// Administration → Invitations: who was invited and what became of it, invite someone (shows the link once), revoke.
import { html, useRef, useState } from '/shared/preact.js';
import { api } from '/shared/api.js';
import { t } from '/shared/i18n.js';
import { formatDate, formatDateTime, isoOf } from '/shared/format.js';
import { Alert, Button, ConfirmDialog, Dialog, SelectField, TextField, formError, toast, useId, useLoad } from '/shared/forms.js';
import { isAdmin, useSession } from '/shared/session.js';
import { Icon, PageHeader } from '/shared/ui.js';
import { AccessCell, Badge, ListState, LoadMore, PersonCell, REALMS, usePagedList } from '/app/admin/common.js';
import { AccessFields } from '/app/admin/users.js';

const PAGE_SIZE = 100;
const STATUS_TONES = { pending: 'accent', used: 'ok', revoked: 'neutral', expired: 'warn' };

export function invitationStatus(inv, now = Date.now()) {
  if (inv.used_at) return 'used';
  if (inv.revoked_at) return 'revoked';
  if (inv.expires_at && new Date(inv.expires_at).getTime() <= now) return 'expired';
  return 'pending';
}

/* The invitation link as a full URL (the server may answer with a path). */
function absoluteLink(link) {
  try {
    return new URL(link, location.origin).href;
  } catch {
    return link;
  }
}

/* After creating: the link, a copy button, and when it expires. The link is not shown again. */
function LinkResult({ created, onClose }) {
  const [copied, setCopied] = useState(false);
  const inputRef = useRef(null);
  const link = absoluteLink(created.link);
  const linkId = useId('link');
  async function copy() {
    try {
      await navigator.clipboard.writeText(link);
    } catch {
      inputRef.current?.select();
      document.execCommand?.('copy');
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 2500);
  }
  return html`<${Dialog} title=${t('invites.created.title')} onClose=${onClose}
    footer=${html`<${Button} onClick=${onClose}>${t('action.done')}<//>`}>
    <${Alert} kind="success">${t('invites.created.body', { email: created.email })}<//>
    <div class="field">
      <label class="field-label" for=${linkId}>${t('invites.link')}</label>
      <div class="input-group">
        <input id=${linkId} ref=${inputRef} class="input input-mono invite-link" readonly value=${link}
          onFocus=${(e) => e.currentTarget.select()} />
        <button type="button" class="input-addon input-addon-text" onClick=${copy}>
          <${Icon} name=${copied ? 'check' : 'copy'} class="icon icon-sm" />${t(copied ? 'invites.copied' : 'invites.copy')}
        </button>
      </div>
      <p class="field-hint">${t('invites.link.hint', { date: formatDateTime(created.expires_at) })}</p>
    </div>
  <//>`;
}

function InviteDialog({ me, onClose, onCreated }) {
  const admin = isAdmin(me);
  const [form, setForm] = useState({ email: '', name: '', realm: 'employee', role: 'member', account_id: '' });
  const [errors, setErrors] = useState({});
  const [problem, setProblem] = useState(null);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState(null);
  const accounts = useLoad(() => api.get('/accounts'), []);
  const ids = { email: useId('email'), name: useId('name'), realm: useId('realm') };
  const formId = useId('invite');
  const set = (key) => (value) => setForm((f) => ({ ...f, [key]: value }));

  async function submit(event) {
    event.preventDefault();
    setProblem(null);
    const found = {};
    if (!/^[^@\s]+@[^@\s]+$/.test(form.email.trim())) found.email = t('error.field.email');
    if (!form.name.trim()) found.name = t('error.field.name');
    if (form.realm !== 'employee' && !form.account_id) found.account_id = t('error.field.account_id');
    setErrors(found);
    if (Object.keys(found).length) return;
    const body = { email: form.email.trim(), name: form.name.trim(), realm: form.realm };
    if (form.realm === 'employee') body.role = form.role;
    else body.account_id = Number(form.account_id);
    setBusy(true);
    try {
      const answer = await api.post('/invitations', body);
      setCreated(answer);
      onCreated(answer);
    } catch (err) {
      setBusy(false);
      if (err.code === 'email_taken' || (err.status === 409 && err.field === 'email'))
        return setErrors({ email: t('error.email_taken') });
      const { field, text } = formError(err, { email: 'email', name: 'name', role: 'role', account_id: 'account_id' });
      if (field) setErrors({ [field]: text });
      else setProblem(text);
    }
  }

  if (created) return html`<${LinkResult} created=${created} onClose=${onClose} />`;
  return html`<${Dialog} title=${t('invites.create.title')} onClose=${onClose}
    footer=${html`<${Button} kind="secondary" onClick=${onClose}>${t('action.cancel')}<//>
      <${Button} type="submit" form=${formId} busy=${busy}><${Icon} name="send" class="icon icon-sm" />${t('invites.create.submit')}<//>`}>
    <p class="dialog-text">${t('invites.create.lead')}</p>
    ${problem && html`<${Alert} kind="error">${problem}<//>`}
    <form id=${formId} class="form" novalidate onSubmit=${submit}>
      <div class="form-row">
        <${TextField} id=${ids.email} label=${t('field.email')} type="email" value=${form.email} onValue=${set('email')}
          error=${errors.email} autocomplete="off" autocapitalize="off" spellcheck="false" />
        <${TextField} id=${ids.name} label=${t('field.name')} value=${form.name} onValue=${set('name')}
          error=${errors.name} autocomplete="off" maxlength="200" />
      </div>
      <div class="form-row">
        <${SelectField} id=${ids.realm} label=${t('field.realm')} value=${form.realm} onValue=${set('realm')}
          options=${REALMS.map((r) => ({ value: r, label: t(`realm.${r}`) }))} />
        <${AccessFields} realm=${form.realm} role=${form.role} accountId=${form.account_id} onRole=${set('role')}
          onAccount=${set('account_id')} errors=${errors} accounts=${accounts} allowAdmin=${admin} />
      </div>
    </form>
  <//>`;
}

export function InvitationsPage({ item }) {
  const { user: me } = useSession();
  const list = usePagedList((before) => api.get('/invitations', { query: { limit: PAGE_SIZE, before: before ?? undefined } }), []);
  const [dialog, setDialog] = useState(null); // { kind: 'create' } | { kind: 'revoke', invitation }
  const items = list.items;

  async function revoke(inv) {
    await api.delete(`/invitations/${inv.id}`);
    toast(t('invites.revoked', { email: inv.email }));
    list.reload();
  }

  return html`<div class="page">
    <${PageHeader} title=${t(item.label)} lead=${t('invites.lead')}
      actions=${html`<${Button} onClick=${() => setDialog({ kind: 'create' })}><${Icon} name="plus" />${t('invites.create')}<//>`} />
    <${ListState} loading=${list.loading} error=${list.error} empty=${!items.length} onRetry=${list.reload}
      emptyIcon="send" emptyTitle=${t('invites.empty')} emptyBody=${t('invites.empty.body')}>
      <div class="table-wrap">
        <table class="table">
          <thead><tr>
            <th scope="col">${t('invites.col.person')}</th>
            <th scope="col">${t('users.col.access')}</th>
            <th scope="col">${t('users.col.status')}</th>
            <th scope="col">${t('invites.col.invited')}</th>
            <th scope="col">${t('invites.col.expires')}</th>
            <th scope="col" class="col-actions"><span class="visually-hidden">${t('users.col.actions')}</span></th>
          </tr></thead>
          <tbody>
            ${items.map((inv) => {
              const status = invitationStatus(inv);
              const mayRevoke = status === 'pending';
              return html`<tr key=${inv.id} class=${status === 'pending' ? '' : 'row-muted'}>
                <td data-label=${t('invites.col.person')}><${PersonCell} person=${{ name: inv.name || inv.email, email: inv.email }} /></td>
                <td data-label=${t('users.col.access')}><${AccessCell} realm=${inv.realm} role=${inv.role} account=${inv.account} /></td>
                <td data-label=${t('users.col.status')}><${Badge} tone=${STATUS_TONES[status]}>${t(`invites.status.${status}`)}<//></td>
                <td data-label=${t('invites.col.invited')}>
                  <div class="cell-stack">
                    <time datetime=${isoOf(inv.created_at)}>${formatDate(inv.created_at)}</time>
                    ${inv.created_by && html`<span class="cell-sub">${t('invites.by', { name: inv.created_by.name })}</span>`}
                  </div>
                </td>
                <td data-label=${t('invites.col.expires')}>
                  ${status === 'used'
                    ? html`<span class="cell-sub">${t('invites.used_on', { date: formatDate(inv.used_at) })}</span>`
                    : html`<time datetime=${isoOf(inv.expires_at)}>${formatDateTime(inv.expires_at)}</time>`}
                </td>
                <td class="col-actions">
                  ${mayRevoke && html`<${Button} kind="ghost" size="sm" class="text-bad"
                    aria-label=${t('invites.revoke.for', { email: inv.email })}
                    onClick=${() => setDialog({ kind: 'revoke', invitation: inv })}>${t('invites.revoke')}<//>`}
                </td>
              </tr>`;
            })}
          </tbody>
        </table>
      </div>
      <${LoadMore} next=${list.next} busy=${list.more} onMore=${list.loadMore} />
    <//>
    ${dialog?.kind === 'create' && html`<${InviteDialog} me=${me} onClose=${() => setDialog(null)} onCreated=${() => list.reload()} />`}
    ${dialog?.kind === 'revoke' && html`<${ConfirmDialog} title=${t('invites.revoke.title')}
      body=${t('invites.revoke.body', { email: dialog.invitation.email })} confirmLabel=${t('invites.revoke')} danger
      onConfirm=${() => revoke(dialog.invitation)} onClose=${() => setDialog(null)} />`}
  </div>`;
}
