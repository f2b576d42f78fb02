// Cabinet isolation: every demo customer/partner tries every cabinet route that takes an
// id with every id of another account's objects, and must get 404 with the very body an
// id that does not exist gets (so the answer tells nothing), and nothing may change.
// Generic on purpose: routes come from `portal routes` (every route a customer or
// partner may call), object ids from every account-owned table that exists, so a route
// or table added later is covered without touching this file. A path parameter is
// matched to its table by the segment before it (/tickets/{id} -> tickets); under
// /api/v1/cabinet/ a kind this file does not know gets every foreign id of every kind.
// Outside the cabinet only known kinds are probed (/api/v1/files/{id}); the rest there
// are the caller's own things keyed by user (/api/v1/me/sessions/{id}), tested elsewhere.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startPortal, portalBin } from '../lib/portal.mjs';
import { loginAs, show } from '../lib/identity.mjs';

const PERSONAS = [
  { email: 'carol@client.example', account: 'Romashka LLC' },
  { email: 'dmitry@client2.example', account: 'Vasilek JSC' },
  { email: 'pavel@partner.example', account: 'Logistika Partner' },
];
/* Objects shared with every cabinet user by design, not owned by an account. */
const PUBLIC_KINDS = new Set(['articles']);
const MISSING_ID = 987654321;
/* A body that passes the usual validation, so a refusal is about the id, not the body:
 * only the keys the route takes (bodies are strict: any other key is a 400). */
const PROBE_VALUES = { body: 'isolation probe', subject: 'isolation probe', rating: 5, comment: 'probe', status: 'open', version: 1, name: 'probe' };
const PROBE_KEYS = { messages: ['body'], rating: ['rating', 'comment'], ack: [] };
const probeBody = (pattern) => {
  const keys = PROBE_KEYS[pattern.split('/').pop()] ?? Object.keys(PROBE_VALUES);
  return Object.fromEntries(keys.map((k) => [k, PROBE_VALUES[k]]));
};

let p;
let routes;
const clients = {};
const accountIds = {};
const markers = {}; // account id -> texts only that account's users may read

/* Foreign ids per kind for an account: each query runs only when its table exists. */
const KIND_QUERIES = {
  tickets: (a) => `SELECT id FROM tickets WHERE account_id <> ${a}`,
  messages: (a) => `SELECT m.id FROM ticket_messages m JOIN tickets t ON t.id = m.ticket_id WHERE t.account_id <> ${a}`,
  orders: (a) => `SELECT id FROM orders WHERE account_id <> ${a}`,
  documents: (a) => `SELECT id FROM documents WHERE account_id <> ${a}`,
  versions: (a) => `SELECT v.id FROM document_versions v JOIN documents d ON d.id = v.document_id WHERE d.account_id <> ${a}`,
  files: (a) => `SELECT f.id FROM files f LEFT JOIN users u ON u.id = f.uploader_id
    LEFT JOIN ticket_messages m ON f.owner_kind = 'ticket_message' AND m.id = f.owner_id
    LEFT JOIN tickets t ON t.id = m.ticket_id
    WHERE (u.account_id IS NOT NULL AND u.account_id <> ${a}) OR t.account_id <> ${a}
       OR (m.id IS NOT NULL AND m.internal = 1)`,
};
const TABLE_OF = { tickets: 'tickets', messages: 'ticket_messages', orders: 'orders', documents: 'documents', versions: 'document_versions', files: 'files' };

function tableExists(name) {
  return p.sql(`SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = '${name}'`)[0][0] === '1';
}

function foreignIds(kind, accountId) {
  if (!tableExists(TABLE_OF[kind])) return [];
  return p.sql(KIND_QUERIES[kind](accountId)).map((r) => Number(r[0]));
}

/* The kind of each {param} of a pattern: the path segment before it. */
function paramKinds(pattern) {
  const segs = pattern.split('/');
  const kinds = [];
  segs.forEach((s, i) => { if (/^\{.+\}$/.test(s)) kinds.push(segs[i - 1]); });
  return kinds;
}

function counts() {
  return Object.values(TABLE_OF).filter(tableExists).map((t) => `${t}=${p.sql(`SELECT COUNT(*) FROM ${t}`)[0][0]}`).join(' ') +
    ` files_attached=${p.sql('SELECT COUNT(*) FROM files WHERE owner_kind IS NOT NULL')[0][0]}`;
}

async function upload(c, name, text) {
  const up = await c.req('POST', `/api/v1/files?name=${name}`, { raw: text, headers: { 'Content-Type': 'text/plain' } });
  assert.equal(up.status, 201, show(up));
  return up.body.id;
}

