// The exchanges of the runtimes-interop tests, written once against node:http2's API so the
// same code runs with our node:http2 API (in Deno / Bun) and with Node's own node:http2 (the
// peer, in the uvu process), and with h2wasm/fetch. Runs in Node, Deno and Bun (node:crypto
// only). Checks return what they saw; the uvu tests decide whether it is right.
import { createHash } from 'node:crypto';

export type Peer = 'node' | 'h2wasm' | 'nghttpd';
export type CheckName = 'get' | 'post' | 'trailers' | 'push' | 'info';
export type Seen = Record<string, unknown> & { error?: string };
export type Http2Like = { connect(url: string, options?: object): any };

export const MiB = 1024 * 1024;
export const sha256 = (...chunks: Uint8Array[]) => {
  const h = createHash('sha256');
  for (const c of chunks) h.update(c);
  return h.digest('hex');
};

/** The same 1 MiB for one seed; not all one value, so a shifted or repeated chunk shows in the hash. */
export function bigBody(seed = 1): Uint8Array {
  const b = new Uint8Array(MiB);
  let x = seed * 0x9e3779b1 >>> 0;
  for (let i = 0; i < b.length; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms); });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

const message = (e: unknown) => (e instanceof Error ? `${(e as { code?: string }).code ?? e.name}: ${e.message}` : String(e));

/** Runs each check in turn, each within `ms`; a throw becomes `{ error }`. */
export async function runEach<K extends string>(names: K[], fn: (name: K) => Promise<Seen>, ms = 10_000): Promise<Record<K, Seen>> {
  const out = {} as Record<K, Seen>;
  for (const name of names) {
    try { out[name] = await within(fn(name), ms, name); } catch (e) { out[name] = { error: message(e) }; }
  }
  return out;
}

function collect(stream: any): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const parts: Uint8Array[] = [];
    stream.on('data', (d: Uint8Array) => parts.push(d));
    stream.on('end', () => {
      const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of parts) { all.set(p, at); at += p.length; }
      resolve(all);
    });
    stream.on('error', reject);
  });
}
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const plain = (h: Record<string, unknown>) => JSON.parse(JSON.stringify(h)); // drops the null prototype and symbols

// ------------------------------------------------------------------ node:http2-API server

/**
 * The routes, on a node:http2-API server ('stream' events): ours or Node's.
 *   /hello     200 "hello world"
 *   /echo      the request body back, trailers x-sha256 / x-length of what arrived
 *   /trailers  request trailers in, response trailers out (x-got: the request's x-req-trailer)
 *   /push      pushes /pushed ("pushed body") before answering "push parent"
 *   /info      a 103 (Early Hints) before the 200
 */
export function routes(server: any, name: string): void {
  server.on('stream', (stream: any, headers: Record<string, string>) => {
    stream.on('error', () => { /* a reset stream: the client reports it */ });
    const path = headers[':path'];
    const base = { 'x-server': name };
    if (path === '/hello') {
      stream.respond({ ':status': 200, 'content-type': 'text/plain', ...base });
      stream.end('hello world');
    } else if (path === '/echo') {
      collect(stream).then((body) => {
        stream.respond({ ':status': 200, 'content-type': 'application/octet-stream', ...base }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'x-sha256': sha256(body), 'x-length': String(body.length) }));
        stream.end(body);
      });
    } else if (path === '/trailers') {
      let got = '';
      stream.on('trailers', (t: Record<string, string>) => { got = t['x-req-trailer'] ?? ''; });
      collect(stream).then((body) => {
        stream.respond({ ':status': 200, ...base }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'x-res-trailer': 'down', 'x-got': got, 'x-body': text(body) }));
        stream.end('trailers');
      });
    } else if (path === '/push') {
      stream.pushStream({ ':path': '/pushed' }, (err: Error | null, pushed: any) => {
        if (err) { stream.respond({ ':status': 500 }); stream.end(String(err)); return; }
        pushed.on('error', () => {});
        pushed.respond({ ':status': 200, ...base });
        pushed.end('pushed body');
        stream.respond({ ':status': 200, ...base });
        stream.end('push parent');
      });
    } else if (path === '/info') {
      stream.additionalHeaders({ ':status': 103, link: '</hello>; rel=preload' });
      stream.respond({ ':status': 200, ...base });
      stream.end('after 103');
    } else {
      stream.respond({ ':status': 404 });
      stream.end();
    }
  });
}

