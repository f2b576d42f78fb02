// KB start page (spaces and recent changes), one space's page, and the dialog that creates a space.
import { html, useState } from '/shared/preact.js';
import { api } from '/shared/api.js';
import { t } from '/shared/i18n.js';
import { formatDateTime, formatRelative, isoOf } from '/shared/format.js';
import { Alert, Button, Dialog, TextField, formError, toast, useId } from '/shared/forms.js';
import { navigate } from '/shared/router.js';
import { EmptyState, Icon, PageHeader } from '/shared/ui.js';
import { Crumbs, StatusBadge, useDocumentTitle } from '/shared/kb.js';
import { canManage, loadIndex, spaceCount } from '/app/kb/store.js';

const RECENT = 6;

export function SpaceMark({ space, size }) {
  return html`<span class=${'kb-space-mark' + (size ? ` kb-space-mark-${size}` : '')} data-hue=${space.id % 8} aria-hidden="true">
    ${[...space.name][0]?.toUpperCase()}
  </span>`;
}

/* Name and description; managers only (the server checks again). Goes to the new space. */
export function NewSpaceDialog({ onClose }) {
  const [form, setForm] = useState({ name: '', description: '' });
  const [errors, setErrors] = useState({});
  const [problem, setProblem] = useState(null);
  const [busy, setBusy] = useState(false);
  const ids = { name: useId('space-name'), desc: useId('space-desc'), form: useId('space-form') };

  async function submit(e) {
    e.preventDefault();
    setProblem(null);
    const name = form.name.trim();
    if (!name) return setErrors({ name: t('kb.space.error.name') });
    setBusy(true);
    try {
      const answer = await api.post('/kb/spaces', { name, description: form.description.trim() });
      // The server answers with the list of spaces: the new one is the one with this name.
      const created = (answer?.items || []).find((s) => s.name === name) || answer;
      await loadIndex();
      toast(t('kb.space.created', { name }));
      onClose();
      if (created?.id) navigate(`/app/kb/space/${created.id}`);
    } catch (err) {
      setBusy(false);
      if (err.code === 'conflict') return setErrors({ name: t('kb.space.error.taken') });
      const { field, text } = formError(err, { name: 'name', description: 'description' });
      if (field) setErrors({ [field]: text });
      else setProblem(text);
    }
  }

  return html`<${Dialog} title=${t('kb.space.new')} onClose=${onClose}
    footer=${html`<${Button} kind="secondary" onClick=${onClose} disabled=${busy}>${t('action.cancel')}<//>
      <${Button} type="submit" form=${ids.form} busy=${busy}>${t('kb.space.create')}<//>`}>
    <form id=${ids.form} class="form" onSubmit=${submit} novalidate>
      ${problem && html`<${Alert} kind="error">${problem}<//>`}
      <${TextField} id=${ids.name} label=${t('kb.space.name')} value=${form.name} error=${errors.name} maxlength="100" autofocus
        onValue=${(v) => (setForm((f) => ({ ...f, name: v })), setErrors({}))} />
      <div class="field">
        <label class="field-label" for=${ids.desc}>${t('kb.space.description')}</label>
        <textarea id=${ids.desc} class="input kb-textarea" rows="3" maxlength="500" value=${form.description}
          placeholder=${t('kb.space.description.placeholder')} onInput=${(e) => setForm((f) => ({ ...f, description: e.currentTarget.value }))}></textarea>
      </div>
    </form>
  <//>`;
}

function RecentList({ items, kb }) {
  return html`<ul class="kb-recent">
    ${items.map((a) => {
      const space = kb.spaces.find((s) => s.id === a.space_id);
      return html`<li key=${a.id}>
        <a class="kb-recent-item" href=${`/app/kb/${a.id}`}>
          <${Icon} name="page" class="icon kb-recent-icon" />
          <span class="kb-recent-main">
            <span class="kb-recent-title">${a.title}</span>
            <span class="kb-recent-meta">${space?.name}</span>
          </span>
          ${a.status === 'draft' && html`<${StatusBadge} status="draft" />`}
          ${a.visibility === 'public' && html`<span class="kb-node-public" title=${t('kb.visibility.public')}><${Icon} name="globe" class="icon icon-sm" /></span>`}
          <time class="kb-recent-time" datetime=${isoOf(a.updated_at)} title=${formatDateTime(a.updated_at)}>${formatRelative(a.updated_at)}</time>
        </a>
      </li>`;
    })}
  </ul>`;
}

