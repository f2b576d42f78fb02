// The public help center in the client cabinet: only public, published articles are
// listed or shown; an internal or draft id answers exactly like a nonexistent one; the
// realms never cross (employees 403 on cabinet routes, customers 403 on /api/v1/kb/*);
// kb:ID links point to the right app and survive renames; attached files follow the
// article's visibility.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startPortal, api } from '../lib/portal.mjs';

const PASSWORD = 'demo-password-1';
let p;
let vera;
let carol; // customer
let dmitry; // customer of another account
let pavel; // partner
let space;
const A = {};

async function login(email) {
  const res = await api(p.url, 'POST', '/api/v1/auth/login', { body: { email, password: PASSWORD } });
  assert.equal(res.status, 200, `login ${email}: ${res.status} ${res.text}`);
  const cookie = res.headers.getSetCookie().map((l) => l.split(';')[0])
    .find((c) => /^(__Host-)?portal_session=/.test(c));
  const csrf = res.body.csrf_token;
  const call = (method, path, { body, raw, headers = {} } = {}) => api(p.url, method, path, {
    body, raw, headers: { Cookie: cookie, ...(method === 'GET' ? {} : { 'X-CSRF-Token': csrf }), ...headers },
  });
  return {
    call,
    get: (path) => call('GET', path),
    post: (path, body) => call('POST', path, { body }),
    put: (path, body) => call('PUT', path, { body }),
  };
}
const show = (res) => `${res.status} ${res.text?.slice(0, 400)}`;

async function create(fields) {
  const res = await vera.post('/api/v1/kb/articles', { space_id: space, body: 'text', ...fields });
  assert.equal(res.status, 201, show(res));
  return res.body;
}

before(async () => {
  p = await startPortal({ demo: true });
  vera = await login('vera@demo.example');
  carol = await login('carol@client.example');
  dmitry = await login('dmitry@client2.example');
  pavel = await login('pavel@partner.example');
  space = (await vera.get('/api/v1/kb/spaces')).body.items.find((s) => s.name === 'Help center').id;
  A.pub = (await create({ title: 'Public: delivery times', body: 'Delivery takes **3 days**.', visibility: 'public', tags: ['delivery'] })).id;
  A.internal = (await create({ title: 'Internal: margin table', body: 'Our margin is 42%.', visibility: 'internal' })).id;
  A.draft = (await create({ title: 'Draft: new prices', body: 'Prices rise in May.', visibility: 'public', status: 'draft' })).id;
  A.internalDraft = (await create({ title: 'Internal draft: layoffs', body: 'secret', visibility: 'internal', status: 'draft' })).id;
});
after(async () => { await p?.stop(); });

const HIDDEN_WORDS = ['margin', 'Draft: new prices', 'Prices rise', 'layoffs', 'Acts of acceptance', 'Ticket priorities', 'Как отвечать'];

