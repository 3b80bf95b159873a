// Http2Server (node:net) and Http2SecureServer (node:tls, ALPN "h2"): each connection becomes a
// ServerHttp2Session whose 'stream' events the server re-emits.
import net from 'node:net';
import tls from 'node:tls';
import { ServerHttp2Session, type SessionOptions } from './session.ts';
import { debugSession } from './diagnostics.ts';
import type { Duplex } from 'node:stream';
import type { ServerHttp2Stream } from './stream.ts';
import { errorOf, invalidArgType } from './errors.ts';
import { assertIsObject } from './headers.ts';
import { settingPairs, type Settings } from './settings.ts';
import { setupCompat, http1Fallback, type CompatOptions, type Http1Fallback, type Http2ServerRequest, type Http2ServerResponse } from './compat.ts';

export type StreamListener = (stream: ServerHttp2Stream, headers: object, flags: number, rawHeaders: string[]) => void;
export type RequestListener = (request: Http2ServerRequest, response: Http2ServerResponse) => void;
export type ServerOptions = SessionOptions & net.ServerOpts & CompatOptions;
export type SecureServerOptions = SessionOptions & tls.TlsOptions & CompatOptions & { allowHTTP1?: boolean };

function attach(server: net.Server, socket: net.Socket, options: SessionOptions): void {
  debugSession('server', 'received a connection');
  const session = new ServerHttp2Session(socket, options, server);
  if (socket instanceof tls.TLSSocket) { session.encrypted = true; session.alpnProtocol = socket.alpnProtocol || undefined; }
  session.on('stream', (...args) => server.emit('stream', ...args));
  session.on('stream', (stream: ServerHttp2Stream) => stream.on('error', (err: Error) => streamError(server, stream, err)));
  session.on('error', (err) => server.emit('sessionError', err, session));
  const timeout = (server as { timeout?: number }).timeout;
  if (timeout) session.setTimeout(timeout, sessionOnTimeout);
  server.emit('session', session);
}

/** Node's sessionOnTimeout: the server's 'timeout' (with the session), or the session is destroyed. */
function sessionOnTimeout(this: ServerHttp2Session): void {
  if (this.destroyed || this.closed) return;
  if (!(this.server as net.Server).emit('timeout', this)) this.destroy();
}

/**
 * 'streamError' as the reference documents it: a server stream's 'error', forwarded once the
 * stream is destroyed. (Node 20 never emits it.) With no listener anywhere the error stays
 * uncaught, as it is in Node.
 */
function streamError(server: net.Server, stream: ServerHttp2Stream, err: Error): void {
  if (server.listenerCount('streamError') > 0) server.emit('streamError', err, stream);
  else if (stream.listenerCount('error') === 1) process.nextTick(() => { throw err; });
}

/** server.setTimeout(): idle time for each new session; 'timeout' (or destroy) when it runs out. */
function setServerTimeout<T extends net.Server>(server: T, msecs: number, callback?: (session: ServerHttp2Session) => void): T {
  (server as { timeout?: number }).timeout = msecs;
  if (callback !== undefined) {
    if (typeof callback !== 'function') throw invalidArgType('callback', 'of type function', callback);
    server.on('timeout', callback);
  }
  return server;
}

/** server.updateSettings(): validated as Node; applies to sessions that start afterwards. */
function updateServerSettings(server: { options: SessionOptions }, settings: Settings): void {
  assertIsObject(settings, 'settings');
  settingPairs(settings);
  (server as { options: SessionOptions }).options = { ...server.options, settings: { ...server.options.settings, ...settings } };
}

/** Node's answer to a TLS client that did not choose h2 and that no 'unknownProtocol' listener took. */
function refuseUnknownProtocol(socket: tls.TLSSocket, timeoutMs: number): void {
  // The socket goes after unknownProtocolTimeout if the peer keeps it open; the timer holds nothing up.
  const timer = setTimeout(() => { if (!socket.destroyed) socket.destroy(); }, timeoutMs);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  socket.end('HTTP/1.0 403 Forbidden\r\n' +
    'Content-Type: text/plain\r\n\r\n' +
    'Missing ALPN Protocol, expected `h2` to be available.\n' +
    'If this is a HTTP request: The server was not ' +
    'configured with the `allowHTTP1` option or a ' +
    'listener for the `unknownProtocol` event.\n');
}

