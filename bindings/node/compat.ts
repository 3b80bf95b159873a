// node:http2's Compatibility API: Http2ServerRequest and Http2ServerResponse, HTTP/1-shaped
// objects over one ServerHttp2Stream, the server's 'request' / 'checkContinue' /
// 'checkExpectation' events, and the HTTP/1.1 fallback of createSecureServer({ allowHTTP1 }),
// which hands the TLS socket to node:http's own server machinery.
import { EventEmitter } from 'node:events';
import { Readable, Stream, type ReadableOptions } from 'node:stream';
import http from 'node:http';
import type net from 'node:net';
import { inspect } from 'node:util';
import { errorOf, invalidArgType } from './errors.ts';
import type { IncomingHeaders, OutgoingHeaders } from './headers.ts';
import type { ServerHttp2Stream } from './stream.ts';

type Headers = Record<string, unknown>;
const noop = () => {};

// ---------------------------------------------------------------- Node's errors and warnings

const headersSentError = () => errorOf('ERR_HTTP2_HEADERS_SENT', 'Response has already been initiated.');
const invalidStreamError = () => errorOf('ERR_HTTP2_INVALID_STREAM', 'The stream has been destroyed');
const invalidToken = (name: string) => errorOf('ERR_INVALID_HTTP_TOKEN', `Header name must be a valid HTTP token ["${name}"]`, TypeError);

function invalidArgValue(name: string, value: unknown, reason = 'is invalid'): Error {
  const kind = name.includes('.') ? 'property' : 'argument';
  return errorOf('ERR_INVALID_ARG_VALUE', `The ${kind} '${name}' ${reason}. Received ${inspect(value)}`, TypeError);
}

function validateString(value: unknown, name: string): asserts value is string {
  if (typeof value !== 'string') throw invalidArgType(name, 'of type string', value);
}

// Each warning once per process, as Node.
let statusMessageWarned = false;
function statusMessageWarn(): void {
  if (statusMessageWarned) return;
  statusMessageWarned = true;
  process.emitWarning('Status message is not supported by HTTP/2 (RFC7540 8.1.2.4)', 'UnsupportedWarning');
}

let connectionHeaderWarned = false;
function connectionHeaderWarn(): void {
  if (connectionHeaderWarned) return;
  connectionHeaderWarned = true;
  process.emitWarning('The provided connection header is not valid, the value will be dropped from the header and will never be in use.', 'UnsupportedWarning');
}

// ---------------------------------------------------------------- header rules of the compat layer

