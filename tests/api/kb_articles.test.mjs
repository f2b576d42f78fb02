// Knowledge base articles: create and its validation (each error names its field),
// read, save with base_revision (a revision row per save), two editors racing on the
// same base (one wins, the other gets 409 with the winner's text), no empty revisions,
// the 256 KiB Markdown cap, and hostile Markdown that must come back as safe HTML in
// bounded time.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startPortal, api } from '../lib/portal.mjs';

const PASSWORD = 'demo-password-1';
const CAP = 256 * 1024;

let p;
let anna; // admin
let vera; // member
let space; // a space of our own
let otherSpace;

/** Logs in; returns a small client that sends the cookie, and the CSRF token on writes. */
async function login(email) {
  const res = await api(p.url, 'POST', '/api/v1/auth/login', { body: { email, password: PASSWORD } });
  assert.equal(res.status, 200, `login ${email}: ${res.status} ${res.text}`);
  const cookie = res.headers.getSetCookie().map((l) => l.split(';')[0])
    .find((c) => /^(__Host-)?portal_session=/.test(c));
  assert.ok(cookie, 'session cookie');
  const csrf = res.body.csrf_token;
  const call = (method, path, body) => api(p.url, method, path, {
    body, headers: { Cookie: cookie, ...(method === 'GET' ? {} : { 'X-CSRF-Token': csrf }) },
  });
  return {
    get: (path) => call('GET', path),
    post: (path, body) => call('POST', path, body),
    put: (path, body) => call('PUT', path, body),
  };
}

const show = (res) => `${res.status} ${res.text?.slice(0, 400)}`;

function assertError(res, status, code, field) {
  assert.equal(res.status, status, show(res));
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  assert.equal(res.body?.error?.code, code, show(res));
  assert.equal(typeof res.body.error.message, 'string');
  if (field !== undefined) assert.equal(res.body.error.field, field, `field: ${show(res)}`);
}

async function create(client, fields) {
  const res = await client.post('/api/v1/kb/articles', { space_id: space, title: 'T', body: 'b', ...fields });
  assert.equal(res.status, 201, show(res));
  return res.body;
}

// The mariadb client escapes newlines in batch output: text columns travel as hex.
const unhex = (h) => Buffer.from(h, 'hex').toString('utf8');
const revRows = (id) => p.sql(`SELECT rev, HEX(title), HEX(body_md) FROM kb_revisions WHERE article_id = ${Number(id)} ORDER BY rev`)
  .map(([rev, title, body]) => [rev, unhex(title), unhex(body)]);

before(async () => {
  p = await startPortal({ demo: true });
  anna = await login('anna@demo.example');
  vera = await login('vera@demo.example');
  for (const name of ['KB tests', 'KB tests 2']) {
    const res = await anna.post('/api/v1/kb/spaces', { name, description: 'for kb_articles' });
    assert.equal(res.status, 201, show(res));
  }
  const spaces = (await anna.get('/api/v1/kb/spaces')).body.items;
  space = spaces.find((s) => s.name === 'KB tests').id;
  otherSpace = spaces.find((s) => s.name === 'KB tests 2').id;
});
after(async () => { await p?.stop(); });

