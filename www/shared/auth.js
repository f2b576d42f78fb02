// Pages outside the app frame (sign in, password reset, invitation, wrong realm) and the header's user menu.
import { html, useEffect, useRef, useState } from '/shared/preact.js';
import { api } from '/shared/api.js';
import { errorText, t } from '/shared/i18n.js';
import { formatDateTime, initials } from '/shared/format.js';
import {
  Alert, Button, PasswordField, TextField, formError, passwordLengthProblem, useCountdown, useId,
} from '/shared/forms.js';
import { navigate, useQuery } from '/shared/router.js';
import { adoptSession, clearNotice, fitsApp, signIn, signOut, useSession } from '/shared/session.js';
import { BrandMark, Icon, LangSwitch } from '/shared/ui.js';

/*
 * app: { realm: 'employee' | 'cabinet', base: '/app', home: '/app/feed', realmLabel: catalog key or null }
 * The other side: employees are sent to the workspace, customers and partners to the cabinet.
 */
export function otherApp(app) {
  return app.realm === 'employee'
    ? { base: '/cabinet', label: 'auth.other.cabinet', go: 'auth.go.cabinet' }
    : { base: '/app', label: 'auth.other.app', go: 'auth.go.app' };
}

/* Where to go after signing in: ?next= when it is a page of this app, else the home page. */
export function nextPath(app, query) {
  const next = query.get('next') || '';
  const ok =
    next.startsWith(app.base + '/') &&
    !next.startsWith('//') &&
    !next.includes('\\') &&
    !['/login', '/reset', '/invite'].some((p) => next.startsWith(app.base + p));
  return ok ? next : app.home;
}

/* Full-height centred card with the brand and the language switch, for pages without a session. */
export function AuthLayout({ app, children, aside }) {
  return html`<div class="auth">
    <header class="auth-top">
      <a class="brand" href=${app.base + '/login'}>
        <${BrandMark} />
        <span class="brand-name">${t('brand.name')}</span>
        ${app.realmLabel && html`<span class="brand-realm">${t(app.realmLabel)}</span>`}
      </a>
      <${LangSwitch} />
    </header>
    <main id="main" class="auth-main" tabindex="-1">
      <div class="auth-card">${children}</div>
      ${aside && html`<p class="auth-aside">${aside}</p>`}
    </main>
  </div>`;
}

function AuthHeading({ icon, title, lead }) {
  return html`<div class="auth-heading">
    ${icon && html`<div class="auth-icon"><${Icon} name=${icon} /></div>`}
    <h1 class="auth-title" tabindex="-1">${title}</h1>
    ${lead && html`<p class="auth-lead">${lead}</p>`}
  </div>`;
}

function Spinner() {
  return html`<div class="auth-loading"><span class="spinner spinner-lg" aria-hidden="true"></span>
    <span class="visually-hidden">${t('state.loading')}</span></div>`;
}

/* ---------- sign in ---------- */

