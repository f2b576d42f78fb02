// The notice above every cabinet page while an employee previews a customer's cabinet.
import { html } from '/shared/preact.js';
import { api } from '/shared/api.js';
import { t } from '/shared/i18n.js';
import { useLoad } from '/shared/forms.js';
import { endPreview, isPreview } from '/shared/preview.js';
import { Icon } from '/shared/ui.js';

export function PreviewBanner() {
  const account = useLoad(() => (isPreview() ? api.get('/cabinet/account') : Promise.resolve(null)), []);
  if (!isPreview()) return null;
  const name = account.data?.name || (account.error ? '?' : '…');
  return html`<div class="preview-banner" role="status">
    <${Icon} name="eye" />
    <span class="preview-banner-text"><strong>${t('crm.preview.as', { account: name })}</strong> ${t('crm.preview.read_only')}</span>
    <button type="button" class="button button-secondary button-sm" onClick=${endPreview}>${t('crm.preview.exit')}</button>
  </div>`;
}
