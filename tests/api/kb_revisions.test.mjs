// Knowledge base history: the revision list, one revision with its html, the line diff
// between two revisions (ops per line), bad and missing revision numbers, and restore,
// which makes a NEW revision equal to the old content and never rewrites history.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startPortal, api } from '../lib/portal.mjs';

const PASSWORD = 'demo-password-1';
let p;
let vera;
let boris;
let space;
let article; // id of an article with three revisions
let other; // id of a second article (two revisions)

async function login(email) {
  const res = await api(p.url, 'POST', '/api/v1/auth/login', { body: { email, password: PASSWORD } });
  assert.equal(res.status, 200, `login ${email}: ${res.status} ${res.text}`);
  const cookie = res.headers.getSetCookie().map((l) => l.split(';')[0])
    .find((c) => /^(__Host-)?portal_session=/.test(c));
  const csrf = res.body.csrf_token;
  const call = (method, path, body) => api(p.url, method, path, {
    body, headers: { Cookie: cookie, ...(method === 'GET' ? {} : { 'X-CSRF-Token': csrf }) },
  });
  return { get: (path) => call('GET', path), post: (path, body) => call('POST', path, body), put: (path, body) => call('PUT', path, body) };
}

const show = (res) => `${res.status} ${res.text?.slice(0, 400)}`;
function assertError(res, status, code, field) {
  assert.equal(res.status, status, show(res));
  assert.equal(res.body?.error?.code, code, show(res));
  if (field !== undefined) assert.equal(res.body.error.field, field, show(res));
}
const unhex = (h) => Buffer.from(h, 'hex').toString('utf8');

const V1 = ['# Returns', '', 'Customers may return goods within 14 days.', '', 'Keep the receipt.'].join('\n');
const V2 = ['# Returns', '', 'Customers may return goods within 30 days.', '', 'Keep the receipt.'].join('\n');
const V3 = ['# Returns and refunds', '', 'Customers may return goods within 30 days.', '',
  'Refunds reach the card in 5 days.', '', 'Keep the receipt.'].join('\n');

before(async () => {
  p = await startPortal({ demo: true });
  vera = await login('vera@demo.example');
  boris = await login('boris@demo.example');
  space = (await vera.get('/api/v1/kb/spaces')).body.items.find((s) => s.name === 'Support').id;
  let res = await vera.post('/api/v1/kb/articles', { space_id: space, title: 'Returns', body: V1, summary: 'first' });
  assert.equal(res.status, 201, show(res));
  article = res.body.id;
  res = await boris.put(`/api/v1/kb/articles/${article}`, { title: 'Returns', body: V2, base_revision: 1, summary: '30 days now' });
  assert.equal(res.status, 200, show(res));
  res = await vera.put(`/api/v1/kb/articles/${article}`, { title: 'Returns and refunds', body: V3, base_revision: 2, summary: 'refunds' });
  assert.equal(res.body.revision, 3, show(res));
  res = await vera.post('/api/v1/kb/articles', { space_id: space, title: 'Other', body: 'other one' });
  other = res.body.id;
  await vera.put(`/api/v1/kb/articles/${other}`, { title: 'Other', body: 'other two', base_revision: 1 });
});
after(async () => { await p?.stop(); });

describe('revisions', () => {
  test('the list is newest first with summary and author', async () => {
    const res = await vera.get(`/api/v1/kb/articles/${article}/revisions`);
    assert.equal(res.status, 200, show(res));
    const items = res.body.items;
    assert.deepEqual(items.map((r) => r.rev), [3, 2, 1]);
    assert.deepEqual(items.map((r) => r.summary), ['refunds', '30 days now', 'first']);
    assert.deepEqual(items.map((r) => r.author.name), ['Vera Smirnova', 'Boris Ivanov', 'Vera Smirnova']);
    assert.deepEqual(items.map((r) => r.title), ['Returns and refunds', 'Returns', 'Returns']);
    for (const r of items) assert.match(r.created_at, /Z$/);
    assert.equal(items[0].body, undefined, 'the list does not carry bodies');
  });

  test('one revision comes with its body and html', async () => {
    const res = await vera.get(`/api/v1/kb/articles/${article}/revisions/1`);
    assert.equal(res.status, 200, show(res));
    assert.equal(res.body.rev, 1);
    assert.equal(res.body.article_id, article);
    assert.equal(res.body.title, 'Returns');
    assert.equal(res.body.body, V1);
    assert.match(res.body.html, /<h1>Returns<\/h1>/);
    assert.match(res.body.html, /within 14 days/);
    assert.equal(res.body.summary, 'first');
  });

  test('missing revisions and articles are 404', async () => {
    for (const path of [`${article}/revisions/4`, `${article}/revisions/0`, `${article}/revisions/abc`,
      `${article}/revisions/-1`, '999999/revisions/1', '999999/revisions', 'abc/revisions']) {
      assertError(await vera.get(`/api/v1/kb/articles/${path}`), 404, 'not_found');
    }
    // A revision number of another article is not this article's.
    assertError(await vera.get(`/api/v1/kb/articles/${other}/revisions/3`), 404, 'not_found');
  });
});

