// Knowledge base search: ranked results with snippet segments marking the hits,
// English and Russian (case-insensitive Cyrillic), FULLTEXT operators, quotes and SQL in
// q answered without error, the length limit, and the visibility rule: a customer's
// search (cabinet route) never returns internal or draft articles, not even titles.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startPortal, api } from '../lib/portal.mjs';

const PASSWORD = 'demo-password-1';
let p;
let vera;
let carol; // customer
let pavel; // partner
const A = {}; // our articles by key

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
const q = (s) => encodeURIComponent(s);

const FILLER = 'This paragraph is about tanks, filters, water changes and lighting in general terms. '.repeat(4);
const ARTICLES = {
  feeding: { title: 'Zebrafish feeding guide', visibility: 'public', tags: ['aquarium'],
    body: '# Zebrafish feeding\n\nFeed the **zebrafish** twice a day.\n\nКормление рыбок: два раза в день.' },
  tank: { title: 'Aquarium maintenance', visibility: 'public',
    body: `# Aquarium maintenance\n\n${FILLER}\n\nThe *ZebraFish* tank needs a weekly check. ${FILLER}` },
  supplier: { title: 'Zebrafish supplier contracts', visibility: 'internal',
    body: 'Confidential zebrafish supplier price list, code Q7X-secret.' },
  draft: { title: 'Zebrafish upcoming draft', visibility: 'public', status: 'draft',
    body: 'Unreleased zebrafish draft text.' },
  discounts: { title: 'Скидки постоянным клиентам', visibility: 'public',
    body: '# Скидки\n\nМы даём скидки клиентам с картой. Клиентам без карты — по акции.' },
  inner: { title: 'Внутренние скидки', visibility: 'internal',
    body: 'Скидки клиентам только по согласованию с руководителем.' },
};

before(async () => {
  p = await startPortal({ demo: true });
  vera = await login('vera@demo.example');
  carol = await login('carol@client.example');
  pavel = await login('pavel@partner.example');
  const space = (await vera.get('/api/v1/kb/spaces')).body.items.find((s) => s.name === 'Help center').id;
  for (const [key, a] of Object.entries(ARTICLES)) {
    const res = await vera.post('/api/v1/kb/articles', { space_id: space, ...a });
    assert.equal(res.status, 201, show(res));
    A[key] = res.body.id;
  }
});
after(async () => { await p?.stop(); });

async function search(client, query, route = '/api/v1/kb/search') {
  const res = await client.get(`${route}?q=${q(query)}`);
  assert.equal(res.status, 200, `${query}: ${show(res)}`);
  assert.ok(Array.isArray(res.body.items), show(res));
  return res;
}
const ids = (res) => res.body.items.map((i) => i.id);
const cabinet = (client, query) => search(client, query, '/api/v1/cabinet/kb/articles');

