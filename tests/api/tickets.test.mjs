// Support tickets: the cabinet opens and replies, employees work the queue (filters,
// assign with compare-and-set, status workflow, public replies and internal notes), SLA
// fields and the overdue flag, rating, attachments, mail/notifications/outbox/timeline,
// and the bad inputs of the issue (internal flag from the cabinet, attachment over the
// limit, reply to a closed ticket, two concurrent assigns).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startPortal } from '../lib/portal.mjs';
import { loginAs, PERSONAS, show, mailsTo } from '../lib/identity.mjs';

let p, carol, dmitry, vera, boris, anna;
const ids = {};

const one = (q) => p.sql(q)[0]?.[0];

async function upload(c, name, text) {
  const up = await c.req('POST', `/api/v1/files?name=${name}`, { raw: text, headers: { 'Content-Type': 'text/plain' } });
  assert.equal(up.status, 201, show(up));
  return up.body.id;
}

before(async () => {
  p = await startPortal({ demo: true, env: { PORTAL_MAX_UPLOAD: '4096' } });
  [carol, dmitry, vera, boris, anna] = await Promise.all([
    loginAs(p.url, PERSONAS.customer), loginAs(p.url, PERSONAS.customer2),
    loginAs(p.url, PERSONAS.member), loginAs(p.url, PERSONAS.manager), loginAs(p.url, PERSONAS.admin)]);
  ids.vera = vera.user.id;
  ids.boris = boris.user.id;
  ids.romashka = Number(one("SELECT id FROM accounts WHERE name = 'Romashka LLC'"));
  ids.vasilek = Number(one("SELECT id FROM accounts WHERE name = 'Vasilek JSC'"));
});
after(async () => { await p?.stop(); });

describe('demo data', () => {
  test('both demo customers have tickets in every state', () => {
    for (const account of [ids.romashka, ids.vasilek]) {
      const states = p.sql(`SELECT DISTINCT status FROM tickets WHERE account_id = ${account}`).map((r) => r[0]).sort();
      assert.deepEqual(states, ['closed', 'new', 'open', 'resolved', 'waiting']);
    }
  });
});

