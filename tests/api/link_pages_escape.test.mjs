// The pages the server renders itself, /s/{token} (share link, password form) and
// /u/{token} (upload request), with hostile link data (issue 14, item 11): tokens that
// try to close an attribute or open a tag, hostile document titles, file and folder
// names, query values and wrong-password answers. Every value reaches the HTML through
// html_escape(): the page holds only the template's own tags and attributes, and the
// hostile text appears escaped, never raw.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startPortal } from '../lib/portal.mjs';
import { loginAs, show } from '../lib/identity.mjs';
import { randomFile, accountId, newDocument, inMs, openLink } from '../lib/documents.mjs';

let p;
let vera;
let logistika;

before(async () => {
  p = await startPortal({ demo: true, env: { PORTAL_SCHEDULER_INTERVAL: '3600' } });
  vera = await loginAs(p.url, 'vera@demo.example');
  logistika = accountId(p, 'Logistika Partner');
});
after(async () => { await p?.stop(); });

const HOSTILE = [
  '"><script>alert(1)</script>',
  "'><img src=x onerror=alert(2)>",
  '" autofocus onfocus="alert(3)',
  '</title><svg onload=alert(4)>',
  '&lt;script&gt;alert(5)&lt;/script&gt;',
];

/* The template's tags and attributes (documents.c page()); anything else was injected. */
const TAGS = new Set(['!doctype', 'html', 'head', 'meta', 'title', 'link', 'body', 'main', 'h1', 'p',
  'form', 'label', 'input', 'button', 'ul', 'script']);
const ATTRS = new Set(['lang', 'charset', 'name', 'content', 'rel', 'href', 'class', 'role', 'method',
  'action', 'type', 'autocomplete', 'required', 'autofocus', 'id', 'data-token', 'data-sent',
  'data-failed', 'multiple', 'src']);

function assertOnlyTemplate(html, what) {
  for (const m of html.matchAll(/<\/?([a-z!][a-z0-9-]*)([^>]*)>/gi)) {
    const [tag, name, rest] = m;
    assert.ok(TAGS.has(name.toLowerCase()), `${what}: injected tag ${tag}`);
    // Attribute names outside quoted values.
    const bare = rest.replace(/"[^"]*"/g, '""');
    for (const a of bare.matchAll(/([^\s=/"]+)(?==|\s|$)/g)) {
      if (name === '!doctype') continue;
      assert.ok(ATTRS.has(a[1].toLowerCase()), `${what}: injected attribute ${a[1]} in ${tag}`);
    }
    assert.doesNotMatch(rest, /'/, `${what}: a quote outside the template in ${tag}`);
  }
  const scripts = [...html.matchAll(/<script\b[^>]*>/gi)].map((m) => m[0]);
  for (const s of scripts) assert.equal(s, '<script type="module" src="/shared/link-upload.js">', `${what}: ${s}`);
  // Every hostile string has a character that must be escaped: raw, it was not.
  for (const h of HOSTILE) assert.ok(!html.includes(h), `${what}: raw ${h}`);
}

const escapeHtml = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
  .replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const open = (path, opts) => openLink(p.url, path, opts);

/* A token with an encoded slash never reaches a route (400 bad_path, JSON); any other
 * unknown token gets the 404 page. */
function assertRefused(res, what) {
  if (res.status === 400) {
    assert.match(res.headers.get('content-type'), /^application\/json/, what);
    assert.equal(JSON.parse(res.text).error.code, 'bad_path', what);
    return;
  }
  assert.equal(res.status, 404, `${what}: ${res.status}`);
  assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8', what);
  assert.match(res.text, /Link not found/, what);
  assertOnlyTemplate(res.text, what);
}

describe('hostile tokens in the path', () => {
  for (const kind of ['s', 'u']) {
    test(`/${kind}/{token}`, async () => {
      for (const h of HOSTILE) {
        for (const token of [h, `${'A'.repeat(43)}${h}`, h.padEnd(43, 'A').slice(0, 43)]) {
          const path = `/${kind}/${encodeURIComponent(token)}`;
          for (const q of ['', `?lang=${encodeURIComponent(h)}`]) {
            assertRefused(await open(path + q), `GET ${path}${q}`);
          }
          if (kind === 's') assertRefused(await open(path, { method: 'POST', form: { password: h } }), `POST ${path}`);
        }
      }
    });
  }
});

describe('hostile link data on real links', () => {
  test('the password page shows a hostile title escaped, also after a wrong password', async () => {
    for (const h of HOSTILE) {
      const title = `Contract ${h}`;
      const d = await newDocument(vera, logistika, randomFile(20), { name: `${h}.pdf`, title });
      const res = await vera.post(`/api/v1/documents/${d.document_id}/links`, { expires_at: inMs(3600e3), password: 'page escape 123' });
      assert.equal(res.status, 201, show(res));
      const path = new URL(res.body.url).pathname;
      for (const q of ['', '?lang=ru', `?lang=${encodeURIComponent(h)}`]) {
        const page = await open(path + q, { headers: { 'Accept-Language': h } });
        assert.equal(page.status, 200, `${path}${q}`);
        assertOnlyTemplate(page.text, `password page for ${title}`);
        assert.ok(page.text.includes(`<p class="doc">${escapeHtml(title)}</p>`), `escaped title in ${page.text}`);
        assert.ok(page.text.includes(`action="/s/${res.body.token}?lang=`), 'the form posts back to the link');
      }
      const wrong = await open(path, { method: 'POST', form: { password: h } });
      assert.equal(wrong.status, 403);
      assertOnlyTemplate(wrong.text, `wrong password for ${title}`);
      assert.ok(wrong.text.includes(escapeHtml(title)));
    }
  });

  test('the upload page of a folder with a hostile name shows nothing of it raw', async () => {
    for (const h of HOSTILE) {
      const folder = await vera.post('/api/v1/folders', { account_id: logistika, name: `Inbox ${h}` });
      assert.equal(folder.status, 201, show(folder));
      const res = await vera.post(`/api/v1/folders/${folder.body.id}/upload-links`, { expires_at: inMs(3600e3), max_uploads: 3 });
      assert.equal(res.status, 201, show(res));
      const path = new URL(res.body.url).pathname;
      for (const q of ['', `?lang=${encodeURIComponent(h)}`]) {
        const page = await open(path + q, { headers: { 'Accept-Language': h } });
        assert.equal(page.status, 200);
        assertOnlyTemplate(page.text, `upload page ${path}${q}`);
        assert.ok(page.text.includes(`data-token="${res.body.token}"`));
      }
    }
  });
});
