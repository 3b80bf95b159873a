// Http2Session / ServerHttp2Session / ClientHttp2Session over a socket (any Duplex), driving a
// core Session: socket bytes → events → streams and session events; submissions → one corked
// gather write per turn. A first slice of the node:http2 Core API (see the note for
// what is still missing); not yet exported from the package.
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { Session as CoreSession, type Event } from '../core/index.ts';
import { constants } from './constants.gen.ts';
import { errorOf, invalidArgType } from './errors.ts';
import { toPairs, fromPairs, type OutgoingHeaders } from './headers.ts';
import { settingPairs, type Settings } from './settings.ts';
import { Http2Stream, ServerHttp2Stream, ClientHttp2Stream, trailersEvent } from './stream.ts';

const NO_PAYLOAD = new Set(['GET', 'HEAD', 'DELETE']); // Node ends these requests on HEADERS

export interface SessionOptions {
  settings?: Settings;
  maxHeaderListPairs?: number;
  maxSessionMemory?: number; // MB, as Node counts it
  peerMaxConcurrentStreams?: number;
  maxSettings?: number;
  maxOutstandingPings?: number;
}

type PingCallback = (err: Error | null, duration: number, payload: Buffer) => void;

function coreSettings(s: Settings | undefined) {
  if (!s) return undefined;
  settingPairs(s); // Node's validation and errors
  const { headerTableSize, enablePush, maxConcurrentStreams, initialWindowSize, maxFrameSize, enableConnectProtocol } = s;
  const maxHeaderListSize = s.maxHeaderSize ?? s.maxHeaderListSize;
  return { headerTableSize, enablePush, maxConcurrentStreams, initialWindowSize, maxFrameSize, maxHeaderListSize, enableConnectProtocol };
}

export class Http2Session extends EventEmitter {
  readonly socket: Duplex;
  readonly type: number;
  core: CoreSession | null;
  #streams = new Map<number, Http2Stream>();
  #requests = new Map<number, Record<string, unknown>>(); // server: each stream's request headers
  #pings: Array<{ payload: Buffer; started: number; cb: PingCallback }> = [];
  #flushScheduled = false;
  #settingsCallbacks: Array<(err: Error | null, settings: Settings, duration: number) => void> = [];
  #closing = false;
  #destroyed = false;
  encrypted = false;
  alpnProtocol: string | undefined = 'h2c';
  originSet: string[] | undefined = undefined;

