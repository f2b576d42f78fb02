// tests/lib/crm.mjs - helpers for the CRM API tests (crm_*): the demo accounts by name,
// orders made through the API, and the assertions the tests share.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { show } from './identity.mjs';

// The portal drops idle keep-alive connections after 2 s without announcing it: a fetch
// that meets such a socket is sent once more, as browsers do (as in tests/lib/boards.mjs).
const fetchOnce = globalThis.fetch;
globalThis.fetch = async (...args) => {
  try {
    return await fetchOnce(...args);
  } catch (e) {
    if (e?.cause?.code !== 'UND_ERR_SOCKET') throw e;
    return fetchOnce(...args);
  }
};

export const unique = (prefix) => `${prefix} ${randomBytes(3).toString('hex')}`;

/** The demo accounts' ids by name, as an employee client sees them. */
export async function demoAccounts(client) {
  const res = await client.get('/api/v1/accounts?limit=500');
  assert.equal(res.status, 200, show(res));
  return Object.fromEntries(res.body.items.map((a) => [a.name, a.id]));
}

export const item = (over = {}) => ({ product_name: 'Paper A4', sku: 'PAP-A4', quantity: '2', unit_price: '10.00', vat_rate: '20', ...over });

/** Creates an order as client (201 expected); returns it. */
export async function newOrder(client, accountId, body = {}) {
  const res = await client.post('/api/v1/orders', { account_id: accountId, items: [item()], ...body });
  assert.equal(res.status, 201, `create order: ${show(res)}`);
  return res.body;
}

/** Walks an order through the given statuses (200 each); returns the last answer. */
export async function advance(client, id, ...statuses) {
  let res;
  for (const status of statuses) {
    res = await client.post(`/api/v1/orders/${id}/status`, { status, comment: `to ${status}` });
    assert.equal(res.status, 200, `${status}: ${show(res)}`);
  }
  return res.body;
}

export function assertError(res, status, code, field) {
  assert.equal(res.status, status, show(res));
  assert.equal(res.body?.error?.code, code, show(res));
  if (field !== undefined) assert.equal(res.body.error.field, field, show(res));
}
