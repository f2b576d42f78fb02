// Stored files are served so they can never run (issue 14, item 9). Every route that
// streams a stored file (GET /api/v1/files/{id} for feed, chat, KB, ticket and card
// attachments; employee and cabinet document version downloads; share links /s/{token},
// with and without a password; HEAD) answers with the same headers: application/octet-stream
// unless the type is PNG, JPEG, GIF, WebP, PDF or plain text (and the name's extension and
// first bytes agree), Content-Disposition attachment (inline only for those images),
// X-Content-Type-Options: nosniff and one Content-Security-Policy: sandbox. Uploaded as
// .html, .svg, .js and a GIF/HTML polyglot under both types, nothing comes back as a page.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startPortal, api } from '../lib/portal.mjs';
import { loginAs, show } from '../lib/identity.mjs';
import { sha256, accountId, uploadRaw, inMs } from '../lib/documents.mjs';

let p;
let vera; let boris; let pavel;
let logistika;

before(async () => {
  p = await startPortal({ demo: true, env: { PORTAL_SCHEDULER_INTERVAL: '3600' } });
  [vera, boris, pavel] = await Promise.all([
    loginAs(p.url, 'vera@demo.example'), loginAs(p.url, 'boris@demo.example'),
    loginAs(p.url, 'pavel@partner.example'),
  ]);
  logistika = accountId(p, 'Logistika Partner');
});
after(async () => { await p?.stop(); });