  constructor(socket: Duplex, type: number, options: SessionOptions = {}) {
    super();
    this.socket = socket;
    this.type = type;
    this.core = new CoreSession({
      role: type === constants.NGHTTP2_SESSION_SERVER ? 'server' : 'client',
      settings: coreSettings(options.settings),
      limits: {
        maxHeaderListPairs: options.maxHeaderListPairs,
        maxSessionMemory: options.maxSessionMemory !== undefined ? Math.floor(options.maxSessionMemory * 1_000_000) : undefined,
        maxSettingsEntries: options.maxSettings,
        maxQueuedAcks: options.maxOutstandingPings !== undefined ? Math.max(options.maxOutstandingPings, 1) * 100 : undefined,
      },
    });
    socket.on('data', (chunk: Buffer) => this.#receive(chunk));
    socket.on('error', (err: Error) => this.destroy(err));
    socket.on('close', () => this.destroy());
    socket.on('end', () => this.close());
    this._scheduleFlush();
  }

  /** @internal The core session, or throws Node's error when the session is gone. */
  _core(): CoreSession {
    if (!this.core) throw errorOf('ERR_HTTP2_INVALID_SESSION', 'The session has been destroyed');
    return this.core;
  }

  get destroyed(): boolean { return this.#destroyed; }
  get closed(): boolean { return this.#closing || this.#destroyed; }
  get connecting(): boolean { return (this.socket as { connecting?: boolean }).connecting === true; }
  get pendingSettingsAck(): boolean { return this.core?.state.pendingSettingsAck ?? false; }
  get localSettings(): Settings { return this.core ? toNodeSettings(this.core.localSettings) : {}; }
  get remoteSettings(): Settings { return this.core ? toNodeSettings(this.core.remoteSettings) : {}; }

  get state() {
    const s = this.core?.state;
    return s ? {
      effectiveLocalWindowSize: s.localWindowSize, effectiveRecvDataLength: 0, nextStreamID: s.nextStreamId,
      localWindowSize: s.localWindowSize, lastProcStreamID: s.lastPeerStreamId, remoteWindowSize: s.remoteWindowSize,
      outboundQueueSize: 0, deflateDynamicTableSize: 0, inflateDynamicTableSize: 0,
    } : {};
  }

  // ---------------------------------------------------------------- I/O

  #receive(chunk: Buffer): void {
    const core = this.core;
    if (!core) return;
    let events: Event[];
    try {
      events = core.receive(chunk);
    } catch (err) {
      this.destroy(err as Error);
      return;
    }
    for (const e of events) this.#dispatch(e);
    this._flush();
  }

  /** @internal Writes at the end of this turn, so several submissions share one gather write. */
  _scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    queueMicrotask(() => this._flush());
  }

  /** @internal */
  _flush(): void {
    this.#flushScheduled = false;
    const core = this.core;
    if (!core || this.socket.destroyed) return;
    for (const s of this.#streams.values()) s._sendPendingResponse();
    const chunks = core.pull();
    if (chunks.length) {
      const sock = this.socket as Duplex & { cork?: () => void; uncork?: () => void };
      sock.cork?.();
      for (const c of chunks) sock.write(c);
      sock.uncork?.();
    }
    for (const s of this.#streams.values()) s._drained();
    if (this.#closing && core.state.openStreams === 0) this.destroy();
  }

  /** @internal */
  _consume(id: number, n: number): void {
    this.core?.consume(id, n);
  }

  /** @internal */
  _forget(stream: Http2Stream): void {
    this.#streams.delete(stream.id);
    this.#requests.delete(stream.id);
    if (this.#closing && this.core?.state.openStreams === 0) this._scheduleFlush();
  }

  /** @internal The request headers of a server stream (pushStream takes :scheme/:authority from them). */
  _requestHeaders(id: number): Record<string, unknown> | undefined {
    return this.#requests.get(id);
  }

  /** @internal */
  _track(stream: Http2Stream): void {
    this.#streams.set(stream.id, stream);
  }

  #dispatch(e: Event): void {
    switch (e.type) {
      case 'request': {
        const stream = new ServerHttp2Stream(this, e.streamId);
        this._track(stream);
        const { headers, rawHeaders } = fromPairs(e.headers);
        this.#requests.set(e.streamId, headers);
        if (e.endStream) stream._receiveEnd();
        const flags = constants.NGHTTP2_FLAG_END_HEADERS | (e.endStream ? constants.NGHTTP2_FLAG_END_STREAM : 0);
        this.emit('stream', stream, headers, flags, rawHeaders);
        break;
      }
      case 'response':
      case 'informational': {
        const stream = this.#streams.get(e.streamId) as ClientHttp2Stream | undefined;
        if (!stream) break;
        stream._response(e.headers, e.type === 'response' && e.endStream, e.type === 'informational');
        if (e.type === 'response' && e.endStream) stream._receiveEnd();
        break;
      }
      case 'trailers': {
        const stream = this.#streams.get(e.streamId);
        if (stream) { trailersEvent(stream, e.headers); stream._receiveEnd(); } // trailers end the stream
        break;
      }
      case 'data': {
        const stream = this.#streams.get(e.streamId);
        if (stream) stream._receiveData(e.bytes);
        else this.core?.consume(e.streamId, e.bytes.length);
        if (e.endStream && stream) stream._receiveEnd();
        break;
      }
      case 'stream-end': break; // delivered with the DATA or HEADERS that carried it
      case 'reset': this.#streams.get(e.streamId)?._receiveReset(e.code); break;
      case 'settings': this.emit('remoteSettings', toNodeSettings(e.settings)); break;
      case 'settings-ack': {
        const settings = toNodeSettings(e.settings);
        this.#settingsCallbacks.shift()?.(null, settings, 0);
        this.emit('localSettings', settings);
        break;
      }
      case 'ping': this.emit('ping', Buffer.from(e.payload)); break;
      case 'ping-ack': {
        const payload = Buffer.from(e.payload);
        const i = this.#pings.findIndex((p) => p.payload.equals(payload));
        if (i >= 0) {
          const [p] = this.#pings.splice(i, 1);
          p.cb(null, performance.now() - p.started, payload);
        }
        break;
      }
      case 'goaway':
        this.emit('goaway', e.code, e.lastStreamId, Buffer.from(e.debugData));
        if (e.code !== constants.NGHTTP2_NO_ERROR) {
          this.destroy(errorOf('ERR_HTTP2_SESSION_ERROR', `Session closed with error code ${e.code}`));
        } else this.close();
        break;
      case 'altsvc': this.emit('altsvc', e.value, e.origin, e.streamId); break;
      case 'origin': this.originSet = [...(this.originSet ?? []), ...e.origins]; this.emit('origin', e.origins); break;
      case 'push': {
        // The promised request: the pushed stream appears as a session 'stream' event; its
        // response arrives later as the stream's 'push' event.
        const pushed = new ClientHttp2Stream(this, e.promisedStreamId);
        pushed._pushed = true;
        pushed._endedOnHeaders(); // we send nothing on a pushed stream
        this._track(pushed);
        const { headers, rawHeaders } = fromPairs(e.headers);
        this.emit('stream', pushed, headers, constants.NGHTTP2_FLAG_END_HEADERS, rawHeaders);
        break;
      }
      case 'error':
        if (e.scope === 'connection') {
          this.destroy(errorOf('ERR_HTTP2_ERROR', e.reason));
        } else {
          const stream = this.#streams.get(e.streamId);
          if (stream) {
            this.emit('frameError', 0, e.code, e.streamId);
            stream._receiveReset(e.code);
          }
        }
        break;
      default: break;
    }
  }

  // ---------------------------------------------------------------- API

  ping(payload?: Buffer | ((err: Error | null, duration: number, payload: Buffer) => void), callback?: PingCallback): boolean {
    if (typeof payload === 'function') { callback = payload; payload = undefined; }
    if (payload !== undefined && (!ArrayBuffer.isView(payload) || payload.byteLength !== 8)) {
      throw errorOf('ERR_HTTP2_PING_LENGTH', 'HTTP2 ping payload must be 8 bytes', RangeError);
    }
    if (typeof callback !== 'function') throw invalidArgType('callback', 'of type function', callback);
    const sent = Buffer.from(this._core().ping(payload));
    this.#pings.push({ payload: sent, started: performance.now(), cb: callback });
    this._scheduleFlush();
    return true;
  }

  settings(settings: Settings, callback?: (err: Error | null, settings: Settings, duration: number) => void): void {
    const core = coreSettings(settings)!;
    this._core().settings(core);
    if (callback) this.#settingsCallbacks.push(callback);
    this._scheduleFlush();
  }

  setLocalWindowSize(windowSize: number): void {
    if (!Number.isInteger(windowSize) || windowSize < 0 || windowSize > 2 ** 31 - 1) {
      throw errorOf('ERR_OUT_OF_RANGE', `The value of "windowSize" is out of range. It must be >= 0 && <= 2147483647. Received ${windowSize}`, RangeError);
    }
    this._core().setLocalWindowSize(windowSize);
    this._scheduleFlush();
  }

  goaway(code: number = constants.NGHTTP2_NO_ERROR, _lastStreamID?: number, opaqueData?: Uint8Array): void {
    this._core().goaway(code, opaqueData);
    this._scheduleFlush();
  }

  /** Graceful: GOAWAY, then the socket closes once open streams are done. */
  close(callback?: () => void): void {
    if (callback) this.once('close', callback);
    if (this.#closing || this.#destroyed) return;
    this.#closing = true;
    try { this.core?.goaway(); } catch { /* already failed */ }
    this._scheduleFlush();
  }

  destroy(error?: Error, code?: number): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    const core = this.core;
    if (core && !this.socket.destroyed) {
      try {
        if (code !== undefined || error) core.goaway(code ?? constants.NGHTTP2_INTERNAL_ERROR);
        for (const c of core.pull()) this.socket.write(c);
      } catch { /* the session already failed */ }
    }
    for (const s of [...this.#streams.values()]) {
      if (!s.destroyed) s._receiveReset(constants.NGHTTP2_CANCEL, error ? errorOf('ERR_HTTP2_STREAM_CANCEL', 'The pending stream has been canceled (caused by: ' + error.message + ')') : undefined);
    }
    this.#streams.clear();
    core?.destroy();
    this.core = null;
    this.socket.end();
    this.socket.destroy();
    queueMicrotask(() => {
      if (error) this.emit('error', error);
      this.emit('close');
    });
  }

  ref(): void { (this.socket as { ref?: () => void }).ref?.(); }
  unref(): void { (this.socket as { unref?: () => void }).unref?.(); }

  setTimeout(ms: number, callback?: () => void): void {
    if (callback) this.once('timeout', callback);
    (this.socket as { setTimeout?: (ms: number, cb: () => void) => void }).setTimeout?.(ms, () => this.emit('timeout'));
  }
}

export class ServerHttp2Session extends Http2Session {
  server: unknown;
  constructor(socket: Duplex, options: SessionOptions, server: unknown) {
    super(socket, constants.NGHTTP2_SESSION_SERVER, options);
    this.server = server;
  }
}

export interface RequestOptions { endStream?: boolean; waitForTrailers?: boolean; signal?: AbortSignal }

export class ClientHttp2Session extends Http2Session {
  readonly #authority: string;
  readonly #scheme: string;

  constructor(socket: Duplex, options: SessionOptions, authority: URL) {
    super(socket, constants.NGHTTP2_SESSION_CLIENT, options);
    this.#authority = authority.host;
    this.#scheme = authority.protocol.replace(':', '');
  }

  request(headers: OutgoingHeaders = {}, options: RequestOptions = {}): ClientHttp2Stream {
    if (this.destroyed) throw errorOf('ERR_HTTP2_INVALID_SESSION', 'The session has been destroyed');
    if (this.closed) throw errorOf('ERR_HTTP2_GOAWAY_SESSION', 'New streams cannot be created after receiving a GOAWAY');
    const out: OutgoingHeaders = { ...headers };
    const method = String(out[':method'] ?? 'GET').toUpperCase();
    out[':method'] = method;
    if (method !== 'CONNECT') {
      if (out[':scheme'] === undefined) out[':scheme'] = this.#scheme;
      if (out[':path'] === undefined) out[':path'] = '/';
    }
    if (out[':authority'] === undefined && out.host === undefined) out[':authority'] = this.#authority;
    const endStream = options.endStream ?? NO_PAYLOAD.has(method);
    const { pairs, sensitive } = toPairs(out);
    const id = this._core().request(pairs, { endStream: endStream && !options.waitForTrailers, sensitive });
    const stream = new ClientHttp2Stream(this, id);
    this._track(stream);
    if (endStream && !options.waitForTrailers) stream._endedOnHeaders();
    this._scheduleFlush();
    return stream;
  }
}

function toNodeSettings(s: object): Settings {
  const v = s as Record<string, number | boolean>;
  return {
    headerTableSize: v.headerTableSize as number, enablePush: v.enablePush as boolean,
    initialWindowSize: v.initialWindowSize as number, maxFrameSize: v.maxFrameSize as number,
    maxConcurrentStreams: v.maxConcurrentStreams as number, maxHeaderListSize: v.maxHeaderListSize as number,
    maxHeaderSize: v.maxHeaderListSize as number, enableConnectProtocol: v.enableConnectProtocol as boolean,
  };
}
