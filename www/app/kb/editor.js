// The article editor: title, place in the tree, visibility, status, tags, Markdown with a live preview.
// Nothing typed is lost: a draft is kept on this device while editing, and when someone else saved
// first (409) both versions are shown side by side until the writer chooses.
import { html, useEffect, useLayoutEffect, useRef, useState } from '/shared/preact.js';
import { api, ApiError } from '/shared/api.js';
import { errorText, t } from '/shared/i18n.js';
import { formatDateTime, formatRelative } from '/shared/format.js';
import { navigate, useQuery } from '/shared/router.js';
import { Alert, Button, ConfirmDialog, SelectField, formError, toast, useId, useLoad } from '/shared/forms.js';
import { Icon } from '/shared/ui.js';
import { DiffView, Prose, diffLines, useDebounced, useDocumentTitle, useMedia } from '/shared/kb.js';
import { ArticleMissing, withNode } from '/app/kb/article.js';
import { flattenSpace, loadIndex, nextPosition, rememberArticle, subtreeIds } from '/app/kb/store.js';

const PREVIEW_DEBOUNCE_MS = 300;
const DRAFT_DEBOUNCE_MS = 400;
const DRAFT_PREFIX = 'portal.kb.draft.';
const MAX_TAGS = 20;
const PHONE = '(max-width: 860px)';
const FIELDS = ['title', 'body', 'tags', 'visibility', 'status', 'summary', 'parent_id', 'space_id'];

/* ---------- the draft kept on this device ---------- */

function readDraft(key) {
  try {
    const d = JSON.parse(localStorage.getItem(DRAFT_PREFIX + key) || 'null');
    return d && d.form && typeof d.form.body === 'string' ? d : null;
  } catch {
    return null;
  }
}

function writeDraft(key, draft) {
  try {
    if (draft) localStorage.setItem(DRAFT_PREFIX + key, JSON.stringify(draft));
    else localStorage.removeItem(DRAFT_PREFIX + key);
  } catch {
    /* storage full or off: the beforeunload question still guards the text */
  }
}

const sameForm = (a, b) => FIELDS.every((k) => JSON.stringify(a?.[k]) === JSON.stringify(b?.[k]));

function formOf(article) {
  return {
    title: article.title,
    body: article.body,
    tags: article.tags || [],
    visibility: article.visibility,
    status: article.status,
    summary: '',
    parent_id: article.parent_id ?? null,
    space_id: article.space.id,
  };
}

/* ---------- uploads ---------- */

/* POST /api/v1/files?name= with the raw file; resolves to {id, name, size}. */
async function uploadFile(file) {
  let token = null;
  try {
    token = sessionStorage.getItem('portal.csrf'); // where api.js keeps the session's CSRF token
  } catch {
    /* none: the server answers 403 */
  }
  const headers = { Accept: 'application/json', 'Content-Type': file.type || 'application/octet-stream' };
  if (token) headers['X-CSRF-Token'] = token;
  let res;
  try {
    res = await fetch(`/api/v1/files?name=${encodeURIComponent(file.name)}`, { method: 'POST', body: file, headers, credentials: 'same-origin' });
  } catch (err) {
    throw new ApiError({ status: 0, code: 'network', message: String(err?.message || err) });
  }
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError({ status: res.status, code: data?.error?.code || 'internal', message: data?.error?.message });
  return data;
}

/* ---------- small controls ---------- */

/* Radio buttons drawn as a segmented control, in a fieldset with its legend. */
function Segmented({ label, name, value, options, onValue, hint }) {
  return html`<fieldset class="field kb-segfield">
    <legend class="field-label">${label}</legend>
    <div class="kb-seg kb-seg-radio">
      ${options.map(
        (o) => html`<label class=${value === o.value ? 'is-on' : ''}>
          <input type="radio" class="visually-hidden" name=${name} value=${o.value} checked=${value === o.value}
            onChange=${() => onValue(o.value)} />
          ${o.icon && html`<${Icon} name=${o.icon} class="icon icon-sm" />`}${o.label}
        </label>`,
      )}
    </div>
    ${hint && html`<p class="field-hint">${hint}</p>`}
  </fieldset>`;
}

