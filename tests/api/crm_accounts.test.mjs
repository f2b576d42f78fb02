// CRM records: accounts (company data, INN/VAT id checked, owner, search, edit with a
// version, a timeline of what happened), contacts (create, list by account, search,
// edit, delete) and who may do what. Demo people: boris (manager), vera (member),
// carol (customer of Romashka LLC).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startPortal } from '../lib/portal.mjs';
import { loginAs, show } from '../lib/identity.mjs';
import { assertError, demoAccounts, unique } from '../lib/crm.mjs';

let p;
let boris; let vera; let carol; let ids;
before(async () => {
  p = await startPortal({ demo: true, env: { PORTAL_SCHEDULER_INTERVAL: '3600' } });
  [boris, vera, carol] = await Promise.all([
    loginAs(p.url, 'boris@demo.example'), loginAs(p.url, 'vera@demo.example'), loginAs(p.url, 'carol@client.example'),
  ]);
  ids = await demoAccounts(vera);
});
after(async () => { await p?.stop(); });

const veraId = () => vera.user.id;

describe('accounts', () => {
  test('the demo accounts carry INN, addresses, owner, contacts and their cabinet users', async () => {
    const res = await vera.get(`/api/v1/accounts/${ids['Romashka LLC']}`);
    assert.equal(res.status, 200, show(res));
    const a = res.body;
    assert.equal(a.kind, 'customer');
    assert.equal(a.tax_id, '7708123450');
    assert.match(a.legal_address, /Moscow/);
    assert.match(a.shipping_address, /Warehouse/);
    assert.equal(a.owner.name, 'Boris Ivanov');
    assert.equal(a.counts.contacts, 3);
    assert.equal(a.counts.orders, 7, 'one order in every status');
    assert.deepEqual(a.users.map((u) => u.email), ['carol@client.example']);
    assert.equal(typeof a.version, 'number');
  });

  test('a manager creates an account with every field; a member may not create one', async () => {
    const name = unique('Oduvanchik');
    let res = await vera.post('/api/v1/accounts', { name, kind: 'customer' });
    assertError(res, 403, 'forbidden');
    res = await boris.post('/api/v1/accounts', {
      name, kind: 'prospect', tax_id: '7707083893', legal_address: 'Moscow, Vavilova 19',
      shipping_address: '', email: 'buy@oduvanchik.example', phone: '+7 (495) 500-55-50', owner_id: veraId(), notes: 'Met at a fair',
    });
    assert.equal(res.status, 201, show(res));
    assert.equal(res.body.name, name);
    assert.equal(res.body.shipping_address, null, 'an empty text is no value');
    assert.deepEqual(res.body.owner, { id: veraId(), name: 'Vera Smirnova' });
    assert.equal(res.body.version, 1);
    const tl = await vera.get(`/api/v1/accounts/${res.body.id}/timeline`);
    assert.equal(tl.body.items[0].kind, 'account.created');
    assert.equal(tl.body.items[0].actor.name, 'Boris Ivanov');
    res = await boris.post('/api/v1/accounts', { name, kind: 'customer' });
    assertError(res, 409, 'conflict', 'name');
  });

  test('bad input: kind, INN check digits, email, phone, owner, types, unknown account', async () => {
    const name = unique('Bad');
    assertError(await boris.post('/api/v1/accounts', { name, kind: 'supplier' }), 400, 'validation_failed', 'kind');
    assertError(await boris.post('/api/v1/accounts', { name, kind: 'customer', tax_id: '7707083894' }), 400, 'invalid_tax_id', 'tax_id');
    assertError(await boris.post('/api/v1/accounts', { name, kind: 'customer', tax_id: '500100732258' }), 400, 'invalid_tax_id', 'tax_id');
    assertError(await boris.post('/api/v1/accounts', { name, kind: 'customer', tax_id: 'x;y' }), 400, 'invalid_tax_id', 'tax_id');
    assertError(await boris.post('/api/v1/accounts', { name, kind: 'customer', email: 'not-mail' }), 400, 'validation_failed', 'email');
    assertError(await boris.post('/api/v1/accounts', { name, kind: 'customer', phone: 'call me' }), 400, 'validation_failed', 'phone');
    assertError(await boris.post('/api/v1/accounts', { name, kind: 'customer', owner_id: carol.user.id }), 400, 'validation_failed', 'owner_id');
    assertError(await boris.post('/api/v1/accounts', { name: 42, kind: 'customer' }), 400, 'validation_failed', 'name');
    assertError(await boris.post('/api/v1/accounts', { name: 'x'.repeat(201), kind: 'customer' }), 400, 'validation_failed', 'name');
    assertError(await boris.post('/api/v1/accounts', { name, kind: 'customer', notes: 'a'.repeat(10001) }), 400, 'validation_failed', 'notes');
    // a 12-digit INN with valid check digits and a VAT number are fine
    let res = await boris.post('/api/v1/accounts', { name, kind: 'customer', tax_id: '500100732259' });
    assert.equal(res.status, 201, show(res));
    res = await boris.post('/api/v1/accounts', { name: unique('GmbH'), kind: 'partner', tax_id: 'DE123456789' });
    assert.equal(res.status, 201, show(res));
    assertError(await vera.get('/api/v1/accounts/99999999'), 404, 'not_found');
    assertError(await vera.get('/api/v1/accounts/abc'), 404, 'not_found');
    assertError(await vera.get('/api/v1/accounts/99999999/timeline'), 404, 'not_found');
    assertError(await vera.patch('/api/v1/accounts/99999999', { version: 1, name: 'x' }), 404, 'not_found');
  });

  test('search by name or INN prefix, filter by kind and owner, keyset paging', async () => {
    let res = await vera.get('/api/v1/accounts?q=romash');
    assert.deepEqual(res.body.items.map((a) => a.name), ['Romashka LLC']);
    res = await vera.get('/api/v1/accounts?q=78104');
    assert.deepEqual(res.body.items.map((a) => a.name), ['Vasilek JSC']);
    res = await vera.get('/api/v1/accounts?kind=partner');
    assert.ok(res.body.items.every((a) => a.kind === 'partner'));
    assert.ok(res.body.items.some((a) => a.name === 'Logistika Partner'));
    res = await vera.get('/api/v1/accounts?owner=me');
    assert.ok(res.body.items.some((a) => a.name === 'Vasilek JSC'));
    assert.ok(res.body.items.every((a) => a.owner?.id === veraId()));
    assert.equal(res.body.items.find((a) => a.name === 'Vasilek JSC').open_orders, 5);
    res = await vera.get('/api/v1/accounts?q=100%25');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.items, [], '% is a literal');
    const all = (await vera.get('/api/v1/accounts?limit=500')).body.items.map((a) => a.id);
    const page1 = (await vera.get('/api/v1/accounts?limit=2')).body;
    assert.deepEqual(page1.items.map((a) => a.id), all.slice(0, 2));
    const page2 = (await vera.get(`/api/v1/accounts?limit=2&before=${page1.next_before}`)).body;
    assert.deepEqual(page2.items.map((a) => a.id), all.slice(2, 4));
    assertError(await vera.get('/api/v1/accounts?kind=vip'), 400, 'validation_failed', 'kind');
    assertError(await vera.get('/api/v1/accounts?owner=x'), 400, 'validation_failed', 'owner');
  });

  test('an edit needs the current version; a stale one gets 409 with the account as it is now', async () => {
    const created = (await boris.post('/api/v1/accounts', { name: unique('Edit'), kind: 'prospect' })).body;
    let res = await vera.patch(`/api/v1/accounts/${created.id}`, { name: 'no version' });
    assertError(res, 400, 'validation_failed', 'version');
    res = await vera.patch(`/api/v1/accounts/${created.id}`, { version: 1, kind: 'customer', tax_id: '7707083893', owner_id: veraId() });
    assert.equal(res.status, 200, show(res));
    assert.equal(res.body.version, 2);
    assert.equal(res.body.kind, 'customer');
    assert.equal(res.body.owner.id, veraId());
    res = await boris.patch(`/api/v1/accounts/${created.id}`, { version: 1, kind: 'partner' });
    assertError(res, 409, 'conflict', 'version');
    assert.equal(res.body.current.kind, 'customer');
    assert.equal(res.body.current.version, 2);
    // clearing: "" for texts, null for the owner
    res = await vera.patch(`/api/v1/accounts/${created.id}`, { version: 2, tax_id: '', owner_id: null });
    assert.equal(res.status, 200, show(res));
    assert.equal(res.body.tax_id, null);
    assert.equal(res.body.owner, null);
    // nothing changed: no new version, no timeline line
    res = await vera.patch(`/api/v1/accounts/${created.id}`, { version: 3, kind: 'customer' });
    assert.equal(res.body.version, 3);
    const tl = (await vera.get(`/api/v1/accounts/${created.id}/timeline`)).body.items;
    assert.deepEqual(tl.map((x) => x.kind), ['account.updated', 'account.updated', 'account.created']);
    assert.match(tl[1].summary, /kind, tax_id, owner/);
    // a taken name is a conflict, not a 500
    res = await vera.patch(`/api/v1/accounts/${created.id}`, { version: 3, name: 'Romashka LLC' });
    assertError(res, 409, 'conflict', 'name');
  });

  test('two people editing at once: exactly one wins', async () => {
    const created = (await boris.post('/api/v1/accounts', { name: unique('Race'), kind: 'prospect' })).body;
    const results = await Promise.all([
      vera.patch(`/api/v1/accounts/${created.id}`, { version: 1, notes: 'from vera' }),
      boris.patch(`/api/v1/accounts/${created.id}`, { version: 1, notes: 'from boris' }),
    ]);
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 409], results.map(show).join('\n'));
    const winner = results.find((r) => r.status === 200).body.notes;
    assert.equal((await vera.get(`/api/v1/accounts/${created.id}`)).body.notes, winner);
  });

  test('customers reach none of it', async () => {
    for (const path of ['/api/v1/accounts', `/api/v1/accounts/${ids['Romashka LLC']}`, '/api/v1/contacts',
      `/api/v1/accounts/${ids['Romashka LLC']}/timeline`]) {
      assertError(await carol.get(path), 403, 'forbidden');
    }
  });
});

