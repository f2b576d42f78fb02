// The dialog that creates a project or edits its name, description, members and archived flag.
import { html, useEffect, useState } from '/shared/preact.js';
import { api } from '/shared/api.js';
import { t } from '/shared/i18n.js';
import { useSession } from '/shared/session.js';
import { Alert, Button, Dialog, TextField, formError, toast, useId } from '/shared/forms.js';
import { Icon } from '/shared/ui.js';
import { PersonAvatar } from '/app/feed/common.js';
import { createProject, updateProject } from '/app/boards/api.js';

const NAME_MAX = 200;

let peoplePromise = null;
/* Every active employee (GET /people), for choosing members; asked once per page load. */
function loadPeople() {
  if (!peoplePromise) {
    peoplePromise = api
      .get('/people', { query: { q: '' } })
      .then((a) => (a?.users || []).map((u) => ({ id: Number(u.id), name: u.name, handle: u.handle })));
    peoplePromise.catch(() => (peoplePromise = null));
  }
  return peoplePromise;
}

function MembersField({ members, setMembers, me }) {
  const [people, setPeople] = useState([]);
  const id = useId('pmembers');
  useEffect(() => {
    loadPeople().then((list) => setPeople(list.sort((a, b) => a.name.localeCompare(b.name))), () => {});
  }, []);
  const chosen = new Set(members.map((m) => m.id));
  const others = people.filter((p) => !chosen.has(p.id));
  return html`<div class="field">
    <label class="field-label" for=${id}>${t('boards.project.members')}</label>
    <ul class="bpeople bmembers">
      ${members.map(
        (m) => html`<li class="bperson" key=${m.id}>
          <${PersonAvatar} person=${m} size="sm" /><span class="bperson-name">${m.name}${m.id === me ? ` (${t('boards.project.you')})` : ''}</span>
          ${members.length > 1 &&
          html`<button type="button" class="icon-button bperson-remove" aria-label=${t('boards.project.member_remove', { name: m.name })}
            title=${t('boards.project.member_remove', { name: m.name })} onClick=${() => setMembers(members.filter((x) => x.id !== m.id))}>
            <${Icon} name="close" class="icon icon-sm" /></button>`}
        </li>`,
      )}
    </ul>
    <select id=${id} class="input select" value="" disabled=${others.length === 0}
      onChange=${(e) => {
        const p = people.find((x) => x.id === Number(e.currentTarget.value));
        if (p) setMembers([...members, p]);
        e.currentTarget.value = '';
      }}>
      <option value="">${t(others.length ? 'boards.project.member_add' : 'boards.project.member_all')}</option>
      ${others.map((p) => html`<option value=${String(p.id)}>${p.name}</option>`)}
    </select>
    <p class="field-hint">${t('boards.project.members_hint')}</p>
  </div>`;
}

/* project: null to create one; onDone(project) gets the server's answer. */
export function ProjectDialog({ project, onClose, onDone }) {
  const { user } = useSession();
  const [name, setName] = useState(project?.name || '');
  const [description, setDescription] = useState(project?.description || '');
  const [archived, setArchived] = useState(!!project?.archived);
  const [members, setMembers] = useState(
    project?.members?.length ? project.members : user ? [{ id: user.id, name: user.name, handle: user.handle }] : [],
  );
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null); // { field, text }
  const ids = { name: useId('pname'), description: useId('pdesc'), archived: useId('parch') };

  async function submit(e) {
    e?.preventDefault();
    if (!name.trim()) return setError({ field: 'name', text: t('boards.project.name_required') });
    setBusy(true);
    setError(null);
    try {
      const body = { name: name.trim(), description: description.trim(), members: members.map((m) => m.id) };
      let answer;
      if (project) {
        if (archived !== project.archived) body.archived = archived;
        answer = await updateProject(project.id, { ...body, version: project.version });
        toast(t('boards.project.saved'));
      } else {
        answer = await createProject(body);
        toast(t('boards.project.created'));
      }
      onDone(answer);
    } catch (err) {
      if (err.status === 409) setError({ field: null, text: t('boards.project.conflict') });
      else setError(formError(err, { name: 'name' }));
      setBusy(false);
    }
  }

  return html`<${Dialog} title=${t(project ? 'boards.project.edit_title' : 'boards.project.new_title')} onClose=${onClose}
    footer=${html`
      <${Button} kind="secondary" onClick=${onClose} disabled=${busy}>${t('action.cancel')}<//>
      <${Button} busy=${busy} onClick=${submit}>${t(project ? 'action.save' : 'boards.project.create')}<//>`}>
    <form class="form" onSubmit=${submit} novalidate>
      ${!project && html`<p class="dialog-text">${t('boards.project.new_lead')}</p>`}
      ${error && !error.field && html`<${Alert} kind="error">${error.text}<//>`}
      <${TextField} id=${ids.name} label=${t('boards.project.name')} value=${name} onValue=${setName} maxlength=${NAME_MAX}
        error=${error?.field === 'name' ? error.text : null} placeholder=${t('boards.project.name_placeholder')} autocomplete="off" />
      <div class="field">
        <label class="field-label" for=${ids.description}>${t('boards.project.description')}</label>
        <textarea id=${ids.description} class="input bproject-textarea" rows="3" maxlength="2000" value=${description}
          placeholder=${t('boards.project.description_placeholder')} onInput=${(e) => setDescription(e.currentTarget.value)}></textarea>
      </div>
      <${MembersField} members=${members} setMembers=${setMembers} me=${user?.id} />
      ${project &&
      html`<label class="bcheck-row" for=${ids.archived}>
        <input id=${ids.archived} type="checkbox" checked=${archived} onChange=${(e) => setArchived(e.currentTarget.checked)} />
        <span><span class="bcheck-title">${t('boards.project.archived')}</span>
          <span class="bcheck-hint">${t('boards.project.archived_hint')}</span></span>
      </label>`}
      <button type="submit" class="visually-hidden" tabindex="-1">${t('action.save')}</button>
    </form>
  <//>`;
}
