// The sans-IO HTTP/2 session (docs/core.md): a thin shell over the core's h2_* exports.
// Bytes in → plain event objects; calls → frames; pull() → chunks for one gather write.
import * as abi from './abi.gen.ts';
import { core, Core } from './load.ts';
import { ErrorCode, SETTING_NAMES, type Settings } from './constants.ts';
import { H2Error, submitError, REASONS } from './errors.ts';
import { forEachField, packedSize, packField, readRecords, HeaderStringCache, type HeaderPairs, type HeaderInput } from './headers.ts';
import { latin1Decode } from './latin1.ts';
import { checkOutgoing, type SectionKind } from './outgoing.ts';

export type { HeaderPairs, HeaderInput } from './headers.ts';
export type { Settings } from './constants.ts';

export interface Limits {
  maxHeaderListSize?: number;
  maxHeaderListPairs?: number;
  maxHeaderFieldSize?: number;
  maxContinuationFrames?: number;
  resetBurst?: number;
  resetRate?: number;
  glitchBurst?: number;
  glitchRate?: number;
  maxQueuedAcks?: number;
  maxSettingsEntries?: number;
  maxQueuedFrames?: number;
  maxSessionMemory?: number;
  /** HPACK table size our encoder uses at most, whatever the peer allows. */
  maxDeflateDynamicTableSize?: number;
  /** 0 none, 1 aligned to 8 octets, 2 as much as allowed (node:http2's PADDING_STRATEGY_*). */
  paddingStrategy?: number;
  /** The peer's MAX_CONCURRENT_STREAMS until its SETTINGS say otherwise. */
  peerMaxConcurrentStreams?: number;
  /** Pushed streams promised to us at once; more are cancelled. */
  maxReservedRemoteStreams?: number;
}

export interface SessionOptions {
  role: 'client' | 'server';
  settings?: Settings;
  limits?: Limits;
  connectionWindowSize?: number;
  firstStreamId?: number;
}

export type Event =
  | { type: 'request' | 'response'; streamId: number; headers: HeaderPairs; endStream: boolean; sensitive?: string[] }
  | { type: 'informational'; streamId: number; headers: HeaderPairs }
  | { type: 'trailers'; streamId: number; headers: HeaderPairs }
  | { type: 'push'; streamId: number; promisedStreamId: number; headers: HeaderPairs }
  | { type: 'data'; streamId: number; bytes: Uint8Array; endStream: boolean }
  | { type: 'stream-end'; streamId: number }
  | { type: 'reset'; streamId: number; code: number }
  | { type: 'settings'; settings: Required<Settings> }
  | { type: 'settings-ack'; settings: Required<Settings> }
  | { type: 'ping' | 'ping-ack'; payload: Uint8Array }
  | { type: 'goaway'; code: number; lastStreamId: number; debugData: Uint8Array }
  | { type: 'altsvc'; streamId: number; origin: string; value: string }
  | { type: 'origin'; origins: string[] }
  | { type: 'priority-update'; streamId: number; value: string }
  | { type: 'window-update'; streamId: number; increment: number }
  | { type: 'unknown-frame'; frameType: number; flags: number; streamId: number; payload: Uint8Array }
  | { type: 'error'; scope: 'stream' | 'connection'; streamId: number; code: number; reason: string; local: boolean };

export interface SendOptions { endStream?: boolean; sensitive?: string[] }

const LIMIT_IDS: Array<[keyof Limits, number]> = [
  ['maxHeaderListSize', abi.L_MAX_HEADER_LIST_SIZE], ['maxHeaderListPairs', abi.L_MAX_HEADER_LIST_PAIRS],
  ['maxHeaderFieldSize', abi.L_MAX_HEADER_FIELD_SIZE], ['maxContinuationFrames', abi.L_MAX_CONTINUATIONS],
  ['resetBurst', abi.L_RESET_BURST], ['resetRate', abi.L_RESET_RATE], ['glitchBurst', abi.L_GLITCH_BURST],
  ['glitchRate', abi.L_GLITCH_RATE], ['maxQueuedAcks', abi.L_MAX_QUEUED_ACKS],
  ['maxSettingsEntries', abi.L_MAX_SETTINGS_ENTRIES], ['maxQueuedFrames', abi.L_MAX_QUEUED_FRAMES],
  ['maxSessionMemory', abi.L_MAX_SESSION_MEMORY], ['maxDeflateDynamicTableSize', abi.L_ENCODER_TABLE_SIZE],
  ['paddingStrategy', abi.L_PADDING_STRATEGY], ['peerMaxConcurrentStreams', abi.L_PEER_MAX_CONCURRENT_STREAMS],
  ['maxReservedRemoteStreams', abi.L_MAX_RESERVED_REMOTE_STREAMS],
];

