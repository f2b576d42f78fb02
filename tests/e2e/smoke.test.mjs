// Smoke test of the browser shells: both apps load cleanly, navigate, switch language, fit a phone.
// Every test signs in first (through the API; the sign-in pages themselves are tested in auth.test.mjs).
// Run: PORTAL_URL=http://127.0.0.1:8080 node --test tests/e2e/*.test.mjs  (screenshots: E2E_ARTIFACTS, default /tmp/portal-e2e)
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  BASE_URL, startServer, stopServer, DESKTOP, PHONE, assertNoProblems, expectPath, expectStatus, expectText, openBrowser,
  screenshot, signIn, url,
} from './lib.mjs';

const APP_NAV = ['Feed', 'Knowledge base', 'Projects', 'Chat', 'Accounts', 'Orders', 'Tickets', 'Documents'];
const CABINET_NAV = ['My orders', 'Support tickets', 'Help center', 'Documents'];

const EMPLOYEE = 'anna@demo.example';
const CUSTOMER = 'carol@client.example';

/* Runs fn with a fresh browser signed in as email (realm 'employee' or 'cabinet') and always closes it. */
async function withBrowser(options, fn, [email, realm] = [EMPLOYEE, 'employee']) {
  const browser = await openBrowser(options);
  try {
    await signIn(browser.context, email, realm);
    await fn(browser);
  } finally {
    await browser.close();
  }
}

const heading = (page) => page.getByRole('heading', { level: 1 });
const mainNav = (page) => page.getByRole('navigation', { name: /Main navigation|Основная навигация/ });
const health = (page) => page.locator('.health');

after(stopServer);

before(async () => {
  await startServer();
  try {
    await fetch(url('/healthz'));
  } catch (err) {
    throw new Error(`no portal at ${BASE_URL} (start it, or set PORTAL_URL): ${err.cause?.code || err.message}`);
  }
});