describe('the cabinet help center', () => {
  test('the list has exactly the public, published articles', async () => {
    const expected = p.sql("SELECT id FROM kb_articles WHERE visibility = 'public' AND status = 'published' ORDER BY id DESC")
      .map((r) => Number(r[0]));
    for (const client of [carol, dmitry, pavel]) {
      const res = await client.get('/api/v1/cabinet/kb/articles');
      assert.equal(res.status, 200, show(res));
      assert.deepEqual(res.body.items.map((i) => i.id), expected);
      for (const word of HIDDEN_WORDS) assert.ok(!res.text.includes(word), `"${word}" in the list`);
      const pub = res.body.items.find((i) => i.id === A.pub);
      assert.equal(pub.title, 'Public: delivery times');
      assert.equal(pub.space.name, 'Help center');
      assert.equal(pub.visibility, undefined);
    }
  });

  test('the list pages with limit and before', async () => {
    const all = (await carol.get('/api/v1/cabinet/kb/articles')).body.items.map((i) => i.id);
    assert.ok(all.length >= 3);
    const first = (await carol.get('/api/v1/cabinet/kb/articles?limit=2')).body;
    assert.deepEqual(first.items.map((i) => i.id), all.slice(0, 2));
    assert.equal(first.next_before, all[1]);
    const second = (await carol.get(`/api/v1/cabinet/kb/articles?limit=2&before=${first.next_before}`)).body;
    assert.deepEqual(second.items.map((i) => i.id), all.slice(2, 4));
  });

  test('a public article shows html, but neither the Markdown source nor the author', async () => {
    const res = await carol.get(`/api/v1/cabinet/kb/articles/${A.pub}`);
    assert.equal(res.status, 200, show(res));
    assert.equal(res.body.id, A.pub);
    assert.equal(res.body.title, 'Public: delivery times');
    assert.match(res.body.html, /<strong>3 days<\/strong>/);
    assert.equal(res.body.body, undefined);
    assert.equal(res.body.author, undefined);
    assert.ok(!res.text.includes('Vera'), 'no author name');
  });

  test('internal and draft ids answer exactly like a nonexistent id', async () => {
    const missing = await carol.get('/api/v1/cabinet/kb/articles/99999999');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'not_found');
    const demoInternal = Number(p.sql("SELECT MIN(id) FROM kb_articles WHERE visibility = 'internal'")[0][0]);
    for (const client of [carol, pavel]) {
      for (const id of [A.internal, A.draft, A.internalDraft, demoInternal, 'abc', '0']) {
        const res = await client.get(`/api/v1/cabinet/kb/articles/${id}`);
        assert.equal(res.status, 404, `${id}: ${show(res)}`);
        assert.equal(res.text, missing.text, `${id}: same body as a missing article`);
        assert.equal(res.headers.get('content-type'), missing.headers.get('content-type'));
      }
    }
  });

  test('publishing makes an article visible; unpublishing hides it again', async () => {
    const a = await create({ title: 'Soon public', visibility: 'internal' });
    assert.equal((await carol.get(`/api/v1/cabinet/kb/articles/${a.id}`)).status, 404);
    let res = await vera.put(`/api/v1/kb/articles/${a.id}`, { title: a.title, body: a.body, visibility: 'public', base_revision: 1 });
    assert.equal(res.status, 200, show(res));
    assert.equal((await carol.get(`/api/v1/cabinet/kb/articles/${a.id}`)).status, 200);
    res = await vera.put(`/api/v1/kb/articles/${a.id}`, { title: a.title, body: a.body, visibility: 'public', status: 'draft', base_revision: 2 });
    assert.equal(res.status, 200, show(res));
    assert.equal((await carol.get(`/api/v1/cabinet/kb/articles/${a.id}`)).status, 404);
    assert.ok(!(await carol.get('/api/v1/cabinet/kb/articles')).body.items.some((i) => i.id === a.id));
  });
});

describe('realms never cross', () => {
  test('employees get 403 on the cabinet routes', async () => {
    for (const email of ['anna@demo.example', 'vera@demo.example']) {
      const emp = email === 'vera@demo.example' ? vera : await login(email);
      for (const path of ['/api/v1/cabinet/kb/articles', `/api/v1/cabinet/kb/articles/${A.pub}`, '/api/v1/cabinet/kb/articles?q=delivery']) {
        const res = await emp.get(path);
        assert.equal(res.status, 403, `${email} ${path}: ${show(res)}`);
        assert.ok(!res.text.includes('delivery times'));
      }
    }
  });

  test('customers and partners get 403 on /api/v1/kb/*', async () => {
    for (const client of [carol, pavel]) {
      const reads = ['/api/v1/kb/spaces', '/api/v1/kb/articles', `/api/v1/kb/articles/${A.pub}`, `/api/v1/kb/articles/${A.internal}`,
        `/api/v1/kb/articles/${A.pub}/revisions`, `/api/v1/kb/articles/${A.pub}/revisions/1`,
        `/api/v1/kb/articles/${A.pub}/diff?from=1&to=1`, '/api/v1/kb/search?q=delivery'];
      for (const path of reads) {
        const res = await client.get(path);
        assert.equal(res.status, 403, `${path}: ${show(res)}`);
        assert.ok(!res.text.includes('margin') && !res.text.includes('delivery times'), path);
      }
      const writes = [
        ['POST', '/api/v1/kb/articles', { space_id: space, title: 'x', body: 'y' }],
        ['PUT', `/api/v1/kb/articles/${A.pub}`, { title: 'hacked', body: 'y', base_revision: 1 }],
        ['POST', `/api/v1/kb/articles/${A.pub}/restore`, { rev: 1 }],
        ['POST', '/api/v1/kb/spaces', { name: 'x' }],
      ];
      for (const [method, path, body] of writes) {
        const res = await client.call(method, path, { body });
        assert.equal(res.status, 403, `${method} ${path}: ${show(res)}`);
      }
    }
    assert.equal((await vera.get(`/api/v1/kb/articles/${A.pub}`)).body.title, 'Public: delivery times');
  });

  test('without a session every kb route is 401', async () => {
    for (const path of ['/api/v1/kb/articles', `/api/v1/kb/articles/${A.pub}`, '/api/v1/kb/search?q=delivery',
      '/api/v1/cabinet/kb/articles', `/api/v1/cabinet/kb/articles/${A.pub}`]) {
      const res = await api(p.url, 'GET', path);
      assert.equal(res.status, 401, `${path}: ${show(res)}`);
    }
  });
});

