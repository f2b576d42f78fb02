// Documents (/app/crm/documents): every account's documents with an account filter, drag-and-drop
// uploads with progress, a document's versions, acknowledgements, share links and access log;
// folders and upload-request links. AccountDocuments is the same area for one account's page.
import { html, useRef, useState } from '/shared/preact.js';
import { api } from '/shared/api.js';
import { errorText, t } from '/shared/i18n.js';
import { formatDateTime, isoOf } from '/shared/format.js';
import { Alert, Button, Dialog, PasswordField, SelectField, TextField, formError, toast, useId, useLoad } from '/shared/forms.js';
import { navigate, useQuery } from '/shared/router.js';
import { EmptyState, Icon, PageHeader } from '/shared/ui.js';
import { formatSize } from '/shared/kb.js';
import { DocBadges, UploadZone, VersionList, folderName, uploadUrl, useRevealOnNarrow } from '/shared/documents.js';

const DAY = 86400e3;

/* Local "YYYY-MM-DDTHH:MM" for <input type=datetime-local>, ms from now. */
function localInput(msFromNow) {
  const d = new Date(Date.now() + msFromNow);
  d.setSeconds(0, 0);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60e3).toISOString().slice(0, 16);
}

function setQuery(change) {
  const q = new URLSearchParams(location.search);
  for (const [k, v] of Object.entries(change)) (v === null || v === undefined || v === '' ? q.delete(k) : q.set(k, v));
  const s = q.toString();
  navigate(location.pathname + (s ? `?${s}` : ''));
}

/* ---------- links: share (download) and upload-request ---------- */

/* Shows a created link's URL once (the token is not stored in a readable form). */
function CreatedLink({ link }) {
  const id = useId('link-url');
  async function copy() {
    try {
      await navigator.clipboard.writeText(link.url);
      toast(t('documents.link.copied'));
    } catch {
      document.getElementById(id)?.select();
    }
  }
  return html`<div class="doc-created-link">
    <${Alert} kind="success" title=${t('documents.link.created')}>${t('documents.link.created_body')}<//>
    <div class="input-group">
      <input id=${id} class="input input-mono" readonly value=${link.url} aria-label=${t('documents.link.url')}
        data-testid="created-link" onFocus=${(e) => e.currentTarget.select()} />
      <${Button} kind="secondary" onClick=${copy}><${Icon} name="copy" class="icon icon-sm" />${t('documents.link.copy')}<//>
    </div>
  </div>`;
}

