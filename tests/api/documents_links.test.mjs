// Share links and upload-request links. A share link (POST /api/v1/documents/{id}/links)
// needs an expiry in the future and at most PORTAL_DOC_LINK_MAX_DAYS away; GET /s/{token}
// serves the current version without a session, or a small password page (English or
// Russian) whose form POST serves the file; wrong passwords are throttled (429 with
// Retry-After, even for the right one); a download limit, revocation and expiry (checked
// one second after) answer 410; a token that does not exist, or is one character off,
// 404; the token is stored only hashed; every download by link is in the access log.
// Upload-request links take files into a folder without showing its contents.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startPortal, api, sleep } from '../lib/portal.mjs';
import { loginAs, show } from '../lib/identity.mjs';
import {
  sha256, randomFile, accountId, newDocument, newVersion, inMs, assertError, openLink,
} from '../lib/documents.mjs';

let p;
let vera; let pavel;
let logistika;
const one = (q) => p.sql(q)[0]?.[0];

before(async () => {
  p = await startPortal({ demo: true, env: { PORTAL_SCHEDULER_INTERVAL: '3600' } });
  [vera, pavel] = await Promise.all([
    loginAs(p.url, 'vera@demo.example'), loginAs(p.url, 'pavel@partner.example'),
  ]);
  logistika = accountId(p, 'Logistika Partner');
});
after(async () => { await p?.stop(); });

async function docWith(data, name = 'price-list.xlsx') {
  return newDocument(vera, logistika, data, { name });
}

async function link(docId, body) {
  const res = await vera.post(`/api/v1/documents/${docId}/links`, body);
  assert.equal(res.status, 201, show(res));
  return res.body;
}

/** GET or POST on a link path without any session; returns { status, headers, buf, text }. */
const open = (path, opts) => openLink(p.url, path, opts);

const tokenPath = (l) => new URL(l.url).pathname;

