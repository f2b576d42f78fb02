// Acknowledgement and the cabinet's documents. An employee marks a document as needing
// acknowledgement: the account's users are notified, the partner acknowledges in the
// cabinet (who and when recorded, once), the employee sees who has and who has not; a
// new version asks again. The partner sees only the account's shared and inbox
// folders, uploads into the inbox (employees are notified, the timeline and outbox
// record it) and downloads the employee's version 2 with the same SHA-256.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startPortal } from '../lib/portal.mjs';
import { loginAs, show } from '../lib/identity.mjs';
import {
  sha256, randomFile, accountId, uploadRaw, newDocument, newVersion, download, assertError,
} from '../lib/documents.mjs';

let p;
let boris; let vera; let pavel; let carol;
let logistika; let romashka;
const one = (q) => p.sql(q)[0]?.[0];

before(async () => {
  p = await startPortal({ demo: true, env: { PORTAL_SCHEDULER_INTERVAL: '3600' } });
  [boris, vera, pavel, carol] = await Promise.all([
    loginAs(p.url, 'boris@demo.example'), loginAs(p.url, 'vera@demo.example'),
    loginAs(p.url, 'pavel@partner.example'), loginAs(p.url, 'carol@client.example'),
  ]);
  logistika = accountId(p, 'Logistika Partner');
  romashka = accountId(p, 'Romashka LLC');
});
after(async () => { await p?.stop(); });

async function requestAck(id) {
  const doc = (await vera.get(`/api/v1/documents/${id}`)).body;
  const res = await vera.patch(`/api/v1/documents/${id}`, { version: doc.version, needs_ack: true });
  assert.equal(res.status, 200, show(res));
  return res.body;
}

describe('acknowledgement', () => {
  test('requested by an employee, acknowledged once by the partner, seen by the employee', async () => {
    const d = await newDocument(vera, logistika, randomFile(100), { title: 'Spec 7' });
    const asked = await requestAck(d.document_id);
    assert.equal(asked.needs_ack, true);
    assert.ok(asked.ack_requested_at);
    assert.deepEqual(asked.acks.map((a) => [a.user.email, a.acked_at]), [['pavel@partner.example', null]]);
    const notes = (await pavel.get('/api/v1/notifications')).body.items;
    assert.ok(notes.some((n) => n.kind === 'document_ack' && n.object_id === d.document_id), show({ status: 0, text: JSON.stringify(notes) }));
    const waiting = await pavel.get('/api/v1/cabinet/documents?needs_ack=1');
    assert.ok(waiting.body.items.some((x) => x.id === d.document_id && x.my_ack_at === null));

    const ack = await pavel.post(`/api/v1/cabinet/documents/${d.document_id}/ack`);
    assert.equal(ack.status, 200, show(ack));
    assert.ok(ack.body.my_ack_at);
    const again = await pavel.post(`/api/v1/cabinet/documents/${d.document_id}/ack`);
    assert.equal(again.status, 200);
    assert.equal(again.body.my_ack_at, ack.body.my_ack_at, 'the first acknowledgement stands');
    const seen = (await vera.get(`/api/v1/documents/${d.document_id}`)).body;
    assert.equal(seen.acks[0].user.name, 'Pavel Morozov');
    assert.ok(seen.acks[0].acked_at);
    assert.equal(seen.acks[0].version, 1);
    assert.equal(seen.acks_count, 1);
    assert.equal(Number(one(`SELECT COUNT(*) FROM account_timeline WHERE ref_id = ${d.document_id} AND kind = 'document.ack'`)), 1);
    assert.equal(Number(one(`SELECT COUNT(*) FROM audit WHERE action = 'document.ack' AND object_id = ${d.document_id}`)), 1);
    const veraNotes = (await vera.get('/api/v1/notifications')).body.items;
    assert.ok(veraNotes.some((n) => n.kind === 'document_acked' && n.object_id === d.document_id));

    // A new version must be acknowledged anew.
    await newVersion(boris, d.document_id, randomFile(50));
    const after2 = (await vera.get(`/api/v1/documents/${d.document_id}`)).body;
    assert.equal(after2.acks[0].acked_at, null);
    const ack2 = await pavel.post(`/api/v1/cabinet/documents/${d.document_id}/ack`);
    assert.equal(ack2.status, 200);
    assert.equal((await vera.get(`/api/v1/documents/${d.document_id}`)).body.acks[0].version, 2);
  });

  test('acknowledging a document that does not ask for it is 409', async () => {
    const d = await newDocument(vera, logistika, randomFile(10));
    assertError(await pavel.post(`/api/v1/cabinet/documents/${d.document_id}/ack`), 409, 'not_requested');
  });

  test('the demo contract waits for Pavel', async () => {
    const list = (await pavel.get('/api/v1/cabinet/documents?needs_ack=1')).body.items;
    assert.ok(list.some((d) => d.title === 'Framework contract 2026' && d.my_ack_at === null));
  });
});

