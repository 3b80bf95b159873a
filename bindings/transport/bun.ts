// Bun sockets as transports: Bun.connect / Bun.listen, TLS with ALPN h2 (Bun wants ALPN in wire
// form: length-prefixed, "\x02h2"). Bun's socket.write() takes what the kernel takes now and
// returns the count, so the adapter queues the rest and sends it from the socket's drain.
import { BaseTransport, TransportQueue, afterGrace } from './base.ts';
import type { Listener } from './types.ts';

/** The part of Bun's Socket this file uses. */
export interface BunSocketLike {
  write(data: Uint8Array): number;
  end(): void;
  terminate(): void;
  pause?(): void;
  resume?(): void;
  readonly alpnProtocol?: string | false | null;
  data: unknown;
}
interface BunHandlers {
  open?(s: BunSocketLike): void;
  data?(s: BunSocketLike, d: Uint8Array): void;
  drain?(s: BunSocketLike): void;
  close?(s: BunSocketLike, error?: Error): void;
  end?(s: BunSocketLike): void;
  error?(s: BunSocketLike, error: Error): void;
  handshake?(s: BunSocketLike, success: boolean, authorizationError: Error | null): void;
  connectError?(s: BunSocketLike, error: Error): void;
  binaryType?: string;
}
interface BunNs {
  connect(o: { hostname: string; port: number; tls?: object | boolean; socket: BunHandlers }): Promise<BunSocketLike>;
  listen(o: { hostname: string; port: number; tls?: object; socket: BunHandlers }): { hostname: string; port: number; stop(closeActive?: boolean): void };
}

function bun(): BunNs {
  const b = (globalThis as { Bun?: BunNs }).Bun;
  if (!b) throw new Error('h2wasm: Bun sockets need the Bun runtime');
  return b;
}

/** ALPN protocol list in the TLS wire form Bun.listen / Bun.connect take. */
export const ALPN_H2 = '\x02h2';

export class BunTransport extends BaseTransport {
  readonly socket: BunSocketLike;
  readonly highWaterMark: number;
  #queue: Uint8Array[] = []; // what the kernel did not take yet
  #queued = 0;
  #wantDrain = false;
  #endWhenFlushed = false;
  #error: Error | undefined;
  #cancelGrace: (() => void) | undefined;

  constructor(socket: BunSocketLike, highWaterMark = 64 * 1024) {
    super();
    this.socket = socket;
    this.highWaterMark = highWaterMark;
    socket.data = this;
  }

