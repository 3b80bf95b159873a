// Drives an h2wasm `Session` (sans-IO) over a node:net socket: socket bytes go into
// receive(), pull() output goes out in one corked gather write, reading pauses while the
// socket's write buffer is over its high-water mark. Records every event per stream so
// tests can wait on streams and inspect what arrived.
import net from 'node:net';
import { EventEmitter, once } from 'node:events';
import { createHash, type Hash } from 'node:crypto';
import { Session } from '../../../bindings/core/index.ts';
import { HOST, within, type Scope } from './util.ts';

export type Fields = [string, string][];
// Events are plain objects (docs/core.md); typed loosely here so the tests read the docs' names.
export type H2Event = { type: string; streamId?: number; [key: string]: any };

/** Everything seen on one stream. `done` settles when the peer ends or resets it, or the connection closes. */
export class StreamRecord {
  request?: Fields;
  response?: Fields;
  informational: Fields[] = [];
  trailers?: Fields;
  pushes: { promisedStreamId: number; headers: Fields }[] = [];
  octets = 0;
  dataFrames = 0;
  chunks: Uint8Array[] | null = null;
  ended = false;
  reset: number | null = null;
  error: H2Event | null = null;
  connectionClosed = false;
  /** Called for each DATA payload as it arrives (after it is counted). */
  onData: ((bytes: Uint8Array) => void) | null = null;
  private hash: Hash = createHash('sha256');
  private settle!: (r: StreamRecord) => void;
  readonly done: Promise<StreamRecord>;
  constructor(readonly id: number, keepChunks: boolean) {
    if (keepChunks) this.chunks = [];
    this.done = new Promise((resolve) => { this.settle = resolve; });
  }
  get status(): number | null {
    const s = this.response?.find(([n]) => n === ':status');
    return s ? Number(s[1]) : null;
  }
  header(name: string): string | undefined {
    return this.response?.find(([n]) => n === name)?.[1] ?? this.request?.find(([n]) => n === name)?.[1];
  }
  addData(bytes: Uint8Array) {
    this.octets += bytes.length;
    this.dataFrames++;
    this.hash.update(bytes);
    this.chunks?.push(bytes);
    this.onData?.(bytes);
  }
  private digestValue: string | null = null;
  /** SHA-256 of the DATA received (call once the stream is done). */
  digest(): string {
    return (this.digestValue ??= this.hash.digest('hex'));
  }
  finish() {
    this.settle(this);
  }
  describe(): string {
    return `stream ${this.id}: status ${this.status}, ${this.octets} octets, ended ${this.ended}, reset ${this.reset}, ` +
      `error ${this.error ? JSON.stringify({ code: this.error.code, reason: this.error.reason }) : null}, connection closed ${this.connectionClosed}`;
  }
}

export interface SocketSessionOptions {
  /** Session constructor options other than role. */
  session?: Record<string, unknown>;
  /** Server role: called on each `request` event (errors are recorded in `failures`). */
  onRequest?: (stream: StreamRecord, conn: SocketSession) => unknown;
  /** Keep received DATA chunks on each stream record. */
  keepChunks?: boolean;
  /** Call consume() for each DATA payload as it arrives (default true). */
  autoConsume?: boolean;
  /** Record every frame sent and received in `frames` (session.observe, from the first byte). */
  observe?: boolean;
}

export class SocketSession extends EventEmitter {
  readonly session: InstanceType<typeof Session>;
  readonly streams = new Map<number, StreamRecord>();
  /** Every event, DATA payloads replaced by their length. */
  readonly log: H2Event[] = [];
  /** `error` events from the session. */
  readonly errors: H2Event[] = [];
  /** Exceptions: from receive(), from handlers, socket errors. */
  readonly failures: unknown[] = [];
  /** Frames seen by session.observe(), when `observeFrames()` was called. */
  readonly frames: any[] = [];
  closed = false;
  readonly closedPromise: Promise<void>;
  private writeBlocked = false;
  private flushQueued = false;
  private onRequest?: SocketSessionOptions['onRequest'];
  private keepChunks: boolean;
  private autoConsume: boolean;