/* The share-link (kind "download") or upload-link (kind "upload") dialog. */
function LinkDialog({ kind, path, subject, onClose, onCreated }) {
  const [expires, setExpires] = useState(localInput(7 * DAY));
  const [password, setPassword] = useState('');
  const [max, setMax] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [created, setCreated] = useState(null);
  const ids = { expires: useId('exp'), password: useId('pw'), max: useId('max') };
  const maxField = kind === 'download' ? 'max_downloads' : 'max_uploads';

  async function submit(e) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const when = new Date(expires);
    const body = { expires_at: Number.isNaN(when.getTime()) ? expires : when.toISOString() };
    if (password) body.password = password;
    if (max) body[maxField] = Number(max);
    try {
      const link = await api.post(path, body);
      setCreated(link);
      onCreated?.(link);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  const fe = error ? formError(error, { expires_at: 'expires', password: 'password', [maxField]: 'max' }) : null;
  const fieldError = (f) => (fe?.field === f ? fe.text : null);
  return html`<${Dialog} title=${t(kind === 'download' ? 'documents.link.share_title' : 'documents.link.upload_title')} onClose=${onClose}
    footer=${created
      ? html`<${Button} onClick=${onClose}>${t('action.close')}<//>`
      : html`<${Button} kind="secondary" onClick=${onClose} disabled=${busy}>${t('action.cancel')}<//>
        <${Button} type="submit" form="doc-link-form" busy=${busy}>${t('documents.link.create')}<//>`}>
    <p class="dialog-text">${subject}</p>
    ${created
      ? html`<${CreatedLink} link=${created} />`
      : html`<form id="doc-link-form" class="form" onSubmit=${submit} novalidate>
        <${TextField} id=${ids.expires} type="datetime-local" label=${t('documents.link.expires')} value=${expires}
          onValue=${setExpires} min=${localInput(60e3)} max=${localInput(30 * DAY)} required
          hint=${t('documents.link.expires_hint')} error=${fieldError('expires')} />
        ${kind === 'download' && html`<${PasswordField} id=${ids.password} label=${t('documents.link.password')} fresh
          value=${password} onValue=${setPassword} error=${fieldError('password')} />`}
        <${TextField} id=${ids.max} type="number" min="1" inputmode="numeric"
          label=${t(kind === 'download' ? 'documents.link.max_downloads' : 'documents.link.max_uploads')}
          value=${max} onValue=${setMax} hint=${t('documents.link.max_hint')} error=${fieldError('max')} />
        ${fe && !fe.field && html`<${Alert} kind="error">${fe.text}<//>`}
      </form>`}
  <//>`;
}

function linkState(l) {
  const kinds = { active: 'badge-ok', expired: 'badge-neutral', revoked: 'badge-bad', exhausted: 'badge-neutral' };
  return html`<span class=${'badge ' + (kinds[l.state] || 'badge-neutral')}>${t(`documents.link.state.${l.state}`)}</span>`;
}

function LinksTable({ links, onRevoked }) {
  const [busy, setBusy] = useState(null);
  async function revoke(l) {
    setBusy(l.id);
    try {
      await api.delete(`/share-links/${l.id}`);
      toast(t('documents.link.revoked'));
      onRevoked();
    } catch (err) {
      toast(errorText(err), 'error');
    } finally {
      setBusy(null);
    }
  }
  if (!links.length) return html`<p class="doc-muted">${t('documents.link.none')}</p>`;
  return html`<div class="table-wrap"><table class="table table-dense doc-links">
    <thead><tr><th>${t('documents.link.state')}</th><th>${t('documents.link.expires')}</th>
      <th>${t('documents.link.uses')}</th><th>${t('documents.link.password')}</th><th class="col-actions"></th></tr></thead>
    <tbody>${links.map((l) => html`<tr key=${l.id} data-link-id=${l.id}>
      <td>${linkState(l)}</td>
      <td><time datetime=${isoOf(l.expires_at)}>${formatDateTime(l.expires_at)}</time></td>
      <td>${l.downloads ?? l.uploads}${(l.max_downloads ?? l.max_uploads) ? ` / ${l.max_downloads ?? l.max_uploads}` : ''}</td>
      <td>${l.has_password ? html`<${Icon} name="lock" class="icon icon-sm" /> ${t('documents.yes')}` : t('documents.no')}</td>
      <td class="col-actions">${l.state === 'active' && html`<${Button} kind="ghost" size="sm" busy=${busy === l.id}
        onClick=${() => revoke(l)}>${t('documents.link.revoke')}<//>`}</td>
    </tr>`)}</tbody>
  </table></div>`;
}

/* ---------- one document ---------- */

function AckTable({ acks }) {
  if (!acks.length) return html`<p class="doc-muted">${t('documents.ack.no_users')}</p>`;
  return html`<ul class="doc-acks">
    ${acks.map((a) => html`<li key=${a.user.id} class="doc-ack" data-acked=${a.acked_at ? 'yes' : 'no'}>
      <${Icon} name=${a.acked_at ? 'check_circle' : 'clock'} class=${'icon icon-sm ' + (a.acked_at ? 'doc-ok' : 'doc-wait')} />
      <span class="doc-ack-name">${a.user.name} <span class="doc-muted">${a.user.email}</span></span>
      <span class="doc-ack-when">${a.acked_at
        ? t('documents.ack.acked_at', { when: formatDateTime(a.acked_at), n: a.version })
        : t('documents.ack.waiting')}</span>
    </li>`)}
  </ul>`;
}

function AccessLog({ entries }) {
  if (!entries.length) return html`<p class="doc-muted">${t('documents.log.empty')}</p>`;
  return html`<div class="table-wrap"><table class="table table-dense doc-log">
    <thead><tr><th>${t('documents.log.when')}</th><th>${t('documents.log.what')}</th><th>${t('documents.log.who')}</th>
      <th>${t('documents.log.address')}</th></tr></thead>
    <tbody>${entries.map((e) => html`<tr key=${e.id}>
      <td class="nowrap"><time datetime=${isoOf(e.at)}>${formatDateTime(e.at)}</time></td>
      <td>${t(`documents.log.action.${e.action}`)}${e.version ? ` v${e.version}` : ''}</td>
      <td>${e.user ? e.user.name : e.link_id ? t('documents.log.by_link', { id: e.link_id }) : '—'}</td>
      <td class="cell-mono">${e.ip}</td>
    </tr>`)}</tbody>
  </table></div>`;
}

export function DocumentDetail({ id, onChanged, onClose }) {
  const panel = useRef(null);
  const doc = useLoad(() => api.get(`/documents/${id}`), [id]);
  const [dialog, setDialog] = useState(false);
  const [busy, setBusy] = useState(false);
  const [comment, setComment] = useState('');
  const commentId = useId('vcomment');
  const d = doc.data;
  useRevealOnNarrow(panel, d ? id : 0);

  async function change(body, message) {
    setBusy(true);
    try {
      doc.setData(await api.patch(`/documents/${id}`, { version: d.version, ...body }));
      toast(message);
      onChanged?.();
    } catch (err) {
      toast(errorText(err), 'error');
      if (err.status === 409) doc.reload();
    } finally {
      setBusy(false);
    }
  }
  if (doc.loading && !d) return html`<section ref=${panel} class="doc-detail card" aria-busy="true"><div class="loading-block"><span class="spinner spinner-lg"></span></div></section>`;
  if (doc.error)
    return html`<section ref=${panel} class="doc-detail card"><${Alert} kind="error" title=${t('documents.error.load')}
      actions=${html`<${Button} kind="secondary" size="sm" onClick=${doc.reload}>${t('action.retry')}<//>`}>${errorText(doc.error)}<//></section>`;
  const waiting = d.acks.filter((a) => !a.acked_at).length;
  return html`<section ref=${panel} class="doc-detail card" aria-labelledby="doc-title" data-document-id=${d.id}>
    <header class="doc-detail-head">
      <div>
        <h2 class="doc-detail-title" id="doc-title">${d.title}</h2>
        <p class="doc-muted">${d.account.name} · <${Icon} name="folder" class="icon icon-sm" /> ${`${folderName(d.folder)} · ${formatSize(d.size)}`}</p>
        <${DocBadges} doc=${d} />
      </div>
      ${onClose && html`<button type="button" class="icon-button" aria-label=${t('action.close')} onClick=${onClose}><${Icon} name="close" /></button>`}
    </header>
    <div class="doc-actions">
      ${d.needs_ack
        ? html`<${Button} kind="secondary" size="sm" busy=${busy} onClick=${() => change({ needs_ack: false }, t('documents.ack.cancelled'))}>${t('documents.ack.cancel')}<//>`
        : html`<${Button} kind="secondary" size="sm" busy=${busy} disabled=${d.folder.kind === 'internal'}
          title=${d.folder.kind === 'internal' ? t('documents.ack.internal') : undefined}
          onClick=${() => change({ needs_ack: true }, t('documents.ack.requested'))}>${t('documents.ack.request')}<//>`}
      ${d.folder.kind === 'inbox' && !d.reviewed_at && html`<${Button} kind="secondary" size="sm" busy=${busy}
        onClick=${() => change({ reviewed: true }, t('documents.inbox.reviewed'))}>${t('documents.inbox.mark_reviewed')}<//>`}
      <${Button} size="sm" onClick=${() => setDialog(true)}><${Icon} name="link" class="icon icon-sm" />${t('documents.link.share')}<//>
    </div>

    <h3 class="doc-section-title">${t('documents.versions')}</h3>
    <div class="field">
      <label class="field-label" for=${commentId}>${t('documents.upload.comment')}</label>
      <input id=${commentId} class="input" maxlength="1000" value=${comment} onInput=${(e) => setComment(e.currentTarget.value)} />
    </div>
    <${UploadZone} label=${t('documents.upload.new_version')} multiple=${false}
      urlFor=${(file) => uploadUrl(`/api/v1/documents/${id}/versions`, file, { comment })}
      onUploaded=${() => { setComment(''); doc.reload(); onChanged?.(); }} />
    <${VersionList} versions=${d.versions} hrefFor=${(v) => `/api/v1/documents/${id}/versions/${v.id}/download`} />

    ${d.needs_ack && html`<h3 class="doc-section-title">${t('documents.ack.title')}
      <span class="doc-muted">${t('documents.ack.summary', { done: d.acks.length - waiting, total: d.acks.length })}</span></h3>
      <${AckTable} acks=${d.acks} />`}

    <h3 class="doc-section-title">${t('documents.link.title')}</h3>
    <${LinksTable} links=${d.links} onRevoked=${doc.reload} />

    <h3 class="doc-section-title">${t('documents.log.title')}</h3>
    <${AccessLog} entries=${d.access_log} />

    ${dialog && html`<${LinkDialog} kind="download" path=${`/documents/${id}/links`} subject=${d.title}
      onClose=${() => setDialog(false)} onCreated=${() => doc.reload()} />`}
  </section>`;
}

/* ---------- folders of one account ---------- */

function NewFolderDialog({ account, onClose, onCreated }) {
  const [name, setName] = useState('');
  const [kind, setKind] = useState('shared');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const ids = { name: useId('fname'), kind: useId('fkind') };
  async function submit(e) {
    e.preventDefault();
    setBusy(true);
    try {
      await api.post('/folders', { account_id: account.id, name, kind });
      onCreated();
      onClose();
    } catch (err) {
      setError(formError(err, { name: 'name' }));
      setBusy(false);
    }
  }
  return html`<${Dialog} title=${t('documents.folder.new')} onClose=${onClose}
    footer=${html`<${Button} kind="secondary" onClick=${onClose} disabled=${busy}>${t('action.cancel')}<//>
      <${Button} type="submit" form="doc-folder-form" busy=${busy}>${t('documents.folder.create')}<//>`}>
    <form id="doc-folder-form" class="form" onSubmit=${submit}>
      <${TextField} id=${ids.name} label=${t('documents.folder.name')} value=${name} onValue=${setName} maxlength="200" required
        error=${error?.field === 'name' ? error.text : null} />
      <${SelectField} id=${ids.kind} label=${t('documents.folder.kind')} value=${kind} onValue=${setKind}
        options=${[{ value: 'shared', label: t('documents.folder.kind.shared') }, { value: 'internal', label: t('documents.folder.kind.internal') }]} />
      ${error && !error.field && html`<${Alert} kind="error">${error.text}<//>`}
    </form>
  <//>`;
}

