// The company feed in the browser: a post with Markdown and a mention reaches the other user's bell,
// opens from it and collects a like; files attach with thumbnails; the stream scrolls endlessly; Russian UI.
// Run: PORTAL_URL=http://127.0.0.1:8080 node --test tests/e2e/feed.test.mjs  (screenshots: E2E_ARTIFACTS)
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { deflateSync } from 'node:zlib';
import { request } from 'playwright-core';
import {
  BASE_URL, DEMO_PASSWORD, DESKTOP, PHONE, assertNoProblems, expectPath, expectStatus, expectText, openBrowser,
  screenshot, startServer, stopServer, url,
} from './lib.mjs';

const VERA = 'vera@demo.example';
const BORIS = 'boris@demo.example';
const ANNA = 'anna@demo.example';

/* The sign-in page asks GET /me first and gets 401 on purpose. */
const ANON = expectStatus(401, '/api/v1/me');

/* A w x h RGB PNG, indigo to pink: the server shows PNG, JPEG, GIF and WebP inline, never
 * SVG (files_download_headers), so the thumbnail test needs a raster image. */
function gradientPng(w, h) {
  const crc32 = (buf) => {
    let c = ~0;
    for (const b of buf) {
      c ^= b;
      for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
    }
    return ~c >>> 0;
  };
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const t = (x / w + y / h) / 2;
      raw.set([0x63 + (0xec - 0x63) * t, 0x66 + (0x48 - 0x66) * t, 0xf1 + (0x99 - 0xf1) * t].map(Math.round), y * (w * 3 + 1) + 1 + x * 3);
    }
  }
  return Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

async function withBrowser(options, fn) {
  const browser = await openBrowser(options);
  try {
    await fn(browser);
  } finally {
    await browser.close();
  }
}

/* Signs in through the form at /app/login and waits for the feed. */
async function logIn(page, email) {
  await page.goto(url('/app/login'));
  await page.getByLabel(/^(Email|Электронная почта)$/).fill(email);
  await page.getByLabel(/^(Password|Пароль)$/).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: /^(Sign in|Войти)$/ }).click();
  await expectPath(page, '/app/feed', 8000);
  await page.locator('article.post').first().waitFor();
}

/* A signed-in API client for setting up data. */
async function apiAs(email) {
  const ctx = await request.newContext({ baseURL: BASE_URL });
  const res = await ctx.post('/api/v1/auth/login', { data: { email, password: DEMO_PASSWORD, realm: 'employee' } });
  assert.equal(res.status(), 200, `api login ${email}: ${await res.text()}`);
  const { csrf_token: csrf } = await res.json();
  const headers = { 'X-CSRF-Token': csrf };
  return {
    get: (p) => ctx.get('/api/v1' + p),
    post: (p, data) => ctx.post('/api/v1' + p, { data, headers }),
    dispose: () => ctx.dispose(),
  };
}

/* Lets the page's own requests finish before navigating, so none is reported as aborted. */
const settle = (page) => page.waitForLoadState('networkidle');

const heading = (page) => page.getByRole('heading', { level: 1 });
const bell = (page) => page.locator('.bell-button');
const postCard = (page, text) => page.locator('article.post').filter({ hasText: text });

after(stopServer);

before(async () => {
  await startServer();
  try {
    await fetch(url('/healthz'));
  } catch (err) {
    throw new Error(`no portal at ${BASE_URL} (start it, or set PORTAL_URL): ${err.cause?.code || err.message}`);
  }
});

