// Cabinet documents (/cabinet/documents): what the company shared with this account and what the
// account sent (its inbox), uploads by drag and drop with progress, versions, acknowledgement.
import { html, useRef, useState } from '/shared/preact.js';
import { api } from '/shared/api.js';
import { errorText, t } from '/shared/i18n.js';
import { formatDateTime } from '/shared/format.js';
import { Alert, Button, toast, useId, useLoad } from '/shared/forms.js';
import { navigate, usePath, useQuery } from '/shared/router.js';
import { EmptyState, Icon, PageHeader } from '/shared/ui.js';
import { formatSize } from '/shared/kb.js';
import { DocBadges, UploadZone, VersionList, folderName, uploadUrl, useRevealOnNarrow } from '/shared/documents.js';

const BASE = '/cabinet/documents';

/* A document opens at /cabinet/documents/{id} (where the bell's notifications lead). */
function open(id) {
  navigate(id ? `${BASE}/${id}` : BASE);
}

function Detail({ id, onChanged }) {
  const panel = useRef(null);
  const doc = useLoad(() => api.get(`/cabinet/documents/${id}`), [id]);
  const [busy, setBusy] = useState(false);
  const d = doc.data;
  useRevealOnNarrow(panel, d ? id : 0);
  async function acknowledge() {
    setBusy(true);
    try {
      doc.setData(await api.post(`/cabinet/documents/${id}/ack`));
      toast(t('documents.ack.thanks'));
      onChanged();
    } catch (err) {
      toast(errorText(err), 'error');
    } finally {
      setBusy(false);
    }
  }
  if (doc.loading && !d) return html`<section ref=${panel} class="doc-detail card" aria-busy="true"><div class="loading-block"><span class="spinner spinner-lg"></span></div></section>`;
  if (doc.error)
    return html`<section ref=${panel} class="doc-detail card"><${Alert} kind="error" title=${t('documents.error.load')}>${errorText(doc.error)}<//></section>`;
  return html`<section ref=${panel} class="doc-detail card" aria-labelledby="doc-title" data-document-id=${d.id}>
    <header class="doc-detail-head">
      <div>
        <h2 class="doc-detail-title" id="doc-title">${d.title}</h2>
        <p class="doc-muted"><${Icon} name="folder" class="icon icon-sm" /> ${`${folderName(d.folder)} · ${formatSize(d.size)}`}</p>
        <${DocBadges} doc=${d} cabinet />
      </div>
      <button type="button" class="icon-button" aria-label=${t('action.close')} onClick=${() => open(null)}><${Icon} name="close" /></button>
    </header>
    ${d.needs_ack && (d.my_ack_at
      ? html`<${Alert} kind="success" title=${t('documents.ack.done')}>${t('documents.ack.done_at', { when: formatDateTime(d.my_ack_at) })}<//>`
      : html`<${Alert} kind="warning" title=${t('documents.ack.needed')}
          actions=${html`<${Button} busy=${busy} onClick=${acknowledge} data-testid="doc-ack">${t('documents.ack.confirm')}<//>`}>
          ${t('documents.ack.explain', { n: d.current_version?.number ?? 1 })}<//>`)}
    <h3 class="doc-section-title">${t('documents.versions')}</h3>
    <${VersionList} versions=${d.versions} hrefFor=${(v) => `/api/v1/cabinet/documents/${id}/versions/${v.id}/download`} />
  </section>`;
}

function Row({ doc, selected }) {
  return html`<li class=${'doc-row' + (selected ? ' doc-row-selected' : '')} data-document-id=${doc.id}>
    <button type="button" class="doc-row-button" aria-current=${selected ? 'true' : undefined} onClick=${() => open(doc.id)}>
      <${Icon} name="file" class="icon doc-row-icon" />
      <span class="doc-row-main">
        <span class="doc-row-title">${doc.title}</span>
        <span class="doc-row-meta">v${doc.current_version?.number ?? 0} · ${formatSize(doc.size)} · ${formatDateTime(doc.updated_at)}</span>
      </span>
      <${DocBadges} doc=${doc} cabinet />
    </button>
  </li>`;
}

function Group({ title, docs, selected, id }) {
  if (!docs.length) return null;
  return html`<section class="doc-group" aria-labelledby=${id}>
    <h2 class="doc-group-title" id=${id}>${title} <span class="doc-chip-count">${docs.length}</span></h2>
    <ul class="doc-list">${docs.map((d) => html`<${Row} key=${d.id} doc=${d} selected=${selected === d.id} />`)}</ul>
  </section>`;
}

export function CabinetDocumentsPage() {
  const path = usePath();
  const query = useQuery();
  const selected = Number(path.slice(BASE.length + 1)) || Number(query.get('doc')) || null;
  const list = useLoad(() => api.get('/cabinet/documents', { query: { limit: 200 } }), []);
  const [comment, setComment] = useState('');
  const commentId = useId('ccomment');
  const items = list.data?.items || [];
  const waiting = items.filter((d) => d.needs_ack && !d.my_ack_at);
  const shared = items.filter((d) => d.folder.kind !== 'inbox' && !waiting.includes(d));
  const sent = items.filter((d) => d.folder.kind === 'inbox' && !waiting.includes(d));
  return html`<div class="page page-wide doc-page">
    <${PageHeader} title=${t('cabinet.nav.documents')} lead=${t('cabinet.lead.documents')} />
    <div class="field">
      <label class="field-label" for=${commentId}>${t('documents.upload.comment')}</label>
      <input id=${commentId} class="input" maxlength="1000" value=${comment} onInput=${(e) => setComment(e.currentTarget.value)} />
    </div>
    <${UploadZone} label=${t('documents.upload.drop_cabinet')} hint=${t('documents.upload.cabinet_hint')}
      urlFor=${(file) => uploadUrl('/api/v1/cabinet/documents', file, { comment })}
      onUploaded=${() => { setComment(''); list.reload(); }} />
    <div class="doc-layout">
      <div class="doc-list-pane">
        ${list.error
          ? html`<${Alert} kind="error" title=${t('documents.error.list')}
              actions=${html`<${Button} kind="secondary" size="sm" onClick=${list.reload}>${t('action.retry')}<//>`}>${errorText(list.error)}<//>`
          : !items.length && !list.loading
            ? html`<${EmptyState} icon="file" title=${t('documents.empty.title')} body=${t('documents.empty.cabinet')} />`
            : html`
              <${Group} id="dg-wait" title=${t('documents.group.waiting')} docs=${waiting} selected=${selected} />
              <${Group} id="dg-shared" title=${t('documents.group.shared')} docs=${shared} selected=${selected} />
              <${Group} id="dg-sent" title=${t('documents.group.sent')} docs=${sent} selected=${selected} />`}
      </div>
      ${selected && html`<${Detail} key=${selected} id=${selected} onChanged=${list.reload} />`}
    </div>
  </div>`;
}
