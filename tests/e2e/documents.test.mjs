// Documents in the browser: the partner drops a file into the cabinet and watches its progress
// bar, an employee uploads version 2 on the documents page, the partner downloads it and its
// SHA-256 matches; the partner acknowledges the demo contract; a password-protected share link
// opens its page, serves the file and stops working after its expiry; phone and Russian layouts.
// Run: PORTAL_URL=http://127.0.0.1:8080 node --test tests/e2e/documents.test.mjs  (screenshots: E2E_ARTIFACTS)
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { request } from 'playwright-core';
import {
  BASE_URL, DEMO_PASSWORD, PHONE, assertNoProblems, expectText, openBrowser, screenshot, signIn,
  startServer, stopServer, url,
} from './lib.mjs';

const PAVEL = 'pavel@partner.example';
const BORIS = 'boris@demo.example';
const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');

async function apiAs(email, realm = 'employee') {
  const ctx = await request.newContext({ baseURL: BASE_URL });
  const res = await ctx.post('/api/v1/auth/login', { data: { email, password: DEMO_PASSWORD, realm } });
  assert.equal(res.status(), 200, `api login ${email}: ${await res.text()}`);
  const { csrf_token: csrf } = await res.json();
  const json = async (r) => {
    assert.ok(r.ok(), `${r.url()}: ${r.status()} ${await r.text()}`);
    return r.json();
  };
  return {
    get: async (p) => json(await ctx.get('/api/v1' + p)),
    post: async (p, data) => json(await ctx.post('/api/v1' + p, { data, headers: { 'X-CSRF-Token': csrf } })),
    dispose: () => ctx.dispose(),
  };
}

/* Records every value the upload progress bars show, from before the upload starts. */
async function watchProgress(page) {
  await page.evaluate(() => {
    window.progressSeen = [];
    new MutationObserver((records) => {
      for (const r of records) {
        const el = r.target.closest?.('progress') ?? (r.target.querySelectorAll ? r.target.querySelector('progress') : null);
        if (el) window.progressSeen.push(Number(el.dataset.progress));
      }
    }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-progress'] });
  });
}

/* Uploads go through the network at about 4 MB/s, so progress has something to show. */
async function slowUploads(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 4 * 1024 * 1024,
  });
  return cdp;
}

let logistika;
before(async () => {
  await startServer();
  const boris = await apiAs(BORIS);
  logistika = (await boris.get('/accounts?q=Logistika')).items[0];
  await boris.dispose();
});
after(stopServer);

