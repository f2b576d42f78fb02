// Form building blocks: buttons, fields, password input, alerts, dialogs, toasts, and API error mapping.
import { html, useEffect, useRef, useState } from '/shared/preact.js';
import { errorText, has, t } from '/shared/i18n.js';
import { Icon } from '/shared/ui.js';

let nextId = 0;
/* A stable id for label/input pairs. */
export function useId(prefix = 'f') {
  const ref = useRef(null);
  if (ref.current === null) ref.current = `${prefix}-${++nextId}`;
  return ref.current;
}

/* ---------- buttons ---------- */

/* kind: primary | secondary | danger | ghost; size: sm; block: full width; busy: disabled with a spinner. */
export function Button({ kind = 'primary', size, block, busy, type = 'button', class: extra, disabled, children, ...rest }) {
  const cls = ['button', `button-${kind}`, size && `button-${size}`, block && 'button-block', extra].filter(Boolean).join(' ');
  return html`<button type=${type} class=${cls} disabled=${disabled || busy} aria-busy=${busy ? 'true' : undefined} ...${rest}>
    ${busy && html`<span class="spinner" aria-hidden="true"></span>`}
    ${children}
  </button>`;
}

/* ---------- fields ---------- */

function describedBy(id, hint, error) {
  return [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ') || undefined;
}

function FieldFrame({ id, label, labelAside, hint, error, children }) {
  return html`<div class=${'field' + (error ? ' field-invalid' : '')}>
    <div class="field-label-row">
      <label class="field-label" for=${id}>${label}</label>
      ${labelAside}
    </div>
    ${children}
    ${hint && !error && html`<p class="field-hint" id=${`${id}-hint`}>${hint}</p>`}
    ${error && html`<p class="field-error" id=${`${id}-error`}><${Icon} name="alert" class="icon icon-sm" />${error}</p>`}
  </div>`;
}

/* A labelled input; onValue(string) on every keystroke. */
export function TextField({ id, label, labelAside, hint, error, value, onValue, type = 'text', inputRef, ...rest }) {
  return html`<${FieldFrame} id=${id} label=${label} labelAside=${labelAside} hint=${hint} error=${error}>
    <input id=${id} ref=${inputRef} class="input" type=${type} value=${value}
      onInput=${(e) => onValue(e.currentTarget.value)}
      aria-invalid=${error ? 'true' : undefined} aria-describedby=${describedBy(id, hint && !error, error)} ...${rest} />
  <//>`;
}

/* A password input with a show/hide toggle; fresh: a new password (hint with the length rule). */
export function PasswordField({ id, label, labelAside, error, value, onValue, fresh = false, inputRef, ...rest }) {
  const [shown, setShown] = useState(false);
  const hint = fresh ? t('password.hint') : null;
  return html`<${FieldFrame} id=${id} label=${label} labelAside=${labelAside} hint=${hint} error=${error}>
    <div class="input-group">
      <input id=${id} ref=${inputRef} class="input" type=${shown ? 'text' : 'password'} value=${value}
        autocomplete=${fresh ? 'new-password' : 'current-password'} spellcheck="false" autocapitalize="off"
        onInput=${(e) => onValue(e.currentTarget.value)}
        aria-invalid=${error ? 'true' : undefined} aria-describedby=${describedBy(id, hint && !error, error)} ...${rest} />
      <button type="button" class="input-addon" aria-pressed=${shown ? 'true' : 'false'}
        aria-label=${t(shown ? 'password.hide' : 'password.show')} title=${t(shown ? 'password.hide' : 'password.show')}
        onClick=${() => setShown(!shown)}>
        <${Icon} name=${shown ? 'eye_off' : 'eye'} />
      </button>
    </div>
  <//>`;
}

/* options: [{ value, label }] */
export function SelectField({ id, label, hint, error, value, onValue, options, ...rest }) {
  return html`<${FieldFrame} id=${id} label=${label} hint=${hint} error=${error}>
    <select id=${id} class="input select" value=${value} onChange=${(e) => onValue(e.currentTarget.value)}
      aria-invalid=${error ? 'true' : undefined} aria-describedby=${describedBy(id, hint && !error, error)} ...${rest}>
      ${options.map((o) => html`<option value=${o.value} disabled=${o.disabled}>${o.label}</option>`)}
    </select>
  <//>`;
}

/* ---------- messages ---------- */

const ALERT_ICONS = { error: 'alert', warning: 'alert', success: 'check_circle', info: 'info' };

/* A message box; errors and warnings are announced at once (role=alert), the rest politely. */
export function Alert({ kind = 'info', title, children, actions }) {
  return html`<div class=${`alert alert-${kind}`} role=${kind === 'error' || kind === 'warning' ? 'alert' : 'status'}>
    <${Icon} name=${ALERT_ICONS[kind]} class="icon alert-icon" />
    <div class="alert-body">
      ${title && html`<p class="alert-title">${title}</p>`}
      ${children && html`<div class="alert-text">${children}</div>`}
      ${actions && html`<div class="alert-actions">${actions}</div>`}
    </div>
  </div>`;
}

/* ---------- passwords ---------- */

export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 256;

/* The catalog key of what is wrong with a new password's length, or null; the server judges the rest. */
export function passwordLengthProblem(password) {
  const n = [...password].length;
  if (n < PASSWORD_MIN) return 'password.too_short';
  if (n > PASSWORD_MAX) return 'password.too_long';
  return null;
}

const WEAKNESS = [
  [/short/i, 'password.too_short'],
  [/long/i, 'password.too_long'],
  [/email/i, 'password.has_email'],
  [/name/i, 'password.has_name'],
  [/dictionary|common/i, 'password.too_common'],
  [/sequence|12345|qwerty/i, 'password.sequence'],
  [/repeat/i, 'password.repeats'],
  [/used/i, 'password.reused'],
];

/* The translated reason behind a weak_password error (the server's English message names it). */
export function weakPasswordText(err) {
  const message = String(err?.message || '');
  const key = WEAKNESS.find(([re]) => re.test(message))?.[1] || 'password.too_simple';
  return t(key);
}

/* ---------- API errors on forms ---------- */

/*
 * Splits an ApiError into a message for one field of the form (fieldMap maps the API's field
 * names to the form's) or for the whole form. Returns { field, text } (field null for the form).
 */
export function formError(err, fieldMap = {}) {
  let text;
  if (err?.code === 'weak_password') text = weakPasswordText(err);
  else if (err?.code === 'validation_failed' && err.field && has(`error.field.${err.field}`)) text = t(`error.field.${err.field}`);
  else text = errorText(err);
  const field = err?.field && fieldMap[err.field] ? fieldMap[err.field] : null;
  return { field, text };
}

/* ---------- data loading ---------- */

/*
 * Runs load() now and whenever deps change; returns { data, error, loading, reload, setData }.
 * An answer that arrives after a newer request started is dropped.
 */
export function useLoad(load, deps = []) {
  const [stateObj, setState] = useState({ data: null, error: null, loading: true });
  const seq = useRef(0);
  const run = async () => {
    const mine = ++seq.current;
    setState((s) => ({ ...s, loading: true, error: null }));
    try {
      const data = await load();
      if (mine === seq.current) setState({ data, error: null, loading: false });
    } catch (error) {
      if (mine === seq.current) setState((s) => ({ ...s, error, loading: false }));
    }
  };
  useEffect(() => {
    run();
  }, deps);
  return { ...stateObj, reload: run, setData: (data) => setState((s) => ({ ...s, data })) };
}

/* ---------- dialogs ---------- */

/* A modal <dialog>: Escape and the close button call onClose; focus stays inside while open. */
export function Dialog({ title, onClose, children, footer, wide, labelId }) {
  const ref = useRef(null);
  const closeRef = useRef(onClose);
  closeRef.current = onClose;
  const titleId = useId('dlg');
  useEffect(() => {
    const dialog = ref.current;
    const opener = document.activeElement;
    if (!dialog.open) dialog.showModal();
    // Start in the first field rather than on the close button.
    dialog.querySelector('.dialog-body input:not([type=hidden]), .dialog-body select, .dialog-body textarea')?.focus();
    const onCancel = (e) => {
      e.preventDefault();
      closeRef.current?.();
    };
    dialog.addEventListener('cancel', onCancel);
    return () => {
      dialog.removeEventListener('cancel', onCancel);
      if (dialog.open) dialog.close();
      if (opener && document.contains(opener)) opener.focus?.();
    };
  }, []);
  return html`<dialog ref=${ref} class=${'dialog' + (wide ? ' dialog-wide' : '')} aria-labelledby=${labelId || titleId}>
    <div class="dialog-head">
      <h2 class="dialog-title" id=${titleId}>${title}</h2>
      <button type="button" class="icon-button" aria-label=${t('action.close')} onClick=${() => closeRef.current?.()}>
        <${Icon} name="close" />
      </button>
    </div>
    <div class="dialog-body">${children}</div>
    ${footer && html`<div class="dialog-foot">${footer}</div>`}
  </dialog>`;
}

/* Asks before a consequential action; onConfirm may be async, its error is shown in the dialog. */
export function ConfirmDialog({ title, body, confirmLabel, danger = false, onConfirm, onClose }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  async function confirm() {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      onClose();
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  }
  return html`<${Dialog} title=${title} onClose=${onClose}
    footer=${html`
      <${Button} kind="secondary" onClick=${onClose} disabled=${busy}>${t('action.cancel')}<//>
      <${Button} kind=${danger ? 'danger' : 'primary'} busy=${busy} onClick=${confirm}>${confirmLabel}<//>`}>
    <p class="dialog-text">${body}</p>
    ${error && html`<${Alert} kind="error">${error}<//>`}
  <//>`;
}

/* ---------- toasts ---------- */

let toasts = [];
let nextToast = 0;
const toastListeners = new Set();

function setToasts(list) {
  toasts = list;
  for (const fn of toastListeners) fn(toasts);
}

/* Shows a short confirmation ("User created") for a few seconds. */
export function toast(text, kind = 'success') {
  const id = ++nextToast;
  setToasts([...toasts, { id, text, kind }]);
  setTimeout(() => setToasts(toasts.filter((x) => x.id !== id)), 4500);
}

export function Toasts() {
  const [list, setList] = useState(toasts);
  useEffect(() => {
    toastListeners.add(setList);
    return () => toastListeners.delete(setList);
  }, []);
  return html`<div class="toasts" role="status" aria-live="polite">
    ${list.map(
      (x) => html`<div class="toast" key=${x.id} data-kind=${x.kind}>
        <${Icon} name=${x.kind === 'error' ? 'alert' : 'check_circle'} />
        <span>${x.text}</span>
      </div>`,
    )}
  </div>`;
}

/* Counts down from seconds to 0 once a second; returns the seconds left. */
export function useCountdown(until) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!until || until <= Date.now()) return undefined;
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, [until]);
  return until ? Math.max(0, Math.ceil((until - now) / 1000)) : 0;
}
