// Orders: created with line items whose totals the server computes in integer minor
// units (the client's totals are never taken), exact decimal money and its bad input
// (negative, more than two decimals, past 2^53, floats that are not what they look
// like), edits while the order is new, the status workflow (409 on a jump it does not
// allow or a stale version), two employees advancing the same order at once, and what a
// status change leaves behind: history, timeline, notifications and mail for the
// account's cabinet users, outbox events and the audit log.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startPortal } from '../lib/portal.mjs';
import { loginAs, mailsTo, show } from '../lib/identity.mjs';
import { advance, assertError, demoAccounts, item, newOrder } from '../lib/crm.mjs';

let p;
let boris; let vera; let carol; let ids;
before(async () => {
  p = await startPortal({ demo: true, env: { PORTAL_SCHEDULER_INTERVAL: '3600', PORTAL_THREADS: '40' } });
  [boris, vera, carol] = await Promise.all([
    loginAs(p.url, 'boris@demo.example'), loginAs(p.url, 'vera@demo.example'), loginAs(p.url, 'carol@client.example'),
  ]);
  ids = await demoAccounts(vera);
});
after(async () => { await p?.stop(); });

const one = (q) => p.sql(q)[0]?.[0];
const romashka = () => ids['Romashka LLC'];

describe('creating orders', () => {
  test('lines and totals are computed on the server, VAT per line, rounded half up', async () => {
    const o = await newOrder(vera, romashka(), {
      currency: 'eur',
      order_date: '2026-02-28',
      comment: 'Please call before delivery',
      items: [
        item({ product_name: 'Chair', sku: 'CH-1', quantity: '3', unit_price: '19.99', vat_rate: '20' }),
        item({ product_name: 'Coffee, kg', sku: '', quantity: '2.5', unit_price: 1450.5, vat_rate: 10 }),
        item({ product_name: 'Service', sku: null, quantity: 1, unit_price: undefined, unit_price_minor: 333, vat_rate: '7.5' }),
      ],
      // a client's own totals are ignored (unknown fields are refused, see below)
    });
    assert.equal(o.number, `ORD-${String(o.id).padStart(6, '0')}`);
    assert.equal(o.status, 'new');
    assert.equal(o.currency, 'EUR');
    assert.equal(o.order_date, '2026-02-28');
    assert.equal(o.comment, 'Please call before delivery');
    assert.deepEqual(o.items.map((i) => [i.position, i.product_name, i.sku, i.quantity, i.unit_price, i.vat_rate, i.net, i.vat, i.total]), [
      [1, 'Chair', 'CH-1', '3', '19.99', '20', '59.97', '11.99', '71.96'], // 11.994 -> 11.99
      [2, 'Coffee, kg', null, '2.5', '1450.50', '10', '3626.25', '362.63', '3988.88'], // 362.625 -> 362.63
      [3, 'Service', null, '1', '3.33', '7.5', '3.33', '0.25', '3.58'], // 0.24975 -> 0.25
    ]);
    assert.equal(o.subtotal, '3689.55');
    assert.equal(o.subtotal_minor, 368955);
    assert.equal(o.vat_total, '374.87');
    assert.equal(o.total, '4064.42');
    assert.equal(o.total_minor, 406442);
    assert.equal(o.item_count, 3);
    assert.deepEqual(o.next_statuses, ['confirmed', 'cancelled']);
    assert.equal(o.editable, true);
    assert.equal(o.created_by.name, 'Vera Smirnova');
    assert.deepEqual(o.history.map((h) => [h.from, h.to]), [[null, 'new']]);
    assert.equal(one(`SELECT CONCAT(subtotal, ' ', vat_total, ' ', total) FROM orders WHERE id = ${o.id}`), '368955 37487 406442');
    // the list shows it, newest first, with the account
    const list = (await vera.get(`/api/v1/orders?account_id=${romashka()}&limit=1`)).body.items[0];
    assert.equal(list.id, o.id);
    assert.equal(list.total, '4064.42');
    assert.deepEqual(list.account, { id: romashka(), name: 'Romashka LLC' });
  });

  test('money edge cases: negative, too many decimals, 2^53, floats, types', async () => {
    const acc = romashka();
    const bad = async (over, status, code, field) => {
      const res = await vera.post('/api/v1/orders', { account_id: acc, items: [item(over)] });
      assertError(res, status, code, field);
    };
    await bad({ quantity: '-1' }, 400, 'validation_failed', 'items[0].quantity');
    await bad({ quantity: -2 }, 400, 'validation_failed', 'items[0].quantity');
    await bad({ quantity: '0' }, 400, 'validation_failed', 'items[0].quantity');
    await bad({ quantity: '1.0005' }, 400, 'validation_failed', 'items[0].quantity');
    await bad({ unit_price: '-0.01' }, 400, 'validation_failed', 'items[0].unit_price');
    await bad({ unit_price: '12.345' }, 400, 'validation_failed', 'items[0].unit_price');
    await bad({ unit_price: 12.345 }, 400, 'validation_failed', 'items[0].unit_price');
    await bad({ unit_price: 0.1 + 0.2 }, 400, 'validation_failed', 'items[0].unit_price'); // 0.30000000000000004
    await bad({ unit_price: '1e3' }, 400, 'validation_failed', 'items[0].unit_price');
    await bad({ unit_price: ' 12' }, 400, 'validation_failed', 'items[0].unit_price');
    await bad({ unit_price: '12.' }, 400, 'validation_failed', 'items[0].unit_price');
    await bad({ unit_price: '.5' }, 400, 'validation_failed', 'items[0].unit_price');
    await bad({ unit_price: true }, 400, 'validation_failed', 'items[0].unit_price');
    await bad({ unit_price: undefined }, 400, 'validation_failed', 'items[0].unit_price');
    await bad({ unit_price_minor: 1000 }, 400, 'validation_failed', 'items[0].unit_price');
    await bad({ unit_price: undefined, unit_price_minor: '1000' }, 400, 'validation_failed', 'items[0].unit_price_minor');
    await bad({ unit_price: undefined, unit_price_minor: -1 }, 400, 'validation_failed', 'items[0].unit_price_minor');
    await bad({ vat_rate: '100.01' }, 400, 'amount_too_large', 'items[0].vat_rate');
    await bad({ vat_rate: '-20' }, 400, 'validation_failed', 'items[0].vat_rate');
    await bad({ vat_rate: '20.125' }, 400, 'validation_failed', 'items[0].vat_rate');
    await bad({ product_name: '' }, 400, 'validation_failed', 'items[0].product_name');
    await bad({ discount: '5' }, 400, 'unknown_field', 'items[0].discount');
    // one price past 2^53 minor units, a line, and a sum of lines that overflow
    await bad({ unit_price: '90071992547409.92' }, 400, 'amount_too_large', 'items[0].unit_price');
    await bad({ unit_price: '99999999999999999999999999.99' }, 400, 'amount_too_large', 'items[0].unit_price');
    await bad({ unit_price: undefined, unit_price_minor: 9007199254740992 }, 400, 'amount_too_large', 'items[0].unit_price_minor');
    await bad({ quantity: '2', unit_price: '50000000000000.00', vat_rate: '0' }, 400, 'amount_too_large', 'items[0]');
    await bad({ quantity: '1', unit_price: '90071992547409.91', vat_rate: '20' }, 400, 'amount_too_large', 'items[0]');
    let res = await vera.post('/api/v1/orders', {
      account_id: acc,
      items: [item({ quantity: '1', unit_price: '50000000000000.00', vat_rate: '0' }), item({ quantity: '1', unit_price: '50000000000000.00', vat_rate: '0' })],
    });
    assertError(res, 400, 'amount_too_large', 'items');
    // exactly 2^53 - 1 minor units is fine, and comes back exact
    res = await vera.post('/api/v1/orders', { account_id: acc, items: [item({ quantity: '1', unit_price: '90071992547409.91', vat_rate: '0' })] });
    assert.equal(res.status, 201, show(res));
    assert.equal(res.body.total, '90071992547409.91');
    assert.equal(res.body.total_minor, 9007199254740991);
    // "1.50" and 12.0 are fine; trailing zeros past the scale are zeros
    res = await vera.post('/api/v1/orders', { account_id: acc, items: [item({ quantity: '1.500', unit_price: 12.0, vat_rate: '20.00' })] });
    assert.equal(res.status, 201, show(res));
    assert.equal(res.body.items[0].quantity, '1.5');
    assert.equal(res.body.total, '21.60');
    // order-level bad input
    const body = { account_id: acc, items: [item()] };
    assertError(await vera.post('/api/v1/orders', { ...body, items: [] }), 400, 'validation_failed', 'items');
    assertError(await vera.post('/api/v1/orders', { ...body, items: 'x' }), 400, 'validation_failed', 'items');
    assertError(await vera.post('/api/v1/orders', { ...body, items: Array.from({ length: 201 }, () => item()) }), 400, 'validation_failed', 'items');
    assertError(await vera.post('/api/v1/orders', { ...body, items: [5] }), 400, 'validation_failed', 'items[0]');
    assertError(await vera.post('/api/v1/orders', { account_id: acc }), 400, 'validation_failed', 'items');
    assertError(await vera.post('/api/v1/orders', { ...body, account_id: 99999999 }), 400, 'validation_failed', 'account_id');
    assertError(await vera.post('/api/v1/orders', { ...body, currency: 'RUBL' }), 400, 'validation_failed', 'currency');
    assertError(await vera.post('/api/v1/orders', { ...body, currency: 'R1B' }), 400, 'validation_failed', 'currency');
    assertError(await vera.post('/api/v1/orders', { ...body, order_date: '2026-02-30' }), 400, 'validation_failed', 'order_date');
    assertError(await vera.post('/api/v1/orders', { ...body, total: 1 }), 400, 'unknown_field', 'total');
    assertError(await vera.post('/api/v1/orders', { ...body, comment: 'c'.repeat(2001) }), 400, 'validation_failed', 'comment');
    const before = Number(one('SELECT COUNT(*) FROM orders'));
    res = await vera.req('POST', '/api/v1/orders', { raw: '{"account_id": 1, "items": [', headers: { 'Content-Type': 'application/json' } });
    assertError(res, 400, 'invalid_json');
    assert.equal(Number(one('SELECT COUNT(*) FROM orders')), before, 'nothing written by refused requests');
  });

  test('200 lines in one order, totals summed exactly', async () => {
    const items = Array.from({ length: 200 }, (_, i) => item({ product_name: `Line ${i}`, quantity: '1', unit_price: `${i}.01`, vat_rate: '0' }));
    const o = await newOrder(vera, romashka(), { items });
    assert.equal(o.items.length, 200);
    const cents = items.reduce((s, _, i) => s + i * 100 + 1, 0);
    assert.equal(o.total_minor, cents);
  });
});

