// Project boards in the browser: a new card is dragged to another column with the mouse and stays
// there after a reload, and a second browser sees the move by itself; cards move with the keyboard
// and with a finger; columns are reordered; the card dialog edits every field; "My tasks"; Russian.
// Run: PORTAL_URL=http://127.0.0.1:8080 node --test tests/e2e/boards.test.mjs  (screenshots: E2E_ARTIFACTS)
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { request } from 'playwright-core';
import {
  BASE_URL, DEMO_PASSWORD, DESKTOP, PHONE, assertNoProblems, expectPath, expectStatus, expectText, openBrowser,
  screenshot, signIn, startServer, stopServer, url,
} from './lib.mjs';

const ANNA = 'anna@demo.example';
const BORIS = 'boris@demo.example';
const VERA = 'vera@demo.example';

/* The demo project "Website relaunch": its columns as the demo seeds them. */
const PROJECT = 'Website relaunch';
const TODO = 'To do';
const DOING = 'In progress';
const DONE = 'Done';

/* A signed-in API client, for looking things up and for "the other person". */
async function apiAs(email) {
  const ctx = await request.newContext({ baseURL: BASE_URL });
  const res = await ctx.post('/api/v1/auth/login', { data: { email, password: DEMO_PASSWORD, realm: 'employee' } });
  assert.equal(res.status(), 200, `api login ${email}: ${await res.text()}`);
  const { csrf_token: csrf } = await res.json();
  const headers = { 'X-CSRF-Token': csrf };
  const json = async (r) => {
    assert.ok(r.ok(), `${r.url()}: ${r.status()} ${await r.text()}`);
    return r.json();
  };
  return {
    get: async (p) => json(await ctx.get('/api/v1' + p)),
    post: async (p, data) => json(await ctx.post('/api/v1' + p, { data, headers })),
    patch: async (p, data) => json(await ctx.patch('/api/v1' + p, { data, headers })),
    dispose: () => ctx.dispose(),
  };
}

/* The demo project, its first board and the board's columns by name, as anna sees them. */
async function demoBoard() {
  const anna = await apiAs(ANNA);
  try {
    const { items } = await anna.get('/projects');
    const project = items.find((p) => p.name === PROJECT);
    assert.ok(project, 'the demo project is there');
    const board = await anna.get(`/boards/${project.boards[0].id}`);
    const columns = Object.fromEntries(board.columns.map((c) => [c.name, c]));
    return { project, board, columns };
  } finally {
    await anna.dispose();
  }
}

/* Requests each page has in flight (the board and the bell poll), so settle() can wait for them. */
const inflight = new WeakMap();

/* A browser whose pages' requests are tracked for settle(). */
async function trackedBrowser(options) {
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
  return browser;
}

async function withBrowser(options, fn) {
  const browser = await trackedBrowser(options);
  try {
    await fn(browser);
  } finally {
    await browser.close();
  }
}

/* Waits for 300 ms without a request in flight, so a reload aborts nothing. */
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

const heading = (page) => page.getByRole('heading', { level: 1 });
const column = (page, name) => page.locator('[data-drop-column]').filter({ has: page.getByRole('heading', { name, exact: true }) });
const card = (page, title) => page.locator('.board [data-card-id]').filter({ hasText: title });
const cardDialog = (page) => page.locator('dialog.bdialog');

/* Titles of the cards of a column, top to bottom. */
const titles = (page, name) => column(page, name).locator('.bcard-title').allInnerTexts();

/* Waits until the column's titles satisfy check(titles). */
async function waitTitles(page, name, check, timeout = 5000) {
  const deadline = Date.now() + timeout;
  let list = [];
  for (;;) {
    list = await titles(page, name).catch(() => []);
    if (check(list) || Date.now() > deadline) break;
    await page.waitForTimeout(100);
  }
  assert.ok(check(list), `${name}: ${JSON.stringify(list)}`);
  return list;
}

/* Signs the browser in through the API and opens path (the app reads the session from the cookie). */
async function open(browser, email, path) {
  await signIn(browser.context, email);
  await browser.page.goto(url(path));
}

/* Presses the mouse on from and releases it at (x, y), moving in small steps like a hand. */
async function mouseDrag(page, from, x, y) {
  const a = await from.boundingBox();
  await page.mouse.move(a.x + a.width / 2, a.y + Math.min(20, a.height / 2));
  await page.mouse.down();
  await page.mouse.move(a.x + a.width / 2 + 8, a.y + 24, { steps: 3 });
  await page.mouse.move(x, y, { steps: 16 });
  await page.waitForTimeout(120);
  await page.mouse.up();
}