describe('create and read', () => {
  test('POST creates revision 1 with rendered html; GET returns the same article', async () => {
    const res = await vera.post('/api/v1/kb/articles', {
      space_id: space, title: '  Onboarding checklist  ', body: '# Day one\n\n- laptop\n- **badge**',
      tags: ['hr', 'первый день'], visibility: 'public',
    });
    assert.equal(res.status, 201, show(res));
    const a = res.body;
    assert.ok(Number.isInteger(a.id) && a.id > 0);
    assert.equal(a.title, 'Onboarding checklist', 'title is trimmed');
    assert.equal(a.revision, 1);
    assert.equal(a.visibility, 'public');
    assert.equal(a.status, 'published');
    assert.deepEqual(a.tags, ['hr', 'первый день']);
    assert.deepEqual(a.space, { id: space, name: 'KB tests' });
    assert.equal(a.author.name, 'Vera Smirnova');
    assert.match(a.html, /<h1>Day one<\/h1>/);
    assert.match(a.html, /<li><strong>badge<\/strong><\/li>/);
    assert.match(a.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);

    const got = await anna.get(`/api/v1/kb/articles/${a.id}`);
    assert.equal(got.status, 200, show(got));
    assert.deepEqual(got.body, a);

    assert.deepEqual(revRows(a.id), [['1', 'Onboarding checklist', a.body]]);
    const list = await anna.get('/api/v1/kb/articles');
    assert.ok(list.body.items.some((i) => i.id === a.id && i.revision === 1));
  });

  test('defaults: internal, published, no tags', async () => {
    const a = await create(vera, { title: 'Defaults' });
    assert.equal(a.visibility, 'internal');
    assert.equal(a.status, 'published');
    assert.deepEqual(a.tags, []);
    assert.equal(a.parent_id, undefined);
  });

  test('unknown ids are 404 not_found', async () => {
    for (const id of ['999999', 'abc', '0', '-1']) {
      assertError(await anna.get(`/api/v1/kb/articles/${id}`), 404, 'not_found');
      assertError(await anna.put(`/api/v1/kb/articles/${id}`, { title: 'x', body: 'y', base_revision: 1 }), 404, 'not_found');
    }
  });
});