  constructor(readonly socket: net.Socket, role: 'client' | 'server', opts: SocketSessionOptions = {}) {
    super();
    this.session = new Session({ ...(opts.session ?? {}), role } as any);
    this.onRequest = opts.onRequest;
    this.keepChunks = opts.keepChunks ?? false;
    this.autoConsume = opts.autoConsume ?? true;
    if (opts.observe) this.observeFrames();
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onBytes(chunk));
    socket.on('error', (err) => this.failures.push(err));
    this.closedPromise = new Promise((resolve) => socket.once('close', () => {
      this.closed = true;
      for (const r of this.streams.values()) {
        r.connectionClosed = true;
        r.finish();
      }
      resolve();
    }));
    this.flush();
  }

  /** The record of stream `id` (created on first use). */
  stream(id: number): StreamRecord {
    let r = this.streams.get(id);
    if (!r) {
      r = new StreamRecord(id, this.keepChunks);
      this.streams.set(id, r);
    }
    return r;
  }

  /** Records frames from now on (call before the first flush; `observe` option). */
  observeFrames(): void {
    // Headers only: payload copies of large bodies would pile up.
    this.session.observe((f: any) => this.frames.push({ direction: f.direction, type: f.type, flags: f.flags, streamId: f.streamId, length: f.length }));
  }

  private onBytes(chunk: Buffer) {
    let events: H2Event[];
    try {
      events = this.session.receive(chunk) as H2Event[];
    } catch (err) {
      this.failures.push(err);
      this.socket.destroy();
      return;
    }
    for (const ev of events) this.dispatch(ev);
    this.flush();
  }

  private dispatch(ev: H2Event) {
    this.log.push(ev.type === 'data' ? { type: 'data', streamId: ev.streamId, length: ev.bytes.length, endStream: ev.endStream } : ev);
    const r = ev.streamId ? this.stream(ev.streamId) : null;
    switch (ev.type) {
      case 'request':
        r!.request = ev.headers;
        if (ev.endStream) r!.ended = true;
        if (this.onRequest) {
          try {
            Promise.resolve(this.onRequest(r!, this)).catch((err) => this.failures.push(err));
          } catch (err) {
            this.failures.push(err);
          }
        }
        if (ev.endStream) r!.finish();
        break;
      case 'response':
        r!.response = ev.headers;
        if (ev.endStream) { r!.ended = true; r!.finish(); }
        break;
      case 'informational':
        r!.informational.push(ev.headers);
        break;
      case 'trailers':
        r!.trailers = ev.headers;
        break;
      case 'data':
        r!.addData(ev.bytes);
        if (this.autoConsume && ev.bytes.length) this.session.consume(ev.streamId!, ev.bytes.length);
        if (ev.endStream) { r!.ended = true; r!.finish(); }
        break;
      case 'stream-end':
        r!.ended = true;
        r!.finish();
        break;
      case 'reset':
        r!.reset = ev.code;
        r!.finish();
        break;
      case 'push':
        r!.pushes.push({ promisedStreamId: ev.promisedStreamId, headers: ev.headers });
        this.stream(ev.promisedStreamId).request = ev.headers;
        break;
      case 'error':
        this.errors.push(ev);
        if (ev.scope === 'stream' && ev.streamId) {
          this.stream(ev.streamId).error = ev;
          this.stream(ev.streamId).finish();
        }
        break;
    }
    this.emit('event', ev);
  }

  /** Writes what the session has to send: one corked gather write. */
  flush(): void {
    this.flushQueued = false;
    if (this.closed || this.writeBlocked || this.socket.destroyed) return;
    let chunks: Uint8Array[];
    try {
      chunks = this.session.pull();
    } catch (err) {
      this.failures.push(err);
      this.socket.destroy();
      return;
    }
    if (chunks.length === 0) return;
    this.socket.cork();
    let ok = true;
    for (const c of chunks) ok = this.socket.write(c);
    this.socket.uncork();
    if (!ok) {
      // Backpressure: stop reading and sending until the socket has drained.
      this.writeBlocked = true;
      this.socket.pause();
      this.socket.once('drain', () => {
        this.writeBlocked = false;
        this.socket.resume();
        this.flush();
      });
    } else if (this.session.wantsWrite) {
      this.queueFlush();
    }
  }

  /** Flush at the end of this turn (several calls, one write). */
  queueFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    queueMicrotask(() => this.flush());
  }

  // The session's calls, each followed by a queued flush.
  private call<T>(fn: () => T): T {
    const v = fn();
    this.queueFlush();
    return v;
  }
  request(headers: Fields, opts?: { endStream?: boolean }): StreamRecord {
    return this.stream(this.call(() => this.session.request(headers, opts)));
  }
  respond(id: number, headers: Fields, opts?: { endStream?: boolean }) { this.call(() => this.session.respond(id, headers, opts)); }
  informational(id: number, headers: Fields) { this.call(() => this.session.informational(id, headers)); }
  push(id: number, headers: Fields): number { return this.call(() => this.session.push(id, headers)); }
  data(id: number, bytes: Uint8Array, opts?: { endStream?: boolean }) { this.call(() => this.session.data(id, bytes, opts)); }
  trailers(id: number, headers: Fields) { this.call(() => this.session.trailers(id, headers)); }
  reset(id: number, code: number) { this.call(() => this.session.reset(id, code)); }
  ping(payload?: Uint8Array): Uint8Array { return this.call(() => this.session.ping(payload)); }
  settings(settings: Record<string, number | boolean>) { this.call(() => this.session.settings(settings)); }
  goaway(code?: number, debugData?: Uint8Array) { this.call(() => this.session.goaway(code, debugData)); }
  consume(id: number, n: number) { this.call(() => this.session.consume(id, n)); }

  /** Sends a whole body: data() then end of stream (or trailers). */
  sendBody(id: number, bytes: Uint8Array, trailers?: Fields) {
    if (trailers) {
      if (bytes.length) this.data(id, bytes);
      this.trailers(id, trailers);
    } else {
      this.data(id, bytes, { endStream: true });
    }
  }

  /** The first event (already seen or to come) matching `pred`. */
  waitFor(pred: (ev: H2Event) => boolean, ms = 5000, what = 'an event'): Promise<H2Event> {
    const seen = this.log.find(pred);
    if (seen) return Promise.resolve(seen);
    return within(new Promise((resolve) => {
      const on = (ev: H2Event) => {
        if (pred(ev)) {
          this.off('event', on);
          resolve(ev);
        }
      };
      this.on('event', on);
    }), ms, `waiting for ${what}`);
  }

  /** Ends the connection: closes the socket and frees the session. */
  async close(): Promise<void> {
    if (!this.closed) {
      this.socket.end();
      const t = setTimeout(() => this.socket.destroy(), 1000);
      await this.closedPromise;
      clearTimeout(t);
    }
    this.destroySession();
  }

  private destroyed = false;
  destroySession() {
    if (this.destroyed) return;
    this.destroyed = true;
    try {
      this.session.destroy();
    } catch (err) {
      this.failures.push(err);
    }
  }

  /** A summary of what went wrong on this connection, for assertion messages. */
  problems(): string {
    const parts: string[] = [];
    for (const e of this.errors) parts.push(`error event ${JSON.stringify(e, replacer)}`);
    for (const f of this.failures) parts.push(`exception ${(f as Error)?.stack ?? f}`);
    return parts.join('\n');
  }
}

