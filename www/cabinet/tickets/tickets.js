// The customer's support tickets (/cabinet/tickets): recent updates, the list, a new
// ticket with attachments (/cabinet/tickets/new), one ticket with its thread, the reply
// box and, once resolved, the rating. The server filters everything by the account.
import { html, useState } from '/shared/preact.js';
import { api } from '/shared/api.js';
import { errorText, t } from '/shared/i18n.js';
import { Alert, Button, SelectField, TextField, toast, useId, useLoad } from '/shared/forms.js';
import { navigate, usePath, useQuery } from '/shared/router.js';
import { EmptyState, Icon, PageHeader } from '/shared/ui.js';
import {
  PRIORITIES, STATUSES, BackLink, FilePicker, ReplyBox, Thread, TicketHeading, TicketStatus, TimeText,
  UploadList, ticketGate, useLiveTickets, useTicket, useUploads,
} from '/shared/tickets.js';

const BASE = '/cabinet/tickets';

/* Status changes and replies the portal told this user about (notifications). */
function Updates() {
  const notes = useLoad(() => api.get('/notifications', { query: { limit: 20 } }), []);
  const items = (notes.data?.items || []).filter((n) => n.object_type === 'ticket' && !n.read_at).slice(0, 5);
  if (!items.length) return null;
  async function markRead() {
    await api.post('/notifications/read', { ids: items.map((n) => n.id) }).catch(() => {});
    notes.reload();
  }
  return html`<section class="card tk-updates" aria-labelledby="tk-updates-title">
    <div class="card-head"><h2 class="card-title" id="tk-updates-title">${t('tickets.updates.title')}</h2>
      <${Button} kind="ghost" size="sm" onClick=${markRead}>${t('tickets.updates.read')}<//></div>
    <ul class="tk-updates-list">
      ${items.map((n) => html`<li key=${n.id}><a href=${`${BASE}/${n.object_id}`}>${n.summary}</a> <span class="tk-row-time"><${TimeText} value=${n.created_at} /></span></li>`)}
    </ul>
  </section>`;
}

function ListPage() {
  const query = useQuery();
  const status = query.get('status') || '';
  const [extra, setExtra] = useState({ items: [], next: undefined });
  const list = useLoad(() => api.get('/cabinet/tickets', { query: { status: status || undefined, limit: 50 } }), [status]);
  useLiveTickets(list.reload);
  const id = useId('ctk');
  const items = [...(list.data?.items || []), ...extra.items];
  const next = extra.next === undefined ? list.data?.next_before : extra.next;
  async function more() {
    const answer = await api.get('/cabinet/tickets', { query: { status: status || undefined, limit: 50, before: next } });
    setExtra((e) => ({ items: [...e.items, ...answer.items], next: answer.next_before ?? null }));
  }
  let body;
  if (list.error) body = html`<${Alert} kind="error" title=${t('tickets.error.load')}>${errorText(list.error)}<//>`;
  else if (!list.data) body = html`<div class="loading-block"><span class="spinner spinner-lg"></span></div>`;
  else if (!items.length)
    body = html`<${EmptyState} icon="ticket" title=${t('tickets.empty.cabinet')} body=${t('tickets.empty.cabinet_body')}>
      <a class="button" href=${`${BASE}/new`}>${t('tickets.new.button')}</a><//>`;
  else
    body = html`<ul class="tk-list">
      ${items.map((tk) => html`<li key=${tk.id} class="tk-row" data-ticket-id=${tk.id}><a class="tk-row-link" href=${`${BASE}/${tk.id}`}>
        <span class="tk-row-main"><span class="tk-row-title"><span class="tk-id">#${tk.id}</span> ${tk.subject}</span>
          <span class="tk-row-sub">${tk.requester?.name}</span></span>
        <span class="tk-row-meta"><${TicketStatus} status=${tk.status} /><span class="tk-row-time"><${TimeText} value=${tk.last_message_at} /></span></span>
      </a></li>`)}
    </ul>
    ${next && html`<div class="load-more"><${Button} kind="secondary" onClick=${more}>${t('tickets.more')}<//></div>`}`;
  return html`<div class="page tk-page">
    <${PageHeader} title=${t('cabinet.nav.tickets')} lead=${t('cabinet.lead.tickets')}
      actions=${html`<a class="button" href=${`${BASE}/new`}><${Icon} name="plus" class="icon icon-sm" />${t('tickets.new.button')}</a>`} />
    <${Updates} />
    <div class="filters tk-filters">
      <${SelectField} id=${`${id}-status`} label=${t('tickets.field.status')} value=${status}
        onValue=${(v) => { setExtra({ items: [], next: undefined }); navigate(v ? `${BASE}?status=${v}` : BASE, { replace: true }); }}
        options=${[{ value: '', label: t('tickets.filter.any') }, ...STATUSES.map((s) => ({ value: s, label: t(`tickets.status.${s}`) }))]} />
    </div>
    ${body}
  </div>`;
}