describe('validation errors name the field', () => {
  const cases = [
    ['empty title', { title: '' }, 'title'],
    ['blank title', { title: '  \n\t ' }, 'title'],
    ['missing title', { title: undefined }, 'title'],
    ['title over 300 characters', { title: 'я'.repeat(301) }, 'title'],
    ['title not a string', { title: 42 }, 'title'],
    ['missing body', { body: undefined }, 'body'],
    ['bad visibility', { visibility: 'secret' }, 'visibility'],
    ['bad status', { status: 'archived' }, 'status'],
    ['21 tags', { tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, 'tags'],
    ['tags not a list', { tags: 'a,b' }, 'tags'],
    ['a tag with a comma', { tags: ['a,b'] }, 'tags'],
    ['an empty tag', { tags: [''] }, 'tags'],
    ['a tag over 50', { tags: ['x'.repeat(51)] }, 'tags'],
    ['missing space', { space_id: undefined }, 'space_id'],
    ['nonexistent space', { space_id: 999999 }, 'space_id'],
    ['negative position', { position: -1 }, 'position'],
    ['nonexistent parent', { parent_id: 999999 }, 'parent_id'],
  ];
  for (const [what, fields, field] of cases) {
    test(what, async () => {
      const before = p.sql('SELECT COUNT(*) FROM kb_articles')[0][0];
      const body = { space_id: space, title: 'Valid', body: 'text', ...fields };
      for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
      assertError(await vera.post('/api/v1/kb/articles', body), 400, 'validation_failed', field);
      assert.equal(p.sql('SELECT COUNT(*) FROM kb_articles')[0][0], before, 'nothing was created');
    });
  }

  test('20 tags are fine', async () => {
    const a = await create(vera, { tags: Array.from({ length: 20 }, (_, i) => `t${i}`) });
    assert.equal(a.tags.length, 20);
  });

  test('a parent in another space is refused', async () => {
    const foreign = await create(vera, { space_id: otherSpace, title: 'Elsewhere' });
    assertError(await vera.post('/api/v1/kb/articles', { space_id: space, title: 'Child', body: 'x', parent_id: foreign.id }),
      400, 'validation_failed', 'parent_id');
    const own = await create(vera, { title: 'Mine' });
    assertError(await vera.put(`/api/v1/kb/articles/${own.id}`, { title: 'Mine', body: 'b', base_revision: 1, parent_id: foreign.id }),
      400, 'validation_failed', 'parent_id');
  });

  test('a parent cycle via PUT is refused and changes nothing', async () => {
    const a = await create(vera, { title: 'A' });
    const b = await create(vera, { title: 'B', parent_id: a.id });
    const c = await create(vera, { title: 'C', parent_id: b.id });
    assert.equal(c.parent_id, b.id);
    // A under its grandchild C, and A under itself.
    for (const parent of [c.id, b.id, a.id]) {
      assertError(await vera.put(`/api/v1/kb/articles/${a.id}`, { title: 'A', body: 'b', base_revision: 1, parent_id: parent }),
        400, 'validation_failed', 'parent_id');
    }
    const now = (await vera.get(`/api/v1/kb/articles/${a.id}`)).body;
    assert.equal(now.revision, 1);
    assert.equal(now.parent_id, undefined);
    assert.equal(revRows(a.id).length, 1, 'no revision for a refused save');
  });

  test('parent_id: null moves an article back to the top level', async () => {
    const a = await create(vera, { title: 'Top' });
    const b = await create(vera, { title: 'Under top', parent_id: a.id });
    const moved = await vera.put(`/api/v1/kb/articles/${b.id}`, { title: 'Under top', body: 'b', base_revision: 1, parent_id: null });
    assert.equal(moved.status, 200, show(moved));
    assert.equal(moved.body.parent_id, undefined, 'moved to the top');
  });

  test('PUT needs base_revision', async () => {
    const a = await create(vera, { title: 'Needs base' });
    assertError(await vera.put(`/api/v1/kb/articles/${a.id}`, { title: 'x', body: 'y' }), 400, 'validation_failed', 'base_revision');
  });

  test('writes need the CSRF token and a JSON body', async () => {
    const res = await api(p.url, 'POST', '/api/v1/kb/articles', { body: { space_id: space, title: 'x', body: 'y' } });
    assert.equal(res.status, 401);
    const a = await create(vera, { title: 'CSRF' });
    const { Cookie } = await loginHeaders('vera@demo.example');
    const cookieOnly = await api(p.url, 'PUT', `/api/v1/kb/articles/${a.id}`, {
      body: { title: 'hacked', body: 'y', base_revision: 1 }, headers: { Cookie },
    });
    assertError(cookieOnly, 403, 'csrf_failed');
    assert.equal((await vera.get(`/api/v1/kb/articles/${a.id}`)).body.title, 'CSRF');
  });
});

describe('saving', () => {
  test('PUT with base_revision makes revision+1 and a kb_revisions row', async () => {
    const a = await create(vera, { title: 'Refunds', body: 'Refunds take 5 days.' });
    const res = await anna.put(`/api/v1/kb/articles/${a.id}`, {
      title: 'Refunds policy', body: 'Refunds take 3 days.', base_revision: 1, summary: 'faster', tags: ['money'],
    });
    assert.equal(res.status, 200, show(res));
    assert.equal(res.body.revision, 2);
    assert.equal(res.body.title, 'Refunds policy');
    assert.equal(res.body.body, 'Refunds take 3 days.');
    assert.match(res.body.html, /Refunds take 3 days/);
    assert.equal(res.body.author.name, 'Anna Petrova');
    assert.deepEqual(revRows(a.id), [
      ['1', 'Refunds', 'Refunds take 5 days.'],
      ['2', 'Refunds policy', 'Refunds take 3 days.'],
    ]);
    assert.deepEqual(p.sql(`SELECT summary, tags FROM kb_revisions WHERE article_id = ${a.id} AND rev = 2`), [['faster', 'money']]);
    const got = (await vera.get(`/api/v1/kb/articles/${a.id}`)).body;
    assert.equal(got.revision, 2);
    assert.equal(got.body, 'Refunds take 3 days.');
  });

  test('a stale base_revision is 409 with the current article', async () => {
    const a = await create(vera, { title: 'Stale', body: 'one' });
    assert.equal((await vera.put(`/api/v1/kb/articles/${a.id}`, { title: 'Stale', body: 'two', base_revision: 1 })).status, 200);
    const res = await anna.put(`/api/v1/kb/articles/${a.id}`, { title: 'Stale', body: 'mine', base_revision: 1 });
    assertError(res, 409, 'conflict', 'base_revision');
    assert.equal(res.body.current.revision, 2);
    assert.equal(res.body.current.body, 'two');
    for (const base of [0, 3, 99]) {
      assert.equal((await anna.put(`/api/v1/kb/articles/${a.id}`, { title: 'Stale', body: 'mine', base_revision: base })).status, 409);
    }
    assert.equal(revRows(a.id).length, 2);
  });

  test('two editors saving the same base: one wins, the other gets 409 with the winner\'s text', async () => {
    for (let round = 0; round < 6; round++) {
      const a = await create(vera, { title: `Race ${round}`, body: 'Line one.\nLine two.\n' });
      const base = a.revision;
      const texts = {
        vera: `Line one.\nLine two.\nVera's addition ${round}.`,
        anna: `Anna rewrote line one ${round}.\nLine two.`,
      };
      const [rv, ra] = await Promise.all([
        vera.put(`/api/v1/kb/articles/${a.id}`, { title: a.title, body: texts.vera, base_revision: base }),
        anna.put(`/api/v1/kb/articles/${a.id}`, { title: a.title, body: texts.anna, base_revision: base }),
      ]);
      const statuses = [rv.status, ra.status].sort();
      assert.deepEqual(statuses, [200, 409], `round ${round}: ${show(rv)} / ${show(ra)}`);
      const [win, lose, winner, loser] = rv.status === 200 ? [rv, ra, 'vera', 'anna'] : [ra, rv, 'anna', 'vera'];
      assert.equal(win.body.revision, base + 1);
      assert.equal(win.body.body, texts[winner]);
      assertError(lose, 409, 'conflict', 'base_revision');
      assert.equal(lose.body.current.revision, base + 1);
      assert.equal(lose.body.current.body, texts[winner], 'the 409 carries the winner\'s text');
      // Nothing of the winner was lost: the article and its one new revision are the winner's.
      const rows = revRows(a.id);
      assert.equal(rows.length, 2, 'exactly one new revision');
      assert.deepEqual(rows[1], [String(base + 1), a.title, texts[winner]]);
      assert.deepEqual(p.sql(`SELECT revision FROM kb_articles WHERE id = ${a.id}`), [[String(base + 1)]]);
      assert.equal((await anna.get(`/api/v1/kb/articles/${a.id}`)).body.body, texts[winner]);
      // The loser merges onto the current revision and saves.
      const client = loser === 'vera' ? vera : anna;
      const merged = `${lose.body.current.body}\n${texts[loser]}`;
      const again = await client.put(`/api/v1/kb/articles/${a.id}`, { title: a.title, body: merged, base_revision: lose.body.current.revision });
      assert.equal(again.status, 200, show(again));
      assert.equal(again.body.revision, base + 2);
      assert.ok(again.body.body.includes(texts[winner]), 'the winner\'s text survives the merge');
    }
  });

  test('saving unchanged content makes no new revision', async () => {
    const a = await create(vera, { title: 'Same', body: 'Unchanged body', tags: ['x'] });
    const res = await vera.put(`/api/v1/kb/articles/${a.id}`, { title: 'Same', body: 'Unchanged body', tags: ['x'], base_revision: 1 });
    assert.equal(res.status, 200, show(res));
    assert.equal(res.body.revision, 1);
    assert.equal(res.body.updated_at, a.updated_at);
    assert.equal(revRows(a.id).length, 1);
    // Changing only the tags or the visibility is a change.
    const tagged = await vera.put(`/api/v1/kb/articles/${a.id}`, { title: 'Same', body: 'Unchanged body', tags: ['y'], base_revision: 1 });
    assert.equal(tagged.body.revision, 2);
    const pub = await vera.put(`/api/v1/kb/articles/${a.id}`, { title: 'Same', body: 'Unchanged body', tags: ['y'], visibility: 'public', base_revision: 2 });
    assert.equal(pub.body.revision, 3);
    assert.equal(revRows(a.id).length, 3);
  });

  test('the body is stored as written (leading indentation, trailing newline)', { todo: 'portal bug: FIELD_TEXT trims the Markdown body, so a leading indented code block becomes a paragraph' }, async () => {
    const body = '    $ make install\n\nThen run it.\n';
    const a = await create(vera, { title: 'Verbatim', body });
    assert.equal(a.body, body);
    assert.match(a.html, /^<pre><code>\$ make install/);
  });
});

describe('the 256 KiB Markdown cap', () => {
  test('a body at the cap saves; one byte over is 413 and saves nothing', async () => {
    const at = `# Big\n\n${'word '.repeat((CAP - 8) / 5)}`.padEnd(CAP, 'x');
    assert.equal(Buffer.byteLength(at), CAP);
    const a = await create(vera, { title: 'At the cap', body: at });
    assert.equal(a.body.length, CAP);
    assert.equal((await vera.get(`/api/v1/kb/articles/${a.id}`)).body.body, at);

    const count = p.sql('SELECT COUNT(*) FROM kb_articles')[0][0];
    assertError(await vera.post('/api/v1/kb/articles', { space_id: space, title: 'Over', body: `${at}y` }), 413, 'payload_too_large', 'body');
    assert.equal(p.sql('SELECT COUNT(*) FROM kb_articles')[0][0], count);
    assertError(await vera.put(`/api/v1/kb/articles/${a.id}`, { title: 'At the cap', body: `${at}y`, base_revision: 1 }), 413, 'payload_too_large', 'body');
    assert.equal(revRows(a.id).length, 1);
  });

  test('the cap counts bytes: 128 Ki Cyrillic letters save, one more is 413', async () => {
    const at = 'ж'.repeat(CAP / 2);
    const a = await create(vera, { title: 'Кириллица', body: at });
    assert.equal(a.body, at);
    assertError(await vera.post('/api/v1/kb/articles', { space_id: space, title: 'Кириллица', body: `${at}ж` }), 413, 'payload_too_large', 'body');
  });

  test('far over the cap is 413 too', { todo: 'portal bug: a body over 300,000 characters is 400 validation_failed, not 413' }, async () => {
    assertError(await vera.post('/api/v1/kb/articles', { space_id: space, title: 'Far over', body: 'x'.repeat(300001) }), 413, 'payload_too_large', 'body');
  });

  test('a request body over the server limit is 413', async () => {
    const res = await vera.post('/api/v1/kb/articles', { space_id: space, title: 'Huge', body: 'x'.repeat(2 * 1024 * 1024) });
    assert.equal(res.status, 413, show(res));
  });
});

// --- hostile Markdown ------------------------------------------------------------------

const ALLOWED_TAGS = new Set(['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'ul', 'ol', 'li', 'blockquote',
  'pre', 'code', 'em', 'strong', 'a', 'img', 'hr', 'br']);
const ALLOWED_ATTRS = new Set(['href', 'src', 'alt', 'title', 'start', 'class']);

function decodeEntities(s) {
  return s.replace(/&#x([0-9a-f]+);?/gi, (_, h) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);?/g, (_, d) => String.fromCodePoint(Number(d)))
    .replace(/&colon;/gi, ':').replace(/&tab;/gi, '\t').replace(/&newline;/gi, '\n')
    .replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** Fails unless html is made only of cmark's own tags and attributes, with no script URL. */
function assertSafeHtml(html, what) {
  assert.equal(typeof html, 'string', `${what}: html`);
  const stripped = html.replace(/<!-- raw HTML omitted -->/g, '');
  assert.ok(!/<!--|<!\[CDATA|<\?/.test(stripped), `${what}: comment or CDATA passed through`);
  for (const m of stripped.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9]*)((?:[^>"]|"[^"]*")*)\/?>/g)) {
    const [tag, name, attrs] = m;
    assert.ok(ALLOWED_TAGS.has(name.toLowerCase()), `${what}: tag ${tag.slice(0, 80)}`);
    const rest = attrs.replace(/\s+([a-zA-Z-]+)="([^"]*)"/g, (_, attr, value) => {
      assert.ok(ALLOWED_ATTRS.has(attr.toLowerCase()), `${what}: attribute ${attr} in ${tag.slice(0, 80)}`);
      if (['href', 'src'].includes(attr.toLowerCase())) {
        // What a browser would see: entities decoded, control characters and spaces dropped.
        const url = decodeEntities(value).replace(/[\u0000-\u0020\u007f]/g, '').toLowerCase();
        assert.ok(!/^(javascript|vbscript|file|data):/.test(url) || /^data:image\/(png|gif|jpeg|webp);/.test(url),
          `${what}: dangerous URL ${value.slice(0, 80)}`);
      }
      return '';
    });
    assert.equal(rest.replace(/\s*\/?$/, ''), '', `${what}: unparsed attributes in ${tag.slice(0, 80)}`);
  }
  // Nothing that looks like markup survives outside tags.
  const text = stripped.replace(/<[^>]*>/g, '');
  assert.ok(!text.includes('<') && !text.includes('>'), `${what}: raw angle bracket in text`);
}