describe('cabinet: open, read, reply', () => {
  test('a customer opens a ticket with an attachment; the description is public', async () => {
    const file = await upload(carol, 'screenshot.txt', 'error 500 on invoice');
    const res = await carol.post('/api/v1/cabinet/tickets', { subject: 'Invoice broken', body: 'It **fails**', priority: 'high', file_ids: [file] });
    assert.equal(res.status, 201, show(res));
    assert.equal(res.body.status, 'new');
    assert.equal(res.body.account.id, ids.romashka);
    assert.equal(res.body.messages.length, 1);
    assert.match(res.body.messages[0].body_html, /<strong>fails<\/strong>/);
    assert.equal(res.body.messages[0].files[0].id, file);
    assert.equal(res.body.sla, undefined, 'customers do not see the SLA clock');
    assert.equal(res.body.messages[0].internal, undefined);
    ids.t1 = res.body.id;
    ids.file1 = file;
    assert.equal((await carol.get(`/api/v1/files/${file}`)).status, 200);
    assert.equal((await dmitry.get(`/api/v1/files/${file}`)).status, 404);
    assert.equal(one(`SELECT COUNT(*) FROM account_timeline WHERE account_id = ${ids.romashka} AND kind = 'ticket.opened' AND ref_id = ${ids.t1}`), '1');
    assert.equal(one(`SELECT COUNT(*) FROM event WHERE type = 'ticket.created' AND audience = 'employees' AND JSON_VALUE(payload, '$.ticket_id') = ${ids.t1}`), '1');
    assert.equal(one(`SELECT COUNT(*) FROM audit WHERE action = 'ticket.create' AND object_id = ${ids.t1}`), '1');
  });

  test('the internal flag from the cabinet is refused and nothing is stored', async () => {
    const before = one('SELECT COUNT(*) FROM ticket_messages');
    const r1 = await carol.post(`/api/v1/cabinet/tickets/${ids.t1}/messages`, { body: 'secret?', internal: true });
    assert.equal(r1.status, 400, show(r1));
    assert.equal(r1.body.error.field, 'internal');
    const r2 = await carol.post('/api/v1/cabinet/tickets', { subject: 's', body: 'b', internal: 1 });
    assert.equal(r2.status, 400, show(r2));
    assert.equal(one('SELECT COUNT(*) FROM ticket_messages'), before);
    assert.equal(one('SELECT COUNT(*) FROM ticket_messages m JOIN users u ON u.id = m.author_id WHERE m.internal = 1 AND u.realm <> \'employee\''), '0');
  });

  test('bad input: missing subject, wrong types, bad priority, foreign file', async () => {
    for (const [body, field] of [[{ body: 'x' }, 'subject'], [{ subject: 'x', body: 5 }, 'body'],
      [{ subject: 'x', body: 'y', priority: 'asap' }, 'priority'], [{ subject: 'x', body: 'y', file_ids: 'a' }, 'file_ids']]) {
      const r = await carol.post('/api/v1/cabinet/tickets', body);
      assert.equal(r.status, 400, show(r));
      assert.equal(r.body.error.field, field);
    }
    const other = await upload(dmitry, 'theirs.txt', 'x');
    const r = await carol.post('/api/v1/cabinet/tickets', { subject: 'x', body: 'y', file_ids: [other] });
    assert.equal(r.status, 400, show(r));
    assert.equal(one(`SELECT owner_kind IS NULL FROM files WHERE id = ${other}`), '1', 'the foreign file stays unattached');
    const bad = await carol.req('POST', '/api/v1/cabinet/tickets', { raw: '{"subject":', headers: { 'Content-Type': 'application/json' } });
    assert.equal(bad.status, 400);
  });

  test('an attachment over the upload limit answers 413', async () => {
    const r = await carol.req('POST', '/api/v1/files?name=big.bin', { raw: Buffer.alloc(5000, 1), headers: { 'Content-Type': 'application/octet-stream' } });
    assert.equal(r.status, 413, show(r));
  });

  test('the queue shows it, with filters', async () => {
    const all = await vera.get('/api/v1/tickets?limit=200');
    assert.equal(all.status, 200, show(all));
    const t = all.body.items.find((x) => x.id === ids.t1);
    assert.ok(t && t.sla.first_response_due && t.overdue === false);
    const byAccount = await vera.get(`/api/v1/tickets?account_id=${ids.vasilek}`);
    assert.ok(byAccount.body.items.length > 0 && byAccount.body.items.every((x) => x.account.id === ids.vasilek));
    const open = await vera.get('/api/v1/tickets?status=open&priority=urgent');
    assert.ok(open.body.items.every((x) => x.status === 'open' && x.priority === 'urgent'));
    const none = await vera.get('/api/v1/tickets?assignee=none');
    assert.ok(none.body.items.some((x) => x.id === ids.t1) && none.body.items.every((x) => x.assignee === null));
    const mine = await vera.get('/api/v1/tickets?assignee=me');
    assert.ok(mine.body.items.length > 0 && mine.body.items.every((x) => x.assignee.id === ids.vera));
    const overdue = await vera.get('/api/v1/tickets?overdue=1');
    assert.ok(overdue.body.items.length > 0, 'the demo has overdue tickets');
    assert.ok(overdue.body.items.every((x) => x.overdue === true));
    const page = await vera.get('/api/v1/tickets?limit=2');
    assert.equal(page.body.items.length, 2);
    const next = await vera.get(`/api/v1/tickets?limit=2&before=${page.body.next_before}`);
    assert.ok(next.body.items.every((x) => x.id < page.body.next_before));
    for (const q of ['status=bogus', 'priority=x', 'account_id=-1', 'assignee=abc', 'limit=0']) {
      assert.equal((await vera.get(`/api/v1/tickets?${q}`)).status, 400, q);
    }
  });
});

