// Documents, versions and limits: an employee creates a document in an account and
// uploads more versions (every version stays downloadable, byte for byte, with its
// SHA-256, uploader and comment), the timeline, audit log, outbox and access log record
// it; hostile file names (../, NUL, control characters, right-to-left marks, 2,000
// characters) are cleaned for display and never become paths; the per-file limit and
// the account quota answer 413 with a clear code; an upload cut off half-way leaves no
// version, no file row and no temporary file; the demo has Logistika Partner's documents.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import net from 'node:net';
import { startPortal, sleep } from '../lib/portal.mjs';
import { loginAs, show } from '../lib/identity.mjs';
import { rawRequest } from '../lib/rawhttp.mjs';
import {
  sha256, randomFile, accountId, uploadRaw, newDocument, newVersion, download, assertError,
} from '../lib/documents.mjs';

let p;
let boris; let vera; let pavel;
let romashka; let logistika;
const one = (q) => p.sql(q)[0]?.[0];

before(async () => {
  p = await startPortal({
    demo: true,
    env: { PORTAL_DOC_MAX_FILE: '300K', PORTAL_DOC_QUOTA: '2M', PORTAL_SCHEDULER_INTERVAL: '3600' },
  });
  [boris, vera, pavel] = await Promise.all([
    loginAs(p.url, 'boris@demo.example'), loginAs(p.url, 'vera@demo.example'),
    loginAs(p.url, 'pavel@partner.example'),
  ]);
  romashka = accountId(p, 'Romashka LLC');
  logistika = accountId(p, 'Logistika Partner');
});
after(async () => { await p?.stop(); });