describe('contacts', () => {
  test('create, list by account, search, read, edit with a version, delete; each on the timeline', async () => {
    const account = (await boris.post('/api/v1/accounts', { name: unique('Contacts'), kind: 'customer' })).body;
    let res = await vera.post('/api/v1/contacts', { account_id: account.id, name: 'Irina Volkova', position: 'CFO', email: 'irina@example.org', phone: '+7 900 000-00-01' });
    assert.equal(res.status, 201, show(res));
    const irina = res.body;
    assert.deepEqual(irina.account, { id: account.id, name: account.name });
    assert.equal(irina.position, 'CFO');
    res = await vera.post('/api/v1/contacts', { account_id: account.id, name: 'Petr Lebedev' });
    const petr = res.body;
    assert.equal(petr.email, null);
    res = await vera.get(`/api/v1/contacts?account_id=${account.id}`);
    assert.deepEqual(res.body.items.map((c) => c.name), ['Petr Lebedev', 'Irina Volkova']);
    res = await vera.get(`/api/v1/contacts?account_id=${account.id}&q=irina@`);
    assert.deepEqual(res.body.items.map((c) => c.id), [irina.id]);
    res = await vera.get(`/api/v1/contacts/${irina.id}`);
    assert.equal(res.body.email, 'irina@example.org');
    res = await vera.patch(`/api/v1/contacts/${irina.id}`, { version: 1, position: 'CEO', phone: '' });
    assert.equal(res.status, 200, show(res));
    assert.equal(res.body.position, 'CEO');
    assert.equal(res.body.phone, null);
    assert.equal(res.body.version, 2);
    assertError(await vera.patch(`/api/v1/contacts/${irina.id}`, { version: 1, position: 'CTO' }), 409, 'conflict', 'version');
    assertError(await vera.patch(`/api/v1/contacts/${irina.id}`, { version: 2, account_id: ids['Romashka LLC'] }), 400, 'validation_failed', 'account_id');
    res = await vera.del(`/api/v1/contacts/${petr.id}`);
    assert.equal(res.status, 204, show(res));
    assertError(await vera.get(`/api/v1/contacts/${petr.id}`), 404, 'not_found');
    assertError(await vera.del(`/api/v1/contacts/${petr.id}`), 404, 'not_found');
    const full = (await vera.get(`/api/v1/accounts/${account.id}`)).body;
    assert.equal(full.counts.contacts, 1);
    const tl = (await vera.get(`/api/v1/accounts/${account.id}/timeline`)).body.items.map((x) => x.kind);
    assert.deepEqual(tl, ['contact.deleted', 'contact.updated', 'contact.created', 'contact.created', 'account.created']);
  });

  test('bad input', async () => {
    const acc = ids['Vasilek JSC'];
    assertError(await vera.post('/api/v1/contacts', { name: 'No account' }), 400, 'validation_failed', 'account_id');
    assertError(await vera.post('/api/v1/contacts', { account_id: 99999999, name: 'Ghost' }), 400, 'validation_failed', 'account_id');
    assertError(await vera.post('/api/v1/contacts', { account_id: acc, name: '  ' }), 400, 'validation_failed', 'name');
    assertError(await vera.post('/api/v1/contacts', { account_id: acc, name: 'X', email: 'a@b@c' }), 400, 'validation_failed', 'email');
    assertError(await vera.post('/api/v1/contacts', { account_id: '1', name: 'X' }), 400, 'validation_failed', 'account_id');
    assertError(await vera.get('/api/v1/contacts?account_id=x'), 400, 'validation_failed', 'account_id');
    const res = await vera.req('POST', '/api/v1/contacts', { raw: '{"account_id": 1, "name": ', headers: { 'Content-Type': 'application/json' } });
    assertError(res, 400, 'invalid_json');
  });
});
