// Support tickets, the parts both apps show: status and priority badges, the message
// thread, the reply box with attachments, and the uploads behind it.
import { html, useEffect, useRef, useState } from '/shared/preact.js';
import { ApiError, getCsrfToken } from '/shared/api.js';
import { errorText, t } from '/shared/i18n.js';
import { Alert, Button, useId, useLoad } from '/shared/forms.js';
import { api } from '/shared/api.js';
import { formatDateTime, formatRelative } from '/shared/format.js';
import { Icon, PageHeader } from '/shared/ui.js';
import { useLiveRefresh } from '/shared/realtime.js';
import { formatSize } from '/shared/kb.js';

export const STATUSES = ['new', 'open', 'waiting', 'resolved', 'closed'];
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'];

/* The statuses an employee may move a ticket to (the server's workflow, for the menu). */
export function nextStatuses(status) {
  if (status === 'closed') return [];
  if (status === 'resolved') return ['open', 'closed'];
  return STATUSES.filter((s) => s !== 'new' && s !== status);
}

const STATUS_KIND = { new: 'accent', open: 'warn', waiting: 'neutral', resolved: 'ok', closed: 'neutral' };

export function TicketStatus({ status }) {
  return html`<span class=${`badge badge-${STATUS_KIND[status] || 'neutral'} tk-status tk-status-${status}`}>${t(`tickets.status.${status}`)}</span>`;
}

export function TicketPriority({ priority }) {
  return html`<span class=${`tk-prio tk-prio-${priority}`}>${t(`tickets.priority.${priority}`)}</span>`;
}

export function TimeText({ value }) {
  if (!value) return null;
  return html`<time datetime=${value} title=${formatDateTime(value)}>${formatRelative(value)}</time>`;
}

/* Files of a message: download links (the server checks who may read them). */
function MessageFiles({ files }) {
  if (!files?.length) return null;
  return html`<ul class="tk-files">
    ${files.map((f) => html`<li key=${f.id}><a class="tk-file" href=${`/api/v1/files/${f.id}`} download=${f.name}>
      <${Icon} name="file" class="icon icon-sm" /><span class="tk-file-name">${f.name}</span>
      <span class="tk-file-size">${formatSize(f.size)}</span></a></li>`)}
  </ul>`;
}

/* The thread, oldest first. Notes (employees only) are marked and tinted. */
export function Thread({ messages }) {
  return html`<ol class="tk-thread">
    ${messages.map(
      (m) => html`<li key=${m.id} class=${'tk-msg' + (m.internal ? ' tk-msg-note' : '') + (m.author.staff ? ' tk-msg-staff' : ' tk-msg-customer')}
        data-message-id=${m.id}>
        <div class="tk-msg-head">
          <span class="tk-msg-author">${m.author.name}</span>
          ${m.author.staff && !m.internal && html`<span class="badge badge-accent">${t('tickets.thread.staff')}</span>`}
          ${m.internal && html`<span class="badge badge-warn"><${Icon} name="lock" class="icon icon-sm" />${t('tickets.thread.internal')}</span>`}
          <span class="tk-msg-time"><${TimeText} value=${m.created_at} /></span>
        </div>
        <div class="tk-msg-body feed-rich" dangerouslySetInnerHTML=${{ __html: m.body_html }}></div>
        <${MessageFiles} files=${m.files} />
      </li>`,
    )}
  </ol>`;
}

/* POST /api/v1/files?name= with the raw bytes; resolves to {id, name, size}. */
async function uploadFile(file) {
  const headers = { 'Content-Type': file.type || 'application/octet-stream', Accept: 'application/json' };
  const token = getCsrfToken();
  if (token) headers['X-CSRF-Token'] = token;
  let res;
  try {
    res = await fetch(`/api/v1/files?name=${encodeURIComponent(file.name || 'file')}`, {
      method: 'POST', body: file, headers, credentials: 'same-origin',
    });
  } catch {
    throw new ApiError({ status: 0, code: 'network' });
  }
  const data = await res.json().catch(() => null);
  if (res.ok && data?.id) return data;
  throw new ApiError({ status: res.status, code: data?.error?.code || (res.status === 413 ? 'payload_too_large' : 'internal'), message: data?.error?.message });
}

/* Files picked for a message: each uploads at once; ids of the finished ones. */
export function useUploads() {
  const [list, setList] = useState([]);
  const seq = useRef(0);
  const patch = (key, change) => setList((all) => all.map((a) => (a.key === key ? { ...a, ...change } : a)));
  function add(files) {
    for (const file of files) {
      const key = ++seq.current;
      setList((all) => [...all, { key, name: file.name, size: file.size, status: 'uploading' }]);
      uploadFile(file).then(
        (answer) => patch(key, { status: 'done', id: answer.id }),
        (error) => patch(key, { status: 'error', error }),
      );
    }
  }
  return {
    list,
    add,
    remove: (key) => setList((all) => all.filter((a) => a.key !== key)),
    reset: () => setList([]),
    busy: list.some((a) => a.status === 'uploading'),
    failed: list.some((a) => a.status === 'error'),
    ids: list.filter((a) => a.status === 'done').map((a) => a.id),
  };
}

export function UploadList({ uploads }) {
  if (!uploads.list.length) return null;
  return html`<ul class="tk-uploads">
    ${uploads.list.map(
      (a) => html`<li key=${a.key} class=${'tk-upload tk-upload-' + a.status}>
        <${Icon} name=${a.status === 'error' ? 'alert' : 'file'} class="icon icon-sm" />
        <span class="tk-file-name">${a.name}</span>
        <span class="tk-file-size">${a.status === 'uploading' ? t('tickets.upload.uploading') : a.status === 'error' ? errorText(a.error) : formatSize(a.size)}</span>
        <button type="button" class="icon-button" aria-label=${t('tickets.upload.remove', { name: a.name })} onClick=${() => uploads.remove(a.key)}>
          <${Icon} name="close" class="icon icon-sm" /></button>
      </li>`,
    )}
  </ul>`;
}

