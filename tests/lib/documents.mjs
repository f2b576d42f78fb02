// tests/lib/documents.mjs - helpers for the documents API tests (documents_*): raw-body
// uploads as employees or cabinet users, SHA-256 of what came back, the demo accounts.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { show } from './identity.mjs';

import './boards.mjs'; // its fetch() shim: one retry when an idle keep-alive socket was closed

export const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');
export const randomFile = (n) => randomBytes(n);

/** The id of the demo account called name. */
export function accountId(p, name) {
  return Number(p.sql(`SELECT id FROM accounts WHERE name = '${name}'`)[0][0]);
}

function qs(query) {
  return Object.entries(query).filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
}

/** POSTs data as a raw body to path?query (name given in query). Returns the response. */
export function uploadRaw(client, path, data, query = {}, type = 'application/octet-stream') {
  return client.req('POST', `${path}?${qs(query)}`, { raw: data, headers: { 'Content-Type': type } });
}

/** An employee creates a document in account (201 expected); returns the answer body. */
export async function newDocument(client, account, data, query = {}) {
  const res = await uploadRaw(client, '/api/v1/documents', data,
    { account_id: account, name: 'file.bin', ...query });
  assert.equal(res.status, 201, `create document: ${show(res)}`);
  return res.body;
}

/** A new version of document id (201 expected). */
export async function newVersion(client, id, data, query = {}) {
  const res = await uploadRaw(client, `/api/v1/documents/${id}/versions`, data,
    { name: 'file-v.bin', ...query });
  assert.equal(res.status, 201, `new version: ${show(res)}`);
  return res.body;
}

/** Downloads (GET) as client and returns { status, buf, headers }. */
export async function download(client, path) {
  const res = await fetch(client.base + path, { headers: client.headers('GET') });
  return { status: res.status, headers: res.headers, buf: Buffer.from(await res.arrayBuffer()) };
}

/** GET or POST on a link page (/s/, /u/) without any session; a form is sent
 * urlencoded. Returns { status, headers, buf, text }. */
export async function openLink(base, path, { method = 'GET', form, headers = {} } = {}) {
  const init = { method, headers: { ...headers }, redirect: 'manual' };
  if (form !== undefined) {
    init.body = new URLSearchParams(form).toString();
    init.headers['Content-Type'] = 'application/x-www-form-urlencoded';
  }
  const res = await fetch(base + path, init);
  const buf = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, buf, text: buf.toString('utf8') };
}

/** An ISO time ms from now. */
export const inMs = (ms) => new Date(Date.now() + ms).toISOString();

export function assertError(res, status, code, field) {
  assert.equal(res.status, status, show(res));
  if (code) assert.equal(res.body?.error?.code, code, show(res));
  if (field) assert.equal(res.body?.error?.field, field, show(res));
}