function Folders({ account, folders, folder, onFolder, onChanged }) {
  const [dialog, setDialog] = useState(null);
  return html`<div class="doc-folders">
    <div class="doc-folder-chips" role="group" aria-label=${t('documents.folders')}>
      <button type="button" class="doc-chip" aria-pressed=${!folder ? 'true' : 'false'} onClick=${() => onFolder(null)}>${t('documents.folder.all')}</button>
      ${folders.map((f) => html`<button type="button" key=${f.id} class="doc-chip" aria-pressed=${folder === f.id ? 'true' : 'false'}
        onClick=${() => onFolder(f.id)}>
        <${Icon} name=${f.kind === 'internal' ? 'lock' : 'folder'} class="icon icon-sm" />${folderName(f)}
        <span class="doc-chip-count">${f.documents}</span></button>`)}
    </div>
    <div class="doc-folder-actions">
      <${Button} kind="ghost" size="sm" onClick=${() => setDialog({ kind: 'folder' })}><${Icon} name="plus" class="icon icon-sm" />${t('documents.folder.new')}<//>
      ${folders.length > 0 && html`<${Button} kind="ghost" size="sm"
        onClick=${() => setDialog({ kind: 'upload', folder: folders.find((f) => f.id === folder) || folders.find((f) => f.kind === 'inbox') || folders[0] })}>
        <${Icon} name="send" class="icon icon-sm" />${t('documents.link.request_files')}<//>`}
    </div>
    ${dialog?.kind === 'folder' && html`<${NewFolderDialog} account=${account} onClose=${() => setDialog(null)} onCreated=${onChanged} />`}
    ${dialog?.kind === 'upload' && html`<${LinkDialog} kind="upload" path=${`/folders/${dialog.folder.id}/upload-links`}
      subject=${t('documents.link.upload_subject', { folder: folderName(dialog.folder), account: account.name })}
      onClose=${() => setDialog(null)} onCreated=${onChanged} />`}
  </div>`;
}

/* ---------- the list ---------- */

function DocumentRow({ doc, selected, onSelect, showAccount }) {
  return html`<li class=${'doc-row' + (selected ? ' doc-row-selected' : '')} data-document-id=${doc.id}>
    <button type="button" class="doc-row-button" aria-current=${selected ? 'true' : undefined} onClick=${() => onSelect(doc.id)}>
      <${Icon} name="file" class="icon doc-row-icon" />
      <span class="doc-row-main">
        <span class="doc-row-title">${doc.title}</span>
        <span class="doc-row-meta">${[showAccount && doc.account.name, folderName(doc.folder), `v${doc.current_version?.number ?? 0}`,
          formatSize(doc.size), formatDateTime(doc.updated_at)].filter(Boolean).join(' · ')}</span>
      </span>
      <${DocBadges} doc=${doc} />
    </button>
  </li>`;
}

/*
 * The document area: list (with folder chips and search), upload zone and the selected
 * document. account: fixed account (the account page) or null (every account).
 */
function DocumentsArea({ account, selected, onSelect }) {
  const [q, setQ] = useState('');
  const [folder, setFolder] = useState(null);
  const [onlyAck, setOnlyAck] = useState(false);
  const list = useLoad(() => api.get('/documents', {
    query: { account_id: account?.id, folder_id: folder, q: q.trim() || undefined, needs_ack: onlyAck ? 1 : undefined, limit: 200 },
  }), [account?.id, folder, q, onlyAck]);
  const folders = useLoad(() => (account ? api.get('/folders', { query: { account_id: account.id } }) : Promise.resolve({ items: [] })), [account?.id]);
  const searchId = useId('doc-q');
  const quota = list.data?.quota;
  const reload = () => {
    list.reload();
    folders.reload();
  };
  const items = list.data?.items || [];
  return html`<div class="doc-area">
    ${account && html`<${Folders} account=${account} folders=${folders.data?.items || []} folder=${folder}
      onFolder=${setFolder} onChanged=${folders.reload} />`}
    ${account
      ? html`<${UploadZone} urlFor=${(file) => uploadUrl('/api/v1/documents', file, { account_id: account.id, folder_id: folder })}
          hint=${quota ? t('documents.upload.limits', { max: formatSize(quota.max_file), used: formatSize(quota.used), quota: formatSize(quota.limit) }) : null}
          onUploaded=${(answer) => { reload(); onSelect(answer.document_id); }} />`
      : html`<p class="doc-muted doc-pick-hint"><${Icon} name="info" class="icon icon-sm" /> ${t('documents.upload.pick_account')}</p>`}
    <div class="doc-layout">
      <div class="doc-list-pane">
        <div class="toolbar doc-toolbar">
          <div class="search">
            <${Icon} name="search" class="icon search-icon" />
            <input id=${searchId} class="input" type="search" value=${q} placeholder=${t('documents.search')}
              aria-label=${t('documents.search')} onInput=${(e) => setQ(e.currentTarget.value)} />
          </div>
          <label class="doc-check"><input type="checkbox" checked=${onlyAck} onChange=${(e) => setOnlyAck(e.currentTarget.checked)} />
            ${t('documents.filter.needs_ack')}</label>
        </div>
        ${list.error
          ? html`<${Alert} kind="error" title=${t('documents.error.list')}
              actions=${html`<${Button} kind="secondary" size="sm" onClick=${list.reload}>${t('action.retry')}<//>`}>${errorText(list.error)}<//>`
          : !items.length && !list.loading
            ? html`<${EmptyState} icon="file" title=${t('documents.empty.title')} body=${t(account ? 'documents.empty.account' : 'documents.empty.body')} />`
            : html`<ul class="doc-list" aria-busy=${list.loading ? 'true' : 'false'}>
              ${items.map((d) => html`<${DocumentRow} key=${d.id} doc=${d} selected=${selected === d.id} onSelect=${onSelect} showAccount=${!account} />`)}
            </ul>`}
      </div>
      ${selected && html`<${DocumentDetail} key=${selected} id=${selected} onChanged=${list.reload} onClose=${() => onSelect(null)} />`}
    </div>
  </div>`;
}

/* The section for the CRM account page (ACCOUNT_SECTIONS): { account } is the account shown. */
export function AccountDocuments({ account }) {
  const [selected, setSelected] = useState(null);
  return html`<${DocumentsArea} account=${account} selected=${selected} onSelect=${setSelected} />`;
}

export function DocumentsPage() {
  const query = useQuery();
  const accountId = Number(query.get('account')) || null;
  const selected = Number(query.get('doc')) || null;
  const accounts = useLoad(() => api.get('/accounts', { query: { limit: 500 } }), []);
  const list = accounts.data?.items || [];
  const account = list.find((a) => a.id === accountId) || null;
  const selectId = useId('doc-account');
  return html`<div class="page page-wide doc-page">
    <${PageHeader} title=${t('app.nav.documents')} lead=${t('app.lead.documents')} />
    <div class="field doc-account-field">
      <label class="field-label" for=${selectId}>${t('documents.account')}</label>
      <select id=${selectId} class="input select" value=${accountId ?? ''} data-testid="doc-account"
        onChange=${(e) => setQuery({ account: e.currentTarget.value || null, doc: null })}>
        <option value="">${t('documents.account.all')}</option>
        ${list.map((a) => html`<option key=${a.id} value=${a.id}>${a.name} (${t(`documents.account.kind.${a.kind}`)})</option>`)}
      </select>
    </div>
    ${accounts.error && html`<${Alert} kind="error">${errorText(accounts.error)}<//>`}
    ${(!accountId || account) && html`<${DocumentsArea} key=${accountId || 'all'} account=${account} selected=${selected}
      onSelect=${(id) => setQuery({ doc: id })} />`}
  </div>`;
}