export function FilePicker({ uploads, id }) {
  const input = useRef(null);
  return html`<span class="tk-picker">
    <input ref=${input} id=${id} type="file" multiple class="visually-hidden" data-testid="ticket-files"
      onChange=${(e) => { uploads.add([...e.target.files]); e.target.value = ''; }} />
    <${Button} kind="secondary" size="sm" onClick=${() => input.current?.click()}>
      <${Icon} name="paperclip" class="icon icon-sm" />${t('tickets.upload.attach')}<//>
  </span>`;
}

/*
 * The reply box: text, attachments and, for employees, the public reply / internal note
 * switch. onSend({ body, internal, file_ids }) returns a promise; the box clears on success.
 */
export function ReplyBox({ onSend, allowInternal = false, disabledText }) {
  const [body, setBody] = useState('');
  const [internal, setInternal] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const uploads = useUploads();
  const id = useId('reply');
  if (disabledText) return html`<${Alert} kind="info">${disabledText}<//>`;
  async function submit(e) {
    e.preventDefault();
    if (!body.trim() || busy || uploads.busy) return;
    setBusy(true);
    setError(null);
    try {
      const payload = { body, file_ids: uploads.ids };
      if (allowInternal) payload.internal = internal;
      await onSend(payload);
      setBody('');
      uploads.reset();
      setInternal(false);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return html`<form class=${'tk-reply' + (internal ? ' tk-reply-note' : '')} onSubmit=${submit}>
    ${allowInternal && html`<div class="tk-mode" role="radiogroup" aria-label=${t('tickets.reply.mode')}>
      <label class=${'tk-mode-opt' + (!internal ? ' is-on' : '')}><input type="radio" name=${`${id}-mode`} checked=${!internal} onChange=${() => setInternal(false)} />${t('tickets.reply.public')}</label>
      <label class=${'tk-mode-opt' + (internal ? ' is-on' : '')}><input type="radio" name=${`${id}-mode`} checked=${internal} onChange=${() => setInternal(true)} data-testid="internal-toggle" />
        <${Icon} name="lock" class="icon icon-sm" />${t('tickets.reply.internal')}</label>
    </div>`}
    <label class="visually-hidden" for=${id}>${internal ? t('tickets.reply.internal') : t('tickets.reply.label')}</label>
    <textarea id=${id} class="input tk-textarea" rows="4" value=${body} onInput=${(e) => setBody(e.target.value)}
      placeholder=${internal ? t('tickets.reply.note_placeholder') : t('tickets.reply.placeholder')}></textarea>
    <${UploadList} uploads=${uploads} />
    ${error && html`<${Alert} kind="error">${errorText(error)}<//>`}
    <div class="tk-reply-actions">
      <${FilePicker} uploads=${uploads} id=${`${id}-files`} />
      <span class="tk-hint">${t('tickets.reply.markdown')}</span>
      <${Button} type="submit" busy=${busy} disabled=${!body.trim() || uploads.busy || uploads.failed}>
        ${internal ? t('tickets.reply.send_note') : t('tickets.reply.send')}<//>
    </div>
  </form>`;
}

/* Keeps a ticket list or page fresh: reloads on the realtime gateway's ticket events
 * (ticket.created|message|status|updated|assigned|rated; "account:ID" brings a customer
 * only what they may see, "employees" everything; with ticketId only that ticket's),
 * polls every 30 s only while the socket is down, and reloads when the tab becomes
 * visible again (events that arrive while it is hidden are not applied). */
export function useLiveTickets(reload, ticketId = null) {
  const latest = useRef(reload);
  latest.current = reload;
  useLiveRefresh(() => latest.current(), {
    prefixes: ['ticket.'],
    match: (data) => ticketId == null || String(data?.ticket_id) === String(ticketId),
    pollMs: 30000,
    deps: [ticketId],
  });
  useEffect(() => {
    const onVisible = () => document.visibilityState === 'visible' && latest.current();
    document.addEventListener('visibilitychange', onVisible);
    return () => document.removeEventListener('visibilitychange', onVisible);
  }, []);
}

/* One ticket from apiPath (its id the last segment), kept fresh (see useLiveTickets). */
export function useTicket(apiPath) {
  const ticket = useLoad(() => api.get(apiPath), [apiPath]);
  useLiveTickets(ticket.reload, apiPath.split('/').pop());
  return ticket;
}

/* What to show instead of a ticket that failed or is loading; null once it is there. */
export function ticketGate(ticket, listPath) {
  if (ticket.error)
    return html`<div class="page"><${Alert} kind="error" title=${t('tickets.error.one')}>${errorText(ticket.error)}<//>
      <p><a href=${listPath}>${t('tickets.back')}</a></p></div>`;
  if (!ticket.data) return html`<div class="page"><div class="loading-block"><span class="spinner spinner-lg"></span></div></div>`;
  return null;
}

export function BackLink({ href }) {
  return html`<p class="tk-back"><a href=${href}><${Icon} name="arrow_left" class="icon icon-sm" />${t('tickets.back')}</a></p>`;
}

/* The back link and the "#id subject" heading with lead under it. */
export function TicketHeading({ ticket, listPath, lead }) {
  return html`<${BackLink} href=${listPath} />
    <${PageHeader} title=${html`<span class="tk-id">#${ticket.id}</span> ${ticket.subject}`} lead=${lead} />`;
}
