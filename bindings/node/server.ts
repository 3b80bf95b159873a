// Http2Server (node:net) and Http2SecureServer (node:tls, ALPN "h2"): each connection becomes a
// ServerHttp2Session whose 'stream' events the server re-emits.
import net from 'node:net';
import tls from 'node:tls';
import { ServerHttp2Session, type SessionOptions } from './session.ts';
import { debugSession } from './diagnostics.ts';
import type { Duplex } from 'node:stream';
import type { ServerHttp2Stream } from './stream.ts';

export type StreamListener = (stream: ServerHttp2Stream, headers: object, flags: number, rawHeaders: string[]) => void;
export type ServerOptions = SessionOptions & net.ServerOpts;
export type SecureServerOptions = SessionOptions & tls.TlsOptions;

function attach(server: net.Server, socket: net.Socket, options: SessionOptions): void {
  debugSession('server', 'received a connection');
  const session = new ServerHttp2Session(socket, options, server);
  if (socket instanceof tls.TLSSocket) { session.encrypted = true; session.alpnProtocol = socket.alpnProtocol || undefined; }
  session.on('stream', (...args) => server.emit('stream', ...args));
  session.on('error', (err) => server.emit('sessionError', err, session));
  server.emit('session', session);
}

export class Http2Server extends net.Server {
  readonly options: ServerOptions;
  constructor(options: ServerOptions = {}, onStream?: StreamListener) {
    super(options);
    this.options = options;
    this.on('connection', (socket: net.Socket) => attach(this, socket, this.options));
    if (onStream) this.on('stream', onStream);
  }
}

export class Http2SecureServer extends tls.Server {
  readonly options: SecureServerOptions;
  constructor(options: SecureServerOptions = {}, onStream?: StreamListener) {
    super({ ...options, ALPNProtocols: ['h2'] });
    this.options = options;
    this.on('secureConnection', (socket: tls.TLSSocket) => {
      if (socket.alpnProtocol !== 'h2') {
        if (!this.emit('unknownProtocol', socket)) socket.destroy();
        return;
      }
      attach(this, socket, this.options);
    });
    if (onStream) this.on('stream', onStream);
  }
}

export function createServer(options?: ServerOptions | StreamListener, onStream?: StreamListener): Http2Server {
  if (typeof options === 'function') return new Http2Server({}, options);
  return new Http2Server(options ?? {}, onStream);
}

export function createSecureServer(options: SecureServerOptions = {}, onStream?: StreamListener): Http2SecureServer {
  return new Http2SecureServer(options, onStream);
}

/** An HTTP/2 server session over a socket that is already connected (no server object). */
export function performServerHandshake(socket: net.Socket | Duplex, options: SessionOptions = {}): ServerHttp2Session {
  const session = new ServerHttp2Session(socket, options, undefined);
  if (socket instanceof tls.TLSSocket) { session.encrypted = true; session.alpnProtocol = socket.alpnProtocol || undefined; }
  return session;
}
