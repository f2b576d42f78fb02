// tests/lib/identity.mjs - helpers for the identity API tests (auth_*, access_*,
// admin_*): logged-in clients that carry the session cookie and the CSRF token, the
// demo personas, the .eml files the portal writes, raw requests and the CLI.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { api, portalBin } from './portal.mjs';

export const DEMO_PASSWORD = 'demo-password-1';
export const PERSONAS = {
  admin: 'anna@demo.example',
  manager: 'boris@demo.example',
  member: 'vera@demo.example',
  customer: 'carol@client.example',
  customer2: 'dmitry@client2.example',
  partner: 'pavel@partner.example',
};

/** Every Set-Cookie line of a fetch response. */
export function setCookies(res) {
  return typeof res.headers.getSetCookie === 'function' ? res.headers.getSetCookie() : [];
}

/** Parses the session cookie out of a response: { name, value, attrs, line } or null. */
export function sessionCookie(res) {
  for (const line of setCookies(res)) {
    const [pair, ...rest] = line.split(';');
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq).trim();
    if (name !== 'portal_session' && name !== '__Host-portal_session') continue;
    const attrs = {};
    for (const a of rest) {
      const i = a.indexOf('=');
      const k = (i < 0 ? a : a.slice(0, i)).trim().toLowerCase();
      attrs[k] = i < 0 ? true : a.slice(i + 1).trim();
    }
    return { name, value: pair.slice(eq + 1).trim(), attrs, line };
  }
  return null;
}

/**
 * A browser-like caller: keeps the session cookie and the CSRF token and sends the
 * token on writes (unless told otherwise).
 */
export class Client {
  constructor(base, { cookieName = 'portal_session' } = {}) {
    this.base = base;
    this.cookieName = cookieName;
    this.token = null; // session cookie value
    this.csrf = null;
    this.user = null;
  }

  headers(method, extra = {}, { csrf = true } = {}) {
    const h = { ...extra };
    if (this.token) h.Cookie = `${this.cookieName}=${this.token}`;
    const write = !['GET', 'HEAD'].includes(method);
    if (csrf && this.csrf && write) h['X-CSRF-Token'] ??= this.csrf;
    // Like www/shared/api.js: writes say application/json even without a body.
    if (write && !Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['Content-Type'] = 'application/json';
    return h;
  }

  /** Like api(), with the cookie and CSRF header. opts.csrf=false leaves the header out. */
  async req(method, pathname, { body, headers, raw, csrf = true } = {}) {
    const res = await api(this.base, method, pathname,
      { body, raw, headers: this.headers(method, headers, { csrf }) });
    const c = sessionCookie(res);
    if (c) this.token = c.value || null;
    return res;
  }

  get(p, o) { return this.req('GET', p, o); }
  post(p, body, o = {}) { return this.req('POST', p, { ...o, body }); }
  patch(p, body, o = {}) { return this.req('PATCH', p, { ...o, body }); }
  del(p, o) { return this.req('DELETE', p, o); }

  /** Logs in; throws unless 200. Returns the response. */
  async login(email, password = DEMO_PASSWORD, extra = {}) {
    const res = await this.loginRaw(email, password, extra);
    if (res.status !== 200) {
      throw new Error(`login ${email}: ${res.status} ${res.text}`);
    }
    return res;
  }

  /** Logs in without judging the answer; on 200 keeps cookie, CSRF token and user. */
  async loginRaw(email, password = DEMO_PASSWORD, extra = {}) {
    const res = await api(this.base, 'POST', '/api/v1/auth/login', {
      body: { email, password, ...extra },
      headers: this.token ? { Cookie: `${this.cookieName}=${this.token}` } : {},
    });
    if (res.status === 200) {
      const c = sessionCookie(res);
      this.token = c?.value ?? null;
      this.csrf = res.body?.csrf_token ?? null;
      this.user = res.body?.user ?? null;
    }
    return res;
  }

  /** Adopts the session of an accept/login response (cookie + csrf). */
  adopt(res) {
    const c = sessionCookie(res);
    if (c) this.token = c.value;
    this.csrf = res.body?.csrf_token ?? this.csrf;
    this.user = res.body?.user ?? this.user;
    return this;
  }
}

/** Logs email in and returns a Client. */
export async function loginAs(base, email, password = DEMO_PASSWORD, extra = {}) {
  const c = new Client(base);
  await c.login(email, password, extra);
  return c;
}

/** Asserts-free check of the JSON error shape; returns the error object or null. */
export function errorOf(res) {
  return res.body && typeof res.body === 'object' && res.body.error ? res.body.error : null;
}

/** A compact "status code text" for assertion messages. */
export function show(res) {
  return `${res.status} ${res.text?.slice(0, 300)}`;
}

// --- mail ---------------------------------------------------------------------------

function decodeSubject(s) {
  return s.replace(/=\?UTF-8\?B\?([^?]*)\?=/gi, (_, b) => Buffer.from(b, 'base64').toString('utf8'));
}

/** The .eml files under <dataDir>/mail, oldest first: { file, to, subject, body }. */
export function readMails(dataDir) {
  const dir = path.join(dataDir, 'mail');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.eml')).sort().map((f) => {
    const text = readFileSync(path.join(dir, f), 'utf8');
    const split = text.indexOf('\r\n\r\n');
    const head = text.slice(0, split);
    const headers = {};
    for (const line of head.split('\r\n')) {
      const i = line.indexOf(':');
      if (i > 0) headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
    }
    return {
      file: f,
      to: headers.to,
      subject: decodeSubject(headers.subject ?? ''),
      headers,
      body: text.slice(split + 4),
    };
  });
}

