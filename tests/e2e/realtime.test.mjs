// Realtime in the browser: the bell counts a new mention at once over the websocket (its
// polling is only the fallback), and when the server goes away the reconnect banner shows,
// then the page resumes and receives what was written while it was down. Russian banner on
// a phone.
// Run: node --test tests/e2e/realtime.test.mjs (starts its own portal; screenshots: E2E_ARTIFACTS)
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { request } from 'playwright-core';
import {
  BASE_URL, DEMO_PASSWORD, DESKTOP, PHONE, assertNoProblems, expectText, openBrowser, screenshot, server, signIn,
  startServer, stopServer, url,
} from './lib.mjs';

async function apiAs(email) {
  const ctx = await request.newContext({ baseURL: BASE_URL });
  const res = await ctx.post('/api/v1/auth/login', { data: { email, password: DEMO_PASSWORD, realm: 'employee' } });
  assert.equal(res.status(), 200);
  const { csrf_token: csrf } = await res.json();
  return {
    post: async (p, data) => {
      const r = await ctx.post('/api/v1' + p, { data, headers: { 'X-CSRF-Token': csrf } });
      assert.ok(r.ok(), `${p}: ${r.status()} ${await r.text()}`);
      return r.json();
    },
    dispose: () => ctx.dispose(),
  };
}

/* The socket's state as the page's own module sees it. */
function socketState(page) {
  return page.evaluate(() => import('/shared/realtime.js').then((m) => m.getState()));
}

async function waitOpen(page, timeout = 10000) {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    if ((await socketState(page)) === 'open') return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail('the realtime socket did not open');
}

/* While the server restarts, the page's ticket requests and socket attempts fail on purpose. */
const RESTART_NOISE = [/realtime\/ticket/, /WebSocket/i, /ERR_CONNECTION_REFUSED/, /Failed to fetch/, /notifications/,
  /ERR_EMPTY_RESPONSE/, /net::/];

before(startServer);
after(stopServer);

describe('realtime in the browser', () => {
  test('the bell counts a mention at once, and the page resumes after the server comes back', async () => {
    const b = await openBrowser(DESKTOP);
    const boris = await apiAs('boris@demo.example');
    try {
      await signIn(b.context, 'anna@demo.example');
      if (process.env.RT_DEBUG) b.page.on('websocket', (ws) => { console.log('ws', ws.url()); ws.on('framereceived', (f) => console.log('<', f.payload)); ws.on('close', () => console.log('ws closed')); });
      await b.page.goto(url('/app/feed'));
      await waitOpen(b.page);
      const badge = b.page.locator('.bell-badge');
      const before = Number((await badge.innerText({ timeout: 1000 }).catch(() => '0')) || 0);
      await boris.post('/feed/posts', { body: 'Live: @anna please look' });
      // Far sooner than the 30 s poll: the notification event moved the badge.
      await expectText(badge, String(before + 1), 3000);

      await server.restart();
      const banner = b.page.locator('.rt-banner');
      await banner.waitFor({ timeout: 10000 });
      await screenshot(b.page, 'realtime-banner-desktop-en');
      await waitOpen(b.page, 20000);
      await expectText(banner, 'Back online. Nothing was missed.', 5000);
      const boris2 = await apiAs('boris@demo.example');
      await boris2.post('/feed/posts', { body: 'After the restart: @anna' });
      await expectText(badge, String(before + 2), 5000);
      await boris2.dispose();
      await banner.waitFor({ state: 'detached', timeout: 6000 });
      assertNoProblems(b.problems, { allow: RESTART_NOISE });
    } finally {
      await boris.dispose();
      await b.close();
    }
  });

  test('the banner in Russian on a phone', async () => {
    const b = await openBrowser({ ...PHONE, locale: 'ru-RU' });
    try {
      await signIn(b.context, 'vera@demo.example');
      await b.page.goto(url('/app/feed'));
      await waitOpen(b.page);
      await server.restart();
      const banner = b.page.locator('.rt-banner');
      await banner.waitFor({ timeout: 10000 });
      await screenshot(b.page, 'realtime-banner-phone-ru');
      const box = await banner.boundingBox();
      if (box) assert.ok(box.x >= 0 && box.x + box.width <= 390, 'the banner fits a phone');
      // Reconnecting, or already back: either way in Russian.
      await expectText(banner, /Переподключаемся|Связь потеряна|Связь восстановлена/, 5000);
      await waitOpen(b.page, 20000);
    } finally {
      await b.close();
    }
  });
});
