// Feed group audiences through the gateway: the tailer reads no feed table, it asks the
// function the feed registers (audience_register in feed_init) who is in "group:N".
// An event for a group reaches its members and the admins, nobody else.
// Demo people: anna (admin), boris (manager), vera (member); carol (customer).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPortal, sleep } from '../lib/portal.mjs';
import { loginAs } from '../lib/identity.mjs';
import { connect, insertEvents } from '../lib/realtime.mjs';

let p;
let anna; let boris; let vera; let carol;
before(async () => {
  p = await startPortal({ demo: true, env: { PORTAL_SCHEDULER_INTERVAL: '3600' } });
  [anna, boris, vera, carol] = await Promise.all([
    loginAs(p.url, 'anna@demo.example'), loginAs(p.url, 'boris@demo.example'),
    loginAs(p.url, 'vera@demo.example'), loginAs(p.url, 'carol@client.example'),
  ]);
});
after(async () => { await p?.stop(); });

const one = (q) => p.sql(q)[0]?.[0];

test('a feed group\'s events reach its members and the admins, not others', async () => {
  // boris creates a group with vera only: anna (admin) and vera see its events,
  // boris (not a member, not an admin) and carol (a customer) do not.
  const name = `RT group ${Date.now()}`;
  const g = await boris.post('/api/v1/groups', { name, members: [vera.user.id] });
  assert.ok(g.status < 300, g.text);
  const gid = Number(one(`SELECT id FROM \`groups\` WHERE name = '${name}'`));
  const members = p.sql(`SELECT user_id FROM group_members WHERE group_id = ${gid}`).map(([x]) => Number(x));
  assert.deepEqual(members, [vera.user.id]);
  const socks = Object.fromEntries(await Promise.all(
    [['anna', anna], ['boris', boris], ['vera', vera], ['carol', carol]].map(async ([n, c]) => [n, await connect(p, c)])));
  try {
    const [ev] = insertEvents(p, 1, { type: 'test.group', audience: `group:${gid}` });
    const [last] = insertEvents(p, 1, { type: 'test.last', audience: 'employees' });
    await Promise.all(['anna', 'boris', 'vera'].map((n) => socks[n].waitFor((f) => f?.id === last)));
    await sleep(200);
    const got = (n) => socks[n].events.some((e) => e.id === ev);
    assert.equal(got('anna'), true, 'the admin');
    assert.equal(got('vera'), true, 'the member');
    assert.equal(got('boris'), false, 'not a member');
    assert.equal(got('carol'), false, 'a customer');
  } finally {
    await Promise.all(Object.values(socks).map((s) => s.close()));
  }
});
