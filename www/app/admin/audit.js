// Administration → Audit log: who did what to which object, when and from where; filters and "load more".
import { html, useState } from '/shared/preact.js';
import { api } from '/shared/api.js';
import { has, t } from '/shared/i18n.js';
import { formatDateTime, isoOf } from '/shared/format.js';
import { Button, SelectField, TextField, useId, useLoad } from '/shared/forms.js';
import { Icon, PageHeader } from '/shared/ui.js';
import { ListState, LoadMore, usePagedList } from '/app/admin/common.js';

const PAGE_SIZE = 50;
const OBJECT_TYPES = ['user', 'session', 'invitation', 'account', 'file'];
const EMPTY = { actor: '', object_type: '', object_id: '', since: '', until: '' };

/* A local calendar date ("2025-03-12") as the UTC instant it starts; days later when shift is given. */
function dayStart(value, shift = 0) {
  if (!value) return undefined;
  const [y, m, d] = value.split('-').map(Number);
  return new Date(y, m - 1, d + shift).toISOString();
}

export function actionLabel(action) {
  return has(`audit.action.${action}`) ? t(`audit.action.${action}`) : action;
}

/* The details object as short "key: value" pairs. */
function Details({ details }) {
  const entries = details && typeof details === 'object' ? Object.entries(details) : [];
  if (!entries.length) return html`<span class="cell-sub">—</span>`;
  return html`<dl class="kv">
    ${entries.map(([k, v]) => html`<div><dt>${k}</dt><dd>${typeof v === 'object' ? JSON.stringify(v) : String(v)}</dd></div>`)}
  </dl>`;
}

function Filters({ applied, onApply, actors }) {
  const [draft, setDraft] = useState(applied);
  const ids = { actor: useId('actor'), type: useId('type'), id: useId('objid'), since: useId('since'), until: useId('until') };
  const set = (key) => (value) => setDraft((d) => ({ ...d, [key]: value }));
  const people = (actors.data?.items || []).slice().sort((a, b) => (a.name || a.email).localeCompare(b.name || b.email));
  const dirty = JSON.stringify(draft) !== JSON.stringify(EMPTY);
  return html`<form class="filters" onSubmit=${(e) => { e.preventDefault(); onApply(draft); }}>
    <${SelectField} id=${ids.actor} label=${t('audit.filter.actor')} value=${draft.actor} onValue=${set('actor')}
      options=${[{ value: '', label: t('audit.filter.anyone') }, ...people.map((p) => ({ value: String(p.id), label: `${p.name} · ${p.email}` }))]} />
    <${SelectField} id=${ids.type} label=${t('audit.filter.object_type')} value=${draft.object_type} onValue=${set('object_type')}
      options=${[{ value: '', label: t('audit.filter.any_type') }, ...OBJECT_TYPES.map((o) => ({ value: o, label: t(`audit.object.${o}`) }))]} />
    <${TextField} id=${ids.id} label=${t('audit.filter.object_id')} value=${draft.object_id} onValue=${set('object_id')}
      inputmode="numeric" autocomplete="off" class="input input-short" />
    <${TextField} id=${ids.since} label=${t('audit.filter.since')} type="date" value=${draft.since} onValue=${set('since')} max=${draft.until || undefined} />
    <${TextField} id=${ids.until} label=${t('audit.filter.until')} type="date" value=${draft.until} onValue=${set('until')} min=${draft.since || undefined} />
    <div class="filters-actions">
      <${Button} type="submit"><${Icon} name="search" class="icon icon-sm" />${t('audit.filter.apply')}<//>
      ${dirty && html`<${Button} kind="ghost" onClick=${() => { setDraft(EMPTY); onApply(EMPTY); }}>${t('audit.filter.clear')}<//>`}
    </div>
  </form>`;
}

export function AuditPage({ item }) {
  const [applied, setApplied] = useState(EMPTY);
  const actors = useLoad(() => api.get('/users', { query: { limit: 200 } }), []);
  const list = usePagedList(
    (before) =>
      api.get('/audit', {
        query: {
          actor: applied.actor || undefined,
          object_type: applied.object_type || undefined,
          object_id: applied.object_id.trim() || undefined,
          since: dayStart(applied.since),
          until: dayStart(applied.until, 1),
          limit: PAGE_SIZE,
          before: before ?? undefined,
        },
      }),
    [applied],
  );
  const filtered = JSON.stringify(applied) !== JSON.stringify(EMPTY);

  return html`<div class="page page-wide">
    <${PageHeader} title=${t(item.label)} lead=${t('audit.lead')} />
    <${Filters} applied=${applied} onApply=${(f) => setApplied({ ...f })} actors=${actors} />
    <${ListState} loading=${list.loading} error=${list.error} empty=${!list.items.length} onRetry=${list.reload}
      emptyIcon="history" emptyTitle=${t(filtered ? 'audit.none_found' : 'audit.empty')}
      emptyBody=${t(filtered ? 'audit.none_found.body' : 'audit.empty.body')}>
      <div class=${'table-wrap' + (list.loading ? ' is-loading' : '')}>
        <table class="table table-dense">
          <thead><tr>
            <th scope="col">${t('audit.col.time')}</th>
            <th scope="col">${t('audit.col.actor')}</th>
            <th scope="col">${t('audit.col.action')}</th>
            <th scope="col">${t('audit.col.object')}</th>
            <th scope="col">${t('audit.col.ip')}</th>
            <th scope="col">${t('audit.col.details')}</th>
          </tr></thead>
          <tbody>
            ${list.items.map(
              (e) => html`<tr key=${e.id}>
                <td data-label=${t('audit.col.time')} class="nowrap"><time datetime=${isoOf(e.at)}>${formatDateTime(e.at)}</time></td>
                <td data-label=${t('audit.col.actor')}>
                  ${e.actor
                    ? html`<div class="cell-stack"><span>${e.actor.name || e.actor.email}</span><span class="cell-sub">${e.actor.email}</span></div>`
                    : html`<span class="cell-sub">${t(e.actor_realm === 'anonymous' ? 'audit.actor.anonymous' : 'audit.actor.system')}</span>`}
                </td>
                <td data-label=${t('audit.col.action')}>
                  <div class="cell-stack"><span>${actionLabel(e.action)}</span><code class="cell-sub cell-mono">${e.action}</code></div>
                </td>
                <td data-label=${t('audit.col.object')}>
                  ${e.object_type
                    ? html`<span>${has(`audit.object.${e.object_type}`) ? t(`audit.object.${e.object_type}`) : e.object_type}${e.object_id != null && e.object_id !== '' && html` <span class="cell-mono">#${e.object_id}</span>`}</span>`
                    : html`<span class="cell-sub">—</span>`}
                </td>
                <td data-label=${t('audit.col.ip')}><span class="cell-mono">${e.ip || '—'}</span></td>
                <td data-label=${t('audit.col.details')}><${Details} details=${e.details} /></td>
              </tr>`,
            )}
          </tbody>
        </table>
      </div>
      <${LoadMore} next=${list.next} busy=${list.more} onMore=${list.loadMore} />
    <//>
  </div>`;
}
