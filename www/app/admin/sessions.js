// Administration → Sessions: everyone signed in right now, from where, and ending a session.
import { html, useState } from '/shared/preact.js';
import { api } from '/shared/api.js';
import { t } from '/shared/i18n.js';
import { describeDevice, formatDateTime, formatRelative, isPhoneAgent, isoOf } from '/shared/format.js';
import { Button, ConfirmDialog, toast, useId } from '/shared/forms.js';
import { isAdmin, useSession } from '/shared/session.js';
import { Icon, PageHeader } from '/shared/ui.js';
import { ListState, LoadMore, PersonCell, RealmBadge, useDebounced, usePagedList } from '/app/admin/common.js';

const PAGE_SIZE = 100;

export function SessionsPage({ item }) {
  const { user: me } = useSession();
  const admin = isAdmin(me);
  const list = usePagedList((before) => api.get('/sessions', { query: { limit: PAGE_SIZE, before: before ?? undefined } }), []);
  const [filter, setFilter] = useState('');
  const [ending, setEnding] = useState(null);
  const needle = useDebounced(filter.trim().toLowerCase(), 150);
  const filterId = useId('filter');
  const all = list.items;
  const items = needle
    ? all.filter((s) => `${s.user?.name} ${s.user?.email} ${s.ip}`.toLowerCase().includes(needle))
    : all;

  async function end(session) {
    await api.delete(`/sessions/${session.id}`);
    toast(t('sessions.ended_for', { name: session.user?.name || session.user?.email }));
    list.remove(session.id);
  }

  return html`<div class="page">
    <${PageHeader} title=${t(item.label)} lead=${t('admin_sessions.lead')}
      actions=${html`<${Button} kind="secondary" busy=${list.loading && all.length > 0} onClick=${list.reload}>
        <${Icon} name="refresh" class="icon icon-sm" />${t('action.refresh')}<//>`} />
    <div class="toolbar" role="search">
      <div class="search">
        <label class="visually-hidden" for=${filterId}>${t('admin_sessions.filter')}</label>
        <${Icon} name="search" class="icon search-icon" />
        <input id=${filterId} class="input" type="search" placeholder=${t('admin_sessions.filter')} value=${filter}
          onInput=${(e) => setFilter(e.currentTarget.value)} autocomplete="off" />
      </div>
      ${!list.loading && html`<span class="toolbar-count">${t(list.next ? 'admin_sessions.count_more' : 'admin_sessions.count', { count: all.length })}</span>`}
    </div>
    <${ListState} loading=${list.loading} error=${list.error} empty=${!items.length} onRetry=${list.reload}
      emptyIcon="monitor" emptyTitle=${t(needle ? 'admin_sessions.none_found' : 'admin_sessions.empty')}
      emptyBody=${t(needle ? 'users.none_found.body' : 'admin_sessions.empty.body')}>
      <div class="table-wrap">
        <table class="table">
          <thead><tr>
            <th scope="col">${t('users.col.user')}</th>
            <th scope="col">${t('admin_sessions.col.realm')}</th>
            <th scope="col">${t('admin_sessions.col.device')}</th>
            <th scope="col">${t('admin_sessions.col.started')}</th>
            <th scope="col">${t('admin_sessions.col.last_seen')}</th>
            ${admin && html`<th scope="col" class="col-actions"><span class="visually-hidden">${t('users.col.actions')}</span></th>`}
          </tr></thead>
          <tbody>
            ${items.map(
              (s) => html`<tr key=${s.id}>
                <td data-label=${t('users.col.user')}><${PersonCell} person=${s.user || {}} you=${s.user?.id === me.id} /></td>
                <td data-label=${t('admin_sessions.col.realm')}>${s.user?.realm && html`<${RealmBadge} realm=${s.user.realm} />`}</td>
                <td data-label=${t('admin_sessions.col.device')}>
                  <div class="device">
                    <${Icon} name=${isPhoneAgent(s.user_agent) ? 'phone' : 'monitor'} class="icon icon-sm device-icon" />
                    <div class="cell-stack">
                      <span title=${s.user_agent}>${describeDevice(s.user_agent)}</span>
                      <span class="cell-sub cell-mono">${s.ip}</span>
                    </div>
                  </div>
                </td>
                <td data-label=${t('admin_sessions.col.started')} class="nowrap"><time datetime=${isoOf(s.created_at)}>${formatDateTime(s.created_at)}</time></td>
                <td data-label=${t('admin_sessions.col.last_seen')} class="nowrap">
                  <time datetime=${isoOf(s.last_seen)} title=${formatDateTime(s.last_seen)}>${formatRelative(s.last_seen)}</time>
                </td>
                ${admin && html`<td class="col-actions">
                  <${Button} kind="ghost" size="sm" class="text-bad" onClick=${() => setEnding(s)}
                    aria-label=${t('sessions.end.for', { name: s.user?.name || '' })}>${t('sessions.end')}<//>
                </td>`}
              </tr>`,
            )}
          </tbody>
        </table>
      </div>
      <${LoadMore} next=${list.next} busy=${list.more} onMore=${list.loadMore} />
    <//>
    ${ending && html`<${ConfirmDialog} title=${t('sessions.end.title')}
      body=${t(ending.user?.id === me.id ? 'sessions.end.body_self' : 'sessions.end.body', {
        name: ending.user?.name || ending.user?.email || '',
        device: describeDevice(ending.user_agent),
      })}
      confirmLabel=${t('sessions.end')} danger onConfirm=${() => end(ending)} onClose=${() => setEnding(null)} />`}
  </div>`;
}
