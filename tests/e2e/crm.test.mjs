// CRM in the browser: an employee creates an order for Romashka LLC (totals shown while typing
// and computed by the server) and confirms it with a comment; the customer (carol, on a phone)
// sees it in the cabinet with its status history; "preview as customer" from the account page
// shows the employee the same cabinet, read-only; the account page in Russian.
// Run: PORTAL_URL=http://127.0.0.1:8080 node --test tests/e2e/crm.test.mjs  (screenshots: E2E_ARTIFACTS)
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  DESKTOP, PHONE, assertNoProblems, expectPath, expectText, openBrowser, screenshot, signIn, startServer, stopServer, url,
} from './lib.mjs';

const BORIS = 'boris@demo.example';
const CAROL = 'carol@client.example';
const PRODUCT = `Standing desk ${Date.now() % 100000}`;

async function withBrowser(options, fn) {
  const browser = await openBrowser(options);
  browser.context.setDefaultTimeout(15000);
  try {
    await fn(browser);
  } finally {
    await browser.close();
  }
}

let orderNumber = null;
let orderPath = null;

before(async () => {
  await startServer();
});
after(async () => {
  await stopServer();
});

describe('orders from both sides', () => {
  test('an employee creates an order and confirms it with a comment for the customer', async () => {
    await withBrowser(DESKTOP, async ({ context, page, problems }) => {
      await signIn(context, BORIS);
      await page.goto(url('/app/crm/accounts'));
      await page.getByRole('link', { name: 'Romashka LLC' }).click();
      await expectText(page.locator('h1'), 'Romashka LLC');
      await page.getByRole('link', { name: 'New order' }).click();
      await expectPath(page, '/app/crm/orders/new');
      // the account comes preselected from the account page
      await expectText(page.locator('select').first().locator('option:checked'), 'Romashka LLC');
      await page.getByLabel('Product').fill(PRODUCT);
      await page.getByLabel('SKU').fill('DSK-1');
      await page.getByLabel('Qty').fill('2');
      await page.getByLabel('Unit price').fill('1234,55');
      // 2 x 1234.55 = 2469.10, VAT 20 % = 493.82
      await expectText(page.locator('.order-totals-live .order-total dd'), /2,962\.92/);
      await page.getByLabel('Comment for the customer').fill('Delivery in two weeks');
      await screenshot(page, 'crm-new-order');
      await page.getByRole('button', { name: 'Create order' }).click();
      await page.waitForURL(/\/app\/crm\/orders\/\d+$/);
      orderPath = new URL(page.url()).pathname;
      orderNumber = (await page.locator('h1').innerText()).replace('Order ', '').trim();
      assert.match(orderNumber, /^ORD-\d{6}$/);
      await expectText(page.locator('.order-totals .order-total dd'), /2,962\.92/);
      await page.getByRole('button', { name: 'Confirm' }).click();
      await page.getByLabel('Comment for the customer (optional)').fill('Confirmed, we ship on Monday');
      await page.locator('dialog').getByRole('button', { name: 'Confirm' }).click();
      await expectText(page.locator('.page-header .order-status'), 'Confirmed');
      await expectText(page.locator('.order-history-comment').first(), 'Confirmed, we ship on Monday');
      // a jump the workflow does not allow is not offered
      assert.equal(await page.getByRole('button', { name: 'Mark delivered' }).count(), 0);
      await screenshot(page, 'crm-order-confirmed');
      assertNoProblems(problems);
    });
  });

  test('the customer sees the order, its totals and its history in the cabinet, on a phone', async () => {
    assert.ok(orderNumber, 'the first test made an order');
    await withBrowser(PHONE, async ({ context, page, problems }) => {
      await signIn(context, CAROL, 'cabinet');
      await page.goto(url('/cabinet/orders'));
      const row = page.locator('tr', { hasText: orderNumber });
      await expectText(row.locator('.order-status'), 'Confirmed');
      await row.getByRole('link', { name: orderNumber }).click();
      await expectText(page.locator('h1'), `Order ${orderNumber}`);
      await expectText(page.locator('.order-step.is-current .order-step-name'), 'Confirmed');
      await expectText(page.locator('.order-items td').first(), new RegExp(PRODUCT));
      await expectText(page.locator('.order-totals .order-total dd'), /2,962\.92/);
      await expectText(page.locator('.order-history-comment').first(), 'Confirmed, we ship on Monday');
      await expectText(page.locator('.alert'), /Delivery in two weeks/);
      // the bell has the status change
      await page.locator('.cbell-button').click();
      await expectText(page.locator('.cbell-item').first(), new RegExp(`Order ${orderNumber} is now: Confirmed`));
      await screenshot(page, 'crm-cabinet-order-phone');
      // another account's order is "not found", like a missing one
      const res = await context.request.get(url('/api/v1/cabinet/orders/999999'));
      assert.equal(res.status(), 404);
      assertNoProblems(problems, { allow: [/404 GET \S*\/api\/v1\/cabinet\/orders\/999999/] });
    });
  });

  test('preview as customer shows the employee the same cabinet, read-only', async () => {
    await withBrowser(DESKTOP, async ({ context, page, problems }) => {
      await signIn(context, BORIS);
      await page.goto(url('/app/crm/accounts'));
      await page.getByRole('link', { name: 'Romashka LLC' }).click();
      const [tab] = await Promise.all([context.waitForEvent('page'), page.getByRole('link', { name: 'Preview as customer' }).click()]);
      tab.setDefaultTimeout(15000);
      await tab.waitForURL(/\/cabinet\/orders$/);
      await expectText(tab.locator('.preview-banner strong'), 'Preview as Romashka LLC.');
      const row = tab.locator('tr', { hasText: orderNumber });
      await expectText(row.locator('.order-status'), 'Confirmed');
      await row.getByRole('link', { name: orderNumber }).click();
      await expectText(tab.locator('.order-history-comment').first(), 'Confirmed, we ship on Monday');
      // no bell (it would be the employee's), no status buttons
      assert.equal(await tab.locator('.cbell').count(), 0);
      assert.equal(await tab.getByRole('button', { name: 'Confirm' }).count(), 0);
      await screenshot(tab, 'crm-preview');
      // the cabinet's requests carry the previewed account (the server answers GETs only)
      const seen = await tab.evaluate(() => sessionStorage.getItem('portal.preview'));
      assert.match(seen, /"id":\d+/);
      await tab.getByRole('button', { name: 'Exit preview' }).click();
      await tab.waitForURL(/\/app\/crm\/accounts\/\d+$/);
      await expectText(tab.locator('h1'), 'Romashka LLC');
      assertNoProblems(problems);
    });
  });

  test('the account page in Russian on a phone: tabs, contacts, timeline', async () => {
    await withBrowser({ ...PHONE, locale: 'ru-RU' }, async ({ context, page, problems }) => {
      await signIn(context, BORIS);
      await page.goto(url('/app/crm/accounts'));
      await page.getByRole('link', { name: 'Romashka LLC' }).click();
      await expectText(page.locator('.crm-tab[aria-current=page]'), /Заказы/);
      await page.getByRole('link', { name: /Контакты/ }).click();
      await expectText(page.locator('.crm-contact-name').first(), /Carol Sokolova|Igor Romanov|Olga Belova/);
      await page.getByRole('link', { name: 'История' }).click();
      await expectText(page.locator('.crm-timeline-item').first().locator('strong'), 'Статус заказа');
      await screenshot(page, 'crm-account-ru-phone');
      assertNoProblems(problems);
    });
  });
});