describe('kb:ID links', () => {
  test('render as /app/kb/ID for employees and /cabinet/help/ID in the cabinet; renames keep them working', async () => {
    const target = await create({ title: 'Return policy', body: 'Return within 14 days.', visibility: 'public' });
    const linker = await create({
      title: 'FAQ', visibility: 'public',
      body: `See [the return policy](kb:${target.id}) and <kb:${target.id}>.\n\n[ref link][r]\n\n[r]: kb:${target.id}`,
    });
    const emp = (await vera.get(`/api/v1/kb/articles/${linker.id}`)).body.html;
    const cab = (await carol.get(`/api/v1/cabinet/kb/articles/${linker.id}`)).body.html;
    const hrefs = (html) => [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]);
    assert.deepEqual(hrefs(emp), Array(3).fill(`/app/kb/${target.id}`), emp);
    assert.deepEqual(hrefs(cab), Array(3).fill(`/cabinet/help/${target.id}`), cab);
    assert.match(emp, new RegExp(`<a href="/app/kb/${target.id}">the return policy</a>`));
    assert.ok(!/kb:/.test(hrefs(emp).join(' ') + hrefs(cab).join(' ')));
    // The source keeps the stable form.
    assert.ok((await vera.get(`/api/v1/kb/articles/${linker.id}`)).body.body.includes(`(kb:${target.id})`));
    // The revision view rewrites for the employee app too.
    const rev = (await vera.get(`/api/v1/kb/articles/${linker.id}/revisions/1`)).body.html;
    assert.deepEqual(hrefs(rev), Array(3).fill(`/app/kb/${target.id}`));

    // Rename the target: the link is by id, so it still resolves, to the new title.
    const renamed = await vera.put(`/api/v1/kb/articles/${target.id}`, { title: 'Returns and exchanges', body: target.body, visibility: 'public', base_revision: 1 });
    assert.equal(renamed.status, 200, show(renamed));
    const empAfter = (await vera.get(`/api/v1/kb/articles/${linker.id}`)).body.html;
    const cabAfter = (await carol.get(`/api/v1/cabinet/kb/articles/${linker.id}`)).body.html;
    assert.deepEqual(hrefs(empAfter), hrefs(emp));
    assert.deepEqual(hrefs(cabAfter), hrefs(cab));
    const followedEmp = await vera.get(`/api/v1/kb/articles/${hrefs(empAfter)[0].split('/').pop()}`);
    assert.equal(followedEmp.body.title, 'Returns and exchanges');
    const followedCab = await carol.get(`/api/v1/cabinet/kb/articles/${hrefs(cabAfter)[0].split('/').pop()}`);
    assert.equal(followedCab.status, 200);
    assert.equal(followedCab.body.title, 'Returns and exchanges');
  });

  test('the demo order article links the ticket article', async () => {
    const order = (await carol.get('/api/v1/cabinet/kb/articles')).body.items.find((i) => i.title === 'Where is my order?');
    const html = (await carol.get(`/api/v1/cabinet/kb/articles/${order.id}`)).body.html;
    const m = html.match(/href="\/cabinet\/help\/(\d+)"/);
    assert.ok(m, html);
    const linked = await carol.get(`/api/v1/cabinet/kb/articles/${m[1]}`);
    assert.equal(linked.status, 200);
    assert.equal(linked.body.title, 'How to open a support ticket');
  });

  test('only kb: links are rewritten, and only in hrefs', async () => {
    const a = await create({
      title: 'Not links', visibility: 'public',
      body: 'Text that says href="kb:5" and `[x](kb:6)` and [web](https://example.com/kb:7).\n\n    [x](kb:8)',
    });
    const html = (await vera.get(`/api/v1/kb/articles/${a.id}`)).body.html;
    assert.ok(!html.includes('/app/kb/'), html);
    assert.ok(html.includes('href="https://example.com/kb:7"'), html);
  });
});

