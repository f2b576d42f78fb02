// Knowledge base in the browser: an employee edits an article, reads its history, compares two
// revisions and restores the old one; two editors collide and nothing typed is lost; a customer
// searches the help center, reads a public article and cannot reach an internal one; Russian.
// Run: PORTAL_URL=http://127.0.0.1:8080 node --test tests/e2e/kb.test.mjs  (screenshots: E2E_ARTIFACTS)
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { request } from 'playwright-core';
import {
  BASE_URL, DEMO_PASSWORD, DESKTOP, PHONE, assertNoProblems, expectPath, expectStatus, expectText, openBrowser,
  screenshot, startServer, stopServer, url,
} from './lib.mjs';

const ANNA = 'anna@demo.example';
const VERA = 'vera@demo.example';
const CAROL = 'carol@client.example';

const ACTS = /^Acts of acceptance/;
const SLA = 'Ticket priorities and SLA';
const OLD_LINE = 'The act is signed by the account owner on our side.';
const NEW_LINE = 'The act is signed by the head of sales on our side.';

/* An anonymous visit to a sign-in page asks GET /me and gets 401 on purpose. */
const ANON = expectStatus(401, '/api/v1/me');

const heading = (page) => page.getByRole('heading', { level: 1 });
const tree = (page) => page.getByRole('navigation', { name: /^(Spaces and articles|Пространства и статьи)$/ });
const prose = (page) => page.locator('.kb-prose').first();

/* Requests each page has in flight (the header's bell polls), so settle() can wait for them. */
const inflight = new WeakMap();

async function withBrowser(options, fn) {
  const browser = await openBrowser(options);
  const track = (page) => {
    const open = new Set();
    inflight.set(page, open);
    page.on('request', (r) => open.add(r));
    page.on('requestfinished', (r) => open.delete(r));
    page.on('requestfailed', (r) => open.delete(r));
  };
  browser.context.pages().forEach(track);
  browser.context.on('page', track);
  try {
    await fn(browser);
  } finally {
    await browser.close();
  }
}

/* Waits for 300 ms without a request in flight, so a full navigation aborts nothing. */
async function settle(page, timeout = 5000) {
  const open = inflight.get(page);
  const deadline = Date.now() + timeout;
  let quietSince = Date.now();
  while (Date.now() < deadline) {
    if (open.size) quietSince = Date.now();
    else if (Date.now() - quietSince >= 300) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/* Signs in through the app's sign-in page and lands on next. */
async function signInThroughPage(page, app, email, next) {
  await page.goto(url(`/${app}/login?next=${encodeURIComponent(next)}`));
  await page.getByLabel(/^(Email|Электронная почта)$/).fill(email);
  await page.getByLabel(/^(Password|Пароль)$/).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: /^(Sign in|Войти)$/ }).click();
  await expectPath(page, next.split('?')[0], 8000);
}

/* A signed-in API client (not a browser), for looking things up and for "the other editor". */
async function apiAs(email, realm = 'employee') {
  const ctx = await request.newContext({ baseURL: BASE_URL });
  const res = await ctx.post('/api/v1/auth/login', { data: { email, password: DEMO_PASSWORD, realm } });
  assert.equal(res.status(), 200, `api login ${email}: ${await res.text()}`);
  const { csrf_token: csrf } = await res.json();
  const headers = { 'X-CSRF-Token': csrf };
  const json = async (res) => {
    assert.ok(res.ok(), `${res.url()}: ${res.status()} ${await res.text()}`);
    return res.json();
  };
  return {
    get: async (p) => json(await ctx.get('/api/v1' + p)),
    put: async (p, data) => json(await ctx.put('/api/v1' + p, { data, headers })),
    dispose: () => ctx.dispose(),
  };
}

