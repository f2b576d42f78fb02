// Access matrix: every route of `portal routes` is called as every persona (anonymous,
// member, manager, admin, customer, partner) and must answer as its rule says: a caller
// the rule leaves out gets 401 (no session) or 403 (a session of the wrong realm or a
// too low role); a caller it admits gets past the access check (anything but 401/403).
// The route list itself is compared with tests/api/access-matrix.expected, so a route
// added, removed or re-ruled without review fails the build.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { startPortal, api, portalBin } from '../lib/portal.mjs';
import { Client, PERSONAS, show } from '../lib/identity.mjs';

const EXPECTED_FILE = path.join(path.dirname(new URL(import.meta.url).pathname), 'access-matrix.expected');
const REALM_ORDER = ['anonymous', 'employee', 'customer', 'partner'];
const ROLE_RANK = { none: 0, member: 1, manager: 2, admin: 3 };
const PERSONA_LIST = [
  { name: 'anonymous', realm: 'anonymous' },
  { name: 'member', realm: 'employee', role: 'member', email: PERSONAS.member },
  { name: 'manager', realm: 'employee', role: 'manager', email: PERSONAS.manager },
  { name: 'admin', realm: 'employee', role: 'admin', email: PERSONAS.admin },
  { name: 'customer', realm: 'customer', email: PERSONAS.customer },
  { name: 'partner', realm: 'partner', email: PERSONAS.partner },
];

/** Runs `portal routes`; a non-zero exit (a route without a rule) fails with its stderr. */
function readRoutes(env) {
  let out;
  try {
    out = execFileSync(portalBin, ['routes'], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    assert.fail(`\`portal routes\` exited with ${e.status}: a route in portal/routes.c has no access rule\n${e.stderr ?? ''}`);
  }
  const routes = JSON.parse(out);
  assert.ok(Array.isArray(routes) && routes.length > 0, 'portal routes printed no routes');
  return routes;
}

const lineOf = (r) => [r.method, r.pattern,
  ...[...r.realms].sort((a, b) => REALM_ORDER.indexOf(a) - REALM_ORDER.indexOf(b)), r.min_role].join(' ');

function readExpected() {
  const map = new Map();
  for (const raw of readFileSync(EXPECTED_FILE, 'utf8').split('\n')) {
    const line = raw.trim().replace(/\s+/g, ' ');
    if (!line || line.startsWith('#')) continue;
    const [method, pattern] = line.split(' ');
    map.set(`${method} ${pattern}`, line);
  }
  return map;
}

function allowed(route, persona) {
  if (!route.realms.includes(persona.realm)) return false;
  if (persona.realm !== 'employee') return true;
  return ROLE_RANK[persona.role] >= ROLE_RANK[route.min_role];
}

let p;
let routes;
const clients = {};

async function sessionFor(persona) {
  if (persona.realm === 'anonymous') return null;
  let c = clients[persona.name];
  if (!c) {
    c = new Client(p.url);
    await c.login(persona.email);
    clients[persona.name] = c;
  }
  return c;
}

before(async () => {
  p = await startPortal({ demo: true });
  routes = readRoutes(p.env);
});
after(async () => { await p?.stop(); });

describe('route table', () => {
  test('`portal routes` exits 0: every route has an access rule', () => {
    // readRoutes() already failed the run if it did not; check its output is complete.
    for (const r of routes) {
      assert.equal(typeof r.method, 'string');
      assert.match(r.pattern, /^\//, `route pattern ${r.pattern}`);
      assert.ok(r.realms.length > 0, `${r.method} ${r.pattern} admits nobody`);
      for (const realm of r.realms) assert.ok(REALM_ORDER.includes(realm), `unknown realm ${realm}`);
      assert.ok(r.min_role in ROLE_RANK, `${r.method} ${r.pattern}: unknown min_role ${r.min_role}`);
      if (r.realms.includes('employee') && r.realms.length < 4) {
        assert.notEqual(r.min_role, 'none', `${r.method} ${r.pattern}: employee route without a minimum role`);
      }
    }
    const keys = routes.map((r) => `${r.method} ${r.pattern}`);
    assert.equal(new Set(keys).size, keys.length, `duplicate routes: ${keys.filter((k, i) => keys.indexOf(k) !== i)}`);
  });

  test('the route table matches tests/api/access-matrix.expected', () => {
    const expected = readExpected();
    const actual = new Map(routes.map((r) => [`${r.method} ${r.pattern}`, lineOf(r)]));
    const problems = [];
    for (const [k, line] of actual) {
      if (!expected.has(k)) problems.push(`  + ${line}    (new route: review its rule and add this line)`);
      else if (expected.get(k) !== line) problems.push(`  ~ ${line}    (rule changed; the file says: ${expected.get(k)})`);
    }
    for (const [k, line] of expected) {
      if (!actual.has(k)) problems.push(`  - ${line}    (route is gone: remove this line)`);
    }
    assert.ok(problems.length === 0,
      `portal/routes.c and tests/api/access-matrix.expected disagree:\n${problems.join('\n')}\n` +
      'Every route needs a reviewed access rule: update tests/api/access-matrix.expected with the change.');
  });
});

describe('every route x every persona', () => {
  // Built lazily: the route list is only known once the portal binary ran.
  test('each route answers every persona as its rule says', async (t) => {
    for (const route of routes) {
      await t.test(`${route.method} ${route.pattern}`, async () => {
        const target = route.pattern.replace(/\{[^}]+\}/g, '999999');
        const write = !['GET', 'HEAD'].includes(route.method);
        const problems = [];
        for (const persona of PERSONA_LIST) {
          const c = await sessionFor(persona);
          const opts = write ? { body: {} } : {};
          const res = c ? await c.req(route.method, target, opts) : await api(p.url, route.method, target, opts);
          const ok = allowed(route, persona);
          const err = res.body?.error;
          if (!ok && persona.realm === 'anonymous') {
            if (res.status !== 401 || err?.code !== 'unauthorized') problems.push(`${persona.name}: want 401 unauthorized, got ${show(res)}`);
          } else if (!ok) {
            if (res.status !== 403 || err?.code !== 'forbidden') problems.push(`${persona.name}: want 403 forbidden, got ${show(res)}`);
          } else if ([401, 403, 405].includes(res.status) || res.status >= 500) {
            problems.push(`${persona.name}: admitted by the rule, but got ${show(res)}`);
          }
          // A write may have ended the persona's own session (logout): log in again.
          if (c && write) {
            const me = await c.get('/api/v1/me');
            if (me.status === 401) await c.login(persona.email);
          }
        }
        assert.deepEqual(problems, [], `${route.method} ${route.pattern} (${route.realms.join(',')}/${route.min_role}):\n  ${problems.join('\n  ')}`);
      });
    }
  });
});
