// Chat in two browsers: Boris and Vera talk; Vera goes offline, Boris writes, Vera writes
// too (queued), she comes back and sees every message exactly once and hers arrives once.
// Then the rest of the page: unread badges, threads, reactions, edit and delete, search,
// a new conversation, the phone layout and the Russian text; channel settings (rename,
// archive) and the chat's unread badge in the main navigation.
// Run: node --test tests/e2e/chat.test.mjs (screenshots: E2E_ARTIFACTS)
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  DESKTOP, PHONE, apiAs, assertNoProblems, expectText, openBrowser, screenshot, server, signIn, startServer, stopServer,
  url, waitRealtimeOpen,
} from './lib.mjs';

const VERA = 'vera@demo.example';
const BORIS = 'boris@demo.example';

let channels; // name -> id

after(stopServer);
before(async () => {
  await startServer();
  const rows = server
    ? server.sql('SELECT name, id FROM chat_channels WHERE name IS NOT NULL')
    : [];
  channels = Object.fromEntries(rows.map(([n, id]) => [n, Number(id)]));
});

/* Failed requests while a browser is offline on purpose, and the reads they retry. */
const OFFLINE = [/ERR_INTERNET_DISCONNECTED/, /net::ERR_/, /Failed to load resource/];

/* Keeps the page's websockets reachable as window.__sockets, so a test can cut them:
 * going offline in Chromium stops new requests but leaves an open socket standing. */
function trackSockets() {
  const Native = window.WebSocket;
  window.__sockets = [];
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      window.__sockets.push(this);
    }
  };
}

async function openChat(email, options = DESKTOP, path = '/app/chat') {
  const b = await openBrowser(options);
  b.context.setDefaultTimeout(15000); // a shared, busy machine: patience, not a looser check
  await b.context.addInitScript(trackSockets);
  await signIn(b.context, email);
  await b.page.goto(url(path));
  await b.page.locator('.chat-side').waitFor();
  return b;
}

const composer = (page) => page.locator('.chat-conv .chat-input');
const messages = (page, text) => page.locator('.chat-conv .chat-msg').filter({ hasText: text });

/* The server's id of the message with this text, once its send was acknowledged (a
 * message still being sent has no id yet). */
