// Node net.Socket / tls.TLSSocket as transports (also works in Deno and Bun through their node:net).
// Node-only: bindings/transport/index.ts does not import this file; it is its own entry.
import net from 'node:net';
import tls from 'node:tls';
import { BaseTransport, TransportQueue, afterGrace } from './base.ts';
import type { Listener } from './types.ts';

export class NodeSocketTransport extends BaseTransport {
  readonly socket: net.Socket;
  #error: Error | undefined;

  constructor(socket: net.Socket) {
    super();
    this.socket = socket;
    socket.setNoDelay?.(true); // HTTP/2 frames are small and latency-bound
    socket.on('drain', () => this.emitDrain());
    socket.on('error', (e) => { this.#error ??= e; });
    socket.on('close', () => this.markClosed(this.#error));
    if (socket.destroyed) queueMicrotask(() => this.markClosed(this.#error));
  }

  // Attaching 'data' starts the flow: not before anyone listens, or bytes would be lost.
  protected startReading(): void { this.socket.on('data', (chunk: Buffer) => this.emitData(chunk)); }

  get bufferedAmount(): number { return this.socket.writableLength; }

  get alpnProtocol(): string | null | undefined {
    const p = (this.socket as tls.TLSSocket).alpnProtocol;
    return 'encrypted' in this.socket ? (p || null) : undefined;
  }

  /** Node buffers what it cannot send yet; false (its high-water mark passed) asks to wait for 'drain'. */
  write(chunk: Uint8Array): boolean {
    if (this.closed || this.socket.destroyed) return false;
    return this.socket.write(chunk);
  }

  pause(): void { this.socket.pause(); }
  resume(): void { this.socket.resume(); }

  close(error?: Error): void {
    if (!this.markClosed(error)) return;
    // end(): what was written still goes out, then FIN; after an error, within a grace period.
    this.socket.end();
    if (error) {
      const cancel = afterGrace(() => this.socket.destroy());
      this.socket.once('close', cancel);
    }
  }
}

export function fromNodeSocket(socket: net.Socket): NodeSocketTransport {
  return new NodeSocketTransport(socket);
}

export interface NodeConnectOptions {
  host?: string;
  port: number;
  /** TLS with ALPN h2 (refused unless the server picks h2). */
  tls?: tls.ConnectionOptions;
}

/** Connects (h2 over TCP, or TLS with ALPN h2); resolves once connected (and the handshake is done). */
export function connectNode(options: NodeConnectOptions): Promise<NodeSocketTransport> {
  const host = options.host ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    const socket = options.tls
      ? tls.connect({ servername: net.isIP(host) ? undefined : host, ...options.tls, host, port: options.port, ALPNProtocols: ['h2'] })
      : net.connect({ host, port: options.port });
    const ready = options.tls ? 'secureConnect' : 'connect';
    socket.once('error', reject);
    socket.once(ready, () => {
      socket.off('error', reject);
      if (options.tls && (socket as tls.TLSSocket).alpnProtocol !== 'h2') {
        socket.destroy();
        reject(new Error(`h2wasm: the server did not negotiate h2 (ALPN: ${(socket as tls.TLSSocket).alpnProtocol || 'none'})`));
        return;
      }
      resolve(new NodeSocketTransport(socket));
    });
  });
}

export interface NodeListenOptions {
  host?: string;
  /** 0 (default): an ephemeral port. */
  port?: number;
  /** TLS (ALPN h2): at least `cert` and `key`. */
  tls?: tls.TlsOptions;
}

/** Listens; accepted connections (after the TLS handshake) come out as transports. */
export async function listenNode(options: NodeListenOptions = {}): Promise<Listener> {
  const host = options.host ?? '127.0.0.1';
  const server: net.Server = options.tls ? tls.createServer({ ...options.tls, ALPNProtocols: ['h2'] }) : net.createServer();
  server.on(options.tls ? 'secureConnection' : 'connection', (socket: net.Socket) => {
    queue.push(new NodeSocketTransport(socket));
  });
  // A failed handshake concerns one client, not the listener.
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => { server.off('error', reject); resolve(); });
  });
  const port = (server.address() as net.AddressInfo).port;
  // server.close() would call back only once every connection has ended: do not wait for that.
  const queue = new TransportQueue(host, port, () => { server.close(); });
  server.on('error', (e) => queue.end(e));
  return queue;
}
