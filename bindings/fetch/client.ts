// A fetch-compatible client over one pooled HTTP/2 session per origin, on any Transport.
import { Session, type Event, type Limits, type Settings, type HeaderPairs } from '../core/session.ts';
import { ErrorCode } from '../core/constants.ts';
import type { Transport } from '../transport/types.ts';
import { Driver, type StreamHandler } from './driver.ts';
import { Inbound, pump, readerOf, toBytes, type BodyChunk } from './body.ts';
import { TrailerSlot, attachTrailers, pseudo, resolveTrailers, toHeaders, toPairs, trailersOf, type TrailersInit } from './headers.ts';
import { isNode, nodeConnect } from './node.ts';

export type Connector = (url: URL) => Transport | Promise<Transport>;

export interface FetchOptions {
  /** Opens a connection to an origin (given as a URL); default on Node: TCP, or TLS with ALPN h2 for https:. */
  connect?: Connector;
  /** One ready connection (used for the first session only), or a connector as `connect`. */
  transport?: Transport | Connector;
  /** Node: options for tls.connect (ca, rejectUnauthorized, …). */
  tls?: Record<string, unknown>;
  settings?: Settings;
  limits?: Limits;
  /** Close a session with no request in flight after this long (ms, default 5000). */
  idleTimeout?: number;
  /** How often a request refused by the server (GOAWAY, REFUSED_STREAM) is sent again (default 5). */
  maxRetries?: number;
  /** A streamed request body is kept up to this many octets so a refused request can be sent again (default 1 MiB). */
  replayBuffer?: number;
  /** The first stream id of each session (odd; default 1). A session whose ids run out is replaced; tests use this to get there quickly. */
  firstStreamId?: number;
}

/** `init` of h2wasm's fetch: RequestInit plus `trailers` to send after the body. */
export interface H2RequestInit extends RequestInit {
  trailers?: TrailersInit;
  duplex?: 'half';
}

export interface H2Fetch {
  (input: string | URL | Request, init?: H2RequestInit): Promise<Response>;
  /** Closes every pooled session (in-flight requests fail). */
  close(): Promise<void>;
  /** Sessions now open. */
  readonly sessions: number;
}

const DEFAULT_SETTINGS: Settings = { initialWindowSize: 1 << 20, enablePush: false };
const CONNECTION_WINDOW = 16 << 20;
const RETRY = Symbol('retry'); // the server did not process it: counts against maxRetries
const NOT_SENT = Symbol('not sent'); // the session could take no new stream (draining, ids used up)
const MAX_NOT_SENT = 100;

const fetchFailed = (cause: unknown) => new TypeError('fetch failed', { cause });

// ------------------------------------------------------------------ request bodies

/** A request body that can be read again from the start while it stays under the replay limit. */
class BodySource {
  readonly bytes: Uint8Array | null;
  #next: (() => Promise<Uint8Array | null>) | null = null;
  #cancel: ((reason?: unknown) => void) | null = null;
  #chunks: Uint8Array[] = [];
  #start = 0; // absolute index of #chunks[0]
  #kept = 0;
  #limit: number;
  #done = false;
  #reading: Promise<void> | null = null;
  #opened = false;
  replayable = true;

  constructor(source: Uint8Array | ReadableStream<BodyChunk> | AsyncIterable<BodyChunk>, limit: number) {
    this.#limit = limit;
    if (source instanceof Uint8Array) { this.bytes = source; return; }
    this.bytes = null;
    if (source instanceof ReadableStream) {
      const r = readerOf(source);
      this.#next = r.next;
      this.#cancel = r.cancel;
    } else {
      const it = source[Symbol.asyncIterator]();
      this.#next = async () => { const r = await it.next(); return r.done ? null : toBytes(r.value); };
      this.#cancel = () => { it.return?.().catch?.(() => {}); };
    }
  }