export const replacer = (_k: string, v: unknown) => (v instanceof Uint8Array ? `<${v.length} octets>` : typeof v === 'bigint' ? String(v) : v);

/** Our client session over a fresh TCP connection to 127.0.0.1:port (closed at the end of the test). */
export async function ourClient(s: Scope, port: number, opts: SocketSessionOptions = {}): Promise<SocketSession> {
  const socket = net.connect({ host: HOST, port });
  await once(socket, 'connect');
  const conn = new SocketSession(socket, 'client', opts);
  s.defer(() => conn.close());
  return conn;
}

/** Our server: a net server whose every connection is a server SocketSession. */
export async function ourServer(s: Scope, opts: SocketSessionOptions = {}): Promise<{ port: number; conns: SocketSession[]; server: net.Server }> {
  const conns: SocketSession[] = [];
  const server = net.createServer((socket) => {
    conns.push(new SocketSession(socket, 'server', opts));
  });
  server.listen(0, HOST);
  await once(server, 'listening');
  s.defer(async () => {
    await Promise.all(conns.map((c) => c.close()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { port: (server.address() as net.AddressInfo).port, conns, server };
}

/** Request headers for our client. */
export function requestHeaders(method: string, path: string, port: number, extra: Fields = []): Fields {
  return [[':method', method], [':scheme', 'http'], [':authority', `${HOST}:${port}`], [':path', path], ...extra];
}
