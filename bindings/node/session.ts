// Http2Session / ServerHttp2Session / ClientHttp2Session over a socket (any Duplex), driving a
// core Session: socket bytes → events → streams and session events; submissions → one corked
// gather write per turn. A first slice of the node:http2 Core API (see the note for
// what is still missing); not yet exported from the package.
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { Session as CoreSession, type Event } from '../core/index.ts';
import { constants } from './constants.gen.ts';
import { errorOf, invalidArgType, nodeError } from './errors.ts';
import { toPairs, fromPairs, headerBlockBound, assertIsObject, checkRequestNames, type OutgoingHeaders } from './headers.ts';
import { settingPairs, type Settings } from './settings.ts';
import { Http2Stream, ServerHttp2Stream, ClientHttp2Stream, trailersEvent } from './stream.ts';
import { debugSession, emitEntry, observingHttp2 } from './diagnostics.ts';
import { idleTimer } from './timeout.ts';

const NO_PAYLOAD = new Set(['GET', 'HEAD', 'DELETE']); // Node ends these requests on HEADERS

export interface SessionOptions {
  settings?: Settings;
  maxHeaderListPairs?: number;
  maxSessionMemory?: number; // MB, as Node counts it
  peerMaxConcurrentStreams?: number;
  maxSettings?: number;
  maxOutstandingPings?: number;
  maxDeflateDynamicTableSize?: number;
  maxSendHeaderBlockLength?: number;
  maxReservedRemoteStreams?: number;
  paddingStrategy?: number;
  selectPadding?: unknown; // ignored, as by Node 20: PADDING_STRATEGY_CALLBACK is PADDING_STRATEGY_ALIGNED
  /** h2wasm (servers): ms for the client's preface and first SETTINGS, else the connection closes (DESIGN.md: 10 s). */
  prefaceTimeout?: number;
  /** h2wasm (servers): ms for our first SETTINGS to be acknowledged, else GOAWAY SETTINGS_TIMEOUT (RFC 9113 §6.5.3). */
  settingsTimeout?: number;
  /** h2wasm (clients): the first stream id (odd, default 1); tests use it to reach the end of the ids quickly. */
  firstStreamId?: number;
}

// Node's defaults where they differ from the core's.
const NODE_PEER_MAX_CONCURRENT_STREAMS = 100;
const NODE_MAX_RESERVED_REMOTE_STREAMS = 200;

type PingCallback = (err: Error | null, duration: number, payload: Buffer) => void;

function coreSettings(s: Settings | undefined) {
  if (!s) return undefined;
  settingPairs(s); // Node's validation and errors
  const { headerTableSize, enablePush, maxConcurrentStreams, initialWindowSize, maxFrameSize, enableConnectProtocol } = s;
  const maxHeaderListSize = s.maxHeaderSize ?? s.maxHeaderListSize;
  return { headerTableSize, enablePush, maxConcurrentStreams, initialWindowSize, maxFrameSize, maxHeaderListSize, enableConnectProtocol };
}

export class Http2Session extends EventEmitter {
  /** @internal The transport; `socket` is the guarded Proxy Node hands out. */
  readonly _socket: Duplex;
  readonly type: number;
  core: CoreSession | null;
  #streams = new Map<number, Http2Stream>();
  #requests = new Map<number, Record<string, unknown>>(); // server: each stream's request headers
  #pings: Array<{ payload: Buffer; started: number; cb: PingCallback }> = [];
  #flushScheduled = false;
  // One entry per SETTINGS awaiting its ACK, the initial one first (Node counts it too).
  #settingsCallbacks: Array<((err: Error | null, settings: Settings, duration: number) => void) | null> = [null];
  #maxPendingSettings = 10; // Node's maxOutstandingSettings default
  #closing = false;
  #destroyed = false;
  /** @internal Node's maxSendHeaderBlockLength (64 KiB by default), against nghttp2's bound of a block. */
  _maxSendHeaderBlockLength = 65536;
  encrypted = false;
  alpnProtocol: string | undefined = 'h2c';
  #origins: Set<string> | undefined = undefined; // TLS only, as Node: starts with the connected origin
  #proxy: Duplex | undefined = undefined;
  #timeout: ReturnType<typeof setTimeout> | undefined = undefined; // the idle timer of setTimeout()
  #localWindow = 65535; // the connection window we asked for (Node's effectiveLocalWindowSize)
  // Server sessions: a peer that never completes the handshake must not hold a connection forever.
  #prefaceTimer: ReturnType<typeof setTimeout> | undefined = undefined;
  #ackTimer: ReturnType<typeof setTimeout> | undefined = undefined;
  #linger = false; // a connection error: our GOAWAY must reach the peer before the socket goes