async function timedCreate(title, body) {
  const t0 = performance.now();
  const res = await vera.post('/api/v1/kb/articles', { space_id: space, title, body });
  return { res, ms: performance.now() - t0 };
}

const LIMIT_MS = 5000; // "within a few seconds", with room for sanitizer builds

describe('hostile Markdown', () => {
  const cases = {
    'script tag': '<script>alert(1)</script>\n\nhello <script>alert(2)</script>',
    'event handlers in raw html': '<img src=x onerror=alert(1)>\n\n<svg onload=alert(1)>\n\nfoo <b onmouseover="alert(1)">bar</b>',
    'iframe, style, object': '<iframe src="https://evil.example"></iframe>\n<style>body{display:none}</style>\n<object data=x></object>',
    'html comment and cdata': '<!-- <script>alert(1)</script> -->\n\n<![CDATA[<script>alert(1)</script>]]>\n\n<?php system($_GET[1]); ?>',
    'javascript links': '[a](javascript:alert(1)) [b](JaVaScRiPt:alert(1)) [c](<javascript:alert(1)>) <javascript:alert(1)>\n\n' +
      '[d](java&#115;cript:alert(1)) [e](&#106;avascript:alert(1)) [f](vbscript:msgbox(1)) [g](data:text/html;base64,PHNjcmlwdD4=)\n\n' +
      '![h](javascript:alert(1)) [i][ref] [j](file:///etc/passwd)\n\n[ref]: javascript:alert(1)',
    'kb links with a payload': '[x](kb:javascript:alert(1)) [y](kb:1"onmouseover=alert(1)) [z](kb:1%22%20onclick%3Dalert(1))',
    'attribute breaking': '[x](http://a.example/"onmouseover="alert(1)) ![y](x"onerror="alert(1)) [z](http://a.example "t\\"onclick=alert(1)")',
    'raw html block': '<div>\n<a href="javascript:alert(1)">x</a>\n</div>\n\n<details open ontoggle=alert(1)>',
    'fenced code with html': '```html\n<script>alert(1)</script>\n```\n\n`<img src=x onerror=alert(1)>`',
    'NUL-free control characters': 'a\u0001b\u0008c\u001bd\u007fe [x](java\tscript:alert(1)) [y](<java\nscript:alert(1)>)',
  };
  for (const [name, body] of Object.entries(cases)) {
    test(name, async () => {
      const { res, ms } = await timedCreate(name, body);
      assert.equal(res.status, 201, show(res));
      assert.ok(ms < LIMIT_MS, `${name}: ${ms} ms`);
      assertSafeHtml(res.body.html, name);
      assert.equal(res.body.body, body, 'the Markdown source itself is kept');
      const rev = await vera.get(`/api/v1/kb/articles/${res.body.id}/revisions/1`);
      assertSafeHtml(rev.body.html, `${name} (revision view)`);
    });
  }

  test('script tags never reach the html', async () => {
    const { res } = await timedCreate('xss', '<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>');
    assert.ok(!/<script|onerror/i.test(res.body.html), res.body.html);
    assert.match(res.body.html, /<!-- raw HTML omitted -->/);
  });

  const deep = {
    '5,000-deep nested lists': `${'- '.repeat(5000)}x`,
    '5,000-deep ordered lists': `${'1. '.repeat(5000)}x`,
    '5,000-deep block quotes': `${'> '.repeat(5000)}x`,
    '5,000-deep quotes and lists': `${'> - '.repeat(5000)}x`,
    '5,000 indented list levels': Array.from({ length: 5000 }, (_, i) => `${' '.repeat(Math.min(i * 2, 40))}- x`).join('\n'),
    '5,000 nested brackets': `${'['.repeat(5000)}x${']'.repeat(5000)}`,
    '5,000 nested emphasis': `${'*a **a '.repeat(5000)}b${' a** a*'.repeat(5000)}`,
    'many unclosed link openers, at the cap': '[a'.repeat(CAP / 2 - 8),
    'many emphasis closers, at the cap': 'a_ '.repeat(Math.floor((CAP - 8) / 3)),
    'many link closers, at the cap': 'a]'.repeat(CAP / 2 - 8),
    'unclosed link destinations, at the cap': '[a](b'.repeat(Math.floor((CAP - 8) / 5)),
    'backtick runs': Array.from({ length: 700 }, (_, i) => `e${'`'.repeat(i)}`).join('').slice(0, CAP - 8),
  };
  for (const [name, body] of Object.entries(deep)) {
    test(name, async () => {
      assert.ok(Buffer.byteLength(body) <= CAP, `${name}: input ${Buffer.byteLength(body)} bytes`);
      const { res, ms } = await timedCreate(name, body);
      assert.equal(res.status, 201, show(res));
      assert.ok(ms < LIMIT_MS, `${name}: answered in ${Math.round(ms)} ms`);
      assertSafeHtml(res.body.html, name);
      assert.equal((await api(p.url, 'GET', '/api/v1/ping')).status, 200, 'still serving');
    });
  }

  // cmark 0.30.2 (Debian 12) is quadratic on "![[]()" (CVE-2023-22486): ~10 s at the cap
  // unchecked; the portal refuses more than MARKDOWN_MAX_IMAGES image marks instead.
  test('image-link openers at the cap answer within a few seconds', async () => {
    const body = '![[]()'.repeat(Math.floor((CAP - 8) / 6));
    const { res, ms } = await timedCreate('![[]()', body);
    assert.ok(ms < LIMIT_MS, `answered in ${Math.round(ms)} ms (${res.status})`);
    if (res.status === 201) assertSafeHtml(res.body.html, '![[]()');
    else assert.equal(res.body?.error?.field, 'body', show(res));
  });

  // Deep lists followed by blank lines cost depth x lines in cmark 0.30.2: 10-30 s for
  // these 126 KB on the 2-core box (54 s for 5,000 levels and 240,000 blank lines).
  test('a deep list followed by many blank lines answers within a few seconds', { todo: 'portal bug: cmark block parsing is quadratic here and nothing bounds it' }, async () => {
    const body = `${'- '.repeat(3000)}x${'\n'.repeat(120000)}`;
    const { res, ms } = await timedCreate('deep list, blank lines', body);
    assert.ok(ms < LIMIT_MS, `answered in ${Math.round(ms)} ms (${res.status})`);
    if (res.status === 201) assertSafeHtml(res.body.html, 'deep list, blank lines');
    else assert.equal(res.body?.error?.field, 'body', show(res));
  });

  test('invalid UTF-8 is refused by field, never stored', async () => {
    const raw = Buffer.concat([
      Buffer.from(`{"space_id":${space},"title":"bad","body":"ok `), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}'),
    ]);
    const res = await api(p.url, 'POST', '/api/v1/kb/articles', {
      raw, headers: { 'Content-Type': 'application/json', ...(await loginHeaders('vera@demo.example')) },
    });
    assert.equal(res.status, 400, show(res));
  });
});