  get bufferedAmount(): number { return this.#queued; }

  get alpnProtocol(): string | null | undefined {
    const p = this.socket.alpnProtocol;
    return p === undefined ? undefined : p || null;
  }

  write(chunk: Uint8Array): boolean {
    if (this.closed) return false;
    if (this.#queue.length) {
      this.#queue.push(chunk);
      this.#queued += chunk.byteLength;
    } else {
      const n = Math.max(0, this.socket.write(chunk));
      if (n < chunk.byteLength) {
        this.#queue.push(chunk.subarray(n));
        this.#queued += chunk.byteLength - n;
      }
    }
    const ok = this.#queued < this.highWaterMark;
    if (!ok) this.#wantDrain = true;
    return ok;
  }

  /** From the socket's drain handler: the kernel can take more. */
  onDrain(): void {
    while (this.#queue.length) {
      const c = this.#queue[0];
      const n = Math.max(0, this.socket.write(c));
      this.#queued -= n;
      if (n < c.byteLength) { this.#queue[0] = c.subarray(n); return; }
      this.#queue.shift();
    }
    if (this.#endWhenFlushed) { this.#endWhenFlushed = false; this.socket.end(); }
    if (this.#wantDrain) { this.#wantDrain = false; this.emitDrain(); }
  }

  onData(d: Uint8Array): void { this.emitData(d); }
  onError(e: Error): void { this.#error ??= e; }
  onClose(e?: Error): void {
    this.#cancelGrace?.();
    this.markClosed(e ?? this.#error);
  }

  pause(): void { this.socket.pause?.(); }
  resume(): void { this.socket.resume?.(); }

  close(error?: Error): void {
    if (!this.markClosed(error)) return;
    // The queue goes out first, then FIN; after an error, within a grace period.
    if (this.#queue.length) this.#endWhenFlushed = true;
    else this.socket.end();
    if (error) this.#cancelGrace = afterGrace(() => this.socket.terminate());
  }
}

const of = (s: BunSocketLike) => s.data instanceof BunTransport ? s.data : undefined;

/** Handlers that route a Bun socket's callbacks to its BunTransport (socket.data). */
const handlers: BunHandlers = {
  binaryType: 'uint8array',
  data(s, d) { of(s)?.onData(d); },
  drain(s) { of(s)?.onDrain(); },
  error(s, e) { of(s)?.onError(e); },
  close(s, e) { of(s)?.onClose(e); },
  end(s) { of(s)?.close(); },
};

export interface BunConnectOptions {
  hostname?: string;
  port: number;
  /** TLS with ALPN h2; `ca` (PEM) for servers the default roots do not know. */
  tls?: { ca?: string | string[]; serverName?: string; rejectUnauthorized?: boolean } | boolean;
  highWaterMark?: number;
}

export async function connectBun(options: BunConnectOptions): Promise<BunTransport> {
  const hostname = options.hostname ?? '127.0.0.1';
  const tls = options.tls ? { ...(typeof options.tls === 'object' ? options.tls : {}), ALPNProtocols: ALPN_H2 } : undefined;
  let settle!: { resolve: (t: BunTransport) => void; reject: (e: Error) => void };
  const done = new Promise<BunTransport>((resolve, reject) => { settle = { resolve, reject }; });
  await bun().connect({
    hostname, port: options.port, tls,
    socket: {
      ...handlers,
      // Over TLS the transport is ready once the handshake says so; plain TCP: once open.
      open(s) { if (!tls) settle.resolve(new BunTransport(s, options.highWaterMark)); },
      handshake(s, success, authorizationError) {
        if (!success || authorizationError) {
          s.terminate();
          settle.reject(authorizationError ?? new Error('h2wasm: TLS handshake failed'));
        } else if (s.alpnProtocol !== 'h2') {
          s.terminate();
          settle.reject(new Error(`h2wasm: the server did not negotiate h2 (ALPN: ${s.alpnProtocol || 'none'})`));
        } else {
          settle.resolve(new BunTransport(s, options.highWaterMark));
        }
      },
      close(s, e) {
        if (of(s)) handlers.close!(s, e);
        else settle.reject(e ?? new Error('h2wasm: the connection closed during the handshake'));
      },
      connectError(_s, e) { settle.reject(e); },
    },
  });
  return done;
}

export interface BunListenOptions {
  hostname?: string;
  /** 0 (default): an ephemeral port. */
  port?: number;
  /** TLS with ALPN h2: PEM certificate and key. */
  tls?: { cert: string; key: string };
  highWaterMark?: number;
}

/** Listens; accepted connections (once their TLS handshake is done) come out as transports. */
export function listenBun(options: BunListenOptions = {}): Listener {
  let queue: TransportQueue | undefined;
  const early: BunTransport[] = [];
  const accepted = (t: BunTransport) => { if (queue) queue.push(t); else early.push(t); };
  const server = bun().listen({
    hostname: options.hostname ?? '127.0.0.1',
    port: options.port ?? 0,
    tls: options.tls ? { ...options.tls, ALPNProtocols: ALPN_H2 } : undefined,
    socket: {
      ...handlers,
      open(s) { if (!options.tls) accepted(new BunTransport(s, options.highWaterMark)); },
      handshake(s, success) {
        if (success) accepted(new BunTransport(s, options.highWaterMark));
        else s.terminate();
      },
    },
  });
  queue = new TransportQueue(server.hostname, server.port, () => server.stop(false));
  for (const t of early.splice(0)) queue.push(t);
  return queue;
}
