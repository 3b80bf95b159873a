// Deno sockets as transports: Deno.connect / connectTls and Deno.listen / listenTls (ALPN h2).
// A Deno.Conn is a { readable, writable } pair, so the streams adapter carries the bytes; this
// file adds the connect / listen helpers. No static import of node:*; Deno is found on globalThis.
import { TransportQueue } from './base.ts';
import { StreamsTransport, type StreamsOptions } from './streams.ts';
import type { Listener } from './types.ts';

/** The part of Deno.Conn this file uses. */
export interface DenoConnLike {
  readable: ReadableStream<Uint8Array>;
  writable: WritableStream<Uint8Array>;
  close(): void;
  setNoDelay?(noDelay?: boolean): void;
  handshake?(): Promise<{ alpnProtocol: string | null }>;
}
interface DenoListenerLike extends AsyncIterable<DenoConnLike> {
  addr: { hostname: string; port: number };
  close(): void;
}
interface DenoNs {
  connect(o: { hostname: string; port: number }): Promise<DenoConnLike>;
  startTls(conn: DenoConnLike, o: { hostname: string; caCerts?: string[]; alpnProtocols?: string[] }): Promise<DenoConnLike>;
  listen(o: { hostname: string; port: number }): DenoListenerLike;
  listenTls(o: { hostname: string; port: number; cert: string; key: string; alpnProtocols?: string[] }): DenoListenerLike;
}

function deno(): DenoNs {
  const d = (globalThis as { Deno?: DenoNs }).Deno;
  if (!d) throw new Error('h2wasm: Deno sockets need the Deno runtime');
  return d;
}

export class DenoTransport extends StreamsTransport {
  readonly conn: DenoConnLike;
  readonly alpnProtocol: string | null | undefined;

  constructor(conn: DenoConnLike, alpnProtocol?: string | null, options: StreamsOptions = {}) {
    // Closing the writable only shuts the write half: the connection's resource is closed after.
    super(conn, { ...options, onClosed: () => { try { conn.close(); } catch { /* closed already */ } options.onClosed?.(); } });
    this.conn = conn;
    this.alpnProtocol = alpnProtocol;
    // No Nagle: HTTP/2 exchanges small frames both ways, and Nagle with delayed ACKs stalls them.
    try { conn.setNoDelay?.(true); } catch { /* not a TCP connection */ }
  }
}

/** A transport over a Deno.Conn (or Deno.TlsConn whose handshake is done). */
export function fromDenoConn(conn: DenoConnLike, options?: StreamsOptions): DenoTransport {
  return new DenoTransport(conn, undefined, options);
}

export interface DenoConnectOptions extends StreamsOptions {
  hostname?: string;
  port: number;
  /** TLS with ALPN h2; `caCerts` (PEM) for servers a default root store does not know. */
  tls?: { caCerts?: string[] } | boolean;
}

export async function connectDeno(options: DenoConnectOptions): Promise<DenoTransport> {
  const hostname = options.hostname ?? '127.0.0.1';
  if (!options.tls) return new DenoTransport(await deno().connect({ hostname, port: options.port }), undefined, options);
  const caCerts = typeof options.tls === 'object' ? options.tls.caCerts : undefined;
  // TCP first, then TLS on it: a TlsConn has no setNoDelay, the TCP connection under it does.
  const tcp = await deno().connect({ hostname, port: options.port });
  try { tcp.setNoDelay?.(true); } catch { /* not TCP */ }
  const conn = await deno().startTls(tcp, { hostname, caCerts, alpnProtocols: ['h2'] });
  let alpn: string | null;
  try {
    alpn = (await conn.handshake!()).alpnProtocol;
  } catch (e) {
    try { conn.close(); } catch { /* closed already */ }
    throw e;
  }
  if (alpn !== 'h2') {
    conn.close();
    throw new Error(`h2wasm: the server did not negotiate h2 (ALPN: ${alpn ?? 'none'})`);
  }
  return new DenoTransport(conn, alpn, options);
}

export interface DenoListenOptions extends StreamsOptions {
  hostname?: string;
  /** 0 (default): an ephemeral port. */
  port?: number;
  /** TLS with ALPN h2: PEM certificate (chain) and key. */
  tls?: { cert: string; key: string };
}

/** Listens; accepted connections (once their TLS handshake is done) come out as transports. */
export function listenDeno(options: DenoListenOptions = {}): Listener {
  const hostname = options.hostname ?? '127.0.0.1';
  const port = options.port ?? 0;
  const listener = options.tls
    ? deno().listenTls({ hostname, port, cert: options.tls.cert, key: options.tls.key, alpnProtocols: ['h2'] })
    : deno().listen({ hostname, port });
  const queue = new TransportQueue(listener.addr.hostname, listener.addr.port, () => {
    try { listener.close(); } catch { /* closed already */ }
  });
  (async () => {
    try {
      for await (const conn of listener) {
        if (!options.tls) { queue.push(new DenoTransport(conn, undefined, options)); continue; }
        // Handshakes run side by side: one slow client does not hold up the others.
        conn.handshake!().then(
          (h) => queue.push(new DenoTransport(conn, h.alpnProtocol, options)),
          () => { try { conn.close(); } catch { /* closed already */ } },
        );
      }
      queue.end();
    } catch (e) {
      queue.end(e instanceof Error ? e : new Error(String(e)));
    }
  })();
  return queue;
}
