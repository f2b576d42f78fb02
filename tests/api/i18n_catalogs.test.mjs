// Message catalogs: English and Russian have the same keys in every part, every part
// named in www/shared/i18n.js exists, and every t('literal') in www/ has an English text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { sourceDir } from '../lib/portal.mjs';

const www = path.join(sourceDir, 'www');
const dir = path.join(www, 'shared', 'i18n');
const readJson = (f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));

function parts() {
  const src = fs.readFileSync(path.join(www, 'shared', 'i18n.js'), 'utf8');
  const m = src.match(/export const PARTS = \[([^\]]*)\]/);
  assert.ok(m, 'i18n.js declares PARTS');
  return [...m[1].matchAll(/'([a-z0-9-]+)'/g)].map((x) => x[1]);
}

function catalog(lang) {
  const all = {};
  for (const f of [`${lang}.json`, ...parts().map((p) => `${p}.${lang}.json`)]) {
    assert.ok(fs.existsSync(path.join(dir, f)), `${f} exists`);
    for (const [k, v] of Object.entries(readJson(f))) {
      assert.ok(!(k in all), `${k} is defined twice (again in ${f})`);
      assert.equal(typeof v, 'string', `${f}: ${k} is a string`);
      all[k] = v;
    }
  }
  return all;
}

test('every part is listed and exists in both languages', () => {
  const listed = new Set(parts());
  for (const f of fs.readdirSync(dir)) {
    const m = f.match(/^([a-z0-9-]+)\.(en|ru)\.json$/);
    if (m) assert.ok(listed.has(m[1]), `${f} is not listed in PARTS of i18n.js`);
  }
});

// Plural forms (key.one, key.few, key.other ...) follow each language's rules: compare
// the base keys.
const PLURAL = /\.(zero|one|two|few|many|other)$/;
const bases = (c) => new Set(Object.keys(c).map((k) => k.replace(PLURAL, '')));

test('English and Russian have the same keys', () => {
  const en = catalog('en');
  const ru = catalog('ru');
  const enBases = bases(en);
  const ruBases = bases(ru);
  const missingRu = [...enBases].filter((k) => !ruBases.has(k));
  const missingEn = [...ruBases].filter((k) => !enBases.has(k));
  assert.deepEqual(missingRu, [], 'keys without a Russian text');
  assert.deepEqual(missingEn, [], 'keys without an English text');
  for (const [k, v] of Object.entries(en)) {
    if (!(k in ru)) continue; // a plural form the other language does not use
    const want = [...v.matchAll(/\{(\w+)\}/g)].map((x) => x[1]).sort();
    const got = [...ru[k].matchAll(/\{(\w+)\}/g)].map((x) => x[1]).sort();
    assert.deepEqual(got, want, `${k}: the placeholders differ`);
  }
});

test("every t('literal') used in www/ has a text", () => {
  const en = catalog('en');
  const missing = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.js')) {
        const src = fs.readFileSync(p, 'utf8');
        for (const m of src.matchAll(/\bt\('([a-zA-Z0-9_.-]+)'/g))
          if (!(m[1] in en) && !(`${m[1]}.other` in en)) missing.push(`${path.relative(www, p)}: ${m[1]}`);
      }
    }
  };
  walk(www);
  assert.deepEqual(missing, []);
});