  /**
   * @internal A connection error ends the events being dispatched: what handlers submit for the
   * streams before it is dropped (nothing goes out after our GOAWAY), as nghttp2 queues and never
   * sends it, instead of throwing into the application.
   */
  _failed = false;
  /**
   * @internal Streams that the events being dispatched reset (a request and its RST_STREAM in one
   * read: Rapid Reset). The core has closed them already; a handler answering the request before
   * the reset reaches its stream must not get an exception for it.
   */
  _doomed = new Set<number>();
  /** @internal Submissions for this stream would fail for a reason the application cannot see yet. */
  _dropping(id: number): boolean { return this._failed || this._doomed.has(id); }

  /** @internal Streams whose response HEADERS wait for the next flush. */
  _pendingResponses = new Set<Http2Stream>();
  /** @internal Streams whose last write waits for their queue to drain. */
  _waitingDrain = new Set<Http2Stream>();

  /** @internal Figures for the 'http2' performance entry and NODE_DEBUG. */
  _stats = { start: performance.now(), bytesRead: 0, bytesWritten: 0, streamCount: 0, maxConcurrentStreams: 0, streamDurations: 0, pingRTT: 0 };

  constructor(socket: Duplex, type: number, options: SessionOptions = {}) {
    super();
    this._socket = socket;
    this.type = type;
    // Frames are written whole, a turn's worth at once: Nagle would only hold the last one back
    // (a 40 ms stall per window against a peer that delays its ACKs).
    (socket as Duplex & { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
    debugSession(this._typeName, this.type === constants.NGHTTP2_SESSION_SERVER ? 'setting up session handle' : 'created');
    this.#maxPendingSettings = (options as { maxOutstandingSettings?: number }).maxOutstandingSettings ?? 10;
    this.core = new CoreSession({
      role: type === constants.NGHTTP2_SESSION_SERVER ? 'server' : 'client',
      firstStreamId: type === constants.NGHTTP2_SESSION_CLIENT ? options.firstStreamId : undefined,
      settings: coreSettings(options.settings),
      limits: {
        maxHeaderListPairs: options.maxHeaderListPairs,
        maxSessionMemory: options.maxSessionMemory !== undefined ? Math.floor(options.maxSessionMemory * 1_000_000) : undefined,
        maxSettingsEntries: options.maxSettings,
        maxQueuedAcks: options.maxOutstandingPings !== undefined ? Math.max(options.maxOutstandingPings, 1) * 100 : undefined,
        maxDeflateDynamicTableSize: numberOption(options.maxDeflateDynamicTableSize),
        paddingStrategy: options.paddingStrategy === 1 || options.paddingStrategy === 2 ? options.paddingStrategy : undefined,
        peerMaxConcurrentStreams: numberOption(options.peerMaxConcurrentStreams) ?? NODE_PEER_MAX_CONCURRENT_STREAMS,
        maxReservedRemoteStreams: numberOption(options.maxReservedRemoteStreams) ?? NODE_MAX_RESERVED_REMOTE_STREAMS,
      },
    });
    this._maxSendHeaderBlockLength = numberOption(options.maxSendHeaderBlockLength) ?? 65536;
    if (type === constants.NGHTTP2_SESSION_SERVER) {
      this.#prefaceTimer = setTimeout(() => this.destroy(), numberOption(options.prefaceTimeout) ?? 10_000);
      this.#ackTimer = setTimeout(() => this.destroy(undefined, constants.NGHTTP2_SETTINGS_TIMEOUT), numberOption(options.settingsTimeout) ?? 10_000);
      this.#prefaceTimer.unref?.();
      this.#ackTimer.unref?.();
    }
    socket.on('data', (chunk: Buffer) => this.#receive(chunk));
    socket.on('error', (err: Error) => this.destroy(err));
    socket.on('close', () => this.destroy());
    socket.on('end', () => this.close());
    this._scheduleFlush();
  }

  /** @internal 'server' or 'client', as Node names sessions in its debug output and entries. */
  get _typeName(): string { return this.type === constants.NGHTTP2_SESSION_SERVER ? 'server' : 'client'; }

  /** @internal The core session, or throws Node's error when the session is gone. */
  _core(): CoreSession {
    if (!this.core) throw errorOf('ERR_HTTP2_INVALID_SESSION', 'The session has been destroyed');
    return this.core;
  }

  get destroyed(): boolean { return this.#destroyed; }
  get closed(): boolean { return this.#closing || this.#destroyed; }
  get connecting(): boolean { return (this._socket as { connecting?: boolean }).connecting === true; }
  get pendingSettingsAck(): boolean { return this.core?.state.pendingSettingsAck ?? false; }
  get localSettings(): Settings { return this.core ? toNodeSettings(this.core.localSettings) : {}; }
  get remoteSettings(): Settings { return this.core ? toNodeSettings(this.core.remoteSettings) : {}; }

  get state() {
    if (this.#destroyed || !this.core || this.connecting) return {};
    const s = this.core.state;
    // effectiveRecvDataLength: DATA octets received and not yet given back by WINDOW_UPDATE.
    // outboundQueueSize: Node counts queued frames; the core keeps no count, so this is the
    // number of streams with body octets still queued (0 when everything went out).
    let queued = 0;
    for (const st of this.#streams.values()) if (st.bufferSize > 0) queued++;
    return {
      effectiveLocalWindowSize: this.#localWindow, effectiveRecvDataLength: Math.max(0, this.#localWindow - s.localWindowSize),
      nextStreamID: s.nextStreamId, localWindowSize: s.localWindowSize, lastProcStreamID: s.lastPeerStreamId,
      remoteWindowSize: s.remoteWindowSize, outboundQueueSize: queued, deflateDynamicTableSize: s.deflateDynamicTableSize, inflateDynamicTableSize: s.inflateDynamicTableSize,
    };
  }

  /** Node's guarded view of the socket: reads pass through, I/O on it throws. */
  get socket(): Duplex {
    return this.#proxy ??= new Proxy(this, proxySocketHandler) as unknown as Duplex;
  }

  /** The origins this session may be authoritative for (TLS sessions only, as Node). */
  get originSet(): string[] | undefined {
    if (!this.encrypted || this.#destroyed) return undefined;
    return [...this.#originSet()];
  }

  #originSet(): Set<string> {
    if (this.#origins) return this.#origins;
    const sock = this._socket as Duplex & { servername?: string | false | null; remoteAddress?: string; remoteFamily?: string; remotePort?: number };
    let host = sock.servername;
    if (host === null || host === false || host === undefined) host = sock.remoteFamily === 'IPv6' ? `[${sock.remoteAddress}]` : sock.remoteAddress;
    let origin = `https://${host}`;
    if (sock.remotePort != null) origin += `:${sock.remotePort}`;
    let first = origin;
    try { first = new URL(origin).origin; } catch { /* keep it as built */ }
    return this.#origins = new Set([first]);
  }

  /** @internal The weights of the streams priority() made depend on `id` (stream.state.sumDependencyWeight). */
  _sumDependencyWeight(id: number): number {
    let sum = 0;
    for (const st of this.#streams.values()) if (st._parent === id && !st.destroyed) sum += st._weight;
    return sum;
  }

  /** @internal Frames went by: the idle timer of setTimeout() starts again (Node's kUpdateTimer). */
  _updateTimer(): void {
    if (!this.#destroyed) this.#timeout?.refresh();
  }

  // ---------------------------------------------------------------- I/O

  #receive(chunk: Buffer): void {
    const core = this.core;
    if (!core) return;
    this._stats.bytesRead += chunk.length;
    this._updateTimer();
    let events: Event[];
    try {
      events = core.receive(chunk);
    } catch (err) {
      this.destroy(err as Error);
      return;
    }
    for (const e of events) {
      if (e.type === 'reset' || (e.type === 'error' && e.scope === 'stream')) this._doomed.add(e.streamId);
      else if (e.type === 'error') this._failed = true;
    }
    for (const e of events) this.#dispatch(e);
    this._doomed.clear();
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
    try {
      this.#flush();
    } catch (err) {
      // The core's instance trapped (in this session or another one on it): fail this session, not the process.
      if ((err as { code?: string })?.code !== 'ERR_H2WASM_CORE_TRAP') throw err;
      this.destroy(err as Error);
    }
  }

  #flush(): void {
    this.#flushScheduled = false;
    const core = this.core;
    if (!core || this._socket.destroyed) return;
    if (this._pendingResponses.size) {
      for (const s of this._pendingResponses) s._sendPendingResponse();
      this._pendingResponses.clear();
    }
    // The socket's buffer is full (a peer that does not read): leave frames and body slices queued
    // in the core, where streams' backpressure and the session's limits bound them, until it drains.
    // Reading goes on: two peers that both stopped reading while their writes wait would wait for
    // each other for ever (what a flooder makes us queue meanwhile is the core's limits' business).
    if ((this._socket as Duplex & { writableNeedDrain?: boolean }).writableNeedDrain) {
      this.#awaitDrain();
      return;
    }
    const chunks = core.pull();
    if (chunks.length) {
      const sock = this._socket as Duplex & { cork?: () => void; uncork?: () => void };
      sock.cork?.();
      writeCoalesced(sock, chunks, this._stats);
      sock.uncork?.();
      this._updateTimer();
    }
    // One pull() gives at most a bounded batch: with more ready (a peer with a large window sends
    // no WINDOW_UPDATE to wake us), come back next turn.
    if (this.core && core.wantsWrite) setImmediate(() => this._scheduleFlush());
    if (this._waitingDrain.size) for (const s of this._waitingDrain) s._drained();
    if (this.#closing && core.state.openStreams === 0) this.destroy();
  }

  #drainAwaited = false;
  #awaitDrain(): void {
    if (this.#drainAwaited) return;
    this.#drainAwaited = true;
    this._socket.once('drain', () => {
      this.#drainAwaited = false;
      if (!this.#destroyed) this._scheduleFlush();
    });
  }

  /** @internal */
  _consume(id: number, n: number): void {
    this.core?.consume(id, n);
  }

  /** @internal */
  _forget(stream: Http2Stream): void {
    if (this.#streams.get(stream.id) !== stream) return; // never registered (a refused request)
    this._stats.streamDurations += performance.now() - stream._startTime;
    this.#streams.delete(stream.id);
    this.#requests.delete(stream.id);
    this._pendingResponses.delete(stream);
    this._waitingDrain.delete(stream);
    if (this.#closing && this.core?.state.openStreams === 0) this._scheduleFlush();
  }

  /** @internal The request headers of a server stream (pushStream takes :scheme/:authority from them). */
  _requestHeaders(id: number): Record<string, unknown> | undefined {
    return this.#requests.get(id);
  }

  /** @internal */
  _track(stream: Http2Stream): void {
    this.#streams.set(stream.id, stream);
    this._stats.streamCount++;
    if (this.#streams.size > this._stats.maxConcurrentStreams) this._stats.maxConcurrentStreams = this.#streams.size;
  }

  #dispatch(e: Event): void {
    switch (e.type) {
      case 'request': {
        const stream = new ServerHttp2Stream(this, e.streamId);
        this._track(stream);
        stream._headersArrived();
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
      case 'settings': clearTimeout(this.#prefaceTimer); debugSession(this._typeName, 'new settings received'); this.emit('remoteSettings', toNodeSettings(e.settings)); break;
      case 'settings-ack': {
        clearTimeout(this.#ackTimer);
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
          this._stats.pingRTT = performance.now() - p.started;
          p.cb(null, this._stats.pingRTT, payload);
        }
        break;
      }
      case 'goaway':
        debugSession(this._typeName, `goaway ${e.code} received [last stream id: ${e.lastStreamId}]`);
        this.emit('goaway', e.code, e.lastStreamId, Buffer.from(e.debugData));
        if (e.code !== constants.NGHTTP2_NO_ERROR) {
          this.destroy(errorOf('ERR_HTTP2_SESSION_ERROR', `Session closed with error code ${e.code}`));
        } else this.close();
        break;
      case 'altsvc': this.emit('altsvc', e.value, e.origin, e.streamId); break;
      case 'origin': {
        if (!this.encrypted) break; // as Node: ORIGIN only counts over TLS
        const set = this.#originSet();
        for (const o of e.origins) set.add(o);
        this.emit('origin', e.origins);
        break;
      }
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
          this.#linger = true;
          this.destroy(errorOf('ERR_HTTP2_ERROR', e.reason));
        } else {
          // A stream error we detected: RST_STREAM went out; the stream fails with its code
          // ('frameError' is only for frames that could not be sent, as in Node).
          this.#streams.get(e.streamId)?._receiveReset(e.code);
        }
        break;
      default: break;
    }
  }

  // ---------------------------------------------------------------- API

  ping(payload?: Buffer | ((err: Error | null, duration: number, payload: Buffer) => void), callback?: PingCallback): boolean {
    if (this.destroyed) throw errorOf('ERR_HTTP2_INVALID_SESSION', 'The session has been destroyed');
    if (typeof payload === 'function') { callback = payload; payload = undefined; }
    if (payload) { // Node's order: validateBuffer, then the length, then the callback
      if (!ArrayBuffer.isView(payload)) throw invalidArgType('payload', 'an instance of Buffer, TypedArray, or DataView', payload);
      if (payload.byteLength !== 8) throw errorOf('ERR_HTTP2_PING_LENGTH', 'HTTP2 ping payload must be 8 bytes', RangeError);
    }
    if (typeof callback !== 'function') throw invalidArgType('callback', 'of type function', callback);
    const sent = Buffer.from(this._core().ping(payload));
    this.#pings.push({ payload: sent, started: performance.now(), cb: callback });
    this._scheduleFlush();
    return true;
  }

  settings(settings: Settings, callback?: (err: Error | null, settings: Settings, duration: number) => void): void {
    if (this.destroyed) throw errorOf('ERR_HTTP2_INVALID_SESSION', 'The session has been destroyed');
    assertIsObject(settings, 'settings');
    const core = coreSettings(settings ?? {})!;
    if (callback !== undefined && typeof callback !== 'function') throw invalidArgType('callback', 'of type function', callback);
    if (this.#settingsCallbacks.length >= this.#maxPendingSettings) {
      // As Node: the session is destroyed, the call itself does not throw.
      this.destroy(errorOf('ERR_HTTP2_MAX_PENDING_SETTINGS_ACK', 'Maximum number of pending settings acknowledgements'));
      return;
    }
    debugSession(this._typeName, 'submitting settings');
    this._core().settings(core);
    this.#settingsCallbacks.push(callback ?? null);
    this._scheduleFlush();
  }

  setLocalWindowSize(windowSize: number): void {
    if (this.destroyed) throw errorOf('ERR_HTTP2_INVALID_SESSION', 'The session has been destroyed');
    // Node's validateInt32(windowSize, 'windowSize', 0)
    if (typeof windowSize !== 'number') throw invalidArgType('windowSize', 'of type number', windowSize);
    if (!Number.isInteger(windowSize)) throw errorOf('ERR_OUT_OF_RANGE', `The value of "windowSize" is out of range. It must be an integer. Received ${windowSize}`, RangeError);
    if (windowSize < 0 || windowSize > 2 ** 31 - 1) {
      throw errorOf('ERR_OUT_OF_RANGE', `The value of "windowSize" is out of range. It must be >= 0 && <= 2147483647. Received ${windowSize}`, RangeError);
    }
    this._core().setLocalWindowSize(windowSize);
    this.#localWindow = windowSize;
    this._updateTimer();
    this._scheduleFlush();
  }

  goaway(code: number = constants.NGHTTP2_NO_ERROR, _lastStreamID: number = 0, opaqueData?: Uint8Array): void {
    if (this.destroyed) throw errorOf('ERR_HTTP2_INVALID_SESSION', 'The session has been destroyed');
    if (opaqueData !== undefined && !ArrayBuffer.isView(opaqueData)) throw invalidArgType('opaqueData', 'an instance of Buffer, TypedArray, or DataView', opaqueData);
    if (typeof code !== 'number') throw invalidArgType('code', 'of type number', code);
    if (typeof _lastStreamID !== 'number') throw invalidArgType('lastStreamID', 'of type number', _lastStreamID);
    debugSession(this._typeName, 'submitting goaway');
    const core = this._core();
    this._updateTimer();
    // As nghttp2: a lastStreamID above the last stream we processed is lowered to it; 0 means that one.
    core.goaway(code, opaqueData, _lastStreamID > 0 ? _lastStreamID : undefined);
    if (_lastStreamID > 0) {
      // Streams the peer opened above it were not processed: they close as refused (as nghttp2 does).
      const peerParity = this.type === constants.NGHTTP2_SESSION_SERVER ? 1 : 0;
      for (const st of [...this.#streams.values()]) {
        if (st.id > _lastStreamID && (st.id & 1) === peerParity && core.streamState(st.id).state === 'closed') st._receiveReset(constants.NGHTTP2_REFUSED_STREAM);
      }
    }
    this._scheduleFlush();
  }

  /** Graceful: GOAWAY, then the socket closes once open streams are done. */
  close(callback?: () => void): void {
    if (this.#closing || this.#destroyed) return; // as Node: the callback is not kept then
    if (typeof callback === 'function') this.once('close', callback);
    debugSession(this._typeName, 'marking session closed');
    this.#closing = true;
    try { this.core?.goaway(); } catch { /* already failed */ }
    this._scheduleFlush();
  }

  destroy(error?: Error, code?: number): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    debugSession(this._typeName, 'destroying');
    clearTimeout(this.#timeout);
    clearTimeout(this.#prefaceTimer);
    clearTimeout(this.#ackTimer);
    this.removeAllListeners('timeout');
    const core = this.core;
    if (core && !this._socket.destroyed) {
      try {
        if (code !== undefined || error) core.goaway(code ?? constants.NGHTTP2_INTERNAL_ERROR);
      } catch { /* the session already failed: the core queued its own GOAWAY */ }
      try {
        for (const c of core.pull()) this._socket.write(c); // e.g. that GOAWAY, with the RFC's code
      } catch { /* nothing more to send */ }
    }
    for (const s of [...this.#streams.values()]) {
      // Both END_STREAMs already passed (its 'end' is still on the way): it completes, no CANCEL.
      let done = false;
      try { done = !error && core?.streamState(s.id).state === 'closed'; } catch { /* the session failed */ }
      if (!s.destroyed && !done) s._receiveReset(constants.NGHTTP2_CANCEL, error ? errorOf('ERR_HTTP2_STREAM_CANCEL', 'The pending stream has been canceled (caused by: ' + error.message + ')') : undefined);
    }
    this.#streams.clear();
    if (observingHttp2()) {
      const st = this._stats;
      let frames = { framesReceived: 0, framesSent: 0 };
      try { if (core) frames = core.state; } catch { /* the session failed */ }
      emitEntry('Http2Session', st.start, {
        bytesWritten: st.bytesWritten, bytesRead: st.bytesRead, framesReceived: frames.framesReceived, framesSent: frames.framesSent,
        maxConcurrentStreams: st.maxConcurrentStreams, pingRTT: st.pingRTT,
        streamAverageDuration: st.streamCount ? st.streamDurations / st.streamCount : 0, streamCount: st.streamCount, type: this._typeName,
      });
    }
    core?.destroy();
    this.core = null;
    this._socket.end();
    if (this.#linger) lingeringClose(this._socket);
    else this._socket.destroy();
    queueMicrotask(() => {
      if (error) this.emit('error', error);
      this.emit('close');
    });
  }

  ref(): void { (this._socket as { ref?: () => void }).ref?.(); }
  unref(): void { (this._socket as { unref?: () => void }).unref?.(); }

  /** Node's setStreamTimeout: an unref'd idle timer that frames in and out restart. */
  setTimeout(ms: number, callback?: () => void): this {
    if (this.#destroyed) return this;
    this.#timeout = idleTimer(this, this.#timeout, ms, callback);
    return this;
  }
}

export class ServerHttp2Session extends Http2Session {
  server: unknown;
  constructor(socket: Duplex, options: SessionOptions, server: unknown) {
    super(socket, constants.NGHTTP2_SESSION_SERVER, options);
    this.server = server;
    const origins = (options as { origins?: unknown }).origins;
    if (Array.isArray(origins)) this.origin(...origins);
    process.nextTick(() => this.emit('connect', this, socket)); // as Node's setupHandle
  }

  /** ALTSVC (RFC 7838) for an origin, or for the origin of one of our streams; Node's checks and errors. */
  altsvc(alt: string, originOrStream?: number | string | URL | { origin: string }): void {
    if (this.destroyed) throw errorOf('ERR_HTTP2_INVALID_SESSION', 'The session has been destroyed');
    let stream = 0;
    let origin: string | undefined;
    if (typeof originOrStream === 'string') {
      origin = urlOrigin(originOrStream);
      if (origin === 'null') throw altsvcOriginError();
    } else if (typeof originOrStream === 'number') {
      if (originOrStream >>> 0 !== originOrStream || originOrStream === 0) {
        throw errorOf('ERR_OUT_OF_RANGE', `The value of "originOrStream" is out of range. It must be > 0 && < 4294967296. Received ${rangeShown(originOrStream)}`, RangeError);
      }
      stream = originOrStream;
    } else if (originOrStream !== undefined) {
      if (originOrStream !== null && typeof originOrStream === 'object') origin = (originOrStream as { origin: string }).origin;
      if (typeof origin !== 'string') {
        throw invalidArgType('originOrStream', 'one of type string or number or an instance of URL or Object', originOrStream);
      } else if (origin === 'null' || origin.length === 0) throw altsvcOriginError();
    }
    if (typeof alt !== 'string') throw invalidArgType('alt', 'of type string', alt);
    if (!/^[\x09\x20-\x5b\x5d-\x7e\x80-\xff]*$/.test(alt)) throw errorOf('ERR_INVALID_CHAR', 'Invalid character in alt', TypeError);
    if (alt.length + (origin?.length ?? 0) > MAX_ALTSVC) throw errorOf('ERR_HTTP2_ALTSVC_LENGTH', 'HTTP/2 ALTSVC frames are limited to 16382 bytes', TypeError);
    // RFC 7838 §4: on a stream the origin field is empty; on stream 0 it names the origin.
    this._core().altsvc(stream || origin || '', alt);
    this._updateTimer();
    this._scheduleFlush();
  }

  /** ORIGIN (RFC 8336): the origins this server is authoritative for; Node's checks and errors. */
  origin(...origins: Array<string | URL | { origin: string }>): void {
    if (this.destroyed) throw errorOf('ERR_HTTP2_INVALID_SESSION', 'The session has been destroyed');
    if (origins.length === 0) return;
    const list: string[] = [];
    let len = 0;
    for (const o of origins) {
      let origin: unknown = o;
      if (typeof o === 'string') origin = urlOrigin(o);
      else if (o != null && typeof o === 'object') origin = (o as { origin: unknown }).origin;
      if (typeof origin !== 'string') throw invalidArgType('origin', 'of type string', origin);
      if (origin === 'null') throw errorOf('ERR_HTTP2_INVALID_ORIGIN', 'HTTP/2 ORIGIN frames require a valid origin', TypeError);
      list.push(origin);
      len += origin.length;
    }
    if (len > MAX_ALTSVC) throw errorOf('ERR_HTTP2_ORIGIN_LENGTH', 'HTTP/2 ORIGIN frames are limited to 16382 bytes', TypeError);
    this._core().origin(list);
    this._updateTimer();
    this._scheduleFlush();
  }
}

const MAX_ALTSVC = 2 ** 14 - 2; // a frame's 16384 octets less the 2-octet origin length

/** Node's getURLOrigin: the serialized origin, 'null' when there is none; a bad URL throws ERR_INVALID_URL. */
function urlOrigin(s: string): string {
  return new URL(s).origin;
}

function altsvcOriginError(): Error {
  return errorOf('ERR_HTTP2_ALTSVC_INVALID_ORIGIN', 'HTTP/2 ALTSVC frames require a valid origin', TypeError);
}

function rangeShown(n: number): string {
  return Number.isInteger(n) && Math.abs(n) > 2 ** 32 ? String(n).replace(/\B(?=(\d{3})+(?!\d))/g, '_') : String(n);
}

const NO_SOCKET_MANIPULATION = new Set(['destroy', 'emit', 'end', 'pause', 'read', 'resume', 'write', 'setEncoding', 'setKeepAlive', 'setNoDelay']);
const noManipulation = () => errorOf('ERR_HTTP2_NO_SOCKET_MANIPULATION', 'HTTP/2 sockets should not be directly manipulated (e.g. read and written)');
const unbound = () => errorOf('ERR_HTTP2_SOCKET_UNBOUND', 'The socket has been disconnected from the Http2Session');

/** Node's proxySocketHandler: setTimeout/ref/unref go to the session, I/O throws, the rest is the socket's. */
const proxySocketHandler: ProxyHandler<Http2Session> = {
  get(session, prop) {
    if (prop === 'setTimeout' || prop === 'ref' || prop === 'unref') {
      const fn = (session as unknown as Record<string, (...a: unknown[]) => unknown>)[prop];
      return fn.bind(session);
    }
    if (typeof prop === 'string' && NO_SOCKET_MANIPULATION.has(prop)) throw noManipulation();
    if (session.destroyed) throw unbound();
    const socket = session._socket as unknown as Record<string | symbol, unknown>;
    const value = socket[prop];
    return typeof value === 'function' ? value.bind(socket) : value;
  },
  getPrototypeOf(session) {
    if (session.destroyed) throw unbound();
    return Reflect.getPrototypeOf(session._socket);
  },
  set(session, prop, value) {
    if (prop === 'setTimeout' || prop === 'ref' || prop === 'unref') {
      (session as unknown as Record<string, unknown>)[prop] = value;
      return true;
    }
    if (typeof prop === 'string' && NO_SOCKET_MANIPULATION.has(prop)) throw noManipulation();
    if (session.destroyed) throw unbound();
    (session._socket as unknown as Record<string | symbol, unknown>)[prop] = value;
    return true;
  },
};

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
    checkRequestNames(headers, (err) => this.destroy(err)); // as Node: a bad name destroys the session
    assertIsObject(headers, 'headers');
    assertIsObject(options, 'options');
    const out: OutgoingHeaders = { ...headers };
    const method = String(out[':method'] ?? 'GET').toUpperCase();
    out[':method'] = method;
    if (method !== 'CONNECT' || out[':protocol'] !== undefined) {
      if (out[':authority'] === undefined && out.host === undefined) out[':authority'] = this.#authority;
      if (out[':scheme'] === undefined) out[':scheme'] = this.#scheme;
      if (out[':path'] === undefined) out[':path'] = '/';
    } else {
      if (out[':authority'] === undefined) throw errorOf('ERR_HTTP2_CONNECT_AUTHORITY', ':authority header is required for CONNECT requests');
      if (out[':scheme'] !== undefined) throw errorOf('ERR_HTTP2_CONNECT_SCHEME', 'The :scheme header is forbidden for CONNECT requests');
      if (out[':path'] !== undefined) throw errorOf('ERR_HTTP2_CONNECT_PATH', 'The :path header is forbidden for CONNECT requests');
    }
    if (options.endStream !== undefined && typeof options.endStream !== 'boolean') throw invalidArgType('options.endStream', 'of type boolean', options.endStream);
    if (options.signal && (typeof options.signal !== 'object' || !('aborted' in options.signal))) throw invalidArgType('options.signal', 'an instance of AbortSignal', options.signal);
    const endStream = options.endStream ?? NO_PAYLOAD.has(method);
    const { pairs, sensitive } = toPairs(out);
    if (headerBlockBound(pairs) > this._maxSendHeaderBlockLength) {
      // As Node: the stream exists, but its HEADERS never go out; 'frameError', then REFUSED_STREAM.
      const refused = new ClientHttp2Stream(this, this._core().state.nextStreamId);
      refused._refuseOversizedHeaders();
      return refused;
    }
    debugSession('client', 'initiating request');
    let id: number;
    try {
      id = this._core().request(pairs, { endStream: endStream && !options.waitForTrailers, sensitive });
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_HTTP2_OUT_OF_STREAMS') {
        // As Node: no id is left, so the stream fails (without one); the session serves on.
        const stream = new ClientHttp2Stream(this, undefined as unknown as number);
        stream._failUnopened(nodeError(err) as Error);
        return stream;
      }
      throw nodeError(err); // the core's RFC 9113 §8.3.1 checks, with Node's error classes
    }
    const stream = new ClientHttp2Stream(this, id);
    this._track(stream);
    process.nextTick(() => { if (!stream.destroyed) stream.emit('ready'); }); // the id is known: Node's 'ready'
    if (endStream && !options.waitForTrailers) stream._endedOnHeaders();
    if (options.waitForTrailers) { stream._waitForTrailers(); if (endStream) stream.end(); } // as Node: end() → 'wantTrailers'
    this._scheduleFlush();
    return stream;
  }
}

/**
 * Closing a socket with unread input makes the kernel send RST at once, and the peer may then
 * lose our GOAWAY (its code is the diagnosis). So after a connection error: FIN, read nothing
 * more (a flooding peer costs nothing meanwhile), and destroy a moment later.
 */
const LINGER_MS = 1000;
function lingeringClose(socket: Duplex): void {
  if (socket.destroyed) return;
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref?.();
  socket.once('close', () => clearTimeout(timer));
  socket.pause();
}

/** A numeric option as Node reads them: numbers are taken (clamped to u32), anything else ignored. */
function numberOption(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.min(Math.floor(v), 0xffffffff) : undefined;
}

// Chunks under this size are copied together into one buffer: one socket write instead of many
// small ones (frame headers, small bodies); larger body slices go out as they are, uncopied.
const COALESCE_BELOW = 4096;

function writeCoalesced(sock: Duplex, chunks: Uint8Array[], stats: { bytesWritten: number }): void {
  let run = 0; // small chunks waiting to be joined: chunks[i - run .. i)
  let runBytes = 0;
  const flushRun = (end: number) => {
    if (run === 1) sock.write(chunks[end - 1]);
    else if (run > 1) {
      const joined = Buffer.allocUnsafe(runBytes);
      let at = 0;
      for (let j = end - run; j < end; j++) { joined.set(chunks[j], at); at += chunks[j].length; }
      sock.write(joined);
    }
    run = 0;
    runBytes = 0;
  };
  for (let i = 0; i < chunks.length; i++) {
    const c = chunks[i];
    stats.bytesWritten += c.length;
    if (c.length < COALESCE_BELOW) { run++; runBytes += c.length; continue; }
    flushRun(i);
    sock.write(c);
  }
  flushRun(chunks.length);
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
