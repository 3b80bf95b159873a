// Http2Stream / ServerHttp2Stream / ClientHttp2Stream: node:stream Duplex objects over one
// stream of a core Session. Reading gives the peer's DATA (flow control follows what the reader
// takes); writing queues DATA without copying; END_STREAM rides on the last DATA frame, or on
// the HEADERS when there is no body.
import { Duplex } from 'node:stream';
import fs from 'node:fs';
import { constants } from './constants.gen.ts';
import { errorOf, invalidArgType, nodeError, received } from './errors.ts';
import { toPairs, fromPairs, assertIsObject, headerBlockBound, type OutgoingHeaders, type IncomingHeaders } from './headers.ts';
import type { Http2Session } from './session.ts';
import { idleTimer } from './timeout.ts';
import { debugStream, emitEntry, observingHttp2 } from './diagnostics.ts';

const FRAME_TYPE_HEADERS = 1; // RFC 9113 §6.2, the type 'frameError' reports
const NO_OCTETS = new Uint8Array(0);
const END_STREAM = Object.freeze({ endStream: true });

const { NGHTTP2_NO_ERROR, NGHTTP2_CANCEL, NGHTTP2_INTERNAL_ERROR } = constants;
// RFC 9113 §7 error codes by number, under node:http2's names.
const CODE_NAMES: Record<number, string> = Object.fromEntries([
  'NO_ERROR', 'PROTOCOL_ERROR', 'INTERNAL_ERROR', 'FLOW_CONTROL_ERROR', 'SETTINGS_TIMEOUT', 'STREAM_CLOSED',
  'FRAME_SIZE_ERROR', 'REFUSED_STREAM', 'CANCEL', 'COMPRESSION_ERROR', 'CONNECT_ERROR', 'ENHANCE_YOUR_CALM',
  'INADEQUATE_SECURITY', 'HTTP_1_1_REQUIRED',
].map((name, code) => [code, `NGHTTP2_${name}`]));

export interface StreamState {
  localWindowSize: number;
  state: number;
  localClose: number;
  remoteClose: number;
  sumDependencyWeight: number;
  weight: number;
}

const STATE_NUMBERS: Record<string, number> = {
  idle: constants.NGHTTP2_STREAM_STATE_IDLE, open: constants.NGHTTP2_STREAM_STATE_OPEN,
  'reserved-local': constants.NGHTTP2_STREAM_STATE_RESERVED_LOCAL, 'reserved-remote': constants.NGHTTP2_STREAM_STATE_RESERVED_REMOTE,
  'half-closed-local': constants.NGHTTP2_STREAM_STATE_HALF_CLOSED_LOCAL, 'half-closed-remote': constants.NGHTTP2_STREAM_STATE_HALF_CLOSED_REMOTE,
  closed: constants.NGHTTP2_STREAM_STATE_CLOSED,
};

export class Http2Stream extends Duplex {
  readonly session: Http2Session;
  id: number;
  rstCode: number | undefined = undefined;
  sentHeaders: OutgoingHeaders | undefined = undefined;
  sentInfoHeaders: OutgoingHeaders[] | undefined = undefined;
  sentTrailers: OutgoingHeaders | undefined = undefined;
  headersSent = false;
  aborted = false;
  closed = false;
  protected waitForTrailers = false;
  #trailersReady = false; // 'wantTrailers' was emitted (Node's trailersReady)
  #unconsumed = 0; // DATA octets read from the wire but not yet taken by the reader
  #writeCallback: ((err?: Error | null) => void) | null = null;
  #wroteData = false;
  #endSent = false; // END_STREAM already went out (on HEADERS, or on the last DATA)
  #endWithChunk = false; // end(chunk) with nothing else queued: END_STREAM rides on that chunk's DATA
  #pendingResponse: { pairs: Array<[string, string]>; sensitive: string[] } | null = null;

  /** @internal Figures for the 'http2' performance entry (times from performance.now()). */
  _startTime = performance.now();
  #bytesRead = 0;
  #bytesWritten = 0;
  #firstByte = 0;
  #firstByteSent = 0;
  #firstHeader = 0;
  #peerEnded = false;
  #finalDone = false;
  #timeout: ReturnType<typeof setTimeout> | undefined = undefined;
  /** @internal RFC 7540 weight and parent as priority() last set them (state reports them). */
  _weight = 16;
  /** @internal */
  _parent = 0;
  #timeoutCleanup = false;

