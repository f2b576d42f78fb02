// Support tickets in the browser: a customer opens a ticket with an attachment in the
// cabinet (on a phone); an employee finds it in the queue, replies and adds an internal
// note, assigns it and waits for the customer (desktop); the customer sees the reply and
// the attachment but not the note; open ticket pages on both sides show the other's
// replies live (realtime events), never the note; the queue flags overdue tickets; Russian texts.
// Run: PORTAL_URL=http://127.0.0.1:8080 node --test tests/e2e/tickets.test.mjs  (screenshots: E2E_ARTIFACTS)
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  DESKTOP, PHONE, assertNoProblems, expectPath, expectText, openBrowser, screenshot, signIn, startServer,
  stopServer, url,
} from './lib.mjs';

const CAROL = 'carol@client.example';
const VERA = 'vera@demo.example';
const SUBJECT = 'Invoice PDF does not open';
const REPLY = 'We found the cause and sent a corrected invoice.';
const NOTE = 'Internal: the PDF generator timed out for this customer.';

let ticketPath = null;

before(startServer);
after(stopServer);

async function as(email, realm, options) {
  const b = await openBrowser(options);
  await signIn(b.context, email, realm);
  return b;
}

test('the customer opens a ticket with an attachment from a phone', async () => {
  const b = await as(CAROL, 'cabinet', PHONE);
  try {
    const { page } = b;
    await page.goto(url('/cabinet/tickets'));
    await page.getByRole('link', { name: 'New ticket' }).first().click();
    await expectPath(page, '/cabinet/tickets/new');
    await page.getByLabel('Subject').fill(SUBJECT);
    await page.getByLabel('Describe the problem').fill('The invoice for **November** shows an error.');
    await page.locator('[data-testid="ticket-files"]').setInputFiles({ name: 'error-screenshot.txt', mimeType: 'text/plain', buffer: Buffer.from('error 500') });
    await page.locator('.tk-upload-done').waitFor();
    await screenshot(page, 'tickets-cabinet-new-phone');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.waitForURL(/\/cabinet\/tickets\/\d+$/);
    ticketPath = new URL(page.url()).pathname;
    await expectText(page.locator('.tk-msg').first().locator('.tk-msg-body strong'), 'November');
    await expectText(page.locator('.tk-file-name').first(), 'error-screenshot.txt');
    assertNoProblems(b.problems);
  } finally {
    await b.close();
  }
});

test('an employee replies, adds an internal note, assigns and changes the status', async () => {
  assert.ok(ticketPath, 'the customer created a ticket');
  const id = ticketPath.split('/').pop();
  const b = await as(VERA, 'employee', DESKTOP);
  try {
    const { page } = b;
    await page.goto(url('/app/crm/tickets?assignee=none'));
    const row = page.locator(`.tk-row[data-ticket-id="${id}"]`);
    await expectText(row.locator('.tk-row-title'), `#${id} ${SUBJECT}`, 15000);
    await screenshot(page, 'tickets-queue-desktop');
    await row.locator('a').click();
    await expectPath(page, `/app/crm/tickets/${id}`);

    await page.getByLabel('Your reply').fill(REPLY);
    await page.getByRole('button', { name: 'Send reply' }).click();
    await expectText(page.locator('.tk-msg').nth(1).locator('.tk-msg-body'), REPLY);

    await page.locator('.tk-mode-opt', { hasText: 'Internal note' }).click();
    await page.locator('.tk-reply textarea').fill(NOTE);
    await page.getByRole('button', { name: 'Add note' }).click();
    await expectText(page.locator('.tk-msg-note .tk-msg-body'), NOTE);

    await page.getByRole('button', { name: 'Assign to me' }).click();
    await expectText(page.locator('.tk-controls select').first().locator('option:checked'), 'Vera Smirnova');
    await page.getByLabel('Priority').selectOption('high');
    await expectText(page.locator('.tk-controls select').nth(1).locator('option:checked'), 'High');
    await page.getByRole('button', { name: 'Wait for customer' }).click();
    await expectText(page.locator('.page-lead .tk-status'), 'Waiting for customer');
    await screenshot(page, 'tickets-employee-thread-desktop');
    assertNoProblems(b.problems);
  } finally {
    await b.close();
  }
});

test('the customer sees the reply and not the note', async () => {
  const b = await as(CAROL, 'cabinet', PHONE);
  try {
    const { page } = b;
    await page.goto(url(ticketPath));
    await expectText(page.locator('.tk-msg').nth(1).locator('.tk-msg-body'), REPLY, 15000);
    assert.equal(await page.locator('.tk-msg').count(), 2, 'the description and the reply, no note');
    const text = await page.locator('main').innerText();
    assert.ok(!text.includes('PDF generator'), 'the internal note is visible to the customer');
    assert.ok(!text.includes('Internal note'), 'the customer sees the note toggle');
    await expectText(page.locator('.page-lead .tk-status'), 'Waiting for customer');
    await screenshot(page, 'tickets-cabinet-thread-phone');
    // the reply from the cabinet moves the ticket back to open
    await page.getByLabel('Your reply').fill('Thank you, it opens now.');
    await page.getByRole('button', { name: 'Send reply' }).click();
    await expectText(page.locator('.page-lead .tk-status'), 'Open');
    await page.goto(url('/cabinet/tickets'));
    await page.locator('.tk-updates').waitFor();
    await screenshot(page, 'tickets-cabinet-list-phone');
    assertNoProblems(b.problems);
  } finally {
    await b.close();
  }
});

