// Formatting for people: dates in the UI language, relative times, devices from User-Agent, initials.
import { getLang, t } from '/shared/i18n.js';

function toDate(value) {
  if (!value) return null;
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

/* "12 Mar 2025, 14:05" in the current language; '' for nothing. */
export function formatDateTime(value) {
  const d = toDate(value);
  return d ? new Intl.DateTimeFormat(getLang(), { dateStyle: 'medium', timeStyle: 'short' }).format(d) : '';
}

export function formatDate(value) {
  const d = toDate(value);
  return d ? new Intl.DateTimeFormat(getLang(), { dateStyle: 'medium' }).format(d) : '';
}

/* The machine-readable form for <time datetime>. */
export function isoOf(value) {
  const d = toDate(value);
  return d ? d.toISOString() : undefined;
}

const STEPS = [
  ['second', 60],
  ['minute', 60],
  ['hour', 24],
  ['day', 7],
  ['week', 4.35],
  ['month', 12],
  ['year', Infinity],
];

/* "5 minutes ago", "in 3 days"; "just now" under a minute. */
export function formatRelative(value, now = Date.now()) {
  const d = toDate(value);
  if (!d) return '';
  let diff = (d.getTime() - now) / 1000;
  if (Math.abs(diff) < 60) return t('time.just_now');
  const rtf = new Intl.RelativeTimeFormat(getLang(), { numeric: 'auto' });
  for (const [unit, size] of STEPS) {
    if (Math.abs(diff) < size) return rtf.format(Math.round(diff), unit);
    diff /= size;
  }
  return formatDate(d);
}

const BROWSERS = [
  [/Edg(e|A|iOS)?\//, 'Edge'],
  [/OPR\/|Opera/, 'Opera'],
  [/YaBrowser\//, 'Yandex Browser'],
  [/Firefox\/|FxiOS\//, 'Firefox'],
  [/Chrome\/|CriOS\/|Chromium\//, 'Chrome'],
  [/Safari\//, 'Safari'],
  [/curl\//, 'curl'],
];
const SYSTEMS = [
  [/Windows/, 'Windows'],
  [/iPhone|iPad|iPod/, 'iOS'],
  [/Mac OS X|Macintosh/, 'macOS'],
  [/Android/, 'Android'],
  [/CrOS/, 'ChromeOS'],
  [/Linux/, 'Linux'],
];

/* "Chrome on Linux" from a User-Agent header; "Unknown device" when it says nothing useful. */
export function describeDevice(userAgent) {
  const ua = String(userAgent || '');
  const browser = BROWSERS.find(([re]) => re.test(ua))?.[1];
  const os = SYSTEMS.find(([re]) => re.test(ua))?.[1];
  if (browser && os) return t('device.browser_on_os', { browser, os });
  return browser || os || t('device.unknown');
}

export function isPhoneAgent(userAgent) {
  return /Mobile|Android|iPhone|iPad/.test(String(userAgent || ''));
}

/* Up to two initials for an avatar: "Anna Ivanova" → "AI"; falls back to the email. */
export function initials(name, email) {
  const words = String(name || '').trim().split(/\s+/).filter(Boolean);
  if (words.length) return words.slice(0, 2).map((w) => [...w][0].toUpperCase()).join('');
  return [...String(email || '?')][0].toUpperCase();
}