async function loginHeaders(email) {
  const res = await api(p.url, 'POST', '/api/v1/auth/login', { body: { email, password: PASSWORD } });
  const cookie = res.headers.getSetCookie().map((l) => l.split(';')[0]).find((c) => /^(__Host-)?portal_session=/.test(c));
  return { Cookie: cookie, 'X-CSRF-Token': res.body.csrf_token };
}

describe('spaces', () => {
  test('the space list names its article count', async () => {
    const before = (await anna.get('/api/v1/kb/spaces')).body.items.find((s) => s.id === otherSpace).article_count;
    await create(vera, { space_id: otherSpace, title: 'Counted' });
    const items = (await anna.get('/api/v1/kb/spaces')).body.items;
    for (const s of items) {
      for (const k of Object.keys(s)) assert.match(k, /^[a-z_]+$/, `space key ${k}`);
      assert.equal(typeof s.article_count, 'number');
    }
    assert.equal(items.find((s) => s.id === otherSpace).article_count, before + 1);
  });

  test('space names are unique; members may not create spaces', async () => {
    const dup = await anna.post('/api/v1/kb/spaces', { name: 'KB tests' });
    assertError(dup, 409, 'conflict', 'name');
    assertError(await anna.post('/api/v1/kb/spaces', { name: '' }), 400, 'validation_failed', 'name');
    assert.equal((await vera.post('/api/v1/kb/spaces', { name: 'By a member' })).status, 403);
  });
});