/* The id of the first article whose title matches, as anna sees the list. */
async function articleId(title) {
  const anna = await apiAs(ANNA);
  try {
    const { items } = await anna.get('/kb/articles');
    const found = items.find((a) => (title instanceof RegExp ? title.test(a.title) : a.title === title));
    assert.ok(found, `no article ${title}`);
    return found.id;
  } finally {
    await anna.dispose();
  }
}

after(stopServer);

before(async () => {
  await startServer();
  try {
    await fetch(url('/healthz'));
  } catch (err) {
    throw new Error(`no portal at ${BASE_URL} (start it, or set PORTAL_URL): ${err.cause?.code || err.message}`);
  }
});

describe('employee knowledge base', () => {
  test('vera edits a line, sees the new revision, compares it with the old one and restores it', async () => {
    const id = await articleId(ACTS);
    await withBrowser(DESKTOP, async ({ page, problems }) => {
      await signInThroughPage(page, 'app', VERA, '/app/kb');
      await expectText(heading(page), 'Knowledge base');
      await screenshot(page, 'kb-home-desktop-en');

      // The tree leads to the article: title, badges, who edited it, the rendered body.
      await tree(page).getByRole('link', { name: ACTS }).click();
      await expectPath(page, `/app/kb/${id}`);
      await expectText(heading(page), 'Acts of acceptance: template and process');
      await expectText(page.locator('.kb-meta'), /Internal[\s\S]*Published[\s\S]*Edited by Boris Ivanov/);
      await expectText(prose(page), new RegExp(OLD_LINE.replace('.', '\\.')));
      assert.equal(await prose(page).locator('h3', { hasText: 'Steps' }).count(), 1, 'the body\'s headings sit below the title');
      assert.equal(await page.getByRole('heading', { level: 1 }).count(), 1, 'one h1: the body\'s own title is not repeated');
      assert.equal(await tree(page).getByRole('link', { name: ACTS }).getAttribute('aria-current'), 'page');
      await screenshot(page, 'kb-article-desktop-en');

      // Edit: change one line, describe the change, watch the preview follow, save.
      await page.getByRole('link', { name: 'Edit', exact: true }).click();
      await expectPath(page, `/app/kb/${id}/edit`);
      await expectText(heading(page), 'Edit article');
      const body = page.getByLabel('Text (Markdown)');
      const text = await body.inputValue();
      assert.ok(text.includes(OLD_LINE), 'the editor holds the Markdown source');
      await body.fill(text.replace(OLD_LINE, NEW_LINE));
      await page.getByLabel('What did you change?').fill('The head of sales signs now');
      await expectText(page.locator('.kb-preview .kb-prose'), /head of sales/);
      await screenshot(page, 'kb-editor-desktop-en');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await expectPath(page, `/app/kb/${id}`);
      await expectText(prose(page), /signed by the head of sales/);
      await expectText(page.locator('.kb-meta'), /Edited by Vera Smirnova/);
      await expectText(page.locator('.kb-rev-link'), 'Revision 4');

      // History: the new revision on top, by vera, with her description.
      await page.getByRole('link', { name: 'History', exact: true }).click();
      await expectPath(page, `/app/kb/${id}/history`);
      await expectText(heading(page), 'Page history');
      const top = page.locator('.kb-rev').first();
      await expectText(top.locator('.kb-rev-title'), /Revision 4\s*Current/);
      await expectText(top.locator('.kb-rev-summary'), 'The head of sales signs now');
      await expectText(top.locator('.kb-rev-meta'), /Vera Smirnova/);
      assert.equal(await page.locator('.kb-rev').count(), 4);
      await screenshot(page, 'kb-history-desktop-en');

      // Compare the two latest (ticked by default): the old line removed, the new one added.
      await page.getByRole('button', { name: 'Compare 3 and 4' }).click();
      await expectPath(page, `/app/kb/${id}/diff`);
      assert.equal(new URL(page.url()).search, '?from=3&to=4');
      await expectText(heading(page), 'Compare revisions');
      await expectText(page.locator('.kb-diff del'), OLD_LINE);
      await expectText(page.locator('.kb-diff ins'), NEW_LINE);
      assert.equal(await page.locator('.kb-diff del').count(), 1, 'exactly one line removed');
      assert.equal(await page.locator('.kb-diff ins').count(), 1, 'exactly one line added');
      assert.equal(await page.locator('.kb-diff-split').isVisible(), true, 'side by side on a desktop');
      await expectText(page.locator('.kb-diff-stats'), /\+1\s*−1/);
      await screenshot(page, 'kb-diff-desktop-en');
      await page.getByRole('button', { name: 'Inline' }).click();
      await page.locator('.kb-diff-inline').waitFor();
      await expectText(page.locator('.kb-diff-inline tr.kb-diff-del'), new RegExp(OLD_LINE.replace('.', '\\.')));
      await page.getByRole('button', { name: 'Side by side' }).click();

      // Restore revision 3 (asks first): the article shows the old text again, as revision 5.
      await page.getByRole('button', { name: 'Restore revision 3' }).click();
      const dialog = page.getByRole('dialog');
      await expectText(dialog.getByRole('heading'), 'Restore revision 3?');
      await screenshot(page, 'kb-restore-desktop-en');
      await dialog.getByRole('button', { name: 'Restore', exact: true }).click();
      await expectPath(page, `/app/kb/${id}`);
      await expectText(prose(page), new RegExp(OLD_LINE.replace('.', '\\.')));
      assert.equal(await prose(page).getByText('head of sales').count(), 0, 'the edited line is gone');
      await expectText(page.locator('.kb-rev-link'), 'Revision 5');
      await page.getByRole('link', { name: 'History', exact: true }).click();
      await expectText(page.locator('.kb-rev').first().locator('.kb-rev-summary'), 'Restored revision 3');
      assertNoProblems(problems, { allow: ANON });
    });
  });

  test('search in the header shows highlighted snippets as you type and opens a result', async () => {
    await withBrowser(DESKTOP, async ({ page, problems }) => {
      await signInThroughPage(page, 'app', VERA, '/app/kb');
      const box = page.getByRole('combobox', { name: 'Search the knowledge base' });
      await box.fill('ticket');
      const list = page.getByRole('listbox', { name: 'Search results' });
      await expectText(list.getByRole('option').first(), /How to open a support ticket/);
      assert.ok((await list.locator('mark').allInnerTexts()).every((m) => /^ticket$/i.test(m)), 'hits are marked');
      assert.ok(await list.getByRole('option', { name: /Ticket priorities and SLA/ }).isVisible(), 'internal articles are found too');
      await screenshot(page, 'kb-search-desktop-en');
      await box.press('ArrowDown');
      await box.press('Enter');
      await expectText(heading(page), 'How to open a support ticket');
      await expectText(page.locator('.kb-meta'), /Public/);

      // Enter without a choice opens every result.
      await box.fill('priorities');
      await expectText(list.getByRole('option').first(), /Ticket priorities and SLA/);
      await box.press('Enter');
      await expectPath(page, '/app/kb/search');
      await expectText(heading(page), 'Search');
      await expectText(page.locator('.kb-results-count'), 'Found for “priorities”: 1');
      assertNoProblems(problems, { allow: ANON });
    });
  });

  test('when someone saved first, the editor shows both versions and keeps every typed word', async () => {
    const id = await articleId(SLA);
    await withBrowser(DESKTOP, async ({ page, problems }) => {
      await signInThroughPage(page, 'app', VERA, `/app/kb/${id}/edit`);
      const body = page.getByLabel('Text (Markdown)');
      const original = await body.inputValue();
      const mine = original.replace('Business hours: Mon–Fri', 'Support hours: Mon–Sat');
      await body.fill(mine);

      // Meanwhile anna saves another change on top of the same revision.
      const anna = await apiAs(ANNA);
      const current = await anna.get(`/kb/articles/${id}`);
      await anna.put(`/kb/articles/${id}`, {
        base_revision: current.revision, title: current.title, tags: current.tags, visibility: current.visibility,
        status: current.status, summary: 'Weekend duty', body: current.body.replace('Moscow time.', 'Moscow time. Weekend duty: Sat 10:00–14:00.'),
      });
      await anna.dispose();

      await page.getByRole('button', { name: 'Save', exact: true }).click();
      const panel = page.locator('.kb-conflict');
      await expectText(panel.getByRole('heading'), 'Someone saved a newer version');
      await expectText(panel.locator('.kb-conflict-text'), /Anna Petrova saved this article while you were editing it/);
      await expectPath(page, `/app/kb/${id}/edit`);
      assert.equal(await body.inputValue(), mine, 'the typed text is untouched');
      await expectText(panel.locator('.kb-diff thead'), /Their version \(revision 3\)\s*Your version \(not saved\)/);
      await expectText(panel.locator('.kb-diff del').first(), /Weekend duty/);
      await expectText(panel.locator('.kb-diff ins').first(), /Support hours: Mon–Sat/);
      await screenshot(page, 'kb-conflict-desktop-en');

      await panel.getByRole('button', { name: 'Their version', exact: true }).click();
      await expectText(panel.locator('.kb-conflict-doc .kb-prose'), /Weekend duty: Sat 10:00–14:00/);
      await panel.getByRole('button', { name: 'Your version', exact: true }).click();
      await expectText(panel.locator('.kb-conflict-raw'), /Support hours: Mon–Sat/);

      // Saving on top keeps theirs in the history and puts hers on the page.
      await panel.getByRole('button', { name: 'Save mine on top' }).click();
      await expectPath(page, `/app/kb/${id}`);
      await expectText(prose(page), /Support hours: Mon–Sat/);
      await expectText(page.locator('.kb-rev-link'), 'Revision 4');
      assertNoProblems(problems, { allow: [...ANON, ...expectStatus(409, `/api/v1/kb/articles/${id}`)] });
    });
  });

  test('the knowledge base speaks Russian and fits a phone (inline diff)', async () => {
    const id = await articleId(ACTS);
    await withBrowser({ ...PHONE, locale: 'ru-RU' }, async ({ page, problems }) => {
      await signInThroughPage(page, 'app', VERA, `/app/kb/${id}`);
      await page.getByRole('button', { name: 'RU', exact: true }).click();
      await expectText(heading(page), /^Acts of acceptance/);
      assert.ok(await page.getByRole('link', { name: 'История', exact: true }).isVisible());
      assert.ok(await page.getByRole('link', { name: 'Изменить', exact: true }).isVisible());
      await expectText(page.locator('.kb-meta'), /Внутренняя[\s\S]*Опубликована/);
      assert.equal(await tree(page).isVisible(), false, 'the tree folds away on a phone');
      await screenshot(page, 'kb-article-phone-ru');
      await page.getByRole('button', { name: 'Страницы' }).click();
      await tree(page).waitFor({ state: 'visible' }); // the Pages button opens the tree
      await screenshot(page, 'kb-tree-phone-ru');
      await page.getByRole('button', { name: 'Страницы' }).click();

      await page.getByRole('link', { name: 'История', exact: true }).click();
      await expectText(heading(page), 'История изменений');
      await screenshot(page, 'kb-history-phone-ru');
      await page.getByRole('button', { name: /^Сравнить \d+ и \d+$/ }).click();
      await expectText(heading(page), 'Сравнение версий');
      await page.locator('.kb-diff').waitFor();
      assert.equal(await page.locator('.kb-diff-inline').isVisible(), true, 'inline on a phone');
      assert.equal(await page.locator('.kb-diff-split').count(), 0);
      await screenshot(page, 'kb-diff-phone-ru');

      await page.getByRole('button', { name: 'EN', exact: true }).click();
      await expectText(heading(page), 'Compare revisions');
      await screenshot(page, 'kb-diff-phone-en');
      assertNoProblems(problems, { allow: ANON });
    });
  });
});

