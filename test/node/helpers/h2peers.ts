// Helpers for the node:http2-API interop tests: one server / client factory for both
// implementations (ours and node:http2), h2c or TLS, a request that records everything the
// client sees, and external processes (curl, nghttp, nghttpd) that are always stopped.
import http2 from 'node:http2';
import net from 'node:net';
import { once } from 'node:events';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ours from '../../../bindings/node/index.ts';
import { testCerts } from '../../helpers/certs.ts';
import { HOST, body, listen, sha256, sleep, within, type Proc, type Scope } from '../../interop/helpers/util.ts';

export type Impl = 'ours' | 'node';
export type Mode = 'h2c' | 'tls';
export const C = http2.constants;

/** The module for an implementation; ours has node:http2's shape. */
export const api = (impl: Impl): typeof http2 => (impl === 'ours' ? ours : http2) as unknown as typeof http2;

export interface Served {
  server: http2.Http2Server;
  port: number;
  url: string;
  sessions: http2.ServerHttp2Session[];
  /** Stream 'error' events on the server, as "code message". */
  errors: string[];
}

type OnStream = (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => void;

/** A server of `impl` on 127.0.0.1 (h2c or TLS with the test leaf); closed with its sessions. */
export async function serve(s: Scope, impl: Impl, mode: Mode, onStream: OnStream, options: object = {}): Promise<Served> {
  const h = api(impl);
  const { key, cert } = testCerts();
  const server = (mode === 'tls' ? h.createSecureServer({ ...options, key, cert }) : h.createServer(options)) as http2.Http2Server;
  const served: Served = { server, port: 0, url: '', sessions: [], errors: [] };
  server.on('session', (x: http2.ServerHttp2Session) => {
    served.sessions.push(x);
    x.on('error', () => {}); // seen through the streams and the client; must not crash the run
  });
  server.on('stream', (st, headers) => {
    st.on('error', (e: any) => served.errors.push(`${e.code} ${e.message}`));
    onStream(st, headers);
  });
  served.port = await listen(s, server as unknown as net.Server);
  s.defer(() => { for (const x of served.sessions) if (!x.destroyed) x.destroy(); });
  served.url = `${mode === 'tls' ? 'https' : 'http'}://${HOST}:${served.port}`;
  return served;
}

/** A connected client session of `impl`; destroyed at the end of the test. */
export async function dial(s: Scope, impl: Impl, mode: Mode, port: number, options: object = {}): Promise<http2.ClientHttp2Session> {
  const url = `${mode === 'tls' ? 'https' : 'http'}://${HOST}:${port}`;
  const session = api(impl).connect(url, mode === 'tls' ? { ...options, ca: testCerts().ca } : options);
  s.defer(() => { if (!session.destroyed) session.destroy(); });
  await within(once(session, 'connect'), 5000, `${impl} client to connect to ${url}`);
  return session;
}

export interface Outcome {
  status: number;
  headers: http2.IncomingHttpHeaders;
  informational: number[];
  trailers: http2.IncomingHttpHeaders | null;
  octets: number;
  hash: string;
  rstCode: number | undefined;
  aborted: boolean;
  errorCode: string | null;
  /** Stream events in order ('response', 'headers:103', 'continue', 'trailers', 'end', 'aborted', 'error', 'close'). */
  events: string[];
}

export interface ExchangeOptions {
  /** Request trailers, sent through waitForTrailers / 'wantTrailers'. */
  trailers?: http2.OutgoingHttpHeaders;
  /** Send the body only once 'continue' arrives. */
  awaitContinue?: boolean;
  /** Keep the request open although `payload` is null (the caller writes and ends it). */
  open?: boolean;
  /** Called with the stream right after request(). */
  onStream?: (req: http2.ClientHttp2Stream, out: Outcome) => void;
}

/** Records a stream's events into an Outcome; resolves at 'close'. */
export function observe(st: http2.Http2Stream, out: Outcome): Promise<Outcome> {
  const h = createHash('sha256');
  st.on('response', (hs: http2.IncomingHttpHeaders) => { out.events.push('response'); out.headers = hs; out.status = Number(hs[':status']); });
  st.on('push', (hs: http2.IncomingHttpHeaders) => { out.events.push('push'); out.headers = hs; out.status = Number(hs[':status']); });
  st.on('headers', (hs: http2.IncomingHttpHeaders) => { out.events.push(`headers:${hs[':status']}`); out.informational.push(Number(hs[':status'])); });
  st.on('continue', () => out.events.push('continue'));
  st.on('trailers', (hs: http2.IncomingHttpHeaders) => { out.events.push('trailers'); out.trailers = hs; });
  st.on('data', (c: Buffer) => { out.octets += c.length; h.update(c); });
  st.on('end', () => out.events.push('end'));
  st.on('aborted', () => { out.events.push('aborted'); out.aborted = true; });
  st.on('error', (e: any) => { out.events.push('error'); out.errorCode = e.code ?? String(e); });
  return new Promise((resolve) => st.on('close', () => {
    out.events.push('close');
    out.hash = h.digest('hex');
    out.rstCode = st.rstCode;
    resolve(out);
  }));
}

export const blank = (): Outcome => ({
  status: 0, headers: {}, informational: [], trailers: null, octets: 0, hash: '', rstCode: undefined, aborted: false, errorCode: null, events: [],
});

/** A request: `payload` null ends the stream on HEADERS. Resolves when the stream closes. */
export function exchange(session: http2.ClientHttp2Session, headers: http2.OutgoingHttpHeaders, payload: Buffer | null = null,
  opts: ExchangeOptions = {}): Promise<Outcome> {
  const waitForTrailers = Boolean(opts.trailers);
  const req = session.request(headers, { endStream: payload === null && !waitForTrailers && !opts.open, waitForTrailers });
  const out = blank();
  if (opts.trailers) req.on('wantTrailers', () => req.sendTrailers(opts.trailers!));
  const done = observe(req, out);
  opts.onStream?.(req, out);
  const send = () => { if (payload !== null) req.end(payload); else if (waitForTrailers) req.end(); };
  if (opts.awaitContinue) req.once('continue', send); else send();
  return done;
}

/** Reads a stream to its end: octets and sha256. */
export async function drain(st: AsyncIterable<unknown>): Promise<{ octets: number; hash: string }> {
  const h = createHash('sha256');
  let octets = 0;
  for await (const c of st as AsyncIterable<Buffer>) { octets += c.length; h.update(c); }
  return { octets, hash: h.digest('hex') };
}

/**
 * The routes every server in these tests answers, the same for both implementations:
 *   GET /bytes/N     N random octets (body(N)), content-length set
 *   POST /upload     reads the body; answers x-octets / x-sha256 (and x-trailer: the request's
 *                    x-check trailer, when it came), no body
 *   POST /trailers   reads the body, answers it back with response trailers x-octets / x-sha256
 */
export function routes(st: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): void {
  const path = String(headers[':path']);
  const m = /^\/bytes\/(\d+)$/.exec(path);
  if (m) {
    const b = body(Number(m[1]));
    st.respond({ ':status': 200, 'content-length': b.length });
    st.end(b);
    return;
  }
  if (path === '/upload' || path === '/trailers') {
    let requestTrailer: string | undefined;
    st.on('trailers', (t) => { requestTrailer = String(t['x-check']); });
    const parts: Buffer[] = [];
    st.on('data', (c: Buffer) => parts.push(c));
    st.on('end', () => {
      const got = Buffer.concat(parts);
      const facts = { 'x-octets': String(got.length), 'x-sha256': sha256(got), ...(requestTrailer ? { 'x-trailer': requestTrailer } : {}) };
      if (path === '/upload') { st.respond({ ':status': 200, ...facts }, { endStream: true }); return; }
      st.respond({ ':status': 200 }, { waitForTrailers: true });
      st.on('wantTrailers', () => st.sendTrailers(facts));
      st.end(got);
    });
    return;
  }
  st.respond({ ':status': 404 }, { endStream: true });
}

// ---------------------------------------------------------------- processes

export { start, run, type Proc } from '../../interop/helpers/util.ts';

/** A temporary directory, removed at the end of the test. */
export function tempDir(s: Scope): string {
  const dir = mkdtempSync(join(tmpdir(), 'h2wasm-interop-'));
  s.defer(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The test CA, leaf and key as files in `dir` (for curl, nghttp, nghttpd). */
export function certFiles(dir: string): { ca: string; cert: string; key: string } {
  const c = testCerts();
  const files = { ca: join(dir, 'ca.pem'), cert: join(dir, 'leaf.pem'), key: join(dir, 'leaf.key') };
  writeFileSync(files.ca, c.ca);
  writeFileSync(files.cert, c.cert);
  writeFileSync(files.key, c.key);
  return files;
}

/** A port nothing listens on right now (for tools that cannot take port 0). */
export async function freePort(): Promise<number> {
  const srv = net.createServer();
  srv.listen(0, HOST);
  await once(srv, 'listening');
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** Waits until 127.0.0.1:port accepts a TCP connection (or the process died). */
export async function waitForPort(port: number, proc: Proc, ms = 5000): Promise<void> {
  await within((async () => {
    for (;;) {
      if (proc.child.exitCode !== null) throw new Error(`exited ${proc.child.exitCode}: ${proc.err()}`);
      const ok = await new Promise<boolean>((resolve) => {
        const c = net.connect(port, HOST);
        c.once('connect', () => { c.destroy(); resolve(true); });
        c.once('error', () => resolve(false));
      });
      if (ok) return;
      await sleep(25);
    }
  })(), ms, `port ${port} to accept`);
}