export function LoginPage({ app }) {
  const session = useSession();
  const query = useQuery();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [fieldErrors, setFieldErrors] = useState({});
  const [problem, setProblem] = useState(null); // { kind: 'error' | 'wrong_realm', text }
  const [retryUntil, setRetryUntil] = useState(0);
  const [busy, setBusy] = useState(false);
  const secondsLeft = useCountdown(retryUntil);
  const emailRef = useRef(null);
  const passwordRef = useRef(null);
  const ids = { email: useId('email'), password: useId('password') };
  const other = otherApp(app);

  // Already signed in here: straight on to the app.
  const signedIn = session.status === 'user' && fitsApp(app.realm, session.user);
  useEffect(() => {
    if (signedIn) navigate(nextPath(app, query), { replace: true });
  }, [signedIn]);

  useEffect(() => emailRef.current?.focus(), []);

  async function submit(event) {
    event.preventDefault();
    if (busy || secondsLeft > 0) return;
    const errors = {};
    if (!email.trim()) errors.email = t('auth.email.required');
    else if (!/^[^@\s]+@[^@\s]+$/.test(email.trim())) errors.email = t('error.field.email');
    if (!password) errors.password = t('auth.password.required');
    setFieldErrors(errors);
    setProblem(null);
    if (errors.email) return emailRef.current?.focus();
    if (errors.password) return passwordRef.current?.focus();

    setBusy(true);
    clearNotice();
    try {
      await signIn(email.trim(), password, app.realm);
      navigate(nextPath(app, query), { replace: true });
    } catch (err) {
      setBusy(false);
      if (err.code === 'rate_limited') {
        setRetryUntil(Date.now() + (err.retryAfter ?? 30) * 1000);
      } else if (err.code === 'wrong_realm') {
        setProblem({ kind: 'wrong_realm' });
      } else if (err.code === 'invalid_credentials') {
        setProblem({ kind: 'error', text: t('error.invalid_credentials') });
        setPassword('');
        passwordRef.current?.focus();
      } else {
        const { field, text } = formError(err, { email: 'email', password: 'password' });
        if (field) setFieldErrors({ [field]: text });
        else setProblem({ kind: 'error', text });
      }
    }
  }

  if (session.status === 'loading' || signedIn) return html`<${AuthLayout} app=${app}><${Spinner} /><//>`;
  if (session.status === 'user') return html`<${WrongRealmPage} app=${app} user=${session.user} />`;

  const forgot = html`<a class="field-link" href=${app.base + '/reset'}>${t('auth.forgot')}</a>`;
  const aside = html`${t(other.label)} <a href=${other.base + '/login'}>${t(other.go)}</a>`;
  const title = t(app.realm === 'employee' ? 'auth.login.title' : 'auth.login.title_cabinet');
  const lead = t(app.realm === 'employee' ? 'auth.login.lead' : 'auth.login.lead_cabinet');

  return html`<${AuthLayout} app=${app} aside=${aside}>
    <${AuthHeading} title=${title} lead=${lead} />
    ${session.notice === 'signed_out' && !problem && html`<${Alert} kind="success">${t('auth.signed_out')}<//>`}
    ${session.notice === 'expired' && !problem && html`<${Alert} kind="info">${t('auth.expired')}<//>`}
    ${secondsLeft > 0 && html`<${Alert} kind="error" title=${t('auth.rate_limited.title')}>
      ${t('auth.rate_limited.wait', { seconds: secondsLeft })}<//>`}
    ${problem?.kind === 'error' && html`<${Alert} kind="error">${problem.text}<//>`}
    ${problem?.kind === 'wrong_realm' && html`<${Alert} kind="warning" title=${t(`auth.wrong_realm.${app.realm}.title`)}
      actions=${html`<a class="button button-secondary button-sm" href=${other.base + '/login'}>${t(other.go)}</a>`}>
      ${t(`auth.wrong_realm.${app.realm}.body`)}<//>`}
    <form class="form" novalidate onSubmit=${submit}>
      <${TextField} id=${ids.email} label=${t('field.email')} type="email" value=${email} onValue=${setEmail}
        autocomplete="username" inputmode="email" autocapitalize="off" spellcheck="false" inputRef=${emailRef}
        error=${fieldErrors.email} />
      <${PasswordField} id=${ids.password} label=${t('field.password')} labelAside=${forgot} value=${password}
        onValue=${setPassword} inputRef=${passwordRef} error=${fieldErrors.password} />
      <${Button} type="submit" block busy=${busy} disabled=${secondsLeft > 0}>${t('auth.login.submit')}<//>
    </form>
  <//>`;
}

/* ---------- signed in on the other side ---------- */