describe('the cabinet', () => {
  test('partner uploads into the inbox, employee uploads version 2, partner downloads it intact', async () => {
    const mine = randomFile(4096);
    const up = await uploadRaw(pavel, '/api/v1/cabinet/documents', mine, { name: 'acts-november.pdf', comment: 'all trips' }, 'application/pdf');
    assert.equal(up.status, 201, show(up));
    const id = up.body.document_id;
    const doc = (await vera.get(`/api/v1/documents/${id}`)).body;
    assert.equal(doc.folder.kind, 'inbox');
    assert.equal(doc.account.id, logistika);
    assert.equal(doc.reviewed_at, null);
    assert.equal(doc.current_version.uploader.name, 'Pavel Morozov');
    const notes = (await boris.get('/api/v1/notifications')).body.items;
    assert.ok(notes.some((n) => n.kind === 'document_uploaded' && n.object_id === id));
    assert.equal(Number(one(`SELECT COUNT(*) FROM event WHERE type = 'document.version' AND audience = 'account:${logistika}' AND JSON_VALUE(payload, '$.document_id') = ${id}`)), 1);

    const v2 = randomFile(8192);
    const second = await newVersion(vera, id, v2, { name: 'acts-november-checked.pdf' });
    const reviewed = await vera.patch(`/api/v1/documents/${id}`, { version: (await vera.get(`/api/v1/documents/${id}`)).body.version, reviewed: true });
    assert.ok(reviewed.body.reviewed_at);
    const seen = (await pavel.get(`/api/v1/cabinet/documents/${id}`)).body;
    assert.equal(seen.versions.length, 2);
    assert.equal(seen.reviewed_at, undefined, 'review state is for employees');
    assert.equal(seen.access_log, undefined);
    assert.equal(seen.links, undefined);
    const got = await download(pavel, `/api/v1/cabinet/documents/${id}/versions/${second.version_id}/download`);
    assert.equal(got.status, 200);
    assert.equal(sha256(got.buf), sha256(v2));
    assert.equal(sha256(got.buf), seen.current_version.sha256);
    const old = await download(pavel, `/api/v1/cabinet/documents/${id}/versions/${up.body.version_id}/download`);
    assert.equal(sha256(old.buf), sha256(mine), 'version 1 stays downloadable');
    // The employee's document page shows the partner's download.
    const log = (await vera.get(`/api/v1/documents/${id}`)).body.access_log;
    assert.ok(log.some((e) => e.action === 'download' && e.user?.name === 'Pavel Morozov' && e.version === 2));
  });

  test('internal folders stay inside: the cabinet gets 404 and does not list them', async () => {
    const f = await vera.post('/api/v1/folders', { account_id: logistika, name: 'Margins', kind: 'internal' });
    assert.equal(f.status, 201, show(f));
    const d = await newDocument(vera, logistika, randomFile(10), { folder_id: f.body.id, title: 'Our margin' });
    assertError(await pavel.get(`/api/v1/cabinet/documents/${d.document_id}`), 404, 'not_found');
    assert.equal((await download(pavel, `/api/v1/cabinet/documents/${d.document_id}/versions/${d.version_id}/download`)).status, 404);
    const list = (await pavel.get('/api/v1/cabinet/documents?limit=200')).body.items;
    assert.ok(!list.some((x) => x.id === d.document_id));
    assert.equal(Number(one(`SELECT COUNT(*) FROM event WHERE audience = 'account:${logistika}' AND JSON_VALUE(payload, '$.document_id') = ${d.document_id}`)), 0);
  });

  test('a customer uploads too, into their own account\'s inbox', async () => {
    const up = await uploadRaw(carol, '/api/v1/cabinet/documents', 'requisites', { name: 'requisites.txt' }, 'text/plain');
    assert.equal(up.status, 201, show(up));
    assert.equal(Number(one(`SELECT account_id FROM documents WHERE id = ${up.body.document_id}`)), romashka);
  });

  test('cabinet upload bad input: no name, a cut name of dots', async () => {
    assertError(await uploadRaw(pavel, '/api/v1/cabinet/documents', 'x', {}), 400, 'validation_failed', 'name');
    assertError(await uploadRaw(pavel, '/api/v1/cabinet/documents', 'x', { name: '../..' }), 400, 'validation_failed', 'name');
    assertError(await uploadRaw(pavel, '/api/v1/cabinet/documents', 'x', { name: 'a.txt', comment: 'c'.repeat(1001) }), 400, 'validation_failed', 'comment');
  });
});
