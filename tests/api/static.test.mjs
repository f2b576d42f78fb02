// Static files: the two browser apps, their client-side routes, shared assets, the
// allow-listed npm packages under /vendor/, caching, and every way out of www/.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startPortal, api, sourceDir } from '../lib/portal.mjs';
import { rawRequest } from '../lib/rawhttp.mjs';

const wwwDir = path.join(sourceDir, 'www');
const nodeModules = path.join(sourceDir, 'node_modules');

let p;
// Point the server at the same www/ and node_modules/ the assertions read (a binary
// from another checkout would otherwise serve its own copy).
before(async () => { p = await startPortal({ env: { PORTAL_WWW_DIR: wwwDir, PORTAL_NODE_MODULES: nodeModules } }); });
after(async () => { await p?.stop(); });

/** Other people edit www/ while tests run: compare with the file, once more on a race. */
async function assertServesFile(urlPath, file) {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(p.url + urlPath, { redirect: 'manual' });
    const body = Buffer.from(await res.arrayBuffer());
    const want = fs.readFileSync(file);
    if (attempt === 0 && (res.status !== 200 || !body.equals(want))) continue;
    assert.equal(res.status, 200, `${urlPath}`);
    assert.ok(body.equals(want), `${urlPath} does not serve ${path.relative(sourceDir, file)}`);
    return res;
  }
}

function listFiles(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.')) continue;
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...listFiles(full));
    else if (e.isFile()) out.push(full);
  }
  return out;
}

const expectedType = {
  '.html': /^text\/html/, '.js': /^(text|application)\/javascript/, '.mjs': /^(text|application)\/javascript/,
  '.css': /^text\/css/, '.json': /^application\/json/, '.svg': /^image\/svg\+xml/, '.png': /^image\/png/,
};

describe('browser apps', () => {
  for (const app of ['app', 'cabinet']) {
    test(`/${app}/ serves ${app}/index.html as text/html`, async () => {
      const res = await assertServesFile(`/${app}/`, path.join(wwwDir, app, 'index.html'));
      assert.match(res.headers.get('content-type'), /^text\/html/);
      assert.match(res.headers.get('cache-control') ?? '', /no-cache/, 'index.html must be revalidated');
    });

    test(`/${app} without the slash serves or redirects to the app`, async () => {
      const res = await api(p.url, 'GET', `/${app}`);
      if (res.status === 301 || res.status === 302 || res.status === 308) {
        assert.equal(new URL(res.headers.get('location'), p.url).pathname, `/${app}/`);
      } else {
        assert.equal(res.status, 200);
        assert.match(res.headers.get('content-type'), /^text\/html/);
      }
    });
  }

  test('a deep client route serves the app\'s index.html', async () => {
    for (const route of ['/app/kb/some/article', '/app/kb', '/app/projects/12/board']) {
      const res = await assertServesFile(route, path.join(wwwDir, 'app', 'index.html'));
      assert.match(res.headers.get('content-type'), /^text\/html/);
    }
    await assertServesFile('/cabinet/tickets/7', path.join(wwwDir, 'cabinet', 'index.html'));
  });

  test('a missing file with an extension is a 404, not the index', async () => {
    for (const missing of ['/app/missing.js', '/app/kb/missing.css', '/cabinet/missing.js', '/shared/missing.js', '/missing.html']) {
      const res = await api(p.url, 'GET', missing);
      assert.equal(res.status, 404, missing);
      assert.doesNotMatch(res.text, /<html/i, `${missing} served HTML`);
    }
  });

  test('each app\'s scripts are served as JavaScript', async () => {
    for (const app of ['app', 'cabinet']) {
      const res = await assertServesFile(`/${app}/main.js`, path.join(wwwDir, app, 'main.js'));
      assert.match(res.headers.get('content-type'), /^(text|application)\/javascript/);
    }
  });
});