  constructor(session: Http2Session, id: number) {
    super({ allowHalfOpen: true, decodeStrings: true });
    this.session = session;
    this.id = id;
  }

  /** @internal Headers arrived (for the performance entry's timeToFirstHeader). */
  _headersArrived(): void {
    this._updateTimer();
    if (!this.#firstHeader) this.#firstHeader = performance.now();
    debugStream(this.id, this.session._typeName, 'headers received');
  }

  get pending(): boolean { return this.id === undefined; }
  get bufferSize(): number { return this.session.core?.bufferedAmount(this.id) ?? 0; }

  get state(): StreamState {
    const s = this.session.core?.streamState(this.id);
    return {
      localWindowSize: s?.localWindowSize ?? 0,
      state: STATE_NUMBERS[s?.state ?? 'closed'],
      localClose: s && (s.state === 'half-closed-local' || s.state === 'closed') ? 1 : 0,
      remoteClose: s && (s.state === 'half-closed-remote' || s.state === 'closed') ? 1 : 0,
      // The RFC 7540 view priority() keeps locally, as nghttp2 does for Node.
      sumDependencyWeight: this.session._sumDependencyWeight(this.id),
      weight: this._weight,
    };
  }

  // ---------------------------------------------------------------- from the session

  /** @internal DATA from the peer. */
  _receiveData(bytes: Uint8Array): void {
    this._updateTimer();
    this.#bytesRead += bytes.length;
    if (!this.#firstByte) this.#firstByte = performance.now();
    if (this.destroyed) { this.session._consume(this.id, bytes.length); return; }
    // A 'data' listener may destroy the stream inside push(): its octets are then consumed here.
    if (this.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)) || this.destroyed) this.session._consume(this.id, bytes.length);
    else this.#unconsumed += bytes.length;
  }

  /** @internal The peer ended its side. */
  _receiveEnd(): void {
    if (this.destroyed) return;
    this.#peerEnded = true;
    this.push(null);
    this.#dumpUnread();
  }