/* The session belongs to the other app: say so, offer to go there or to sign out. */
export function WrongRealmPage({ app, user }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const other = otherApp(app);
  async function logout() {
    setBusy(true);
    setError(null);
    try {
      await signOut();
      navigate(app.base + '/login', { replace: true });
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  }
  return html`<${AuthLayout} app=${app}>
    <${AuthHeading} icon="shield" title=${t(`auth.elsewhere.${app.realm}.title`)}
      lead=${t(`auth.elsewhere.${app.realm}.body`, { name: user.name || user.email, email: user.email })} />
    ${error && html`<${Alert} kind="error">${error}<//>`}
    <div class="auth-buttons">
      <a class="button button-primary button-block" href=${other.base + '/'}>${t(other.go)}</a>
      <${Button} kind="secondary" block busy=${busy} onClick=${logout}>${t('auth.logout_to_switch')}<//>
    </div>
  <//>`;
}

/* ---------- password reset ---------- */

export function ResetPage({ app }) {
  const query = useQuery();
  const token = query.get('token');
  return token ? html`<${ResetConfirm} app=${app} token=${token} key=${token} />` : html`<${ResetRequest} app=${app} />`;
}

function BackToLogin({ app }) {
  return html`<a class="auth-back" href=${app.base + '/login'}><${Icon} name="arrow_left" class="icon icon-sm" />${t('auth.back_to_login')}</a>`;
}

function ResetRequest({ app }) {
  const [email, setEmail] = useState('');
  const [error, setError] = useState(null);
  const [problem, setProblem] = useState(null);
  const [sentTo, setSentTo] = useState(null);
  const [busy, setBusy] = useState(false);
  const id = useId('email');
  const inputRef = useRef(null);
  useEffect(() => inputRef.current?.focus(), []);

  async function submit(event) {
    event.preventDefault();
    const value = email.trim();
    setProblem(null);
    if (!value) return setError(t('auth.email.required'));
    if (!/^[^@\s]+@[^@\s]+$/.test(value)) return setError(t('error.field.email'));
    setError(null);
    setBusy(true);
    try {
      await api.post('/auth/reset/request', { email: value });
      setSentTo(value);
    } catch (err) {
      const { field, text } = formError(err, { email: 'email' });
      if (field) setError(text);
      else setProblem(text);
    } finally {
      setBusy(false);
    }
  }

  if (sentTo)
    return html`<${AuthLayout} app=${app}>
      <${AuthHeading} icon="mail" title=${t('auth.reset.sent.title')} lead=${t('auth.reset.sent.body', { email: sentTo })} />
      <p class="auth-note">${t('auth.reset.sent.note')}</p>
      <${BackToLogin} app=${app} />
    <//>`;

  return html`<${AuthLayout} app=${app}>
    <${AuthHeading} icon="key" title=${t('auth.reset.title')} lead=${t('auth.reset.lead')} />
    ${problem && html`<${Alert} kind="error">${problem}<//>`}
    <form class="form" novalidate onSubmit=${submit}>
      <${TextField} id=${id} label=${t('field.email')} type="email" value=${email} onValue=${setEmail}
        autocomplete="username" inputmode="email" autocapitalize="off" spellcheck="false" inputRef=${inputRef} error=${error} />
      <${Button} type="submit" block busy=${busy}>${t('auth.reset.submit')}<//>
    </form>
    <${BackToLogin} app=${app} />
  <//>`;
}

function ResetConfirm({ app, token }) {
  const [password, setPassword] = useState('');
  const [error, setError] = useState(null);
  const [problem, setProblem] = useState(null);
  const [state, setState] = useState('form'); // form | done | invalid
  const [busy, setBusy] = useState(false);
  const id = useId('password');
  const inputRef = useRef(null);
  useEffect(() => inputRef.current?.focus(), []);

  async function submit(event) {
    event.preventDefault();
    setProblem(null);
    const tooLong = passwordLengthProblem(password);
    if (tooLong) return setError(t(tooLong));
    setError(null);
    setBusy(true);
    try {
      await api.post('/auth/reset/confirm', { token, password });
      setState('done');
    } catch (err) {
      if (err.code === 'invalid_token') setState('invalid');
      else {
        const { field, text } = formError(err, { password: 'password' });
        if (field || err.code === 'weak_password') setError(text);
        else setProblem(text);
      }
    } finally {
      setBusy(false);
    }
  }

  if (state === 'done')
    return html`<${AuthLayout} app=${app}>
      <${AuthHeading} icon="check_circle" title=${t('auth.reset.done.title')} lead=${t('auth.reset.done.body')} />
      <a class="button button-primary button-block" href=${app.base + '/login'}>${t('auth.login.submit')}</a>
    <//>`;
  if (state === 'invalid')
    return html`<${AuthLayout} app=${app}>
      <${AuthHeading} icon="alert" title=${t('auth.reset.invalid.title')} lead=${t('auth.reset.invalid.body')} />
      <a class="button button-primary button-block" href=${app.base + '/reset'}>${t('auth.reset.again')}</a>
      <${BackToLogin} app=${app} />
    <//>`;

  return html`<${AuthLayout} app=${app}>
    <${AuthHeading} icon="key" title=${t('auth.reset.new.title')} lead=${t('auth.reset.new.lead')} />
    ${problem && html`<${Alert} kind="error">${problem}<//>`}
    <form class="form" novalidate onSubmit=${submit}>
      <${PasswordField} id=${id} label=${t('field.new_password')} fresh value=${password} onValue=${setPassword}
        inputRef=${inputRef} error=${error} />
      <${Button} type="submit" block busy=${busy}>${t('auth.reset.new.submit')}<//>
    </form>
    <${BackToLogin} app=${app} />
  <//>`;
}

/* ---------- invitation ---------- */

const realmApp = (realm) => (realm === 'employee' ? '/app' : '/cabinet');

export function InvitePage({ app }) {
  const query = useQuery();
  const token = query.get('token') || '';
  const [invite, setInvite] = useState(null);
  const [state, setState] = useState(token ? 'loading' : 'invalid'); // loading | form | invalid | failed
  const [loadError, setLoadError] = useState(null);
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState({});
  const [problem, setProblem] = useState(null);
  const [busy, setBusy] = useState(false);
  const ids = { email: useId('email'), name: useId('name'), password: useId('password') };
  const passwordRef = useRef(null);
  const nameRef = useRef(null);

  async function inspect() {
    setState('loading');
    try {
      const answer = await api.post('/auth/invitations/inspect', { token });
      // An invitation to the other side opens there, token and all.
      if (answer.realm && realmApp(answer.realm) !== app.base) {
        location.replace(`${realmApp(answer.realm)}/invite?token=${encodeURIComponent(token)}`);
        return;
      }
      setInvite(answer);
      setName(answer.name || '');
      setState('form');
    } catch (err) {
      if (err.code === 'invalid_token' || err.status === 400 || err.status === 404) setState('invalid');
      else {
        setLoadError(errorText(err));
        setState('failed');
      }
    }
  }
  useEffect(() => {
    if (token) inspect();
  }, [token]);
  useEffect(() => {
    if (state === 'form') (name ? passwordRef : nameRef).current?.focus();
  }, [state]);

  async function submit(event) {
    event.preventDefault();
    setProblem(null);
    const found = {};
    if (!name.trim()) found.name = t('error.field.name');
    const lengthProblem = passwordLengthProblem(password);
    if (lengthProblem) found.password = t(lengthProblem);
    setErrors(found);
    if (found.name) return nameRef.current?.focus();
    if (found.password) return passwordRef.current?.focus();
    setBusy(true);
    try {
      const answer = await api.post('/auth/invitations/accept', { token, password, name: name.trim() });
      const user = adoptSession(answer);
      if (!fitsApp(app.realm, user)) location.assign(realmApp(user.realm) + '/');
      else navigate(app.home, { replace: true });
    } catch (err) {
      setBusy(false);
      if (err.code === 'invalid_token') return setState('invalid');
      const { field, text } = formError(err, { name: 'name', password: 'password' });
      if (field) setErrors({ [field]: text });
      else if (err.code === 'weak_password') setErrors({ password: text });
      else setProblem(text);
    }
  }

  if (state === 'loading') return html`<${AuthLayout} app=${app}><${Spinner} /><//>`;
  if (state === 'invalid')
    return html`<${AuthLayout} app=${app}>
      <${AuthHeading} icon="alert" title=${t('auth.invite.invalid.title')} lead=${t('auth.invite.invalid.body')} />
      <${BackToLogin} app=${app} />
    <//>`;
  if (state === 'failed')
    return html`<${AuthLayout} app=${app}>
      <${AuthHeading} icon="alert" title=${t('auth.invite.failed.title')} lead=${loadError} />
      <${Button} block onClick=${inspect}>${t('action.retry')}<//>
    <//>`;

  const lead = t(app.realm === 'employee' ? 'auth.invite.lead' : 'auth.invite.lead_cabinet');
  return html`<${AuthLayout} app=${app}>
    <${AuthHeading} icon="send" title=${t('auth.invite.title')} lead=${lead} />
    ${problem && html`<${Alert} kind="error">${problem}<//>`}
    <form class="form" novalidate onSubmit=${submit}>
      <${TextField} id=${ids.email} label=${t('field.email')} type="email" value=${invite.email} onValue=${() => {}}
        readonly autocomplete="username" />
      <${TextField} id=${ids.name} label=${t('field.your_name')} value=${name} onValue=${setName}
        autocomplete="name" inputRef=${nameRef} error=${errors.name} maxlength="200" />
      <${PasswordField} id=${ids.password} label=${t('field.choose_password')} fresh value=${password}
        onValue=${setPassword} inputRef=${passwordRef} error=${errors.password} />
      <${Button} type="submit" block busy=${busy}>${t('auth.invite.submit')}<//>
      ${invite.expires_at && html`<p class="auth-note">${t('auth.invite.expires', { date: formatDateTime(invite.expires_at) })}</p>`}
    </form>
  <//>`;
}

/* ---------- user menu ---------- */

export function Avatar({ user, size }) {
  return html`<span class=${'avatar' + (size ? ` avatar-${size}` : '')} aria-hidden="true">${initials(user?.name, user?.email)}</span>`;
}

/* What a user is: "Administrator", "Customer · Romashka LLC". */
export function describeUser(user) {
  if (!user) return '';
  if (user.realm === 'employee') return t(`role.${user.role}`);
  const realm = t(`realm.${user.realm}`);
  return user.account?.name ? `${realm} · ${user.account.name}` : realm;
}

/* Header button with the user's initials and name; opens a panel with "My account" and "Log out". */
export function UserMenu({ app, user }) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const rootRef = useRef(null);
  const panelId = useId('usermenu');

  useEffect(() => {
    if (!open) return undefined;
    const onDown = (e) => {
      if (!rootRef.current?.contains(e.target)) setOpen(false);
    };
    const onKey = (e) => {
      if (e.key === 'Escape') {
        setOpen(false);
        rootRef.current?.querySelector('.usermenu-button')?.focus();
      }
    };
    document.addEventListener('pointerdown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('pointerdown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  async function logout() {
    setBusy(true);
    try {
      await signOut();
      navigate(app.base + '/login', { replace: true });
    } catch (err) {
      setBusy(false);
      window.alert(errorText(err));
    }
  }

  return html`<div class="usermenu" ref=${rootRef}>
    <button type="button" class="usermenu-button" aria-expanded=${open ? 'true' : 'false'} aria-controls=${panelId}
      aria-label=${t('usermenu.label', { name: user.name || user.email })} onClick=${() => setOpen(!open)}>
      <${Avatar} user=${user} />
      <span class="usermenu-name">${user.name || user.email}</span>
      <${Icon} name="chevron_down" class="icon icon-sm usermenu-chevron" />
    </button>
    <div class="usermenu-panel" id=${panelId} hidden=${!open}>
      <div class="usermenu-head">
        <${Avatar} user=${user} size="lg" />
        <div class="usermenu-who">
          <div class="usermenu-fullname">${user.name}</div>
          <div class="usermenu-email">${user.email}</div>
          <div class="usermenu-role">${describeUser(user)}</div>
        </div>
      </div>
      <a class="usermenu-item" href=${app.base + '/me'} onClick=${() => setOpen(false)}>
        <${Icon} name="user" />${t('usermenu.account')}
      </a>
      <button type="button" class="usermenu-item" onClick=${logout} disabled=${busy}>
        <${Icon} name="logout" />${t('usermenu.logout')}
      </button>
    </div>
  </div>`;
}
