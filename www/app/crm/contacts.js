// The contacts of an account (a section of its page): the people there, added, edited and
// removed in a dialog.
import { html, useState } from '/shared/preact.js';
import { api } from '/shared/api.js';
import { t } from '/shared/i18n.js';
import { Alert, Button, ConfirmDialog, Dialog, TextField, formError, toast, useId } from '/shared/forms.js';
import { EmptyState, Icon } from '/shared/ui.js';
import { ListState, LoadMore, usePagedList } from '/app/admin/common.js';
import { trimmed } from '/app/crm/common.js';

const FIELDS = ['name', 'position', 'email', 'phone'];

function ContactDialog({ account, contact, onClose, onSaved }) {
  const [form, setForm] = useState(() => Object.fromEntries(FIELDS.map((f) => [f, contact?.[f] ?? ''])));
  const [errors, setErrors] = useState({});
  const [problem, setProblem] = useState(null);
  const [busy, setBusy] = useState(false);
  const id = Object.fromEntries(FIELDS.map((f) => [f, useId(f)]));
  const formId = useId('contact-form');
  const set = (key) => (value) => setForm((f) => ({ ...f, [key]: value }));
  async function submit(event) {
    event.preventDefault();
    setProblem(null);
    if (!form.name.trim()) return setErrors({ name: t('error.field.name') });
    const body = Object.fromEntries(FIELDS.map((f) => [f, trimmed(form[f])]));
    setBusy(true);
    try {
      onSaved(contact
        ? await api.patch(`/contacts/${contact.id}`, { ...body, version: contact.version })
        : await api.post('/contacts', { ...body, account_id: account.id }));
    } catch (err) {
      setBusy(false);
      if (err.code === 'conflict') return setProblem(t('crm.conflict.reloaded'));
      const { field, text } = formError(err, Object.fromEntries(FIELDS.map((f) => [f, f])));
      if (field) setErrors({ [field]: text });
      else setProblem(text);
    }
  }
  const text = (f, extra = {}) => html`<${TextField} id=${id[f]} label=${t(`crm.contact.${f}`)} value=${form[f]} onValue=${set(f)} error=${errors[f]} ...${extra} />`;
  return html`<${Dialog} title=${t(contact ? 'crm.contact.edit' : 'crm.contact.new')} onClose=${onClose}
    footer=${html`<${Button} kind="secondary" onClick=${onClose}>${t('action.cancel')}<//>
      <${Button} type="submit" form=${formId} busy=${busy}>${t('action.save')}<//>`}>
    ${problem && html`<${Alert} kind="error">${problem}<//>`}
    <form id=${formId} class="form" novalidate onSubmit=${submit}>
      ${text('name', { maxlength: 200, autocomplete: 'off' })}
      ${text('position', { maxlength: 200 })}
      <div class="form-row">
        ${text('email', { type: 'email', maxlength: 254, autocapitalize: 'off', spellcheck: 'false' })}
        ${text('phone', { type: 'tel', maxlength: 50 })}
      </div>
    </form>
  <//>`;
}

export function ContactsSection({ account, onChange }) {
  const list = usePagedList((before) => api.get('/contacts', { query: { account_id: account.id, limit: 100, before: before ?? undefined } }), [account.id]);
  const [dialog, setDialog] = useState(null); // { kind: 'new' | 'edit' | 'delete', contact }
  const done = (message) => {
    setDialog(null);
    toast(message);
    list.reload();
    onChange?.();
  };
  const add = html`<${Button} onClick=${() => setDialog({ kind: 'new' })}><${Icon} name="plus" />${t('crm.contact.new')}<//>`;
  return html`<div class="crm-section-body">
    <div class="crm-section-bar"><h2 class="crm-section-title">${t('crm.section.contacts')}</h2>${list.items.length > 0 && add}</div>
    <${ListState} loading=${list.loading} error=${list.error} empty=${!list.items.length} onRetry=${list.reload}
      emptyIcon="users" emptyTitle=${t('crm.contacts.empty')} emptyBody=${t('crm.contacts.empty.body')}>
      <ul class="crm-contacts">
        ${list.items.map((c) => html`<li class="crm-contact card" key=${c.id}>
          <div class="crm-contact-main">
            <strong class="crm-contact-name">${c.name}</strong>
            ${c.position && html`<span class="cell-sub">${c.position}</span>`}
            ${c.email && html`<a href=${`mailto:${c.email}`}>${c.email}</a>`}
            ${c.phone && html`<a href=${`tel:${c.phone.replace(/[^+\d]/g, '')}`}>${c.phone}</a>`}
          </div>
          <div class="row-actions">
            <${Button} kind="ghost" size="sm" onClick=${() => setDialog({ kind: 'edit', contact: c })}
              aria-label=${t('crm.contact.edit_for', { name: c.name })}><${Icon} name="edit" class="icon icon-sm" />${t('action.edit')}<//>
            <${Button} kind="ghost" size="sm" class="text-bad" onClick=${() => setDialog({ kind: 'delete', contact: c })}
              aria-label=${t('crm.contact.delete_for', { name: c.name })}><${Icon} name="trash" class="icon icon-sm" /><//>
          </div>
        </li>`)}
      </ul>
      <${LoadMore} next=${list.next} busy=${list.more} onMore=${list.loadMore} />
    <//>
    ${!list.loading && !list.error && !list.items.length && html`<div class="crm-empty-action">${add}</div>`}
    ${(dialog?.kind === 'new' || dialog?.kind === 'edit') && html`<${ContactDialog} account=${account} contact=${dialog.contact}
      onClose=${() => setDialog(null)} onSaved=${(c) => done(t('crm.contact.saved', { name: c.name }))} />`}
    ${dialog?.kind === 'delete' && html`<${ConfirmDialog} danger title=${t('crm.contact.delete')} confirmLabel=${t('crm.contact.delete')}
      body=${t('crm.contact.delete_body', { name: dialog.contact.name })} onClose=${() => setDialog(null)}
      onConfirm=${async () => { await api.delete(`/contacts/${dialog.contact.id}`); done(t('crm.contact.deleted', { name: dialog.contact.name })); }} />`}
  </div>`;
}
