// Harness for the browser tests: headless Debian Chromium via playwright-core, problem collection, screenshots.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, request } from 'playwright-core';
import { startPortal } from '../lib/portal.mjs';

/* The server under test: PORTAL_URL when set, else startServer() launches the real
 * binary with demo data over the test MariaDB (what ctest does). */
export let BASE_URL = (process.env.PORTAL_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
export let server = null;

export async function startServer() {
  if (process.env.PORTAL_URL) return null;
  server = await startPortal({ demo: true });
  BASE_URL = server.url;
  return server;
}

export async function stopServer() {
  await server?.stop();
  server = null;
}
export const ARTIFACTS = process.env.E2E_ARTIFACTS || path.join(os.tmpdir(), 'portal-e2e');
const EXECUTABLE = process.env.CHROMIUM || '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const DESKTOP = { viewport: { width: 1280, height: 800 } };
export const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

/*
 * Starts Chromium with a fresh temporary profile (--user-data-dir) and one page.
 * options: DESKTOP or PHONE plus { locale, colorScheme }; the default locale is en-US.
 * Returns { context, page, problems, close }; close() also deletes the profile.
 * problems collects console errors, uncaught page errors, requests that failed on
 * the network, and answers with status >= 400.
 */
export async function openBrowser(options = {}) {
  const userDataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'portal-e2e-profile-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: EXECUTABLE,
      headless: true,
      args: ARGS,
      locale: 'en-US',
      ...DESKTOP,
      ...options,
    });
  } catch (err) {
    await fs.rm(userDataDir, { recursive: true, force: true });
    throw err;
  }
  context.setDefaultTimeout(5000);
  context.setDefaultNavigationTimeout(10000);

  const problems = { consoleErrors: [], pageErrors: [], failedRequests: [], badResponses: [] };
  const watch = (page) => {
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.consoleErrors.push(`${msg.text()} (${msg.location().url || 'no url'})`);
    });
    page.on('pageerror', (err) => problems.pageErrors.push(String(err?.stack || err)));
    page.on('requestfailed', (req) => {
      const error = req.failure()?.errorText;
      // A GET the page itself cancels by navigating away loses nothing (a live refresh in flight).
      if (error === 'net::ERR_ABORTED' && req.method() === 'GET' && new URL(req.url()).pathname.startsWith('/api/')) return;
      problems.failedRequests.push(`${req.method()} ${req.url()}: ${error}`);
    });
    page.on('response', (res) => {
      if (res.status() >= 400) problems.badResponses.push(`${res.status()} ${res.request().method()} ${res.url()}`);
    });
  };
  context.pages().forEach(watch);
  context.on('page', watch);
  const page = context.pages()[0] ?? (await context.newPage());

  return {
    context,
    page,
    problems,
    async close() {
      await context.close().catch(() => {});
      await fs.rm(userDataDir, { recursive: true, force: true });
    },
  };
}

/* URL of an app path on the server under test. */
export function url(p) {
  return BASE_URL + p;
}

/*
 * Fails with every collected problem listed, so one run shows them all. allow: regexes for
 * problems the test provoked on purpose (see expectStatus).
 */
export function assertNoProblems(problems, { allow = [] } = {}) {
  const found = Object.entries(problems)
    .map(([k, list]) => [k, list.filter((line) => !allow.some((re) => re.test(line)))])
    .filter(([, list]) => list.length);
  assert.deepEqual(
    Object.fromEntries(found),
    {},
    `browser reported problems:\n${found.map(([k, l]) => `${k}:\n  ${l.join('\n  ')}`).join('\n')}`,
  );
}

/* Patterns for an error answer a test expects (status on that API path): the response
 * itself and the console line Chromium logs for it. */
export function expectStatus(status, apiPath) {
  const p = apiPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return [new RegExp(`^${status} [A-Z]+ \\S*${p}(\\?\\S*)?$`), new RegExp(`status of ${status}\\b.*${p}(\\?\\S*)?\\)$`)];
}

export const DEMO_PASSWORD = 'demo-password-1';

/* Signs the browser context in through the API (shares the context's cookie jar);
 * realm is 'employee' or 'cabinet'. Returns the answer { user, csrf_token }. */
export async function signIn(context, email, realm = 'employee', password = DEMO_PASSWORD) {
  const res = await context.request.post(url('/api/v1/auth/login'), { data: { email, password, realm } });
  assert.equal(res.status(), 200, `sign in ${email}: ${res.status()} ${await res.text()}`);
  return res.json();
}

/* Waits until the locator's visible text equals (or matches) expected, then asserts it. */
export async function expectText(locator, expected, timeout = 5000) {
  const ok = (s) => (expected instanceof RegExp ? expected.test(s) : s === expected);
  const deadline = Date.now() + timeout;
  let text = null;
  for (;;) {
    text = await locator.innerText({ timeout: Math.max(1, deadline - Date.now()) }).catch(() => null);
    if (text !== null) text = text.trim();
    if ((text !== null && ok(text)) || Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  if (expected instanceof RegExp) assert.match(text ?? '', expected);
  else assert.equal(text, expected);
}

/* Waits until the page's path equals expected, then asserts it. */
export async function expectPath(page, expected, timeout = 5000) {
  await page.waitForURL((u) => u.pathname === expected, { timeout }).catch(() => {});
  assert.equal(new URL(page.url()).pathname, expected);
}

/* Saves a PNG of the viewport as ARTIFACTS/name.png and returns its path. */
export async function screenshot(page, name) {
  await fs.mkdir(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, animations: 'disabled' });
  return file;
}

/*
 * An API client signed in as email (outside any browser), for setting the scene:
 * { get(path), post(path, data), upload(path, buffer, type), dispose() }; paths are below
 * /api/v1, answers must be 2xx and come back as JSON.
 */
export async function apiAs(email, realm = 'employee') {
  const ctx = await request.newContext({ baseURL: BASE_URL });
  const res = await ctx.post('/api/v1/auth/login', { data: { email, password: DEMO_PASSWORD, realm } });
  assert.equal(res.status(), 200, `api login ${email}: ${await res.text()}`);
  const { csrf_token: csrf } = await res.json();
  const json = async (r) => {
    assert.ok(r.ok(), `${r.url()}: ${r.status()} ${await r.text()}`);
    return r.json();
  };
  const headers = { 'X-CSRF-Token': csrf };
  return {
    get: async (p) => json(await ctx.get('/api/v1' + p)),
    post: async (p, data) => json(await ctx.post('/api/v1' + p, { data, headers })),
    upload: async (p, buffer, type = 'application/octet-stream') =>
      json(await ctx.post('/api/v1' + p, { data: buffer, headers: { ...headers, 'Content-Type': type } })),
    dispose: () => ctx.dispose(),
  };
}

/* The page's realtime socket state (connecting | open | offline), as its own module sees it. */
export function socketState(page) {
  return page.evaluate(() => import('/shared/realtime.js').then((m) => m.getState()));
}

/* Waits until the page's realtime socket is open. */
export async function waitRealtimeOpen(page, timeout = 10000) {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    if ((await socketState(page)) === 'open') return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`the realtime socket of ${page.url()} did not open`);
}
