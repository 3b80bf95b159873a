// serve(handler, options): Request → Response over HTTP/2 on any Transport (Deno.serve's shape).
import { Session, type Event, type Limits, type Settings, type HeaderPairs } from '../core/session.ts';
import { ErrorCode } from '../core/constants.ts';
import type { Transport } from '../transport/types.ts';
import { Driver, type StreamHandler } from './driver.ts';
import { Inbound, pump, readerOf } from './body.ts';
import { TrailerSlot, attachTrailers, pseudo, resolveTrailers, toHeaders, toPairs, trailersOf } from './headers.ts';
import { isNode, nodeListen, type NodeListener } from './node.ts';

export type Handler = (request: Request) => Response | Promise<Response>;

/** Hands accepted transports to `accept`; may return a function that stops accepting. */
export type TransportListener = (accept: (transport: Transport) => void) => void | (() => unknown) | Promise<void | (() => unknown)>;

export interface ServeAddr { hostname: string; port: number; transport: string }

export interface ServeOptions {
  /** Node: TCP port (default 8000; 0 picks one). */
  port?: number;
  /** Node: address to listen on (default 0.0.0.0). */
  hostname?: string;
  /** Instead of a Node listener: one Transport, an async iterable of them, or a listener function. */
  transport?: Transport | AsyncIterable<Transport> | TransportListener;
  /** Node: TLS options (key, cert, …); ALPN "h2" is offered. */
  tls?: Record<string, unknown>;
  /** Aborting it shuts the server down (as `shutdown()`). */
  signal?: AbortSignal;
  onListen?: (addr: ServeAddr) => void;
  /** A handler that threw or rejected: the response to send instead (default: 500). */
  onError?: (error: unknown, request: Request) => Response | void | Promise<Response | void>;
  settings?: Settings;
  limits?: Limits;
  /** Close a connection whose SETTINGS have not arrived by then (ms, default 10000). */
  prefaceTimeout?: number;
}

export interface H2Server {
  /** Resolves once listening (Node listener) or at once for other transports. */
  readonly ready: Promise<H2Server>;
  /** Resolves when the server has stopped and its last connection has closed. */
  readonly finished: Promise<void>;
  /** The Node listener's address (null for other transports, and until `ready`). */
  readonly addr: ServeAddr | null;
  readonly port: number | undefined;
  /** Stops accepting, sends GOAWAY on every connection, waits for in-flight requests, closes. */
  shutdown(): Promise<void>;
  /** Connections now open. */
  readonly connections: number;
}

const DEFAULT_SETTINGS: Settings = { initialWindowSize: 1 << 20, maxConcurrentStreams: 100 };
const CONNECTION_WINDOW = 16 << 20;

const aborted = (why: string) => new DOMException(why, 'AbortError');

class Notifier {
  #waiters: Array<() => void> = [];
  wait(): Promise<void> { return new Promise((r) => this.#waiters.push(r)); }
  notify(): void { const w = this.#waiters; this.#waiters = []; for (const f of w) f(); }
}

class ServerStream implements StreamHandler {
  readonly id: number;
  readonly conn: ServerConn;
  readonly controller = new AbortController();
  readonly trailers = new TrailerSlot();
  inbound: Inbound | null = null;
  request: Request | null = null;
  remoteEnded: boolean;
  finished = false;
  cancelBody: ((reason?: unknown) => void) | null = null;

  constructor(conn: ServerConn, id: number, endStream: boolean) {
    this.conn = conn;
    this.id = id;
    this.remoteEnded = endStream;
    if (endStream) this.trailers.resolve(new Headers());
  }

  get gone(): boolean { return this.finished || this.controller.signal.aborted; }

  event(e: Event): void {
    switch (e.type) {
      case 'data':
        this.inbound?.push(e.bytes);
        if (e.endStream) this.#remoteEnd();
        break;
      case 'trailers': this.trailers.resolve(toHeaders(e.headers)); break;
      case 'stream-end': this.#remoteEnd(); break;
      case 'reset': this.abort(aborted(`h2wasm: the client reset the stream (code ${e.code})`)); break;
      case 'error': this.abort(aborted(`h2wasm: stream error ${e.code} (${e.reason})`)); break;
      default: break;
    }
  }

  closed(error: Error): void {
    this.abort(aborted(`h2wasm: the connection closed (${error.message})`));
  }

  #remoteEnd(): void {
    this.remoteEnded = true;
    this.inbound?.end();
    this.trailers.resolve(new Headers());
  }

  /** The peer reset the stream or the connection went: the handler sees request.signal abort. */
  abort(reason: Error): void {
    if (this.finished) return;
    this.inbound?.fail(reason);
    this.trailers.reject(reason);
    this.cancelBody?.(reason);
    if (!this.controller.signal.aborted) this.controller.abort(reason);
    this.finish();
  }

  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.conn.release(this);
  }
}

class ServerConn {
  readonly driver: Driver;
  readonly server: Server;
  readonly streams = new Map<number, ServerStream>();
  readonly changed = new Notifier();
  #pingAcked = false;
  #closing = false;

