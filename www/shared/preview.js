// "Preview as customer": an employee opens /cabinet/?preview=ACCOUNT_ID and the cabinet shows
// that account exactly as its customers see it, read-only. The choice lives in this tab's
// sessionStorage; api.js sends it as X-Portal-Preview-Account on the cabinet's GET requests,
// and the server refuses every other method with it (403 preview_read_only).

const KEY = 'portal.preview';
export const PREVIEW_HEADER = 'X-Portal-Preview-Account';

function inCabinet() {
  return location.pathname === '/cabinet' || location.pathname.startsWith('/cabinet/');
}

function stored() {
  try {
    const v = JSON.parse(sessionStorage.getItem(KEY) || 'null');
    return v && Number.isInteger(v.id) && v.id > 0 ? v : null;
  } catch {
    return null;
  }
}

// ?preview=ID on the cabinet's URL starts (or switches) a preview and leaves the URL clean.
if (inCabinet()) {
  const params = new URLSearchParams(location.search);
  const id = Number(params.get('preview'));
  if (params.has('preview')) {
    try {
      if (Number.isInteger(id) && id > 0) sessionStorage.setItem(KEY, JSON.stringify({ id }));
      else sessionStorage.removeItem(KEY);
    } catch {
      /* no storage: no preview */
    }
    params.delete('preview');
    const qs = params.toString();
    history.replaceState(null, '', location.pathname + (qs ? `?${qs}` : '') + location.hash);
  }
}

/* The previewed account's id in the cabinet of this tab, or null. */
export function previewAccountId() {
  return inCabinet() ? stored()?.id ?? null : null;
}

export const isPreview = () => previewAccountId() !== null;

/* Ends the preview and goes back to the account's page in the employee app. */
export function endPreview() {
  const id = previewAccountId();
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    /* nothing stored */
  }
  location.assign(id ? `/app/crm/accounts/${id}` : '/app/crm/accounts');
}

/* The cabinet URL that previews account id. */
export const previewUrl = (id) => `/cabinet/orders?preview=${encodeURIComponent(id)}`;