function assertSnippet(item, word) {
  assert.ok(Array.isArray(item.snippet) && item.snippet.length > 0, JSON.stringify(item));
  for (const s of item.snippet) {
    assert.equal(typeof s.text, 'string');
    assert.equal(typeof s.hit, 'boolean');
  }
  const hits = item.snippet.filter((s) => s.hit);
  assert.ok(hits.length > 0, `no hit marked: ${JSON.stringify(item.snippet)}`);
  for (const h of hits) assert.equal(h.text.toLowerCase(), word.toLowerCase(), JSON.stringify(h));
  const plain = item.snippet.filter((s) => !s.hit).map((s) => s.text).join('');
  assert.ok(!/[*_#`]/.test(plain), `Markdown marks left in the snippet: ${plain}`);
}

describe('employees', () => {
  test('ranked results: title matches first, scores never increase', async () => {
    const res = await search(vera, 'zebrafish');
    const got = ids(res);
    for (const key of ['feeding', 'tank', 'supplier', 'draft']) assert.ok(got.includes(A[key]), `${key} found`);
    const titleHits = [A.feeding, A.supplier, A.draft];
    assert.ok(titleHits.every((id) => got.indexOf(id) < got.indexOf(A.tank)), `title matches rank above a body match: ${got}`);
    const scores = res.body.items.map((i) => i.score);
    for (let i = 1; i < scores.length; i++) assert.ok(scores[i] <= scores[i - 1], `scores ${scores}`);
    const item = res.body.items.find((i) => i.id === A.supplier);
    assert.equal(item.visibility, 'internal');
    assert.equal(item.title, 'Zebrafish supplier contracts');
    assert.ok(item.space.name);
    assert.equal(res.body.query, 'zebrafish');
  });

  test('snippets mark the hits and drop Markdown marks', async () => {
    const res = await search(vera, 'zebrafish');
    for (const item of res.body.items) assertSnippet(item, 'zebrafish');
    // The hit deep in a long body: a window around it, cut with ellipses at both ends.
    const tank = res.body.items.find((i) => i.id === A.tank);
    assert.equal(tank.snippet[0].text, '…');
    assert.equal(tank.snippet.at(-1).text, '…');
    assert.equal(tank.snippet.find((s) => s.hit).text, 'ZebraFish', 'the hit keeps its own case');
    const length = tank.snippet.reduce((n, s) => n + s.text.length, 0);
    assert.ok(length < 400, `snippet of ${length} characters`);
  });

  test('case does not matter; prefixes match', async () => {
    const lower = ids(await search(vera, 'zebrafish')).sort();
    assert.deepEqual(ids(await search(vera, 'ZEBRAFISH')).sort(), lower);
    assert.deepEqual(ids(await search(vera, 'ZeBrAfIsH')).sort(), lower);
    assert.deepEqual(ids(await search(vera, 'zebra')).sort(), lower);
  });

  test('Russian: "КЛИЕНТАМ" finds "клиентам"', async () => {
    const res = await search(vera, 'КЛИЕНТАМ');
    assert.ok(ids(res).includes(A.discounts) && ids(res).includes(A.inner), show(res));
    assert.ok(res.body.items.some((i) => i.title === 'Как отвечать клиентам'), 'the internal demo article');
    for (const item of res.body.items) assertSnippet(item, 'клиентам');
    assert.deepEqual(ids(await search(vera, 'Скидки')).sort(), ids(await search(vera, 'скидки')).sort());
    assert.ok(ids(await search(vera, 'СКИДКИ')).includes(A.discounts));
  });

  test('every word must match, in either language', async () => {
    assert.deepEqual(ids(await search(vera, 'zebrafish кормление')), [A.feeding]);
    assert.deepEqual(ids(await search(vera, 'КОРМЛЕНИЕ Zebrafish')), [A.feeding]);
    assert.deepEqual(ids(await search(vera, 'zebrafish supplier')), [A.supplier]);
    assert.deepEqual(ids(await search(vera, 'zebrafish nonexistentword')), []);
  });

  test('a word inside _underscore emphasis_ is found', { todo: 'portal bug: InnoDB counts "_" as a word character, so "_word_" in the Markdown source is a different token' }, async () => {
    const res = await vera.post('/api/v1/kb/articles', { space_id: (await vera.get(`/api/v1/kb/articles/${A.tank}`)).body.space.id,
      title: 'Emphasis', body: 'Only the _quetzalcoatl_ knows.', visibility: 'internal' });
    assert.equal(res.status, 201, show(res));
    assert.ok(ids(await search(vera, 'quetzalcoatl')).includes(res.body.id));
  });

  test('the demo article in Russian is found by a word from its body', async () => {
    const res = await search(vera, 'обращения');
    assert.ok(res.body.items.some((i) => i.title === 'Как открыть обращение в поддержку'), show(res));
  });

  test('common English words in a query do not hide the article', { todo: 'portal bug: "+word*" on an InnoDB stopword (how, to, where, the, ...) matches nothing, so the whole query finds nothing' }, async () => {
    const res = await search(vera, 'How to open a support ticket');
    assert.ok(res.body.items.some((i) => i.title === 'How to open a support ticket'), show(res));
    const order = await search(vera, 'where is my order');
    assert.ok(order.body.items.some((i) => i.title === 'Where is my order?'), show(order));
  });
});

describe('hostile queries', () => {
  const queries = [
    '+-><()~*"@', '\' OR 1=1 --', '"; DROP TABLE kb_articles; --', '"unbalanced', '((((zebrafish', 'zebrafish))))',
    '@3', '"zebrafish feeding"@2', '~zebrafish', '<zebrafish >guide', '+zebrafish -feeding', 'zebrafish*', '*zebrafish',
    '\\', '%', '_', '%%%', '\\\\\\"', 'a', 'ab', '   ', '😀😀😀', 'zebra😀fish', '\u00a0\u2028\u2029', 'MATCH AGAINST IN BOOLEAN MODE',
    'SELECT * FROM users', 'x'.repeat(100), Array.from({ length: 25 }, (_, i) => `word${i}`).join(' '), '«вы»', 'ё Ё ёлка ЁЛКА',
  ];
  for (const query of queries) {
    test(`q=${JSON.stringify(query).slice(0, 60)}`, async () => {
      for (const client of [vera, carol]) {
        const route = client === vera ? '/api/v1/kb/search' : '/api/v1/cabinet/kb/articles';
        const res = await client.get(`${route}?q=${q(query)}`);
        assert.equal(res.status, 200, show(res));
        assert.ok(Array.isArray(res.body.items), show(res));
        assert.equal(res.body.query, query);
      }
    });
  }

  test('operators are words, not operators', async () => {
    // "-feeding" must not exclude; "'OR 1=1" must not match everything.
    assert.deepEqual(ids(await search(vera, '+zebrafish -feeding')), [A.feeding]);
    assert.deepEqual(ids(await search(vera, '-zebrafish')).sort(), ids(await search(vera, 'zebrafish')).sort());
    assert.deepEqual(ids(await search(vera, '\' OR 1=1 --')), []);
    assert.deepEqual(ids(await search(vera, '+-><()~*"@')), []);
  });

  test('the server and the tables are still there', async () => {
    assert.equal((await api(p.url, 'GET', '/api/v1/ping')).status, 200);
    assert.equal(Number(p.sql('SELECT COUNT(*) FROM kb_articles')[0][0]) >= Object.keys(A).length, true);
    assert.ok(ids(await search(vera, 'zebrafish')).includes(A.feeding));
  });

  test('q over 200 characters is 400; missing q is 400', async () => {
    for (const [client, route] of [[vera, '/api/v1/kb/search'], [carol, '/api/v1/cabinet/kb/articles']]) {
      const long = await client.get(`${route}?q=${'z'.repeat(201)}`);
      assert.equal(long.status, 400, show(long));
      assert.equal(long.body.error.code, 'validation_failed');
      assert.equal(long.body.error.field, 'q');
      assert.equal((await client.get(`${route}?q=${'z'.repeat(200)}`)).status, 200);
    }
    const missing = await vera.get('/api/v1/kb/search');
    assert.equal(missing.status, 400, show(missing));
    assert.equal(missing.body.error.field, 'q');
  });

  test('limit pages the results', async () => {
    assert.equal((await vera.get('/api/v1/kb/search?q=zebrafish&limit=1')).body.items.length, 1);
    for (const bad of ['0', '-1', 'abc', '100000']) {
      assert.equal((await vera.get(`/api/v1/kb/search?q=zebrafish&limit=${bad}`)).status, 400, `limit=${bad}`);
    }
  });

  test('invalid UTF-8 in q is a 400 or an empty result, never a 500', { todo: 'portal bug: invalid UTF-8 reaches MariaDB and the JSON encoder: 500' }, async () => {
    for (const raw of ['%ff%fe%fd', '%C3%28abc', 'zebra%80fish', '%ED%A0%80abc']) {
      for (const [client, route] of [[vera, '/api/v1/kb/search'], [carol, '/api/v1/cabinet/kb/articles']]) {
        const res = await client.get(`${route}?q=${raw}`);
        assert.ok([200, 400].includes(res.status), `${route}?q=${raw}: ${show(res)}`);
      }
    }
  });
});

describe('customers and partners', () => {
  const SECRET = ['supplier', 'Q7X', 'Unreleased', 'upcoming', 'Внутренние', 'руководителем', 'Acts of acceptance', 'Ticket priorities', 'Как отвечать'];

  test('a customer never gets internal or draft articles, not even titles', async () => {
    const queries = ['zebrafish', 'supplier', 'q7x', 'unreleased', 'upcoming', 'draft', 'КЛИЕНТАМ', 'Внутренние', 'скидки',
      'руководителем', 'acceptance', 'priorities', 'отвечать', 'Zebrafish supplier contracts'];
    const publicIds = new Set(p.sql("SELECT id FROM kb_articles WHERE visibility = 'public' AND status = 'published'").map((r) => Number(r[0])));
    for (const client of [carol, pavel]) {
      for (const query of queries) {
        const res = await cabinet(client, query);
        for (const item of res.body.items) {
          assert.ok(publicIds.has(item.id), `${query}: got article ${item.id} (${item.title})`);
          assert.equal(item.visibility, undefined);
          assert.equal(item.status, undefined);
        }
        const items = JSON.stringify(res.body.items);
        for (const word of SECRET) assert.ok(!items.includes(word), `${query}: "${word}" leaked: ${items.slice(0, 300)}`);
      }
    }
    assert.deepEqual(ids(await cabinet(carol, 'zebrafish')).sort(), [A.feeding, A.tank].sort());
    assert.deepEqual(ids(await cabinet(carol, 'КЛИЕНТАМ')), [A.discounts]);
    assert.deepEqual(ids(await cabinet(carol, 'supplier')), []);
  });

  test('employees see the internal ones', async () => {
    assert.deepEqual(ids(await search(vera, 'supplier')), [A.supplier]);
    assert.ok(ids(await search(vera, 'Внутренние')).includes(A.inner));
    assert.ok(ids(await search(vera, 'acceptance')).length > 0, 'the internal demo article');
  });

  test('an article made internal or draft drops out of the customer\'s search at once', async () => {
    const before = (await vera.get(`/api/v1/kb/articles/${A.tank}`)).body;
    assert.ok(ids(await cabinet(carol, 'maintenance')).includes(A.tank));
    let res = await vera.put(`/api/v1/kb/articles/${A.tank}`, { title: before.title, body: before.body, visibility: 'internal', base_revision: before.revision });
    assert.equal(res.status, 200, show(res));
    assert.ok(!ids(await cabinet(carol, 'maintenance')).includes(A.tank));
    res = await vera.put(`/api/v1/kb/articles/${A.tank}`, { title: before.title, body: before.body, visibility: 'public', status: 'draft', base_revision: before.revision + 1 });
    assert.equal(res.status, 200, show(res));
    assert.ok(!ids(await cabinet(carol, 'maintenance')).includes(A.tank));
    res = await vera.put(`/api/v1/kb/articles/${A.tank}`, { title: before.title, body: before.body, visibility: 'public', status: 'published', base_revision: before.revision + 2 });
    assert.ok(ids(await cabinet(carol, 'maintenance')).includes(A.tank));
  });

  test('customers get 403 on the employee search', async () => {
    for (const client of [carol, pavel]) {
      const res = await client.get('/api/v1/kb/search?q=zebrafish');
      assert.equal(res.status, 403, show(res));
      assert.ok(!res.text.includes('supplier'));
    }
  });
});
