// The cabinet's orders and "preview as customer". A customer (or partner) sees exactly
// their account's orders: carol (Romashka LLC) and dmitry (Vasilek JSC) get 404 for each
// other's order ids, the same answer as an id that does not exist. An employee previews
// any cabinet GET route with X-Portal-Preview-Account: the answer is the one that
// account's customer gets; every other method with the header is refused, and nobody but
// an employee may send it.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startPortal, api, portalBin } from '../lib/portal.mjs';
import { loginAs, show } from '../lib/identity.mjs';
import { advance, assertError, demoAccounts, newOrder } from '../lib/crm.mjs';

let p;
let vera; let carol; let dmitry; let pavel; let ids;
before(async () => {
  p = await startPortal({ demo: true, env: { PORTAL_SCHEDULER_INTERVAL: '3600' } });
  [vera, carol, dmitry, pavel] = await Promise.all(['vera@demo.example', 'carol@client.example',
    'dmitry@client2.example', 'pavel@partner.example'].map((e) => loginAs(p.url, e)));
  ids = await demoAccounts(vera);
});
after(async () => { await p?.stop(); });

const PREVIEW = 'X-Portal-Preview-Account';
const orderIdsOf = (account) => p.sql(`SELECT id FROM orders WHERE account_id = ${account} ORDER BY id DESC`).map(([x]) => Number(x));

describe('cabinet orders', () => {
  test('a customer lists their own account\'s orders, every status, newest first, with paging', async () => {
    const res = await carol.get('/api/v1/cabinet/orders?limit=100');
    assert.equal(res.status, 200, show(res));
    assert.deepEqual(res.body.items.map((o) => o.id), orderIdsOf(ids['Romashka LLC']));
    assert.deepEqual(new Set(res.body.items.map((o) => o.status)),
      new Set(['new', 'confirmed', 'in_progress', 'shipped', 'delivered', 'closed', 'cancelled']));
    assert.ok(res.body.items.every((o) => o.account === undefined && /^ORD-\d{6}$/.test(o.number)));
    // every member of a list item agrees with the order's own page
    for (const item of res.body.items.slice(0, 3)) {
      assert.deepEqual(Object.keys(item).sort(), ['currency', 'id', 'item_count', 'number', 'order_date', 'status', 'total', 'total_minor', 'updated_at']);
      const full = (await carol.get(`/api/v1/cabinet/orders/${item.id}`)).body;
      for (const k of Object.keys(item)) assert.deepEqual(item[k], full[k], k);
    }
    const p1 = (await carol.get('/api/v1/cabinet/orders?limit=3')).body;
    const p2 = (await carol.get(`/api/v1/cabinet/orders?limit=3&before=${p1.next_before}`)).body;
    assert.deepEqual([...p1.items, ...p2.items].map((o) => o.id), res.body.items.slice(0, 6).map((o) => o.id));
    const shipped = (await carol.get('/api/v1/cabinet/orders?status=shipped')).body.items;
    assert.ok(shipped.length >= 1 && shipped.every((o) => o.status === 'shipped'));
    assertError(await carol.get('/api/v1/cabinet/orders?status=lost'), 400, 'validation_failed', 'status');
  });

  test('the detail shows items, totals, history with comments, but not who created it', async () => {
    const o = await newOrder(vera, ids['Romashka LLC'], { comment: 'For the new office' });
    await advance(vera, o.id, 'confirmed', 'in_progress');
    const res = await carol.get(`/api/v1/cabinet/orders/${o.id}`);
    assert.equal(res.status, 200, show(res));
    assert.equal(res.body.number, o.number);
    assert.equal(res.body.status, 'in_progress');
    assert.equal(res.body.comment, 'For the new office');
    assert.equal(res.body.total, o.total);
    assert.equal(res.body.items.length, 1);
    assert.deepEqual(res.body.history.map((h) => [h.from, h.to, h.comment]), [
      [null, 'new', ''], ['new', 'confirmed', 'to confirmed'], ['confirmed', 'in_progress', 'to in_progress']]);
    assert.equal(res.body.created_by, undefined);
    assert.deepEqual(res.body.next_statuses, []);
    assert.equal(res.body.editable, false);
  });

  test("carol and dmitry get 404 for each other's orders, exactly like a missing id", async () => {
    const missing = await carol.get('/api/v1/cabinet/orders/99999999');
    assertError(missing, 404, 'not_found');
    const pairs = [[carol, ids['Vasilek JSC']], [dmitry, ids['Romashka LLC']], [pavel, ids['Romashka LLC']], [pavel, ids['Vasilek JSC']]];
    for (const [client, otherAccount] of pairs) {
      const theirs = orderIdsOf(otherAccount);
      assert.ok(theirs.length >= 7);
      for (const id of theirs) {
        const res = await client.get(`/api/v1/cabinet/orders/${id}`);
        assert.equal(res.status, 404, `${client.user.email} ${id}: ${show(res)}`);
        assert.equal(res.text, missing.text);
      }
      const list = (await client.get('/api/v1/cabinet/orders?limit=100')).body.items.map((o) => o.id);
      assert.ok(!list.some((id) => theirs.includes(id)), `${client.user.email} lists none of them`);
    }
    for (const id of ['abc', '0', '-1', '1.5']) assertError(await carol.get(`/api/v1/cabinet/orders/${id}`), 404, 'not_found');
    // a partner whose account has no orders sees an empty list
    assert.deepEqual((await pavel.get('/api/v1/cabinet/orders')).body.items, []);
    // an order made for the partner's account appears in the partner's cabinet
    const o = await newOrder(vera, ids['Logistika Partner']);
    assert.deepEqual((await pavel.get('/api/v1/cabinet/orders')).body.items.map((x) => x.id), [o.id]);
    assert.equal((await pavel.get(`/api/v1/cabinet/orders/${o.id}`)).status, 200);
  });

  test('cabinet users reach no employee order route; employees without the header no cabinet one', async () => {
    const id = orderIdsOf(ids['Romashka LLC'])[0];
    for (const [m, path] of [['GET', '/api/v1/orders'], ['GET', `/api/v1/orders/${id}`], ['POST', '/api/v1/orders'],
      ['PATCH', `/api/v1/orders/${id}`], ['POST', `/api/v1/orders/${id}/status`]]) {
      assertError(await carol.req(m, path, { body: m === 'GET' ? undefined : { status: 'closed', version: 1 } }), 403, 'forbidden');
    }
    assertError(await vera.get('/api/v1/cabinet/orders'), 403, 'forbidden');
  });
});