describe('employee app', () => {
  test('loads /app/ cleanly under the CSP and lands on the feed', async () => {
    await withBrowser(DESKTOP, async ({ page, problems }) => {
      const res = await page.goto(url('/app/'));
      assert.equal(res.status(), 200);
      assert.match(res.headers()['content-security-policy'] || '', /default-src 'self'/);
      await expectText(heading(page), 'Feed');
      await expectPath(page, '/app/feed');
      assert.equal(await page.title(), 'Feed · Portal');
      assert.ok(await mainNav(page).isVisible(), 'nav visible on desktop');
      for (const name of APP_NAV)
        assert.ok(await mainNav(page).getByRole('link', { name, exact: true }).isVisible(), `nav link ${name}`);
      assert.equal(await page.getByRole('button', { name: 'Open menu' }).isVisible(), false, 'no menu toggle on desktop');
      await expectText(health(page), 'All systems operational');
      await screenshot(page, 'app-desktop-en');
      assertNoProblems(problems);
    });
  });

  test('nav links navigate in place: URL, heading, current link, back button', async () => {
    await withBrowser(DESKTOP, async ({ page, problems }) => {
      await page.goto(url('/app/feed'));
      await expectText(heading(page), 'Feed');
      await page.evaluate(() => (window.__sameDocument = true));

      await mainNav(page).getByRole('link', { name: 'Knowledge base' }).click();
      await expectPath(page, '/app/kb');
      await expectText(heading(page), 'Knowledge base');
      assert.equal(await page.evaluate(() => window.__sameDocument), true, 'no full page load');
      assert.equal(await mainNav(page).getByRole('link', { name: 'Knowledge base' }).getAttribute('aria-current'), 'page');
      assert.equal(await page.title(), 'Knowledge base · Portal');

      await mainNav(page).getByRole('link', { name: 'Tickets' }).click();
      await expectPath(page, '/app/crm/tickets');
      await expectText(heading(page), 'Tickets');

      await page.goBack();
      await expectPath(page, '/app/kb');
      await expectText(heading(page), 'Knowledge base');
      assert.equal(await page.evaluate(() => window.__sameDocument), true, 'back stays in the app');
      assertNoProblems(problems);
    });
  });

  test('a direct load of a deep route still renders the shell', async () => {
    await withBrowser(DESKTOP, async ({ page, problems }) => {
      const res = await page.goto(url('/app/some/deep/route'));
      assert.equal(res.status(), 200);
      await expectText(heading(page), 'Page not found');
      assert.ok(await mainNav(page).isVisible());
      await expectText(page.locator('.empty-body'), /\/app\/some\/deep\/route/);
      // Leave only after the health check answered: navigating would abort it.
      await expectText(health(page), 'All systems operational');

      // A project that does not exist: the section's heading and a "not found" state (the API said 404).
      await page.goto(url('/app/projects/42'));
      await expectText(heading(page), 'Projects');
      await expectText(page.locator('.empty-title'), 'Project not found');
      assertNoProblems(problems, { allow: expectStatus(404, '/api/v1/projects/42') });
    });
  });

  test('switching to RU translates the page and survives a reload', async () => {
    await withBrowser(DESKTOP, async ({ page, problems }) => {
      await page.goto(url('/app/kb'));
      await expectText(heading(page), 'Knowledge base');
      await page.getByRole('button', { name: 'RU', exact: true }).click();
      await expectText(heading(page), 'База знаний');
      await expectText(health(page), 'Все системы работают');
      assert.ok(await mainNav(page).getByRole('link', { name: 'Лента' }).isVisible());
      assert.equal(await page.locator('html').getAttribute('lang'), 'ru');
      assert.equal(await page.getByRole('button', { name: 'RU', exact: true }).getAttribute('aria-pressed'), 'true');
      assert.equal(await page.title(), 'База знаний · Portal');
      await screenshot(page, 'app-desktop-ru');

      await page.reload();
      await expectText(heading(page), 'База знаний');
      assert.equal(await page.locator('html').getAttribute('lang'), 'ru');

      await page.getByRole('button', { name: 'EN', exact: true }).click();
      await expectText(heading(page), 'Knowledge base');
      assertNoProblems(problems);
    });
  });

  test('a Russian browser gets Russian by default', async () => {
    await withBrowser({ ...DESKTOP, locale: 'ru-RU' }, async ({ page, problems }) => {
      await page.goto(url('/app/projects'));
      await expectText(heading(page), 'Проекты');
      assertNoProblems(problems);
    });
  });

  test('on a phone the nav collapses behind a menu button', async () => {
    await withBrowser(PHONE, async ({ page, problems }) => {
      await page.goto(url('/app/feed'));
      await expectText(heading(page), 'Feed');
      const toggle = page.getByRole('button', { name: 'Open menu' });
      assert.ok(await toggle.isVisible(), 'menu toggle visible');
      assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
      assert.equal(await mainNav(page).isVisible(), false, 'nav collapsed');
      await screenshot(page, 'app-phone-en');

      await toggle.click();
      await mainNav(page).waitFor({ state: 'visible' });
      assert.equal(await page.getByRole('button', { name: 'Close menu' }).getAttribute('aria-expanded'), 'true');
      await page.waitForTimeout(250); // let the drawer finish sliding in for the picture
      await screenshot(page, 'app-phone-menu-en');

      await mainNav(page).getByRole('link', { name: 'Chat' }).click();
      await expectPath(page, '/app/chat');
      await expectText(heading(page), 'Chat');
      await mainNav(page).waitFor({ state: 'hidden' });

      await page.getByRole('button', { name: 'RU', exact: true }).click();
      await expectText(heading(page), 'Чат');
      await screenshot(page, 'app-phone-ru');
      await page.getByRole('button', { name: 'Открыть меню' }).click();
      await mainNav(page).waitFor({ state: 'visible' });
      await page.waitForTimeout(250);
      await screenshot(page, 'app-phone-menu-ru');
      assertNoProblems(problems);
    });
  });

  test('the health indicator reports a database outage', async () => {
    await withBrowser(DESKTOP, async ({ page }) => {
      await page.route('**/healthz', (route) =>
        route.fulfill({ status: 503, contentType: 'application/json', body: '{"status":"degraded","db":"down"}' }),
      );
      await page.goto(url('/app/feed'));
      await expectText(health(page), 'Database unavailable');
      assert.equal(await health(page).getAttribute('data-state'), 'db_down');
      await screenshot(page, 'app-desktop-db-down');
    });
  });
});

describe('cabinet', () => {
  test('loads /cabinet/ cleanly and lands on my orders', async () => {
    await withBrowser(DESKTOP, async ({ page, problems }) => {
      const res = await page.goto(url('/cabinet/'));
      assert.equal(res.status(), 200);
      await expectText(heading(page), 'My orders');
      await expectPath(page, '/cabinet/orders');
      for (const name of CABINET_NAV)
        assert.ok(await mainNav(page).getByRole('link', { name, exact: true }).isVisible(), `nav link ${name}`);
      await expectText(health(page), 'All systems operational');
      await screenshot(page, 'cabinet-desktop-en');

      await mainNav(page).getByRole('link', { name: 'Help center' }).click();
      await expectPath(page, '/cabinet/help');
      await expectText(heading(page), 'Help center');

      const deep = await page.goto(url('/cabinet/tickets/42/messages'));
      assert.equal(deep.status(), 200);
      await expectText(heading(page), 'Support tickets');
      assertNoProblems(problems);
    }, [CUSTOMER, 'cabinet']);
  });

  test('switches to RU and fits a phone', async () => {
    await withBrowser(PHONE, async ({ page, problems }) => {
      await page.goto(url('/cabinet/documents'));
      await expectText(heading(page), 'Documents');
      assert.ok(await page.getByRole('button', { name: 'Open menu' }).isVisible());
      assert.equal(await mainNav(page).isVisible(), false);
      await screenshot(page, 'cabinet-phone-en');
      await page.getByRole('button', { name: 'RU', exact: true }).click();
      await expectText(heading(page), 'Документы');

      await page.goto(url('/cabinet/tickets'));
      await expectText(heading(page), 'Обращения в поддержку');
      await screenshot(page, 'cabinet-phone-ru');
      assertNoProblems(problems);
    }, [CUSTOMER, 'cabinet']);
  });
});
