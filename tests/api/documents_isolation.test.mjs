// Cabinet isolation for documents: pavel@partner.example (Logistika Partner),
// carol@client.example (Romashka LLC) and dmitry@client2.example (Vasilek JSC) each ask
// for the others' document and version ids through every cabinet documents route and
// get 404, exactly as for an id that does not exist; the lists hold only their own
// account's documents; the employee routes answer them 403.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startPortal } from '../lib/portal.mjs';
import { loginAs, show } from '../lib/identity.mjs';
import { randomFile, accountId, uploadRaw, newDocument, assertError } from '../lib/documents.mjs';

let p;
let vera;
const users = {};
const docs = {}; // persona -> { document_id, version_id } of their account (shared folder)

before(async () => {
  p = await startPortal({ demo: true, env: { PORTAL_SCHEDULER_INTERVAL: '3600' } });
  vera = await loginAs(p.url, 'vera@demo.example');
  const personas = {
    pavel: ['pavel@partner.example', 'Logistika Partner'],
    carol: ['carol@client.example', 'Romashka LLC'],
    dmitry: ['dmitry@client2.example', 'Vasilek JSC'],
  };
  for (const [who, [email, account]] of Object.entries(personas)) {
    users[who] = await loginAs(p.url, email);
    const shared = await newDocument(vera, accountId(p, account), randomFile(64), { title: `for ${who}` });
    const up = await uploadRaw(users[who], '/api/v1/cabinet/documents', randomFile(32), { name: `${who}.txt` });
    assert.equal(up.status, 201, show(up));
    docs[who] = { shared, inbox: up.body, account: accountId(p, account) };
  }
});
after(async () => { await p?.stop(); });

const routes = (d, v) => [
  ['GET', `/api/v1/cabinet/documents/${d}`],
  ['GET', `/api/v1/cabinet/documents/${d}/versions/${v}/download`],
  ['POST', `/api/v1/cabinet/documents/${d}/ack`],
];

describe('another account\'s ids are 404, like ids that do not exist', () => {
  for (const who of ['pavel', 'carol', 'dmitry']) {
    test(`${who}`, async () => {
      const c = users[who];
      const problems = [];
      for (const other of ['pavel', 'carol', 'dmitry'].filter((o) => o !== who)) {
        for (const kind of ['shared', 'inbox']) {
          const { document_id: d, version_id: v } = docs[other][kind];
          // Their document with their version, their document with my version, my
          // document with their version.
          const mine = docs[who][kind];
          for (const [m, path] of [...routes(d, v), ...routes(d, mine.version_id), ...routes(mine.document_id, v).slice(1, 2)]) {
            const res = await c.req(m, path);
            if (res.status !== 404 || res.body?.error?.code !== 'not_found') problems.push(`${m} ${path}: ${show(res)}`);
          }
        }
      }
      for (const [m, path] of routes(999999, 999999)) {
        const res = await c.req(m, path);
        if (res.status !== 404) problems.push(`${m} ${path}: ${show(res)}`);
      }
      assert.deepEqual(problems, []);
      // Their own still work.
      assert.equal((await c.get(`/api/v1/cabinet/documents/${docs[who].shared.document_id}`)).status, 200);
      const list = await c.get('/api/v1/cabinet/documents?limit=200');
      assert.ok(list.body.items.length >= 2);
      assert.ok(list.body.items.every((x) => x.account.id === docs[who].account), 'only their account');
      // A foreign account_id in the query changes nothing.
      const forged = await c.get(`/api/v1/cabinet/documents?account_id=${docs.pavel.account}&limit=200`);
      assert.ok(forged.body.items.every((x) => x.account.id === docs[who].account));
    });
  }

  test('employee document routes are 403 for cabinet users', async () => {
    for (const c of Object.values(users)) {
      assertError(await c.get('/api/v1/documents'), 403, 'forbidden');
      assertError(await c.get(`/api/v1/documents/${docs.pavel.shared.document_id}`), 403, 'forbidden');
      assertError(await c.post(`/api/v1/documents/${docs.pavel.shared.document_id}/links`, { expires_at: '2030-01-01T00:00:00Z' }), 403, 'forbidden');
    }
  });
});
