// Support tickets for employees: the queue (/app/crm/tickets, filters in the URL, overdue
// flags, keyset "load more") and one ticket (/app/crm/tickets/{id}: thread, reply or
// internal note, assignee, status, SLA). AccountTickets is the account page's section.
import { html, useEffect, useState } from '/shared/preact.js';
import { api } from '/shared/api.js';
import { errorText, t } from '/shared/i18n.js';
import { Alert, Button, Dialog, SelectField, TextField, toast, useId, useLoad } from '/shared/forms.js';
import { formatDateTime } from '/shared/format.js';
import { navigate, usePath, useQuery } from '/shared/router.js';
import { EmptyState, Icon, PageHeader } from '/shared/ui.js';
import { useSession } from '/shared/session.js';
import {
  PRIORITIES, STATUSES, FilePicker, ReplyBox, Thread, TicketPriority, TicketStatus, TimeText,
  TicketHeading, UploadList, nextStatuses, ticketGate, useLiveTickets, useTicket, useUploads,
} from '/shared/tickets.js';

const BASE = '/app/crm/tickets';
const FILTERS = ['status', 'priority', 'assignee', 'account_id', 'overdue'];

function useQueue(filters) {
  const [pages, setPages] = useState({ items: [], next: null, loading: true, error: null });
  const key = JSON.stringify(filters);
  async function load(before) {
    setPages((p) => ({ ...p, loading: true, error: null }));
    try {
      const answer = await api.get('/tickets', { query: { ...filters, limit: 50, before } });
      setPages((p) => ({ items: before ? [...p.items, ...answer.items] : answer.items, next: answer.next_before ?? null, loading: false, error: null }));
    } catch (error) {
      setPages((p) => ({ ...p, loading: false, error }));
    }
  }
  useEffect(() => { load(); }, [key]);
  return { ...pages, reload: () => load(), more: () => load(pages.next) };
}

function QueueRow({ ticket }) {
  return html`<li class=${'tk-row' + (ticket.overdue ? ' tk-row-overdue' : '')} data-ticket-id=${ticket.id}>
    <a class="tk-row-link" href=${`${BASE}/${ticket.id}`}>
      <span class="tk-row-main">
        <span class="tk-row-title"><span class="tk-id">#${ticket.id}</span> ${ticket.subject}</span>
        <span class="tk-row-sub">${ticket.account.name} · ${ticket.requester?.name || ''}</span>
      </span>
      <span class="tk-row-meta">
        ${ticket.overdue && html`<span class="badge badge-bad tk-overdue">${t('tickets.overdue')}</span>`}
        <${TicketStatus} status=${ticket.status} />
        <${TicketPriority} priority=${ticket.priority} />
        <span class="tk-row-assignee">${ticket.assignee ? ticket.assignee.name : t('tickets.unassigned')}</span>
        <span class="tk-row-time"><${TimeText} value=${ticket.last_message_at} /></span>
      </span>
    </a>
  </li>`;
}

function QueueFilters({ filters, accounts }) {
  const set = (name, value) => {
    const q = new URLSearchParams(location.search);
    if (value) q.set(name, value);
    else q.delete(name);
    navigate(`${BASE}${q.toString() ? `?${q}` : ''}`, { replace: true });
  };
  const id = useId('tkf');
  const opt = (prefix, values) => [{ value: '', label: t('tickets.filter.any') }, ...values.map((v) => ({ value: v, label: t(`${prefix}.${v}`) }))];
  return html`<div class="filters tk-filters">
    <${SelectField} id=${`${id}-status`} label=${t('tickets.field.status')} value=${filters.status || ''} onValue=${(v) => set('status', v)} options=${opt('tickets.status', STATUSES)} />
    <${SelectField} id=${`${id}-priority`} label=${t('tickets.field.priority')} value=${filters.priority || ''} onValue=${(v) => set('priority', v)} options=${opt('tickets.priority', PRIORITIES)} />
    <${SelectField} id=${`${id}-assignee`} label=${t('tickets.field.assignee')} value=${filters.assignee || ''} onValue=${(v) => set('assignee', v)}
      options=${[{ value: '', label: t('tickets.filter.any') }, { value: 'me', label: t('tickets.filter.me') }, { value: 'none', label: t('tickets.unassigned') }]} />
    <${SelectField} id=${`${id}-account`} label=${t('tickets.field.account')} value=${filters.account_id || ''} onValue=${(v) => set('account_id', v)}
      options=${[{ value: '', label: t('tickets.filter.any') }, ...accounts.map((a) => ({ value: String(a.id), label: a.name }))]} />
    <label class="tk-check"><input type="checkbox" checked=${filters.overdue === '1'} onChange=${(e) => set('overdue', e.target.checked ? '1' : '')} />${t('tickets.filter.overdue')}</label>
  </div>`;
}