export class Http2Server extends net.Server {
  readonly options: ServerOptions;
  constructor(options: ServerOptions = {}, onRequest?: RequestListener) {
    super(options);
    this.options = options;
    this.on('connection', (socket: net.Socket) => attach(this, socket, this.options));
    setupCompat(this, options);
    if (onRequest) this.on('request', onRequest); // as Node: the handler is a 'request' listener (compat API)
  }

  timeout = 0;
  setTimeout(msecs = 0, callback?: (session: ServerHttp2Session) => void): this { return setServerTimeout(this, msecs, callback); }
  updateSettings(settings: Settings): void { updateServerSettings(this, settings); }
}

export class Http2SecureServer extends tls.Server {
  readonly options: SecureServerOptions;
  readonly #http1: Http1Fallback | undefined;
  constructor(options: SecureServerOptions = {}, onRequest?: RequestListener) {
    super({ ...options, ALPNProtocols: options.allowHTTP1 === true ? ['h2', 'http/1.1'] : ['h2'] });
    this.options = options;
    if (options.allowHTTP1 === true) this.#http1 = http1Fallback(this, options as SecureServerOptions & Record<string, unknown>);
    this.on('secureConnection', (socket: tls.TLSSocket) => {
      // allowHTTP1: http/1.1, or a client without ALPN, is node:http's (Node's ALPN negotiation).
      if (this.#http1 && (socket.alpnProtocol === false || socket.alpnProtocol === 'http/1.1')) { this.#http1.serve(socket); return; }
      if (socket.alpnProtocol !== 'h2') {
        if (!this.emit('unknownProtocol', socket)) refuseUnknownProtocol(socket, this.#unknownProtocolTimeout);
        return;
      }
      attach(this, socket, this.options);
    });
    setupCompat(this, options);
    if (onRequest) this.on('request', onRequest);
    const upt = (options as { unknownProtocolTimeout?: unknown }).unknownProtocolTimeout;
    if (upt !== undefined) {
      if (typeof upt !== 'number') throw invalidArgType('unknownProtocolTimeout', 'of type number', upt);
      if (!Number.isInteger(upt) || upt < 0 || upt > 0xffffffff) {
        throw errorOf('ERR_OUT_OF_RANGE', `The value of "unknownProtocolTimeout" is out of range. It must be ${Number.isInteger(upt) ? '>= 0 && <= 4294967295' : 'an integer'}. Received ${upt}`, RangeError);
      }
      this.#unknownProtocolTimeout = upt;
    }
  }

  #unknownProtocolTimeout = 10000; // Node's default
  timeout = 0;
  setTimeout(msecs = 0, callback?: (session: ServerHttp2Session) => void): this { return setServerTimeout(this, msecs, callback); }
  updateSettings(settings: Settings): void { updateServerSettings(this, settings); }

  // With allowHTTP1, node:http's close work first (its timers, idle keep-alive connections), as Node.
  override close(callback?: (err?: Error) => void): this {
    this.#http1?.preClose();
    return super.close(callback);
  }

  closeIdleConnections(): void { this.#http1?.closeIdleConnections(); }
}

export function createServer(options?: ServerOptions | RequestListener, onRequest?: RequestListener): Http2Server {
  if (typeof options === 'function') return new Http2Server({}, options);
  return new Http2Server(options ?? {}, onRequest);
}

export function createSecureServer(options: SecureServerOptions = {}, onRequest?: RequestListener): Http2SecureServer {
  return new Http2SecureServer(options, onRequest);
}

/** An HTTP/2 server session over a socket that is already connected (no server object). */
export function performServerHandshake(socket: net.Socket | Duplex, options: SessionOptions = {}): ServerHttp2Session {
  const session = new ServerHttp2Session(socket, options, undefined);
  if (socket instanceof tls.TLSSocket) { session.encrypted = true; session.alpnProtocol = socket.alpnProtocol || undefined; }
  return session;
}