  constructor(server: Server, transport: Transport) {
    this.server = server;
    const o = server.options;
    const session = new Session({
      role: 'server', settings: { ...DEFAULT_SETTINGS, ...o.settings }, limits: o.limits,
      connectionWindowSize: CONNECTION_WINDOW,
    });
    this.driver = new Driver(session, transport, { prefaceTimeout: o.prefaceTimeout ?? 10_000 });
    this.driver.onEvent = (e) => {
      if (e.type === 'request') this.#request(e);
      else if (e.type === 'ping-ack') { this.#pingAcked = true; this.changed.notify(); }
      else if (e.type === 'goaway') this.changed.notify();
    };
    this.driver.onClose = () => { this.changed.notify(); server.connClosed(this); };
  }

  release(st: ServerStream): void {
    this.streams.delete(st.id);
    this.driver.streams.delete(st.id);
    this.changed.notify();
  }

  #request(e: Extract<Event, { endStream: boolean; headers: HeaderPairs }>): void {
    if (this.driver.closed) return;
    const id = e.streamId;
    const method = pseudo(e.headers, ':method') ?? 'GET';
    const st = new ServerStream(this, id, e.endStream);
    this.streams.set(id, st);
    this.driver.streams.set(id, st);
    let request: Request;
    try {
      if (method === 'CONNECT') throw new TypeError('CONNECT is not served by h2wasm/fetch');
      const scheme = pseudo(e.headers, ':scheme') ?? 'http';
      const headers = toHeaders(e.headers);
      const authority = pseudo(e.headers, ':authority') ?? headers.get('host') ?? this.server.hostname;
      const url = `${scheme}://${authority}${pseudo(e.headers, ':path') ?? '/'}`;
      const hasBody = !e.endStream && method !== 'GET' && method !== 'HEAD';
      if (!e.endStream) {
        st.inbound = new Inbound(this.driver, id);
        // Nobody will read it: octets go back to the window at once.
        if (!hasBody) st.inbound.stream.cancel().catch(() => {});
      }
      request = new Request(url, {
        method, headers, signal: st.controller.signal,
        body: hasBody ? st.inbound!.stream : null,
        // Node's Request wants this for a stream body (the WHATWG "duplex" member).
        ...(hasBody ? { duplex: 'half' } : {}),
      } as RequestInit);
    } catch {
      // A request fetch's Request cannot represent (CONNECT, a bad URL): 400/501, no handler.
      this.#simple(st, method === 'CONNECT' ? 501 : 400);
      return;
    }
    st.request = request;
    attachTrailers(request, st.trailers);
    void this.#respond(st, request, method);
  }

  #simple(st: ServerStream, status: number): void {
    try {
      this.driver.submit((s) => s.respond(st.id, [[':status', String(status)]], { endStream: true }));
      if (!st.remoteEnded) this.driver.submit((s) => s.reset(st.id, ErrorCode.NO_ERROR));
    } catch { /* the stream is gone */ }
    st.finish();
  }

