// Message catalogs (en, ru): t(key, params), the language choice, and switching it at run time.

const SUPPORTED = ['en', 'ru'];
const DEFAULT_LANG = 'en';
const STORAGE_KEY = 'portal.lang';

/* Each module keeps its messages in its own pair of files, www/shared/i18n/<part>.<lang>.json,
 * next to the shared en.json and ru.json; tests/api/i18n_catalogs.test.mjs checks that both
 * languages have the same keys and that every t() call with a literal key in www/ has a text. */
export const PARTS = ['crm', 'tickets', 'realtime', 'chat', 'documents'];

const catalogs = new Map(); // lang -> messages, loaded once
const listeners = new Set();
let lang = DEFAULT_LANG;
let messages = {};
let fallback = {}; // English, for keys a translation lacks

export const languages = SUPPORTED;

async function fetchJson(path) {
  const res = await fetch(path, { credentials: 'same-origin' });
  if (!res.ok) throw new Error(`catalog ${path}: HTTP ${res.status}`);
  return res.json();
}

async function loadCatalog(code) {
  if (!catalogs.has(code)) {
    const files = [`/shared/i18n/${code}.json`, ...PARTS.map((p) => `/shared/i18n/${p}.${code}.json`)];
    const parts = await Promise.all(files.map(fetchJson));
    catalogs.set(code, Object.assign({}, ...parts));
  }
  return catalogs.get(code);
}

function storedLang() {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // storage disabled: fall through to the browser's language
  }
}

/* The saved choice, else the first supported browser language, else English. */
function preferredLang() {
  const saved = storedLang();
  if (SUPPORTED.includes(saved)) return saved;
  for (const tag of navigator.languages?.length ? navigator.languages : [navigator.language]) {
    const base = String(tag || '').toLowerCase().split('-')[0];
    if (SUPPORTED.includes(base)) return base;
  }
  return DEFAULT_LANG;
}

function apply(code, catalog) {
  lang = code;
  messages = catalog;
  document.documentElement.lang = code;
}

/* Loads English and the preferred language; call once before the first render. */
export async function initI18n() {
  fallback = await loadCatalog(DEFAULT_LANG);
  const code = preferredLang();
  apply(code, code === DEFAULT_LANG ? fallback : await loadCatalog(code).catch(() => fallback));
}

export function getLang() {
  return lang;
}

/* Switches language, remembers the choice and tells subscribers to re-render. */
export async function setLang(code) {
  if (!SUPPORTED.includes(code)) throw new Error(`unsupported language: ${code}`);
  const catalog = await loadCatalog(code);
  try {
    localStorage.setItem(STORAGE_KEY, code);
  } catch {
    /* not persisted; still switch for this page */
  }
  if (code === lang) return;
  apply(code, catalog);
  for (const fn of listeners) fn(code);
}

/* Calls fn(lang) after every switch; returns the unsubscribe function. */
export function onLangChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function has(key) {
  return key in messages || key in fallback;
}

/* The message for key with {name} placeholders filled from params; the key itself when unknown. */
export function t(key, params) {
  const text = messages[key] ?? fallback[key] ?? key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

/* User-facing text for an error thrown by api.js (or anything else). */
export function errorText(err) {
  const code = err?.code;
  if (code && has(`error.${code}`)) return t(`error.${code}`);
  if (code) return t('error.unexpected', { code });
  return t('error.internal');
}
