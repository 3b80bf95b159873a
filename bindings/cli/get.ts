// `h2wasm get URL`: one HTTP/2 request with h2wasm's node:http2 client; the body to stdout or a
// file, the response head with -i, an nghttp -v style frame trace on stderr with -v.
import fs from 'node:fs';
import { Transform, type Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import http2 from '../node/index.ts';
import type { ClientHttp2Session, ClientHttp2Stream } from '../node/index.ts';
import { createTracer } from './trace-format.ts';
import type { FrameInfo } from '../core/index.ts';

export interface GetOptions {
  url: string;
  verbose: boolean;
  include: boolean;
  output?: string;
  headers: string[];
  data?: string;
  method?: string;
  h2c: boolean;
  insecure: boolean;
  cacert?: string;
  fail: boolean;
}

export interface GetIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stdin: NodeJS.ReadableStream;
  version: string;
}

/** An error whose message is the whole one-line report. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) { super(message); }
}

const CERT_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function describe(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const msg = e?.message ?? String(err);
  if (e?.code && CERT_CODES.has(e.code)) return `TLS: ${msg} (trust the CA with --cacert FILE, or skip verification with --insecure)`;
  if (e?.code === 'ECONNREFUSED') return `${msg} (is the server running?)`;
  return msg;
}

const MiB = 1024 * 1024;
const size = (n: number) => (n >= MiB ? `${(n / MiB).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`);

/** A pass-through that draws a progress bar on a terminal, at most ten times a second. */
function progress(out: GetIO['stderr'], total: number | undefined): Transform {
  let seen = 0;
  let last = 0;
  const start = performance.now();
  const draw = (final: boolean) => {
    const now = performance.now();
    if (!final && now - last < 100) return;
    last = now;
    const rate = seen / Math.max((now - start) / 1000, 0.001);
    const width = Math.max(10, Math.min(40, (out.columns ?? 80) - 45));
    let line: string;
    if (total) {
      const frac = Math.min(1, seen / total);
      const filled = Math.round(frac * width);
      line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}% ${size(seen)}/${size(total)} ${size(rate)}/s`;
    } else line = `${size(seen)} ${size(rate)}/s`;
    out.write(`\r${line}\x1b[K${final ? '\n' : ''}`);
  };
  return new Transform({
    transform(chunk: Buffer, _enc, cb) { seen += chunk.length; draw(false); cb(null, chunk); },
    flush(cb) { draw(true); cb(); },
  });
}

async function requestBody(data: string, stdin: NodeJS.ReadableStream): Promise<Buffer> {
  if (data === '@-') {
    const parts: Buffer[] = [];
    for await (const c of stdin) parts.push(Buffer.from(c as Buffer));
    return Buffer.concat(parts);
  }
  if (data.startsWith('@')) {
    try { return fs.readFileSync(data.slice(1)); } catch (err) { throw new CliError(`cannot read ${data.slice(1)}: ${(err as Error).message}`); }
  }
  return Buffer.from(data);
}

/** Performs the request; resolves with the exit code (rejects with a CliError). */
export async function get(opts: GetOptions, io: GetIO): Promise<number> {
  let url: URL;
  try { url = new URL(opts.url); } catch { throw new CliError(`not a URL: ${opts.url}`); }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CliError(`unsupported scheme ${url.protocol} (http: or https:)`);
  // --h2c: cleartext with prior knowledge whatever the scheme says (http: URLs are h2c anyway).
  if (opts.h2c && url.protocol === 'https:') url = new URL(url.href.replace(/^https:/, 'http:'));

  const headers: Record<string, string | string[]> = {};
  for (const h of opts.headers) {
    const colon = h.indexOf(':', 1); // ':authority: x' names a pseudo-header
    if (colon < 0) throw new CliError(`bad header (want 'name: value'): ${h}`);
    const name = h.slice(0, colon).trim().toLowerCase();
    const value = h.slice(colon + 1).trim();
    if (name === 'host') { headers[':authority'] = value; continue; }
    const prev = headers[name];
    headers[name] = prev === undefined ? value : [...(Array.isArray(prev) ? prev : [prev]), value];
  }
  const body = opts.data !== undefined ? await requestBody(opts.data, io.stdin) : undefined;
  headers[':method'] = opts.method ?? (body ? 'POST' : 'GET');
  headers[':path'] = `${url.pathname}${url.search}`;
  headers['user-agent'] ??= `h2wasm/${io.version}`;
  headers.accept ??= '*/*';
  if (body) {
    headers['content-length'] = String(body.length);
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
  }

  const started = performance.now();
  const trace = opts.verbose ? createTracer((l) => io.stderr.write(l + '\n'), 'client', started) : null;
  // The first frames are made before the socket connects: they are traced once it has (as sent).
  let held: FrameInfo[] | null = [];
  let ca: Buffer | undefined;
  if (opts.cacert) {
    try { ca = fs.readFileSync(opts.cacert); } catch (err) { throw new CliError(`cannot read ${opts.cacert}: ${(err as Error).message}`); }
  }
  // Bigger windows than the protocol's 64 KiB default, so large bodies are not throttled by them.
  const session: ClientHttp2Session = http2.connect(url, {
    rejectUnauthorized: !opts.insecure, ca, settings: { initialWindowSize: 8 * MiB },
  });
  // No Nagle on the transport (the session's `socket` proxy refuses setNoDelay, as Node's does).
  (session._socket as Duplex & { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
  // The session's first frames go out in a later microtask, so the observer sees them all.
  const stopObserving = trace && session.core ? session.core.observe((f) => { if (held) held.push(f); else trace.frame(f); }) : null;

  let output: fs.WriteStream | undefined;
  try {
    return await new Promise<number>((resolve, reject) => {
      let sessionError: unknown;
      const fail = (err: unknown) => {
        // The reader of our stdout went away (`| head`): done, as `cat` would be.
        if ((err as NodeJS.ErrnoException)?.code === 'EPIPE') { resolve(0); return; }
        // A request cancelled by its session's failure: the session's error (e.g. the TLS
        // verification) is the one to tell, and it comes right after.
        if ((err as NodeJS.ErrnoException)?.code === 'ERR_HTTP2_STREAM_CANCEL' && !sessionError) {
          setImmediate(() => reject(new CliError(describe(sessionError ?? err))));
          return;
        }
        reject(err instanceof CliError ? err : new CliError(describe(err)));
      };
      session.on('error', (err) => { sessionError = err; fail(err); });
      session.on('goaway', (code: number) => { if (code !== 0) fail(new CliError(`the server closed the connection (GOAWAY error code ${code})`)); });
      session.on('connect', () => {
        if (session.encrypted && session.alpnProtocol !== 'h2') { fail(new CliError(`the server did not negotiate h2 (ALPN: ${session.alpnProtocol ?? 'none'})`)); return; }
        const queued = held ?? [];
        held = null;
        trace?.note('Connected');
        if (trace && session.encrypted) io.stderr.write(`The negotiated protocol: ${session.alpnProtocol}\n`);
        for (const f of queued) trace?.frame(f);
        try { session.setLocalWindowSize(16 * MiB); } catch { /* the session already failed */ }
      });
      let req: ClientHttp2Stream;
      try {
        req = session.request(headers, { endStream: !body });
      } catch (err) { fail(err); return; }
      if (body) req.end(body);
      req.on('error', fail);
      req.on('response', (h: Record<string, string | string[] | number>) => {
        const status = Number(h[':status']);
        if (opts.include) {
          let head = `HTTP/2 ${status}\n`;
          for (const [k, v] of Object.entries(h)) {
            if (k.startsWith(':')) continue;
            for (const one of Array.isArray(v) ? v : [v]) head += `${k}: ${one}\n`;
          }
          io.stdout.write(head + '\n');
        }
        const total = h['content-length'] !== undefined ? Number(h['content-length']) : undefined;
        const stages: Array<NodeJS.ReadableStream | NodeJS.WritableStream | Transform> = [req];
        // A bar only where it does not mix with the body or the trace on the same terminal.
        const bodyOnTerminal = !opts.output && (io.stdout as { isTTY?: boolean }).isTTY;
        if (io.stderr.isTTY && !bodyOnTerminal && !opts.verbose && (total === undefined || total >= 4 * MiB)) stages.push(progress(io.stderr, total));
        if (opts.output) {
          output = fs.createWriteStream(opts.output);
          stages.push(output);
        } else stages.push(io.stdout);
        (pipeline as (...a: unknown[]) => Promise<void>)(...stages, { end: !!opts.output })
          .then(() => {
            if (req.rstCode !== undefined && req.rstCode !== 0) { fail(new CliError(`the server reset the stream (error code ${req.rstCode})`)); return; }
            if (opts.fail && status >= 400) { reject(new CliError(`the server answered ${status}`, 22)); return; }
            resolve(0);
          }, fail);
      });
    });
  } finally {
    stopObserving?.();
    await new Promise<void>((resolve) => {
      if (session.destroyed) { resolve(); return; }
      session.once('close', () => resolve());
      session.close();
      setTimeout(() => { session.destroy(); resolve(); }, 1000).unref();
    });
    trace?.close();
  }
}