const STATE_NAMES = ['idle', 'reserved-local', 'reserved-remote', 'open', 'half-closed-local', 'half-closed-remote', 'closed'] as const;
export type StreamStateName = typeof STATE_NAMES[number];

interface Held { core: Core; handle: number }
const registry = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry<Held>((held) => { live--; if (!held.core.broken) held.core.exports.h2_session_free(held.handle); })
  : null;

const clock = typeof performance !== 'undefined' ? () => performance.now() : () => Date.now();

/** Body chunks queued on one stream, taken from the front as DATA frames go out. */
const JOIN_DATA_UP_TO = 16384;

class BodyQueue {
  chunks: Uint8Array[] = [];
  offset = 0; // into chunks[0]
  bytes = 0;
  take(n: number, out: Uint8Array[]): void {
    this.bytes -= n;
    while (n > 0) {
      const c = this.chunks[0];
      const left = c.length - this.offset;
      if (left <= n) {
        out.push(this.offset ? c.subarray(this.offset) : c);
        this.chunks.shift();
        this.offset = 0;
        n -= left;
      } else {
        out.push(c.subarray(this.offset, this.offset + n));
        this.offset += n;
        n = 0;
      }
    }
  }
}

let live = 0; // sessions whose WASM memory is not freed yet

export class Session {
  /** Sessions in this realm whose WASM memory is not freed yet (leak checks: 0 once all are destroyed). */
  static get live(): number { return live; }

  readonly role: 'client' | 'server';
  #core: Core;
  #h: number;
  #destroyed = false;
  #cache = new HeaderStringCache();
  #bodies = new Map<number, BodyQueue>();
  #observers: Array<(frame: FrameInfo) => void> = [];
  #tracer: FrameTracer | null = null;
  #received = 0; // octets given to receive() and pulled so far: observers start in step
  #pulled = 0;