/* A list of tickets with "load more"; used by the queue and the account section. */
function TicketList({ queue, emptyTitle }) {
  if (queue.error && !queue.items.length)
    return html`<${Alert} kind="error" title=${t('tickets.error.load')} actions=${html`<${Button} kind="secondary" size="sm" onClick=${queue.reload}>${t('action.retry')}<//>`}>${errorText(queue.error)}<//>`;
  if (queue.loading && !queue.items.length) return html`<div class="loading-block"><span class="spinner spinner-lg"></span></div>`;
  if (!queue.items.length) return html`<${EmptyState} icon="ticket" title=${emptyTitle} body=${t('tickets.empty.body')} />`;
  return html`<div>
    <ul class="tk-list">${queue.items.map((tk) => html`<${QueueRow} key=${tk.id} ticket=${tk} />`)}</ul>
    ${queue.next && html`<div class="load-more"><${Button} kind="secondary" busy=${queue.loading} onClick=${queue.more}>${t('tickets.more')}<//></div>`}
  </div>`;
}

function useAccounts() {
  return useLoad(() => api.get('/accounts', { query: { limit: 500 } }).then((a) => a.items), []);
}

function NewTicketDialog({ accounts, onClose, presetAccount }) {
  const [form, setForm] = useState({ account_id: presetAccount ? String(presetAccount) : '', requester_id: '', subject: '', body: '', priority: 'normal', assignee_id: '' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const people = useLoad(() => api.get('/tickets/people', { query: { account_id: form.account_id || undefined } }), [form.account_id]);
  const uploads = useUploads();
  const id = useId('tkn');
  const set = (k) => (v) => setForm((f) => ({ ...f, [k]: v, ...(k === 'account_id' ? { requester_id: '' } : {}) }));
  async function submit(e) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const created = await api.post('/tickets', {
        account_id: Number(form.account_id), requester_id: Number(form.requester_id), subject: form.subject, body: form.body,
        priority: form.priority, assignee_id: form.assignee_id ? Number(form.assignee_id) : null, file_ids: uploads.ids,
      });
      toast(t('tickets.created', { id: created.id }));
      navigate(`${BASE}/${created.id}`);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }
  const requesters = people.data?.requesters || [];
  const agents = people.data?.agents || [];
  return html`<${Dialog} title=${t('tickets.new.title')} onClose=${onClose} wide
    footer=${html`<${Button} kind="secondary" onClick=${onClose}>${t('action.cancel')}<//>
      <${Button} type="submit" form=${id} busy=${busy} disabled=${!form.account_id || !form.requester_id || !form.subject.trim() || !form.body.trim() || uploads.busy}>${t('tickets.new.create')}<//>`}>
    <form id=${id} class="form" onSubmit=${submit}>
      <${SelectField} id=${`${id}-account`} label=${t('tickets.field.account')} value=${form.account_id} onValue=${set('account_id')}
        options=${[{ value: '', label: t('tickets.new.choose') }, ...accounts.map((a) => ({ value: String(a.id), label: a.name }))]} />
      <${SelectField} id=${`${id}-requester`} label=${t('tickets.field.requester')} value=${form.requester_id} onValue=${set('requester_id')} disabled=${!form.account_id}
        options=${[{ value: '', label: t('tickets.new.choose') }, ...requesters.map((u) => ({ value: String(u.id), label: `${u.name} <${u.email}>` }))]} />
      <${TextField} id=${`${id}-subject`} label=${t('tickets.field.subject')} value=${form.subject} onValue=${set('subject')} maxLength="200" />
      <div class="field"><label class="field-label" for=${`${id}-body`}>${t('tickets.field.body')}</label>
        <textarea id=${`${id}-body`} class="input tk-textarea" rows="5" value=${form.body} onInput=${(e) => set('body')(e.target.value)}></textarea></div>
      <div class="form-row">
        <${SelectField} id=${`${id}-priority`} label=${t('tickets.field.priority')} value=${form.priority} onValue=${set('priority')}
          options=${PRIORITIES.map((p) => ({ value: p, label: t(`tickets.priority.${p}`) }))} />
        <${SelectField} id=${`${id}-assignee`} label=${t('tickets.field.assignee')} value=${form.assignee_id} onValue=${set('assignee_id')}
          options=${[{ value: '', label: t('tickets.unassigned') }, ...agents.map((u) => ({ value: String(u.id), label: u.name }))]} />
      </div>
      <${UploadList} uploads=${uploads} />
      <${FilePicker} uploads=${uploads} id=${`${id}-files`} />
      ${error && html`<${Alert} kind="error">${errorText(error)}<//>`}
    </form>
  <//>`;
}

