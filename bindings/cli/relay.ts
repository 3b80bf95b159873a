// `h2wasm relay --listen PORT --to HOST:PORT`: a WebSocket server that pipes each WebSocket
// connection's binary messages to its own TCP connection to HOST:PORT and back, so a browser
// page (which has no TCP sockets) can speak HTTP/2 to a real server through the WebSocket
// transport. The target is fixed on the command line: the relay is no open proxy.
import net from 'node:net';
import { CliError } from './get.ts';

export interface RelayOptions {
  /** Port to listen on (0 picks a free one). */
  port: number;
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** Where every connection goes. */
  to: { host: string; port: number };
  log?: (line: string) => void;
}

export interface Relay {
  readonly port: number;
  /** ws://host:port/ */
  readonly url: string;
  /** Connections now open. */
  readonly connections: number;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

// The part of the `ws` package used here (it ships no types of its own).
interface WsSocket {
  readyState: number;
  bufferedAmount: number;
  send(data: Uint8Array, options: { binary: boolean }, cb?: (err?: Error) => void): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
  pause(): void;
  resume(): void;
  on(event: 'message', fn: (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => void): void;
  on(event: 'close', fn: (code: number) => void): void;
  on(event: 'error', fn: (err: Error) => void): void;
}
interface WsServer {
  clients: Set<WsSocket>;
  address(): net.AddressInfo;
  on(event: 'connection', fn: (ws: WsSocket, req: { socket: net.Socket }) => void): void;
  on(event: 'listening', fn: () => void): void;
  on(event: 'error', fn: (err: Error) => void): void;
  off(event: string, fn: (...a: any[]) => void): void;
  close(cb?: () => void): void;
}

/** Bytes sent to the WebSocket and not yet taken by its socket: past this the TCP side pauses. */
const HIGH_WATER = 1 << 20;
const OPEN = 1;

/** "host:port", "[v6]:port" or just a port (localhost). */
export function parseTarget(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(text) ?? /^()()(\d+)$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || !Number.isInteger(port) || port < 1 || port > 65535) throw new CliError(`bad --to ${text} (want host:port)`, 2);
  return { host: m[1] || m[2] || '127.0.0.1', port };
}

async function loadWs(): Promise<new (options: object) => WsServer> {
  try {
    // Through a variable: `ws` ships no types, and the bundle keeps it a runtime import.
    const name = 'ws';
    const mod = await import(name);
    return (mod.WebSocketServer ?? mod.default?.WebSocketServer ?? mod.default?.Server) as new (options: object) => WsServer;
  } catch {
    throw new CliError('the relay needs the ws package: npm install ws');
  }
}

export async function relay(options: RelayOptions): Promise<Relay> {
  const WebSocketServer = await loadWs();
  const log = options.log ?? (() => {});
  const host = options.host ?? '127.0.0.1';
  const { to } = options;
  // perMessageDeflate off: HTTP/2 frames are mostly compressed or small, and inflating costs
  // memory a peer could abuse. maxPayload caps one message (the transport sends one per turn).
  const wss = new WebSocketServer({ host, port: options.port, perMessageDeflate: false, maxPayload: 64 << 20 });
  await new Promise<void>((resolve, reject) => {
    const fail = (err: Error) => reject(err);
    wss.on('error', fail);
    wss.on('listening', () => { wss.off('error', fail); resolve(); });
  });
  const sockets = new Set<net.Socket>();
  let nextId = 1;

  wss.on('connection', (ws, req) => {
    const id = nextId++;
    const from = `${req.socket.remoteAddress}:${req.socket.remotePort}`;
    const tcp = net.connect({ host: to.host, port: to.port });
    sockets.add(tcp);
    tcp.setNoDelay(true);
    log(`relay #${id}: ${from} → ${to.host}:${to.port}`);
    let closed = false;
    const finish = (why: string, code: number) => {
      if (closed) return;
      closed = true;
      log(`relay #${id}: closed (${why})`);
      tcp.end();
      // Never wait on a TCP peer that stops reading.
      setTimeout(() => tcp.destroy(), 2000).unref();
      if (ws.readyState === OPEN) ws.close(code, why.slice(0, 100));
    };

    // WebSocket → TCP (writes before the connection is up are queued by net.Socket).
    ws.on('message', (data, isBinary) => {
      if (!isBinary) { finish('text message on a byte relay', 1003); return; }
      const chunks = Array.isArray(data) ? data : [data];
      let ok = true;
      for (const c of chunks) ok = tcp.write(c instanceof ArrayBuffer ? new Uint8Array(c) : c) && ok;
      // The TCP side is full: stop reading the WebSocket until it drains.
      if (!ok) ws.pause();
    });
    tcp.on('drain', () => ws.resume());

    // TCP → WebSocket, pausing the TCP side while the WebSocket's buffer is over the mark.
    let waiting = 0;
    tcp.on('data', (chunk: Buffer) => {
      if (ws.readyState !== OPEN) return;
      waiting += chunk.length;
      ws.send(chunk, { binary: true }, () => {
        waiting -= chunk.length;
        if (tcp.isPaused() && waiting < HIGH_WATER / 4) tcp.resume();
      });
      if (waiting >= HIGH_WATER) tcp.pause();
    });

    tcp.on('error', (err: NodeJS.ErrnoException) => finish(`${to.host}:${to.port}: ${err.code ?? err.message}`, 1011));
    tcp.on('close', () => { sockets.delete(tcp); finish('the server closed the connection', 1000); });
    ws.on('error', (err) => finish(`WebSocket error: ${err.message}`, 1011));
    ws.on('close', () => finish('the WebSocket closed', 1000));
  });

  const addr = wss.address();
  const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    port: addr.port,
    url: `ws://${shownHost}:${addr.port}/`,
    get connections() { return sockets.size; },
    close: () => new Promise<void>((resolve) => {
      for (const ws of wss.clients) ws.terminate();
      for (const s of sockets) s.destroy();
      wss.close(() => resolve());
    }),
  };
}