describe('files on articles', () => {
  async function upload(client, name) {
    const up = await client.call('POST', `/api/v1/files?name=${name}`, { raw: `content of ${name}`, headers: { 'Content-Type': 'text/plain' } });
    assert.equal(up.status, 201, show(up));
    return up.body.id;
  }

  test('files attached on create and on save are listed with the article', async () => {
    const f1 = await upload(vera, 'one.txt');
    const a = await create({ title: 'With files', visibility: 'public', files: [f1] });
    assert.deepEqual(a.files.map((f) => f.id), [f1]);
    assert.equal(a.files[0].name, 'one.txt');
    const f2 = await upload(vera, 'two.txt');
    const saved = await vera.put(`/api/v1/kb/articles/${a.id}`, { title: a.title, body: 'changed', visibility: 'public', base_revision: 1, files: [f1, f2] });
    assert.equal(saved.status, 200, show(saved));
    assert.deepEqual(saved.body.files.map((f) => f.id).sort(), [f1, f2].sort());
    const cab = (await carol.get(`/api/v1/cabinet/kb/articles/${a.id}`)).body;
    assert.deepEqual(cab.files.map((f) => f.id).sort(), [f1, f2].sort());
  });

  test('only the caller\'s own unattached uploads can be attached', async () => {
    const a = await create({ title: 'Attach rules' });
    const other = await create({ title: 'Other article' });
    const mine = await upload(vera, 'mine.txt');
    assert.equal((await vera.put(`/api/v1/kb/articles/${other.id}`, { title: other.title, body: 'x', base_revision: 1, files: [mine] })).status, 200);
    const anna = await login('anna@demo.example');
    const hers = await upload(anna, 'hers.txt');
    const customers = await upload(carol, 'carols.txt');
    for (const [what, id] of [['someone else\'s upload', hers], ['a customer\'s upload', customers],
      ['a file attached elsewhere', mine], ['a missing file', 99999999]]) {
      const res = await vera.put(`/api/v1/kb/articles/${a.id}`, { title: a.title, body: a.body, base_revision: 1, files: [id] });
      assert.equal(res.status, 400, `${what}: ${show(res)}`);
      assert.equal(res.body.error.field, 'files', what);
    }
    for (const bad of ['1', [0], ['1'], [1.5], Array.from({ length: 51 }, (_, i) => i + 1)]) {
      const res = await vera.post('/api/v1/kb/articles', { space_id: space, title: 'Bad files', body: 'x', files: bad });
      assert.equal(res.status, 400, `${JSON.stringify(bad).slice(0, 40)}: ${show(res)}`);
      assert.equal(res.body.error.field, 'files');
    }
    const now = (await vera.get(`/api/v1/kb/articles/${a.id}`)).body;
    assert.equal(now.revision, 1, 'a refused save changes nothing');
    assert.deepEqual(now.files, []);
    assert.equal((await vera.get(`/api/v1/kb/articles/${other.id}`)).body.files[0].id, mine);
  });

  test('a file on a public article is readable in the cabinet; on an internal or draft one it is not', async () => {
    const onPublic = await upload(vera, 'public.txt');
    const onInternal = await upload(vera, 'internal.txt');
    const onDraft = await upload(vera, 'draft.txt');
    const pub = (await vera.get(`/api/v1/kb/articles/${A.pub}`)).body;
    const put = (a, files) => vera.put(`/api/v1/kb/articles/${a.id}`, { title: a.title, body: a.body, visibility: a.visibility, status: a.status, tags: a.tags, base_revision: a.revision, files });
    assert.equal((await put(pub, [onPublic])).status, 200);
    assert.equal((await put((await vera.get(`/api/v1/kb/articles/${A.internal}`)).body, [onInternal])).status, 200);
    assert.equal((await put((await vera.get(`/api/v1/kb/articles/${A.draft}`)).body, [onDraft])).status, 200);

    const art = (await carol.get(`/api/v1/cabinet/kb/articles/${A.pub}`)).body;
    assert.deepEqual(art.files.map((f) => f.id), [onPublic]);
    const dl = await carol.get(`/api/v1/files/${onPublic}`);
    assert.equal(dl.status, 200, show(dl));
    assert.equal(dl.text, 'content of public.txt');
    assert.match(dl.headers.get('content-disposition') ?? '', /^attachment/);
    const missing = await carol.get('/api/v1/files/99999999');
    for (const id of [onInternal, onDraft]) {
      const res = await carol.get(`/api/v1/files/${id}`);
      assert.equal(res.status, 404, show(res));
      assert.equal(res.text, missing.text, 'same answer as a missing file');
      assert.equal((await pavel.get(`/api/v1/files/${id}`)).status, 404);
      assert.equal((await vera.get(`/api/v1/files/${id}`)).status, 200, 'employees read them');
    }
    // Unpublishing the article takes the file away from customers too.
    const cur = (await vera.get(`/api/v1/kb/articles/${A.pub}`)).body;
    assert.equal((await put({ ...cur, visibility: 'internal' })).status, 200);
    assert.equal((await carol.get(`/api/v1/files/${onPublic}`)).status, 404);
    const back = (await vera.get(`/api/v1/kb/articles/${A.pub}`)).body;
    assert.equal((await put({ ...back, visibility: 'public' })).status, 200);
    assert.equal((await carol.get(`/api/v1/files/${onPublic}`)).status, 200);
  });
});
