// JSON client for /api/v1: CSRF header, same-origin cookies, API errors as thrown ApiError.
import { PREVIEW_HEADER, previewAccountId } from '/shared/preview.js';

const BASE = '/api/v1';
const CSRF_KEY = 'portal.csrf';

/* Codes for error answers that carry no JSON body (proxies, the static handler). */
const STATUS_CODES = {
  400: 'validation_failed',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  503: 'service_unavailable',
};

export class ApiError extends Error {
  constructor({ status, code, message, field, retryAfter }) {
    super(message || code);
    this.name = 'ApiError';
    this.status = status; // 0 when the server was not reached
    this.code = code;
    this.field = field ?? null;
    this.retryAfter = retryAfter ?? null; // seconds, from Retry-After on 429/503
  }
}

let csrfToken = readStoredToken();
const unauthorizedListeners = new Set();

function readStoredToken() {
  try {
    return sessionStorage.getItem(CSRF_KEY);
  } catch {
    return null;
  }
}

/* Remembers the token from the login answer (null forgets it); sent as X-CSRF-Token from then on. */
export function setCsrfToken(token) {
  csrfToken = token || null;
  try {
    if (csrfToken) sessionStorage.setItem(CSRF_KEY, csrfToken);
    else sessionStorage.removeItem(CSRF_KEY);
  } catch {
    /* memory only */
  }
}

/* The token to send as X-CSRF-Token on requests made outside request() (uploads with progress). */
export function getCsrfToken() {
  return csrfToken;
}

/* fn(error) runs on every 401, so the app can show the login form; returns the unsubscribe function. */
export function onUnauthorized(fn) {
  unauthorizedListeners.add(fn);
  return () => unauthorizedListeners.delete(fn);
}

/*
 * Sends one request to BASE + path ("/feed/posts"); body, when given, is sent as JSON.
 * Resolves to the parsed JSON answer (null for an empty one); rejects with ApiError.
 */
export async function request(method, path, { body, query, signal } = {}) {
  let url = BASE + path;
  if (query) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null) params.set(k, v);
    const qs = params.toString();
    if (qs) url += (url.includes('?') ? '&' : '?') + qs;
  }
  const headers = { Accept: 'application/json', 'Content-Type': 'application/json' };
  if (csrfToken) headers['X-CSRF-Token'] = csrfToken;
  // An employee previewing a customer's cabinet reads the cabinet's API as that account.
  const preview = previewAccountId();
  if (preview && method === 'GET' && path.startsWith('/cabinet/')) headers[PREVIEW_HEADER] = String(preview);

  let res;
  try {
    res = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      signal,
    });
  } catch (err) {
    if (err?.name === 'AbortError') throw err;
    throw new ApiError({ status: 0, code: 'network', message: String(err?.message || err) });
  }

  const text = await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null; // not JSON: only the status speaks
    }
  }
  if (res.ok) return data;

  const e = data && typeof data.error === 'object' ? data.error : {};
  const retry = parseInt(res.headers.get('Retry-After') || '', 10);
  const error = new ApiError({
    status: res.status,
    code: e.code || STATUS_CODES[res.status] || 'internal',
    message: e.message,
    field: e.field,
    retryAfter: Number.isFinite(retry) ? retry : null,
  });
  error.data = data; // the whole answer: a 409 may carry the current version (kb articles)
  if (res.status === 401) for (const fn of unauthorizedListeners) fn(error);
  throw error;
}

export const api = {
  get: (path, opts) => request('GET', path, opts),
  post: (path, body, opts) => request('POST', path, { ...opts, body }),
  put: (path, body, opts) => request('PUT', path, { ...opts, body }),
  patch: (path, body, opts) => request('PATCH', path, { ...opts, body }),
  delete: (path, opts) => request('DELETE', path, opts),
};