describe('preview as customer', () => {
  const as = (id) => ({ headers: { [PREVIEW]: String(id) } });

  test('an employee sees exactly what the customer sees, on every cabinet GET route', async () => {
    const rom = ids['Romashka LLC'];
    const id = orderIdsOf(rom)[0];
    for (const path of ['/api/v1/cabinet/orders?limit=100', `/api/v1/cabinet/orders/${id}`, '/api/v1/cabinet/account',
      '/api/v1/cabinet/kb/articles']) {
      const customer = await carol.get(path);
      const preview = await vera.get(path, as(rom));
      assert.equal(preview.status, 200, `${path}: ${show(preview)}`);
      assert.equal(preview.text, customer.text, path);
    }
    // another account's order is a 404 in the preview too
    assertError(await vera.get(`/api/v1/cabinet/orders/${orderIdsOf(ids['Vasilek JSC'])[0]}`, as(rom)), 404, 'not_found');
    const vas = await vera.get('/api/v1/cabinet/orders?limit=100', as(ids['Vasilek JSC']));
    assert.equal(vas.text, (await dmitry.get('/api/v1/cabinet/orders?limit=100')).text);
  });

  test('bad, unknown, non-employee and non-GET previews are refused', async () => {
    assertError(await vera.get('/api/v1/cabinet/orders', as('abc')), 400, 'validation_failed');
    assertError(await vera.get('/api/v1/cabinet/orders', as('0')), 400, 'validation_failed');
    assertError(await vera.get('/api/v1/cabinet/orders', as(99999999)), 404, 'not_found');
    // a customer cannot borrow another account by sending the header
    assertError(await carol.get('/api/v1/cabinet/orders', as(ids['Vasilek JSC'])), 403, 'forbidden');
    assertError(await dmitry.get(`/api/v1/cabinet/orders/${orderIdsOf(ids['Romashka LLC'])[0]}`, as(ids['Romashka LLC'])), 403, 'forbidden');
    const anon = await api(p.url, 'GET', '/api/v1/cabinet/orders', as(ids['Romashka LLC']));
    assertError(anon, 401, 'unauthorized');
    // the header changes nothing on employee routes
    const plain = await vera.get('/api/v1/orders?limit=5');
    assert.equal((await vera.get('/api/v1/orders?limit=5', as(ids['Romashka LLC']))).text, plain.text);
  });

  test('every cabinet-only route: GET previews, any other method is 403 preview_read_only', async () => {
    const routes = JSON.parse(execFileSync(portalBin, ['routes'], { env: p.env, encoding: 'utf8' }))
      .filter((r) => r.realms.length && r.realms.every((x) => x === 'customer' || x === 'partner'));
    const gets = routes.filter((r) => r.method === 'GET');
    assert.ok(gets.length >= 5, 'the cabinet has GET routes');
    const rom = ids['Romashka LLC'];
    const id = orderIdsOf(rom)[0];
    for (const r of routes) {
      const path = r.pattern.replace(/\{[^}]+\}/g, String(id));
      const res = await vera.req(r.method, path, { ...as(rom), body: r.method === 'GET' ? undefined : {} });
      if (r.method === 'GET') {
        assert.ok(![401, 403, 405].includes(res.status) && res.status < 500, `${r.method} ${r.pattern}: ${show(res)}`);
      } else {
        assertError(res, 403, 'preview_read_only');
      }
    }
    // and a write with the header never reaches a handler, even with a good CSRF token
    const before = p.sql('SELECT COUNT(*) FROM audit')[0][0];
    for (const r of routes.filter((x) => x.method !== 'GET')) {
      await vera.req(r.method, r.pattern.replace(/\{[^}]+\}/g, String(id)), { ...as(rom), body: { body: 'x', title: 'x' } });
    }
    assert.equal(p.sql('SELECT COUNT(*) FROM audit')[0][0], before);
  });
});
