// Hostile nesting against every recursive path a CivetWeb worker (100 KiB stack) reaches:
// Markdown through the preview route, a feed post and a KB article (cmark's block and
// inline parsers and its renderer), JSON bodies (jansson, bounded by jsonin), the KB
// revision diff and the search query parser. After each case the server must still
// answer /healthz: a stack overflow would have taken the whole process down.
// README's "Limits" table lists each bound.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startPortal, api } from '../lib/portal.mjs';
import { loginAs, show } from '../lib/identity.mjs';

let p;
let anna; let carol; let pavel;

before(async () => {
  p = await startPortal({ demo: true });
  [anna, carol, pavel] = await Promise.all([
    loginAs(p.url, 'anna@demo.example'), loginAs(p.url, 'carol@client.example'),
    loginAs(p.url, 'pavel@partner.example'),
  ]);
});
after(async () => { await p?.stop(); });

async function stillUp(what) {
  const res = await fetch(`${p.url}/healthz`, { signal: AbortSignal.timeout(5000) });
  assert.equal(res.status, 200, `after ${what} the server must still answer /healthz`);
}

const count = (s, needle) => s.split(needle).length - 1;

describe('Markdown preview with hostile nesting', () => {
  const cases = [
    ['50,000 nested block quotes', '>'.repeat(50000) + ' deep', '<blockquote>', 50000],
    ['50,000 spaced block quotes', '> '.repeat(50000) + 'deep', '<blockquote>', 50000],
    ['10,000 nested list items', '- '.repeat(10000) + 'x\n- y\n', '<li>', 10001],
    ['10,000 nested ordered items', '1. '.repeat(10000) + 'x\n', '<ol>', 10000],
    ['block quotes and lists alternating', '> - '.repeat(20000) + 'x', '<blockquote>', 20000],
    ['100,000 [', '['.repeat(100000), '<p>', 1],
    ['50,000 unclosed links', '[a]('.repeat(50000), '<p>', 1],
    ['deep emphasis, balanced', '*'.repeat(50000) + 'a' + '*'.repeat(50000), '<p>', 1],
    ['deep emphasis, one per word', '*a '.repeat(50000) + 'b', '<p>', 1],
    ['deep emphasis, nested pairs', '*a _b '.repeat(20000) + 'c' + ' d_ e*'.repeat(20000), '<em>', 1],
    ['100,000 backticks', '`'.repeat(100000), '<pre>', 1],
  ];
  for (const [name, text, tag, atLeast] of cases) {
    test(`${name}: rendered, the server still up`, async () => {
      const res = await anna.post('/api/v1/markdown/preview', { text });
      assert.equal(res.status, 200, show(res));
      assert.ok(count(res.body.html, tag) >= atLeast,
        `${tag} at least ${atLeast} times, got ${count(res.body.html, tag)}`);
      await stillUp(name);
    });
  }

  test('a deep list followed by blank lines: rendered or refused as too complex', async () => {
    // cmark 0.30.2 spends depth x lines on some of these; markdown.c stops block parsing
    // after MARKDOWN_PARSE_SECONDS and answers 400 instead
    const text = '- '.repeat(20000) + 'x' + '\n'.repeat(100000);
    const res = await anna.post('/api/v1/markdown/preview', { text });
    assert.ok(res.status === 200 || res.status === 400, show(res));
    if (res.status === 400) {
      assert.equal(res.body.error.code, 'validation_failed');
      assert.equal(res.body.error.field, 'text');
    }
    await stillUp('a deep list and blank lines');
  });

  test('customers and partners preview through the same bounds', async () => {
    for (const client of [carol, pavel]) {
      const res = await client.post('/api/v1/markdown/preview', { text: '>'.repeat(50000) });
      assert.equal(res.status, 200, show(res));
    }
    await stillUp('cabinet previews');
  });

  test('a 1,500-level JSON body to the preview route: 400 invalid_json naming the limit', async () => {
    for (const raw of ['['.repeat(1500) + ']'.repeat(1500), '{"text":' + '['.repeat(1500)]) {
      const res = await anna.req('POST', '/api/v1/markdown/preview', { raw });
      assert.equal(res.status, 400, show(res));
      assert.equal(res.body.error.code, 'invalid_json');
      assert.match(res.body.error.message, /32 levels/);
      await stillUp('a 1,500-level body');
    }
  });

  test('nesting inside strings is text, not depth', async () => {
    const res = await anna.post('/api/v1/markdown/preview', { text: '[{'.repeat(20000) });
    assert.equal(res.status, 200, show(res));
  });
});

describe('stored Markdown with hostile nesting', () => {
  test('a feed post of 50,000 nested quotes is stored, listed and read back', async () => {
    const body = '>'.repeat(50000) + ' bottom';
    const res = await anna.post('/api/v1/feed/posts', { body });
    assert.equal(res.status, 201, show(res));
    const got = await anna.get(`/api/v1/feed/posts/${res.body.id}`);
    assert.equal(got.status, 200, show(got));
    assert.equal(got.body.body, body);
    const list = await anna.get('/api/v1/feed/posts');
    assert.equal(list.status, 200, show(list));
    assert.ok(list.body.items.some((x) => x.id === res.body.id));
    await stillUp('a deep feed post');
  });

  test('a KB article of 10,000 nested list items, edited, diffed and searched', async () => {
    const space = Number(p.sql('SELECT id FROM kb_spaces ORDER BY id LIMIT 1')[0][0]);
    const created = await anna.post('/api/v1/kb/articles', {
      space_id: space, title: 'Nesting', body: '- '.repeat(10000) + 'deepword\n', status: 'published',
    });
    assert.equal(created.status, 201, show(created));
    const id = created.body.id;
    // 2,000 changed lines: past KB_DIFF_MAX_EDITS the diff stops looking for the shortest
    // script (kb/diff.h), it never recurses
    const lines = (tag) => Array.from({ length: 2000 }, (_, i) => `${tag} line ${i}`).join('\n');
    const first = await anna.req('PUT', `/api/v1/kb/articles/${id}`, {
      body: { title: 'Nesting', body: lines('old'), base_revision: 1 },
    });
    assert.equal(first.status, 200, show(first));
    const second = await anna.req('PUT', `/api/v1/kb/articles/${id}`, {
      body: { title: 'Nesting', body: lines('new'), base_revision: 2 },
    });
    assert.equal(second.status, 200, show(second));
    for (const [from, to] of [[1, 2], [2, 3], [1, 3]]) {
      const diff = await anna.get(`/api/v1/kb/articles/${id}/diff?from=${from}&to=${to}`);
      assert.equal(diff.status, 200, show(diff));
    }
    await stillUp('a KB diff');
    const search = await anna.get(`/api/v1/kb/search?q=${encodeURIComponent('('.repeat(90) + '"deepword' + ')'.repeat(90))}`);
    assert.equal(search.status, 200, show(search));
    await stillUp('a KB search of brackets');
  });
});

test('the API answers anonymous callers after all of it', async () => {
  const res = await api(p.url, 'GET', '/api/v1/ping');
  assert.equal(res.status, 200);
});