/* A finger: rests on from for a moment (a long press), then slides to (x, y) and lifts. */
async function touchDrag(page, from, x, y) {
  const cdp = await page.context().newCDPSession(page);
  const a = await from.boundingBox();
  const x0 = a.x + a.width / 2;
  const y0 = a.y + Math.min(20, a.height / 2);
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x: x0, y: y0 }] });
  await page.waitForTimeout(450);
  for (let i = 1; i <= 14; i++)
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x: x0 + ((x - x0) * i) / 14, y: y0 + ((y - y0) * i) / 14 }] });
  await page.waitForTimeout(120);
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await cdp.detach();
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

describe('project boards', () => {
  test('a new card dragged to another column stays there after a reload, and a second browser sees the move', async () => {
    const { project, columns } = await demoBoard();
    const vera = await trackedBrowser(DESKTOP);
    const boris = await trackedBrowser(DESKTOP);
    try {
      const page = vera.page;
      await open(vera, VERA, '/app/projects');
      await expectText(heading(page), 'Projects');
      const link = page.getByRole('link', { name: new RegExp(PROJECT) });
      await link.waitFor();
      await screenshot(page, 'boards-projects-desktop-en');
      await link.click();
      await expectPath(page, `/app/projects/${project.id}`);
      await expectText(heading(page), PROJECT);
      await card(page, 'Broken link in the footer').waitFor();

      // Boris watches the same board in his own browser.
      const other = boris.page;
      await open(boris, BORIS, `/app/projects/${project.id}`);
      await card(other, 'Broken link in the footer').waitFor();

      // Vera adds a card at the bottom of "To do".
      await column(page, TODO).getByRole('button', { name: 'Add a card' }).click();
      const input = page.getByRole('textbox', { name: `Title of a new card in ${TODO}` });
      await input.fill('Prepare the launch checklist');
      const created = page.waitForResponse((r) => /\/api\/v1\/boards\/\d+\/cards$/.test(r.url()) && r.request().method() === 'POST');
      await input.press('Enter');
      const answer = await created;
      assert.equal(answer.status(), 201);
      const newCard = await answer.json();
      await page.keyboard.press('Escape');
      await waitTitles(page, TODO, (l) => l.at(-1) === 'Prepare the launch checklist');

      // ...and drags it with the mouse into "In progress", between its two cards.
      const before = await titles(page, DOING);
      assert.ok(before.length >= 2, `two cards in progress: ${before}`);
      const second = card(page, before[1]);
      const box = await second.boundingBox();
      const moved = page.waitForResponse((r) => r.url().endsWith(`/api/v1/cards/${newCard.id}/move`));
      await mouseDrag(page, card(page, 'Prepare the launch checklist'), box.x + box.width / 2, box.y + box.height * 0.25);
      const move = await moved;
      assert.equal(move.status(), 200);
      const sent = JSON.parse(move.request().postData());
      assert.equal(sent.column_id, columns[DOING].id);
      const secondId = Number(await second.getAttribute('data-card-id'));
      assert.equal(sent.before_id, secondId, `dropped before "${before[1]}"`);
      await waitTitles(page, DOING, (l) => l[1] === 'Prepare the launch checklist');
      assert.ok(!(await titles(page, TODO)).includes('Prepare the launch checklist'));
      await screenshot(page, 'boards-board-desktop-en');

      // Reloaded, the card is where it was dropped.
      await settle(page);
      await page.reload();
      await waitTitles(page, DOING, (l) => l[1] === 'Prepare the launch checklist');

      // Boris' board asks again by itself and shows the move without a reload.
      await waitTitles(other, DOING, (l) => l[1] === 'Prepare the launch checklist', 15000);
      assert.ok(!(await titles(other, TODO)).includes('Prepare the launch checklist'));
      await settle(other);
      await other.reload();
      await waitTitles(other, DOING, (l) => l[1] === 'Prepare the launch checklist');
      await screenshot(other, 'boards-second-browser-en');

      await settle(page);
      await settle(other);
      assertNoProblems(vera.problems);
      assertNoProblems(boris.problems);
    } finally {
      await vera.close();
      await boris.close();
    }
  });

  test('the keyboard moves a card between columns and a column along the board', async () => {
    const { project, board } = await demoBoard();
    await withBrowser(DESKTOP, async ({ context, page, problems }) => {
      await open({ context, page }, VERA, `/app/projects/${project.id}`);
      const tile = card(page, 'Translate the pricing page').locator('.bcard');
      await tile.waitFor();
      assert.match(await page.locator(`#${await tile.getAttribute('aria-describedby')}`).innerText(), /Space to pick it up/);

      // Space picks the card up, the right arrow carries it to "In progress", Space drops it.
      await tile.focus();
      await page.keyboard.press('Space');
      assert.equal(await tile.getAttribute('aria-pressed'), 'true');
      await expectText(page.locator('.bpage [role="status"][aria-live="assertive"]'), /^Picked up Translate the pricing page\. To do, position \d of \d\./);
      await page.keyboard.press('ArrowRight');
      await waitTitles(page, DOING, (l) => l.includes('Translate the pricing page'));
      const moved = page.waitForResponse((r) => /\/api\/v1\/cards\/\d+\/move$/.test(r.url()));
      await page.keyboard.press('Space');
      assert.equal((await moved).status(), 200);
      await expectText(page.locator('.bpage [role="status"][aria-live="assertive"]'), /^Dropped Translate the pricing page\. In progress, position \d of \d\.$/);
      await expect(page.locator('.board .bcard:focus').locator('.bcard-title'), 'Translate the pricing page');

      // Escape puts a picked-up card back where it was.
      await page.keyboard.press('Space');
      await page.keyboard.press('ArrowLeft');
      await waitTitles(page, TODO, (l) => l.includes('Translate the pricing page'));
      await page.keyboard.press('Escape');
      await waitTitles(page, DOING, (l) => l.includes('Translate the pricing page'));

      // The column grip: Space, two steps left, Space: "Done" becomes the first column.
      const grip = column(page, DONE).getByRole('button', { name: `Move column ${DONE}` });
      await grip.focus();
      await page.keyboard.press('Space');
      await page.keyboard.press('ArrowLeft');
      await page.keyboard.press('ArrowLeft');
      const reordered = page.waitForResponse((r) => r.url().endsWith(`/api/v1/boards/${board.id}/columns/reorder`));
      await page.keyboard.press('Space');
      assert.equal((await reordered).status(), 200);
      await settle(page);
      await page.reload();
      await card(page, 'Translate the pricing page').waitFor();
      assert.deepEqual(await page.locator('.bcol-name').allInnerTexts(), [DONE, TODO, DOING]);
      await waitTitles(page, DOING, (l) => l.includes('Translate the pricing page'));

      // The mouse drags "Done" back behind "In progress" by its header.
      const doing = await column(page, DOING).boundingBox();
      const again = page.waitForResponse((r) => r.url().endsWith(`/api/v1/boards/${board.id}/columns/reorder`));
      await mouseDrag(page, column(page, DONE).locator('.bcol-grip'), doing.x + doing.width - 10, doing.y + 30);
      assert.equal((await again).status(), 200);
      assert.deepEqual(await page.locator('.bcol-name').allInnerTexts(), [TODO, DOING, DONE]);
      await settle(page);
      assertNoProblems(problems);
    });
  });

  test('the card dialog edits every field; comments mention, the history tells what happened', async () => {
    const { project } = await demoBoard();
    await withBrowser(DESKTOP, async ({ context, page, problems }) => {
      await open({ context, page }, VERA, `/app/projects/${project.id}`);
      await card(page, 'Speed up image loading').click();
      const dialog = cardDialog(page);
      await dialog.waitFor();
      assert.match(new URL(page.url()).search, /card=\d+/);
      const id = Number(new URL(page.url()).searchParams.get('card'));

      // Title: typed over and saved on Enter.
      const title = dialog.getByRole('textbox', { name: 'Title' });
      await title.fill('Speed up image loading on the homepage');
      const saved = page.waitForResponse((r) => r.url().endsWith(`/api/v1/cards/${id}`) && r.request().method() === 'PATCH');
      await title.press('Enter');
      assert.equal((await saved).status(), 200);

      // Description: Markdown with a preview, then saved and shown rendered.
      await dialog.getByRole('button', { name: /Add a more detailed description|Edit/ }).first().click();
      const editor = dialog.getByRole('combobox', { name: 'Description' });
      await editor.fill('Use **WebP** and lazy loading.\n\n- hero image\n- gallery');
      await dialog.getByRole('tab', { name: 'Preview' }).click();
      await expectText(dialog.locator('.md-preview strong'), 'WebP');
      await dialog.getByRole('button', { name: 'Save changes', exact: true }).click();
      await expectText(dialog.locator('.bdesc-rich strong'), 'WebP');

      // Checklist: an item added, then ticked.
      await dialog.getByRole('button', { name: 'Add an item' }).click();
      const item = dialog.getByRole('textbox', { name: 'New checklist item' });
      await item.fill('Measure with Lighthouse');
      const added = page.waitForResponse((r) => r.url().endsWith(`/api/v1/cards/${id}/checklist`));
      await item.press('Enter');
      assert.equal((await added).status(), 201);
      await page.keyboard.press('Escape'); // closes the item box, not the dialog
      assert.ok(await dialog.isVisible());
      const box = dialog.getByRole('checkbox', { name: 'Measure with Lighthouse' });
      await expect(box, null);
      const ticked = page.waitForResponse((r) => /\/checklist\/\d+$/.test(r.url()));
      await box.check();
      assert.equal((await ticked).status(), 200);

      // Assignee, due date, priority, label.
      await dialog.getByRole('button', { name: /Add someone|Assign/ }).click();
      await dialog.getByRole('option', { name: /Boris Ivanov/ }).click();
      await page.keyboard.press('Escape');
      await dialog.locator('.bperson', { hasText: 'Boris Ivanov' }).waitFor();
      await dialog.getByLabel('Due date', { exact: true }).fill('2031-05-20');
      await dialog.getByLabel('Priority', { exact: true }).selectOption('high');
      await dialog.getByRole('button', { name: 'Add a label' }).click();
      await dialog.getByRole('textbox', { name: 'Name of the new label' }).fill('performance');
      const labelMade = page.waitForResponse((r) => /\/api\/v1\/projects\/\d+\/labels$/.test(r.url()));
      await dialog.getByRole('button', { name: 'Create and add' }).click();
      assert.equal((await labelMade).status(), 201);
      await page.keyboard.press('Escape');
      await dialog.locator('.blabels .blabel', { hasText: 'performance' }).waitFor();

      // A file: uploaded, attached, listed with its download link.
      const attached = page.waitForResponse((r) => r.url().endsWith(`/api/v1/cards/${id}`) && r.request().method() === 'PATCH'
        && /"files"/.test(r.request().postData() || ''));
      await dialog.locator('input[type=file]').setInputFiles({ name: 'lighthouse.txt', mimeType: 'text/plain', buffer: Buffer.from('LCP 1.9 s\n') });
      assert.equal((await attached).status(), 200);
      const file = dialog.locator('.bfile', { hasText: 'lighthouse.txt' });
      await file.waitFor();
      assert.match(await file.locator('a.bfile-text').getAttribute('href'), /^\/api\/v1\/files\/\d+$/);

      // A comment that mentions Anna, picked from the suggestions.
      const comment = dialog.getByRole('combobox', { name: 'Write a comment' });
      await comment.pressSequentially('Numbers are in, @ann');
      await dialog.getByRole('option', { name: /Anna Petrova/ }).click();
      await comment.pressSequentially('please review');
      const commented = page.waitForResponse((r) => r.url().endsWith(`/api/v1/cards/${id}/comments`));
      await comment.press('Enter');
      assert.equal((await commented).status(), 201);
      await expectText(dialog.locator('.bcomment').first().locator('.mention'), '@anna');
      await screenshot(page, 'boards-card-dialog-en');

      // History: what happened, newest first.
      await settle(page);
      await dialog.getByRole('tab', { name: 'History' }).click();
      await expectText(dialog.locator('.bhistory-item').first(), /Vera Smirnova commented/);
      const history = (await dialog.locator('.bhistory-text').allInnerTexts()).join('\n');
      assert.match(history, /renamed the card to “Speed up image loading on the homepage”/);
      assert.match(history, /added “Measure with Lighthouse” to the checklist/);
      assert.match(history, /completed “Measure with Lighthouse”/);
      assert.match(history, /assigned Boris Ivanov/);
      assert.match(history, /attached a file/);
      await screenshot(page, 'boards-card-history-en');

      // Closed with Escape: the tile shows what changed; reopened after a reload, all of it is there.
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      const tile = card(page, 'Speed up image loading on the homepage');
      await tile.locator('.blabel', { hasText: 'performance' }).waitFor();
      await expectText(tile.locator('.bprio'), 'High');
      await settle(page);
      await page.goto(url(`/app/projects/${project.id}?card=${id}`));
      await dialog.waitFor();
      assert.equal(await dialog.getByRole('textbox', { name: 'Title' }).inputValue(), 'Speed up image loading on the homepage');
      assert.equal(await dialog.getByLabel('Due date', { exact: true }).inputValue(), '2031-05-20');
      assert.equal(await dialog.getByLabel('Priority', { exact: true }).inputValue(), 'high');
      assert.ok(await dialog.getByRole('checkbox', { name: 'Measure with Lighthouse' }).isChecked());
      await expectText(dialog.locator('.bdesc-rich li').first(), 'hero image');

      // Archived, the card leaves the board; restored from the board's archive, it comes back.
      await dialog.getByRole('button', { name: 'Archive card' }).click();
      await dialog.locator('.barchived-banner').waitFor();
      await page.keyboard.press('Escape');
      await tile.waitFor({ state: 'detached' });
      await page.getByRole('button', { name: 'Archived', exact: true }).click();
      const archive = page.getByRole('dialog', { name: 'Archived cards' });
      await archive.locator('.barchived-item', { hasText: 'Speed up image loading' }).getByRole('button', { name: 'Restore' }).click();
      await tile.waitFor();
      await page.keyboard.press('Escape');
      await settle(page);
      assertNoProblems(problems);
    });
  });

  test('a stale edit is sent again on the new version; a real clash keeps the other change and says so', async () => {
    const { project, board } = await demoBoard();
    const target = board.columns.flatMap((c) => c.cards).find((c) => c.title === 'Move the blog to the new design');
    await withBrowser(DESKTOP, async ({ context, page, problems }) => {
      await open({ context, page }, VERA, `/app/projects/${project.id}?card=${target.id}`);
      const dialog = cardDialog(page);
      await dialog.getByRole('textbox', { name: 'Title' }).waitFor();

      // Boris renames the card meanwhile; Vera's priority change still lands (on his version).
      const boris = await apiAs(BORIS);
      try {
        const current = await boris.get(`/cards/${target.id}`);
        await boris.patch(`/cards/${target.id}`, { title: 'Move the blog to the new design (v2)', version: current.version });
      } finally {
        await boris.dispose();
      }
      const tries = [];
      page.on('response', (r) => r.url().endsWith(`/api/v1/cards/${target.id}`) && r.request().method() === 'PATCH' && tries.push(r.status()));
      await dialog.getByLabel('Priority', { exact: true }).selectOption('urgent');
      await expect(dialog.getByRole('textbox', { name: 'Title' }), null);
      await page.waitForFunction(() => document.querySelector('dialog.bdialog .btitle-input')?.value.endsWith('(v2)'));
      assert.deepEqual(tries, [409, 200]);
      assert.equal(await dialog.getByLabel('Priority', { exact: true }).inputValue(), 'urgent');

      // Anna changes the priority; Vera's own change to it is refused and she is told.
      const anna = await apiAs(ANNA);
      try {
        const current = await anna.get(`/cards/${target.id}`);
        await anna.patch(`/cards/${target.id}`, { priority: 'low', version: current.version });
      } finally {
        await anna.dispose();
      }
      await dialog.getByLabel('Priority', { exact: true }).selectOption('high');
      await expectText(dialog.locator('.bdialog-notice .alert-title'), 'Someone else changed this card');
      assert.equal(await dialog.getByLabel('Priority', { exact: true }).inputValue(), 'low');
      await screenshot(page, 'boards-card-conflict-en');
      await settle(page);
      assertNoProblems(problems, { allow: expectStatus(409, `/api/v1/cards/${target.id}`) });
    });
  });

  test('on a phone a long press picks a card up and a finger drags it; my tasks list overdue first', async () => {
    const { project } = await demoBoard();
    await withBrowser(PHONE, async ({ context, page, problems }) => {
      await open({ context, page }, VERA, `/app/projects/${project.id}`);
      await card(page, 'Broken link in the footer').waitFor();
      const list = await titles(page, TODO);
      assert.ok(list.length >= 2, `cards to reorder: ${list}`);
      await screenshot(page, 'boards-board-phone-en');

      // The first card of "To do" goes below the second one.
      const second = await card(page, list[1]).boundingBox();
      const moved = page.waitForResponse((r) => /\/api\/v1\/cards\/\d+\/move$/.test(r.url()));
      await touchDrag(page, card(page, list[0]), second.x + second.width / 2, second.y + second.height * 0.85);
      assert.equal((await moved).status(), 200);
      await waitTitles(page, TODO, (l) => l[0] === list[1] && l[1] === list[0]);
      await settle(page);
      await page.reload();
      await waitTitles(page, TODO, (l) => l[0] === list[1] && l[1] === list[0]);

      // A short touch is a tap: it opens the card.
      await card(page, list[1]).locator('.bcard').tap();
      await cardDialog(page).waitFor();
      await screenshot(page, 'boards-card-phone-en');
      await page.keyboard.press('Escape');
      await cardDialog(page).waitFor({ state: 'detached' });

      await settle(page);
      await page.goto(url('/app/tasks'));
      await expectText(heading(page), 'My tasks');
      await page.locator('.btask-group-title').first().waitFor(); // the list loads after the heading
      const groups = await page.locator('.btask-group-title').allInnerTexts();
      assert.ok(groups.length > 0, 'some tasks');
      if (groups.some((g) => /^Overdue/i.test(g))) assert.match(groups[0], /^Overdue/i);
      await screenshot(page, 'boards-tasks-phone-en');
      await page.locator('.btask-link').first().click();
      await cardDialog(page).waitFor();
      await settle(page);
      assertNoProblems(problems);
    });
  });

  test('in Russian the projects, the board, the card and my tasks speak Russian (desktop and phone)', async () => {
    const { project } = await demoBoard();
    await withBrowser({ ...DESKTOP, locale: 'ru-RU' }, async ({ context, page, problems }) => {
      await open({ context, page }, BORIS, '/app/projects');
      await expectText(heading(page), 'Проекты');
      assert.ok(await page.getByRole('button', { name: 'Новый проект' }).isVisible());
      await screenshot(page, 'boards-projects-desktop-ru');
      await page.getByRole('button', { name: 'Новый проект' }).click();
      await page.getByRole('dialog', { name: 'Новый проект' }).getByLabel('Название').fill('Выставка 2031');
      const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/projects') && r.request().method() === 'POST');
      await page.getByRole('button', { name: 'Создать проект' }).click();
      const made = await (await created).json();
      await expectPath(page, `/app/projects/${made.id}`);
      await expectText(heading(page), 'Выставка 2031');
      await column(page, 'To do').waitFor();
      await settle(page);
      await page.goto(url(`/app/projects/${project.id}`));
      await card(page, 'Broken link in the footer').waitFor();
      assert.ok(await page.getByRole('button', { name: 'Добавить карточку' }).first().isVisible());
      await screenshot(page, 'boards-board-desktop-ru');
      await card(page, 'Broken link in the footer').click();
      const dialog = cardDialog(page);
      await dialog.waitFor();
      await expectText(dialog.locator('.bside-label').first(), /колонка/i);
      assert.ok(await dialog.getByRole('button', { name: 'В архив' }).isVisible());
      await dialog.getByRole('tab', { name: 'История' }).click();
      await dialog.locator('.bhistory-item').first().waitFor();
      await screenshot(page, 'boards-card-dialog-ru');
      await page.keyboard.press('Escape');
      await settle(page);
      await page.goto(url('/app/tasks'));
      await expectText(heading(page), 'Мои задачи');
      await page.locator('.btask').first().waitFor();
      await screenshot(page, 'boards-tasks-desktop-ru');
      await settle(page);
      assertNoProblems(problems);
    });

    await withBrowser({ ...PHONE, locale: 'ru-RU' }, async ({ context, page, problems }) => {
      await open({ context, page }, VERA, `/app/projects/${project.id}`);
      await card(page, 'Broken link in the footer').waitFor();
      await expectText(heading(page), PROJECT);
      await screenshot(page, 'boards-board-phone-ru');
      await card(page, 'New landing page').locator('.bcard').tap();
      await cardDialog(page).waitFor();
      await screenshot(page, 'boards-card-phone-ru');
      await page.keyboard.press('Escape');
      await settle(page);
      await page.goto(url('/app/projects'));
      await expectText(heading(page), 'Проекты');
      await screenshot(page, 'boards-projects-phone-ru');
      await settle(page);
      assertNoProblems(problems);
    });
  });
});

/* Waits for a locator (and, when text is given, for it to read so). */
async function expect(locator, text) {
  await locator.waitFor();
  if (text != null) await expectText(locator, text);
}