describe('diff', () => {
  test('from=1&to=3 lists every line with its op', async () => {
    const res = await vera.get(`/api/v1/kb/articles/${article}/diff?from=1&to=3`);
    assert.equal(res.status, 200, show(res));
    const d = res.body;
    assert.equal(d.from, 1);
    assert.equal(d.to, 3);
    assert.deepEqual(d.title, { from: 'Returns', to: 'Returns and refunds' });
    // Several minimal scripts exist (where the new blank line goes); check what every
    // one of them shares: the first lines, the size, and that it rebuilds both texts.
    assert.deepEqual(d.lines.slice(0, 3), [
      { op: '-', text: '# Returns' },
      { op: '+', text: '# Returns and refunds' },
      { op: '=', text: '' },
    ]);
    assert.deepEqual(d.lines.at(-1), { op: '=', text: 'Keep the receipt.' });
    // Whatever the alignment, the script must be minimal and rebuild both texts.
    const old = d.lines.filter((l) => l.op !== '+').map((l) => l.text).join('\n');
    const neu = d.lines.filter((l) => l.op !== '-').map((l) => l.text).join('\n');
    assert.equal(old, V1);
    assert.equal(neu, V3);
    assert.equal(d.added, d.lines.filter((l) => l.op === '+').length);
    assert.equal(d.removed, d.lines.filter((l) => l.op === '-').length);
    assert.equal(d.added, 4, 'two changed lines and two new ones');
    assert.equal(d.removed, 2);
    for (const l of d.lines) assert.ok(['=', '+', '-'].includes(l.op), JSON.stringify(l));
  });

  test('a one-line change diffs as one - and one +', async () => {
    const d = (await vera.get(`/api/v1/kb/articles/${article}/diff?from=1&to=2`)).body;
    assert.deepEqual(d.lines, [
      { op: '=', text: '# Returns' },
      { op: '=', text: '' },
      { op: '-', text: 'Customers may return goods within 14 days.' },
      { op: '+', text: 'Customers may return goods within 30 days.' },
      { op: '=', text: '' },
      { op: '=', text: 'Keep the receipt.' },
    ]);
  });

  test('a revision against itself is all "="; backwards diffs swap + and -', async () => {
    const same = (await vera.get(`/api/v1/kb/articles/${article}/diff?from=2&to=2`)).body;
    assert.ok(same.lines.every((l) => l.op === '='));
    assert.equal(same.added + same.removed, 0);
    const back = (await vera.get(`/api/v1/kb/articles/${article}/diff?from=3&to=1`)).body;
    assert.equal(back.added, 2);
    assert.equal(back.removed, 4);
  });

  test('bad from/to are 400 naming the parameter', async () => {
    const cases = [
      ['from=0&to=1', 'from'], ['from=1&to=0', 'to'], ['from=-1&to=2', 'from'], ['from=abc&to=2', 'from'],
      ['to=2', 'from'], ['from=1', 'to'], ['', 'from'], ['from=&to=', 'from'],
    ];
    for (const [qs, field] of cases) {
      assertError(await vera.get(`/api/v1/kb/articles/${article}/diff?${qs}`), 400, 'validation_failed', field);
    }
  });

  test('a missing revision is 404', async () => {
    for (const qs of ['from=1&to=4', 'from=4&to=1', 'from=99999999&to=1']) {
      assertError(await vera.get(`/api/v1/kb/articles/${article}/diff?${qs}`), 404, 'not_found');
    }
    assertError(await vera.get('/api/v1/kb/articles/999999/diff?from=1&to=2'), 404, 'not_found');
    assertError(await vera.get(`/api/v1/kb/articles/${other}/diff?from=1&to=3`), 404, 'not_found');
  });
});

