// The timeline of an account (a section of its page): everything that happened with it, newest
// first, written by every module (orders, contacts, tickets, documents) as it happened.
import { html } from '/shared/preact.js';
import { api } from '/shared/api.js';
import { has, t } from '/shared/i18n.js';
import { formatDateTime, isoOf } from '/shared/format.js';
import { Icon } from '/shared/ui.js';
import { ListState, LoadMore, usePagedList } from '/app/admin/common.js';
import { orderPath } from '/app/crm/common.js';

const ICONS = { order: 'box', contact: 'user', account: 'building', ticket: 'ticket', document: 'file' };
const LINKS = { order: orderPath, ticket: (id) => `/app/crm/tickets/${id}`, document: (id) => `/app/crm/documents/${id}` };

export function TimelineSection({ account }) {
  const list = usePagedList((before) => api.get(`/accounts/${account.id}/timeline`, { query: { limit: 50, before: before ?? undefined } }), [account.id]);
  return html`<div class="crm-section-body">
    <div class="crm-section-bar"><h2 class="crm-section-title">${t('crm.section.timeline')}</h2></div>
    <${ListState} loading=${list.loading} error=${list.error} empty=${!list.items.length} onRetry=${list.reload}
      emptyIcon="history" emptyTitle=${t('crm.timeline.empty')} emptyBody=${t('crm.timeline.empty.body')}>
      <ol class="crm-timeline">
        ${list.items.map((e) => {
          const area = e.kind.split('.')[0];
          const link = e.ref_id && LINKS[area] ? LINKS[area](e.ref_id) : null;
          const label = has(`crm.timeline.kind.${e.kind}`) ? t(`crm.timeline.kind.${e.kind}`) : e.kind;
          return html`<li class="crm-timeline-item" key=${e.id} data-kind=${e.kind}>
            <span class="crm-timeline-icon" aria-hidden="true"><${Icon} name=${ICONS[area] || 'history'} class="icon icon-sm" /></span>
            <div class="crm-timeline-body">
              <div class="crm-timeline-head"><strong>${label}</strong>
                <time datetime=${isoOf(e.created_at)}>${formatDateTime(e.created_at)}</time>
                ${e.actor && html`<span class="cell-sub">${e.actor.name}</span>`}</div>
              <div class="crm-timeline-summary">${link ? html`<a href=${link}>${e.summary}</a>` : e.summary}</div>
            </div>
          </li>`;
        })}
      </ol>
      <${LoadMore} next=${list.next} busy=${list.more} onMore=${list.loadMore} />
    <//>
  </div>`;
}