const script = '<script>fetch("/api/v1/me").then((r) => r.text()).then(alert)</script>';
const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
const gifPolyglot = Buffer.concat([Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1'), Buffer.from(`<html>${script}</html>`)]);
const webp = Buffer.concat([Buffer.from('RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00', 'latin1')]);

const OCTET = 'application/octet-stream';
const attachment = (name) => `attachment; filename="${name}"; filename*=UTF-8''${name}`;
const inline = (name) => `inline; filename="${name}"; filename*=UTF-8''${name}`;

// name, declared Content-Type, bytes -> the Content-Type and Content-Disposition served.
const CASES = [
  ['evil.html', 'text/html', Buffer.from(`<!doctype html>${script}`), OCTET, attachment('evil.html')],
  ['evil.html', 'text/plain', Buffer.from(`<!doctype html>${script}`), OCTET, attachment('evil.html')],
  ['evil.svg', 'image/svg+xml', Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">${script}</svg>`), OCTET, attachment('evil.svg')],
  ['evil.js', 'text/javascript', Buffer.from('alert(document.cookie)'), OCTET, attachment('evil.js')],
  ['evil.js', 'application/javascript; charset=utf-8', Buffer.from('alert(1)'), OCTET, attachment('evil.js')],
  // The polyglot: an image for an image decoder, a page for an HTML parser. Named .gif it
  // is a GIF (the name and the bytes agree), whatever was declared; never HTML.
  ['poly.gif', 'image/gif', gifPolyglot, 'image/gif', inline('poly.gif')],
  ['poly.gif', 'text/html', gifPolyglot, 'image/gif', inline('poly.gif')],
  ['poly.html', 'image/gif', gifPolyglot, OCTET, attachment('poly.html')],
  ['poly.html', 'text/html', gifPolyglot, OCTET, attachment('poly.html')],
  // A page that only claims to be an image.
  ['fake.png', 'image/png', Buffer.from(`<html>${script}</html>`), OCTET, attachment('fake.png')],
  ['noext', 'image/gif', Buffer.from(`<html>${script}</html>`), OCTET, attachment('noext')],
  // What stays useful: image previews inline, PDF and text as typed downloads.
  ['photo.png', 'image/png', png, 'image/png', inline('photo.png')],
  ['photo.png', 'application/octet-stream', png, 'image/png', inline('photo.png')],
  ['pasted', 'image/png', png, 'image/png', inline('pasted')],
  ['photo.webp', 'image/webp', webp, 'image/webp', inline('photo.webp')],
  ['report.pdf', 'application/pdf', Buffer.from('%PDF-1.4\n%%EOF\n'), 'application/pdf', attachment('report.pdf')],
  ['notes.txt', 'text/plain', Buffer.from(`plain ${script}`), 'text/plain; charset=utf-8', attachment('notes.txt')],
  ['data.csv', 'text/csv', Buffer.from('a,b\n1,2\n'), OCTET, attachment('data.csv')],
];

function assertServed(res, buf, [name, declared, data, type, disposition], route) {
  const what = `${route}: ${name} as ${declared}`;
  assert.equal(res.status, 200, `${what}: status ${res.status}`);
  assert.equal(res.headers.get('content-type'), type, `${what}: Content-Type`);
  assert.equal(res.headers.get('content-disposition'), disposition, `${what}: Content-Disposition`);
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff', `${what}: nosniff`);
  // Headers.get joins repeated headers with ", ": exactly "sandbox" means one CSP header.
  assert.equal(res.headers.get('content-security-policy'), 'sandbox', `${what}: CSP`);
  if (buf) assert.equal(sha256(buf), sha256(data), `${what}: bytes`);
}

async function fetchAs(client, path, method = 'GET', init = {}) {
  const headers = client ? client.headers(method) : {};
  const res = await fetch(p.url + path, { method, redirect: 'manual', ...init, headers: { ...headers, ...init.headers } });
  return { res, buf: method === 'HEAD' ? null : Buffer.from(await res.arrayBuffer()) };
}

describe('every download route serves hostile uploads inert', () => {
  for (const c of CASES) {
    const [name, declared, data] = c;
    test(`${name} uploaded as ${declared}`, async () => {
      // POST /api/v1/files: the uploader reads it before it is attached ...
      const up = await vera.req('POST', `/api/v1/files?name=${encodeURIComponent(name)}`, { raw: data, headers: { 'Content-Type': declared } });
      assert.equal(up.status, 201, show(up));
      for (const method of ['GET', 'HEAD']) {
        const { res, buf } = await fetchAs(vera, `/api/v1/files/${up.body.id}`, method);
        assertServed(res, buf, c, `${method} /api/v1/files/{id}`);
      }
      // ... and another employee reads it as a feed attachment (chat, KB, ticket and
      // card attachments are served by the same route).
      const post = await vera.post('/api/v1/feed/posts', { body: `attached ${name}`, files: [up.body.id] });
      assert.equal(post.status, 201, show(post));
      assert.equal(post.body.files[0].content_type, up.body.content_type, 'the post lists the stored type');
      const att = await fetchAs(boris, `/api/v1/files/${up.body.id}`);
      assertServed(att.res, att.buf, c, 'feed attachment');

      // A document version: the employee and the partner's cabinet download it.
      const created = await uploadRaw(vera, '/api/v1/documents', data, { account_id: logistika, name, title: `serving ${name}` }, declared);
      assert.equal(created.status, 201, show(created));
      const doc = created.body;
      const emp = await fetchAs(vera, `/api/v1/documents/${doc.document_id}/versions/${doc.version_id}/download`);
      assertServed(emp.res, emp.buf, c, 'document version download');
      const cab = await fetchAs(pavel, `/api/v1/cabinet/documents/${doc.document_id}/versions/${doc.version_id}/download`);
      assertServed(cab.res, cab.buf, c, 'cabinet version download');
      // The partner's own upload through the cabinet, as they declared it.
      const mine = await uploadRaw(pavel, '/api/v1/cabinet/documents', data, { name }, declared);
      assert.equal(mine.status, 201, show(mine));
      const back = await fetchAs(pavel, `/api/v1/cabinet/documents/${mine.body.document_id}/versions/${mine.body.version_id}/download`);
      assertServed(back.res, back.buf, c, 'cabinet upload, cabinet download');

      // Share links: open, and behind a password (the form POST serves the file).
      const open = await vera.post(`/api/v1/documents/${doc.document_id}/links`, { expires_at: inMs(3600e3) });
      assert.equal(open.status, 201, show(open));
      const path = new URL(open.body.url).pathname;
      for (const method of ['GET', 'HEAD']) {
        const s = await fetchAs(null, path, method);
        assertServed(s.res, s.buf, c, `${method} /s/{token}`);
      }
      const locked = await vera.post(`/api/v1/documents/${doc.document_id}/links`, { expires_at: inMs(3600e3), password: 'serving secret 1' });
      assert.equal(locked.status, 201, show(locked));
      const form = await fetchAs(null, new URL(locked.body.url).pathname, 'POST', {
        body: 'password=serving+secret+1', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      });
      assertServed(form.res, form.buf, c, 'POST /s/{token} with the password');
    });
  }
});

describe('an upload-request link', () => {
  test('files sent through /u/{token} download inert', async () => {
    const folders = (await vera.get(`/api/v1/folders?account_id=${logistika}`)).body.items;
    const inbox = folders.find((f) => f.kind === 'inbox');
    const l = await vera.post(`/api/v1/folders/${inbox.id}/upload-links`, { expires_at: inMs(3600e3), max_uploads: 50 });
    assert.equal(l.status, 201, show(l));
    const token = new URL(l.body.url).pathname;
    for (const c of CASES.filter(([n]) => /^(evil|poly|photo\.png)/.test(n))) {
      const [name, declared, data] = c;
      const up = await api(p.url, 'POST', `${token}?name=${encodeURIComponent(name)}`, { raw: data, headers: { 'Content-Type': declared } });
      assert.equal(up.status, 201, show(up));
      const got = await fetchAs(vera, `/api/v1/documents/${up.body.document_id}/versions/${up.body.version_id}/download`);
      assertServed(got.res, got.buf, c, 'upload link, employee download');
    }
  });
});

describe('the other answers keep the portal\'s policy', () => {
  test('errors and JSON on the same routes carry the default CSP, once', async () => {
    const missing = await api(p.url, 'GET', '/api/v1/files/99999999', { headers: vera.headers('GET') });
    assert.equal(missing.status, 404);
    assert.match(missing.headers.get('content-security-policy'), /^default-src 'self'; [^,]*$/);
    const list = await api(p.url, 'GET', '/api/v1/documents', { headers: vera.headers('GET') });
    assert.match(list.headers.get('content-security-policy'), /^default-src 'self'; [^,]*$/);
  });
});