/* Tags as chips: Enter or a comma adds one, Backspace in the empty box takes the last one back. */
function TagInput({ id, tags, onTags, error }) {
  const [text, setText] = useState('');
  function add(raw) {
    const tag = raw.trim().replace(/,/g, '');
    setText('');
    if (!tag || tags.includes(tag) || tags.length >= MAX_TAGS) return;
    onTags([...tags, tag.slice(0, 50)]);
  }
  function onKeyDown(e) {
    if ((e.key === 'Enter' || e.key === ',') && text.trim()) {
      e.preventDefault();
      add(text);
    } else if (e.key === 'Enter') e.preventDefault();
    else if (e.key === 'Backspace' && !text && tags.length) {
      e.preventDefault();
      setText(tags[tags.length - 1]);
      onTags(tags.slice(0, -1));
    }
  }
  return html`<div class=${'field' + (error ? ' field-invalid' : '')}>
    <label class="field-label" for=${id}>${t('kb.tags')}</label>
    <div class="input kb-tagbox">
      ${tags.map(
        (tag) => html`<span class="kb-chip">${tag}
          <button type="button" class="kb-chip-x" aria-label=${t('kb.tag.remove', { tag })} onClick=${() => onTags(tags.filter((x) => x !== tag))}>
            <${Icon} name="close" class="icon" />
          </button>
        </span>`,
      )}
      <input id=${id} class="kb-tagbox-input" value=${text} placeholder=${tags.length ? '' : t('kb.tags.placeholder')}
        onInput=${(e) => {
          const v = e.currentTarget.value;
          if (v.includes(',')) v.split(',').slice(0, -1).forEach(add), setText(v.split(',').pop());
          else setText(v);
        }}
        onKeyDown=${onKeyDown} onBlur=${() => text.trim() && add(text)} />
    </div>
    ${error ? html`<p class="field-error"><${Icon} name="alert" class="icon icon-sm" />${error}</p>` : html`<p class="field-hint">${t('kb.tags.hint')}</p>`}
  </div>`;
}

/* ---------- Markdown toolbar ---------- */

/*
 * Replaces the textarea's selection through the browser's own editing (so Ctrl+Z undoes it),
 * then selects [selStart, selEnd) relative to where the replacement starts.
 */
function replaceSelection(el, text, selStart = text.length, selEnd = selStart) {
  const start = el.selectionStart;
  el.focus();
  if (!document.execCommand?.('insertText', false, text)) {
    el.setRangeText(text, start, el.selectionEnd, 'end');
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }
  el.setSelectionRange(start + selStart, start + selEnd);
}

function wrap(el, before, after, placeholder) {
  const sel = el.value.slice(el.selectionStart, el.selectionEnd) || placeholder;
  replaceSelection(el, before + sel + after, before.length, before.length + sel.length);
}

function prefixLines(el, prefix) {
  const v = el.value;
  const start = v.lastIndexOf('\n', el.selectionStart - 1) + 1;
  let end = v.indexOf('\n', el.selectionEnd);
  if (end < 0 || el.selectionEnd === el.selectionStart) end = end < 0 ? v.length : end;
  el.setSelectionRange(start, end);
  const lines = v.slice(start, end).split('\n');
  const out = lines.map((line, i) => (typeof prefix === 'function' ? prefix(i) : prefix) + line).join('\n');
  replaceSelection(el, out, out.length);
}

const TOOLS = [
  { icon: 'bold', label: 'kb.md.bold', key: 'b', run: (el) => wrap(el, '**', '**', t('kb.md.bold.sample')) },
  { icon: 'italic', label: 'kb.md.italic', key: 'i', run: (el) => wrap(el, '_', '_', t('kb.md.italic.sample')) },
  { icon: 'heading', label: 'kb.md.heading', run: (el) => prefixLines(el, '## ') },
  { sep: true },
  { icon: 'list', label: 'kb.md.list', run: (el) => prefixLines(el, '- ') },
  { icon: 'list_ordered', label: 'kb.md.ordered', run: (el) => prefixLines(el, (i) => `${i + 1}. `) },
  { icon: 'quote', label: 'kb.md.quote', run: (el) => prefixLines(el, '> ') },
  { icon: 'code', label: 'kb.md.code', run: (el) => wrap(el, '`', '`', 'code') },
  { sep: true },
  {
    icon: 'link',
    label: 'kb.md.link',
    key: 'k',
    run: (el) => {
      const sel = el.value.slice(el.selectionStart, el.selectionEnd) || t('kb.md.link.sample');
      replaceSelection(el, `[${sel}](https://)`, sel.length + 3, sel.length + 11);
    },
  },
];