describe('feed', () => {
  test('a post with a mention reaches the bell, opens from it, and the like shows for its author', async () => {
    const vera = await openBrowser(DESKTOP);
    const boris = await openBrowser(DESKTOP);
    try {
      // Vera writes: Markdown, a mention picked from the suggestions, and a script that must not run.
      const page = vera.page;
      await logIn(page, VERA);
      await expectText(heading(page), 'Feed');
      await page.getByRole('button', { name: "What's new, Vera?" }).click();
      const editor = page.getByRole('combobox', { name: 'New post' });
      await editor.pressSequentially('Release notes are **ready** for review, @bor');
      const option = page.getByRole('option', { name: /Boris Ivanov/ });
      await option.waitFor();
      await screenshot(page, 'feed-composer-mention-en');
      await editor.press('Enter');
      await editor.pressSequentially('please check. <script>window.__pwned = 1</script>');
      assert.match(await editor.inputValue(), /@boris please check/);

      await page.getByRole('tab', { name: 'Preview' }).click();
      await expectText(page.locator('.md-preview strong'), 'ready');
      await page.getByRole('tab', { name: 'Write' }).click();

      const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/feed/posts') && r.request().method() === 'POST');
      await page.getByRole('button', { name: 'Publish' }).click();
      const post = await (await created).json();
      assert.equal((await created).status(), 201);

      const card = page.locator(`article.post[data-post-id="${post.id}"]`);
      await card.waitFor();
      await expectText(card.locator('.post-body .feed-rich strong'), 'ready');
      await expectText(card.locator('.mention'), '@boris');
      assert.equal(await card.locator('script').count(), 0, 'no script element in the post');
      assert.match(await card.locator('.post-body .feed-rich').innerHTML(), /raw HTML omitted/);
      assert.equal(await page.evaluate(() => window.__pwned), undefined, 'the script did not run');
      await expectText(page.getByRole('status').filter({ hasText: 'published' }), 'Your post is published.');
      await screenshot(page, 'feed-desktop-en');
      await card.evaluate((el) => el.scrollIntoView({ block: 'center' }));
      await screenshot(page, 'feed-new-post-en');

      // Boris: the bell counts it; the notification leads to the post; he likes it.
      const other = boris.page;
      await logIn(other, BORIS);
      await bell(other).waitFor();
      await other.waitForFunction(() => Number(document.querySelector('.bell-badge')?.textContent) >= 1, null, { timeout: 8000 });
      assert.match(await bell(other).getAttribute('aria-label'), /^Notifications, \d+ unread$/);
      const before = Number(await other.locator('.bell-badge').textContent());
      assert.ok(before >= 1, `unread count ${before}`);

      await bell(other).click();
      const item = other.locator('.notif').filter({ hasText: 'Release notes are ready' });
      await item.waitFor();
      await expectText(item.locator('.notif-line'), 'Vera Smirnova mentioned you');
      await screenshot(other, 'feed-bell-open-en');
      const marked = other.waitForResponse((r) => r.url().endsWith('/api/v1/notifications/read'));
      await item.click();
      await expectPath(other, `/app/feed/post/${post.id}`);
      assert.equal((await marked).status(), 200);
      await expectText(heading(other), 'Post');
      const single = other.locator(`article.post[data-post-id="${post.id}"]`);
      await expectText(single.locator('.post-body .feed-rich strong'), 'ready');
      await other.waitForFunction((n) => Number(document.querySelector('.bell-badge')?.textContent || 0) === n - 1, before);

      const liked = other.waitForResponse((r) => r.url().endsWith(`/api/v1/feed/posts/${post.id}/like`));
      const like = single.getByRole('button', { name: 'Like', exact: true });
      assert.equal(await like.getAttribute('aria-pressed'), 'false');
      await like.click();
      assert.equal((await liked).status(), 200);
      assert.equal(await like.getAttribute('aria-pressed'), 'true');
      await expectText(single.locator('.post-likes'), '1 like');
      await screenshot(other, 'feed-post-page-en');

      // Vera reloads and sees the like; the list of likers names Boris.
      await settle(page);
      await page.reload();
      await expectText(page.locator(`article.post[data-post-id="${post.id}"] .post-likes`), '1 like');
      await page.locator(`article.post[data-post-id="${post.id}"] .post-likes`).click();
      await expectText(page.getByRole('dialog', { name: 'Liked by' }).locator('.people-name'), 'Boris Ivanov');
      await page.keyboard.press('Escape');

      await settle(page);
      await settle(other);
      assertNoProblems(vera.problems, { allow: ANON });
      assertNoProblems(boris.problems, { allow: ANON });
    } finally {
      await vera.close();
      await boris.close();
    }
  });

  test('attached files: images as thumbnails with upload progress, other files as download chips', async () => {
    await withBrowser(DESKTOP, async ({ page, problems }) => {
      await logIn(page, VERA);
      await page.getByRole('button', { name: "What's new, Vera?" }).click();
      await page.getByRole('combobox', { name: 'New post' }).fill('Photos from the **team offsite** and the agenda.');
      const png = gradientPng(800, 450);
      await page.locator('.composer input[type=file]').setInputFiles([
        { name: 'offsite.png', mimeType: 'image/png', buffer: png },
        { name: 'agenda.txt', mimeType: 'text/plain', buffer: Buffer.from('09:00 coffee\n10:00 roadmap\n') },
      ]);
      await page.locator('.attach-thumb img[alt="offsite.png"]').waitFor();
      await page.locator('.attach-chip').filter({ hasText: 'agenda.txt' }).waitFor();
      await page.waitForFunction(() => !document.querySelector('.upload-bar'));
      await screenshot(page, 'feed-composer-files-en');

      const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/feed/posts') && r.request().method() === 'POST');
      await page.getByRole('button', { name: 'Publish' }).click();
      const post = await (await created).json();
      assert.equal(post.files.length, 2);
      const card = page.locator(`article.post[data-post-id="${post.id}"]`);
      const img = card.locator('.post-image img');
      await img.waitFor();
      await page.waitForFunction((id) => document.querySelector(`article.post[data-post-id="${id}"] .post-image img`)?.naturalWidth > 0, post.id);
      const chip = card.locator('a.file-chip');
      await expectText(chip.locator('.file-chip-name'), 'agenda.txt');
      assert.match(await chip.getAttribute('href'), /^\/api\/v1\/files\/\d+$/);
      await card.evaluate((el) => el.scrollIntoView({ block: 'start' }));
      await page.evaluate(() => window.scrollBy(0, -72));
      await screenshot(page, 'feed-post-files-en');

      await card.locator('.post-image').click();
      await page.getByRole('dialog', { name: 'offsite.png' }).waitFor();
      await page.keyboard.press('Escape');
      await settle(page);
      assertNoProblems(problems, { allow: ANON });
    });
  });

  test('older posts load as the list scrolls, each post once', async () => {
    const anna = await apiAs(ANNA);
    try {
      for (let i = 1; i <= 25; i++) {
        const res = await anna.post('/feed/posts', { body: `Scroll test post number ${i}` });
        assert.equal(res.status(), 201);
      }
    } finally {
      await anna.dispose();
    }
    await withBrowser(DESKTOP, async ({ page, problems }) => {
      await logIn(page, VERA);
      await postCard(page, 'Scroll test post number 25').waitFor();
      const first = await page.locator('article.post').count();
      assert.ok(first <= 21, `one page (20) plus the pinned post, got ${first}`);
      assert.equal(await postCard(page, 'Coffee machine on the 2nd floor').count(), 0, 'older posts wait for scrolling');

      const more = page.waitForResponse((r) => /\/api\/v1\/feed\/posts\?.*before=\d+/.test(r.url()));
      await page.locator('.feed-sentinel').scrollIntoViewIfNeeded();
      assert.equal((await more).status(), 200);
      await postCard(page, 'Coffee machine on the 2nd floor').waitFor();
      for (let round = 0; round < 5 && !(await page.locator('.feed-end').isVisible()); round++) {
        await page.locator('.feed-sentinel, .feed-end').last().scrollIntoViewIfNeeded();
        await page.waitForTimeout(400);
      }
      await expectText(page.locator('.feed-end'), "You're all caught up");
      assert.ok((await page.locator('article.post').count()) > first);
      const ids = await page.locator('article.post').evaluateAll((els) => els.map((e) => e.dataset.postId));
      assert.equal(new Set(ids).size, ids.length, `each post once: ${ids.join(',')}`);
      await postCard(page, 'Sales team: the Romashka LLC renewal').waitFor();

      // Filters: mentions of Vera, then the Sales group.
      await page.getByRole('button', { name: 'Mentions me' }).click();
      await expectPath(page, '/app/feed');
      // The filtered list replaces the stream: wait for the unmentioned posts to go.
      await postCard(page, 'Scroll test post').first().waitFor({ state: 'detached' });
      await postCard(page, 'please help customers move over').waitFor();
      assert.equal(await postCard(page, 'Scroll test post').count(), 0);
      await page.locator('.group-filter-select').selectOption({ label: 'Sales' });
      await expectText(page.locator('.feed-context span'), 'Posts in Sales');
      await postCard(page, 'Coffee machine').first().waitFor({ state: 'detached' });
      await postCard(page, 'Call notes from Vasilek JSC').waitFor();
      assert.equal(await postCard(page, 'Coffee machine').count(), 0);
      await settle(page);
      assertNoProblems(problems, { allow: ANON });
    });
  });

  test('in Russian the feed, the bell and the post page speak Russian (desktop and phone)', async () => {
    await withBrowser({ ...DESKTOP, locale: 'ru-RU' }, async ({ page, problems }) => {
      await logIn(page, BORIS);
      await expectText(heading(page), 'Лента');
      assert.ok(await page.getByRole('button', { name: 'Что нового, Boris?' }).isVisible());
      assert.ok(await page.getByRole('button', { name: 'Все записи' }).isVisible());
      assert.ok(await page.getByRole('button', { name: 'Упоминания меня' }).isVisible());
      assert.ok(await page.getByRole('button', { name: 'Нравится', exact: true }).first().isVisible());
      await expectText(page.locator('.post.is-pinned .post-pinned'), /^закреплено$/i); // shown in capitals
      await expectText(page.locator('.post.is-pinned .important-title'), 'Пожалуйста, подтвердите, что прочитали');
      await expectText(page.locator('.post.is-pinned .important-count'), /^Прочитали \d+ из \d+$/);
      assert.match(await bell(page).getAttribute('aria-label'), /^Уведомления/);
      await page.getByRole('button', { name: 'Что нового, Boris?' }).click();
      assert.ok(await page.getByRole('tab', { name: 'Просмотр' }).isVisible());
      assert.ok(await page.getByRole('button', { name: 'Опубликовать' }).isVisible());
      await page.getByRole('button', { name: 'Отмена' }).click();
      await screenshot(page, 'feed-desktop-ru');

      await page.locator('.post.is-pinned').getByRole('button', { name: 'Подтвердить прочтение' }).click();
      await expectText(page.locator('.post.is-pinned .important-title'), 'Вы подтвердили, что прочитали');
      await bell(page).click();
      await expectText(page.locator('.bell-title'), 'Уведомления');
      await screenshot(page, 'feed-bell-open-ru');
      await page.keyboard.press('Escape');
      await settle(page);
      assertNoProblems(problems, { allow: ANON });
    });

    await withBrowser({ ...PHONE, locale: 'ru-RU' }, async ({ page, problems }) => {
      await logIn(page, VERA);
      await expectText(heading(page), 'Лента');
      await screenshot(page, 'feed-phone-ru');
      await page.getByRole('button', { name: 'EN', exact: true }).click();
      await expectText(heading(page), 'Feed');
      assert.ok(await page.getByRole('button', { name: 'All posts' }).isVisible());
      await screenshot(page, 'feed-phone-en');
      const pinned = page.locator('.post.is-pinned');
      await pinned.getByRole('button', { name: /comments?$/ }).click();
      await pinned.locator('.comment-composer').first().waitFor();
      await screenshot(page, 'feed-phone-comments-en');
      await settle(page);
      assertNoProblems(problems, { allow: ANON });
    });
  });

  test('comments: a comment with a like, a reply in its thread, and the mentioned author is notified', async () => {
    await withBrowser(DESKTOP, async ({ page, problems }) => {
      await logIn(page, VERA);
      const card = postCard(page, 'Scroll test post number 25');
      await card.getByRole('button', { name: 'Comment', exact: true }).click();
      const box = card.getByRole('combobox', { name: 'Write a comment…' });
      await box.fill('Thanks @anna, finally!');
      await box.press('Enter');
      const comment = card.locator('.comment').filter({ hasText: 'finally' });
      await comment.waitFor();
      await comment.getByRole('button', { name: 'Like' }).click();
      await expectText(comment.locator('.comment-likes'), '1');
      await comment.getByRole('button', { name: 'Reply' }).click();
      const reply = card.getByRole('combobox', { name: /Reply to/ });
      await reply.pressSequentially('same here');
      await reply.press('Enter');
      await card.locator('.comment-reply').filter({ hasText: 'same here' }).waitFor();
      await expectText(card.locator('.post-comment-count'), '2 comments');
      await card.evaluate((el) => el.scrollIntoView({ block: 'start' }));
      await page.evaluate(() => window.scrollBy(0, -72));
      await screenshot(page, 'feed-comments-en');
      await settle(page);
      assertNoProblems(problems, { allow: ANON });
    });

    const anna = await apiAs(ANNA);
    try {
      const { items } = await (await anna.get('/notifications?unread=1')).json();
      const kinds = items.filter((n) => /finally/.test(n.summary)).map((n) => n.kind).sort();
      assert.deepEqual(kinds, ['comment', 'mention'], JSON.stringify(items.slice(0, 4)));
    } finally {
      await anna.dispose();
    }
  });
});