describe('share links', () => {
  test('a link serves the current version to anyone, with no session, and logs it', async () => {
    const v1 = randomFile(500); const v2 = randomFile(700);
    const d = await docWith(v1);
    const l = await link(d.document_id, { expires_at: inMs(3600e3) });
    assert.match(l.token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(l.url, `${p.url}/s/${l.token}`);
    // Only the hash is stored.
    const stored = one(`SELECT HEX(token_hash) FROM doc_links WHERE id = ${l.id}`);
    assert.equal(stored.toLowerCase(), createHash('sha256').update(l.token).digest('hex'));
    assert.equal(Number(one(`SELECT COUNT(*) FROM doc_links WHERE token_hash = '${l.token}'`)), 0);

    let got = await open(`/s/${l.token}`);
    assert.equal(got.status, 200);
    assert.equal(sha256(got.buf), sha256(v1));
    assert.match(got.headers.get('content-disposition'), /attachment; filename="price-list.xlsx"/);
    await newVersion(vera, d.document_id, v2);
    got = await open(`/s/${l.token}`);
    assert.equal(sha256(got.buf), sha256(v2), 'the link follows the current version');
    const doc = (await vera.get(`/api/v1/documents/${d.document_id}`)).body;
    const byLink = doc.access_log.filter((e) => e.link_id === l.id && e.action === 'download');
    assert.equal(byLink.length, 2);
    assert.equal(byLink[0].user, null);
    assert.equal(byLink[0].ip, '127.0.0.1');
    assert.equal(doc.links[0].downloads, 2);
    assert.equal(doc.links[0].state, 'active');
  });

  test('an unknown token, and the real one changed by one character, are 404', async () => {
    const d = await docWith(randomFile(10));
    const l = await link(d.document_id, { expires_at: inMs(3600e3) });
    const flip = (c) => (c === 'A' ? 'B' : 'A');
    const variants = [
      flip(l.token[0]) + l.token.slice(1),
      l.token.slice(0, 20) + flip(l.token[20]) + l.token.slice(21),
      l.token.slice(0, -1) + flip(l.token.at(-1)),
      l.token.slice(0, -1), `${l.token}A`, 'A'.repeat(43), 'x', '..x',
    ];
    for (const t of variants) {
      const res = await open(`/s/${t}`);
      assert.equal(res.status, 404, `token ${t}: ${res.status}`);
      assert.match(res.headers.get('content-type'), /text\/html/);
    }
    assert.equal((await open(`/s/${l.token}`)).status, 200);
  });

  test('the expiry is required, in the future and at most 30 days away', async () => {
    const d = await docWith(randomFile(10));
    const path = `/api/v1/documents/${d.document_id}/links`;
    assertError(await vera.post(path, {}), 400, 'validation_failed', 'expires_at');
    assertError(await vera.post(path, { expires_at: inMs(-1000) }), 400, 'validation_failed', 'expires_at');
    assertError(await vera.post(path, { expires_at: inMs(31 * 86400e3) }), 400, 'validation_failed', 'expires_at');
    for (const bad of ['tomorrow', '2026-02-30T10:00:00Z', '2026-12-01 10:00:00', 12345]) {
      assertError(await vera.post(path, { expires_at: bad }), 400, 'validation_failed', 'expires_at');
    }
    assertError(await vera.post(path, { expires_at: inMs(86400e3), max_downloads: 0 }), 400, 'validation_failed', 'max_downloads');
    assertError(await vera.post(path, { expires_at: inMs(86400e3), password: 'short' }), 400, 'weak_password', 'password');
    await link(d.document_id, { expires_at: inMs(29 * 86400e3) });
    assertError(await vera.post('/api/v1/documents/999999/links', { expires_at: inMs(86400e3) }), 404, 'not_found');
  });

  test('a link stops working one second after it expires: 410', async () => {
    const d = await docWith(randomFile(10));
    const expires = Date.now() + 1200; // a little room for the request that creates it
    const l = await link(d.document_id, { expires_at: new Date(expires).toISOString() });
    assert.equal((await open(`/s/${l.token}`)).status, 200);
    await sleep(expires + 1000 - Date.now());
    const gone = await open(`/s/${l.token}`);
    assert.equal(gone.status, 410);
    assert.match(gone.text, /expired/);
    const doc = (await vera.get(`/api/v1/documents/${d.document_id}`)).body;
    assert.equal(doc.links[0].state, 'expired');
  });

  test('a download limit: the n+1st download is 410', async () => {
    const d = await docWith(randomFile(10));
    const l = await link(d.document_id, { expires_at: inMs(3600e3), max_downloads: 2 });
    assert.equal((await open(`/s/${l.token}`)).status, 200);
    assert.equal((await open(`/s/${l.token}`, { method: 'HEAD' })).status, 200, 'HEAD does not count');
    assert.equal((await open(`/s/${l.token}`)).status, 200);
    assert.equal((await open(`/s/${l.token}`)).status, 410);
    assert.equal(one(`SELECT uses FROM doc_links WHERE id = ${l.id}`), '2');
  });

  test('concurrent downloads never exceed the limit', async () => {
    const d = await docWith(randomFile(10));
    const l = await link(d.document_id, { expires_at: inMs(3600e3), max_downloads: 3 });
    const results = await Promise.all(Array.from({ length: 10 }, () => open(`/s/${l.token}`)));
    assert.equal(results.filter((r) => r.status === 200).length, 3);
    assert.equal(results.filter((r) => r.status === 410).length, 7);
  });

  test('a revoked link is 410; revoking is audited and 404 for an unknown link', async () => {
    const d = await docWith(randomFile(10));
    const l = await link(d.document_id, { expires_at: inMs(3600e3) });
    const res = await vera.del(`/api/v1/share-links/${l.id}`);
    assert.equal(res.status, 204, show(res));
    assert.equal((await open(`/s/${l.token}`)).status, 410);
    assert.equal(Number(one(`SELECT COUNT(*) FROM audit WHERE action = 'document.link_revoke' AND object_id = ${l.id}`)), 1);
    assertError(await vera.del('/api/v1/share-links/999999'), 404, 'not_found');
    assert.equal((await vera.del(`/api/v1/share-links/${l.id}`)).status, 204, 'revoking twice is harmless');
  });
});

describe('password-protected links', () => {
  test('GET shows a password page (English or Russian); the right password serves the file', async () => {
    const data = randomFile(300);
    const d = await docWith(data, 'contract <draft>.pdf');
    const l = await link(d.document_id, { expires_at: inMs(3600e3), password: 'open sesame 42' });
    const page = await open(`/s/${l.token}`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type'), /^text\/html/);
    assert.match(page.headers.get('content-security-policy'), /default-src 'self'/);
    assert.match(page.text, /Password required/);
    assert.match(page.text, /contract &lt;draft&gt;.pdf/, 'the title is escaped');
    assert.doesNotMatch(page.text, /<script|style=/);
    assert.match(page.text, new RegExp(`<form method="post" action="/s/${l.token}`));
    const ru = await open(`/s/${l.token}`, { headers: { 'Accept-Language': 'ru-RU,ru;q=0.9' } });
    assert.match(ru.text, /Нужен пароль/);
    assert.match((await open(`/s/${l.token}?lang=ru`)).text, /lang="ru"/);
    assert.match((await open(`/s/${l.token}?lang=en`, { headers: { 'Accept-Language': 'ru' } })).text, /Password required/);

    const none = await open(`/s/${l.token}`, { method: 'POST', form: {} });
    assert.equal(none.status, 403);
    const ok = await open(`/s/${l.token}`, { method: 'POST', form: { password: 'open sesame 42' } });
    assert.equal(ok.status, 200);
    assert.equal(sha256(ok.buf), sha256(data));
    const hash = one(`SELECT password_hash FROM doc_links WHERE id = ${l.id}`);
    assert.match(hash, /^\$argon2id\$/);
  });

  test('wrong guesses are throttled: after 5, even the right password gets 429 with Retry-After', async () => {
    const d = await docWith(randomFile(10));
    const l = await link(d.document_id, { expires_at: inMs(3600e3), password: 'correct horse 1' });
    for (let i = 0; i < 5; i++) {
      const res = await open(`/s/${l.token}`, { method: 'POST', form: { password: `guess ${i}` } });
      assert.equal(res.status, 403, `guess ${i}`);
      assert.match(res.text, /Wrong password/);
    }
    const blocked = await open(`/s/${l.token}`, { method: 'POST', form: { password: 'correct horse 1' } });
    assert.equal(blocked.status, 429);
    assert.ok(Number(blocked.headers.get('retry-after')) > 0);
    assert.match(blocked.text, /Too many wrong passwords/);
    // Another link is not blocked by this one's guesses.
    const other = await link(d.document_id, { expires_at: inMs(3600e3), password: 'correct horse 2' });
    const fine = await open(`/s/${other.token}`, { method: 'POST', form: { password: 'correct horse 2' } });
    assert.equal(fine.status, 200);
    assert.ok(Number(one(`SELECT COUNT(*) FROM audit WHERE action = 'document.link_password_failed' AND object_id = ${l.id}`)) >= 5);
  });

  test('the password page has no session needs: a logged-in cookie changes nothing and no CSRF is asked', async () => {
    const d = await docWith(randomFile(10));
    const l = await link(d.document_id, { expires_at: inMs(3600e3), password: 'correct horse 3' });
    const res = await open(`/s/${l.token}`, {
      method: 'POST', form: { password: 'correct horse 3' }, headers: { Cookie: `portal_session=${pavel.token}` },
    });
    assert.equal(res.status, 200);
  });
});

describe('upload-request links', () => {
  test('an outsider uploads into a folder without seeing it; employees are told', async () => {
    const folders = (await vera.get(`/api/v1/folders?account_id=${logistika}`)).body.items;
    const inbox = folders.find((f) => f.kind === 'inbox');
    const res = await vera.post(`/api/v1/folders/${inbox.id}/upload-links`, { expires_at: inMs(3600e3), max_uploads: 2 });
    assert.equal(res.status, 201, show(res));
    const l = res.body;
    assert.equal(l.url, `${p.url}/u/${l.token}`);
    const page = await open(`/u/${l.token}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /<script type="module" src="\/shared\/link-upload.js"><\/script>/);
    assert.doesNotMatch(page.text, /Delivery acts|Framework/, 'the folder contents are not shown');

    const data = randomFile(1234);
    const up = await api(p.url, 'POST', `/u/${l.token}?name=${encodeURIComponent('../acts.pdf')}`,
      { raw: data, headers: { 'Content-Type': 'application/pdf' } });
    assert.equal(up.status, 201, up.text);
    assert.equal(up.body.sha256, sha256(data));
    assert.equal(up.body.name, 'acts.pdf');
    assert.deepEqual(Object.keys(up.body).sort(), ['document_id', 'name', 'number', 'sha256', 'size', 'version_id']);
    const doc = (await vera.get(`/api/v1/documents/${up.body.document_id}`)).body;
    assert.equal(doc.folder.id, inbox.id);
    assert.equal(doc.current_version.via_link, true);
    assert.equal(doc.current_version.uploader, null);
    const boris = await loginAs(p.url, 'boris@demo.example');
    const notes = (await boris.get('/api/v1/notifications')).body.items;
    assert.ok(notes.some((n) => n.kind === 'document_uploaded' && n.object_id === up.body.document_id));

    await api(p.url, 'POST', `/u/${l.token}?name=b.txt`, { raw: 'b', headers: { 'Content-Type': 'text/plain' } });
    const third = await api(p.url, 'POST', `/u/${l.token}?name=c.txt`, { raw: 'c', headers: { 'Content-Type': 'text/plain' } });
    assertError(third, 410, 'link_gone');
    assert.equal((await open(`/u/${l.token}`)).status, 410);
    // A share-link token is not an upload token and the other way round.
    assert.equal((await open(`/s/${l.token}`)).status, 404);
    assertError(await api(p.url, 'POST', '/u/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA?name=x', { raw: 'x' }), 404, 'not_found');
  });

  test('upload links take no password and follow the same expiry rules', async () => {
    const folders = (await vera.get(`/api/v1/folders?account_id=${logistika}`)).body.items;
    const path = `/api/v1/folders/${folders[0].id}/upload-links`;
    assertError(await vera.post(path, { expires_at: inMs(3600e3), password: 'something long' }), 400, 'validation_failed', 'password');
    assertError(await vera.post(path, { expires_at: inMs(40 * 86400e3) }), 400, 'validation_failed', 'expires_at');
    assertError(await vera.post('/api/v1/folders/999999/upload-links', { expires_at: inMs(3600e3) }), 404, 'not_found');
  });
});