describe('shared assets and caching', () => {
  test('every file under www/shared is served with its type', async () => {
    const files = listFiles(path.join(wwwDir, 'shared'));
    assert.ok(files.length >= 3, 'www/shared looks empty');
    for (const file of files) {
      const rel = '/' + path.relative(wwwDir, file).split(path.sep).join('/');
      const res = await assertServesFile(rel, file);
      const type = expectedType[path.extname(file)];
      if (type) assert.match(res.headers.get('content-type'), type, `${rel} content-type`);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    }
  });

  test('/shared/ files are no-cache with an ETag that revalidates to 304', async () => {
    const res = await fetch(`${p.url}/shared/app.css`);
    await res.arrayBuffer();
    assert.equal(res.status, 200);
    assert.match(res.headers.get('cache-control') ?? '', /no-cache/);
    assert.doesNotMatch(res.headers.get('cache-control') ?? '', /immutable/);
    const etag = res.headers.get('etag');
    assert.ok(etag, 'no ETag');
    const again = await fetch(`${p.url}/shared/app.css`, { headers: { 'If-None-Match': etag } });
    const body = await again.text();
    assert.equal(again.status, 304);
    assert.equal(body, '');
    assert.equal(again.headers.get('etag'), etag);
    const stale = await fetch(`${p.url}/shared/app.css`, { headers: { 'If-None-Match': '"not-the-etag"' } });
    await stale.arrayBuffer();
    assert.equal(stale.status, 200);
  });

  test('HEAD gives the headers of GET without a body', async () => {
    const get = await fetch(`${p.url}/shared/app.css`);
    const size = (await get.arrayBuffer()).byteLength;
    const head = await api(p.url, 'HEAD', '/shared/app.css');
    assert.equal(head.status, 200);
    assert.equal(head.text, '');
    assert.equal(Number(head.headers.get('content-length')), size);
    assert.match(head.headers.get('content-type'), /^text\/css/);
  });

  test('/vendor/htm with ?v= is immutable and is the npm file', async () => {
    const file = path.join(nodeModules, 'htm/preact/standalone.module.js');
    const res = await assertServesFile('/vendor/htm/preact/standalone.module.js?v=3.1.1', file);
    const cc = res.headers.get('cache-control') ?? '';
    assert.match(cc, /immutable/);
    assert.match(cc, /max-age=\d{6,}/);
    assert.match(res.headers.get('content-type'), /^(text|application)\/javascript/);
  });

  test('/vendor/ without ?v= is not immutable', async () => {
    const res = await fetch(`${p.url}/vendor/htm/preact/standalone.module.js`);
    await res.arrayBuffer();
    assert.equal(res.status, 200);
    assert.doesNotMatch(res.headers.get('cache-control') ?? '', /immutable/);
  });

  test('/vendor/ serves only allow-listed packages', async () => {
    for (const pth of ['/vendor/playwright-core/package.json', '/vendor/htm', '/vendor/htm/', '/vendor/.bin/x', '/vendor/']) {
      const res = await api(p.url, 'GET', pth);
      assert.equal(res.status, 404, pth);
    }
  });
});