/* ---------- the conflict panel ---------- */

function ConflictPanel({ current, form, onKeepMine, onTakeTheirs, busy }) {
  const [view, setView] = useState('diff');
  const [copied, setCopied] = useState(false);
  const [asking, setAsking] = useState(false);
  const phone = useMedia('(max-width: 700px)');
  async function copy() {
    try {
      await navigator.clipboard.writeText(form.body);
      setCopied(true);
      setTimeout(() => setCopied(false), 2500);
    } catch {
      setView('mine');
    }
  }
  const lines = diffLines(current.body, form.body);
  const theirs = t('kb.conflict.theirs', { rev: current.revision });
  const views = [
    ['diff', 'kb.conflict.view.diff'],
    ['theirs', 'kb.conflict.view.theirs'],
    ['mine', 'kb.conflict.view.mine'],
  ];
  return html`<section class="kb-conflict" aria-labelledby="kb-conflict-title">
    <div class="kb-conflict-head">
      <${Icon} name="alert" class="icon kb-conflict-icon" />
      <div class="kb-conflict-text">
        <h2 class="kb-conflict-title" id="kb-conflict-title">${t('kb.conflict.title')}</h2>
        <p>${withNode('kb.conflict.body', html`<strong>${current.author?.name}</strong>`)}
          ${' '}<time title=${formatDateTime(current.updated_at)}>${formatRelative(current.updated_at)}</time>.
          ${' '}${t('kb.conflict.safe')}</p>
      </div>
    </div>
    <div class="kb-conflict-bar">
      <div class="kb-seg" role="group" aria-label=${t('kb.conflict.show')}>
        ${views.map(([v, key]) => html`<button type="button" aria-pressed=${view === v ? 'true' : 'false'} onClick=${() => setView(v)}>${t(key)}</button>`)}
      </div>
      <div class="kb-conflict-actions">
        <${Button} kind="secondary" size="sm" onClick=${copy}><${Icon} name=${copied ? 'check' : 'copy'} class="icon icon-sm" />${t(copied ? 'kb.conflict.copied' : 'kb.conflict.copy')}<//>
        <${Button} kind="secondary" size="sm" onClick=${() => setAsking(true)} disabled=${busy}>${t('kb.conflict.take_theirs')}<//>
        <${Button} size="sm" onClick=${onKeepMine} busy=${busy}>${t('kb.conflict.keep_mine')}<//>
      </div>
    </div>
    ${current.title !== form.title && view === 'diff' &&
    html`<div class="kb-retitle">
      <span class="kb-retitle-label">${t('kb.diff.title_changed')}</span>
      <del>${current.title}</del><${Icon} name="arrow_right" class="icon icon-sm" /><ins>${form.title}</ins>
    </div>`}
    ${view === 'diff' && html`<${DiffView} lines=${lines} mode=${phone ? 'inline' : 'split'} oldLabel=${theirs} newLabel=${t('kb.conflict.mine')} />`}
    ${view === 'theirs' && html`<div class="kb-conflict-doc">
      <p class="kb-conflict-doc-label">${theirs}</p>
      <h2 class="kb-preview-title">${current.title}</h2>
      <${Prose} markup=${current.html} title=${current.title} linkBase="/app/kb" />
    </div>`}
    ${view === 'mine' && html`<div class="kb-conflict-doc">
      <p class="kb-conflict-doc-label">${t('kb.conflict.mine')}</p>
      <pre class="kb-conflict-raw">${form.body}</pre>
    </div>`}
    ${asking && html`<${ConfirmDialog} title=${t('kb.conflict.take_theirs.title')} body=${t('kb.conflict.take_theirs.body')} danger
      confirmLabel=${t('kb.conflict.take_theirs')} onConfirm=${async () => onTakeTheirs()} onClose=${() => setAsking(false)} />`}
  </section>`;
}