function NewPage() {
  const [form, setForm] = useState({ subject: '', body: '', priority: 'normal' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const uploads = useUploads();
  const id = useId('ctn');
  const set = (k) => (v) => setForm((f) => ({ ...f, [k]: v }));
  async function submit(e) {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const created = await api.post('/cabinet/tickets', { ...form, file_ids: uploads.ids });
      toast(t('tickets.created', { id: created.id }));
      navigate(`${BASE}/${created.id}`);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }
  return html`<div class="page page-narrow tk-page">
    <${BackLink} href=${BASE} />
    <${PageHeader} title=${t('tickets.new.title')} lead=${t('tickets.new.lead')} />
    <form class="form card card-body" onSubmit=${submit}>
      <${TextField} id=${`${id}-subject`} label=${t('tickets.field.subject')} value=${form.subject} onValue=${set('subject')} maxLength="200" required />
      <div class="field"><label class="field-label" for=${`${id}-body`}>${t('tickets.field.body')}</label>
        <textarea id=${`${id}-body`} class="input tk-textarea" rows="6" value=${form.body} required onInput=${(e) => set('body')(e.target.value)}></textarea>
        <p class="field-hint">${t('tickets.reply.markdown')}</p></div>
      <${SelectField} id=${`${id}-priority`} label=${t('tickets.field.priority')} value=${form.priority} onValue=${set('priority')}
        options=${PRIORITIES.map((p) => ({ value: p, label: t(`tickets.priority.${p}`) }))} />
      <${UploadList} uploads=${uploads} />
      <div><${FilePicker} uploads=${uploads} id=${`${id}-files`} /></div>
      ${error && html`<${Alert} kind="error">${errorText(error)}<//>`}
      <div class="form-actions"><${Button} type="submit" busy=${busy}
        disabled=${!form.subject.trim() || !form.body.trim() || uploads.busy || uploads.failed}>${t('tickets.new.send')}<//></div>
    </form>
  </div>`;
}

function Rating({ ticket, onRated }) {
  const [stars, setStars] = useState(ticket.rating || 0);
  const [comment, setComment] = useState(ticket.rating_comment || '');
  const [busy, setBusy] = useState(false);
  const id = useId('rate');
  async function submit(e) {
    e.preventDefault();
    setBusy(true);
    try {
      onRated(await api.post(`/cabinet/tickets/${ticket.id}/rating`, { rating: stars, comment }));
      toast(t('tickets.rating.thanks'));
    } catch (err) {
      toast(errorText(err), 'error');
    } finally {
      setBusy(false);
    }
  }
  return html`<form class="card card-body tk-rating" onSubmit=${submit}>
    <h2 class="card-title">${t('tickets.rating.ask')}</h2>
    <div class="tk-stars-input" role="radiogroup" aria-label=${t('tickets.rating.title')}>
      ${[1, 2, 3, 4, 5].map((n) => html`<button key=${n} type="button" role="radio" aria-checked=${stars === n ? 'true' : 'false'}
        class=${'tk-star' + (n <= stars ? ' is-on' : '')} aria-label=${t('tickets.rating.value', { n })} onClick=${() => setStars(n)}>★</button>`)}
    </div>
    <${TextField} id=${`${id}-comment`} label=${t('tickets.rating.comment')} value=${comment} onValue=${setComment} maxLength="1000" />
    <div class="form-actions"><${Button} type="submit" busy=${busy} disabled=${!stars}>${t('tickets.rating.send')}<//></div>
  </form>`;
}

function TicketPage({ id }) {
  const ticket = useTicket(`/cabinet/tickets/${id}`);
  const gate = ticketGate(ticket, BASE);
  if (gate) return gate;
  const tk = ticket.data;
  const done = tk.status === 'resolved' || tk.status === 'closed';
  return html`<div class="page tk-page">
    <${TicketHeading} ticket=${tk} listPath=${BASE}
      lead=${html`<${TicketStatus} status=${tk.status} /> ${tk.assignee ? t('tickets.handled_by', { name: tk.assignee.name }) : ''}`} />
    <${Thread} messages=${tk.messages} />
    ${done && html`<${Rating} ticket=${tk} onRated=${ticket.setData} />`}
    <${ReplyBox} onSend=${async (payload) => ticket.setData(await api.post(`/cabinet/tickets/${tk.id}/messages`, payload))}
      disabledText=${tk.status === 'closed' ? t('tickets.closed_customer') : null} />
    ${tk.status === 'resolved' && html`<p class="tk-hint">${t('tickets.reopen_hint')}</p>`}
  </div>`;
}

export function CabinetTicketsPage() {
  const path = usePath();
  if (path === `${BASE}/new`) return html`<${NewPage} />`;
  const m = /^\/cabinet\/tickets\/(\d+)$/.exec(path);
  return m ? html`<${TicketPage} id=${m[1]} />` : html`<${ListPage} />`;
}