  /** A reader from the first octet, or null when the start was not kept. */
  open(): (() => Promise<Uint8Array | null>) | null {
    if (this.bytes) {
      let sent = false;
      return async () => { if (sent) return null; sent = true; return this.bytes; };
    }
    if (this.#opened && (!this.replayable || this.#start > 0)) return null;
    this.#opened = true;
    let pos = 0;
    return async () => {
      while (pos >= this.#start + this.#chunks.length) {
        if (this.#done) return null;
        await this.#read();
      }
      const c = this.#chunks[pos - this.#start];
      pos++;
      // Past the replay limit only the current reader needs what it has not read yet.
      if (!this.replayable) while (this.#start < pos) { this.#chunks.shift(); this.#start++; }
      return c;
    };
  }

  #read(): Promise<void> {
    this.#reading ??= this.#next!().then((c) => {
      this.#reading = null;
      if (c === null) { this.#done = true; return; }
      this.#chunks.push(c);
      this.#kept += c.length;
      if (this.#kept > this.#limit) this.replayable = false;
    }, (err) => { this.#reading = null; throw err; });
    return this.#reading;
  }

  cancel(reason?: unknown): void { this.#cancel?.(reason); }
}

interface Prepared {
  url: URL;
  method: string;
  headers: Headers;
  body: BodySource | null;
  signal: AbortSignal | null;
  redirect: RequestRedirect;
  trailers: TrailersInit | undefined;
}

async function prepare(input: string | URL | Request, init: H2RequestInit | undefined, limit: number): Promise<Prepared> {
  const req = input instanceof Request ? input : null;
  const url = new URL(req ? req.url : String(input));
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`h2wasm/fetch: unsupported scheme ${url.protocol}`);
  const method = (init?.method ?? req?.method ?? 'GET').toUpperCase();
  const headers = new Headers(init?.headers ?? req?.headers);
  let body: BodySource | null = null;
  const raw = init && 'body' in init ? init.body : req?.body;
  if (raw != null) {
    if (method === 'GET' || method === 'HEAD') throw new TypeError('Request with GET/HEAD method cannot have body.');
    if (raw instanceof ReadableStream) body = new BodySource(raw as ReadableStream<BodyChunk>, limit);
    else if (typeof raw === 'object' && Symbol.asyncIterator in (raw as object)) body = new BodySource(raw as unknown as AsyncIterable<BodyChunk>, limit);
    else {
      // Strings, buffers, Blob, FormData, URLSearchParams: fetch's own encoding and content-type.
      const r = new Response(raw as BodyInit);
      body = new BodySource(new Uint8Array(await r.arrayBuffer()), limit);
      const type = r.headers.get('content-type');
      if (type && !headers.has('content-type')) headers.set('content-type', type);
    }
  }
  return {
    url, method, headers, body,
    signal: init?.signal ?? req?.signal ?? null,
    redirect: init?.redirect ?? req?.redirect ?? 'follow',
    trailers: init?.trailers ?? (req ? trailersOf(req) : undefined),
  };
}

// ------------------------------------------------------------------ sessions

class ClientConn {
  readonly pool: Pool;
  readonly origin: string;
  driver: Driver | null = null;
  ready: Promise<void>;
  draining = false;
  goawayLast = 0x7fffffff;
  active = 0;
  #idle: ReturnType<typeof setTimeout> | undefined;

  constructor(pool: Pool, url: URL) {
    this.pool = pool;
    this.origin = url.origin;
    this.ready = this.#open(url);
    this.ready.catch(() => {});
  }

  async #open(url: URL): Promise<void> {
    const transport = await this.pool.connect(url);
    const o = this.pool.options;
    let session: Session;
    try {
      session = new Session({ role: 'client', firstStreamId: o.firstStreamId, settings: { ...DEFAULT_SETTINGS, ...o.settings }, limits: o.limits, connectionWindowSize: CONNECTION_WINDOW });
    } catch (err) {
      transport.close(); // options the core refuses: the connection must not linger
      throw err;
    }
    const d = this.driver = new Driver(session, transport);
    d.onEvent = (e) => {
      if (e.type === 'goaway') {
        // No new streams here; ours above lastStreamId come back as refused and are retried.
        this.draining = true;
        this.goawayLast = Math.min(this.goawayLast, e.lastStreamId);
        this.pool.retire(this);
        this.#maybeClose();
      }
    };
    d.onClose = () => { this.draining = true; this.pool.retire(this); clearTimeout(this.#idle); };
    if (d.closed) throw d.error ?? new Error('h2wasm: connection closed');
  }

  get usable(): boolean {
    return !this.draining && !(this.driver?.closed ?? false);
  }

  acquire(): void { this.active++; clearTimeout(this.#idle); this.#idle = undefined; }

  release(): void {
    this.active--;
    this.#maybeClose();
  }

  #maybeClose(): void {
    const d = this.driver;
    if (!d || d.closed || this.active > 0) return;
    if (this.draining) { this.close(); return; }
    clearTimeout(this.#idle);
    this.#idle = setTimeout(() => { this.draining = true; this.pool.retire(this); this.close(); }, this.pool.options.idleTimeout ?? 5000);
    // An idle pooled session must not keep a Node process alive.
    (this.#idle as { unref?: () => void }).unref?.();
  }

  close(): void {
    clearTimeout(this.#idle);
    const d = this.driver;
    if (!d || d.closed) return;
    try { d.submit((s) => s.goaway(ErrorCode.NO_ERROR)); } catch { /* gone */ }
    d.close();
  }

  /** One attempt: the Response, RETRY when the server did not process the request, NOT_SENT when it never went out. */
  exchange(p: Prepared): Promise<Response | typeof RETRY | typeof NOT_SENT> {
    const d = this.driver!;
    return new Promise((resolve, reject) => {
      const headers: HeaderPairs = [
        [':method', p.method], [':scheme', p.url.protocol.slice(0, -1)], [':authority', p.url.host],
        [':path', p.url.pathname + p.url.search],
        ...toPairs(p.headers, new Set(['host'])),
      ];
      const next = p.body ? p.body.open() : null;
      if (p.body && !next) { reject(fetchFailed(new Error('h2wasm: the request body was refused and is too long to send again'))); return; }
      const sendsMore = !!p.body || !!p.trailers;
      let id: number;
      try {
        id = d.submit((s) => s.request(headers, { endStream: !sendsMore }));
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code === 'ERR_HTTP2_GOAWAY_SESSION' || code === 'ERR_HTTP2_OUT_OF_STREAMS' || code === 'ERR_HTTP2_INVALID_SESSION') {
          this.draining = true;
          this.pool.retire(this);
          this.#maybeClose(); // with nothing in flight it closes now
          resolve(NOT_SENT);
        } else reject(fetchFailed(err));
        return;
      }
      this.acquire();
      const inbound = new Inbound(d, id);
      const trailers = new TrailerSlot();
      let responded = false, settled = false, remoteDone = false, localDone = !sendsMore, over = false;
      const head = p.method === 'HEAD';

      const end = () => {
        if (over) return;
        over = true;
        d.streams.delete(id);
        p.signal?.removeEventListener('abort', onAbort);
        this.release();
      };
      const maybeEnd = () => { if (remoteDone && localDone) end(); };
      const fail = (err: unknown, retry: boolean) => {
        localDone = remoteDone = true;
        if (!responded && !settled) {
          settled = true;
          if (retry) resolve(RETRY);
          else reject(err);
        } else {
          inbound.fail(err);
          trailers.reject(err);
        }
        end();
      };
      const onAbort = () => {
        const reason = p.signal!.reason ?? new DOMException('This operation was aborted', 'AbortError');
        if (d.alive(id)) { try { d.submit((s) => s.reset(id, ErrorCode.CANCEL)); } catch { /* gone */ } }
        p.body?.cancel(reason);
        fail(reason, false);
      };
      inbound.onCancel = () => {
        // The reader lost interest: stop the server sending (RST_STREAM CANCEL).
        if (d.alive(id)) { try { d.submit((s) => s.reset(id, ErrorCode.CANCEL)); } catch { /* gone */ } }
        remoteDone = localDone = true;
        trailers.reject(new DOMException('The response body was cancelled', 'AbortError'));
        end();
      };

      const handler: StreamHandler = {
        event: (e: Event) => {
          switch (e.type) {
            case 'response': {
              const status = Number(pseudo(e.headers, ':status'));
              const nullBody = head || status === 204 || status === 205 || status === 304;
              if (e.endStream) { inbound.end(); trailers.resolve(new Headers()); remoteDone = true; }
              let response: Response;
              try {
                response = new Response(nullBody ? null : inbound.stream, { status, headers: toHeaders(e.headers) });
              } catch (err) {
                // A status fetch cannot represent (e.g. 600): the server must stop sending, or its
                // body would sit unread and hold the connection window.
                if (d.alive(id)) { try { d.submit((s) => s.reset(id, ErrorCode.CANCEL)); } catch { /* gone */ } }
                fail(fetchFailed(err), false);
                return;
              }
              if (nullBody) inbound.stream.cancel().catch(() => {});
              Object.defineProperty(response, 'url', { value: p.url.href });
              attachTrailers(response, trailers);
              responded = settled = true;
              resolve(response);
              maybeEnd();
              break;
            }
            case 'data':
              inbound.push(e.bytes);
              if (e.endStream) { inbound.end(); trailers.resolve(new Headers()); remoteDone = true; maybeEnd(); }
              break;
            case 'trailers': trailers.resolve(toHeaders(e.headers)); break;
            case 'stream-end':
              inbound.end(); trailers.resolve(new Headers()); remoteDone = true; maybeEnd();
              break;
            case 'reset':
              // NO_ERROR after a whole response: the server just does not want the rest of our body.
              if (e.code === ErrorCode.NO_ERROR && remoteDone) { localDone = true; p.body?.cancel(); end(); break; }
              fail(fetchFailed(new Error(`h2wasm: the server reset the stream (code ${e.code})`)), e.code === ErrorCode.REFUSED_STREAM);
              break;
            case 'error':
              fail(fetchFailed(new Error(`h2wasm: stream error ${e.code} (${e.reason})`)), e.code === ErrorCode.REFUSED_STREAM && !e.local);
              break;
            default: break;
          }
        },
        closed: (error: Error) => {
          // Above the GOAWAY's last stream id the server did not process it: safe to send again.
          fail(fetchFailed(error), !responded && id > this.goawayLast);
        },
      };
      d.streams.set(id, handler);
      if (p.signal) p.signal.addEventListener('abort', onAbort, { once: true });

      if (sendsMore) {
        void (async () => {
          try {
            if (next) {
              const ok = await pump(d, id, next, () => over || localDone);
              if (!ok) return;
            }
            const pairs = p.trailers ? await resolveTrailers(p.trailers) : [];
            if (over || localDone || !d.alive(id)) return;
            if (pairs.length) d.submit((s) => s.trailers(id, pairs));
            else d.submit((s) => s.data(id, new Uint8Array(0), { endStream: true }));
            localDone = true;
            maybeEnd();
          } catch (err) {
            // The request body failed: the server must not take a cut body as whole.
            if (!over && d.alive(id)) { try { d.submit((s) => s.reset(id, ErrorCode.CANCEL)); } catch { /* gone */ } }
            fail(fetchFailed(err), false);
          }
        })();
      }
    });
  }
}

class Pool {
  readonly options: FetchOptions;
  #current = new Map<string, ClientConn>();
  #all = new Set<ClientConn>();
  #transport: Transport | null;
  #connect: Connector | null;

  constructor(options: FetchOptions) {
    this.options = options;
    const t = options.transport;
    this.#transport = t && typeof t !== 'function' ? held(t) : null;
    this.#connect = options.connect ?? (typeof t === 'function' ? t : null);
  }

  get size(): number { return this.#all.size; }

  async connect(url: URL): Promise<Transport> {
    if (this.#transport) {
      const t = this.#transport;
      this.#transport = null;
      return t;
    }
    if (this.#connect) return this.#connect(url);
    if (isNode) return nodeConnect(url, this.options.tls);
    throw new TypeError('h2wasm/fetch: no way to open a connection (give options.connect)');
  }

  /** The origin's usable session, opened when needed. */
  async session(url: URL): Promise<ClientConn> {
    const key = url.origin;
    let c = this.#current.get(key);
    if (c && !c.usable) { this.retire(c); c = undefined; }
    if (!c) {
      const conn = c = new ClientConn(this, url);
      this.#current.set(key, conn);
      this.#all.add(conn);
      conn.ready.then(() => {
        const d = conn.driver!;
        const prev = d.onClose;
        d.onClose = (e) => { prev(e); this.#all.delete(conn); };
      }, () => { this.retire(conn); this.#all.delete(conn); });
    }
    await c.ready;
    return c;
  }

  retire(c: ClientConn): void {
    if (this.#current.get(c.origin) === c) this.#current.delete(c.origin);
  }

  async close(): Promise<void> {
    const all = [...this.#all];
    this.#current.clear();
    await Promise.all(all.map((c) => c.ready.catch(() => {})));
    for (const c of all) c.close();
    this.#all.clear();
  }
}

/**
 * A transport given up front: what it delivers before the session exists is kept (a server
 * may send its SETTINGS before our first request), then replayed to the session.
 */
function held(t: Transport): Transport {
  let early: Uint8Array[] | null = [];
  const sinks: Array<(c: Uint8Array) => void> = [];
  t.on('data', (c) => { if (early) early.push(c); else for (const fn of sinks) fn(c); });
  return {
    get closed() { return t.closed; },
    write: (c: Uint8Array) => t.write(c),
    close: (e?: Error) => t.close(e),
    on(event: 'data' | 'drain' | 'close', fn: (arg?: any) => void): void {
      if (event !== 'data') { t.on(event as 'drain', fn); return; }
      sinks.push(fn);
      queueMicrotask(() => {
        const kept = early ?? [];
        early = null;
        for (const c of kept) for (const f of sinks) f(c);
      });
    },
  } as Transport;
}

// ------------------------------------------------------------------ fetch

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** A `fetch` over pooled HTTP/2 sessions (one per origin) on the given transports. */
export function createFetch(options: FetchOptions = {}): H2Fetch {
  const first = options.firstStreamId;
  if (first !== undefined && (!Number.isInteger(first) || first < 1 || first > 0x7fffffff || first % 2 === 0)) {
    throw new TypeError('h2wasm: firstStreamId must be an odd integer from 1 to 2^31-1');
  }
  const pool = new Pool(options);
  const maxRetries = options.maxRetries ?? 5;
  const limit = options.replayBuffer ?? 1 << 20;

  const attempt = async (p: Prepared): Promise<Response> => {
    for (let tries = 0, unsent = 0; ; tries++) {
      if (p.signal?.aborted) throw p.signal.reason;
      let conn: ClientConn;
      try {
        conn = await abortable(pool.session(p.url), p.signal);
      } catch (err) {
        if (p.signal?.aborted) throw p.signal.reason;
        throw fetchFailed(err);
      }
      const r = await conn.exchange(p);
      if (r === NOT_SENT) {
        // A new session takes it; only a pool that can open none that works would loop.
        if (++unsent > MAX_NOT_SENT) throw fetchFailed(new Error('h2wasm: no session could take the request'));
        tries--;
        continue;
      }
      if (r !== RETRY) return r;
      if (tries >= maxRetries) throw fetchFailed(new Error('h2wasm: the request was refused by the server'));
    }
  };

  const h2fetch = (async (input: string | URL | Request, init?: H2RequestInit): Promise<Response> => {
    let p = await prepare(input, init, limit);
    for (let redirects = 0; ; redirects++) {
      const response = await attempt(p);
      if (!REDIRECTS.has(response.status) || p.redirect === 'manual') return response;
      if (p.redirect === 'error') throw fetchFailed(new Error(`h2wasm: redirect to ${response.headers.get('location')}`));
      const location = response.headers.get('location');
      if (location === null) return response;
      if (redirects >= 20) throw fetchFailed(new Error('h2wasm: too many redirects'));
      response.body?.cancel().catch(() => {});
      const url = new URL(location, p.url);
      const toGet = response.status === 303 ? p.method !== 'HEAD' : (response.status === 301 || response.status === 302) && p.method === 'POST';
      const headers = new Headers(p.headers);
      if (toGet) for (const h of ['content-type', 'content-length', 'content-encoding', 'content-language', 'content-location']) headers.delete(h);
      if (url.origin !== p.url.origin) headers.delete('authorization');
      p = { ...p, url, headers, method: toGet ? 'GET' : p.method, body: toGet ? null : p.body, trailers: toGet ? undefined : p.trailers };
    }
  }) as H2Fetch;
  h2fetch.close = () => pool.close();
  Object.defineProperty(h2fetch, 'sessions', { get: () => pool.size });
  return h2fetch;
}

function abortable<T>(p: Promise<T>, signal: AbortSignal | null): Promise<T> {
  if (!signal) return p;
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then((v) => { signal.removeEventListener('abort', onAbort); resolve(v); },
      (e) => { signal.removeEventListener('abort', onAbort); reject(e); });
  });
}

let shared: H2Fetch | null = null;

/** `fetch` over h2wasm with the default options (Node: TCP / TLS connections). */
export function request(input: string | URL | Request, init?: H2RequestInit): Promise<Response> {
  shared ??= createFetch();
  return shared(input, init);
}