  /**
   * As Node: once both sides are done, a server stream whose request body nobody reads is
   * drained, so it reaches 'end' and closes instead of lingering.
   */
  #dumpUnread(): void {
    if (this.#peerEnded && this.#finalDone && this.readableFlowing === null && this.session.type === constants.NGHTTP2_SESSION_SERVER) {
      this.resume();
    }
  }

  /** @internal The peer reset the stream, or the session failed it. */
  _receiveReset(code: number, err?: Error): void {
    this.rstCode = code;
    if (code !== NGHTTP2_NO_ERROR && code !== NGHTTP2_CANCEL || err) {
      this.aborted = !this.writableFinished;
      this.destroy(err ?? errorOf('ERR_HTTP2_STREAM_ERROR', `Stream closed with error code ${CODE_NAMES[code] ?? code}`));
    } else {
      if (!this.writableFinished) { this.aborted = true; this.emit('aborted'); }
      this.destroy();
    }
  }

  /** @internal The session flushed: a write waiting for the queue to drain may complete. */
  _drained(): void {
    if (this.#writeCallback && this.bufferSize <= this.writableHighWaterMark) {
      const cb = this.#writeCallback;
      this.#writeCallback = null;
      this.session._waitingDrain.delete(this);
      cb();
    }
  }

  /** @internal Response headers deferred to the next flush go out now (without END_STREAM). */
  _sendPendingResponse(endStream = false): void {
    const r = this.#pendingResponse;
    if (!r) return;
    this.#pendingResponse = null;
    if (this.session._dropping(this.id)) return;
    this.session._core().respond(this.id, r.pairs, { endStream, sensitive: r.sensitive });
  }

  // ---------------------------------------------------------------- Duplex

  override _read(): void {
    if (this.#unconsumed) {
      this.session._consume(this.id, this.#unconsumed);
      this.#unconsumed = 0;
      this.session._scheduleFlush();
    }
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.session._dropping(this.id)) { cb(); return; } // the session is failing: this stream is about to be destroyed
    if (!this.headersSent && this instanceof ServerHttp2Stream) this.respond();
    this._sendPendingResponse();
    this.#wroteData = true;
    this._updateTimer();
    this.#bytesWritten += chunk.byteLength;
    if (!this.#firstByteSent) this.#firstByteSent = performance.now();
    try {
      const last = this.#endWithChunk;
      this.#endWithChunk = false;
      // A Buffer is a Uint8Array: queued as it is. The last chunk of end(chunk) carries END_STREAM.
      this.session._core().data(this.id, chunk, last ? END_STREAM : undefined);
      if (last) this.#endSent = true;
    } catch (err) {
      cb(err as Error);
      return;
    }
    this.session._scheduleFlush();
    if (this.bufferSize <= this.writableHighWaterMark) cb();
    else { this.#writeCallback = cb; this.session._waitingDrain.add(this); }
  }

  override end(chunk?: unknown, encoding?: unknown, cb?: unknown): this {
    // end(chunk) as the only write: no empty DATA frame after it, and no extra turn for _final.
    if (chunk !== undefined && chunk !== null && typeof chunk !== 'function' && !this.writableEnded &&
      this.writableLength === 0 && !this.waitForTrailers && !this.#endSent && this instanceof ServerHttp2Stream) this.#endWithChunk = true;
    return super.end(chunk as never, encoding as never, cb as never);
  }

  override _final(cb: (err?: Error | null) => void): void {
    debugStream(this.id, this.session._typeName, 'shutting down writable on _final');
    this.#finalDone = true;
    if (!this.headersSent && this instanceof ServerHttp2Stream) this.respond();
    const core = this.session.core;
    if (!core || this.closed || this.#endSent || this.session._dropping(this.id)) { cb(); this.#dumpUnread(); return; }
    if (this.waitForTrailers) {
      this._sendPendingResponse();
      this.#trailersReady = true;
      this.emit('wantTrailers');
      if (!this.sentTrailers) core.data(this.id, NO_OCTETS, END_STREAM);
    } else if (!this.#wroteData && this.#pendingResponse) {
      this._sendPendingResponse(true); // no body: END_STREAM on the HEADERS
    } else {
      this._sendPendingResponse();
      core.data(this.id, NO_OCTETS, END_STREAM);
    }
    this.session._scheduleFlush();
    cb();
    this.#dumpUnread();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    const core = this.session.core;
    const complete = this.writableFinished && this.readableEnded && !err;
    if (core && !this.closed && !complete && this.rstCode === undefined) {
      // Destroyed early: RST_STREAM. Our side done but the peer still sending: NO_ERROR (§8.1).
      const state = core.streamState(this.id).state;
      if (state !== 'closed') {
        this.rstCode = err ? NGHTTP2_INTERNAL_ERROR : this.writableFinished ? NGHTTP2_NO_ERROR : NGHTTP2_CANCEL;
        try { core.reset(this.id, this.rstCode); } catch { /* the session is gone */ }
        this.session._scheduleFlush();
      }
    }
    if (complete && this.rstCode === undefined) this.rstCode = NGHTTP2_NO_ERROR;
    if (this.#unconsumed && core) {
      // Octets buffered and never read: the connection window gets them back, or it shrinks for good.
      try { core.consume(this.id, this.#unconsumed); } catch { /* the session is gone */ }
      this.#unconsumed = 0;
      this.session._scheduleFlush();
    }
    this.closed = true;
    debugStream(this.id, this.session._typeName, 'destroying stream');
    if (observingHttp2()) {
      // Node reports times not reached as a huge number; 0 says "never" more plainly.
      const since = (t: number) => (t ? t - this._startTime : 0);
      emitEntry('Http2Stream', this._startTime, {
        bytesRead: this.#bytesRead, bytesWritten: this.#bytesWritten, id: this.id,
        timeToFirstByte: since(this.#firstByte), timeToFirstByteSent: since(this.#firstByteSent), timeToFirstHeader: since(this.#firstHeader),
      });
    }
    this.session._forget(this);
    this.push(null); // as Node: a flowing reader still gets 'end' (not after an error)
    cb(err);
  }

  // ---------------------------------------------------------------- API

  /** Sends RST_STREAM with `code` and closes the stream. */
  close(code: number = NGHTTP2_NO_ERROR, callback?: () => void): void {
    // Node's validateInteger(code, 'code', 0, 2^32-1), then validateFunction(callback).
    if (typeof code !== 'number') throw invalidArgType('code', 'of type number', code);
    if (!Number.isInteger(code)) throw errorOf('ERR_OUT_OF_RANGE', `The value of "code" is out of range. It must be an integer. Received ${code}`, RangeError);
    if (code < 0 || code > 0xffffffff) {
      throw errorOf('ERR_OUT_OF_RANGE', `The value of "code" is out of range. It must be >= 0 && <= 4294967295. Received ${code}`, RangeError);
    }
    if (callback !== undefined && typeof callback !== 'function') throw invalidArgType('callback', 'of type function', callback);
    if (callback) this.once('close', callback);
    if (this.closed) return;
    this.rstCode = code;
    // As Node's closeStream: 'aborted' when our writable side was still open; an error code
    // other than CANCEL is an 'error' on this stream too.
    if (!this.writableEnded && !this.aborted) { this.aborted = true; this.emit('aborted'); }
    this.session.core?.reset(this.id, code);
    this.session._scheduleFlush();
    this.destroy(code !== NGHTTP2_NO_ERROR && code !== NGHTTP2_CANCEL
      ? errorOf('ERR_HTTP2_STREAM_ERROR', `Stream closed with error code ${CODE_NAMES[code] ?? code}`) : undefined);
  }

  /** Trailers after the body; only in (or after) the 'wantTrailers' event. */
  sendTrailers(headers: OutgoingHeaders): void {
    if (this.destroyed || this.closed) throw errorOf('ERR_HTTP2_INVALID_STREAM', 'The stream has been destroyed');
    if (this.sentTrailers) throw errorOf('ERR_HTTP2_TRAILERS_ALREADY_SENT', 'Trailing headers have already been sent');
    if (!this.#trailersReady) throw errorOf('ERR_HTTP2_TRAILERS_NOT_READY', 'Trailing headers cannot be sent until after the wantTrailers event is emitted');
    const { pairs, sensitive } = toPairs(headers, 'trailers');
    this.sentTrailers = headers;
    if (!this.session._dropping(this.id)) this.session._core().trailers(this.id, pairs, { sensitive });
    this.session._scheduleFlush();
  }

  /** Node's setStreamTimeout: an unref'd timer that this stream's frames restart; 'timeout' when idle. */
  setTimeout(ms: number, callback?: () => void): this {
    if (this.destroyed) return this;
    this.#timeout = idleTimer(this, this.#timeout, ms, callback);
    if (this.#timeout && !this.#timeoutCleanup) {
      this.#timeoutCleanup = true;
      this.once('close', () => clearTimeout(this.#timeout));
    }
    return this;
  }

  /** @internal Activity on the stream: its idle timer starts again. */
  _updateTimer(): void {
    if (!this.destroyed) this.#timeout?.refresh();
  }

  /**
   * Validates as Node's priority(). Node 20 then sends an RFC 7540 PRIORITY frame, a scheme RFC
   * 9113 §5.3.2 retired; the core schedules by RFC 9218 instead. So a client stream sends a
   * PRIORITY_UPDATE whose urgency follows the weight (16, the default, is u=3; each halving or
   * doubling one step), and a server stream takes it as its own send priority. `silent` changes
   * only the local state, as in Node; parent and exclusive have no RFC 9218 counterpart.
   */
  priority(options: { weight?: number; parent?: number; exclusive?: boolean; silent?: boolean }): void {
    if (this.destroyed) throw errorOf('ERR_HTTP2_INVALID_STREAM', 'The stream has been destroyed');
    assertIsObject(options, 'options');
    const { weight = constants.NGHTTP2_DEFAULT_WEIGHT, parent = 0, exclusive = false, silent = false } = options;
    if (typeof weight !== 'number') throw invalidProperty('options.weight', 'of type number', weight);
    if (typeof parent !== 'number') throw invalidProperty('options.parent', 'of type number', parent);
    if (parent < 0) throw errorOf('ERR_OUT_OF_RANGE', `The value of "options.parent" is out of range. It must be >= 0. Received ${parent}`, RangeError);
    if (typeof exclusive !== 'boolean') throw invalidProperty('options.exclusive', 'of type boolean', exclusive);
    if (typeof silent !== 'boolean') throw invalidProperty('options.silent', 'of type boolean', silent);
    this._updateTimer();
    if (parent === this.id) return; // as Node: a stream cannot depend on itself
    const w = Math.min(256, Math.max(1, weight | 0));
    this._weight = w;
    this._parent = parent | 0;
    const urgency = Math.min(7, Math.max(0, 7 - Math.floor(Math.log2(w))));
    const value = `u=${urgency}`;
    const core = this.session.core;
    if (!core) return;
    try {
      if (this.session.type === constants.NGHTTP2_SESSION_CLIENT) {
        if (!silent) core.priorityUpdate(this.id, value);
      } else core.setPriority(this.id, value);
    } catch { /* the stream is already gone in the core: nothing to reprioritise */ }
    this.session._scheduleFlush();
  }

  /** @internal END_STREAM went out on the HEADERS: the writable side ends with nothing more to send. */
  _endedOnHeaders(): void {
    this.#endSent = true;
    this.end();
  }

  /** @internal */
  _setPendingResponse(pairs: Array<[string, string]>, sensitive: string[]): void {
    this.#pendingResponse = { pairs, sensitive };
    this.session._pendingResponses.add(this);
  }
}

// The date header changes once a second: format it once a second (as Node does).
let dateText = '';
let dateUntil = 0;
function utcDate(): string {
  const now = Date.now();
  if (now >= dateUntil) {
    dateText = new Date(now).toUTCString();
    dateUntil = now - (now % 1000) + 1000;
  }
  return dateText;
}

export interface RespondOptions { endStream?: boolean; waitForTrailers?: boolean; sendDate?: boolean }
export interface FileOptions {
  statCheck?: (stat: fs.Stats, headers: OutgoingHeaders, options: { offset: number; length: number }) => boolean | void;
  onError?: (err: NodeJS.ErrnoException) => void;
  offset?: number;
  length?: number;
  waitForTrailers?: boolean;
}
export type PushCallback = (err: Error | null, pushStream?: ServerHttp2Stream, headers?: IncomingHeaders) => void;

const ASYNC_PUSH_ERRORS = new Set(['ERR_HTTP2_OUT_OF_STREAMS', 'ERR_HTTP2_INVALID_STREAM', 'ERR_HTTP2_INVALID_SESSION', 'ERR_HTTP2_GOAWAY_SESSION']);

export class ServerHttp2Stream extends Http2Stream {
  get pushAllowed(): boolean {
    return !this.destroyed && !this.closed && !this.session.closed && this.session.remoteSettings.enablePush !== false;
  }

  respond(headers: OutgoingHeaders = {}, options: RespondOptions = {}): void {
    if (this.destroyed || this.closed) throw errorOf('ERR_HTTP2_INVALID_STREAM', 'The stream has been destroyed');
    if (this.headersSent) throw errorOf('ERR_HTTP2_HEADERS_SENT', 'Response has already been initiated.');
    assertIsObject(options, 'options');
    assertIsObject(headers, 'headers');
    const out: OutgoingHeaders = { ...headers };
    if (options.sendDate !== false && out.date === undefined && out.Date === undefined) out.date = utcDate();
    const { pairs, sensitive } = toPairs(out, 'response'); // Node's checks; :status normalised first
    if (headerBlockBound(pairs) > this.session._maxSendHeaderBlockLength) {
      // As Node: 'frameError' for the HEADERS that cannot go out, then RST_STREAM(FRAME_SIZE_ERROR).
      this.headersSent = true;
      process.nextTick(() => {
        this.emit('frameError', FRAME_TYPE_HEADERS, constants.NGHTTP2_FRAME_SIZE_ERROR, this.id);
        this.rstCode = constants.NGHTTP2_FRAME_SIZE_ERROR;
        try { this.session.core?.reset(this.id, this.rstCode); } catch { /* the session is gone */ }
        this.session._scheduleFlush();
        this.destroy(errorOf('ERR_HTTP2_STREAM_ERROR', 'Stream closed with error code NGHTTP2_FRAME_SIZE_ERROR'));
      });
      return;
    }
    out[':status'] = Number(pairs[0][1]);
    debugStream(this.id, 'server', 'initiating response');
    this.headersSent = true;
    this.sentHeaders = out;
    this.waitForTrailers = options.waitForTrailers === true;
    // As Node: 204, 205, 304 and responses to HEAD have no body, so the writable side ends now.
    const status = out[':status'] as number;
    if (options.endStream || status === 204 || status === 205 || status === 304 || this.session._requestHeaders(this.id)?.[':method'] === 'HEAD') {
      if (!this.session._dropping(this.id)) this.session._core().respond(this.id, pairs, { endStream: !this.waitForTrailers, sensitive });
      if (this.waitForTrailers) this.end(); else this._endedOnHeaders();
    } else this._setPendingResponse(pairs, sensitive);
    this.session._scheduleFlush();
  }

  /**
   * Promises and opens a pushed stream (RFC 9113 §8.4); `callback(err, pushStream, headers)`
   * runs asynchronously, as in Node.
   */
  pushStream(headers: OutgoingHeaders, options?: object | PushCallback, callback?: PushCallback): void {
    // Node's order: push allowed (which includes a live stream), nested push, then arguments.
    if (!this.pushAllowed) throw errorOf('ERR_HTTP2_PUSH_DISABLED', 'HTTP/2 client has disabled push streams');
    if (this.id % 2 === 0) throw errorOf('ERR_HTTP2_NESTED_PUSH', 'A push stream cannot initiate another push stream.');
    if (typeof options === 'function') { callback = options as PushCallback; options = undefined; }
    if (typeof callback !== 'function') throw invalidArgType('callback', 'of type function', callback);
    assertIsObject(options, 'options');
    assertIsObject(headers, 'headers');
    const out: OutgoingHeaders = { ...headers };
    const request = this.session._requestHeaders(this.id);
    if (out[':method'] === undefined) out[':method'] = 'GET';
    if (out[':scheme'] === undefined) out[':scheme'] = request?.[':scheme'] ?? 'https';
    if (out[':authority'] === undefined) out[':authority'] = request?.[':authority'];
    if (out[':path'] === undefined) out[':path'] = '/';
    const { pairs, sensitive } = toPairs(out);
    let promised: number;
    try {
      promised = this.session._core().push(this.id, pairs, { sensitive });
    } catch (err) {
      const e = err as { code?: string; message: string };
      // As Node: what the session refuses (no id left, the stream or session gone, a GOAWAY)
      // reaches the callback; bad headers throw.
      if (e.code && ASYNC_PUSH_ERRORS.has(e.code)) {
        process.nextTick(() => callback!(nodeError(err) as Error));
        return;
      }
      throw nodeError(e.code ? err : errorOf('ERR_HTTP2_PUSH_DISABLED', e.message));
    }
    const pushed = new ServerHttp2Stream(this.session, promised);
    this.session._track(pushed);
    pushed.push(null); // a pushed request has no body
    this.session._scheduleFlush();
    const { headers: shown } = fromPairs(pairs);
    process.nextTick(() => callback!(null, pushed, shown));
  }

  /** Sends a regular file as the response (content-length set; offset/length for ranges). */
  respondWithFile(path: string, headers: OutgoingHeaders = {}, options: FileOptions = {}): void {
    this.#checkRespondable();
    fs.open(path, 'r', (err, fd) => {
      if (err) { this.#fileError(err, options); return; }
      this.#sendFile(fd, headers, options, true);
    });
  }

  /** Sends what the open file descriptor holds as the response; the caller keeps the fd. */
  respondWithFD(fd: number | { fd: number }, headers: OutgoingHeaders = {}, options: FileOptions = {}): void {
    this.#checkRespondable();
    this.#sendFile(typeof fd === 'number' ? fd : fd.fd, headers, options, false);
  }

  #checkRespondable(): void {
    if (this.destroyed || this.closed) throw errorOf('ERR_HTTP2_INVALID_STREAM', 'The stream has been destroyed');
    if (this.headersSent) throw errorOf('ERR_HTTP2_HEADERS_SENT', 'Response has already been initiated.');
  }

  #fileError(err: NodeJS.ErrnoException, options: FileOptions): void {
    if (options.onError) options.onError(err);
    else this.destroy(err);
  }

  #sendFile(fd: number, headers: OutgoingHeaders, options: FileOptions, owned: boolean): void {
    const done = () => { if (owned) fs.close(fd, () => {}); };
    fs.fstat(fd, (err, stat) => {
      if (err) { done(); this.#fileError(err, options); return; }
      if (!stat.isFile()) {
        done();
        this.#fileError(errorOf('ERR_HTTP2_SEND_FILE', 'Directories cannot be sent') as NodeJS.ErrnoException, options);
        return;
      }
      const offset = options.offset ?? 0;
      const length = Math.max(0, Math.min(options.length ?? stat.size - offset, stat.size - offset));
      const out: OutgoingHeaders = { ...headers };
      // As Node: statCheck sees the date header the response will carry.
      if (out.date === undefined && out.Date === undefined) out.date = utcDate();
      if (options.statCheck && options.statCheck(stat, out, { offset, length }) === false) { done(); return; }
      if (this.destroyed || this.headersSent) { done(); return; }
      out['content-length'] = length;
      this.respond(out, { waitForTrailers: options.waitForTrailers, endStream: length === 0 && !options.waitForTrailers });
      if (length === 0) { done(); if (options.waitForTrailers) this.end(); return; }
      const file = fs.createReadStream('', { fd, start: offset, end: offset + length - 1, autoClose: owned });
      file.on('error', (e) => this.destroy(e));
      file.pipe(this);
    });
  }

  /** Sends an informational (1xx) response. */
  additionalHeaders(headers: OutgoingHeaders): void {
    if (this.destroyed || this.closed) throw errorOf('ERR_HTTP2_INVALID_STREAM', 'The stream has been destroyed');
    if (this.headersSent) throw errorOf('ERR_HTTP2_HEADERS_AFTER_RESPOND', 'Cannot specify additional headers after response initiated');
    const pairs = toPairs(headers, 'informational').pairs;
    if (!this.session._dropping(this.id)) this.session._core().informational(this.id, pairs);
    (this.sentInfoHeaders ??= []).push(headers);
    this.session._scheduleFlush();
  }
}

export class ClientHttp2Stream extends Http2Stream {
  /** @internal A request whose field block is over maxSendHeaderBlockLength: never sent, refused as Node does. */
  _refuseOversizedHeaders(): void {
    process.nextTick(() => {
      this.emit('frameError', FRAME_TYPE_HEADERS, constants.NGHTTP2_FRAME_SIZE_ERROR, this.id);
      this.rstCode = constants.NGHTTP2_REFUSED_STREAM;
      this.destroy(errorOf('ERR_HTTP2_STREAM_ERROR', 'Stream closed with error code NGHTTP2_REFUSED_STREAM'));
    });
  }

  /** @internal A request that never got a stream id fails with `err` (Node: rstCode INTERNAL_ERROR, no RST_STREAM). */
  _failUnopened(err: Error): void {
    this.rstCode = constants.NGHTTP2_INTERNAL_ERROR;
    this.destroy(err);
  }

  /** @internal A stream the server pushed: its response comes as the 'push' event. */
  _pushed = false;

  /** @internal request({ waitForTrailers }): 'wantTrailers' comes once the body ends. */
  _waitForTrailers(): void { this.waitForTrailers = true; }

  /** @internal */
  _response(pairs: Array<[string, string]>, endStream: boolean, informational: boolean): void {
    this._headersArrived();
    const { headers, rawHeaders } = fromPairs(pairs);
    const flags = constants.NGHTTP2_FLAG_END_HEADERS | (endStream ? constants.NGHTTP2_FLAG_END_STREAM : 0);
    if (informational) {
      if (headers[':status'] === 100) this.emit('continue');
      this.emit('headers', headers, flags, rawHeaders);
    } else this.emit(this._pushed ? 'push' : 'response', headers, flags, rawHeaders);
  }
}

export function trailersEvent(stream: Http2Stream, pairs: Array<[string, string]>): void {
  const { headers, rawHeaders } = fromPairs(pairs);
  stream.emit('trailers', headers, constants.NGHTTP2_FLAG_END_STREAM | constants.NGHTTP2_FLAG_END_HEADERS, rawHeaders);
}

export type { IncomingHeaders };

/** ERR_INVALID_ARG_TYPE for an option, in Node's wording ("The "options.x" property must be …"). */
function invalidProperty(name: string, expected: string, value: unknown): Error {
  return errorOf('ERR_INVALID_ARG_TYPE', `The "${name}" property must be ${expected}. ${received(value)}`, TypeError);
}