describe('versions', () => {
  test('a document keeps every version, each downloadable with its SHA-256', async () => {
    const v1 = randomFile(1000); const v2 = randomFile(2000); const v3 = randomFile(10);
    const created = await newDocument(vera, romashka, v1,
      { name: 'Contract.pdf', title: 'Supply contract', comment: 'first draft' });
    assert.equal(created.number, 1);
    assert.equal(created.sha256, sha256(v1));
    assert.equal(created.size, 1000);
    const id = created.document_id;
    const second = await newVersion(boris, id, v2, { name: 'Contract v2.pdf', comment: 'signed' });
    assert.equal(second.number, 2);
    await newVersion(vera, id, v3, { name: 'Contract v3.pdf' });

    const doc = await vera.get(`/api/v1/documents/${id}`);
    assert.equal(doc.status, 200, show(doc));
    assert.equal(doc.body.title, 'Supply contract');
    assert.equal(doc.body.versions_count, 3);
    assert.equal(doc.body.size, 3010);
    assert.equal(doc.body.account.id, romashka);
    assert.equal(doc.body.folder.kind, 'shared');
    assert.equal(doc.body.current_version.number, 3);
    assert.deepEqual(doc.body.versions.map((v) => v.number), [3, 2, 1]);
    const byNumber = Object.fromEntries(doc.body.versions.map((v) => [v.number, v]));
    assert.equal(byNumber[2].uploader.name, 'Boris Ivanov');
    assert.equal(byNumber[2].comment, 'signed');
    assert.equal(byNumber[1].comment, 'first draft');
    for (const [n, data] of [[1, v1], [2, v2], [3, v3]]) {
      const v = byNumber[n];
      assert.equal(v.sha256, sha256(data));
      const got = await download(boris, `/api/v1/documents/${id}/versions/${v.id}/download`);
      assert.equal(got.status, 200);
      assert.equal(sha256(got.buf), sha256(data), `version ${n} bytes`);
      assert.match(got.headers.get('content-disposition'), /^attachment; filename="Contract/);
      assert.equal(got.headers.get('x-content-type-options'), 'nosniff');
    }
    // Recorded: timeline, audit, outbox for employees and the account, access log.
    assert.equal(Number(one(`SELECT COUNT(*) FROM account_timeline WHERE account_id = ${romashka} AND ref_id = ${id} AND kind = 'document.version'`)), 3);
    assert.equal(Number(one(`SELECT COUNT(*) FROM audit WHERE object_type = 'document' AND object_id = ${id}`)), 3);
    assert.equal(Number(one(`SELECT COUNT(*) FROM event WHERE type = 'document.version' AND audience = 'account:${romashka}' AND JSON_VALUE(payload, '$.document_id') = ${id}`)), 3);
    assert.equal(Number(one(`SELECT COUNT(*) FROM event WHERE type = 'document.version' AND audience = 'employees' AND JSON_VALUE(payload, '$.document_id') = ${id}`)), 3);
    const again = await vera.get(`/api/v1/documents/${id}`);
    const actions = again.body.access_log.map((l) => `${l.action}:${l.user?.name ?? '-'}`);
    assert.ok(actions.includes('download:Boris Ivanov'), actions.join(','));
    assert.ok(actions.includes('view:Vera Smirnova'), actions.join(','));
    assert.equal(actions.filter((a) => a.startsWith('upload:')).length, 3);
    assert.ok(again.body.access_log.every((l) => l.ip === '127.0.0.1'));
  });

  test('a version id of another document is 404, and so are ids that do not exist', async () => {
    const a = await newDocument(vera, romashka, randomFile(10));
    const b = await newDocument(vera, romashka, randomFile(10));
    const res = await download(vera, `/api/v1/documents/${a.document_id}/versions/${b.version_id}/download`);
    assert.equal(res.status, 404);
    for (const path of ['/api/v1/documents/999999', '/api/v1/documents/abc', '/api/v1/documents/0']) {
      assertError(await vera.get(path), 404, 'not_found');
    }
    assertError(await uploadRaw(vera, '/api/v1/documents/999999/versions', 'x', { name: 'a.txt' }), 404, 'not_found');
  });

  test('the list filters by account and search, and pages by id', async () => {
    await newDocument(vera, logistika, randomFile(5), { title: 'Zebra price list' });
    const all = await vera.get(`/api/v1/documents?account_id=${logistika}`);
    assert.equal(all.status, 200, show(all));
    assert.ok(all.body.items.every((d) => d.account.id === logistika));
    assert.ok(all.body.quota.used > 0 && all.body.quota.limit === 2 * 1024 * 1024);
    const found = await vera.get(`/api/v1/documents?account_id=${logistika}&q=zebra`);
    assert.deepEqual(found.body.items.map((d) => d.title), ['Zebra price list']);
    const page = await vera.get('/api/v1/documents?limit=1');
    assert.equal(page.body.items.length, 1);
    assert.ok(page.body.next_before);
    assertError(await vera.get('/api/v1/documents?account_id=x'), 400, 'validation_failed', 'account_id');
  });

  test('bad create requests: no account, unknown account, another account\'s folder', async () => {
    assertError(await uploadRaw(vera, '/api/v1/documents', 'x', { name: 'a.txt' }), 400, 'validation_failed', 'account_id');
    assertError(await uploadRaw(vera, '/api/v1/documents', 'x', { name: 'a.txt', account_id: 999999 }), 400, 'validation_failed', 'account_id');
    const folders = await vera.get(`/api/v1/folders?account_id=${logistika}`);
    const theirs = folders.body.items[0].id;
    assertError(await uploadRaw(vera, '/api/v1/documents', 'x', { name: 'a.txt', account_id: romashka, folder_id: theirs }), 400, 'validation_failed', 'folder_id');
    assertError(await uploadRaw(vera, '/api/v1/documents', 'x', { account_id: romashka }), 400, 'validation_failed', 'name');
  });

  test('PATCH renames and moves with the version; a stale version is 409', async () => {
    const d = await newDocument(vera, romashka, randomFile(5));
    const doc = (await vera.get(`/api/v1/documents/${d.document_id}`)).body;
    const f = await vera.post('/api/v1/folders', { account_id: romashka, name: 'Internal notes', kind: 'internal' });
    assert.equal(f.status, 201, show(f));
    const ok = await vera.patch(`/api/v1/documents/${d.document_id}`, { version: doc.version, title: 'Renamed', folder_id: f.body.id });
    assert.equal(ok.status, 200, show(ok));
    assert.equal(ok.body.title, 'Renamed');
    assert.equal(ok.body.folder.kind, 'internal');
    assertError(await vera.patch(`/api/v1/documents/${d.document_id}`, { version: doc.version, title: 'Again' }), 409, 'conflict', 'version');
    assertError(await vera.patch(`/api/v1/documents/${d.document_id}`, { version: 'x' }), 400, 'validation_failed', 'version');
    const dup = await vera.post('/api/v1/folders', { account_id: romashka, name: 'Internal notes' });
    assertError(dup, 409, 'conflict', 'name');
  });
});

describe('file names', () => {
  const cases = [
    ['../../etc/passwd', 'passwd'],
    ['..\\..\\boot.ini', 'boot.ini'],
    ['report\u202Efdp.exe', 'reportfdp.exe'],
    ['a\u200Fb\u2066c.txt', 'abc.txt'],
    ['line\r\nbreak\t.txt', 'linebreak.txt'],
    ['\u0085next.txt', 'next.txt'],
  ];
  for (const [input, shown] of cases) {
    test(`${JSON.stringify(input)} is shown as ${JSON.stringify(shown)}`, async () => {
      const data = randomFile(20);
      const d = await newDocument(vera, romashka, data, { name: input });
      const doc = (await vera.get(`/api/v1/documents/${d.document_id}`)).body;
      assert.equal(doc.current_version.name, shown);
      assert.equal(doc.title, shown);
      // The stored blob is named by its hash; the name never reached the file system.
      assert.equal(one(`SELECT sha256 FROM files WHERE owner_kind = 'document' AND owner_id = ${d.document_id}`), sha256(data));
      const got = await download(vera, `/api/v1/documents/${d.document_id}/versions/${d.version_id}/download`);
      assert.equal(sha256(got.buf), sha256(data));
      assert.doesNotMatch(got.headers.get('content-disposition'), /[\r\n]|\.\.\//);
    });
  }

  test('a NUL in the name is refused; a name of only dots or slashes too', async () => {
    for (const raw of ['a%00b.txt', '%00', '..', '../', '/']) {
      const res = await vera.req('POST', `/api/v1/documents?account_id=${romashka}&name=${raw}`,
        { raw: 'x', headers: { 'Content-Type': 'text/plain' } });
      assertError(res, 400, 'validation_failed', 'name');
    }
  });

  test('a 2,000-character name is kept to 255 bytes on a character boundary', async () => {
    const long = 'Договор'.repeat(286).slice(0, 2000) + '.pdf';
    const d = await newDocument(vera, romashka, randomFile(3), { name: long });
    const doc = (await vera.get(`/api/v1/documents/${d.document_id}`)).body;
    const name = doc.current_version.name;
    assert.ok(Buffer.byteLength(name) <= 255 && Buffer.byteLength(name) >= 250, `${Buffer.byteLength(name)} bytes`);
    assert.ok(long.startsWith(name));
  });
});

describe('limits', () => {
  test('a file over PORTAL_DOC_MAX_FILE is 413 payload_too_large and stores nothing', async () => {
    const before = one('SELECT COUNT(*) FROM document_versions');
    const res = await uploadRaw(vera, '/api/v1/documents', randomFile(301 * 1024), { account_id: romashka, name: 'big.bin' });
    assertError(res, 413, 'payload_too_large');
    assert.equal(one('SELECT COUNT(*) FROM document_versions'), before);
  });

  test('the account quota counts every version: 413 quota_exceeded past it, other accounts unaffected', async () => {
    const acct = await boris.post('/api/v1/accounts', { name: 'Quota Test LLC', kind: 'customer' });
    assert.equal(acct.status, 201, show(acct));
    const id = acct.body.id;
    const d = await newDocument(vera, id, randomFile(300 * 1024));
    for (let i = 0; i < 5; i++) await newVersion(vera, d.document_id, randomFile(300 * 1024));
    // 1,800 KiB used of 2 MiB: the next 300 KiB does not fit.
    const res = await uploadRaw(vera, `/api/v1/documents/${d.document_id}/versions`, randomFile(300 * 1024), { name: 'more.bin' });
    assertError(res, 413, 'quota_exceeded');
    assert.match(res.body.error.message, /1843200 of 2097152 bytes/);
    assert.equal(Number(one(`SELECT versions FROM documents WHERE id = ${d.document_id}`)), 6);
    // A small one still fits; another account is not affected.
    await newVersion(vera, d.document_id, randomFile(1000));
    await newDocument(vera, romashka, randomFile(200 * 1024));
  });

  test('Expect: 100-continue gets the go-ahead only for an accepted upload', async () => {
    const { port } = new URL(p.url);
    /* Sends the head, waits for the first answer, then (on a 100) the body; returns every status seen. */
    const send = (query, body) => new Promise((resolve, reject) => {
      const sock = net.connect(Number(port), '127.0.0.1');
      let buf = '';
      let sent = false;
      const timer = setTimeout(() => { sock.destroy(); reject(new Error(`no answer: ${buf}`)); }, 5000);
      sock.on('data', (d) => {
        buf += d.toString('latin1');
        if (!sent && buf.startsWith('HTTP/1.1 100 ')) {
          sent = true;
          sock.write(body);
        }
        const statuses = [...buf.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));
        if (statuses.some((x) => x >= 200)) {
          clearTimeout(timer);
          sock.destroy();
          resolve(statuses);
        }
      });
      sock.on('error', reject);
      sock.write(`POST /api/v1/documents?account_id=${romashka}&${query} HTTP/1.1\r\nHost: x\r\n` +
        `Cookie: portal_session=${vera.token}\r\nX-CSRF-Token: ${vera.csrf}\r\n` +
        `Content-Type: application/octet-stream\r\nExpect: 100-continue\r\nContent-Length: ${body.length}\r\n\r\n`);
    });
    assert.deepEqual(await send('name=ok.bin', randomFile(4096)), [100, 201]);
    assert.deepEqual(await send('name=big.bin', randomFile(301 * 1024)), [413], 'refused before the body');
    assert.deepEqual(await send('name=', randomFile(10)), [400]);
  });

  test('an upload without a Content-Length is 411', async () => {
    const res = await rawRequest(p.url,
      `POST /api/v1/documents?account_id=${romashka}&name=c.bin HTTP/1.1\r\nHost: x\r\n` +
      `Cookie: portal_session=${vera.token}\r\nX-CSRF-Token: ${vera.csrf}\r\n` +
      'Content-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n');
    assert.equal(res.status, 411, res.body);
  });

  test('an upload cut off half-way leaves no version, no file row and no temporary file', async () => {
    const versions = one('SELECT COUNT(*) FROM document_versions');
    const files = one('SELECT COUNT(*) FROM files');
    const docs = one('SELECT COUNT(*) FROM documents');
    const { port } = new URL(p.url);
    await new Promise((resolve, reject) => {
      const sock = net.connect(Number(port), '127.0.0.1', () => {
        sock.write(`POST /api/v1/documents?account_id=${romashka}&name=half.bin HTTP/1.1\r\nHost: x\r\n` +
          `Cookie: portal_session=${vera.token}\r\nX-CSRF-Token: ${vera.csrf}\r\n` +
          `Content-Type: application/octet-stream\r\nContent-Length: ${200 * 1024}\r\n\r\n`);
        sock.write(randomFile(100 * 1024), () => setTimeout(() => { sock.destroy(); resolve(); }, 200));
      });
      sock.on('error', reject);
    });
    await sleep(500);
    assert.equal(one('SELECT COUNT(*) FROM document_versions'), versions);
    assert.equal(one('SELECT COUNT(*) FROM files'), files);
    assert.equal(one('SELECT COUNT(*) FROM documents'), docs);
    assert.deepEqual(readdirSync(path.join(p.dataDir, 'files', 'tmp')), []);
    assert.equal((await vera.get('/api/v1/ping')).status, 200);
  });

  test('document files are not reachable through /api/v1/files/{id} (every download is logged)', async () => {
    const d = await newDocument(vera, romashka, randomFile(10));
    const fileId = one(`SELECT file_id FROM document_versions WHERE id = ${d.version_id}`);
    assert.equal((await vera.get(`/api/v1/files/${fileId}`)).status, 404);
  });
});

describe('demo data', () => {
  test('Logistika Partner has documents with versions, one awaiting acknowledgement', async () => {
    const res = await vera.get(`/api/v1/documents?account_id=${logistika}&q=Framework`);
    const contract = res.body.items.find((d) => d.title === 'Framework contract 2026');
    assert.ok(contract, show(res));
    assert.equal(contract.versions_count, 2);
    assert.equal(contract.needs_ack, true);
    assert.equal(contract.acks_count, 0);
    assert.equal(contract.ack_users, 1, 'Pavel is the one user who should acknowledge');
    const mine = await pavel.get('/api/v1/cabinet/documents');
    assert.ok(mine.body.items.some((d) => d.folder.kind === 'inbox'));
    const got = await download(pavel, `/api/v1/cabinet/documents/${contract.id}/versions/${contract.current_version.id}/download`);
    assert.equal(sha256(got.buf), contract.current_version.sha256);
  });
});