describe('documents', () => {
  const original = randomBytes(3 * 1024 * 1024);
  const second = randomBytes(1024 * 1024 + 17);
  let docId;

  test('the partner uploads a file with a progress bar', async () => {
    const b = await openBrowser();
    try {
      await signIn(b.context, PAVEL, 'cabinet');
      await b.page.goto(url('/cabinet/documents'));
      await b.page.getByRole('heading', { name: 'Documents', level: 1 }).waitFor();
      await watchProgress(b.page);
      const cdp = await slowUploads(b.page);
      await b.page.locator('.doc-drop input[type=file]').setInputFiles({ name: 'acts-december.pdf', mimeType: 'application/pdf', buffer: original });
      const row = b.page.locator('.doc-upload-row').first();
      await row.locator('progress').waitFor();
      await expectText(row.locator('.doc-upload-state'), /Uploading… \d+%/, 3000);
      await screenshot(b.page, 'documents-cabinet-uploading');
      await b.page.locator('.doc-upload-row[data-status=done]').waitFor({ timeout: 15000 });
      await cdp.detach();
      const seen = await b.page.evaluate(() => window.progressSeen);
      assert.ok(seen.some((v) => v > 0 && v < 100), `progress went through intermediate values: ${seen.join(',')}`);
      assert.equal(await row.locator('progress').getAttribute('data-progress'), '100');
      const item = b.page.locator('.doc-row', { hasText: 'acts-december.pdf' });
      await item.waitFor();
      docId = Number(await item.getAttribute('data-document-id'));
      assert.ok(docId > 0);
      await screenshot(b.page, 'documents-cabinet');
      assertNoProblems(b.problems);
    } finally {
      await b.close();
    }
  });

  test('an employee uploads version 2 on the documents page', async () => {
    const b = await openBrowser();
    try {
      await signIn(b.context, BORIS);
      await b.page.goto(url(`/app/crm/documents?account=${logistika.id}&doc=${docId}`));
      const detail = b.page.locator(`.doc-detail[data-document-id="${docId}"]`);
      await detail.waitFor();
      await expectText(detail.locator('.doc-detail-title'), 'acts-december.pdf');
      await detail.locator('.badge', { hasText: 'New in inbox' }).waitFor();
      await detail.locator('input.input').first().fill('checked and stamped');
      await detail.locator('.doc-drop input[type=file]').setInputFiles({ name: 'acts-december-stamped.pdf', mimeType: 'application/pdf', buffer: second });
      await detail.locator('.doc-version[data-version="2"]').waitFor({ timeout: 10000 });
      await expectText(detail.locator('.doc-version[data-version="2"] .doc-version-comment'), 'checked and stamped');
      await expectText(detail.locator('.doc-version[data-version="2"] .doc-sha'), `SHA-256 ${sha256(second)}`);
      await detail.getByRole('button', { name: 'Mark as reviewed' }).click();
      await detail.locator('.badge', { hasText: 'New in inbox' }).waitFor({ state: 'detached' });
      await screenshot(b.page, 'documents-app-detail');
      // The access log shows the partner's upload.
      await expectText(detail.locator('.doc-log tbody tr').last(), /uploaded v1\s+Pavel Morozov/);
      assertNoProblems(b.problems);
    } finally {
      await b.close();
    }
  });

  test('the partner downloads version 2 and its SHA-256 matches', async () => {
    const b = await openBrowser();
    try {
      await signIn(b.context, PAVEL, 'cabinet');
      await b.page.goto(url(`/cabinet/documents?doc=${docId}`));
      const v2 = b.page.locator('.doc-detail .doc-version[data-version="2"]');
      await v2.waitFor();
      const shown = (await v2.locator('.doc-sha').innerText()).replace('SHA-256 ', '').trim();
      const [download] = await Promise.all([b.page.waitForEvent('download'), v2.locator('a.doc-version-name').click()]);
      assert.equal(download.suggestedFilename(), 'acts-december-stamped.pdf');
      const bytes = await readFile(await download.path());
      assert.equal(sha256(bytes), sha256(second));
      assert.equal(shown, sha256(second));
      assertNoProblems(b.problems);
    } finally {
      await b.close();
    }
  });

  test('the partner acknowledges the demo contract', async () => {
    const b = await openBrowser();
    try {
      await signIn(b.context, PAVEL, 'cabinet');
      await b.page.goto(url('/cabinet/documents'));
      const row = b.page.locator('#dg-wait').locator('..').locator('.doc-row', { hasText: 'Framework contract 2026' });
      await row.locator('button').click();
      await b.page.getByTestId('doc-ack').click();
      await b.page.locator('.doc-detail .alert', { hasText: 'You acknowledged this document' }).waitFor();
      const boris = await apiAs(BORIS);
      const contract = (await boris.get(`/documents?account_id=${logistika.id}&q=Framework`)).items[0];
      const doc = await boris.get(`/documents/${contract.id}`);
      assert.ok(doc.acks.find((a) => a.user.name === 'Pavel Morozov').acked_at);
      await boris.dispose();
      assertNoProblems(b.problems);
    } finally {
      await b.close();
    }
  });

  test('a share link: the password page serves the file; a link stops working after its expiry (410)', async () => {
    const boris = await apiAs(BORIS);
    const link = await boris.post(`/documents/${docId}/links`, { expires_at: new Date(Date.now() + 3600e3).toISOString(), password: 'stamp it 2026' });
    const b = await openBrowser();
    // The second link only has to open once before it expires (made once the browser is
    // up): its page needs no password check.
    const expires = Date.now() + 1500;
    const short = await boris.post(`/documents/${docId}/links`, { expires_at: new Date(expires).toISOString(), password: 'stamp it 2026' });
    await boris.dispose();
    try {
      const before = await b.page.goto(short.url);
      assert.equal(before.status(), 200, 'the short link works before its expiry');
      await b.page.waitForLoadState('networkidle'); // the page's icon, before navigating on
      const first = await b.page.goto(link.url);
      assert.equal(first.status(), 200);
      await b.page.getByRole('heading', { name: 'Password required' }).waitFor();
      await screenshot(b.page, 'documents-share-password');
      await b.page.getByLabel('Password').fill('stamp it 2026');
      // argon2id takes its time on a loaded machine: wait longer than the default 5 s.
      const [download] = await Promise.all([b.page.waitForEvent('download', { timeout: 20000 }),
        b.page.getByRole('button', { name: 'Download' }).click()]);
      assert.equal(sha256(await readFile(await download.path())), sha256(second));
      await new Promise((r) => setTimeout(r, Math.max(0, expires + 1000 - Date.now())));
      const gone = await b.page.goto(short.url);
      assert.equal(gone.status(), 410);
      await b.page.getByRole('heading', { name: 'Link no longer works' }).waitFor();
      const ru = await b.page.goto(`${short.url}?lang=ru`);
      assert.equal(ru.status(), 410);
      await b.page.getByRole('heading', { name: 'Ссылка больше не действует' }).waitFor();
      // A form POST answered with an attachment becomes a download: Chromium reports the
      // navigation itself as aborted.
      assertNoProblems(b.problems, { allow: [/^410 GET /, /status of 410/, /^POST \S+\/s\/\S+: net::ERR_ABORTED$/] });
    } finally {
      await b.close();
    }
  });

  test('an outsider sends a file through an upload-request link without seeing the folder', async () => {
    const boris = await apiAs(BORIS);
    const folders = await boris.get(`/folders?account_id=${logistika.id}`);
    const inbox = folders.items.find((f) => f.kind === 'inbox');
    const link = await boris.post(`/folders/${inbox.id}/upload-links`, { expires_at: new Date(Date.now() + 3600e3).toISOString() });
    const b = await openBrowser({ locale: 'ru-RU' });
    try {
      const res = await b.page.goto(link.url);
      assert.equal(res.status(), 200);
      await b.page.getByRole('heading', { name: 'Отправка файлов' }).waitFor();
      assert.equal(await b.page.locator('text=acts-december').count(), 0, 'the folder is not listed');
      const data = randomBytes(200 * 1024);
      await b.page.locator('input[type=file]').setInputFiles({ name: 'scan 1.pdf', mimeType: 'application/pdf', buffer: data });
      await b.page.getByRole('button', { name: 'Отправить' }).click();
      await expectText(b.page.locator('#link-upload-list .sent'), 'Отправлено', 10000);
      await screenshot(b.page, 'documents-upload-link');
      const docs = await boris.get(`/documents?account_id=${logistika.id}&folder_id=${inbox.id}&q=scan`);
      assert.equal(docs.items[0].current_version.sha256, sha256(data));
      assert.equal(docs.items[0].current_version.via_link, true);
      assertNoProblems(b.problems);
    } finally {
      await b.close();
      await boris.dispose();
    }
  });

  test('the account page has a Documents tab with the same area', async () => {
    const b = await openBrowser();
    try {
      await signIn(b.context, BORIS);
      await b.page.goto(url(`/app/crm/accounts/${logistika.id}`));
      await b.page.locator('.crm-tab', { hasText: 'Documents' }).click();
      await b.page.locator('.doc-row', { hasText: 'Framework contract 2026' }).locator('button').click();
      await b.page.locator('.doc-detail .doc-version[data-version="2"]').waitFor();
      await expectText(b.page.locator('.doc-detail .doc-ack[data-acked="yes"] .doc-ack-name'), /Pavel Morozov/);
      await screenshot(b.page, 'documents-account-tab');
      assertNoProblems(b.problems);
    } finally {
      await b.close();
    }
  });

  test('on a phone, in Russian: the cabinet and the employee page fit 390 px', async () => {
    for (const [email, realm, path, name] of [
      [PAVEL, 'cabinet', `/cabinet/documents?doc=${docId}`, 'documents-cabinet-phone-ru'],
      [BORIS, 'employee', `/app/crm/documents?account=${logistika.id}&doc=${docId}`, 'documents-app-phone-ru'],
    ]) {
      const b = await openBrowser({ ...PHONE, locale: 'ru-RU' });
      try {
        await signIn(b.context, email, realm);
        await b.page.goto(url(path));
        await b.page.locator('.doc-detail .doc-version').first().waitFor();
        await b.page.getByText('Версии').first().waitFor();
        const overflow = await b.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 1, `${path}: page is ${overflow}px wider than the phone`);
        await screenshot(b.page, name);
        assertNoProblems(b.problems);
      } finally {
        await b.close();
      }
    }
  });
});