/* Resolves once the page's realtime socket said hello (the page is live, not polling). */
function liveSocket(page) {
  return new Promise((resolve) => {
    page.on('websocket', (ws) => ws.on('framereceived', (f) => /"type":\s*"hello"/.test(String(f.payload)) && resolve()));
  });
}

test('open ticket pages show the other side\'s replies live, never the internal note', async () => {
  assert.ok(ticketPath, 'the customer created a ticket');
  const id = ticketPath.split('/').pop();
  const carol = await as(CAROL, 'cabinet', PHONE);
  const vera = await as(VERA, 'employee', DESKTOP);
  try {
    const live = [liveSocket(carol.page), liveSocket(vera.page)];
    await carol.page.goto(url(ticketPath));
    await vera.page.goto(url(`/app/crm/tickets/${id}`));
    await Promise.all(live);
    const seen = await carol.page.locator('.tk-msg').count();
    await expectText(carol.page.locator('.tk-msg').nth(seen - 1).locator('.tk-msg-body'), 'Thank you, it opens now.');
    await expectText(vera.page.locator('.tk-msg').last().locator('.tk-msg-body'), 'Thank you, it opens now.');
    await carol.page.evaluate(() => (window.__samePage = true));
    await vera.page.evaluate(() => (window.__samePage = true));

    // an internal note, then a public reply, typed by the employee
    await vera.page.locator('.tk-mode-opt', { hasText: 'Internal note' }).click();
    await vera.page.locator('.tk-reply textarea').fill('Internal: second PDF check done, all fine.');
    await vera.page.getByRole('button', { name: 'Add note' }).click();
    await expectText(vera.page.locator('.tk-msg-note .tk-msg-body').last(), 'Internal: second PDF check done, all fine.');
    await vera.page.locator('.tk-mode-opt', { hasText: 'Reply to customer' }).click();
    await vera.page.locator('.tk-reply textarea').fill('Glad it works. Anything else?');
    await vera.page.getByRole('button', { name: 'Send reply' }).click();

    // the customer's page shows the reply well within the 30 s poll, without a reload
    await expectText(carol.page.locator('.tk-msg').nth(seen).locator('.tk-msg-body'), 'Glad it works. Anything else?', 10000);
    assert.equal(await carol.page.locator('.tk-msg').count(), seen + 1, 'one new message, no note');
    const text = await carol.page.locator('main').innerText();
    assert.ok(!text.includes('second PDF check'), 'the internal note reached the customer');
    assert.ok(!text.includes('PDF generator'), 'the first internal note reached the customer');
    assert.equal(await carol.page.evaluate(() => window.__samePage), true, 'the customer\'s page was reloaded');

    // and the employee's page shows the customer's answer the same way
    await carol.page.getByLabel('Your reply').fill('No, that is all. Thanks!');
    await carol.page.getByRole('button', { name: 'Send reply' }).click();
    await expectText(vera.page.locator('.tk-msg').last().locator('.tk-msg-body'), 'No, that is all. Thanks!', 10000);
    assert.equal(await vera.page.evaluate(() => window.__samePage), true, 'the employee\'s page was reloaded');
    await screenshot(carol.page, 'tickets-cabinet-live-reply-phone');
    assertNoProblems(carol.problems);
    assertNoProblems(vera.problems);
  } finally {
    await carol.close();
    await vera.close();
  }
});

test('the queue flags overdue tickets, on a phone and in Russian', async () => {
  const b = await as(VERA, 'employee', { ...PHONE, locale: 'ru-RU' });
  try {
    const { page } = b;
    await page.goto(url('/app/crm/tickets?overdue=1'));
    await page.locator('.tk-row').first().waitFor({ timeout: 15000 }); // a cold browser on a busy box
    const rows = await page.locator('.tk-row').count();
    assert.ok(rows > 0);
    assert.equal(await page.locator('.tk-row-overdue').count(), rows);
    await expectText(page.locator('.tk-overdue').first(), 'Просрочен');
    await screenshot(page, 'tickets-queue-overdue-phone-ru');
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `the queue is wider than the phone: ${width}px`);
    assertNoProblems(b.problems);
  } finally {
    await b.close();
  }
});

test('the account page has a tickets section with that company\'s tickets', async () => {
  const b = await as(VERA, 'employee', DESKTOP);
  try {
    const { page } = b;
    const res = await b.context.request.get(url('/api/v1/accounts?q=Romashka'));
    const account = (await res.json()).items.find((a) => a.name === 'Romashka LLC');
    assert.ok(account, 'the demo account is there');
    await page.goto(url(`/app/crm/accounts/${account.id}/tickets`));
    await page.locator('.tk-account .tk-row').first().waitFor({ timeout: 15000 });
    const subs = await page.locator('.tk-account .tk-row-sub').allInnerTexts();
    assert.ok(subs.length >= 6 && subs.every((s) => s.startsWith('Romashka LLC')), subs.join('\n'));
    await screenshot(page, 'tickets-account-section-desktop');
    assertNoProblems(b.problems);
  } finally {
    await b.close();
  }
});
