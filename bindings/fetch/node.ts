// The Node path of h2wasm/fetch: TCP and TLS listeners and connections as Transports.
// node:net / node:tls are imported lazily, only here, so the module loads anywhere.
import type { Transport } from '../transport/types.ts';
import type * as NetNS from 'node:net';
import type * as TlsNS from 'node:tls';

type Handlers = { data: Array<(c: Uint8Array) => void>; drain: Array<() => void>; close: Array<(e?: Error) => void> };

/** A Node socket (net or tls) as a Transport. */
export function socketTransport(socket: NetNS.Socket): Transport {
  const handlers: Handlers = { data: [], drain: [], close: [] };
  let closed = false;
  let error: Error | undefined;
  socket.setNoDelay?.(true);
  socket.on('data', (b: Buffer) => {
    const u8 = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    for (const fn of handlers.data) fn(u8);
  });
  socket.on('drain', () => { for (const fn of handlers.drain) fn(); });
  socket.on('error', (e: Error) => { error ??= e; });
  socket.on('close', () => {
    closed = true;
    for (const fn of handlers.close) fn(error);
  });
  return {
    get closed() { return closed || socket.destroyed; },
    write(chunk: Uint8Array): boolean {
      if (closed || socket.destroyed || socket.writableEnded) return false;
      return socket.write(chunk);
    },
    on(event: 'data' | 'drain' | 'close', fn: (arg?: any) => void): void {
      (handlers[event] as Array<(arg?: any) => void>).push(fn);
    },
    close(err?: Error): void {
      if (closed) return;
      if (err) { error ??= err; socket.destroy(); return; }
      // Let what was written go out, but never wait on a peer that stops reading.
      socket.end();
      const t = setTimeout(() => socket.destroy(), 2000);
      socket.once('close', () => clearTimeout(t));
    },
  } as Transport;
}

export interface NodeListenOptions {
  port: number;
  hostname: string;
  tls?: TlsNS.TlsOptions;
}

export interface NodeListener {
  addr: { hostname: string; port: number; transport: 'tcp' };
  close(): Promise<void>;
}

/** A net (or tls, ALPN h2) server whose connections go to `accept`. */
export async function nodeListen(options: NodeListenOptions, accept: (t: Transport) => void): Promise<NodeListener> {
  let server: NetNS.Server;
  if (options.tls) {
    const tls: typeof TlsNS = await import('node:tls');
    server = tls.createServer({ ALPNProtocols: ['h2'], ...options.tls }, (s) => accept(socketTransport(s)));
  } else {
    const net: typeof NetNS = await import('node:net');
    server = net.createServer((s) => accept(socketTransport(s)));
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.hostname, () => { server.off('error', reject); resolve(); });
  });
  const a = server.address() as NetNS.AddressInfo;
  return {
    addr: { hostname: a.address, port: a.port, transport: 'tcp' },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A TCP connection to `url`'s host (TLS with ALPN h2 for https:). */
export async function nodeConnect(url: URL, tlsOptions?: TlsNS.ConnectionOptions): Promise<Transport> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const https = url.protocol === 'https:';
  const port = Number(url.port || (https ? 443 : 80));
  let socket: NetNS.Socket;
  if (https) {
    const tls: typeof TlsNS = await import('node:tls');
    const net: typeof NetNS = await import('node:net');
    socket = tls.connect({ host, port, ALPNProtocols: ['h2'], servername: net.isIP(host) ? undefined : host, ...tlsOptions });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.once('secureConnect', () => {
        socket.off('error', reject);
        const alpn = (socket as TlsNS.TLSSocket).alpnProtocol;
        if (alpn !== 'h2') {
          socket.destroy();
          reject(new TypeError(`h2wasm/fetch: ${url.host} does not speak HTTP/2 (ALPN ${alpn || 'none'})`));
        } else resolve();
      });
    });
  } else {
    const net: typeof NetNS = await import('node:net');
    socket = net.connect({ host, port });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.once('connect', () => { socket.off('error', reject); resolve(); });
    });
  }
  return socketTransport(socket);
}

export const isNode = typeof process !== 'undefined' && !!(process as { versions?: { node?: string } }).versions?.node;