describe('cabinet help center', () => {
  test('carol searches "ticket", opens the public article and cannot open an internal one', async () => {
    const internal = await articleId(ACTS);
    await withBrowser(DESKTOP, async ({ page, problems }) => {
      await signInThroughPage(page, 'cabinet', CAROL, '/cabinet/help');
      await expectText(heading(page), 'Help center');
      await expectText(page.locator('.help-group'), /How to open a support ticket/);
      assert.equal(await page.getByText(ACTS).count(), 0, 'no internal article in the list');
      await screenshot(page, 'help-home-desktop-en');

      await page.getByRole('searchbox', { name: 'Search the help center' }).fill('ticket');
      const result = page.getByRole('link', { name: /How to open a support ticket/ });
      await expectText(result.locator('mark').first(), 'ticket');
      await expectText(page.locator('.kb-results-count'), /Found for “ticket”: \d/);
      assert.equal(await page.getByText(SLA).count(), 0, 'internal articles are not found');
      assert.equal(new URL(page.url()).search, '?q=ticket', 'the query is in the address');
      await screenshot(page, 'help-search-desktop-en');

      await result.click();
      await expectText(heading(page), 'How to open a support ticket');
      await expectText(prose(page), /Sign in to the client cabinet/);
      assert.equal(await page.getByRole('heading', { level: 1 }).count(), 1);
      await screenshot(page, 'help-article-desktop-en');
      await page.goBack();
      await expectText(page.locator('.kb-results-count'), /Found for “ticket”/);

      await settle(page);
      await page.goto(url(`/cabinet/help/${internal}`));
      await expectText(heading(page), 'Article not found');
      assert.equal(await page.getByText(ACTS).count(), 0, 'not even the title leaks');
      await screenshot(page, 'help-notfound-desktop-en');
      await page.getByRole('link', { name: 'Search the help center' }).click();
      await expectPath(page, '/cabinet/help');
      assertNoProblems(problems, { allow: [...ANON, ...expectStatus(404, `/api/v1/cabinet/kb/articles/${internal}`)] });
    });
  });

  test('the help center in Russian on a phone', async () => {
    await withBrowser({ ...PHONE, locale: 'ru-RU' }, async ({ page, problems }) => {
      await signInThroughPage(page, 'cabinet', CAROL, '/cabinet/help');
      await page.getByRole('button', { name: 'RU', exact: true }).click();
      await expectText(heading(page), 'Справочный центр');
      await screenshot(page, 'help-home-phone-ru');
      await page.getByRole('searchbox', { name: 'Поиск по справочному центру' }).fill('обращение');
      const result = page.getByRole('link', { name: /Как открыть обращение в поддержку/ });
      await expectText(result.locator('mark').first(), /^обращени/i);
      await expectText(page.locator('.kb-results-count'), /Найдено по запросу «обращение»: \d/);
      await screenshot(page, 'help-search-phone-ru');
      await result.click();
      await expectText(heading(page), 'Как открыть обращение в поддержку');
      await expectText(page.locator('.help-contact'), /Не нашли ответ\?/);
      await screenshot(page, 'help-article-phone-ru');

      await settle(page);
      await page.goto(url('/cabinet/help/999999'));
      await expectText(heading(page), 'Статья не найдена');
      await screenshot(page, 'help-notfound-phone-ru');
      await page.getByRole('button', { name: 'EN', exact: true }).click();
      await expectText(heading(page), 'Article not found');
      await screenshot(page, 'help-notfound-phone-en');
      assertNoProblems(problems, { allow: [...ANON, ...expectStatus(404, '/api/v1/cabinet/kb/articles/999999')] });
    });
  });
});