  constructor(options: SessionOptions) {
    if (options?.role !== 'client' && options?.role !== 'server') {
      throw new H2Error('ERR_INVALID_ARG_VALUE', "options.role must be 'client' or 'server'");
    }
    this.role = options.role;
    const c = this.#core = core();
    const e = c.exports;
    const first = options.firstStreamId ?? 1;
    if (!Number.isInteger(first) || first < 1 || first > 0x7fffffff || (first & 1) === 0) {
      throw new H2Error('ERR_INVALID_ARG_VALUE', 'firstStreamId must be an odd integer from 1 to 2^31-1');
    }
    this.#h = e.h2_session_new(this.role === 'server' ? 1 : 0, first);
    registry?.register(this, { core: c, handle: this.#h }, this);
    live++;
    const settings = options.settings ?? {};
    for (const [name, id] of SETTING_NAMES) {
      const v = settings[name];
      if (v === undefined) continue;
      e.h2_set_initial_setting(this.#h, id, settingValue(name, v));
    }
    this.#cache.size(Math.max(4096, settings.headerTableSize ?? 4096));
    const limits = options.limits ?? {};
    for (const [name, id] of LIMIT_IDS) {
      const v = limits[name];
      if (v !== undefined) e.h2_set_limit(this.#h, id, checkUint(name, v));
    }
    if (options.connectionWindowSize !== undefined) {
      const w = options.connectionWindowSize;
      if (!Number.isInteger(w) || w < 0 || w > 0x7fffffff) {
        throw new H2Error('ERR_OUT_OF_RANGE', `connectionWindowSize must be an integer from 0 to 2^31-1, got ${w}`);
      }
      e.h2_set_limit(this.#h, abi.L_CONNECTION_WINDOW, w);
    }
  }

  #live(): void {
    if (this.#destroyed) throw new H2Error('ERR_HTTP2_INVALID_SESSION', 'The session has been destroyed');
    if (this.#core.broken) throw new H2Error('ERR_H2WASM_CORE_TRAP', 'The WASM core trapped; this session is lost');
  }

  #trap(err: unknown): never {
    this.#core.markBroken();
    const e = new H2Error('ERR_H2WASM_CORE_TRAP', `h2wasm core trapped: ${(err as Error)?.message ?? err}`);
    (e as { cause?: unknown }).cause = err;
    throw e;
  }

  // ------------------------------------------------------------------ receive

  receive(chunk: Uint8Array): Event[] {
    this.#live();
    if (this.#tracer) this.#tracer.feed('recv', chunk);
    this.#received += chunk.length;
    const c = this.#core, e = c.exports, h = this.#h;
    try {
      const ptr = e.h2_input(h, chunk.length);
      c.refresh();
      c.u8.set(chunk, ptr);
      e.h2_recv(h, chunk.length, clock());
    } catch (err) {
      this.#trap(err);
    }
    return this.#events();
  }

  #events(): Event[] {
    const c = this.#core;
    c.refresh();
    const u8 = c.u8, u32 = c.u32, R = c.result;
    const count = u32[R];
    if (!count) return [];
    let ev = u32[R + 1] >>> 2;
    const records = u32[R + 2] >>> 2;
    const bytes = u32[R + 3];
    const ascii = u32[R + 4] | 0;
    const snaps = u32[R + 5] >>> 2;
    const out: Event[] = new Array(count);
    const cache = this.#cache;
    let n = 0; // events out (consecutive DATA of one stream become one)
    for (let i = 0; i < count; i++, ev += abi.H2_EVENT_WORDS) {
      const kind = u32[ev], flags = u32[ev + 1], streamId = u32[ev + 2];
      const a = u32[ev + 3], b = u32[ev + 4], cc = u32[ev + 5], d = u32[ev + 6];
      const endStream = (flags & abi.EVF_END_STREAM) !== 0;
      const at = records + a * abi.HPACK_RECORD_WORDS;
      switch (kind) {
        case abi.EV_REQUEST: out[n++] = { type: 'request', streamId, headers: readRecords(u8, u32, at, b, bytes, ascii, cache, null), endStream }; break;
        case abi.EV_RESPONSE: out[n++] = { type: 'response', streamId, headers: readRecords(u8, u32, at, b, bytes, ascii, cache, null), endStream }; break;
        case abi.EV_INFORMATIONAL: out[n++] = { type: 'informational', streamId, headers: readRecords(u8, u32, at, b, bytes, ascii, cache, null) }; break;
        case abi.EV_TRAILERS: out[n++] = { type: 'trailers', streamId, headers: readRecords(u8, u32, at, b, bytes, ascii, cache, null) }; break;
        case abi.EV_PUSH: out[n++] = { type: 'push', streamId, promisedStreamId: cc, headers: readRecords(u8, u32, at, b, bytes, ascii, cache, null) }; break;
        case abi.EV_DATA: {
          // A run of small DATA frames on one stream in one read (a dribbling peer's) is one event,
          // one copy; up to the usual frame size, so ordinary frames keep their own.
          let end = i, total = b, last = endStream, next = ev + abi.H2_EVENT_WORDS;
          while (!last && end + 1 < count && u32[next] === abi.EV_DATA && u32[next + 2] === streamId && total + u32[next + 4] <= JOIN_DATA_UP_TO) {
            total += u32[next + 4];
            last = (u32[next + 1] & abi.EVF_END_STREAM) !== 0;
            end++;
            next += abi.H2_EVENT_WORDS;
          }
          let data: Uint8Array;
          if (end === i) data = u8.slice(a, a + b);
          else {
            data = new Uint8Array(total);
            for (let k = i, e2 = ev, to = 0; k <= end; k++, e2 += abi.H2_EVENT_WORDS) {
              const from = u32[e2 + 3], len = u32[e2 + 4];
              data.set(u8.subarray(from, from + len), to);
              to += len;
            }
            ev += (end - i) * abi.H2_EVENT_WORDS;
            i = end;
          }
          out[n++] = { type: 'data', streamId, bytes: data, endStream: last };
          break;
        }
        case abi.EV_STREAM_END: out[n++] = { type: 'stream-end', streamId }; break;
        case abi.EV_RESET: this.#bodies.delete(streamId); out[n++] = { type: 'reset', streamId, code: a }; break;
        case abi.EV_SETTINGS: out[n++] = { type: 'settings', settings: snapshotSettings(u32, snaps + a * 8) }; break;
        case abi.EV_SETTINGS_ACK: out[n++] = { type: 'settings-ack', settings: snapshotSettings(u32, snaps + a * 8) }; break;
        case abi.EV_PING: out[n++] = { type: 'ping', payload: u8.slice(a, a + 8) }; break;
        case abi.EV_PING_ACK: out[n++] = { type: 'ping-ack', payload: u8.slice(a, a + 8) }; break;
        case abi.EV_GOAWAY: out[n++] = { type: 'goaway', code: a, lastStreamId: b, debugData: u8.slice(cc, cc + d) }; break;
        case abi.EV_ALTSVC:
          out[n++] = { type: 'altsvc', streamId, origin: latin1Decode(u8, a, b), value: latin1Decode(u8, cc, d) };
          break;
        case abi.EV_ORIGIN: out[n++] = { type: 'origin', origins: parseOrigins(u8, a, b) }; break;
        case abi.EV_PRIORITY_UPDATE: out[n++] = { type: 'priority-update', streamId, value: latin1Decode(u8, a, b) }; break;
        case abi.EV_WINDOW_UPDATE: {
          // A run of WINDOW_UPDATEs for one stream (a peer flooding 1-octet increments) is one event.
          let increment = a;
          while (i + 1 < count && u32[ev + abi.H2_EVENT_WORDS] === abi.EV_WINDOW_UPDATE && u32[ev + abi.H2_EVENT_WORDS + 2] === streamId) {
            ev += abi.H2_EVENT_WORDS;
            i++;
            increment += u32[ev + 3];
          }
          out[n++] = { type: 'window-update', streamId, increment };
          break;
        }
        case abi.EV_UNKNOWN_FRAME:
          out[n++] = { type: 'unknown-frame', frameType: a, flags: b, streamId, payload: u8.slice(cc, cc + d) };
          break;
        case abi.EV_ERROR: {
          const connection = (flags & abi.EVF_CONNECTION) !== 0;
          if (!connection) this.#bodies.delete(streamId);
          out[n++] = {
            type: 'error', scope: connection ? 'connection' : 'stream', streamId, code: a,
            reason: REASONS[b] ?? `reason ${b}`, local: (flags & abi.EVF_REMOTE) === 0,
          };
          break;
        }
        default: throw new H2Error('ERR_H2WASM_CORE', `unknown event kind ${kind}`);
      }
    }
    out.length = n;
    return out;
  }

  // ------------------------------------------------------------------ submit

  /** Packs checked fields (strings, pseudo-headers first) into the encoder's input; returns [octets, fields]. */
  #pack(headers: HeaderPairs, sensitive?: string[]): [number, number] {
    let bytes = 0;
    for (let i = 0; i < headers.length; i++) bytes += abi.HPACK_PACKED_HEAD + headers[i][0].length + headers[i][1].length;
    const c = this.#core;
    const ptr = c.exports.h2_headers_input(this.#h, bytes);
    c.refresh();
    const u8 = c.u8;
    const secret = sensitive?.length ? new Set(sensitive.map((s) => s.toLowerCase())) : null;
    let at = ptr;
    for (let i = 0; i < headers.length; i++) {
      const name = headers[i][0], value = headers[i][1];
      at = packField(u8, at, name, value, secret !== null && secret.has(name));
      if (at < 0) throw new H2Error('ERR_INVALID_CHAR', `Invalid character in header content ["${name}"]`);
    }
    return [bytes, headers.length];
  }

  #submit(id: number, kind: number, section: SectionKind, headers: HeaderInput, options: SendOptions | undefined, flags: number): number {
    this.#live();
    const [bytes, count] = this.#pack(checkOutgoing(section, headers), options?.sensitive);
    let r: number;
    try {
      r = this.#core.exports.h2_submit_headers(this.#h, id, kind, bytes, count, flags | (options?.endStream ? abi.SUBMITF_END_STREAM : 0));
    } catch (err) {
      this.#trap(err);
    }
    if (r < 0) throw submitError(r);
    return r;
  }

  request(headers: HeaderInput, options?: SendOptions): number {
    let method = '', protocol = false;
    forEachField(headers, (n, v) => { if (n === ':method') method = v; else if (n === ':protocol') protocol = true; });
    if (protocol && !this.#liveExports().h2_remote_setting(this.#h, 8)) {
      // RFC 8441 §3: extended CONNECT only once the server has enabled it.
      throw new H2Error('ERR_HTTP2_INVALID_PSEUDOHEADER', '":protocol" requires the peer\'s SETTINGS_ENABLE_CONNECT_PROTOCOL');
    }
    const flags = (method === 'HEAD' ? abi.SUBMITF_HEAD : 0) | (method === 'CONNECT' && !protocol ? abi.SUBMITF_CONNECT : 0);
    return this.#submit(0, abi.SUBMIT_REQUEST, 'request', headers, options, flags);
  }

  #liveExports() {
    this.#live();
    return this.#core.exports;
  }

  respond(streamId: number, headers: HeaderInput, options?: SendOptions): void {
    let status = '';
    forEachField(headers, (n, v) => { if (n === ':status') status = v; });
    const noBody = status === '204' || status === '304'; // RFC 9110 §15.3.5, §15.4.5
    this.#submit(streamId, abi.SUBMIT_RESPONSE, 'response', headers, options, noBody ? abi.SUBMITF_NO_BODY : 0);
  }

  informational(streamId: number, headers: HeaderInput): void {
    this.#submit(streamId, abi.SUBMIT_INFORMATIONAL, 'informational', headers, undefined, 0);
  }

  push(streamId: number, headers: HeaderInput, options?: { sensitive?: string[] }): number {
    return this.#submit(streamId, abi.SUBMIT_PUSH, 'push', headers, options, 0);
  }

  trailers(streamId: number, headers: HeaderInput, options?: { sensitive?: string[] }): void {
    this.#submit(streamId, abi.SUBMIT_TRAILERS, 'trailers', headers, options, 0);
  }

  /** Queues body octets; they are not copied (keep `bytes` unchanged until sent). */
  data(streamId: number, bytes: Uint8Array, options?: { endStream?: boolean }): void {
    this.#live();
    let r: number;
    try {
      r = this.#core.exports.h2_submit_data(this.#h, streamId, bytes.length, options?.endStream ? 1 : 0);
    } catch (err) {
      this.#trap(err);
    }
    if (r < 0) throw submitError(r);
    if (bytes.length) {
      let q = this.#bodies.get(streamId);
      if (!q) this.#bodies.set(streamId, q = new BodyQueue());
      q.chunks.push(bytes);
      q.bytes += bytes.length;
    }
  }

  reset(streamId: number, code: number = ErrorCode.CANCEL): void {
    this.#live();
    const r = this.#guard(() => this.#core.exports.h2_rst(this.#h, streamId, code >>> 0));
    this.#bodies.delete(streamId);
    if (r < 0) throw submitError(r);
  }

  ping(payload?: Uint8Array): Uint8Array {
    this.#live();
    const bytes = new Uint8Array(8);
    if (payload) {
      if (payload.length !== 8) throw new H2Error('ERR_HTTP2_PING_LENGTH', 'HTTP2 ping payload must be 8 bytes');
      bytes.set(payload);
    } else crypto.getRandomValues(bytes);
    const c = this.#core;
    const ptr = c.exports.h2_scratch(this.#h, 8);
    c.refresh();
    c.u8.set(bytes, ptr);
    const r = this.#guard(() => c.exports.h2_ping(this.#h));
    if (r < 0) throw submitError(r);
    return bytes;
  }

  settings(settings: Settings): void {
    this.#live();
    const entries: Array<[number, number]> = [];
    for (const [name, id] of SETTING_NAMES) {
      const v = settings[name];
      if (v !== undefined) entries.push([id, settingValue(name, v)]);
    }
    const c = this.#core;
    const ptr = c.exports.h2_scratch(this.#h, entries.length * 6);
    c.refresh();
    const dv = c.dv;
    entries.forEach(([id, v], i) => { dv.setUint16(ptr + i * 6, id); dv.setUint32(ptr + i * 6 + 2, v); });
    const r = this.#guard(() => c.exports.h2_settings(this.#h, entries.length));
    if (r < 0) throw new H2Error('ERR_HTTP2_INVALID_SETTING_VALUE', 'Invalid value for setting or too many pending SETTINGS');
    if (settings.headerTableSize !== undefined) this.#cache.size(settings.headerTableSize);
  }

  /** GOAWAY (graceful for NO_ERROR on a server); `lastStreamId` may name a stream below the last one processed. */
  goaway(code: number = ErrorCode.NO_ERROR, debugData?: Uint8Array, lastStreamId?: number): void {
    this.#live();
    const debug = debugData ?? new Uint8Array(0);
    const c = this.#core;
    const ptr = c.exports.h2_scratch(this.#h, debug.length);
    c.refresh();
    c.u8.set(debug, ptr);
    const last = lastStreamId === undefined ? 0xffffffff : Math.max(0, Math.min(Math.floor(lastStreamId), 0x7fffffff));
    const r = this.#guard(() => c.exports.h2_goaway(this.#h, code >>> 0, code === ErrorCode.NO_ERROR ? 1 : 0, debug.length, last));
    if (r < 0) throw submitError(r);
  }

  consume(streamId: number, n: number): void {
    this.#live();
    if (n > 0) this.#guard(() => this.#core.exports.h2_consume(this.#h, streamId, Math.min(n, 0x7fffffff)));
  }

  setLocalWindowSize(n: number): void {
    this.#live();
    if (!Number.isInteger(n) || n < 0 || n > 0x7fffffff) {
      throw new H2Error('ERR_OUT_OF_RANGE', `The value of "windowSize" is out of range. It must be >= 0 && <= 2147483647. Received ${n}`);
    }
    this.#guard(() => this.#core.exports.h2_set_local_window(this.#h, n));
  }

  /** Runs a call into the core; a trap retires the instance (DESIGN.md) and fails clearly. */
  #guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof H2Error) throw err;
      this.#trap(err);
    }
  }

  #scratchString(s: string): number {
    const c = this.#core;
    const ptr = c.exports.h2_scratch(this.#h, s.length);
    c.refresh();
    for (let i = 0; i < s.length; i++) c.u8[ptr + i] = s.charCodeAt(i) & 0xff;
    return s.length;
  }

  priorityUpdate(streamId: number, value: string): void {
    this.#live();
    const r = this.#core.exports.h2_priority_update(this.#h, streamId, this.#scratchString(value));
    if (r < 0) throw submitError(r);
  }

  /** Sets the send priority of one of our streams (RFC 9218 field value such as 'u=1, i'). */
  setPriority(streamId: number, value: string): void {
    this.#live();
    const r = this.#core.exports.h2_set_priority(this.#h, streamId, this.#scratchString(value));
    if (r < 0) throw submitError(r);
  }

  altsvc(streamIdOrOrigin: number | string, value: string): void {
    this.#live();
    const origin = typeof streamIdOrOrigin === 'string' ? streamIdOrOrigin : '';
    const id = typeof streamIdOrOrigin === 'number' ? streamIdOrOrigin : 0;
    const payload = String.fromCharCode(origin.length >> 8, origin.length & 0xff) + origin + value;
    const r = this.#core.exports.h2_raw_frame(this.#h, 0xa, id, this.#scratchString(payload));
    if (r < 0) throw submitError(r);
  }

  origin(origins: string[]): void {
    this.#live();
    let payload = '';
    for (const o of origins) payload += String.fromCharCode(o.length >> 8, o.length & 0xff) + o;
    const r = this.#core.exports.h2_raw_frame(this.#h, 0xc, 0, this.#scratchString(payload));
    if (r < 0) throw submitError(r);
  }

  // ------------------------------------------------------------------ output

  get wantsWrite(): boolean {
    if (this.#destroyed || this.#core.broken) return false;
    return this.#core.exports.h2_wants_write(this.#h) !== 0;
  }

  /** The chunks to write next, in order: frame bytes (copies) and body slices. */
  pull(): Uint8Array[] {
    this.#live();
    const c = this.#core, e = c.exports, h = this.#h;
    let n: number;
    try {
      n = e.h2_pull(h);
    } catch (err) {
      this.#trap(err);
    }
    c.refresh();
    const u8 = c.u8, u32 = c.u32, R = c.result;
    const out = u32[R];
    const segCount = u32[R + 2];
    const chunks: Uint8Array[] = [];
    if (segCount) {
      let pos = 0;
      // One copy of all the frame octets; the pieces between body slices are views of it.
      const framing = u8.slice(out, out + n);
      let sp = u32[R + 1] >>> 2;
      for (let i = 0; i < segCount; i++, sp += 3) {
        const at = u32[sp], id = u32[sp + 1], len = u32[sp + 2];
        if (at > pos) chunks.push(framing.subarray(pos, at));
        pos = at;
        const q = this.#bodies.get(id);
        if (!q || q.bytes < len) throw new H2Error('ERR_H2WASM_CORE', `body queue of stream ${id} is short`);
        q.take(len, chunks);
        if (q.bytes === 0) this.#bodies.delete(id);
      }
      if (n > pos) chunks.push(framing.subarray(pos, n));
    } else if (n > 0) chunks.push(u8.slice(out, out + n));
    for (const chunk of chunks) {
      this.#pulled += chunk.length;
      if (this.#tracer) this.#tracer.feed('send', chunk);
    }
    return chunks;
  }

  /** Body octets queued on a stream and not yet sent. */
  bufferedAmount(streamId: number): number {
    return this.#bodies.get(streamId)?.bytes ?? 0;
  }

  // ------------------------------------------------------------------ state

  get state() {
    this.#live();
    const e = this.#core.exports, h = this.#h;
    return {
      localWindowSize: e.h2_session_info(h, abi.I_RECV_WINDOW),
      remoteWindowSize: e.h2_session_info(h, abi.I_SEND_WINDOW),
      nextStreamId: e.h2_session_info(h, abi.I_NEXT_STREAM_ID),
      openStreams: e.h2_session_info(h, abi.I_OPEN_STREAMS),
      lastPeerStreamId: e.h2_session_info(h, abi.I_LAST_PEER_STREAM),
      goawaySent: e.h2_session_info(h, abi.I_GOAWAY_SENT) === 1,
      goawayReceived: e.h2_session_info(h, abi.I_GOAWAY_RECEIVED) === 1,
      goawayLastStreamId: e.h2_session_info(h, abi.I_GOAWAY_LAST_STREAM),
      closed: e.h2_session_info(h, abi.I_DEAD) === 1,
      pendingSettingsAck: e.h2_session_info(h, abi.I_PENDING_SETTINGS) > 0,
      memory: e.h2_session_info(h, abi.I_MEMORY),
      framesReceived: e.h2_session_info(h, abi.I_FRAMES_RECEIVED),
      framesSent: e.h2_session_info(h, abi.I_FRAMES_SENT),
      deflateDynamicTableSize: e.h2_session_info(h, abi.I_DEFLATE_TABLE_SIZE),
      inflateDynamicTableSize: e.h2_session_info(h, abi.I_INFLATE_TABLE_SIZE),
    };
  }

  streamState(streamId: number): { state: StreamStateName; localWindowSize: number; remoteWindowSize: number; pending: number } {
    this.#live();
    const e = this.#core.exports, h = this.#h;
    return {
      state: STATE_NAMES[e.h2_stream_info(h, streamId, abi.I_STATE)],
      localWindowSize: e.h2_stream_info(h, streamId, abi.I_RECV_WINDOW),
      remoteWindowSize: e.h2_stream_info(h, streamId, abi.I_SEND_WINDOW),
      pending: e.h2_stream_info(h, streamId, abi.I_PENDING),
    };
  }

  #settingsOf(get: (h: number, id: number) => number): Required<Settings> {
    const h = this.#h;
    const out = {} as Record<string, number | boolean>;
    for (const [name, id] of SETTING_NAMES) {
      const v = get(h, id) >>> 0;
      out[name] = name === 'enablePush' || name === 'enableConnectProtocol' || name === 'noRfc7540Priorities' ? v === 1 : v;
    }
    return out as unknown as Required<Settings>;
  }

  get localSettings(): Required<Settings> {
    this.#live();
    return this.#settingsOf(this.#core.exports.h2_local_setting);
  }

  get remoteSettings(): Required<Settings> {
    this.#live();
    return this.#settingsOf(this.#core.exports.h2_remote_setting);
  }

  /** Calls `fn` for every frame sent or received (an observer outside the core). */
  observe(fn: (frame: FrameInfo) => void): () => void {
    this.#observers.push(fn);
    if (!this.#tracer) {
      // Start in step with what already went by: the magic, and any partial frame the core holds.
      const c = this.#core;
      const n = c.exports.h2_pending_input(this.#h);
      c.refresh();
      const held = c.u8.slice(c.u32[c.result], c.u32[c.result] + n);
      this.#tracer = new FrameTracer(this.role, this.#received, this.#pulled, held, (f) => { for (const o of this.#observers) o(f); });
    }
    return () => {
      this.#observers = this.#observers.filter((o) => o !== fn);
      if (!this.#observers.length) this.#tracer = null;
    };
  }

  get destroyed(): boolean { return this.#destroyed; }

  /** Frees the session's WASM memory. */
  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    live--;
    registry?.unregister(this);
    this.#bodies.clear();
    if (!this.#core.broken) this.#core.exports.h2_session_free(this.#h);
  }
}

function checkUint(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) {
    throw new H2Error('ERR_INVALID_ARG_VALUE', `${name} must be an integer from 0 to 2^32-1, got ${v}`);
  }
  return v;
}

/** A setting's wire value, checked against RFC 9113 §6.5.2 (Node's error code and message). */
function settingValue(name: string, v: number | boolean): number {
  const n = typeof v === 'boolean' ? (v ? 1 : 0) : v;
  const [min, max] = name === 'initialWindowSize' ? [0, 0x7fffffff]
    : name === 'maxFrameSize' ? [16384, 16777215]
    : name === 'enablePush' || name === 'enableConnectProtocol' || name === 'noRfc7540Priorities' ? [0, 1]
    : [0, 0xffffffff];
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new H2Error('ERR_HTTP2_INVALID_SETTING_VALUE', `Invalid value for setting "${name}": ${v}`);
  }
  return n;
}

/** Settings as the core recorded them for one event (8 u32 values in SETTING_NAMES order). */
function snapshotSettings(u32: Uint32Array, at: number): Required<Settings> {
  const out = {} as Record<string, number | boolean>;
  SETTING_NAMES.forEach(([name], i) => {
    const v = u32[at + i];
    out[name] = name === 'enablePush' || name === 'enableConnectProtocol' || name === 'noRfc7540Priorities' ? v === 1 : v;
  });
  return out as unknown as Required<Settings>;
}

function parseOrigins(u8: Uint8Array, p: number, n: number): string[] {
  const out: string[] = [];
  for (let q = p; q + 2 <= p + n;) {
    const len = (u8[q] << 8) | u8[q + 1];
    out.push(latin1Decode(u8, q + 2, len));
    q += 2 + len;
  }
  return out;
}

// ------------------------------------------------------------------ frame observer

export interface FrameInfo {
  direction: 'recv' | 'send';
  type: number;
  flags: number;
  streamId: number;
  length: number;
  payload: Uint8Array;
}

/** Splits a byte stream into frames for observers (the core itself logs nothing). */
class FrameTracer {
  #pending: { recv: Uint8Array; send: Uint8Array } = { recv: new Uint8Array(0), send: new Uint8Array(0) };
  #preface: { recv: number; send: number };
  #emit: (f: FrameInfo) => void;

  constructor(role: 'client' | 'server', received: number, sent: number, held: Uint8Array, emit: (f: FrameInfo) => void) {
    this.#emit = emit;
    // The client magic precedes the frames in the client → server direction.
    this.#preface = role === 'server'
      ? { recv: Math.max(0, 24 - received), send: 0 }
      : { recv: 0, send: Math.max(0, 24 - sent) };
    if (role === 'server' && received < 24) held = new Uint8Array(0); // still inside the magic
    this.#pending.recv = held;
  }

  feed(direction: 'recv' | 'send', chunk: Uint8Array): void {
    let buf = concat(this.#pending[direction], chunk);
    let p = 0;
    const skip = Math.min(this.#preface[direction], buf.length);
    this.#preface[direction] -= skip;
    p += skip;
    while (buf.length - p >= 9) {
      const length = (buf[p] << 16) | (buf[p + 1] << 8) | buf[p + 2];
      if (buf.length - p - 9 < length) break;
      const streamId = ((buf[p + 5] << 24) | (buf[p + 6] << 16) | (buf[p + 7] << 8) | buf[p + 8]) & 0x7fffffff;
      this.#emit({ direction, type: buf[p + 3], flags: buf[p + 4], streamId, length, payload: buf.slice(p + 9, p + 9 + length) });
      p += 9 + length;
    }
    this.#pending[direction] = buf.slice(p);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (!a.length) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