/* ---------- the editor ---------- */

/* id: the article to edit, or null for a new one (?space= and ?parent= place it). */
export function EditorPage({ id, kb }) {
  const query = useQuery();
  const editing = !!id;
  const load = useLoad(() => (editing ? api.get(`/kb/articles/${id}`) : Promise.resolve(null)), [id]);
  const article = editing ? (load.data?.id === id ? load.data : null) : null;

  if (editing && load.error) return html`<${ArticleMissing} error=${load.error} onRetry=${load.reload} />`;
  if ((editing && !article) || kb.status !== 'ready')
    return html`<div class="kb-page"><h1 class="kb-title" tabindex="-1">${t(editing ? 'kb.edit.title' : 'kb.new.title')}</h1>
      <div class="loading-block"><span class="spinner spinner-lg" aria-hidden="true"></span></div></div>`;

  const space = Number(query.get('space')) || kb.spaces[0]?.id || 0;
  const parent = Number(query.get('parent')) || null;
  return html`<${Editor} key=${editing ? `e${id}` : `n${space}-${parent}`} kb=${kb} article=${article}
    start=${{ space, parent: parent && kb.byId.get(parent)?.space_id === space ? parent : null }} />`;
}

function Editor({ kb, article, start }) {
  const editing = !!article;
  const draftKey = editing ? String(article.id) : `new-${start.space}-${start.parent || 0}`;
  const pristine = useRef(
    editing
      ? formOf(article)
      : { title: '', body: '', tags: [], visibility: 'internal', status: 'published', summary: '', parent_id: start.parent, space_id: start.space },
  );
  const stored = useRef(readDraft(draftKey));
  const useStored = stored.current && !sameForm(stored.current.form, pristine.current);
  const [form, setForm] = useState(() => (useStored ? { ...pristine.current, ...stored.current.form } : pristine.current));
  const [baseRev, setBaseRev] = useState(() => (useStored && stored.current.base_revision) || article?.revision || 0);
  const [restoredAt, setRestoredAt] = useState(useStored ? stored.current.saved_at : null);
  // A draft begun on an older revision meets the newer one at once, not only when saving.
  const [conflict, setConflict] = useState(() =>
    useStored && editing && stored.current.base_revision && stored.current.base_revision !== article.revision ? article : null,
  );
  const [errors, setErrors] = useState({});
  const [problem, setProblem] = useState(null);
  const [busy, setBusy] = useState(false);
  const [uploading, setUploading] = useState(0);
  const [fileIds, setFileIds] = useState([]);
  const [tab, setTab] = useState('write');
  const [preview, setPreview] = useState({ html: '', status: 'idle' });
  const [localSaved, setLocalSaved] = useState(null);
  const phone = useMedia(PHONE);
  const bodyRef = useRef(null);
  const titleRef = useRef(null);
  const small = useMedia('(max-width: 600px)');
  const [metaOpen, setMetaOpen] = useState(false);
  const fileRef = useRef(null);
  const done = useRef(false);
  const ids = { title: useId('kb-title'), space: useId('kb-space'), parent: useId('kb-parent'), tags: useId('kb-tags'), summary: useId('kb-summary'), body: useId('kb-body') };
  const dirty = !sameForm(form, pristine.current);
  useDocumentTitle(editing ? `${t('kb.edit.title')}: ${article.title}` : t('kb.new.title'), 'app.title');

  // The title wraps like a heading: its box grows with the text.
  useLayoutEffect(() => {
    const el = titleRef.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${el.scrollHeight}px`;
  }, [form.title, small]);

  const set = (key) => (value) => {
    setForm((f) => ({ ...f, [key]: value }));
    if (errors[key]) setErrors((e) => ({ ...e, [key]: null }));
  };

  // The draft on this device follows the form; a saved or untouched form leaves none.
  const settledForm = useDebounced(form, DRAFT_DEBOUNCE_MS);
  useEffect(() => {
    if (done.current) return;
    if (sameForm(settledForm, pristine.current)) {
      writeDraft(draftKey, null);
      setLocalSaved(null);
    } else {
      const at = new Date().toISOString();
      writeDraft(draftKey, { form: settledForm, base_revision: baseRev, saved_at: at });
      setLocalSaved(at);
    }
  }, [settledForm, baseRev]);

  // Leaving the page with unsaved text asks first (the draft is kept either way).
  useEffect(() => {
    if (!dirty) return undefined;
    const warn = (e) => {
      if (done.current) return;
      e.preventDefault();
      e.returnValue = '';
    };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);

  // Live preview through the server's renderer, so it matches the saved article exactly.
  const settledBody = useDebounced(form.body, PREVIEW_DEBOUNCE_MS);
  useEffect(() => {
    if (!settledBody.trim()) {
      setPreview({ html: '', status: 'done' });
      return undefined;
    }
    const ctl = new AbortController();
    setPreview((p) => ({ ...p, status: 'loading' }));
    api
      .post('/markdown/preview', { text: settledBody }, { signal: ctl.signal })
      .then((r) => setPreview({ html: r.html, status: 'done' }))
      .catch((err) => err?.name !== 'AbortError' && setPreview((p) => ({ ...p, status: 'error', error: err })));
    return () => ctl.abort();
  }, [settledBody]);

  const spaceOf = form.space_id;
  const exclude = editing ? subtreeIds(kb.children, article.id) : new Set();
  const parentOptions = [
    { value: '', label: t('kb.parent.none') },
    ...flattenSpace(kb.children, spaceOf)
      .filter(({ article: a }) => !exclude.has(a.id))
      .map(({ article: a, depth }) => ({ value: String(a.id), label: '\u2002\u2002'.repeat(depth) + a.title })),
  ];

  function validate() {
    const found = {};
    if (!form.title.trim()) found.title = t('kb.error.title');
    else if ([...form.title.trim()].length > 300) found.title = t('kb.error.title_long');
    if (form.tags.some((x) => [...x].length > 50)) found.tags = t('kb.error.tags');
    if ([...form.summary].length > 300) found.summary = t('kb.error.summary');
    setErrors(found);
    return !Object.keys(found).length;
  }

  async function save(base = baseRev) {
    setProblem(null);
    if (!validate()) {
      document.getElementById(ids.title)?.focus();
      return;
    }
    setBusy(true);
    const body = {
      title: form.title.trim(),
      body: form.body,
      tags: form.tags,
      visibility: form.visibility,
      status: form.status,
      summary: form.summary.trim(),
    };
    if (fileIds.length) body.files = fileIds;
    const parentChanged = (form.parent_id || null) !== (pristine.current.parent_id || null);
    if (!editing || parentChanged) {
      body.parent_id = form.parent_id || null;
      body.position = nextPosition(kb.children, form.space_id, form.parent_id);
    }
    try {
      let saved;
      if (editing) saved = await api.put(`/kb/articles/${article.id}`, { ...body, base_revision: base });
      else saved = await api.post('/kb/articles', { ...body, space_id: form.space_id });
      done.current = true;
      writeDraft(draftKey, null);
      rememberArticle(saved);
      loadIndex();
      toast(t(editing ? 'kb.saved' : 'kb.created'));
      // PUT treats "parent_id": null as absent, so a move to the top level may not happen: say so.
      if (editing && parentChanged && (saved.parent_id ?? null) !== (form.parent_id || null)) toast(t('kb.move.failed'), 'error');
      navigate(`/app/kb/${saved.id}`);
    } catch (err) {
      setBusy(false);
      if (editing && err.status === 409) {
        // Someone saved first: show theirs next to ours; nothing typed is touched.
        let current = err.data?.current;
        if (!current) current = await api.get(`/kb/articles/${article.id}`).catch(() => null);
        if (current) {
          setConflict(current);
          requestAnimationFrame(() => window.scrollTo(0, 0)); // the panel sits at the top of the editor
          return;
        }
      }
      const { field, text } = formError(err, { title: 'title', tags: 'tags', summary: 'summary', parent_id: 'parent_id', body: 'body' });
      if (field) setErrors((e) => ({ ...e, [field]: text }));
      else setProblem(text);
    }
  }

  function keepMine() {
    const rev = conflict.revision;
    setBaseRev(rev);
    setConflict(null);
    save(rev);
  }

  function takeTheirs() {
    const theirs = formOf(conflict);
    pristine.current = theirs;
    setForm(theirs);
    setBaseRev(conflict.revision);
    setConflict(null);
    setRestoredAt(null);
  }

  function discardDraft() {
    setForm(pristine.current);
    setBaseRev(article?.revision || 0);
    setRestoredAt(null);
    writeDraft(draftKey, null);
  }

  async function attach(fileList) {
    const files = [...(fileList || [])];
    if (!files.length) return;
    setUploading((n) => n + files.length);
    for (const file of files) {
      try {
        const up = await uploadFile(file);
        setFileIds((list) => [...list, up.id]);
        const name = (up.name || file.name).replace(/[[\]]/g, '');
        const link = `[${name}](/api/v1/files/${up.id})`;
        const el = bodyRef.current;
        if (el) replaceSelection(el, (file.type.startsWith('image/') ? '!' : '') + link + '\n');
      } catch (err) {
        toast(t('kb.upload.failed', { name: file.name, reason: errorText(err) }), 'error');
      } finally {
        setUploading((n) => n - 1);
      }
    }
    if (fileRef.current) fileRef.current.value = '';
  }

  function onKeyDown(e) {
    const mod = e.ctrlKey || e.metaKey;
    if (mod && e.key.toLowerCase() === 's') {
      e.preventDefault();
      if (!busy) save();
    }
  }
  function onBodyKeyDown(e) {
    if (!(e.ctrlKey || e.metaKey) || e.altKey) return;
    const tool = TOOLS.find((x) => x.key && x.key === e.key.toLowerCase());
    if (tool) {
      e.preventDefault();
      tool.run(e.currentTarget);
    }
  }

  const cancelTo = editing ? `/app/kb/${article.id}` : start.parent ? `/app/kb/${start.parent}` : `/app/kb/space/${start.space}`;
  const spaceName = kb.spaces.find((s) => s.id === form.space_id)?.name || '';
  const showWrite = !phone || tab === 'write';
  const showPreview = !phone || tab === 'preview';

  return html`<form class="kb-editor" onSubmit=${(e) => (e.preventDefault(), save())} onKeyDown=${onKeyDown} novalidate>
    <div class="kb-editor-bar">
      <div class="kb-editor-where">
        <h1 class="kb-editor-heading" tabindex="-1">${t(editing ? 'kb.edit.title' : 'kb.new.title')}</h1>
        <span class="kb-editor-sub">
          ${t('kb.edit.in_space', { space: spaceName })}
          ${localSaved && html`<span class="kb-editor-local"><${Icon} name="check" class="icon icon-sm" />${t('kb.draft.kept')}</span>`}
        </span>
      </div>
      <div class="kb-editor-actions">
        <a class="button button-ghost" href=${cancelTo}>${t('action.cancel')}</a>
        <${Button} type="submit" busy=${busy} disabled=${uploading > 0}>${t(editing ? 'kb.save' : 'kb.publish')}<//>
      </div>
    </div>

    ${conflict && html`<${ConflictPanel} current=${conflict} form=${form} onKeepMine=${keepMine} onTakeTheirs=${takeTheirs} busy=${busy} />`}
    ${restoredAt && !conflict &&
    html`<${Alert} kind="info" title=${t('kb.draft.restored')}
        actions=${html`<${Button} kind="secondary" size="sm" onClick=${discardDraft}>${t('kb.draft.discard')}<//>`}>
      ${t('kb.draft.restored.body', { time: formatDateTime(restoredAt) })}
    <//>`}
    ${problem && html`<${Alert} kind="error" title=${t('kb.error.save')}>${problem}<//>`}

    <div class=${'kb-title-field' + (errors.title ? ' field-invalid' : '')}>
      <label class="visually-hidden" for=${ids.title}>${t('kb.field.title')}</label>
      <textarea id=${ids.title} ref=${titleRef} class="kb-title-input" rows="1" value=${form.title} placeholder=${t('kb.field.title.placeholder')}
        maxlength="300" autocomplete="off" aria-invalid=${errors.title ? 'true' : undefined}
        aria-describedby=${errors.title ? `${ids.title}-error` : undefined}
        onKeyDown=${(e) => e.key === 'Enter' && (e.preventDefault(), bodyRef.current?.focus())}
        onInput=${(e) => set('title')(e.currentTarget.value.replace(/\n/g, ' '))}></textarea>
      ${errors.title && html`<p class="field-error" id=${`${ids.title}-error`}><${Icon} name="alert" class="icon icon-sm" />${errors.title}</p>`}
    </div>

    ${small &&
    html`<button type="button" class="kb-meta-toggle" aria-expanded=${metaOpen ? 'true' : 'false'} aria-controls="kb-editor-meta"
        onClick=${() => setMetaOpen(!metaOpen)}>
      <span class="kb-meta-toggle-label">${t('kb.editor.settings')}</span>
      <span class="kb-meta-toggle-sum">${[
        t(`kb.visibility.${form.visibility}`),
        t(`kb.status.${form.status}`),
        form.tags.length ? t('kb.editor.tags_n', { count: form.tags.length }) : null,
      ].filter(Boolean).join(' · ')}</span>
      <${Icon} name="chevron_down" class="icon" />
    </button>`}
    <div class="kb-editor-meta" id="kb-editor-meta" hidden=${small && !metaOpen && !errors.parent_id && !errors.tags && !errors.summary}>
      ${!editing &&
      html`<${SelectField} id=${ids.space} label=${t('kb.field.space')} value=${String(form.space_id)}
        options=${kb.spaces.map((s) => ({ value: String(s.id), label: s.name }))}
        onValue=${(v) => setForm((f) => ({ ...f, space_id: Number(v), parent_id: null }))} />`}
      <${SelectField} id=${ids.parent} label=${t('kb.field.parent')} value=${form.parent_id ? String(form.parent_id) : ''}
        options=${parentOptions} error=${errors.parent_id} onValue=${(v) => set('parent_id')(v ? Number(v) : null)} />
      <${Segmented} label=${t('kb.field.visibility')} name="visibility" value=${form.visibility} onValue=${set('visibility')}
        hint=${t(form.visibility === 'public' ? 'kb.visibility.public.hint' : 'kb.visibility.internal.hint')}
        options=${[
          { value: 'internal', label: t('kb.visibility.internal'), icon: 'lock' },
          { value: 'public', label: t('kb.visibility.public'), icon: 'globe' },
        ]} />
      <${Segmented} label=${t('kb.field.status')} name="status" value=${form.status} onValue=${set('status')}
        options=${[
          { value: 'published', label: t('kb.status.published') },
          { value: 'draft', label: t('kb.status.draft') },
        ]} />
      <div class="kb-editor-meta-wide">
        <${TagInput} id=${ids.tags} tags=${form.tags} onTags=${set('tags')} error=${errors.tags} />
      </div>
      <div class=${'field kb-editor-meta-wide' + (errors.summary ? ' field-invalid' : '')}>
        <label class="field-label" for=${ids.summary}>${t('kb.field.summary')}</label>
        <input id=${ids.summary} class="input" value=${form.summary} maxlength="300" placeholder=${t('kb.field.summary.placeholder')}
          onInput=${(e) => set('summary')(e.currentTarget.value)} />
        ${errors.summary ? html`<p class="field-error"><${Icon} name="alert" class="icon icon-sm" />${errors.summary}</p>` : html`<p class="field-hint">${t('kb.field.summary.hint')}</p>`}
      </div>
    </div>

    ${phone &&
    html`<div class="kb-seg kb-editor-tabs" role="group" aria-label=${t('kb.editor.mode')}>
      <button type="button" aria-pressed=${tab === 'write' ? 'true' : 'false'} onClick=${() => setTab('write')}><${Icon} name="edit" class="icon icon-sm" />${t('kb.editor.write')}</button>
      <button type="button" aria-pressed=${tab === 'preview' ? 'true' : 'false'} onClick=${() => setTab('preview')}><${Icon} name="eye" class="icon icon-sm" />${t('kb.editor.preview')}</button>
    </div>`}

    <div class="kb-panes">
      <div class="kb-pane kb-pane-write" hidden=${!showWrite}>
        <div class="kb-pane-head kb-md-toolbar" role="toolbar" aria-label=${t('kb.md.toolbar')} aria-controls=${ids.body}>
          ${TOOLS.map((tool) =>
            tool.sep
              ? html`<span class="kb-md-sep" aria-hidden="true"></span>`
              : html`<button type="button" class="kb-md-btn" title=${t(tool.label) + (tool.key ? ` (Ctrl+${tool.key.toUpperCase()})` : '')}
                  aria-label=${t(tool.label)} onMouseDown=${(e) => e.preventDefault()} onClick=${() => tool.run(bodyRef.current)}>
                  <${Icon} name=${tool.icon} class="icon" />
                </button>`,
          )}
          <span class="kb-md-sep" aria-hidden="true"></span>
          <button type="button" class="kb-md-btn kb-md-attach" title=${t('kb.md.attach')} aria-label=${t('kb.md.attach')}
            onMouseDown=${(e) => e.preventDefault()} onClick=${() => fileRef.current?.click()} disabled=${uploading > 0}>
            ${uploading > 0 ? html`<span class="spinner" aria-hidden="true"></span>` : html`<${Icon} name="paperclip" class="icon" />`}
          </button>
          <input ref=${fileRef} type="file" multiple class="visually-hidden" tabindex="-1" aria-hidden="true" onChange=${(e) => attach(e.currentTarget.files)} />
          <span class="kb-md-label">Markdown</span>
        </div>
        <label class="visually-hidden" for=${ids.body}>${t('kb.field.body')}</label>
        <textarea id=${ids.body} ref=${bodyRef} class="kb-md-input" value=${form.body} spellcheck="true"
          placeholder=${t('kb.field.body.placeholder')} aria-invalid=${errors.body ? 'true' : undefined}
          onInput=${(e) => set('body')(e.currentTarget.value)} onKeyDown=${onBodyKeyDown}
          onDragOver=${(e) => e.dataTransfer?.types?.includes('Files') && e.preventDefault()}
          onDrop=${(e) => {
            if (!e.dataTransfer?.files?.length) return;
            e.preventDefault();
            attach(e.dataTransfer.files);
          }}
          onPaste=${(e) => {
            const files = [...(e.clipboardData?.files || [])];
            if (files.length) {
              e.preventDefault();
              attach(files);
            }
          }}></textarea>
        ${errors.body && html`<p class="field-error kb-pane-error"><${Icon} name="alert" class="icon icon-sm" />${errors.body}</p>`}
      </div>
      <div class="kb-pane kb-pane-preview" hidden=${!showPreview} aria-live="off">
        <div class="kb-pane-head">
          <span class="kb-pane-title"><${Icon} name="eye" class="icon icon-sm" />${t('kb.editor.preview')}</span>
          ${preview.status === 'loading' && html`<span class="kb-pane-status"><span class="spinner" aria-hidden="true"></span>${t('kb.preview.updating')}</span>`}
          ${preview.status === 'error' && html`<span class="kb-pane-status text-bad">${t('kb.preview.failed')}</span>`}
        </div>
        <div class="kb-preview">
          <h2 class=${'kb-preview-title' + (form.title.trim() ? '' : ' is-empty')}>${form.title.trim() || t('kb.field.title.placeholder')}</h2>
          ${preview.html
            ? html`<${Prose} markup=${preview.html} title=${form.title} linkBase="/app/kb" />`
            : html`<p class="kb-preview-empty">${t('kb.preview.empty')}</p>`}
        </div>
      </div>
    </div>
    <p class="kb-md-help">${t('kb.md.help')}</p>
  </form>`;
}