const PSEUDO = new Set([':status', ':method', ':authority', ':scheme', ':path', ':protocol']);
const HTTP_TOKEN = /^[\^_`a-zA-Z\-0-9!#$%&'*+.|~]+$/;

/** Node's first checks on a header the application sets: a name without spaces, no pseudo-header, a value. */
function assertValidHeader(name: string, value: unknown): void {
  if (name === '' || name.includes(' ')) throw invalidToken(name);
  if (PSEUDO.has(name)) throw errorOf('ERR_HTTP2_PSEUDOHEADER_NOT_ALLOWED', 'Cannot set HTTP/2 pseudo-headers', TypeError);
  if (value === undefined || value === null) {
    throw errorOf('ERR_HTTP2_INVALID_HEADER_VALUE', `Invalid value "${value}" for header "${name}"`, TypeError);
  }
}

/** `connection` is HTTP/1 only (RFC 9113 §8.2.2): Node drops it with a warning instead of failing. */
function connectionAllowed(name: string, value: unknown): boolean {
  if (name !== 'connection' || value === 'trailers') return true;
  connectionHeaderWarn();
  return false;
}

// RFC 8288 link-value: <target> then ;-parameters (what 103 Early Hints carries).
const LINK_VALUE = /^<[^>]*>(?:\s*;\s*[^;"\s=]+(?:=(?:"[^"]*"|[^;"\s,]*))?)*$/;
const LINK_REASON = 'must be an array or string of format "</styles.css>; rel=preload; as=style"';

function linkHeaderValue(hints: Headers): string {
  const link = hints.link;
  if (typeof link === 'string' && LINK_VALUE.test(link.trim())) return link;
  if (Array.isArray(link) && link.every((l) => typeof l === 'string' && LINK_VALUE.test(l.trim()))) return link.join(', ');
  throw invalidArgValue('hints', link, LINK_REASON);
}

// ---------------------------------------------------------------- the socket each object exposes

const proxies = new WeakMap<ServerHttp2Stream, net.Socket>();
const STREAM_METHODS = new Set(['on', 'once', 'end', 'emit', 'destroy']);
const NO_MANIPULATION = new Set(['write', 'read', 'pause', 'resume']);
const noManipulation = () => errorOf('ERR_HTTP2_NO_SOCKET_MANIPULATION', 'HTTP/2 sockets should not be directly manipulated (e.g. read and written)');
const socketOf = (stream: ServerHttp2Stream) => (stream.session as unknown as { _socket: object })._socket as Record<string | symbol, unknown>;

/**
 * req.socket / res.socket, as Node builds it: a net.Socket (or TLSSocket) lookalike where stream
 * state and events are the stream's, setTimeout is the session's, I/O throws, and everything else
 * (addresses, getPeerCertificate, …) is the real socket's.
 */
const streamSocketHandler: ProxyHandler<ServerHttp2Stream> = {
  get(stream, prop) {
    if (typeof prop === 'string') {
      if (STREAM_METHODS.has(prop)) return (stream as unknown as Record<string, (...a: unknown[]) => unknown>)[prop].bind(stream);
      if (prop === 'writable' || prop === 'destroyed') return stream[prop];
      if (prop === 'readable') {
        if (stream.destroyed) return false;
        return requests.get(stream)?.readable ?? stream.readable;
      }
      if (prop === 'setTimeout') return stream.session.setTimeout.bind(stream.session);
      if (NO_MANIPULATION.has(prop)) throw noManipulation();
    }
    const socket = socketOf(stream);
    const value = socket[prop];
    return typeof value === 'function' ? value.bind(socket) : value;
  },
  getPrototypeOf(stream) {
    return Reflect.getPrototypeOf(socketOf(stream));
  },
  set(stream, prop, value) {
    if (typeof prop === 'string') {
      if (STREAM_METHODS.has(prop) || prop === 'writable' || prop === 'readable' || prop === 'destroyed') {
        (stream as unknown as Record<string, unknown>)[prop] = value;
        return true;
      }
      if (prop === 'setTimeout') { (stream.session as unknown as Record<string, unknown>).setTimeout = value; return true; }
      if (NO_MANIPULATION.has(prop)) throw noManipulation();
    }
    socketOf(stream)[prop] = value;
    return true;
  },
};

function proxySocket(stream: ServerHttp2Stream): net.Socket {
  let p = proxies.get(stream);
  if (!p) proxies.set(stream, p = new Proxy(stream, streamSocketHandler) as unknown as net.Socket);
  return p;
}

// The request each stream carries, for res.req and for the socket's `readable`.
const requests = new WeakMap<ServerHttp2Stream, Http2ServerRequest>();

// ---------------------------------------------------------------- Http2ServerRequest

const kRequest = Symbol('h2wasm compat request');
const kResponse = Symbol('h2wasm compat response');
type StreamWithCompat = ServerHttp2Stream & { [kRequest]?: Http2ServerRequest; [kResponse]?: Http2ServerResponse };

export class Http2ServerRequest extends Readable {
  #stream: ServerHttp2Stream;
  #headers: IncomingHeaders;
  #rawHeaders: string[];
  #trailers: IncomingHeaders = {} as IncomingHeaders;
  #rawTrailers: string[] = [];
  #aborted = false;
  #closed = false;
  #didRead = false;

  constructor(stream: ServerHttp2Stream, headers: IncomingHeaders, options?: ReadableOptions, rawHeaders: string[] = []) {
    super({ autoDestroy: false, ...options });
    this.#stream = stream;
    this.#headers = headers;
    this.#rawHeaders = rawHeaders;
    requests.set(stream, this);
    // Shared listeners (`this` is the stream, which points back here): no closures per request.
    (stream as StreamWithCompat)[kRequest] = this;
    stream.on('trailers', Http2ServerRequest.#onTrailers);
    stream.on('end', Http2ServerRequest.#onEnd);
    // Errors of the stream are the server's business ('streamError'), not the request's.
    stream.on('error', noop);
    stream.on('aborted', Http2ServerRequest.#onAborted);
    stream.on('close', Http2ServerRequest.#onClose);
    stream.on('timeout', Http2ServerRequest.#onTimeout);
    this.on('pause', Http2ServerRequest.#onPause);
    this.on('resume', Http2ServerRequest.#onResume);
  }

  static #onTrailers(this: StreamWithCompat, trailers: IncomingHeaders, _flags: number, raw: string[]): void {
    const req = this[kRequest]!;
    Object.assign(req.#trailers, trailers);
    req.#rawTrailers.push(...raw);
  }

  static #onEnd(this: StreamWithCompat): void { this[kRequest]!.push(null); }

  static #onAborted(this: StreamWithCompat): void {
    const req = this[kRequest]!;
    if (req.#closed) return;
    req.#aborted = true;
    req.emit('aborted');
  }

  static #onClose(this: StreamWithCompat): void {
    const req = this[kRequest]!;
    req.#closed = true;
    req.push(null);
    // As HTTP/1: a body nobody reads is dumped, so 'end' still comes.
    if (!req.#didRead && req.readableFlowing === null) req.resume();
    if (!req.destroyed) req.emit('close');
  }

  static #onTimeout(this: StreamWithCompat): void { this[kRequest]!.emit('timeout'); }
  static #onPause(this: Http2ServerRequest): void { this.#stream.pause(); }
  static #onResume(this: Http2ServerRequest): void { if (this.#didRead) this.#stream.resume(); }

  override _read(): void {
    if (this.#closed && this.#stream.readableEnded) return;
    if (!this.#didRead) {
      this.#didRead = true;
      this.#stream.on('data', (chunk: Buffer) => { if (!this.push(chunk)) this.#stream.pause(); });
    }
    this.#stream.resume();
  }

  /** As the reference says: destroys the Http2Stream too (Node 20 leaves it open and the exchange hangs). */
  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    if (!this.#stream.destroyed) this.#stream.destroy(err ?? undefined);
    cb(err);
  }

  get aborted(): boolean { return this.#aborted; }
  get complete(): boolean { return this.#aborted || this.readableEnded || this.#closed || this.#stream.destroyed; }
  get stream(): ServerHttp2Stream { return this.#stream; }
  get headers(): IncomingHeaders { return this.#headers; }
  get rawHeaders(): string[] { return this.#rawHeaders; }
  get trailers(): IncomingHeaders { return this.#trailers; }
  get rawTrailers(): string[] { return this.#rawTrailers; }
  get httpVersionMajor(): number { return 2; }
  get httpVersionMinor(): number { return 0; }
  get httpVersion(): string { return '2.0'; }
  get socket(): net.Socket { return proxySocket(this.#stream); }
  get connection(): net.Socket { return this.socket; }

  get method(): string { return this.#headers[':method'] as string; }
  set method(method: string) {
    validateString(method, 'method');
    if (method.trim() === '') throw invalidArgValue('method', method);
    this.#headers[':method'] = method;
  }

  get authority(): string | undefined { return (this.#headers[':authority'] ?? this.#headers.host) as string | undefined; }
  get scheme(): string | undefined { return this.#headers[':scheme'] as string | undefined; }
  get url(): string { return this.#headers[':path'] as string; }
  set url(url: string) { this.#headers[':path'] = url; }

  setTimeout(msecs: number, callback?: () => void): this {
    if (!this.#closed) this.#stream.setTimeout(msecs, callback);
    return this;
  }
}

// ---------------------------------------------------------------- Http2ServerResponse

export class Http2ServerResponse extends Stream {
  #stream: ServerHttp2Stream;
  #headers: Headers = Object.create(null);
  #trailers: Headers | null = null; // made by the first setTrailer/addTrailers
  #closed = false;
  #ending = false;
  #destroyed = false;
  #sendDate = true;
  #statusCode = 200;
  writable = true;
  req: Http2ServerRequest | null;

  constructor(stream: ServerHttp2Stream, options?: object) {
    super(options as never);
    this.#stream = stream;
    this.req = requests.get(stream) ?? null;
    (stream as StreamWithCompat)[kResponse] = this;
    stream.on('drain', Http2ServerResponse.#onDrain);
    stream.on('wantTrailers', Http2ServerResponse.#onWantTrailers);
    stream.on('error', noop);
    stream.on('close', Http2ServerResponse.#onClose);
    stream.on('timeout', Http2ServerResponse.#onTimeout);
  }

  static #onDrain(this: StreamWithCompat): void { this[kResponse]!.emit('drain'); }

  static #onWantTrailers(this: StreamWithCompat): void {
    const res = this[kResponse]!;
    // No trailers: the stream ends with an empty DATA frame (as Node's empty sendTrailers() does).
    if (!res.#closed && res.#trailers && Object.keys(res.#trailers).length) this.sendTrailers(res.#trailers as OutgoingHeaders);
  }

  static #onClose(this: StreamWithCompat): void {
    const res = this[kResponse]!;
    res.#closed = true;
    // Node emits both once the stream is gone, whether or not the response completed.
    res.emit('finish');
    res.emit('close');
  }

  static #onTimeout(this: StreamWithCompat): void { this[kResponse]!.emit('timeout'); }

  get stream(): ServerHttp2Stream { return this.#stream; }
  get _header(): boolean { return this.headersSent; }
  get headersSent(): boolean { return this.#stream.headersSent; }
  get writableEnded(): boolean { return this.#ending; }
  get finished(): boolean { return this.#ending; }
  get writableCorked(): number { return this.#stream.writableCorked; }
  get writableHighWaterMark(): number { return this.#stream.writableHighWaterMark; }
  get writableFinished(): boolean { return this.#stream.writableFinished; }
  get writableLength(): number { return this.#stream.writableLength; }
  get socket(): net.Socket | undefined { return this.#closed ? undefined : proxySocket(this.#stream); }
  get connection(): net.Socket | undefined { return this.socket; }

  get sendDate(): boolean { return this.#sendDate; }
  set sendDate(bool: boolean) { this.#sendDate = Boolean(bool); }

  get statusCode(): number { return this.#statusCode; }
  set statusCode(code: number) {
    code |= 0;
    if (code >= 100 && code < 200) throw errorOf('ERR_HTTP2_INFO_STATUS_NOT_ALLOWED', 'Informational status codes cannot be used', RangeError);
    if (code < 100 || code > 599) throw errorOf('ERR_HTTP2_STATUS_INVALID', `Invalid status code: ${code}`, RangeError);
    this.#statusCode = code;
  }

  // HTTP/2 has no reason phrase (RFC 9113 §8.3.2).
  get statusMessage(): string { return ''; }
  set statusMessage(_msg: string) { statusMessageWarn(); }

  setTrailer(name: string, value: unknown): void {
    validateString(name, 'name');
    name = name.trim().toLowerCase();
    assertValidHeader(name, value);
    (this.#trailers ??= Object.create(null) as Headers)[name] = value;
  }

  addTrailers(headers: Headers): void {
    for (const name of Object.keys(headers)) this.setTrailer(name, headers[name]);
  }

  getHeader(name: string): unknown {
    validateString(name, 'name');
    return this.#headers[name.trim().toLowerCase()];
  }

  getHeaderNames(): string[] { return Object.keys(this.#headers); }

  getHeaders(): Headers { return Object.assign(Object.create(null), this.#headers); }

  hasHeader(name: string): boolean {
    validateString(name, 'name');
    return Object.prototype.hasOwnProperty.call(this.#headers, name.trim().toLowerCase());
  }

  removeHeader(name: string): void {
    validateString(name, 'name');
    if (this.#stream.headersSent) throw headersSentError();
    name = name.trim().toLowerCase();
    if (name === 'date') { this.#sendDate = false; return; } // as Node: no automatic date either
    delete this.#headers[name];
  }

  setHeader(name: string, value: unknown): void {
    validateString(name, 'name');
    if (this.#stream.headersSent) throw headersSentError();
    this.#setHeader(name, value);
  }

  #checkName(name: string, value: unknown): boolean {
    assertValidHeader(name, value);
    if (!connectionAllowed(name, value)) return false;
    if (name[0] === ':') throw errorOf('ERR_HTTP2_INVALID_PSEUDOHEADER', `"${name}" is an invalid pseudoheader or is used incorrectly`, TypeError);
    if (!HTTP_TOKEN.test(name)) this.destroy(invalidToken(name)); // as Node: fails the stream, not the caller
    return true;
  }

  #setHeader(name: string, value: unknown): void {
    name = name.trim().toLowerCase();
    if (this.#checkName(name, value)) this.#headers[name] = value;
  }

  appendHeader(name: string, value: unknown): void {
    validateString(name, 'name');
    if (this.#stream.headersSent) throw headersSentError();
    this.#appendHeader(name, value);
  }

  #appendHeader(name: string, value: unknown): void {
    name = name.trim().toLowerCase();
    if (!this.#checkName(name, value)) return;
    const existing = this.#headers[name];
    if (existing === undefined || existing === '' || existing === null) { this.#headers[name] = value; return; }
    const list = Array.isArray(existing) ? existing : (this.#headers[name] = [existing]) as unknown[];
    if (Array.isArray(value)) list.push(...value);
    else list.push(value);
  }

  flushHeaders(): void {
    if (!this.#closed && !this.#stream.headersSent) this.writeHead(this.#statusCode);
  }

  writeHead(statusCode: number, statusMessage?: string | Headers | unknown[], headers?: Headers | unknown[]): this {
    if (this.#closed || this.#stream.destroyed) return this;
    if (this.#stream.headersSent) throw headersSentError();
    if (typeof statusMessage === 'string') statusMessageWarn();
    if (headers === undefined && typeof statusMessage === 'object') headers = statusMessage as Headers | unknown[];
    if (Array.isArray(headers)) {
      // [name, value, name, value, …]: these replace what setHeader() put there, duplicates kept.
      for (let i = 0; i < headers.length; i += 2) delete this.#headers[String(headers[i]).trim().toLowerCase()];
      for (let i = 0; i < headers.length; i += 2) this.#appendHeader(headers[i] as string, headers[i + 1]);
    } else if (headers && typeof headers === 'object') {
      for (const name of Object.keys(headers)) this.#setHeader(name, headers[name]);
    }
    this.#statusCode = statusCode;
    this.#beginSend();
    return this;
  }

  #beginSend(): void {
    const headers = this.#headers;
    headers[':status'] = this.#statusCode;
    // The stream ends from end() (a tick later), not here: see there.
    this.#stream.respond(headers as OutgoingHeaders, { waitForTrailers: true, sendDate: this.#sendDate });
  }

  cork(): void { this.#stream.cork(); }
  uncork(): void { this.#stream.uncork(); }

  write(chunk: string | Uint8Array, encoding?: BufferEncoding | ((err?: Error | null) => void), cb?: (err?: Error | null) => void): boolean {
    if (typeof encoding === 'function') { cb = encoding; encoding = 'utf8'; }
    let err: Error | undefined;
    if (this.#ending) err = errorOf('ERR_STREAM_WRITE_AFTER_END', 'write after end');
    else if (this.#closed) err = invalidStreamError();
    else if (this.#destroyed) return false;
    if (err) {
      if (typeof cb === 'function') process.nextTick(cb, err);
      this.destroy(err);
      return false;
    }
    const stream = this.#stream;
    if (!stream.headersSent) this.writeHead(this.#statusCode);
    if (stream.writableEnded) {
      // HEAD, 204, 205, 304: the response ended on its HEADERS, the body goes nowhere.
      if (typeof cb === 'function') process.nextTick(cb, errorOf('ERR_STREAM_WRITE_AFTER_END', 'write after end'));
      return false;
    }
    return stream.write(chunk, encoding as BufferEncoding, cb);
  }

  end(chunk?: string | Uint8Array | (() => void) | null, encoding?: BufferEncoding | (() => void), cb?: () => void): this {
    const stream = this.#stream;
    if (typeof chunk === 'function') { cb = chunk; chunk = null; } else if (typeof encoding === 'function') { cb = encoding; encoding = 'utf8'; }
    if (this.#closed || this.#ending) {
      if (typeof cb === 'function') process.nextTick(cb);
      return this;
    }
    if (chunk !== null && chunk !== undefined) this.write(chunk, encoding as BufferEncoding);
    this.#ending = true;
    if (typeof cb === 'function') {
      if (stream.writableEnded) this.once('finish', cb);
      else stream.once('finish', cb);
    }
    if (!stream.headersSent) this.writeHead(this.#statusCode);
    // Node asks for trailers ('wantTrailers') only once the body went to nghttp2, so trailers
    // set right after end() still go; our stream asks during end(): end it a tick later.
    process.nextTick(Http2ServerResponse.#endStream, this);
    return this;
  }

  static #endStream(res: Http2ServerResponse): void {
    if (!res.#closed && !res.#stream.destroyed) res.#stream.end();
  }

  destroy(err?: Error): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#stream.destroy(err);
  }

  setTimeout(msecs: number, callback?: () => void): void {
    if (this.#closed) return;
    this.#stream.setTimeout(msecs, callback);
  }

  /** A pushed stream (RFC 9113 §8.4) wrapped as a response; `callback(err, res)`. */
  createPushResponse(headers: OutgoingHeaders, callback: (err: Error | null, res?: Http2ServerResponse) => void): void {
    if (typeof callback !== 'function') throw invalidArgType('callback', 'of type function', callback);
    if (this.#closed) {
      process.nextTick(callback, invalidStreamError());
      return;
    }
    this.#stream.pushStream(headers, {}, (err, pushed) => {
      if (err) callback(err);
      else callback(null, new Http2ServerResponse(pushed!));
    });
  }

  /** 100 Continue; false once the response has started or the stream is gone. */
  writeContinue(): boolean {
    if (this.#stream.headersSent || this.#closed) return false;
    this.#stream.additionalHeaders({ ':status': 100 });
    return true;
  }

  /** 103 Early Hints (RFC 8297) with the `link` of `hints` and its other fields. */
  writeEarlyHints(hints: Headers): boolean {
    if (hints === null || typeof hints !== 'object' || Array.isArray(hints)) throw invalidArgType('hints', 'of type object', hints);
    const link = linkHeaderValue(hints);
    const headers: Headers = Object.create(null);
    for (const name of Object.keys(hints)) if (name !== 'link') headers[name] = hints[name];
    if (link.length === 0) return false;
    if (this.#stream.headersSent || this.#closed) return false;
    this.#stream.additionalHeaders({ ...headers, ':status': 103, link } as OutgoingHeaders);
    return true;
  }
}

// ---------------------------------------------------------------- the server side

export interface CompatOptions {
  Http2ServerRequest?: typeof Http2ServerRequest;
  Http2ServerResponse?: typeof Http2ServerResponse;
  Http1IncomingMessage?: typeof http.IncomingMessage;
  Http1ServerResponse?: typeof http.ServerResponse;
}

/**
 * Each 'stream' as a (req, res) pair: 'checkContinue' for `expect: 100-continue` when someone
 * listens (else 100 Continue and 'request'), 'checkExpectation' for other expectations (else 417),
 * 'request' otherwise.
 */
function onServerStream(server: net.Server, Request: typeof Http2ServerRequest, Response: typeof Http2ServerResponse,
  stream: ServerHttp2Stream, headers: IncomingHeaders, _flags: number, rawHeaders: string[]): void {
  const req = new Request(stream, headers, undefined, rawHeaders);
  const res = new Response(stream);
  const expect = headers.expect;
  if (expect === undefined) {
    server.emit('request', req, res);
  } else if (expect === '100-continue') {
    if (server.listenerCount('checkContinue') > 0) server.emit('checkContinue', req, res);
    else {
      res.writeContinue();
      server.emit('request', req, res);
    }
  } else if (server.listenerCount('checkExpectation') > 0) server.emit('checkExpectation', req, res);
  else {
    res.statusCode = 417;
    res.end();
  }
}

/**
 * As Node: the first 'request' listener (the createServer handler included) turns on the
 * compatibility layer, a 'stream' listener of the server's own. 'stream' listeners added by the
 * application still run, each on the same streams.
 */
export function setupCompat(server: net.Server, options: CompatOptions): void {
  const setup = (event: string | symbol) => {
    if (event !== 'request') return;
    server.removeListener('newListener', setup);
    const Request = options.Http2ServerRequest ?? Http2ServerRequest;
    const Response = options.Http2ServerResponse ?? Http2ServerResponse;
    server.on('stream', (stream: ServerHttp2Stream, headers: IncomingHeaders, flags: number, raw: string[]) =>
      onServerStream(server, Request, Response, stream, headers, flags, raw));
  };
  server.on('newListener', setup);
}

// node:http's events an HTTP/1.1 connection raises, re-emitted by the HTTP/2 server.
const HTTP1_EVENTS = new Set<string | symbol>(['request', 'checkContinue', 'checkExpectation', 'clientError', 'upgrade', 'connect', 'dropRequest', 'timeout']);

/**
 * The HTTP/1.1 side of allowHTTP1: a node:http Server that never listens; it parses the TLS
 * sockets handed to it and raises its events on the HTTP/2 server (listener counts, which decide
 * node:http's defaults such as 100 Continue and 'clientError' answers, are the HTTP/2 server's).
 */
class Http1Bridge extends http.Server {
  readonly #owner: net.Server;
  constructor(owner: net.Server, options: http.ServerOptions) {
    super(options);
    this.#owner = owner;
  }

  override emit(event: string | symbol, ...args: unknown[]): boolean {
    return HTTP1_EVENTS.has(event) ? EventEmitter.prototype.emit.call(this.#owner, event, ...args) : EventEmitter.prototype.emit.call(this, event, ...args);
  }

  override listenerCount(event: string | symbol, listener?: (...args: unknown[]) => unknown): number {
    return HTTP1_EVENTS.has(event) ? this.#owner.listenerCount(event, listener) : super.listenerCount(event, listener);
  }

  /** @internal A TLS socket that chose http/1.1 (or no ALPN). */
  _serve(socket: net.Socket): void { EventEmitter.prototype.emit.call(this, 'connection', socket); }
  /** @internal Starts node:http's timers (headersTimeout, requestTimeout) with the owner's listening. */
  _listening(): void { EventEmitter.prototype.emit.call(this, 'listening'); }
}

// node:http options that make sense for the fallback.
const HTTP1_OPTION_NAMES = ['requestTimeout', 'headersTimeout', 'keepAliveTimeout', 'maxHeaderSize', 'insecureHTTPParser',
  'joinDuplicateHeaders', 'requireHostHeader', 'uniqueHeaders', 'connectionsCheckingInterval', 'highWaterMark', 'noDelay',
  'keepAlive', 'keepAliveInitialDelay'] as const;

export interface Http1Fallback {
  /** Serves a TLS socket that chose http/1.1 (or no ALPN) with node:http. */
  serve(socket: net.Socket): void;
  /** What node:http does first in close(): stop its timers, end idle keep-alive connections. */
  preClose(): void;
  closeIdleConnections(): void;
}

/** Sets up allowHTTP1 on `server`: node:http, its timers running while `server` listens. */
export function http1Fallback(server: net.Server, options: CompatOptions & Record<string, unknown>): Http1Fallback {
  const picked: Record<string, unknown> = {};
  for (const name of HTTP1_OPTION_NAMES) if (options[name] !== undefined) picked[name] = options[name];
  const bridge = new Http1Bridge(server, {
    ...picked,
    IncomingMessage: options.Http1IncomingMessage ?? http.IncomingMessage,
    ServerResponse: options.Http1ServerResponse ?? http.ServerResponse,
  } as http.ServerOptions);
  server.on('listening', () => bridge._listening());
  return {
    serve: (socket) => bridge._serve(socket),
    preClose: () => bridge.close(), // never listening: only node:http's pre-close work happens
    closeIdleConnections: () => bridge.closeIdleConnections(),
  };
}

