// `h2wasm serve`: a static file server over h2wasm's node:http2 API (TLS with a development
// certificate by default, or h2c). One log line per request: method path status bytes ms.
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import http2 from '../node/index.ts';
import type { ServerHttp2Stream, Http2Server, Http2SecureServer, ServerHttp2Session } from '../node/index.ts';
import { contentType } from './mime.ts';
import { devCerts } from './certs.ts';

export interface ServeOptions {
  dir: string;
  port: number;
  host: string;
  h2c: boolean;
  cert?: string;
  key?: string;
  /** Where the URL, notices and request log go. */
  log: (line: string) => void;
}

export interface Running {
  url: string;
  server: Http2Server | Http2SecureServer;
  close(): Promise<void>;
}

type Headers = Record<string, string | string[] | number | undefined>;

/** A byte range of a file of `size` octets: null when absent or not one range we honour. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | null {
  if (!header) return null;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m || (m[1] === '' && m[2] === '')) return null; // several ranges or bad syntax: send the whole file
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const last = m[2] === '' ? Infinity : Number(m[2]);
  if (last < start) return null; // invalid: ignored
  if (start >= size) return 'unsatisfiable';
  return { start, end: Math.min(last, size - 1) };
}

const httpDate = (ms: number) => new Date(ms).toUTCString();
const etagOf = (st: fs.Stats) => `"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`;

/** The request's path as a file under `root`, or a status to refuse it with. */
export function resolvePath(root: string, rawPath: string): { file: string; pathname: string } | { status: number } {
  if (!rawPath.startsWith('/')) return { status: 400 };
  const pathname = rawPath.replace(/[?#].*$/s, '');
  let decoded: string;
  try { decoded = decodeURIComponent(pathname); } catch { return { status: 400 }; }
  if (decoded.includes('\0')) return { status: 400 };
  // Any `..` segment (also encoded, or with backslashes) is refused outright.
  if (decoded.split(/[\\/]/).includes('..')) return { status: 403 };
  const file = path.join(root, decoded);
  if (file !== root && !file.startsWith(root.endsWith(path.sep) ? root : root + path.sep)) return { status: 403 };
  return { file, pathname };
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function listing(pathname: string, entries: fs.Dirent[]): string {
  const items = entries
    .filter((e) => !e.name.startsWith('.'))
    .sort((a, b) => Number(b.isDirectory()) - Number(a.isDirectory()) || a.name.localeCompare(b.name))
    .map((e) => {
      const name = e.name + (e.isDirectory() ? '/' : '');
      return `<li><a href="${escapeHtml(encodeURIComponent(e.name) + (e.isDirectory() ? '/' : ''))}">${escapeHtml(name)}</a></li>`;
    });
  const title = escapeHtml(`Index of ${pathname}`);
  return `<!doctype html>\n<meta charset="utf-8">\n<title>${title}</title>\n<h1>${title}</h1>\n<ul>\n${pathname !== '/' ? '<li><a href="../">../</a></li>\n' : ''}${items.join('\n')}\n</ul>\n`;
}

/** Answers one request stream. */
function handle(root: string, stream: ServerHttp2Stream, headers: Headers, done: (status: number, bytes: number) => void, attempt = 0): void {
  const method = String(headers[':method']);
  const text = (status: number, body: string, extra: Headers = {}) => {
    if (stream.destroyed || stream.headersSent) return;
    const buf = Buffer.from(body);
    const head = method === 'HEAD';
    stream.respond({ ':status': status, 'content-type': 'text/plain; charset=utf-8', 'content-length': buf.length, ...extra }, { endStream: head });
    if (!head) stream.end(buf);
    done(status, head ? 0 : buf.length);
  };
  const empty = (status: number, extra: Headers) => {
    if (stream.destroyed || stream.headersSent) return;
    stream.respond({ ':status': status, ...extra }, { endStream: true });
    done(status, 0);
  };
  if (method !== 'GET' && method !== 'HEAD') { text(405, 'Method Not Allowed\n', { allow: 'GET, HEAD' }); return; }
  const where = resolvePath(root, String(headers[':path'] ?? ''));
  if ('status' in where) { text(where.status, where.status === 403 ? 'Forbidden\n' : 'Bad Request\n'); return; }
  const query = String(headers[':path']).slice(where.pathname.length);

  const sendFile = (file: string, st: fs.Stats) => {
    const etag = etagOf(st);
    const modified = httpDate(Math.floor(st.mtimeMs / 1000) * 1000);
    const common: Headers = { 'last-modified': modified, etag, 'accept-ranges': 'bytes', 'cache-control': 'no-cache' };
    const inm = headers['if-none-match'];
    const ims = headers['if-modified-since'];
    if (inm !== undefined
      ? String(inm).split(',').some((t) => t.trim() === '*' || t.trim().replace(/^W\//, '') === etag)
      : ims !== undefined && Math.floor(st.mtimeMs / 1000) * 1000 <= Date.parse(String(ims))) {
      empty(304, common);
      return;
    }
    let range = parseRange(method === 'GET' ? headers.range as string | undefined : undefined, st.size);
    const ifRange = headers['if-range'];
    if (range && ifRange !== undefined && ifRange !== etag && ifRange !== modified) range = null; // changed: whole file
    if (range === 'unsatisfiable') { text(416, 'Range Not Satisfiable\n', { ...common, 'content-range': `bytes */${st.size}` }); return; }
    const out: Headers = { ...common, 'content-type': contentType(file) };
    if (method === 'HEAD') { empty(200, { ...out, 'content-length': st.size }); return; }
    const offset = range ? range.start : 0;
    const length = range ? range.end - range.start + 1 : st.size;
    if (range) { out[':status'] = 206; out['content-range'] = `bytes ${range.start}-${range.end}/${st.size}`; }
    stream.respondWithFile(file, out, {
      offset,
      length,
      // The file changed between our stat and the open: decide again on what is there now.
      statCheck: (now) => {
        if (now.size === st.size && now.mtimeMs === st.mtimeMs) { done(range ? 206 : 200, length); return true; }
        if (attempt < 3) setImmediate(() => handle(root, stream, headers, done, attempt + 1));
        else text(503, 'Service Unavailable: the file keeps changing\n');
        return false;
      },
      onError: (err) => text(err.code === 'ENOENT' ? 404 : 500, err.code === 'ENOENT' ? 'Not Found\n' : 'Internal Server Error\n'),
    });
  };

  fs.stat(where.file, (err, st) => {
    if (stream.destroyed) return;
    if (err) { text(err.code === 'ENOENT' || err.code === 'ENOTDIR' ? 404 : 500, err.code === 'ENOENT' || err.code === 'ENOTDIR' ? 'Not Found\n' : 'Internal Server Error\n'); return; }
    if (st.isDirectory()) {
      if (!where.pathname.endsWith('/')) { empty(301, { location: `${where.pathname}/${query}` }); return; }
      const index = path.join(where.file, 'index.html');
      fs.stat(index, (e2, st2) => {
        if (stream.destroyed) return;
        if (!e2 && st2.isFile()) { sendFile(index, st2); return; }
        fs.readdir(where.file, { withFileTypes: true }, (e3, entries) => {
          if (e3) { text(404, 'Not Found\n'); return; }
          const html = Buffer.from(listing(decodeURIComponent(where.pathname), entries));
          if (stream.destroyed || stream.headersSent) return;
          stream.respond({ ':status': 200, 'content-type': 'text/html; charset=utf-8', 'content-length': html.length, 'cache-control': 'no-cache' }, { endStream: method === 'HEAD' });
          if (method !== 'HEAD') stream.end(html);
          done(200, method === 'HEAD' ? 0 : html.length);
        });
      });
      return;
    }
    if (!st.isFile()) { text(404, 'Not Found\n'); return; }
    sendFile(where.file, st);
  });
}

const urlHost = (h: string) => (h.includes(':') ? `[${h}]` : h);

/** Starts the server; resolves once it listens. */
export async function serve(opts: ServeOptions): Promise<Running> {
  const root = fs.realpathSync(path.resolve(opts.dir));
  if (!fs.statSync(root).isDirectory()) throw new Error(`${opts.dir} is not a directory`);
  let server: Http2Server | Http2SecureServer;
  let caPath: string | undefined;
  if (opts.h2c) server = http2.createServer();
  else if (opts.cert || opts.key) {
    if (!opts.cert || !opts.key) throw new Error('--cert and --key go together');
    server = http2.createSecureServer({ cert: fs.readFileSync(opts.cert), key: fs.readFileSync(opts.key) });
  } else {
    const certs = await devCerts();
    caPath = certs.caPath;
    if (certs.created) opts.log(`Generated a development CA and a localhost certificate in ${certs.dir}`);
    server = http2.createSecureServer({ cert: certs.cert, key: certs.key });
  }

  // No Nagle: with a peer's small windows (nghttp's 64 KiB), the last small DATA frame of each
  // window would otherwise wait for a delayed ACK, ~40 ms every window.
  server.on('connection', (socket: import('node:net').Socket) => socket.setNoDelay(true));
  const sessions = new Set<ServerHttp2Session>();
  server.on('session', (s: ServerHttp2Session) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
    s.on('error', () => {}); // a peer's protocol error ends its session, not the server
  });
  server.on('sessionError', () => {});
  server.on('tlsClientError', () => {}); // e.g. a browser that does not trust the CA yet
  server.on('stream', (stream: ServerHttp2Stream, headers: Headers) => {
    const started = performance.now();
    let status = 0;
    let bytes = 0;
    stream.on('error', () => {});
    stream.on('close', () => {
      const ms = (performance.now() - started).toFixed(1);
      const reset = stream.rstCode && stream.rstCode !== http2.constants.NGHTTP2_NO_ERROR ? ` (reset ${stream.rstCode})` : '';
      opts.log(`${headers[':method']} ${headers[':path']} ${status || '-'} ${bytes} ${ms}ms${reset}`);
    });
    try {
      handle(root, stream, headers, (s, b) => { status = s; bytes = b; });
    } catch (err) {
      if (!stream.headersSent && !stream.destroyed) stream.respond({ ':status': 500 }, { endStream: true });
      status = 500;
      opts.log(`error: ${(err as Error).message}`);
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => { server.off('error', reject); resolve(); });
  });
  const addr = server.address() as AddressInfo;
  // The certificate names localhost; a wildcard address is reachable there too.
  const local = ['127.0.0.1', '::1', '0.0.0.0', '::', 'localhost'].includes(opts.host);
  const url = `${opts.h2c ? 'http' : 'https'}://${local ? 'localhost' : urlHost(opts.host)}:${addr.port}/`;
  opts.log(`Serving ${root} on ${url} (HTTP/2${opts.h2c ? ' cleartext, prior knowledge' : ' over TLS'}, listening on ${urlHost(addr.address)}:${addr.port})`);
  if (caPath) opts.log(`Development CA: ${caPath} (trust it in your browser, or: curl --cacert ${caPath} ${url})`);
  if (opts.h2c) opts.log(`Try: curl --http2-prior-knowledge ${url}`);

  return {
    url,
    server,
    close: () => new Promise<void>((resolve) => {
      for (const s of sessions) s.close();
      server.close(() => resolve());
      // Sessions that do not finish in time are cut.
      setTimeout(() => { for (const s of sessions) s.destroy(); }, 1000).unref();
    }),
  };
}
