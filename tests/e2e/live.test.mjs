// Live updates over the realtime gateway, two browsers side by side: an employee confirms an
// order and the customer's open cabinet order page, orders list and bell follow without a
// reload (and so does the employee's other tab on the account's timeline); an employee uploads
// a document version and the partner's open documents page shows it, and the partner's upload
// appears on the employee's open documents page.
// Run: node --test tests/e2e/live.test.mjs  (starts its own portal; screenshots: E2E_ARTIFACTS)
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  DESKTOP, PHONE, apiAs, assertNoProblems, expectText, openBrowser, screenshot, signIn,
  startServer, stopServer, url, waitRealtimeOpen as waitOpen,
} from './lib.mjs';

const BORIS = 'boris@demo.example';
const CAROL = 'carol@client.example'; // cabinet user of Romashka LLC
const PAVEL = 'pavel@partner.example'; // cabinet user of Logistika

/* Marks the document; the function returned is true while the same document is shown. */
async function markPage(page) {
  await page.evaluate(() => { window.liveMark = 'still here'; });
  return async () => (await page.evaluate(() => window.liveMark)) === 'still here';
}

let romashka;
let logistika;
before(async () => {
  await startServer();
  const boris = await apiAs(BORIS);
  romashka = (await boris.get('/accounts?q=Romashka')).items[0];
  logistika = (await boris.get('/accounts?q=Logistika')).items[0];
  await boris.dispose();
});
after(stopServer);