describe('employees: reply, note, assign, status', () => {
  test('a public reply is the first response; a note stays internal', async () => {
    const noteFile = await upload(vera, 'internal.txt', 'internal analysis');
    const note = await vera.post(`/api/v1/tickets/${ids.t1}/messages`, { body: 'Looks like bug 42', internal: true, file_ids: [noteFile] });
    assert.equal(note.status, 201, show(note));
    assert.equal(note.body.status, 'new', 'a note is not a response');
    assert.equal(note.body.sla.first_response_at, null);
    const reply = await vera.post(`/api/v1/tickets/${ids.t1}/messages`, { body: 'We are on it' });
    assert.equal(reply.status, 201, show(reply));
    assert.equal(reply.body.status, 'open');
    assert.ok(reply.body.sla.first_response_at);
    assert.equal(reply.body.messages.length, 3);
    assert.deepEqual(reply.body.messages.map((m) => m.internal), [false, true, false]);

    const seen = await carol.get(`/api/v1/cabinet/tickets/${ids.t1}`);
    assert.equal(seen.status, 200);
    assert.equal(seen.body.messages.length, 2, 'the customer does not see the note');
    assert.ok(!seen.text.includes('bug 42') && !seen.text.includes('internal.txt'));
    assert.equal((await carol.get(`/api/v1/files/${noteFile}`)).status, 404, 'a note\'s file is not the customer\'s');
    assert.equal((await boris.get(`/api/v1/files/${noteFile}`)).status, 200);
    // the customer was told of the reply, not of the note
    assert.ok(mailsTo(p.dataDir, PERSONAS.customer).some((m) => m.subject.includes(`#${ids.t1}`) && m.body.includes('We are on it')));
    assert.ok(!mailsTo(p.dataDir, PERSONAS.customer).some((m) => m.body.includes('bug 42')));
    const carolId = carol.user.id;
    assert.equal(one(`SELECT COUNT(*) FROM notifications WHERE user_id = ${carolId} AND object_type = 'ticket' AND object_id = ${ids.t1}`), '1');
    assert.equal(one(`SELECT COUNT(*) FROM event WHERE audience = 'account:${ids.romashka}' AND type = 'ticket.message' AND JSON_VALUE(payload, '$.ticket_id') = ${ids.t1}`), '1',
      'one public message event for the account: the note has none');
    assert.equal(one(`SELECT COUNT(*) FROM event WHERE audience = 'employees' AND type = 'ticket.message' AND JSON_VALUE(payload, '$.ticket_id') = ${ids.t1}`), '2');
  });

  test('two concurrent assigns of the same version: one wins, one gets 409', async () => {
    const t = await vera.get(`/api/v1/tickets/${ids.t1}`);
    const version = t.body.version;
    const [a, b] = await Promise.all([
      vera.post(`/api/v1/tickets/${ids.t1}/assign`, { assignee_id: ids.vera, version }),
      boris.post(`/api/v1/tickets/${ids.t1}/assign`, { assignee_id: ids.boris, version }),
    ]);
    const statuses = [a.status, b.status].sort();
    assert.deepEqual(statuses, [200, 409], `${show(a)}\n${show(b)}`);
    const loser = a.status === 409 ? a : b;
    assert.equal(loser.body.error.code, 'conflict');
    assert.equal(loser.body.current.version, version + 1);
    const winner = a.status === 200 ? ids.vera : ids.boris;
    assert.equal(one(`SELECT assignee_id FROM tickets WHERE id = ${ids.t1}`), String(winner));
    assert.equal(one(`SELECT COUNT(*) FROM audit WHERE action = 'ticket.assign' AND object_id = ${ids.t1}`), '1');
    // assign back to vera with the current version; bad assignee refused
    const cur = (await vera.get(`/api/v1/tickets/${ids.t1}`)).body.version;
    const cust = await vera.post(`/api/v1/tickets/${ids.t1}/assign`, { assignee_id: carol.user.id, version: cur });
    assert.equal(cust.status, 400, 'a customer cannot be the assignee');
    const ok = await vera.post(`/api/v1/tickets/${ids.t1}/assign`, { assignee_id: ids.vera, version: cur });
    assert.equal(ok.status, 200, show(ok));
    assert.equal(ok.body.assignee.id, ids.vera);
    assert.equal((await vera.post('/api/v1/tickets/999999/assign', { assignee_id: null, version: 1 })).status, 404);
  });

  test('status workflow: stale version 409, invalid transition 409, resolve notifies the customer', async () => {
    let t = (await vera.get(`/api/v1/tickets/${ids.t1}`)).body;
    const stale = await vera.post(`/api/v1/tickets/${ids.t1}/status`, { status: 'waiting', version: t.version - 1 });
    assert.equal(stale.status, 409);
    assert.equal(stale.body.error.code, 'conflict');
    const back = await vera.post(`/api/v1/tickets/${ids.t1}/status`, { status: 'new', version: t.version });
    assert.equal(back.status, 409);
    assert.equal(back.body.error.code, 'ticket_transition');
    assert.equal((await vera.post(`/api/v1/tickets/${ids.t1}/status`, { status: 'done', version: t.version })).status, 400);
    const res = await vera.post(`/api/v1/tickets/${ids.t1}/status`, { status: 'resolved', version: t.version });
    assert.equal(res.status, 200, show(res));
    assert.equal(res.body.status, 'resolved');
    assert.ok(res.body.sla.resolved_at);
    assert.equal(res.body.sla.sla_due, null);
    assert.ok(mailsTo(p.dataDir, PERSONAS.customer).some((m) => m.body.includes('resolved')));
    assert.equal(one(`SELECT COUNT(*) FROM event WHERE audience = 'account:${ids.romashka}' AND type = 'ticket.status' AND JSON_VALUE(payload, '$.ticket_id') = ${ids.t1}`), '1');
    t = res.body;
  });

  test('the customer rates, then a reply reopens the resolved ticket', async () => {
    const bad = await carol.post(`/api/v1/cabinet/tickets/${ids.t1}/rating`, { rating: 6 });
    assert.equal(bad.status, 400);
    const rate = await carol.post(`/api/v1/cabinet/tickets/${ids.t1}/rating`, { rating: 4, comment: 'Fast' });
    assert.equal(rate.status, 200, show(rate));
    assert.equal(rate.body.rating, 4);
    assert.equal(rate.body.rating_comment, 'Fast');
    const reply = await carol.post(`/api/v1/cabinet/tickets/${ids.t1}/messages`, { body: 'Still broken, sorry' });
    assert.equal(reply.status, 201, show(reply));
    assert.equal(reply.body.status, 'open', 'a customer reply reopens a resolved ticket');
    const emp = (await vera.get(`/api/v1/tickets/${ids.t1}`)).body;
    assert.equal(emp.sla.resolved_at, null);
    assert.ok(emp.sla.sla_due);
    assert.ok(mailsTo(p.dataDir, PERSONAS.member).some((m) => m.body.includes('Still broken')), 'the assignee hears of the reply');
    assert.equal(one(`SELECT COUNT(*) FROM account_timeline WHERE kind = 'ticket.reopened' AND ref_id = ${ids.t1}`), '1');
    const norate = await carol.post(`/api/v1/cabinet/tickets/${ids.t1}/rating`, { rating: 5 });
    assert.equal(norate.status, 409, 'an open ticket cannot be rated');
  });

  test('a reply to a closed ticket gets a clear error; nothing is stored', async () => {
    const t = (await vera.get(`/api/v1/tickets/${ids.t1}`)).body;
    const close = await vera.post(`/api/v1/tickets/${ids.t1}/status`, { status: 'closed', version: t.version });
    assert.equal(close.status, 200, show(close));
    const before = one('SELECT COUNT(*) FROM ticket_messages');
    const r = await carol.post(`/api/v1/cabinet/tickets/${ids.t1}/messages`, { body: 'hello?' });
    assert.equal(r.status, 409);
    assert.equal(r.body.error.code, 'ticket_closed');
    assert.match(r.body.error.message, /closed/);
    assert.equal(r.body.current.sla, undefined);
    const e = await vera.post(`/api/v1/tickets/${ids.t1}/messages`, { body: 'public' });
    assert.equal(e.status, 409);
    assert.equal(one('SELECT COUNT(*) FROM ticket_messages'), before);
    const note = await vera.post(`/api/v1/tickets/${ids.t1}/messages`, { body: 'note after close', internal: true });
    assert.equal(note.status, 201, 'notes are still possible');
    const reopen = await vera.post(`/api/v1/tickets/${ids.t1}/status`, { status: 'open', version: note.body.version });
    assert.equal(reopen.status, 409, 'closed is final');
  });

  test('PATCH changes subject and priority with a version; a new priority moves the targets not yet met', async () => {
    const created = await carol.post('/api/v1/cabinet/tickets', { subject: 'Slow website', body: 'It is slow', priority: 'low' });
    assert.equal(created.status, 201, show(created));
    const id = created.body.id;
    const t = (await vera.get(`/api/v1/tickets/${id}`)).body;
    const stale = await vera.patch(`/api/v1/tickets/${id}`, { priority: 'urgent', version: t.version + 5 });
    assert.equal(stale.status, 409);
    assert.equal((await vera.patch(`/api/v1/tickets/${id}`, { priority: 'asap', version: t.version })).status, 400);
    const res = await vera.patch(`/api/v1/tickets/${id}`, { priority: 'urgent', subject: 'Website is down', version: t.version });
    assert.equal(res.status, 200, show(res));
    assert.equal(res.body.priority, 'urgent');
    assert.equal(res.body.subject, 'Website is down');
    assert.ok(res.body.sla.first_response_due < t.sla.first_response_due, 'urgent is due sooner than low');
    assert.ok(res.body.sla.resolution_due < t.sla.resolution_due);
    assert.equal(res.body.sla.sla_due, res.body.sla.first_response_due);
    assert.equal(one(`SELECT COUNT(*) FROM audit WHERE action = 'ticket.update' AND object_id = ${id}`), '1');
    const seen = await carol.get(`/api/v1/cabinet/tickets/${id}`);
    assert.equal(seen.body.subject, 'Website is down');
    assert.equal((await carol.req('PATCH', `/api/v1/tickets/${id}`, { body: { priority: 'low', version: res.body.version } })).status, 403);
  });

  test('people to pick: agents, and the requesters of an account', async () => {
    const r = await vera.get(`/api/v1/tickets/people?account_id=${ids.vasilek}`);
    assert.equal(r.status, 200, show(r));
    assert.ok(r.body.agents.some((a) => a.id === ids.vera));
    assert.deepEqual(r.body.requesters.map((u) => u.id), [dmitry.user.id]);
    assert.deepEqual((await vera.get('/api/v1/tickets/people')).body.requesters, []);
    assert.equal((await vera.get('/api/v1/tickets/people?account_id=x')).status, 400);
  });

  test('an employee opens a ticket for a customer; the requester must belong to the account', async () => {
    const wrong = await boris.post('/api/v1/tickets', { account_id: ids.vasilek, requester_id: carol.user.id, subject: 'x', body: 'y' });
    assert.equal(wrong.status, 400);
    assert.equal(wrong.body.error.field, 'requester_id');
    const res = await boris.post('/api/v1/tickets', { account_id: ids.vasilek, requester_id: dmitry.user.id, subject: 'Called about delivery', body: 'Customer phoned.', priority: 'urgent', assignee_id: ids.vera });
    assert.equal(res.status, 201, show(res));
    assert.equal(res.body.requester.id, dmitry.user.id);
    assert.equal(res.body.assignee.id, ids.vera);
    assert.equal(res.body.priority, 'urgent');
    const seen = await dmitry.get(`/api/v1/cabinet/tickets/${res.body.id}`);
    assert.equal(seen.status, 200);
    assert.equal((await carol.get(`/api/v1/cabinet/tickets/${res.body.id}`)).status, 404);
    const list = await dmitry.get('/api/v1/cabinet/tickets');
    assert.ok(list.body.items.every((x) => x.account.id === ids.vasilek));
    assert.ok(list.body.items.some((x) => x.id === res.body.id));
  });
});