before(async () => {
  p = await startPortal({ demo: true });
  routes = JSON.parse(execFileSync(portalBin, ['routes'], { env: p.env, encoding: 'utf8' }));
  for (const who of PERSONAS) {
    clients[who.email] = await loginAs(p.url, who.email);
    accountIds[who.email] = Number(p.sql(`SELECT id FROM accounts WHERE name = '${who.account}'`)[0][0]);
  }
  // Every account gets a ticket with an attachment, a staff reply with one and an
  // internal note with one, so files and messages of every kind exist to probe.
  const staff = await loginAs(p.url, 'vera@demo.example');
  for (const who of PERSONAS) {
    const c = clients[who.email];
    const a = accountIds[who.email];
    const secret = `secret-of-account-${a}`;
    markers[a] = secret;
    const file = await upload(c, `${secret}.txt`, secret);
    const t = await c.post('/api/v1/cabinet/tickets', { subject: `${secret} subject`, body: `${secret} body`, file_ids: [file] });
    assert.equal(t.status, 201, show(t));
    const f2 = await upload(staff, 'reply.txt', 'reply');
    const reply = await staff.post(`/api/v1/tickets/${t.body.id}/messages`, { body: `${secret} reply`, file_ids: [f2] });
    assert.equal(reply.status, 201, show(reply));
    const f3 = await upload(staff, 'note.txt', 'note');
    const note = await staff.post(`/api/v1/tickets/${t.body.id}/messages`, { body: `${secret} note`, internal: true, file_ids: [f3] });
    assert.equal(note.status, 201, show(note));
  }
});
after(async () => { await p?.stop(); });

test('the route table has cabinet routes with ids to probe', () => {
  const cab = routes.filter((r) => r.realms.includes('customer') && r.pattern.includes('{'));
  assert.ok(cab.some((r) => r.pattern.startsWith('/api/v1/cabinet/tickets/')), 'no cabinet ticket routes');
});

for (const who of PERSONAS) {
  test(`${who.email}: every cabinet route with every id of other accounts answers 404 and leaks nothing`, async () => {
    const c = clients[who.email];
    const mine = accountIds[who.email];
    const realm = c.user.realm;
    const byKind = {};
    for (const kind of Object.keys(KIND_QUERIES)) byKind[kind] = foreignIds(kind, mine);
    assert.ok(byKind.tickets.length > 0 && byKind.messages.length > 0 && byKind.files.length > 0, 'nothing foreign to probe');
    const allForeign = [...new Set(Object.values(byKind).flat())];
    const before = counts();
    const problems = [];
    let probes = 0;
    for (const route of routes) {
      if (!route.realms.includes(realm) || !route.pattern.includes('{')) continue;
      const kinds = paramKinds(route.pattern);
      if (kinds.some((k) => PUBLIC_KINDS.has(k))) continue;
      if (!route.pattern.startsWith('/api/v1/cabinet/') && !kinds.every((k) => k in KIND_QUERIES)) continue;
      const write = !['GET', 'HEAD'].includes(route.method);
      const call = (ids) => {
        let i = 0;
        const target = route.pattern.replace(/\{[^}]+\}/g, () => String(ids[i++]));
        return c.req(route.method, target, write ? { body: probeBody(route.pattern) } : {});
      };
      for (let pos = 0; pos < kinds.length; pos++) {
        const baseline = await call(kinds.map(() => MISSING_ID));
        if (baseline.status !== 404) problems.push(`${route.method} ${route.pattern} with a missing id: ${show(baseline)}`);
        const ids = byKind[kinds[pos]] ?? allForeign;
        for (const id of ids) {
          const args = kinds.map((k, j) => (j === pos ? id : MISSING_ID));
          // With one parameter the others do not matter; with several, a foreign id in
          // this position must be refused whatever the rest is.
          const res = await call(args);
          probes++;
          if (res.status !== 404) problems.push(`${route.method} ${route.pattern} ${kinds[pos]}=${id}: ${show(res)}`);
          else if (res.text !== baseline.text) problems.push(`${route.method} ${route.pattern} ${kinds[pos]}=${id}: the 404 differs from a missing id's: ${res.text}`);
          for (const [acc, secret] of Object.entries(markers)) {
            if (Number(acc) !== mine && res.text.includes(secret)) problems.push(`${route.method} ${route.pattern} ${kinds[pos]}=${id} leaks ${secret}`);
          }
        }
      }
    }
    assert.ok(probes > 0, 'no probe was made');
    assert.deepEqual(problems, [], problems.join('\n'));
    assert.equal(counts(), before, 'a refused request changed the database');
  });

  test(`${who.email}: cabinet lists show nothing of other accounts`, async () => {
    const c = clients[who.email];
    const mine = accountIds[who.email];
    const realm = c.user.realm;
    for (const route of routes) {
      if (route.method !== 'GET' || !route.realms.includes(realm) || route.pattern.includes('{')) continue;
      if (!route.pattern.startsWith('/api/v1/cabinet/')) continue;
      const res = await c.get(`${route.pattern}?limit=200`);
      for (const [acc, secret] of Object.entries(markers)) {
        if (Number(acc) !== mine) assert.ok(!res.text.includes(secret), `${route.pattern} shows ${secret}`);
      }
      if (route.pattern === '/api/v1/cabinet/tickets') {
        assert.equal(res.status, 200, show(res));
        assert.ok(res.body.items.length > 0 && res.body.items.every((t) => t.account.id === mine));
        assert.ok(!res.text.includes(`${markers[mine]} note`), 'the internal note is not in the list');
      }
    }
  });
}