  async #respond(st: ServerStream, request: Request, method: string): Promise<void> {
    let response: Response;
    try {
      response = await this.server.handler(request);
      if (!(response instanceof Response)) throw new TypeError('h2wasm/fetch: the handler must return a Response');
    } catch (err) {
      response = await this.server.failed(err, request);
    }
    if (st.gone) {
      response.body?.cancel().catch(() => {});
      return;
    }
    const id = st.id, d = this.driver;
    const status = response.status;
    const headers: HeaderPairs = [[':status', String(status)], ...toPairs(response.headers)];
    const noBody = method === 'HEAD' || status === 204 || status === 304;
    const trailerInit = noBody ? undefined : trailersOf(response);
    const body = noBody ? null : response.body;
    if (noBody) response.body?.cancel().catch(() => {});
    const endOnHeaders = !body && !trailerInit;
    try {
      d.submit((s) => s.respond(id, headers, { endStream: endOnHeaders }));
      if (body) {
        const r = readerOf(body);
        st.cancelBody = r.cancel;
        const ok = await pump(d, id, r.next, () => st.gone);
        st.cancelBody = null;
        if (!ok) { r.cancel(); return; }
      }
      if (!endOnHeaders) {
        const pairs = trailerInit ? await resolveTrailers(trailerInit) : [];
        if (st.gone || !d.alive(id)) return;
        if (pairs.length) d.submit((s) => s.trailers(id, pairs));
        else d.submit((s) => s.data(id, new Uint8Array(0), { endStream: true }));
      }
    } catch (err) {
      // The body stream or the trailers failed: the client must not take a cut body as whole.
      if (!st.gone && d.alive(id)) {
        try { d.submit((s) => s.reset(id, ErrorCode.INTERNAL_ERROR)); } catch { /* gone */ }
      }
      st.abort(aborted(`h2wasm: the response failed (${(err as Error)?.message ?? err})`));
      return;
    }
    await this.#drain(st, request);
  }

  /** Waits until the stream has closed both ways; an unread request body is then refused (RFC 9113 §8.1). */
  async #drain(st: ServerStream, request: Request): Promise<void> {
    const d = this.driver, id = st.id;
    let refused = false;
    while (!st.gone && d.alive(id)) {
      const sent = d.session.bufferedAmount(id) === 0 && d.session.streamState(id).pending <= 0;
      if (sent && !refused && !st.remoteEnded && !request.bodyUsed && !request.body?.locked) {
        refused = true;
        try { d.submit((s) => s.reset(id, ErrorCode.NO_ERROR)); } catch { /* gone */ }
        continue;
      }
      await d.progress();
    }
    st.finish();
  }

  /** GOAWAY (graceful: the client's PING ACK marks the final last stream id), then close when idle. */
  async shutdown(): Promise<void> {
    const d = this.driver;
    if (this.#closing || d.closed) return;
    this.#closing = true;
    try { d.submit((s) => s.goaway(ErrorCode.NO_ERROR)); } catch { /* gone */ }
    const giveUp = setTimeout(() => { this.#pingAcked = true; this.changed.notify(); }, 2000);
    while (!d.closed && (!this.#pingAcked || this.streams.size)) await this.changed.wait();
    clearTimeout(giveUp);
    d.close();
  }
}

class Server implements H2Server {
  readonly handler: Handler;
  readonly options: ServeOptions;
  readonly hostname: string;
  readonly ready: Promise<H2Server>;
  readonly finished: Promise<void>;
  addr: ServeAddr | null = null;
  #conns = new Set<ServerConn>();
  #stop: (() => unknown) | null = null;
  #stopping: Promise<void> | null = null;
  #accepting = true;
  #sourceDone = false; // a finite source (one transport, an iterable) has ended
  #finish!: () => void;
  #ready!: { resolve: (s: H2Server) => void; reject: (e: unknown) => void };

  constructor(handler: Handler, options: ServeOptions) {
    this.handler = handler;
    this.options = options;
    this.hostname = options.hostname ?? '0.0.0.0';
    this.finished = new Promise((r) => { this.#finish = r; });
    this.ready = new Promise((resolve, reject) => { this.#ready = { resolve, reject }; });
    this.ready.catch(() => {}); // also reported through finished
    options.signal?.addEventListener('abort', () => { void this.shutdown(); }, { once: true });
    void this.#start();
  }

  get port(): number | undefined { return this.addr?.port; }
  get connections(): number { return this.#conns.size; }

  async #start(): Promise<void> {
    const t = this.options.transport;
    const accept = (tr: Transport) => this.accept(tr);
    try {
      if (this.options.signal?.aborted) throw this.options.signal.reason;
      if (t && typeof (t as Transport).write === 'function' && typeof (t as Transport).on === 'function') {
        accept(t as Transport);
        this.#sourceDone = true;
        this.#ready.resolve(this);
      } else if (t && typeof (t as AsyncIterable<Transport>)[Symbol.asyncIterator] === 'function') {
        const it = (t as AsyncIterable<Transport>)[Symbol.asyncIterator]();
        this.#stop = () => it.return?.();
        this.#ready.resolve(this);
        for (;;) {
          const r = await it.next();
          if (r.done) break;
          if (this.#accepting) accept(r.value);
          else r.value.close();
        }
        this.#sourceDone = true;
        this.#maybeFinished();
      } else if (typeof t === 'function') {
        const stop = await (t as TransportListener)(accept);
        if (typeof stop === 'function') this.#stop = stop;
        this.#ready.resolve(this);
      } else if (isNode) {
        const l: NodeListener = await nodeListen({ port: this.options.port ?? 8000, hostname: this.hostname, tls: this.options.tls }, accept);
        this.#stop = () => l.close();
        this.addr = l.addr;
        if (!this.#accepting) { await l.close(); return; }
        this.#ready.resolve(this);
        if (this.options.onListen) this.options.onListen(l.addr);
      } else {
        throw new TypeError('h2wasm/fetch: serve needs options.transport outside Node');
      }
    } catch (err) {
      this.#ready.reject(err);
      this.#accepting = false;
      this.#sourceDone = true;
      this.#maybeFinished();
    }
  }

  accept(transport: Transport): void {
    if (!this.#accepting) { transport.close(); return; }
    this.#conns.add(new ServerConn(this, transport));
  }

  connClosed(conn: ServerConn): void {
    this.#conns.delete(conn);
    this.#maybeFinished();
  }

  #maybeFinished(): void {
    if (!this.#conns.size && this.#sourceDone) this.#finish();
  }

  async failed(err: unknown, request: Request): Promise<Response> {
    try {
      const r = await this.options.onError?.(err, request);
      if (r instanceof Response) return r;
      if (!this.options.onError) console.error('h2wasm/fetch: handler failed:', err);
    } catch (e) {
      console.error('h2wasm/fetch: onError failed:', e);
    }
    return new Response('Internal Server Error', { status: 500, headers: { 'content-type': 'text/plain;charset=UTF-8' } });
  }

  shutdown(): Promise<void> {
    if (this.#stopping) return this.#stopping;
    this.#accepting = false;
    this.#stopping = (async () => {
      await this.ready.catch(() => {});
      // Not awaited first: a Node listener's close() waits for the connections we are ending.
      const stopped = Promise.resolve().then(() => this.#stop?.()).catch(() => {});
      await Promise.all([...this.#conns].map((c) => c.shutdown()));
      await stopped;
      while (this.#conns.size) await Promise.race([...this.#conns].map((c) => c.changed.wait()));
      this.#finish();
    })();
    return this.#stopping;
  }
}

/**
 * Serves `handler` over HTTP/2: on a Node TCP/TLS listener, or on the transports given as
 * `options.transport`. Returns the server at once; `ready` resolves when it listens.
 */
export function serve(handler: Handler, options: ServeOptions = {}): H2Server {
  if (typeof handler !== 'function') throw new TypeError('h2wasm/fetch: serve(handler) needs a function');
  return new Server(handler, options);
}
