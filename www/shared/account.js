// "My account" in both apps: profile, password change, and the user's own sessions.
import { html, useRef, useState } from '/shared/preact.js';
import { api } from '/shared/api.js';
import { errorText, t } from '/shared/i18n.js';
import { describeDevice, formatDateTime, formatRelative, isPhoneAgent, isoOf } from '/shared/format.js';
import { Alert, Button, PasswordField, formError, passwordLengthProblem, toast, useId, useLoad } from '/shared/forms.js';
import { useSession } from '/shared/session.js';
import { Icon, PageHeader } from '/shared/ui.js';
import { Avatar, describeUser } from '/shared/auth.js';

export function Card({ title, lead, children, id }) {
  return html`<section class="card" aria-labelledby=${id}>
    <header class="card-head">
      <h2 class="card-title" id=${id}>${title}</h2>
      ${lead && html`<p class="card-lead">${lead}</p>`}
    </header>
    <div class="card-body">${children}</div>
  </section>`;
}

function Profile({ user }) {
  return html`<${Card} id="me-profile" title=${t('me.profile')}>
    <div class="profile">
      <${Avatar} user=${user} size="xl" />
      <div class="profile-text">
        <div class="profile-name">${user.name}</div>
        <div class="profile-email">${user.email}</div>
      </div>
    </div>
    <dl class="facts">
      <div><dt>${t('field.email')}</dt><dd>${user.email}</dd></div>
      <div><dt>${t(user.realm === 'employee' ? 'field.role' : 'field.access')}</dt><dd>${describeUser(user)}</dd></div>
      ${user.account && html`<div><dt>${t('field.company')}</dt><dd>${user.account.name}</dd></div>`}
    </dl>
  <//>`;
}

function ChangePassword({ email, onChanged }) {
  const [current, setCurrent] = useState('');
  const [fresh, setFresh] = useState('');
  const [errors, setErrors] = useState({});
  const [problem, setProblem] = useState(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const ids = { current: useId('current'), fresh: useId('new') };
  const currentRef = useRef(null);
  const freshRef = useRef(null);

  async function submit(event) {
    event.preventDefault();
    setDone(false);
    setProblem(null);
    const found = {};
    if (!current) found.current = t('auth.password.required');
    const lengthProblem = passwordLengthProblem(fresh);
    if (lengthProblem) found.fresh = t(lengthProblem);
    else if (fresh === current) found.fresh = t('password.same');
    setErrors(found);
    if (found.current) return currentRef.current?.focus();
    if (found.fresh) return freshRef.current?.focus();
    setBusy(true);
    try {
      await api.post('/me/password', { current_password: current, new_password: fresh });
      setCurrent('');
      setFresh('');
      setDone(true);
      onChanged?.();
    } catch (err) {
      if (err.code === 'wrong_password') {
        setErrors({ current: t('error.wrong_password') });
        currentRef.current?.focus();
      } else {
        const { field, text } = formError(err, { current_password: 'current', new_password: 'fresh' });
        if (field) setErrors({ [field]: text });
        else setProblem(text);
      }
    } finally {
      setBusy(false);
    }
  }

  return html`<${Card} id="me-password" title=${t('me.password')} lead=${t('me.password.lead')}>
    ${done && html`<${Alert} kind="success" title=${t('me.password.done')}>${t('me.password.done_body')}<//>`}
    ${problem && html`<${Alert} kind="error">${problem}<//>`}
    <form class="form form-narrow" novalidate onSubmit=${submit}>
      <input type="text" class="visually-hidden" autocomplete="username" value=${email}
        readonly tabindex="-1" aria-hidden="true" />
      <${PasswordField} id=${ids.current} label=${t('field.current_password')} value=${current} onValue=${setCurrent}
        inputRef=${currentRef} error=${errors.current} />
      <${PasswordField} id=${ids.fresh} label=${t('field.new_password')} fresh value=${fresh} onValue=${setFresh}
        inputRef=${freshRef} error=${errors.fresh} />
      <div class="form-actions"><${Button} type="submit" busy=${busy}>${t('me.password.submit')}<//></div>
    </form>
  <//>`;
}

/* One session row: device, address, when; "End session" unless it is this one. */
export function SessionRow({ session, onEnd, busy, showUser }) {
  const phone = isPhoneAgent(session.user_agent);
  return html`<li class="session">
    <div class="session-icon"><${Icon} name=${phone ? 'phone' : 'monitor'} /></div>
    <div class="session-main">
      <div class="session-title">
        <span>${describeDevice(session.user_agent)}</span>
        ${session.current && html`<span class="badge badge-ok">${t('sessions.this_device')}</span>`}
      </div>
      <div class="session-meta">
        <span>${session.ip || t('sessions.no_ip')}</span>
        <span>${t('sessions.signed_in')} <time datetime=${isoOf(session.created_at)}>${formatDateTime(session.created_at)}</time></span>
        <span>${t('sessions.last_seen')} <time datetime=${isoOf(session.last_seen)} title=${formatDateTime(session.last_seen)}>${formatRelative(session.last_seen)}</time></span>
      </div>
    </div>
    ${!session.current && onEnd && html`<${Button} kind="secondary" size="sm" busy=${busy} onClick=${() => onEnd(session)}>${t('sessions.end')}<//>`}
  </li>`;
}

function MySessions({ sessions }) {
  const [ending, setEnding] = useState(null);
  const [error, setError] = useState(null);
  async function end(session) {
    setEnding(session.id);
    setError(null);
    try {
      await api.delete(`/me/sessions/${session.id}`);
      toast(t('sessions.ended'));
      sessions.setData({ items: sessions.data.items.filter((s) => s.id !== session.id) });
    } catch (err) {
      setError(errorText(err));
    } finally {
      setEnding(null);
    }
  }
  const items = sessions.data?.items || [];
  const sorted = [...items].sort((a, b) => (b.current ? 1 : 0) - (a.current ? 1 : 0));
  return html`<${Card} id="me-sessions" title=${t('me.sessions')} lead=${t('me.sessions.lead')}>
    ${error && html`<${Alert} kind="error">${error}<//>`}
    ${sessions.error && html`<${Alert} kind="error" actions=${html`<${Button} kind="secondary" size="sm" onClick=${sessions.reload}>${t('action.retry')}<//>`}>${errorText(sessions.error)}<//>`}
    ${sessions.loading && !sessions.data && html`<div class="loading-row"><span class="spinner" aria-hidden="true"></span>${t('state.loading')}</div>`}
    ${sessions.data && html`<ul class="session-list">
      ${sorted.map((s) => html`<${SessionRow} key=${s.id} session=${s} onEnd=${end} busy=${ending === s.id} />`)}
    </ul>`}
  <//>`;
}

export function MePage() {
  const { user } = useSession();
  const sessions = useLoad(() => api.get('/me/sessions'), []);
  if (!user) return null;
  return html`<div class="page page-narrow">
    <${PageHeader} title=${t('me.title')} lead=${t('me.lead')} />
    <div class="stack">
      <${Profile} user=${user} />
      <${ChangePassword} email=${user.email} onChanged=${sessions.reload} />
      <${MySessions} sessions=${sessions} />
    </div>
  </div>`;
}