export function HomePage({ kb, onNewSpace }) {
  const manager = canManage();
  const recent = [...kb.articles].sort((a, b) => String(b.updated_at).localeCompare(String(a.updated_at))).slice(0, RECENT);
  const actions = html`
    ${manager && html`<${Button} kind="secondary" onClick=${onNewSpace}><${Icon} name="folder" />${t('kb.space.new')}<//>`}`;

  return html`<div class="kb-page kb-home">
    <${PageHeader} title=${t('app.nav.kb')} lead=${t('app.lead.kb')} actions=${manager ? actions : null} />
    ${kb.status === 'ready' && !kb.spaces.length &&
    html`<${EmptyState} icon="book" title=${t('kb.spaces.empty')} body=${t(manager ? 'kb.spaces.empty.manager' : 'kb.spaces.empty.member')}>
      ${manager && html`<${Button} onClick=${onNewSpace}><${Icon} name="plus" />${t('kb.space.new')}<//>`}
    <//>`}
    ${kb.spaces.length > 0 &&
    html`<section aria-labelledby="kb-spaces-title">
      <h2 class="kb-section-title" id="kb-spaces-title">${t('kb.spaces')}</h2>
      <ul class="kb-space-grid">
        ${kb.spaces.map((s) => {
          const n = spaceCount(s, kb.articles);
          return html`<li key=${s.id}>
            <a class="kb-space-card" href=${`/app/kb/space/${s.id}`}>
              <${SpaceMark} space=${s} />
              <span class="kb-space-card-name">${s.name}</span>
              <span class="kb-space-card-desc">${s.description || t('kb.space.no_description')}</span>
              <span class="kb-space-card-count">${t(n === 1 ? 'kb.space.count.one' : 'kb.space.count', { count: n })}</span>
            </a>
          </li>`;
        })}
      </ul>
    </section>`}
    ${recent.length > 0 &&
    html`<section aria-labelledby="kb-recent-title">
      <h2 class="kb-section-title" id="kb-recent-title">${t('kb.recent')}</h2>
      <${RecentList} items=${recent} kb=${kb} />
    </section>`}
  </div>`;
}

/* Articles of one space as an outline, in tree order. */
function Outline({ kb, parentKey, depth = 0 }) {
  const list = kb.children.get(parentKey) || [];
  if (!list.length) return null;
  return html`<ul class=${'kb-outline' + (depth ? ' kb-outline-nested' : '')}>
    ${list.map(
      (a) => html`<li key=${a.id}>
        <a class="kb-outline-item" href=${`/app/kb/${a.id}`}>
          <${Icon} name="page" class="icon kb-recent-icon" />
          <span class="kb-outline-title">${a.title}</span>
          ${a.status === 'draft' && html`<${StatusBadge} status="draft" />`}
          ${a.visibility === 'public' && html`<span class="kb-node-public" title=${t('kb.visibility.public')}><${Icon} name="globe" class="icon icon-sm" /></span>`}
          <time class="kb-recent-time" datetime=${isoOf(a.updated_at)} title=${formatDateTime(a.updated_at)}>${formatRelative(a.updated_at)}</time>
        </a>
        <${Outline} kb=${kb} parentKey=${`a${a.id}`} depth=${depth + 1} />
      </li>`,
    )}
  </ul>`;
}

export function SpacePage({ id, kb }) {
  const space = kb.spaces.find((s) => s.id === id);
  useDocumentTitle(space?.name, 'app.title');
  if (kb.status !== 'ready' && !space)
    return html`<div class="kb-page"><h1 class="kb-title" tabindex="-1"><span class="visually-hidden">${t('state.loading')}</span></h1>
      <div class="loading-block"><span class="spinner spinner-lg" aria-hidden="true"></span></div></div>`;
  if (!space)
    return html`<div class="kb-page">
      <h1 class="visually-hidden" tabindex="-1">${t('kb.space.missing')}</h1>
      <${EmptyState} icon="compass" title=${t('kb.space.missing')} body=${t('kb.space.missing.body')}>
        <a class="button" href="/app/kb">${t('kb.back_home')}</a>
      <//>
    </div>`;
  const n = spaceCount(space, kb.articles);
  return html`<div class="kb-page">
    <${Crumbs} items=${[{ href: '/app/kb', label: t('app.nav.kb') }, { label: space.name }]} />
    <header class="kb-space-head">
      <${SpaceMark} space=${space} size="lg" />
      <div class="kb-space-head-text">
        <h1 class="kb-title" tabindex="-1">${space.name}</h1>
        ${space.description && html`<p class="kb-lead">${space.description}</p>`}
        <p class="kb-space-head-count">${t(n === 1 ? 'kb.space.count.one' : 'kb.space.count', { count: n })}</p>
      </div>
      <div class="kb-title-actions">
        <a class="button" href=${`/app/kb/new?space=${space.id}`}><${Icon} name="plus" />${t('kb.new')}</a>
      </div>
    </header>
    ${(kb.children.get(`s${space.id}`) || []).length
      ? html`<${Outline} kb=${kb} parentKey=${`s${space.id}`} />`
      : html`<${EmptyState} icon="page" title=${t('kb.space.empty')} body=${t('kb.space.empty.body')}>
          <a class="button" href=${`/app/kb/new?space=${space.id}`}><${Icon} name="plus" />${t('kb.new')}</a>
        <//>`}
  </div>`;
}