async function messageId(page, text, timeout = 15000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const id = await messages(page, text).first().getAttribute('data-id');
    if (/^\d+$/.test(id ?? '')) return id;
    if (Date.now() > deadline) throw new Error(`"${text}" has no server id yet (${id})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function say(page, text) {
  await composer(page).fill(text);
  await composer(page).press('Enter');
}

/* Waits until exactly n messages with text show in the conversation. */
async function expectCount(page, text, n, timeout = 15000) {
  const deadline = Date.now() + timeout;
  let count = -1;
  while (Date.now() < deadline) {
    count = await messages(page, text).count();
    if (count === n) break;
    await page.waitForTimeout(100);
  }
  assert.equal(count, n, `messages with "${text}"`);
}

describe('chat', () => {
  test('two people chat; one goes offline and comes back to every message exactly once', async () => {
    const general = channels.general;
    const vera = await openChat(VERA, DESKTOP, `/app/chat/${general}`);
    const boris = await openChat(BORIS, DESKTOP, `/app/chat/${general}`);
    try {
      await expectText(vera.page.locator('.chat-conv-name'), '# general');
      // both are live over the websocket (the page polls only while it is down)
      for (const b of [vera, boris]) await b.page.waitForFunction(() => window.__sockets.some((ws) => ws.readyState === 1));
      // and see each other online among the channel's members
      await boris.page.locator('.chat-conv-menu > button').click();
      await boris.page.locator('.chat-members li', { hasText: 'Vera Smirnova' }).locator('.chat-presence-online').waitFor();
      await boris.page.locator('.chat-conv-menu > button').click();
      await say(boris.page, 'Morning Vera, the **demo** is at ten');
      await expectCount(vera.page, 'Morning Vera, the demo is at ten', 1);
      assert.equal(await messages(vera.page, 'Morning Vera').locator('strong').innerText(), 'demo');
      const typed = composer(vera.page).pressSequentially('Thanks, I will', { delay: 250 });
      await expectText(boris.page.locator('.chat-typing'), 'Vera is typing…', 10000);
      await typed;
      await composer(vera.page).fill('');
      await say(vera.page, 'Thanks, I will be there');
      await expectCount(boris.page, 'Thanks, I will be there', 1);

      // Vera loses her connection: no requests, and her socket drops
      await vera.context.setOffline(true);
      await vera.page.evaluate(() => window.__sockets.forEach((ws) => ws.close()));
      await vera.page.locator('.rt-banner').waitFor({ timeout: 15000 });
      for (let i = 1; i <= 3; i++) await say(boris.page, `While you were away ${i}`);
      await say(vera.page, 'Written on the train');
      await expectText(vera.page.locator('.chat-banner'), /1 message will be sent/, 10000);
      await expectCount(boris.page, 'While you were away 3', 1);
      await screenshot(vera.page, 'chat-offline');

      // back online: the banner goes, nothing is missing, nothing is doubled
      await vera.context.setOffline(false);
      await vera.page.locator('.chat-banner').waitFor({ state: 'detached', timeout: 20000 });
      for (let i = 1; i <= 3; i++) await expectCount(vera.page, `While you were away ${i}`, 1);
      await expectCount(vera.page, 'Written on the train', 1);
      await expectCount(boris.page, 'Written on the train', 1);
      await expectCount(vera.page, 'Morning Vera, the demo is at ten', 1);
      assert.equal(await vera.page.locator('.chat-msg-pending').count(), 0);
      // and on the server it is there once
      const rows = server?.sql("SELECT COUNT(*) FROM chat_messages WHERE body_md = 'Written on the train'");
      if (rows) assert.equal(rows[0][0], '1');
      await screenshot(vera.page, 'chat-back-online');
      assertNoProblems(boris.problems);
      assertNoProblems(vera.problems, { allow: OFFLINE });
    } finally {
      await vera.close();
      await boris.close();
    }
  });

  test('unread badges, threads, reactions, edits, deletes and search', async () => {
    const vera = await openChat(VERA, DESKTOP, `/app/chat/${channels.general}`);
    const boris = await openChat(BORIS, DESKTOP, `/app/chat/${channels.sales}`);
    try {
      // a message in #sales makes a badge for Vera, who is in #general
      await say(boris.page, 'New lead from Vasilek: 40 seats');
      const salesLink = vera.page.locator('.chat-ch', { hasText: 'sales' });
      await expectText(salesLink.locator('.chat-badge'), /^\d+$/, 10000);
      await salesLink.click();
      await expectCount(vera.page, 'New lead from Vasilek', 1);
      await salesLink.locator('.chat-badge').waitFor({ state: 'detached' });

      // a thread reply and a reaction
      const lead = messages(vera.page, 'New lead from Vasilek');
      await lead.hover();
      await lead.getByRole('button', { name: 'Reply in thread' }).click();
      const thread = vera.page.locator('.chat-thread');
      await thread.locator('.chat-input').fill('I can take the demo');
      await thread.locator('.chat-input').press('Enter');
      await thread.locator('.chat-msg', { hasText: 'I can take the demo' }).waitFor();
      await expectText(messages(boris.page, 'New lead from Vasilek').locator('.chat-thread-link'), '1 reply', 10000);
      await lead.hover();
      await lead.getByRole('button', { name: 'Add reaction' }).click();
      await vera.page.getByRole('menuitem', { name: '🎉' }).click();
      await expectText(messages(boris.page, 'New lead from Vasilek').locator('.chat-reaction'), /^🎉\s*1$/, 10000);
      await screenshot(vera.page, 'chat-thread');

      // Boris edits and deletes; Vera sees both
      await say(boris.page, 'Meeting at 3pm');
      await say(boris.page, 'Wrong chat, sorry');
      const meetingId = await messageId(boris.page, 'Meeting at 3pm');
      const meeting = boris.page.locator(`.chat-conv .chat-msg[data-id="${meetingId}"]`);
      await meeting.hover();
      await meeting.getByRole('button', { name: 'Edit message' }).click();
      await meeting.locator('textarea').fill('Meeting at 4pm');
      await meeting.locator('textarea').press('Enter');
      await expectCount(vera.page, 'Meeting at 4pm', 1);
      await expectText(messages(vera.page, 'Meeting at 4pm').locator('.chat-msg-edited'), '(edited)');
      const wrong = messages(boris.page, 'Wrong chat, sorry');
      await wrong.hover();
      await wrong.getByRole('button', { name: 'Delete message' }).click();
      await boris.page.getByRole('dialog').getByRole('button', { name: 'Delete message' }).click();
      await expectCount(vera.page, 'This message was deleted.', 1);
      await expectCount(vera.page, 'Wrong chat, sorry', 0);

      // search finds what Vera may read, with the words marked
      await vera.page.getByPlaceholder('Search messages').fill('Vasilek seats');
      const hit = vera.page.locator('.chat-result').first();
      await expectText(hit.locator('mark').first(), 'Vasilek');
      await screenshot(vera.page, 'chat-search');
      assertNoProblems(vera.problems);
      assertNoProblems(boris.problems);
    } finally {
      await vera.close();
      await boris.close();
    }
  });

  test('history scrolls up page by page, each message once', async () => {
    const boris = server.sql("SELECT id FROM users WHERE handle = 'boris'")[0][0];
    const vera = server.sql("SELECT id FROM users WHERE handle = 'vera'")[0][0];
    server.sql("INSERT INTO chat_channels (kind, name, created_by, created_at) VALUES ('public', 'history', " + boris + ', UTC_TIMESTAMP(6))');
    const id = Number(server.sql("SELECT id FROM chat_channels WHERE name = 'history'")[0][0]);
    server.sql(`INSERT INTO chat_members (channel_id, user_id, joined_at) VALUES (${id}, ${boris}, UTC_TIMESTAMP(6)), (${id}, ${vera}, UTC_TIMESTAMP(6))`);
    server.sql(`INSERT INTO chat_messages (channel_id, author_id, body_md, body_html, created_at)
      SELECT ${id}, ${boris}, CONCAT('bulk ', seq), CONCAT('<p>bulk ', seq, '</p>'), UTC_TIMESTAMP(6) - INTERVAL (200 - seq) MINUTE
      FROM seq_1_to_130`);
    server.sql(`UPDATE chat_messages SET body_md = 'the zebrafish report', body_html = '<p>the zebrafish report</p>'
      WHERE channel_id = ${id} AND body_md = 'bulk 3'`);
    const b = await openChat(VERA, DESKTOP, `/app/chat/${id}`);
    try {
      const page = b.page;
      await messages(page, 'bulk 130').waitFor();
      const first = () => page.locator('.chat-conv .chat-msg-body').first().innerText();
      assert.notEqual((await first()).trim(), 'bulk 1');
      // a search hit far back in the history: the page loads back to it and shows it
      await page.getByPlaceholder('Search messages').fill('zebrafish');
      await page.locator('.chat-result', { hasText: 'zebrafish' }).click();
      const hit = page.locator('.chat-msg-hit');
      await expectText(hit.locator('.chat-msg-body'), 'the zebrafish report');
      assert.ok(await hit.isVisible());
      await screenshot(page, 'chat-search-jump');
      await page.getByPlaceholder('Search messages').fill('');
      for (let i = 0; i < 10 && (await page.locator('.chat-start').count()) === 0; i++) {
        await page.locator('.chat-scroll').evaluate((el) => { el.scrollTop = 0; });
        await page.waitForTimeout(400);
      }
      await page.locator('.chat-start').waitFor();
      const ids = await page.locator('.chat-conv .chat-msg').evaluateAll((els) => els.map((e) => e.dataset.id));
      assert.equal(ids.length, 130);
      assert.equal(new Set(ids).size, 130);
      assert.equal((await first()).trim(), 'bulk 1');
      assertNoProblems(b.problems);
    } finally {
      await b.close();
    }
  });

  test('a new conversation on a phone, in Russian', async () => {
    const anna = await openChat('anna@demo.example', { ...PHONE, locale: 'ru-RU' });
    try {
      const page = anna.page;
      await expectText(page.locator('.chat-side-title'), 'Чат');
      await page.getByRole('button', { name: 'Новая переписка' }).click();
      await page.getByLabel('Люди').fill('bor');
      await page.locator('.chat-found-item', { hasText: 'Boris' }).click();
      await page.getByRole('button', { name: 'Начать' }).click();
      await page.locator('.chat-conv-name').waitFor();
      await expectText(page.locator('.chat-conv-name'), 'Boris Ivanov');
      await say(page, 'Борис, привет! Созвонимся?');
      await expectCount(page, 'Борис, привет! Созвонимся?', 1);
      assert.equal(await page.locator('.chat-side').isVisible(), false);
      await screenshot(page, 'chat-phone-ru');
      await page.getByRole('link', { name: 'К каналам' }).click();
      await page.locator('.chat-ch-name', { hasText: /^Boris Ivanov$/ }).waitFor();
      await screenshot(page, 'chat-phone-list');
      assertNoProblems(anna.problems);
    } finally {
      await anna.close();
    }
  });
});

describe('channel settings and the chat badge in the navigation', () => {
  test('the badge appears when someone writes and goes when the channel is read; the owner renames and archives through the dialog', async () => {
    const bApi = await apiAs(BORIS);
    const vApi = await apiAs(VERA);
    const launch = await bApi.post('/chat/channels', { name: 'launch-plan', topic: 'Spring launch', members: [] });
    await vApi.post(`/chat/channels/${launch.id}/join`, {});
    // Vera starts with everything read, on another page than the chat
    for (const c of (await vApi.get('/chat/channels')).items)
      if (c.last_message_id) await vApi.post(`/chat/channels/${c.id}/read`, { message_id: c.last_message_id });
    const vera = await openBrowser(DESKTOP);
    const boris = await openChat(BORIS, DESKTOP, `/app/chat/${launch.id}`);
    try {
      vera.context.setDefaultTimeout(15000);
      await signIn(vera.context, VERA);
      await vera.page.goto(url('/app/feed'));
      const chatNav = vera.page.locator('.nav-link', { hasText: 'Chat' });
      await chatNav.waitFor();
      await waitRealtimeOpen(vera.page);
      assert.equal(await chatNav.locator('.nav-badge').count(), 0);

      await expectText(boris.page.locator('.chat-conv-name'), '# launch-plan');
      await say(boris.page, 'Kick-off is on Monday');
      await expectText(chatNav.locator('.nav-badge'), '1', 10000);
      await say(boris.page, 'Agenda to follow');
      await expectText(chatNav.locator('.nav-badge'), '2', 10000);
      // the link keeps its name and is described by the count
      assert.equal(await vera.page.getByRole('link', { name: 'Chat', exact: true }).count(), 1);
      const described = await chatNav.getAttribute('aria-describedby');
      assert.equal(await vera.page.locator(`[id="${described}"]`).textContent(), '2 unread messages');
      await screenshot(vera.page, 'chat-nav-badge');

      // reading the channel clears it
      await chatNav.click();
      await vera.page.locator('.chat-ch', { hasText: 'launch-plan' }).click();
      await expectCount(vera.page, 'Agenda to follow', 1);
      await chatNav.locator('.nav-badge').waitFor({ state: 'detached', timeout: 10000 });

      // the owner renames it and sets a topic; Vera's page follows live
      await boris.page.getByRole('button', { name: 'Channel settings' }).click();
      const dialog = boris.page.getByRole('dialog');
      await dialog.getByLabel('Name').fill('launch-2027');
      await dialog.getByLabel('Topic (optional)').fill('Spring launch, moved to 2027');
      await screenshot(boris.page, 'chat-settings-dialog');
      await dialog.getByRole('button', { name: 'Save' }).click();
      await dialog.waitFor({ state: 'detached' });
      await expectText(boris.page.locator('.chat-conv-name'), '# launch-2027');
      await expectText(vera.page.locator('.chat-conv-name'), '# launch-2027', 10000);
      await expectText(vera.page.locator('.chat-conv-sub'), 'Spring launch, moved to 2027', 10000);

      // a member sees the settings but may not change them
      await vera.page.getByRole('button', { name: 'Channel settings' }).click();
      assert.equal(await vera.page.getByRole('dialog').getByLabel('Name').isDisabled(), true);
      assert.equal(await vera.page.getByRole('dialog').getByRole('button', { name: 'Archive channel' }).count(), 0);
      await vera.page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();

      // archived: a banner, no composer, the history still there, the list moves it away
      await boris.page.getByRole('button', { name: 'Channel settings' }).click();
      await boris.page.getByRole('dialog').getByRole('button', { name: 'Archive channel' }).click();
      await boris.page.getByRole('dialog').waitFor({ state: 'detached' });
      for (const page of [boris.page, vera.page]) {
        await expectText(page.locator('.chat-archived-text'), /archived/, 10000);
        assert.equal(await page.locator('.chat-conv .chat-input').isDisabled(), true);
        await expectCount(page, 'Kick-off is on Monday', 1);
      }
      assert.equal(await vera.page.locator('.chat-channels-archived .chat-ch', { hasText: 'launch-2027' }).count(), 1);
      assert.equal(server.sql(`SELECT archived_at IS NOT NULL FROM chat_channels WHERE id = ${launch.id}`)[0][0], '1');
      await screenshot(vera.page, 'chat-archived');
      // elsewhere in the list it is gone from the channels, under the toggle instead
      await vera.page.locator('.chat-ch', { hasText: 'general' }).click();
      assert.equal(await vera.page.locator('.chat-channels-archived').count(), 0);
      await vera.page.locator('.chat-archived-toggle').click();
      await vera.page.locator('.chat-channels-archived .chat-ch', { hasText: 'launch-2027' }).waitFor();
      await vera.page.locator('.chat-channels-archived .chat-ch', { hasText: 'office-move' }).waitFor();

      // and brought back from the banner
      await boris.page.locator('.chat-archived').getByRole('button', { name: 'Unarchive channel' }).click();
      await boris.page.locator('.chat-archived').waitFor({ state: 'detached' });
      await say(boris.page, 'We are back');
      await expectCount(boris.page, 'We are back', 1);
      assertNoProblems(vera.problems);
      assertNoProblems(boris.problems);
    } finally {
      await vera.close();
      await boris.close();
      await bApi.dispose();
      await vApi.dispose();
    }
  });

  test('an archived channel on a phone, in Russian', async () => {
    const anna = await openChat('anna@demo.example', { ...PHONE, locale: 'ru-RU' });
    try {
      const page = anna.page;
      // on a phone the list comes first: the archived channels wait under their toggle
      await page.locator('.chat-archived-toggle').click();
      await screenshot(page, 'chat-list-archived-phone-ru');
      await page.locator('.chat-channels-archived .chat-ch', { hasText: 'office-move' }).click();
      await expectText(page.locator('.chat-archived-text'), /Канал в архиве/);
      assert.equal(await page.locator('.chat-conv .chat-input').isDisabled(), true);
      await expectCount(page, 'Who takes the plants?', 1);
      await screenshot(page, 'chat-archived-phone-ru');
      await page.getByRole('button', { name: 'Настройки канала' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Вернуть из архива' }).waitFor();
      await screenshot(page, 'chat-settings-phone-ru');
      assertNoProblems(anna.problems);
    } finally {
      await anna.close();
    }
  });
});