describe('restore', () => {
  test('restoring revision 1 makes a new revision equal to it', async () => {
    const before = (await vera.get(`/api/v1/kb/articles/${article}/revisions`)).body.items.length;
    const res = await boris.post(`/api/v1/kb/articles/${article}/restore`, { rev: 1, base_revision: 3 });
    assert.equal(res.status, 200, show(res));
    assert.equal(res.body.revision, 4);
    assert.equal(res.body.body, V1);
    assert.equal(res.body.title, 'Returns');
    assert.match(res.body.html, /within 14 days/);
    const items = (await vera.get(`/api/v1/kb/articles/${article}/revisions`)).body.items;
    assert.equal(items.length, before + 1, 'the revision count grows');
    assert.equal(items[0].rev, 4);
    assert.match(items[0].summary, /1/);
    assert.equal(items[0].author.name, 'Boris Ivanov');
    // History is kept: revisions 1..3 are unchanged, 4 has revision 1's text.
    const rows = p.sql(`SELECT rev, HEX(body_md) FROM kb_revisions WHERE article_id = ${article} ORDER BY rev`)
      .map(([r, b]) => [Number(r), unhex(b)]);
    assert.deepEqual(rows, [[1, V1], [2, V2], [3, V3], [4, V1]]);
    const d = (await vera.get(`/api/v1/kb/articles/${article}/diff?from=1&to=4`)).body;
    assert.ok(d.lines.every((l) => l.op === '='), 'revision 4 equals revision 1');
    assert.equal((await vera.get(`/api/v1/kb/articles/${article}`)).body.body, V1);
  });

  test('restoring what is already current makes no new revision', async () => {
    const cur = (await vera.get(`/api/v1/kb/articles/${article}`)).body;
    const res = await vera.post(`/api/v1/kb/articles/${article}/restore`, { rev: cur.revision });
    assert.equal(res.status, 200, show(res));
    assert.equal(res.body.revision, cur.revision);
  });

  test('restore with a stale base_revision is 409 with the current article', async () => {
    const cur = (await vera.get(`/api/v1/kb/articles/${article}`)).body;
    const res = await vera.post(`/api/v1/kb/articles/${article}/restore`, { rev: 2, base_revision: cur.revision - 1 });
    assertError(res, 409, 'conflict');
    assert.equal(res.body.current.revision, cur.revision);
    assert.equal((await vera.get(`/api/v1/kb/articles/${article}`)).body.revision, cur.revision);
  });

  test('restore refuses missing and malformed revisions', async () => {
    assertError(await vera.post(`/api/v1/kb/articles/${article}/restore`, { rev: 999 }), 404, 'not_found');
    assertError(await vera.post(`/api/v1/kb/articles/${other}/restore`, { rev: 3 }), 404, 'not_found');
    assertError(await vera.post('/api/v1/kb/articles/999999/restore', { rev: 1 }), 404, 'not_found');
    assertError(await vera.post(`/api/v1/kb/articles/${article}/restore`, {}), 400, 'validation_failed', 'rev');
    assertError(await vera.post(`/api/v1/kb/articles/${article}/restore`, { rev: 0 }), 400, 'validation_failed', 'rev');
    assertError(await vera.post(`/api/v1/kb/articles/${article}/restore`, { rev: '1' }), 400, 'validation_failed', 'rev');
  });
});

describe('who may see history', () => {
  test('customers get 403 on revisions, diff and restore', async () => {
    const carol = await login('carol@client.example');
    for (const path of [`${article}/revisions`, `${article}/revisions/1`, `${article}/diff?from=1&to=2`]) {
      const res = await carol.get(`/api/v1/kb/articles/${path}`);
      assert.equal(res.status, 403, `${path}: ${show(res)}`);
      assert.ok(!res.text.includes('Returns'), 'nothing of the article leaks');
    }
    const res = await carol.post(`/api/v1/kb/articles/${article}/restore`, { rev: 1 });
    assert.equal(res.status, 403, show(res));
  });
});