function QueuePage() {
  const query = useQuery();
  const filters = {};
  for (const f of FILTERS) if (query.get(f)) filters[f] = query.get(f);
  const queue = useQueue(filters);
  const accounts = useAccounts();
  const [creating, setCreating] = useState(false);
  useLiveTickets(queue.reload);
  return html`<div class="page page-wide tk-page">
    <${PageHeader} title=${t('app.nav.tickets')} lead=${t('app.lead.tickets')}
      actions=${html`<${Button} kind="secondary" onClick=${queue.reload}><${Icon} name="refresh" class="icon icon-sm" />${t('action.refresh')}<//>
        <${Button} onClick=${() => setCreating(true)}><${Icon} name="plus" class="icon icon-sm" />${t('tickets.new.button')}<//>`} />
    <${QueueFilters} filters=${filters} accounts=${accounts.data || []} />
    <${TicketList} queue=${queue} emptyTitle=${t('tickets.empty.queue')} />
    ${creating && html`<${NewTicketDialog} accounts=${accounts.data || []} onClose=${() => setCreating(false)} />`}
  </div>`;
}

/* ---------- one ticket ---------- */

function SideFacts({ ticket }) {
  const sla = ticket.sla || {};
  const due = (v, done) => (done ? html`<span class="tk-ok"><${Icon} name="check" class="icon icon-sm" />${formatDateTime(done)}</span>` : v ? formatDateTime(v) : '—');
  return html`<dl class="tk-facts">
    <dt>${t('tickets.field.account')}</dt><dd>${ticket.account.name}</dd>
    <dt>${t('tickets.field.requester')}</dt><dd>${ticket.requester?.name}</dd>
    <dt>${t('tickets.sla.first_response')}</dt><dd>${due(sla.first_response_due, sla.first_response_at)}</dd>
    <dt>${t('tickets.sla.resolution')}</dt><dd>${due(sla.resolution_due, sla.resolved_at)}</dd>
    <dt>${t('tickets.field.created')}</dt><dd>${formatDateTime(ticket.created_at)}</dd>
    ${ticket.rating && html`<dt>${t('tickets.rating.title')}</dt><dd class="tk-stars" aria-label=${t('tickets.rating.value', { n: ticket.rating })}>${'★'.repeat(ticket.rating)}${'☆'.repeat(5 - ticket.rating)}
      ${ticket.rating_comment && html`<div class="tk-rating-comment">${ticket.rating_comment}</div>`}</dd>`}
  </dl>`;
}

function Controls({ ticket, onChanged }) {
  const people = useLoad(() => api.get('/tickets/people'), []);
  const [busy, setBusy] = useState(null);
  const id = useId('tkc');
  /* kind: 'assign' or 'status' (their own routes) or 'fields' (PATCH subject/priority) */
  async function change(kind, body) {
    setBusy(kind);
    try {
      const versioned = { ...body, version: ticket.version };
      onChanged(await (kind === 'fields' ? api.patch(`/tickets/${ticket.id}`, versioned) : api.post(`/tickets/${ticket.id}/${kind}`, versioned)));
    } catch (err) {
      if (err.data?.current) onChanged({ ...ticket, ...err.data.current, messages: ticket.messages });
      toast(errorText(err), 'error');
    } finally {
      setBusy(null);
    }
  }
  const agents = people.data?.agents || [];
  const me = useSession().user;
  return html`<div class="tk-controls">
    <${SelectField} id=${`${id}-assignee`} label=${t('tickets.field.assignee')} value=${ticket.assignee ? String(ticket.assignee.id) : ''} disabled=${busy === 'assign'}
      onValue=${(v) => change('assign', { assignee_id: v ? Number(v) : null })}
      options=${[{ value: '', label: t('tickets.unassigned') }, ...agents.map((u) => ({ value: String(u.id), label: u.name }))]} />
    <${SelectField} id=${`${id}-priority`} label=${t('tickets.field.priority')} value=${ticket.priority} disabled=${busy === 'fields'}
      onValue=${(v) => change('fields', { priority: v })} options=${PRIORITIES.map((p) => ({ value: p, label: t(`tickets.priority.${p}`) }))} />
    ${me && ticket.assignee?.id !== me.id && html`<${Button} kind="secondary" size="sm" busy=${busy === 'assign'} onClick=${() => change('assign', { assignee_id: me.id })}>${t('tickets.assign_me')}<//>`}
    <div class="tk-status-actions" role="group" aria-label=${t('tickets.field.status')}>
      ${nextStatuses(ticket.status).map((s) => html`<${Button} key=${s} kind="secondary" size="sm" busy=${busy === 'status'} data-status=${s}
        onClick=${() => change('status', { status: s })}>${t(`tickets.action.${s}`)}<//>`)}
    </div>
  </div>`;
}

function TicketPage({ id }) {
  const ticket = useTicket(`/tickets/${id}`);
  const gate = ticketGate(ticket, BASE);
  if (gate) return gate;
  const tk = ticket.data;
  const closed = tk.status === 'closed';
  return html`<div class="page page-wide tk-page">
    <${TicketHeading} ticket=${tk} listPath=${BASE}
      lead=${html`<${TicketStatus} status=${tk.status} /> ${tk.overdue && html`<span class="badge badge-bad tk-overdue">${t('tickets.overdue')}</span>`}`} />
    <div class="tk-layout">
      <div class="tk-main">
        <${Thread} messages=${tk.messages} />
        ${closed && html`<p class="tk-hint">${t('tickets.closed_staff')}</p>`}
        <${ReplyBox} allowInternal onSend=${async (payload) => ticket.setData(await api.post(`/tickets/${tk.id}/messages`, payload))} />
      </div>
      <aside class="tk-side">
        <${Controls} ticket=${tk} onChanged=${ticket.setData} />
        <${SideFacts} ticket=${tk} />
      </aside>
    </div>
  </div>`;
}

export function TicketsPage() {
  const path = usePath();
  const m = /^\/app\/crm\/tickets\/(\d+)$/.exec(path);
  return m ? html`<${TicketPage} id=${m[1]} />` : html`<${QueuePage} />`;
}

/* The account page's tickets section: this account's queue and a "new ticket" button. */
export function AccountTickets({ account }) {
  const queue = useQueue({ account_id: String(account.id) });
  const accounts = [{ id: account.id, name: account.name }];
  const [creating, setCreating] = useState(false);
  return html`<section class="tk-account">
    <div class="toolbar"><${Button} size="sm" onClick=${() => setCreating(true)}><${Icon} name="plus" class="icon icon-sm" />${t('tickets.new.button')}<//></div>
    <${TicketList} queue=${queue} emptyTitle=${t('tickets.empty.account')} />
    ${creating && html`<${NewTicketDialog} accounts=${accounts} presetAccount=${account.id} onClose=${() => setCreating(false)} />`}
  </section>`;
}