/** Mails to `to` (case-insensitive). */
export function mailsTo(dataDir, to) {
  return readMails(dataDir).filter((m) => m.to?.toLowerCase() === to.toLowerCase());
}

/**
 * Waits until `to` has received more than `seen` mails (the portal mails password-reset
 * links after its answer, from the scheduler thread) and returns them all; throws after
 * `timeout` ms.
 */
export async function waitForMails(dataDir, to, seen = 0, { timeout = 10000 } = {}) {
  const until = Date.now() + timeout;
  for (;;) {
    const mails = mailsTo(dataDir, to);
    if (mails.length > seen) return mails;
    if (Date.now() > until) throw new Error(`no new mail to ${to} within ${timeout} ms (${mails.length} in ${dataDir}/mail)`);
    await new Promise((r) => { setTimeout(r, 25); });
  }
}

/** Waits until the portal's mail queue (auth_mail_queue) is empty; without the table
 * (an older schema mails before it answers) there is nothing to wait for. */
export async function waitForMailQueue(portal, { timeout = 10000 } = {}) {
  const until = Date.now() + timeout;
  const missing = portal.sql("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'auth_mail_queue'")[0][0] === '0';
  while (!missing && portal.sql('SELECT COUNT(*) FROM auth_mail_queue')[0][0] !== '0') {
    if (Date.now() > until) throw new Error(`the mail queue did not empty within ${timeout} ms`);
    await new Promise((r) => { setTimeout(r, 25); });
  }
}

/** The first link in a mail body that carries ?token=, as { url, token }. */
export function linkIn(body) {
  const m = /(https?:\/\/\S+?[?&]token=([A-Za-z0-9_-]+))/.exec(body);
  return m ? { url: m[1], token: m[2] } : null;
}

// --- raw requests and the CLI -------------------------------------------------------

/**
 * Sends `head` with a Content-Length of `total` and streams that many bytes of `fill`
 * until the server answers. Resolves { status, headers, body, json, bytesSent }.
 */
export function streamBody(baseUrl, head, total, { fill = 0x20, timeout = 15000 } = {}) {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const sock = net.connect(Number(port), hostname);
    const chunk = Buffer.alloc(64 * 1024, fill);
    let buf = Buffer.alloc(0);
    let sent = 0;
    let done = false;
    const finish = (err, res) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err); else resolve({ ...res, bytesSent: sent });
    };
    const parse = (complete) => {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return null;
      const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0])?.[1] ?? 0);
      const headers = {};
      for (const l of lines.slice(1)) {
        const i = l.indexOf(':');
        if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
      }
      let body = buf.subarray(end + 4);
      const len = Number(headers['content-length'] ?? -1);
      if (len >= 0) {
        if (body.length < len && !complete) return null;
        body = body.subarray(0, len);
      } else if (!complete) return null;
      const text = body.toString('utf8');
      let json;
      try { json = JSON.parse(text); } catch { json = undefined; }
      return { status, headers, body: text, json };
    };
    const timer = setTimeout(() => finish(new Error(`no answer within ${timeout} ms (${sent} bytes sent)`)), timeout);
    sock.on('data', (d) => { buf = Buffer.concat([buf, d]); const r = parse(false); if (r) finish(null, r); });
    const gone = () => {
      const r = parse(true);
      if (r) finish(null, r); else finish(new Error(`connection closed without an answer after ${sent} bytes`));
    };
    sock.on('end', gone);
    sock.on('close', gone);
    sock.on('error', gone);
    sock.write(`${head.replace(/\r\n$/, '')}\r\nContent-Length: ${total}\r\n\r\n`);
    const pump = () => {
      while (!done && sent < total) {
        const n = Math.min(chunk.length, total - sent);
        sent += n;
        if (!sock.write(n === chunk.length ? chunk : chunk.subarray(0, n))) { sock.once('drain', pump); return; }
      }
    };
    pump();
  });
}

/**
 * Runs the portal binary with the portal's environment, without blocking the event
 * loop (a blocked loop lets pooled keep-alive sockets go stale): resolves
 * { status, stdout, stderr }.
 */
export function runCli(portal, args, { input, env = {}, timeout = 30000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(portalBin, args, { env: { ...portal.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = ''; let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`portal ${args.join(' ')}: no exit within ${timeout} ms`)); }, timeout);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (status) => { clearTimeout(timer); resolve({ status, stdout, stderr }); });
    child.stdin.on('error', () => {}); // it may exit before reading
    child.stdin.end(input ?? '');
  });
}

/** median of numbers */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * For after(): fails with the tail of the portal's output when the server no longer
 * answers (it crashed during the file), then stops it.
 */
export async function stopChecked(portal) {
  if (!portal) return;
  let alive = false;
  try { alive = (await fetch(`${portal.url}/api/v1/ping`)).ok; } catch { alive = false; }
  const logs = portal.logs();
  await portal.stop();
  if (!alive) throw new Error(`the portal died during the test file; its last output:\n${logs.slice(-6000)}`);
}
