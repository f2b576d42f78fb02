// Boards, due-date reminders: a scheduler job (PORTAL_SCHEDULER_INTERVAL=1 here) turns due
// dates into notifications: "due soon" the day before (or on the day, for a card given a
// due date that late) and "overdue" after it, once per due date, to the assignees (to the
// creator when nobody is assigned), for open cards only (not archived, not in a "done" or
// archived column). Dates are UTC. Demo people: boris (manager), vera (member).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPortal, sleep } from '../lib/portal.mjs';
import { loginAs, show } from '../lib/identity.mjs';
import { newProject, newCard, getBoard } from '../lib/boards.mjs';

let p;
let boris; let vera;
before(async () => {
  p = await startPortal({ demo: true, env: { PORTAL_SCHEDULER_INTERVAL: '1' } });
  [boris, vera] = await Promise.all([
    loginAs(p.url, 'boris@demo.example'), loginAs(p.url, 'vera@demo.example'),
  ]);
});
after(async () => { await p?.stop(); });

const day = (offset) => new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10);

/** Reminders about the given cards: "user kind card" strings, sorted. */
function reminders(cardIds) {
  return p.sql(`SELECT CONCAT(user_id, ' ', kind, ' ', object_id) FROM notifications
    WHERE object_type = 'card' AND kind IN ('card_due_soon', 'card_overdue')
    AND object_id IN (${cardIds.join(',')}) ORDER BY 1`).map(([x]) => x);
}

async function waitFor(cardIds, expected, ms = 15000) {
  const want = [...expected].sort();
  const deadline = Date.now() + ms;
  let got;
  for (;;) {
    got = reminders(cardIds);
    if (JSON.stringify(got) === JSON.stringify(want)) return got;
    if (Date.now() > deadline) assert.deepEqual(got, want, `reminders after ${ms} ms\n${p.logs().slice(-1500)}`);
    await sleep(200);
  }
}

test('due soon and overdue reminders reach the assignees once, for open cards only', async () => {
  const project = await newProject(vera, { members: [boris.user.id] });
  const b = project.boards[0].id;
  const done = (await getBoard(vera, b)).columns[2].id;
  const V = vera.user.id; const B = boris.user.id;
  const c = {
    tomorrow: await newCard(vera, b, { title: 'due tomorrow', due_date: day(1), assignees: [B] }),
    today: await newCard(vera, b, { title: 'due today', due_date: day(0), assignees: [V] }),
    late: await newCard(vera, b, { title: 'late', due_date: day(-1), assignees: [V, B] }),
    nobody: await newCard(vera, b, { title: 'late, nobody on it', due_date: day(-3) }),
    later: await newCard(vera, b, { title: 'next week', due_date: day(7), assignees: [B] }),
    finished: await newCard(vera, b, { title: 'finished late', due_date: day(-1), assignees: [B], column_id: done }),
    shelved: await newCard(vera, b, { title: 'shelved', due_date: day(-1), assignees: [B] }),
    undated: await newCard(vera, b, { title: 'no date', assignees: [B] }),
  };
  const res = await vera.patch(`/api/v1/cards/${c.shelved.id}`, { archived: true, version: 1 });
  assert.equal(res.status, 200, show(res));
  const ids = Object.values(c).map((x) => x.id);
  const expected = [
    `${B} card_due_soon ${c.tomorrow.id}`,
    `${V} card_due_soon ${c.today.id}`,
    `${V} card_overdue ${c.late.id}`, `${B} card_overdue ${c.late.id}`,
    `${V} card_overdue ${c.nobody.id}`, // the creator, as nobody is assigned
  ];
  await waitFor(ids, expected);
  // More ticks send nothing twice.
  await sleep(2500);
  assert.deepEqual(reminders(ids), [...expected].sort());

  // What the people see.
  const seen = (await boris.get('/api/v1/notifications?limit=100')).body.items.filter((n) => ids.includes(n.object_id));
  const soon = seen.find((n) => n.object_id === c.tomorrow.id);
  assert.equal(soon.kind, 'card_due_soon');
  assert.equal(soon.object_type, 'card');
  assert.equal(soon.actor, null, 'the system sent it');
  assert.equal(soon.summary, 'Due tomorrow: due tomorrow');
  assert.equal(seen.find((n) => n.object_id === c.late.id).summary, `Overdue since ${day(-1)}: late`);
  const veraSees = (await vera.get('/api/v1/notifications?limit=100')).body.items;
  assert.equal(veraSees.find((n) => n.object_id === c.today.id).summary, 'Due today: due today');
  // Each went to the outbox for its user, for the live bell.
  assert.equal(p.sql(`SELECT COUNT(*) FROM event WHERE type = 'notification' AND audience = 'user:${B}'
    AND JSON_VALUE(payload, '$.object_id') = ${c.late.id} AND JSON_VALUE(payload, '$.kind') = 'card_overdue'`)[0][0], '1');

  // A new due date is reminded of again; time passing turns "due soon" into "overdue".
  const late = (await vera.get(`/api/v1/cards/${c.late.id}`)).body;
  assert.equal((await vera.patch(`/api/v1/cards/${c.late.id}`, { due_date: day(-2), version: late.version })).status, 200);
  p.sql(`UPDATE cards SET due_date = '${day(-1)}' WHERE id = ${c.tomorrow.id}`); // a day and a half later
  const done2 = (await vera.get(`/api/v1/cards/${c.later.id}`)).body;
  await vera.post(`/api/v1/cards/${c.later.id}/move`, { column_id: done, version: done2.version });
  await waitFor(ids, [...expected, `${V} card_overdue ${c.late.id}`, `${B} card_overdue ${c.late.id}`,
    `${B} card_overdue ${c.tomorrow.id}`]);
  const runs = p.sql("SELECT last_status FROM job_lease WHERE name = 'boards.due_reminders'");
  assert.deepEqual(runs, [['ok']]);
  assert.ok(Number(p.sql("SELECT COUNT(*) FROM audit WHERE action = 'card.reminders' AND actor_realm = 'system'")[0][0]) >= 2);
});