// ------------------------------------------------------------------ node:http2-API client

/**
 * One session to `url` (ours or Node's `connect`), the checks in turn on it. Against nghttpd
 * (files hello, push, pushed; --echo-upload, --trailer, -p /push=/pushed) the same paths work.
 */
export async function clientChecks(http2: Http2Like, url: string, checks: CheckName[], options: { ca?: string } = {}) {
  const session = http2.connect(url, options.ca ? { ca: options.ca } : {});
  let sessionError = '';
  session.on('error', (e: Error) => { sessionError = message(e); });
  const connected = await within(new Promise<boolean>((resolve) => {
    session.once('connect', () => resolve(true));
    session.once('error', () => resolve(false));
  }), 10_000, `connect ${url}`).catch(() => false);
  const info = { connected, alpn: session.alpnProtocol ?? null, encrypted: Boolean(session.encrypted) };
  const pushes: Array<Promise<Seen>> = [];
  session.on('stream', (pushed: any, headers: Record<string, string>) => {
    pushes.push(new Promise((resolve) => {
      let status: unknown;
      pushed.on('push', (h: Record<string, unknown>) => { status = h[':status']; });
      collect(pushed).then((b) => resolve({ path: headers[':path'], status, body: text(b) }), (e) => resolve({ path: headers[':path'], error: message(e) }));
    }));
  });

  const exchange = (headers: object, send?: (req: any) => void, requestOptions: object = {}) => {
    const req = session.request(headers, send ? requestOptions : { endStream: true });
    const seen: Seen = { infos: [] as unknown[] };
    req.on('headers', (h: Record<string, unknown>) => { (seen.infos as unknown[]).push(h[':status']); });
    req.on('response', (h: Record<string, unknown>) => { seen.status = h[':status']; seen.server = h['x-server'] ?? null; });
    req.on('trailers', (t: Record<string, unknown>) => { seen.trailers = plain(t); });
    send?.(req);
    return collect(req).then((b) => ({ seen, body: b }));
  };

  const results = !connected ? {} as Record<CheckName, Seen> : await runEach(checks, async (name): Promise<Seen> => {
    switch (name) {
      case 'get': {
        const { seen, body } = await exchange({ ':path': '/hello' });
        return { ...seen, body: text(body).trim() };
      }
      case 'post': {
        const up = bigBody(7);
        const { seen, body } = await exchange({ ':method': 'POST', ':path': '/echo' }, (req) => req.end(up));
        return { ...seen, sent: sha256(up), received: sha256(body), length: body.length };
      }
      case 'trailers': {
        const { seen, body } = await exchange({ ':method': 'POST', ':path': '/trailers' }, (req) => {
          req.on('wantTrailers', () => req.sendTrailers({ 'x-req-trailer': 'up' }));
          req.end('up');
        }, { waitForTrailers: true });
        return { ...seen, body: text(body) };
      }
      case 'push': {
        const { seen, body } = await exchange({ ':path': '/push' });
        const pushed = pushes.length ? await pushes[pushes.length - 1] : null;
        return { ...seen, body: text(body).trim(), pushed };
      }
      case 'info': {
        const { seen, body } = await exchange({ ':path': '/info' });
        return { ...seen, body: text(body) };
      }
    }
  });
  await closeSession(session);
  return { ...info, sessionError, results };
}

function closeSession(session: any): Promise<void> {
  return new Promise((resolve) => {
    if (session.destroyed) return resolve();
    const t = setTimeout(() => { session.destroy(); resolve(); }, 2000);
    session.close(() => { clearTimeout(t); resolve(); });
  });
}