describe('live updates', () => {
  test('an employee confirms an order: the customer\'s open pages and bell follow without a reload', async () => {
    const boris = await apiAs(BORIS);
    const order = await boris.post('/orders', {
      account_id: romashka.id,
      items: [{ product_name: 'Live desk', sku: 'LV-1', quantity: '1', unit_price: '100.00', vat_rate: '20' }],
    });
    await boris.dispose();
    const customer = await openBrowser(PHONE);
    const employee = await openBrowser(DESKTOP);
    try {
      await signIn(customer.context, CAROL, 'cabinet');
      const page = customer.page;
      await page.goto(url(`/cabinet/orders/${order.id}`));
      await expectText(page.locator('.page-header .order-status'), 'New');
      const list = await customer.context.newPage();
      await list.goto(url('/cabinet/orders'));
      const row = list.locator('tr', { hasText: order.number });
      await expectText(row.locator('.order-status'), 'New');
      await waitOpen(page);
      await waitOpen(list);
      const badge = page.locator('.cbell-count');
      const unread = Number((await badge.innerText({ timeout: 500 }).catch(() => '0')) || 0);
      const samePage = await markPage(page);
      const sameList = await markPage(list);

      await signIn(employee.context, BORIS);
      const timeline = await employee.context.newPage();
      await timeline.goto(url(`/app/crm/accounts/${romashka.id}/timeline`));
      await timeline.locator('.crm-timeline-item').first().waitFor();
      await waitOpen(timeline);
      const sameTimeline = await markPage(timeline);
      const ep = employee.page;
      await ep.goto(url(`/app/crm/orders/${order.id}`));
      await ep.getByRole('button', { name: 'Confirm' }).click();
      await ep.getByLabel('Comment for the customer (optional)').fill('Live: confirmed');
      await ep.locator('dialog').getByRole('button', { name: 'Confirm' }).click();
      await expectText(ep.locator('.page-header .order-status'), 'Confirmed');

      // Far sooner than the 30 s poll, which only runs while the socket is down.
      await expectText(page.locator('.page-header .order-status'), 'Confirmed', 4000);
      await expectText(page.locator('.order-step.is-current .order-step-name'), 'Confirmed', 1000);
      await expectText(page.locator('.order-history-comment').first(), 'Live: confirmed', 1000);
      await expectText(badge, String(unread + 1), 4000);
      await expectText(row.locator('.order-status'), 'Confirmed', 4000);
      await expectText(timeline.locator('.crm-timeline-item').first(), new RegExp(`${order.number}: new -> confirmed`), 4000);
      assert.ok(await samePage(), 'the cabinet order page was not reloaded');
      assert.ok(await sameList(), 'the cabinet orders list was not reloaded');
      assert.ok(await sameTimeline(), 'the account timeline was not reloaded');
      await page.locator('.cbell-button').click();
      await expectText(page.locator('.cbell-item').first(), new RegExp(`Order ${order.number} is now: Confirmed`));
      await screenshot(page, 'live-cabinet-order-phone');
      assertNoProblems(customer.problems);
      assertNoProblems(employee.problems);
    } finally {
      await customer.close();
      await employee.close();
    }
  });

  test('a new document version reaches the partner\'s open documents page, and the partner\'s upload the employee\'s', async () => {
    const boris = await apiAs(BORIS);
    const title = `live-contract-${Date.now()}.pdf`;
    const doc = await boris.upload(`/documents?account_id=${logistika.id}&name=${title}`, randomBytes(2000), 'application/pdf');
    await boris.dispose();
    const partner = await openBrowser(DESKTOP);
    const employee = await openBrowser(DESKTOP);
    try {
      await signIn(partner.context, PAVEL, 'cabinet');
      const page = partner.page;
      await page.goto(url(`/cabinet/documents/${doc.document_id}`));
      const detail = page.locator(`.doc-detail[data-document-id="${doc.document_id}"]`);
      await detail.locator('.doc-version[data-version="1"]').waitFor();
      const row = page.locator(`.doc-row[data-document-id="${doc.document_id}"]`);
      await expectText(row.locator('.doc-row-meta'), /^v1 ·/);
      await waitOpen(page);
      const samePartner = await markPage(page);

      await signIn(employee.context, BORIS);
      const ep = employee.page;
      await ep.goto(url(`/app/crm/documents?account=${logistika.id}&doc=${doc.document_id}`));
      const edetail = ep.locator(`.doc-detail[data-document-id="${doc.document_id}"]`);
      await edetail.locator('.doc-version[data-version="1"]').waitFor();
      await waitOpen(ep);
      const sameEmployee = await markPage(ep);
      await edetail.locator('input.input').first().fill('signed copy');
      await edetail.locator('.doc-drop input[type=file]').setInputFiles({ name: 'signed.pdf', mimeType: 'application/pdf', buffer: randomBytes(3000) });
      await edetail.locator('.doc-version[data-version="2"]').waitFor({ timeout: 10000 });

      // The partner's open page shows version 2 in the document and in the list, no reload.
      await detail.locator('.doc-version[data-version="2"]').waitFor({ timeout: 4000 });
      await expectText(detail.locator('.doc-version[data-version="2"] .doc-version-comment'), 'signed copy', 1000);
      await expectText(row.locator('.doc-row-meta'), /^v2 ·/, 4000);
      assert.ok(await samePartner(), 'the cabinet documents page was not reloaded');
      await screenshot(page, 'live-cabinet-documents');

      // The other way: the partner sends a file, the employee's open list shows it.
      const sent = `live-from-partner-${Date.now()}.pdf`;
      await page.locator('.doc-page > .doc-drop input[type=file], .doc-page .doc-drop input[type=file]').first()
        .setInputFiles({ name: sent, mimeType: 'application/pdf', buffer: randomBytes(1500) });
      await page.locator('.doc-row', { hasText: sent }).waitFor({ timeout: 10000 });
      await ep.locator('.doc-row', { hasText: sent }).waitFor({ timeout: 4000 });
      assert.ok(await sameEmployee(), 'the employee documents page was not reloaded');
      await screenshot(ep, 'live-app-documents');
      assertNoProblems(partner.problems);
      assertNoProblems(employee.problems);
    } finally {
      await partner.close();
      await employee.close();
    }
  });
});
