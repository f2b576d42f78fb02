// tests/lib/rawhttp.mjs - HTTP over a bare TCP socket, for requests fetch() would not
// send as written (unnormalised paths, unknown methods, oversized heads, huge bodies).
import net from 'node:net';

/** Parses the first HTTP response in buf; returns null while it is incomplete. */
export function parseResponse(buf, { complete = false } = {}) {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const head = buf.subarray(0, end).toString('latin1').split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(head[0]);
  if (!m) return { status: 0, statusLine: head[0], headers: {}, body: '', bodyBuf: Buffer.alloc(0) };
  const headers = {};
  for (const line of head.slice(1)) {
    const i = line.indexOf(':');
    if (i < 0) continue;
    const k = line.slice(0, i).trim().toLowerCase();
    const v = line.slice(i + 1).trim();
    headers[k] = k in headers ? `${headers[k]}, ${v}` : v;
  }
  let bodyBuf = buf.subarray(end + 4);
  if (headers['content-length'] !== undefined) {
    const len = Number(headers['content-length']);
    if (bodyBuf.length < len && !complete) return null;
    bodyBuf = bodyBuf.subarray(0, len);
  } else if (!complete && !(Number(m[1]) === 304 || Number(m[1]) === 204)) {
    return null; // body ends with the connection
  }
  const body = bodyBuf.toString('utf8');
  let json;
  try { json = body ? JSON.parse(body) : undefined; } catch { json = undefined; }
  return { status: Number(m[1]), statusLine: head[0], headers, body, bodyBuf, json };
}

/**
 * Writes `request` (string or Buffer) to host:port taken from baseUrl and resolves
 * with the first response: { status, statusLine, headers (lower-case keys), body,
 * json, ms, closed }. Rejects on timeout (a hang is a failure) unless the socket
 * closed without any answer, which resolves with status 0.
 */
export function rawRequest(baseUrl, request, { timeout = 5000 } = {}) {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const sock = net.connect(Number(port), hostname);
    let buf = Buffer.alloc(0);
    let done = false;
    const finish = (err, res) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve({ ...res, ms: Date.now() - started });
    };
    const timer = setTimeout(() => finish(new Error(
      `no complete response within ${timeout} ms; got ${JSON.stringify(buf.toString('latin1').slice(0, 300))}`)), timeout);
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      const res = parseResponse(buf);
      if (res) finish(null, { ...res, closed: false });
    });
    const onEnd = () => {
      const res = parseResponse(buf, { complete: true });
      finish(null, res ? { ...res, closed: true }
        : { status: 0, statusLine: '', headers: {}, body: buf.toString('latin1'), closed: true });
    };
    sock.on('end', onEnd);
    sock.on('close', onEnd);
    sock.on('error', (e) => {
      // A reset after the answer arrived still counts as the answer.
      const res = parseResponse(buf, { complete: true });
      if (res) finish(null, { ...res, closed: true });
      else if (e.code === 'ECONNRESET' || e.code === 'EPIPE') onEnd();
      else finish(e);
    });
    sock.write(request);
  });
}

/**
 * Sends a request head, then streams `total` bytes of body in chunks (never holding
 * more than one chunk in memory) until the server answers. Resolves with the response
 * plus { ms, bytesSent }. chunked: use Transfer-Encoding: chunked instead of a
 * Content-Length.
 */
export function streamRequest(baseUrl, head, total, { chunked = false, timeout = 10000, chunkSize = 64 * 1024 } = {}) {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const sock = net.connect(Number(port), hostname);
    let buf = Buffer.alloc(0);
    let sent = 0;
    let done = false;
    const chunk = Buffer.alloc(chunkSize, 0x61);
    const framed = chunked
      ? Buffer.concat([Buffer.from(`${chunkSize.toString(16)}\r\n`), chunk, Buffer.from('\r\n')])
      : chunk;
    const finish = (err, res) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve({ ...res, ms: Date.now() - started, bytesSent: sent });
    };
    const timer = setTimeout(() => finish(new Error(
      `no response within ${timeout} ms after sending ${sent} bytes`)), timeout);
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      const res = parseResponse(buf);
      if (res) finish(null, res);
    });
    const onGone = () => {
      const res = parseResponse(buf, { complete: true });
      if (res) finish(null, res);
      else finish(new Error(`connection closed without a response after ${sent} bytes`));
    };
    sock.on('end', onGone);
    sock.on('close', onGone);
    sock.on('error', onGone);
    const lenHeader = chunked ? 'Transfer-Encoding: chunked\r\n' : `Content-Length: ${total}\r\n`;
    sock.write(`${head.replace(/\r\n$/, '')}\r\n${lenHeader}\r\n`);
    const pump = () => {
      while (!done && sent < total) {
        sent += chunkSize;
        if (!sock.write(framed)) {
          sock.once('drain', pump);
          return;
        }
      }
      if (!done && chunked && sent >= total) sock.write('0\r\n\r\n');
    };
    pump();
  });
}
