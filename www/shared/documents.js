// Documents, shared by the employee app and the cabinet: raw-body uploads with progress, the
// drop zone, the version list and the small badges both sides show.
import { html, useEffect, useRef, useState } from '/shared/preact.js';
import { uploadWithProgress } from '/shared/upload.js';
import { errorText, t } from '/shared/i18n.js';
import { formatDateTime, isoOf } from '/shared/format.js';
import { formatSize } from '/shared/kb.js';
import { Icon } from '/shared/ui.js';

/* "/api/v1/..." + ?name=&extra, with undefined values left out. */
export function uploadUrl(path, file, extra = {}) {
  const q = new URLSearchParams({ name: file.name || 'file' });
  for (const [k, v] of Object.entries(extra)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  return `${path}?${q}`;
}

let nextKey = 0;

/*
 * A drop area with a file button. Each dropped or chosen file is uploaded at once to
 * urlFor(file); the list below shows its progress, then "uploaded" or the error.
 * onUploaded(answer) runs after each success.
 */
export function UploadZone({ urlFor, onUploaded, label, hint, disabled, multiple = true }) {
  const [items, setItems] = useState([]);
  const [over, setOver] = useState(false);
  const inputRef = useRef(null);
  const patch = (key, change) => setItems((all) => all.map((x) => (x.key === key ? { ...x, ...change } : x)));

  function start(files) {
    for (const file of files) {
      const key = ++nextKey;
      setItems((all) => [{ key, name: file.name || 'file', size: file.size, progress: 0, status: 'uploading' }, ...all].slice(0, 8));
      const up = uploadWithProgress(urlFor(file), file, (progress) => patch(key, { progress }));
      up.promise.then(
        (answer) => {
          patch(key, { status: 'done', progress: 1 });
          onUploaded?.(answer);
        },
        (error) => patch(key, { status: 'error', error }),
      );
    }
  }

  const onDrop = (e) => {
    e.preventDefault();
    setOver(false);
    if (!disabled && e.dataTransfer?.files?.length) start([...e.dataTransfer.files]);
  };
  return html`<div class="doc-upload">
    <div class=${'doc-drop' + (over ? ' doc-drop-over' : '') + (disabled ? ' doc-drop-disabled' : '')}
      onDragOver=${(e) => { e.preventDefault(); if (!disabled) setOver(true); }}
      onDragLeave=${() => setOver(false)} onDrop=${onDrop}>
      <${Icon} name="download" class="icon doc-drop-icon" />
      <div class="doc-drop-text">
        <strong>${label || t('documents.upload.drop')}</strong>
        ${hint && html`<span class="doc-drop-hint">${hint}</span>`}
      </div>
      <label class=${'button button-secondary button-sm' + (disabled ? ' is-disabled' : '')}>
        <input ref=${inputRef} type="file" class="visually-hidden" multiple=${multiple} disabled=${disabled}
          data-testid="doc-file-input"
          onChange=${(e) => { start([...e.currentTarget.files]); e.currentTarget.value = ''; }} />
        ${t('documents.upload.choose')}
      </label>
    </div>
    ${items.length > 0 && html`<ul class="doc-uploads" aria-live="polite">
      ${items.map((x) => html`<li key=${x.key} class="doc-upload-row" data-status=${x.status}>
        <span class="doc-upload-name">${x.name}</span>
        <progress class="doc-progress" max="100" value=${Math.round(x.progress * 100)}
          data-progress=${Math.round(x.progress * 100)}
          aria-label=${t('documents.upload.progress', { name: x.name })}></progress>
        <span class="doc-upload-state">${x.status === 'uploading'
          ? t('documents.upload.percent', { percent: Math.round(x.progress * 100) })
          : x.status === 'done' ? t('documents.upload.done') : errorText(x.error)}</span>
      </li>`)}
    </ul>`}
  </div>`;
}

/* The versions of a document, newest first, each with its download link. */
export function VersionList({ versions, hrefFor }) {
  return html`<ol class="doc-versions">
    ${versions.map((v) => html`<li key=${v.id} class="doc-version" data-version=${v.number}>
      <span class="doc-version-number">v${v.number}</span>
      <span class="doc-version-main">
        <a class="doc-version-name" href=${hrefFor(v)} download=${v.name}>${v.name}</a>
        <span class="doc-version-meta">
          ${formatSize(v.size)} · <time datetime=${isoOf(v.created_at)}>${formatDateTime(v.created_at)}</time>${' · '}${v.uploader ? v.uploader.name : t('documents.via_link')}
        </span>
        ${v.comment && html`<span class="doc-version-comment">${v.comment}</span>`}
        <code class="doc-sha" title=${t('documents.sha256')}>SHA-256 ${v.sha256}</code>
      </span>
      <a class="icon-button" href=${hrefFor(v)} download=${v.name} aria-label=${t('documents.download_version', { n: v.number })}>
        <${Icon} name="download" />
      </a>
    </li>`)}
  </ol>`;
}

/* The badges of a document in lists: awaiting acknowledgement, unreviewed inbox upload. */
export function DocBadges({ doc, cabinet }) {
  const waiting = doc.needs_ack && (cabinet ? !doc.my_ack_at : (doc.acks_count ?? 0) < (doc.ack_users ?? 1));
  return html`<span class="doc-badges">
    ${doc.needs_ack && html`<span class=${'badge ' + (waiting ? 'badge-warn' : 'badge-ok')}>
      ${cabinet ? (doc.my_ack_at ? t('documents.ack.done') : t('documents.ack.needed'))
        : t('documents.ack.count', { n: doc.acks_count ?? 0, total: doc.ack_users ?? 0 })}</span>`}
    ${!cabinet && doc.folder?.kind === 'inbox' && !doc.reviewed_at && html`<span class="badge badge-accent">${t('documents.inbox.new')}</span>`}
  </span>`;
}

/* The display name of a folder: the built-in ones are translated. */
export function folderName(folder) {
  if (!folder) return '';
  if (folder.kind === 'inbox' && folder.name === 'Inbox') return t('documents.folder.inbox');
  if (folder.kind === 'shared' && folder.name === 'Shared') return t('documents.folder.shared');
  return folder.name;
}

/* Brings a document panel into view once it has loaded (key turns truthy) when it opens
 * below the list (one column: phones). */
export function useRevealOnNarrow(ref, key) {
  useEffect(() => {
    if (key && ref.current && window.matchMedia('(max-width: 999px)').matches) ref.current.scrollIntoView({ block: 'start' });
  }, [key]);
}
