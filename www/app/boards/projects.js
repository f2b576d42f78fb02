// The projects section (/app/projects): the list of projects with their progress, and each project's board below it.
import { html, useState } from '/shared/preact.js';
import { errorText, t } from '/shared/i18n.js';
import { navigate } from '/shared/router.js';
import { Alert, Button, useLoad } from '/shared/forms.js';
import { EmptyState, Icon, NotFoundPage, PageHeader } from '/shared/ui.js';
import { TimeAgo, tn } from '/app/feed/common.js';
import { listProjects } from '/app/boards/api.js';
import { projectPath } from '/app/boards/common.js';
import { BoardPage } from '/app/boards/board.js';
import { ProjectDialog } from '/app/boards/project-form.js';

const BOARD_PATH = /^\/app\/projects\/(\d+)\/?$/;

function ProjectCard({ project }) {
  const initial = [...project.name.trim()][0]?.toUpperCase() || '?';
  const boards = project.boards.length;
  return html`<li class=${'bproject' + (project.archived ? ' is-archived' : '')}>
    <a class="bproject-link" href=${projectPath(project.id)}>
      <div class="bproject-top">
        <span class=${`bproject-mark bproject-hue-${project.id % 8}`} aria-hidden="true">${initial}</span>
        <div class="bproject-names">
          <h2 class="bproject-name">${project.name}</h2>
          ${project.updated_at && html`<span class="bproject-when">${t('boards.project.updated')} <${TimeAgo} value=${project.updated_at} /></span>`}
        </div>
        ${project.archived && html`<span class="badge badge-neutral">${t('boards.project.archived_badge')}</span>`}
      </div>
      <p class=${'bproject-desc' + (project.description ? '' : ' is-empty')}>${project.description || t('boards.project.no_description')}</p>
      <div class="bproject-stats">
        ${project.member_count != null && html`<span class="bproject-stat"><${Icon} name="users" class="icon icon-sm" />${tn('boards.project.members_count', project.member_count)}</span>`}
        ${boards > 1 && html`<span class="bproject-stat"><${Icon} name="board" class="icon icon-sm" />${tn('boards.project.boards_count', boards)}</span>`}
        ${project.account && html`<span class="bproject-stat bproject-account" title=${t('boards.project.account')}><${Icon} name="building" class="icon icon-sm" />${project.account.name}</span>`}
        ${project.member === false && html`<span class="bproject-stat bproject-guest" title=${t('boards.project.not_member_hint')}><${Icon} name="eye" class="icon icon-sm" />${t('boards.project.not_member')}</span>`}
      </div>
    </a>
  </li>`;
}

function ProjectsList() {
  const [withArchived, setWithArchived] = useState(false);
  const projects = useLoad(() => listProjects(withArchived), [withArchived]);
  const [creating, setCreating] = useState(false);
  const list = projects.data || [];
  const active = list.filter((p) => !p.archived);
  const archived = list.filter((p) => p.archived);
  const mine = active.filter((p) => p.member !== false);
  const others = active.filter((p) => p.member === false);

  const newButton = html`<${Button} onClick=${() => setCreating(true)}><${Icon} name="plus" class="icon icon-sm" />${t('boards.project.new')}<//>`;
  const grid = (items) => html`<ul class="bprojects">${items.map((p) => html`<${ProjectCard} key=${p.id} project=${p} />`)}</ul>`;
  let body;
  if (projects.loading && !projects.data)
    body = html`<ul class="bprojects" aria-busy="true">${[0, 1, 2].map((i) => html`<li class="bproject bproject-sk" key=${i} aria-hidden="true">
      <span class="sk sk-line sk-w50"></span><span class="sk sk-line sk-w90"></span><span class="sk sk-line sk-w75"></span></li>`)}</ul>`;
  else if (projects.error)
    body = html`<${Alert} kind="error" title=${t('boards.error.projects')}
      actions=${html`<${Button} kind="secondary" size="sm" onClick=${projects.reload}>${t('action.retry')}<//>`}>${errorText(projects.error)}<//>`;
  else if (!list.length)
    body = html`<${EmptyState} icon="board" title=${t('boards.projects.empty')} body=${t('boards.projects.empty_body')}>${newButton}<//>`;
  else
    body = html`${mine.length > 0 && grid(mine)}
      ${others.length > 0 && html`<h2 class="bprojects-sub">${t('boards.projects.others')}</h2>${grid(others)}`}
      ${archived.length > 0 && html`<h2 class="bprojects-sub">${t('boards.projects.archived')}</h2>${grid(archived)}`}`;

  return html`<div class="page bprojects-page">
    <${PageHeader} title=${t('app.nav.projects')} lead=${t('app.lead.projects')}
      actions=${html`<a class="button button-secondary" href="/app/tasks"><${Icon} name="tasks" class="icon icon-sm" />${t('app.nav.tasks')}</a>${newButton}`} />
    <div class="bprojects-bar">
      <label class="bcheck-row bprojects-archived">
        <input type="checkbox" checked=${withArchived} onChange=${(e) => setWithArchived(e.currentTarget.checked)} />
        <span class="bcheck-title">${t('boards.projects.show_archived')}</span>
      </label>
    </div>
    ${body}
    ${creating &&
    html`<${ProjectDialog} onClose=${() => setCreating(false)} onDone=${(p) => {
      setCreating(false);
      navigate(projectPath(p.id));
    }} />`}
  </div>`;
}

/* /app/projects and everything below it. */
export function ProjectsPage({ path, item }) {
  const here = path || location.pathname;
  if (here === '/app/projects' || here === '/app/projects/') return html`<${ProjectsList} />`;
  const m = BOARD_PATH.exec(here);
  if (m) return html`<${BoardPage} key=${m[1]} projectId=${Number(m[1])} />`;
  return html`<${NotFoundPage} path=${here} home="/app/projects" item=${item} />`;
}