describe('no way out of www/ (raw request lines)', () => {
  const rootPkg = fs.readFileSync(path.join(sourceDir, 'package.json'), 'utf8');
  const attempts = [
    '/../../etc/passwd',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/app/..%2f..%2fetc/passwd',
    '/app/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
    '/app/../../../etc/passwd',
    '/app/.%2e/.%2e/.%2e/etc/passwd',
    '/shared/%00/x',
    '/shared/app.css%00.html',
    '/%5c..%5cetc/passwd',
    '/app/..%5c..%5c..%5cetc/passwd',
    '//etc/passwd',
    '/.git/config',
    '/app/../.git/config',
    '/%2egit/config',
    '/vendor/playwright-core/package.json',
    '/vendor/htm/../../package.json',
    '/vendor/htm/%2e%2e/%2e%2e/package.json',
    '/vendor/htm/../playwright-core/package.json',
    '/../package.json',
    '/package.json',
    '/CMakeLists.txt',
  ];
  for (const target of attempts) {
    test(`GET ${target}`, async () => {
      const res = await rawRequest(p.url, `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      assert.ok(res.status === 400 || res.status === 404, `status ${res.status} for ${target}`);
      assert.doesNotMatch(res.body, /root:/, 'leaked /etc/passwd');
      assert.doesNotMatch(res.body, /\[core\]/, 'leaked .git/config');
      assert.doesNotMatch(res.body, /"name": "playwright-core"/, 'leaked a package that is not allow-listed');
      assert.ok(!res.body.includes(rootPkg.slice(0, 60)), 'leaked the repo\'s package.json');
      assert.ok(!res.body.includes('cmake_minimum_required'), 'leaked CMakeLists.txt');
      if (res.body) assert.ok(res.json?.error?.code, `error is not JSON: ${res.body.slice(0, 200)}`);
    });
  }

  test('the server keeps serving after the attempts', async () => {
    assert.equal((await api(p.url, 'GET', '/api/v1/ping')).status, 200);
  });
});

describe('symlinks inside the www directory', () => {
  let tmp, outside, q;
  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-www-'));
    outside = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-outside-'));
    fs.writeFileSync(path.join(outside, 'secret.txt'), 'TOP-SECRET outside www\n');
    fs.writeFileSync(path.join(outside, 'index.html'), '<p>TOP-SECRET outside index</p>\n');
    fs.mkdirSync(path.join(tmp, 'app'));
    fs.mkdirSync(path.join(tmp, 'shared'));
    fs.writeFileSync(path.join(tmp, 'app', 'index.html'), '<!doctype html><title>test app</title>\n');
    fs.writeFileSync(path.join(tmp, 'shared', 'ok.css'), 'body{}\n');
    fs.symlinkSync('/etc/passwd', path.join(tmp, 'shared', 'passwd.txt'));
    fs.symlinkSync('/etc/passwd', path.join(tmp, 'passwd.css'));
    fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(tmp, 'app', 'secret.txt'));
    fs.symlinkSync('../../' + path.basename(outside) + '/secret.txt', path.join(tmp, 'shared', 'rel.txt'));
    fs.symlinkSync(outside, path.join(tmp, 'linked')); // a directory link out of www
    fs.symlinkSync('/etc', path.join(tmp, 'shared', 'etc'));
    fs.symlinkSync(path.join(tmp, 'shared', 'ok.css'), path.join(tmp, 'shared', 'inside.css')); // stays inside
    fs.symlinkSync('/dev/zero', path.join(tmp, 'shared', 'zero.bin'));
    q = await startPortal({ env: { PORTAL_WWW_DIR: tmp } });
  });
  after(async () => {
    await q?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.rmSync(outside, { recursive: true, force: true });
  });

  test('the temporary www serves its own files (control)', async () => {
    const res = await api(q.url, 'GET', '/app/');
    assert.equal(res.status, 200);
    assert.match(res.text, /test app/);
    const inside = await api(q.url, 'GET', '/shared/inside.css');
    assert.equal(inside.status, 200, 'a symlink that stays inside www/ may be served');
    assert.equal(inside.text, 'body{}\n');
  });

  for (const target of ['/shared/passwd.txt', '/passwd.css', '/app/secret.txt', '/shared/rel.txt',
    '/linked/secret.txt', '/linked/index.html', '/linked/', '/shared/etc/passwd', '/shared/etc/hostname',
    '/shared/zero.bin']) {
    test(`${target} (a link out of www/) is 404`, async () => {
      const res = await rawRequest(q.url, `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      assert.equal(res.status, 404, `status ${res.status}: ${res.body.slice(0, 100)}`);
      assert.doesNotMatch(res.body, /root:|TOP-SECRET/);
    });
  }

  test('a client route under a linked-out directory serves only the app index', async () => {
    fs.symlinkSync(outside, path.join(tmp, 'app', 'out'));
    const res = await api(q.url, 'GET', '/app/out/index');
    assert.doesNotMatch(res.text, /TOP-SECRET|root:/);
    if (res.status === 200) assert.match(res.text, /test app/);
    else assert.equal(res.status, 404);
  });
});