describe('editing and the workflow', () => {
  test('a new order is edited with its version; items then recompute the totals', async () => {
    const o = await newOrder(vera, romashka());
    let res = await boris.patch(`/api/v1/orders/${o.id}`, { version: 1, items: [item({ quantity: '5', unit_price: '1.00', vat_rate: '0' })], currency: 'USD', comment: 'Changed' });
    assert.equal(res.status, 200, show(res));
    assert.equal(res.body.version, 2);
    assert.equal(res.body.total, '5.00');
    assert.equal(res.body.currency, 'USD');
    assert.equal(res.body.items.length, 1);
    assertError(await vera.patch(`/api/v1/orders/${o.id}`, { version: 1, comment: 'stale' }), 409, 'conflict', 'version');
    assertError(await vera.patch(`/api/v1/orders/${o.id}`, { comment: 'no version' }), 400, 'validation_failed', 'version');
    assertError(await vera.patch(`/api/v1/orders/${o.id}`, { version: 2, account_id: ids['Vasilek JSC'] }), 400, 'validation_failed', 'account_id');
    // currency alone keeps the lines and totals
    res = await vera.patch(`/api/v1/orders/${o.id}`, { version: 2, currency: 'RUB' });
    assert.equal(res.body.total, '5.00');
    assert.equal(res.body.item_count, 1);
    await advance(vera, o.id, 'confirmed');
    res = await vera.patch(`/api/v1/orders/${o.id}`, { version: 4, items: [item()] });
    assertError(res, 409, 'order_locked', 'items');
    assert.equal(res.body.current.status, 'confirmed');
    // the comment for the customer may still change
    res = await vera.patch(`/api/v1/orders/${o.id}`, { version: 4, comment: 'Ships on Monday' });
    assert.equal(res.status, 200, show(res));
    assert.equal(res.body.comment, 'Ships on Monday');
    assertError(await vera.patch('/api/v1/orders/99999999', { version: 1, comment: 'x' }), 404, 'not_found');
  });

  test('the whole path new -> closed, each step in the history with who, when and the comment', async () => {
    const o = await newOrder(vera, romashka());
    const done = await advance(boris, o.id, 'confirmed', 'in_progress', 'shipped', 'delivered', 'closed');
    assert.equal(done.status, 'closed');
    assert.equal(done.version, 6);
    assert.deepEqual(done.next_statuses, []);
    assert.deepEqual(done.history.map((h) => [h.from, h.to, h.comment]), [
      [null, 'new', ''], ['new', 'confirmed', 'to confirmed'], ['confirmed', 'in_progress', 'to in_progress'],
      ['in_progress', 'shipped', 'to shipped'], ['shipped', 'delivered', 'to delivered'], ['delivered', 'closed', 'to closed'],
    ]);
    assert.ok(done.history.slice(1).every((h) => h.by.name === 'Boris Ivanov' && /Z$/.test(h.at)));
  });

  test('jumps the workflow does not allow answer 409 and change nothing', async () => {
    const o = await newOrder(vera, romashka());
    const tryStatus = (status, extra = {}) => vera.post(`/api/v1/orders/${o.id}/status`, { status, ...extra });
    for (const s of ['new', 'in_progress', 'shipped', 'delivered', 'closed']) {
      const res = await tryStatus(s);
      assertError(res, 409, 'invalid_transition', 'status');
      assert.equal(res.body.current.status, 'new');
    }
    assertError(await tryStatus('lost'), 400, 'validation_failed', 'status');
    assertError(await tryStatus(undefined), 400, 'validation_failed', 'status');
    await advance(vera, o.id, 'confirmed', 'in_progress', 'shipped');
    assertError(await tryStatus('cancelled'), 409, 'invalid_transition', 'status'); // goods have left
    assertError(await tryStatus('confirmed'), 409, 'invalid_transition', 'status'); // no way back
    const o2 = await newOrder(vera, romashka());
    await advance(vera, o2.id, 'cancelled');
    for (const s of ['new', 'confirmed', 'closed']) {
      assertError(await vera.post(`/api/v1/orders/${o2.id}/status`, { status: s }), 409, 'invalid_transition', 'status');
    }
    // a stale version is refused even for an allowed step
    const o3 = await newOrder(vera, romashka());
    assertError(await vera.post(`/api/v1/orders/${o3.id}/status`, { status: 'confirmed', version: 7 }), 409, 'conflict', 'version');
    const ok = await vera.post(`/api/v1/orders/${o3.id}/status`, { status: 'confirmed', version: 1 });
    assert.equal(ok.status, 200, show(ok));
    assert.equal(Number(one(`SELECT COUNT(*) FROM order_status_history WHERE order_id = ${o.id}`)), 4);
    assertError(await vera.post('/api/v1/orders/99999999/status', { status: 'confirmed' }), 404, 'not_found');
  });

  test('two employees advancing the same order at once: one step wins, the other gets 409', async () => {
    for (let round = 0; round < 5; round++) {
      const o = await newOrder(vera, romashka());
      const results = await Promise.all([
        vera.post(`/api/v1/orders/${o.id}/status`, { status: 'confirmed', comment: 'vera' }),
        boris.post(`/api/v1/orders/${o.id}/status`, { status: 'confirmed', comment: 'boris' }),
      ]);
      assert.deepEqual(results.map((r) => r.status).sort(), [200, 409], results.map(show).join('\n'));
      const hist = p.sql(`SELECT from_status, to_status FROM order_status_history WHERE order_id = ${o.id} ORDER BY id`);
      assert.deepEqual(hist, [['NULL', 'new'], ['new', 'confirmed']]);
      assert.equal(one(`SELECT CONCAT(status, ' ', version) FROM orders WHERE id = ${o.id}`), 'confirmed 2');
    }
    // many at once, each sending the version it saw: exactly one step per version
    const o = await newOrder(vera, romashka());
    const tries = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? vera : boris)
      .post(`/api/v1/orders/${o.id}/status`, { status: i % 3 ? 'confirmed' : 'cancelled', version: 1 })));
    assert.equal(tries.filter((r) => r.status === 200).length, 1, tries.map(show).join('\n'));
    assert.ok(tries.every((r) => r.status === 200 || r.status === 409));
    assert.equal(Number(one(`SELECT COUNT(*) FROM order_status_history WHERE order_id = ${o.id}`)), 2);
  });

  test('a status change notifies the customer, mails them, writes events, the timeline and the audit', async () => {
    const o = await newOrder(vera, romashka());
    const mailsBefore = mailsTo(p.dataDir, 'carol@client.example').length;
    await advance(boris, o.id, 'confirmed');
    const n = (await carol.get('/api/v1/notifications')).body.items[0];
    assert.equal(n.kind, 'order.status');
    assert.equal(n.object_type, 'order');
    assert.equal(n.object_id, o.id);
    assert.equal(n.summary, `${o.number}: confirmed`);
    const mails = mailsTo(p.dataDir, 'carol@client.example');
    assert.equal(mails.length, mailsBefore + 1);
    assert.match(mails.at(-1).subject, new RegExp(`${o.number}: Confirmed`));
    assert.match(mails.at(-1).body, /to confirmed/);
    assert.match(mails.at(-1).body, new RegExp(`/cabinet/orders/${o.id}`));
    assert.equal(mailsTo(p.dataDir, 'dmitry@client2.example').filter((m) => m.body.includes(o.number)).length, 0);
    const events = p.sql(`SELECT audience, payload FROM event WHERE type = 'order.status' AND JSON_VALUE(payload, '$.id') = ${o.id} ORDER BY id`)
      .map(([aud, pl]) => [aud, JSON.parse(pl)]);
    assert.deepEqual(events.map(([aud, pl]) => [aud, pl.from, pl.to]), [
      [`account:${romashka()}`, null, 'new'], ['employees', null, 'new'],
      [`account:${romashka()}`, 'new', 'confirmed'], ['employees', 'new', 'confirmed'],
    ]);
    const tl = (await vera.get(`/api/v1/accounts/${romashka()}/timeline?limit=2`)).body.items;
    assert.deepEqual(tl.map((x) => [x.kind, x.ref_id, x.summary]), [
      ['order.status', o.id, `${o.number}: new -> confirmed`], ['order.created', o.id, `${o.number} created`],
    ]);
    assert.equal(one(`SELECT COUNT(*) FROM audit WHERE action = 'order.status' AND object_id = ${o.id}`), '1');
  });

  test('list filters: status, account, number, account name; keyset paging; bad filters', async () => {
    const vas = ids['Vasilek JSC'];
    let res = await vera.get(`/api/v1/orders?account_id=${vas}&status=shipped`);
    assert.equal(res.status, 200, show(res));
    assert.ok(res.body.items.length >= 1);
    assert.ok(res.body.items.every((o) => o.status === 'shipped' && o.account.id === vas));
    const any = res.body.items[0];
    for (const q of [any.number, `#${any.id}`, String(any.id), any.number.toLowerCase()]) {
      res = await vera.get(`/api/v1/orders?q=${encodeURIComponent(q)}`);
      assert.deepEqual(res.body.items.map((o) => o.id), [any.id], q);
    }
    res = await vera.get('/api/v1/orders?q=vasil&limit=200');
    assert.ok(res.body.items.length >= 7 && res.body.items.every((o) => o.account.name === 'Vasilek JSC'));
    const all = (await vera.get('/api/v1/orders?limit=200')).body.items.map((o) => o.id);
    const p1 = (await vera.get('/api/v1/orders?limit=3')).body;
    const p2 = (await vera.get(`/api/v1/orders?limit=3&before=${p1.next_before}`)).body;
    assert.deepEqual([...p1.items, ...p2.items].map((o) => o.id), all.slice(0, 6));
    assertError(await vera.get('/api/v1/orders?status=lost'), 400, 'validation_failed', 'status');
    assertError(await vera.get('/api/v1/orders?account_id=-1'), 400, 'validation_failed', 'account_id');
    assertError(await vera.get('/api/v1/orders?limit=0'), 400, 'validation_failed', 'limit');
  });
});
