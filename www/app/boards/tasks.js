// "My tasks" (/app/tasks): my open cards across all projects, overdue first, grouped by when they are due.
import { html } from '/shared/preact.js';
import { errorText, t } from '/shared/i18n.js';
import { Alert, Button, useLoad } from '/shared/forms.js';
import { EmptyState, Icon, PageHeader } from '/shared/ui.js';
import { tn } from '/app/feed/common.js';
import { myTasks } from '/app/boards/api.js';
import { AvatarStack, DueBadge, LabelPill, PriorityBadge, cardPath, today } from '/app/boards/common.js';

/* The group a card falls in; the server's order (overdue first) is kept inside each group. */
function groupOf(card) {
  const due = card.due_date;
  if (!due) return 'none';
  if (due < today()) return 'overdue';
  if (due === today()) return 'today';
  if (due <= today(7)) return 'week';
  return 'later';
}

const GROUPS = ['overdue', 'today', 'week', 'later', 'none'];

function TaskRow({ card }) {
  const project = card.project || {};
  const column = card.column || {};
  const projectId = project.id ?? card.project_id;
  const checklist = card.checklist_total > 0;
  return html`<li class="btask" data-card-id=${card.id}>
    <a class="btask-link" href=${cardPath(projectId, card.id, card.board?.id)}>
      <span class=${`btask-dot btask-dot-${groupOf(card)}`} aria-hidden="true"></span>
      <span class="btask-main">
        <span class="btask-title">${card.title}</span>
        <span class="btask-where">
          <${Icon} name="board" class="icon icon-xs" />${project.name || ''}${column.name && html`<span aria-hidden="true"> · </span>${column.name}`}
        </span>
      </span>
      <span class="btask-meta">
        ${card.labels.map((l) => html`<${LabelPill} key=${l.name} label=${l} small />`)}
        <${PriorityBadge} priority=${card.priority} quiet />
        ${checklist && html`<span class=${'bbadge' + (card.checklist_done === card.checklist_total ? ' bbadge-ok' : '')}>
          <${Icon} name="checklist" class="icon icon-xs" />${card.checklist_done}/${card.checklist_total}</span>`}
        <${DueBadge} due=${card.due_date} />
        <${AvatarStack} people=${card.assignees} />
      </span>
    </a>
  </li>`;
}

export function TasksPage() {
  const tasks = useLoad(() => myTasks(), []);
  const list = tasks.data || [];
  const groups = GROUPS.map((g) => ({ id: g, cards: list.filter((c) => groupOf(c) === g) })).filter((g) => g.cards.length);
  const overdue = list.filter((c) => groupOf(c) === 'overdue').length;

  let body;
  if (tasks.loading && !tasks.data)
    body = html`<div class="btasks" aria-busy="true"><span class="visually-hidden">${t('state.loading')}</span>
      ${[0, 1, 2, 3].map((i) => html`<div class="btask btask-sk" key=${i} aria-hidden="true"><span class="sk sk-line sk-w50"></span><span class="sk sk-line sk-w25"></span></div>`)}</div>`;
  else if (tasks.error)
    body = html`<${Alert} kind="error" title=${t('boards.error.tasks')}
      actions=${html`<${Button} kind="secondary" size="sm" onClick=${tasks.reload}>${t('action.retry')}<//>`}>${errorText(tasks.error)}<//>`;
  else if (!list.length)
    body = html`<${EmptyState} icon="check_circle" title=${t('boards.tasks.empty')} body=${t('boards.tasks.empty_body')}>
      <a class="button" href="/app/projects">${t('boards.tasks.to_projects')}</a><//>`;
  else
    body = html`<div class="btasks">
      ${groups.map(
        (g) => html`<section class=${`btask-group btask-group-${g.id}`} key=${g.id} aria-labelledby=${`btg-${g.id}`}>
          <h2 class="btask-group-title" id=${`btg-${g.id}`}>${t(`boards.tasks.group.${g.id}`)}<span class="btask-group-count">${g.cards.length}</span></h2>
          <ul class="btask-list">${g.cards.map((c) => html`<${TaskRow} key=${c.id} card=${c} />`)}</ul>
        </section>`,
      )}
    </div>`;

  const lead = list.length
    ? `${tn('boards.tasks.count', list.length)}${overdue ? ` · ${tn('boards.tasks.overdue_count', overdue)}` : ''}`
    : t('boards.tasks.lead');
  return html`<div class="page btasks-page">
    <${PageHeader} title=${t('app.nav.tasks')} lead=${lead}
      actions=${html`<${Button} kind="secondary" onClick=${tasks.reload} busy=${tasks.loading && !!tasks.data}>
        <${Icon} name="refresh" class="icon icon-sm" />${t('action.refresh')}<//>`} />
    ${body}
  </div>`;
}
