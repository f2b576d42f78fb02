// Pieces the CRM pages share: the kind badge, a labelled textarea, the employees list for
// owner pickers, paths.
import { html } from '/shared/preact.js';
import { api } from '/shared/api.js';
import { t } from '/shared/i18n.js';
import { useLoad } from '/shared/forms.js';

export const KINDS = ['customer', 'partner', 'prospect'];
export const accountPath = (id) => `/app/crm/accounts/${id}`;
export const orderPath = (id) => `/app/crm/orders/${id}`;

const KIND_TONES = { customer: 'ok', partner: 'warn', prospect: 'neutral' };

export function KindBadge({ kind }) {
  return html`<span class=${`badge badge-${KIND_TONES[kind] || 'neutral'}`}>${t(`crm.kind.${kind}`)}</span>`;
}

/* A labelled multi-line input; onValue(string) on every keystroke. */
export function TextArea({ id, label, hint, error, value, onValue, rows = 3, ...rest }) {
  return html`<div class=${'field' + (error ? ' field-invalid' : '')}>
    <div class="field-label-row"><label class="field-label" for=${id}>${label}</label></div>
    <textarea id=${id} class="input textarea" rows=${rows} value=${value} onInput=${(e) => onValue(e.currentTarget.value)}
      aria-invalid=${error ? 'true' : undefined} aria-describedby=${error ? `${id}-error` : hint ? `${id}-hint` : undefined} ...${rest}></textarea>
    ${hint && !error && html`<p class="field-hint" id=${`${id}-hint`}>${hint}</p>`}
    ${error && html`<p class="field-error" id=${`${id}-error`}>${error}</p>`}
  </div>`;
}

/* Active employees for owner pickers ({ data: [{id, name}] }), from the people lookup (its
 * first ten by name), plus the current owner so a picker always shows it. */
export function useEmployees(current) {
  return useLoad(async () => {
    const answer = await api.get('/people', { query: { q: '' } }).catch(() => null);
    const people = answer?.users || [];
    if (current && !people.some((p) => p.id === current.id)) people.unshift(current);
    return people;
  }, []);
}

/* The value of a field for a PATCH: trimmed text, '' clears it. */
export const trimmed = (v) => String(v ?? '').trim();
