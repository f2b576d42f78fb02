// tests/lib/realtime.mjs - a websocket client for the realtime gateway (the `ws` npm
// package): ticket, connect, collect frames, wait for what a test expects.
import WebSocket from 'ws';
import { spawn } from 'node:child_process';
import { testSocket } from './portal.mjs';

export async function ticketFor(client) {
  const res = await client.post('/api/v1/realtime/ticket');
  if (res.status !== 201) throw new Error(`ticket: ${res.status} ${res.text}`);
  return res.body.ticket;
}

/**
 * Opens a socket and collects every frame. Resolves once open (or refused: then
 * .refused is set). opts: ticket, origin (default the portal's), after, wsOptions.
 */
export function openSocket(portal, { ticket, origin = portal.url, after, query = '', wsOptions = {} } = {}) {
  let url = `${portal.wsUrl}/realtime?ticket=${encodeURIComponent(ticket ?? '')}`;
  if (after !== undefined) url += `&after=${after}`;
  url += query;
  const ws = new WebSocket(url, { origin, ...wsOptions });
  const sock = {
    ws,
    frames: [],
    events: [],
    closed: null,
    refused: null,
    waiters: [],
    send(obj) { ws.send(typeof obj === 'string' ? obj : JSON.stringify(obj)); },
    close() { ws.close(); return this.closedPromise; },
    /** Resolves with the first frame matching pred (looking at old ones too). */
    waitFor(pred, timeout = 5000, what = 'a frame') {
      const found = this.frames.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const w = { pred, resolve };
        this.waiters.push(w);
        setTimeout(() => {
          this.waiters = this.waiters.filter((x) => x !== w);
          reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.frames).slice(-1500)}`));
        }, timeout);
      });
    },
    /** Resolves once n events (type "event") arrived. */
    waitEvents(n, timeout = 10000) {
      return this.waitFor(() => this.events.length >= n, timeout, `${n} events (have ${this.events.length})`)
        .then(() => this.events);
    },
  };
  sock.closedPromise = new Promise((resolve) => {
    ws.on('close', (code, reason) => { sock.closed = { code, reason: reason.toString() }; resolve(sock.closed); });
  });
  ws.on('message', (data, isBinary) => {
    const f = JSON.parse(data.toString());
    sock.frames.push(f);
    if (f.type === 'event') sock.events.push(f);
    for (const w of [...sock.waiters]) {
      if (w.pred(f) || w.pred()) {
        sock.waiters = sock.waiters.filter((x) => x !== w);
        w.resolve(f);
      }
    }
  });
  return new Promise((resolve) => {
    ws.on('open', () => resolve(sock));
    ws.on('unexpected-response', (req, res) => { sock.refused = `status ${res.statusCode}`; resolve(sock); });
    ws.on('error', (e) => { sock.refused ??= e.message; resolve(sock); });
  });
}

/** Logs in nothing: opens a socket for an already logged-in Client. */
export async function connect(portal, client, opts = {}) {
  const sock = await openSocket(portal, { ticket: await ticketFor(client), ...opts });
  if (sock.refused) throw new Error(`socket refused: ${sock.refused}`);
  await sock.waitFor((f) => f?.type === 'hello', 5000, 'hello');
  return sock;
}

/** Appends events straight to the outbox, as a module's transaction would. Returns ids. */
export function insertEvents(portal, n, { type = 'test.event', audience = 'employees', payload = (i) => ({ i }) } = {}) {
  const rows = [];
  for (let i = 0; i < n; i++) {
    rows.push(`('${type}', '${audience}', '${JSON.stringify(payload(i)).replace(/'/g, "''")}', UTC_TIMESTAMP(6))`);
  }
  const ids = [];
  // Batches of at most ~64 KB of SQL: the statement travels on the command line.
  for (let i = 0; i < rows.length;) {
    let size = 0; let j = i;
    while (j < rows.length && (j === i || size + rows[j].length < 65536)) size += rows[j++].length;
    const out = portal.sql(`INSERT INTO event (type, audience, payload, created_at) VALUES ${rows.slice(i, j).join(',')}; SELECT LAST_INSERT_ID(), ROW_COUNT()`);
    const first = Number(out[0][0]);
    for (let k = 0; k < Number(out[0][1]); k++) ids.push(first + k);
    i = j;
  }
  return ids;
}

/**
 * An interactive `mariadb` session on the test server (for transactions held open across
 * steps). q(sql) runs statements and resolves with the rows they print.
 */
export function sqlSession(db, socket = testSocket) {
  const child = spawn('mariadb', ['--no-defaults', `--socket=${socket}`, '--user=root', '-N', '-B', '-n', db],
    { stdio: ['pipe', 'pipe', 'pipe'] });
  let buf = '';
  let pending = null;
  let seq = 0;
  child.stdout.on('data', (d) => {
    buf += d;
    if (pending && buf.includes(pending.marker)) {
      const out = buf.slice(0, buf.indexOf(pending.marker));
      buf = buf.slice(buf.indexOf(pending.marker) + pending.marker.length + 1);
      const p = pending;
      pending = null;
      p.resolve(out.split('\n').filter((l) => l.length).map((l) => l.split('\t')));
    }
  });
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  return {
    q(sqlText) {
      const marker = `--done-${++seq}--`;
      return new Promise((resolve, reject) => {
        pending = { marker, resolve };
        child.stdin.write(`${sqlText};\nSELECT '${marker}';\n`);
        setTimeout(() => { if (pending?.marker === marker) reject(new Error(`sql timed out: ${sqlText} ${err}`)); }, 10000);
      });
    },
    end() { child.stdin.end(); return new Promise((r) => child.on('exit', r)); },
  };
}
