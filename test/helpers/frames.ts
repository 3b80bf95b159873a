// HTTP/2 frames built and parsed by hand, straight from RFC 9113 §4.1 (the 9-octet frame
// header) and §6 (the payload of each frame type), plus the extension frames of RFC 7838
// (ALTSVC), RFC 8336 (ORIGIN) and RFC 9218 (PRIORITY_UPDATE). The constants are the RFCs'
// numbers, written here again on purpose: the protocol tests must not take their expectations
// from the code under test. Nothing here validates: builders write whatever they are given, so
// tests can send malformed frames.

/** RFC 9113 §6 and §11 of RFC 7540 (the frame type registry); 10, 12, 16 are extensions. */
export const FrameType = {
  DATA: 0x0,
  HEADERS: 0x1,
  PRIORITY: 0x2,
  RST_STREAM: 0x3,
  SETTINGS: 0x4,
  PUSH_PROMISE: 0x5,
  PING: 0x6,
  GOAWAY: 0x7,
  WINDOW_UPDATE: 0x8,
  CONTINUATION: 0x9,
  ALTSVC: 0xa, // RFC 7838 §4
  ORIGIN: 0xc, // RFC 8336 §2
  PRIORITY_UPDATE: 0x10, // RFC 9218 §7.1
} as const;

/** RFC 9113 §6: the flags each frame type defines (ACK and END_STREAM share the bit 0x01). */
export const Flag = {
  END_STREAM: 0x1,
  ACK: 0x1,
  END_HEADERS: 0x4,
  PADDED: 0x8,
  PRIORITY: 0x20,
} as const;

/** RFC 9113 §7. */
export const ErrorCode = {
  NO_ERROR: 0x0,
  PROTOCOL_ERROR: 0x1,
  INTERNAL_ERROR: 0x2,
  FLOW_CONTROL_ERROR: 0x3,
  SETTINGS_TIMEOUT: 0x4,
  STREAM_CLOSED: 0x5,
  FRAME_SIZE_ERROR: 0x6,
  REFUSED_STREAM: 0x7,
  CANCEL: 0x8,
  COMPRESSION_ERROR: 0x9,
  CONNECT_ERROR: 0xa,
  ENHANCE_YOUR_CALM: 0xb,
  INADEQUATE_SECURITY: 0xc,
  HTTP_1_1_REQUIRED: 0xd,
} as const;

/** RFC 9113 §6.5.2; 8 is RFC 8441 §3, 9 is RFC 9218 §2.1. */
export const SettingId = {
  HEADER_TABLE_SIZE: 0x1,
  ENABLE_PUSH: 0x2,
  MAX_CONCURRENT_STREAMS: 0x3,
  INITIAL_WINDOW_SIZE: 0x4,
  MAX_FRAME_SIZE: 0x5,
  MAX_HEADER_LIST_SIZE: 0x6,
  ENABLE_CONNECT_PROTOCOL: 0x8,
  NO_RFC7540_PRIORITIES: 0x9,
} as const;

/** RFC 9113 §3.4: "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n". */
export const CLIENT_PREFACE = Uint8Array.from([
  0x50, 0x52, 0x49, 0x20, 0x2a, 0x20, 0x48, 0x54, 0x54, 0x50, 0x2f, 0x32,
  0x2e, 0x30, 0x0d, 0x0a, 0x0d, 0x0a, 0x53, 0x4d, 0x0d, 0x0a, 0x0d, 0x0a,
]);

export const FRAME_HEADER_LENGTH = 9; // §4.1
export const DEFAULT_MAX_FRAME_SIZE = 16384; // §4.2, §6.5.2: 2^14
export const MAX_ALLOWED_FRAME_SIZE = 16777215; // §4.2: 2^24 − 1
export const DEFAULT_WINDOW_SIZE = 65535; // §6.9.2: 2^16 − 1
export const MAX_WINDOW_SIZE = 2147483647; // §6.9.1: 2^31 − 1
export const MAX_STREAM_ID = 2147483647; // §5.1.1: 31 bits
export const DEFAULT_HEADER_TABLE_SIZE = 4096; // §6.5.2

// ---------------------------------------------------------------- bytes

/** The octets of a byte string (one octet per character, Latin-1). */
export function latin1(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) throw new RangeError(`not a byte string: U+${c.toString(16)}`);
    out[i] = c;
  }
  return out;
}

/** A byte string from octets (the inverse of `latin1`). */
export function fromLatin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
  return s;
}

export type ByteInput = Uint8Array | ArrayLike<number> | string;

/** Octets from a Uint8Array, an array of numbers, or a byte string. */
export function toBytes(input: ByteInput): Uint8Array {
  if (typeof input === 'string') return latin1(input);
  if (input instanceof Uint8Array) return input;
  return Uint8Array.from(input);
}

export function concat(...parts: ByteInput[]): Uint8Array {
  const arrays = parts.map(toBytes);
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}

/** `n` octets of a repeating pattern (bodies whose content a test can check). */
export function filler(n: number, seed = 0): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function hex(bytes: Uint8Array, max = 64): string {
  const shown = Array.from(bytes.subarray(0, max), (b) => b.toString(16).padStart(2, '0')).join('');
  return bytes.length > max ? `${shown}… (${bytes.length} octets)` : shown;
}

const u16 = (v: number): number[] => [(v >>> 8) & 0xff, v & 0xff];
const u24 = (v: number): number[] => [(v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
const u32 = (v: number): number[] => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
const readU32 = (b: Uint8Array, at: number): number =>
  ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;

// ---------------------------------------------------------------- builders

export interface FrameOptions {
  /** Sets the reserved bit above the stream identifier (§4.1: MUST be ignored on receipt). */
  reserved?: boolean;
}

/** §4.1: Length (24), Type (8), Flags (8), Reserved (1), Stream Identifier (31), payload. */
export function frame(type: number, flags: number, streamId: number, payload: ByteInput = new Uint8Array(0), options: FrameOptions = {}): Uint8Array {
  const body = toBytes(payload);
  if (body.length > MAX_ALLOWED_FRAME_SIZE) throw new RangeError(`a frame payload is at most 2^24−1 octets, got ${body.length}`);
  const id = ((streamId & 0x7fffffff) | (options.reserved ? 0x80000000 : 0)) >>> 0;
  const out = new Uint8Array(FRAME_HEADER_LENGTH + body.length);
  out.set([...u24(body.length), type & 0xff, flags & 0xff, ...u32(id)], 0);
  out.set(body, FRAME_HEADER_LENGTH);
  return out;
}

export type SettingPair = [id: number, value: number];

/** §6.5.1: a SETTINGS frame; with `ack`, the empty acknowledgement. */
export function settingsFrame(pairs: readonly SettingPair[] = [], options: { ack?: boolean; streamId?: number } = {}): Uint8Array {
  const payload: number[] = [];
  for (const [id, value] of pairs) payload.push(...u16(id), ...u32(value));
  return frame(FrameType.SETTINGS, options.ack ? Flag.ACK : 0, options.streamId ?? 0, payload);
}

export const settingsAckFrame = (): Uint8Array => settingsFrame([], { ack: true });

export interface PriorityFields {
  exclusive?: boolean;
  /** Stream Dependency (31 bits). */
  dependency: number;
  /** Weight as sent on the wire (0–255: the RFC 7540 weight minus one). */
  weight?: number;
}

function priorityBytes(p: PriorityFields): number[] {
  return [...u32(((p.dependency & 0x7fffffff) | (p.exclusive ? 0x80000000 : 0)) >>> 0), (p.weight ?? 15) & 0xff];
}

/** Pad Length, then `body`, then `padLength` zero octets (§6.1, §6.2, §6.6). */
function padded(body: number[] | Uint8Array, padLength: number | undefined): Uint8Array {
  if (padLength === undefined) return toBytes(body);
  return concat([padLength & 0xff], body, new Uint8Array(padLength));
}

export interface HeadersOptions {
  endStream?: boolean;
  /** Default true. */
  endHeaders?: boolean;
  /** Sets PADDED with this Pad Length (and as many zero octets of padding). */
  padLength?: number;
  /** Sets PRIORITY with these fields (RFC 9113 §6.2; semantics in RFC 7540 §5.3). */
  priority?: PriorityFields;
  /** Extra flag bits, e.g. unused ones (§4.1: ignored on receipt). */
  flags?: number;
  reserved?: boolean;
}

/** §6.2: HEADERS carrying a field block fragment. */
export function headersFrame(streamId: number, block: ByteInput, options: HeadersOptions = {}): Uint8Array {
  let flags = options.flags ?? 0;
  if (options.endStream) flags |= Flag.END_STREAM;
  if (options.endHeaders ?? true) flags |= Flag.END_HEADERS;
  if (options.padLength !== undefined) flags |= Flag.PADDED;
  if (options.priority) flags |= Flag.PRIORITY;
  const body = concat(options.priority ? priorityBytes(options.priority) : [], block);
  return frame(FrameType.HEADERS, flags, streamId, padded(body, options.padLength), { reserved: options.reserved });
}

/** §6.10: CONTINUATION. */
export function continuationFrame(streamId: number, fragment: ByteInput, options: { endHeaders?: boolean; flags?: number } = {}): Uint8Array {
  const flags = (options.flags ?? 0) | ((options.endHeaders ?? true) ? Flag.END_HEADERS : 0);
  return frame(FrameType.CONTINUATION, flags, streamId, fragment);
}

export interface DataOptions {
  endStream?: boolean;
  padLength?: number;
  flags?: number;
  reserved?: boolean;
}

/** §6.1: DATA. */
export function dataFrame(streamId: number, data: ByteInput = new Uint8Array(0), options: DataOptions = {}): Uint8Array {
  let flags = options.flags ?? 0;
  if (options.endStream) flags |= Flag.END_STREAM;
  if (options.padLength !== undefined) flags |= Flag.PADDED;
  return frame(FrameType.DATA, flags, streamId, padded(toBytes(data), options.padLength), { reserved: options.reserved });
}

/** §6.3: PRIORITY (5 octets). */
export function priorityFrame(streamId: number, fields: PriorityFields): Uint8Array {
  return frame(FrameType.PRIORITY, 0, streamId, priorityBytes(fields));
}

/** §6.4: RST_STREAM (4 octets). */
export function rstStreamFrame(streamId: number, code: number): Uint8Array {
  return frame(FrameType.RST_STREAM, 0, streamId, u32(code));
}

/** §6.7: PING with 8 octets of opaque data. */
export function pingFrame(payload: ByteInput = new Uint8Array(8), options: { ack?: boolean; flags?: number } = {}): Uint8Array {
  const flags = (options.flags ?? 0) | (options.ack ? Flag.ACK : 0);
  return frame(FrameType.PING, flags, 0, payload);
}

/** §6.8: GOAWAY. */
export function goawayFrame(lastStreamId: number, code: number, debugData: ByteInput = new Uint8Array(0)): Uint8Array {
  return frame(FrameType.GOAWAY, 0, 0, concat(u32(lastStreamId & 0x7fffffff), u32(code), debugData));
}

/** §6.9: WINDOW_UPDATE (4 octets: a reserved bit and a 31-bit increment). */
export function windowUpdateFrame(streamId: number, increment: number, options: { reservedIncrementBit?: boolean } = {}): Uint8Array {
  const v = ((increment & 0x7fffffff) | (options.reservedIncrementBit ? 0x80000000 : 0)) >>> 0;
  return frame(FrameType.WINDOW_UPDATE, 0, streamId, u32(v));
}

/** §6.6: PUSH_PROMISE. */
export function pushPromiseFrame(streamId: number, promisedStreamId: number, block: ByteInput, options: { endHeaders?: boolean; padLength?: number } = {}): Uint8Array {
  let flags = (options.endHeaders ?? true) ? Flag.END_HEADERS : 0;
  if (options.padLength !== undefined) flags |= Flag.PADDED;
  const body = concat(u32(promisedStreamId & 0x7fffffff), block);
  return frame(FrameType.PUSH_PROMISE, flags, streamId, padded(body, options.padLength));
}

/** RFC 9218 §7.1: PRIORITY_UPDATE, sent on stream 0, naming the prioritized stream. */
export function priorityUpdateFrame(prioritizedStreamId: number, value: string, options: { streamId?: number } = {}): Uint8Array {
  return frame(FrameType.PRIORITY_UPDATE, 0, options.streamId ?? 0, concat(u32(prioritizedStreamId & 0x7fffffff), latin1(value)));
}

/** RFC 7838 §4: ALTSVC (Origin-Len, Origin, Alt-Svc-Field-Value). */
export function altsvcFrame(streamId: number, origin: string, value: string): Uint8Array {
  return frame(FrameType.ALTSVC, 0, streamId, concat(u16(origin.length), latin1(origin), latin1(value)));
}

/** RFC 8336 §2: ORIGIN (a list of Origin-Len, ASCII-Origin). */
export function originFrame(origins: string[], options: { streamId?: number } = {}): Uint8Array {
  return frame(FrameType.ORIGIN, 0, options.streamId ?? 0, concat(...origins.map((o) => concat(u16(o.length), latin1(o)))));
}

// ---------------------------------------------------------------- parsing

export interface Frame {
  type: number;
  flags: number;
  /** The 31-bit identifier (the reserved bit removed). */
  streamId: number;
  /** The reserved bit of the header (§4.1: MUST be unset when sending). */
  reserved: boolean;
  length: number;
  payload: Uint8Array;
}

/**
 * An incremental §4.1 frame reader: `push` any split of the byte stream, get whole frames.
 * With `preface: true` the stream must start with the 24-octet client connection preface
 * (§3.4), which is checked and removed.
 */
export class FrameReader {
  #buffer: Uint8Array = new Uint8Array(0);
  #prefacePending: boolean;
  /** False once octets that are not the client preface arrived where it was expected. */
  prefaceOk = true;

  constructor(options: { preface?: boolean } = {}) {
    this.#prefacePending = options.preface ?? false;
  }

  get buffered(): number {
    return this.#buffer.length;
  }

  push(chunk: Uint8Array): Frame[] {
    this.#buffer = this.#buffer.length ? concat(this.#buffer, chunk) : chunk.slice();
    const frames: Frame[] = [];
    if (this.#prefacePending) {
      const n = Math.min(this.#buffer.length, CLIENT_PREFACE.length);
      for (let i = 0; i < n; i++) {
        if (this.#buffer[i] !== CLIENT_PREFACE[i]) {
          this.prefaceOk = false;
          this.#prefacePending = false;
          throw new Error(`RFC 9113 §3.4: the client's first octets are not the connection preface: ${hex(this.#buffer.subarray(0, 24))}`);
        }
      }
      if (this.#buffer.length < CLIENT_PREFACE.length) return frames;
      this.#buffer = this.#buffer.subarray(CLIENT_PREFACE.length);
      this.#prefacePending = false;
    }
    let at = 0;
    while (this.#buffer.length - at >= FRAME_HEADER_LENGTH) {
      const b = this.#buffer;
      const length = (b[at] << 16) | (b[at + 1] << 8) | b[at + 2];
      if (b.length - at < FRAME_HEADER_LENGTH + length) break;
      const id = readU32(b, at + 5);
      frames.push({
        type: b[at + 3],
        flags: b[at + 4],
        streamId: id & 0x7fffffff,
        reserved: (id & 0x80000000) !== 0,
        length,
        payload: b.slice(at + FRAME_HEADER_LENGTH, at + FRAME_HEADER_LENGTH + length),
      });
      at += FRAME_HEADER_LENGTH + length;
    }
    this.#buffer = this.#buffer.slice(at);
    return frames;
  }
}

/** Parses whole frames; throws if the bytes end inside a frame. */
export function parseFrames(bytes: Uint8Array, options: { preface?: boolean } = {}): Frame[] {
  const reader = new FrameReader(options);
  const frames = reader.push(bytes);
  if (reader.buffered) throw new Error(`parseFrames: ${reader.buffered} octets left over after ${frames.length} whole frames`);
  return frames;
}

// ---------------------------------------------------------------- typed views (§6)

const hasFlag = (f: Frame, flag: number): boolean => (f.flags & flag) !== 0;

/** §6.5.1: the (identifier, value) pairs, in order. */
export function settingsEntries(f: Frame): SettingPair[] {
  const out: SettingPair[] = [];
  for (let at = 0; at + 6 <= f.payload.length; at += 6) {
    out.push([(f.payload[at] << 8) | f.payload[at + 1], readU32(f.payload, at + 2)]);
  }
  return out;
}

/** §6.5.1: the last value of `id` in a SETTINGS frame, or undefined. */
export function settingValue(f: Frame, id: number): number | undefined {
  let v: number | undefined;
  for (const [i, value] of settingsEntries(f)) if (i === id) v = value;
  return v;
}

export interface GoAwayFields {
  lastStreamId: number;
  code: number;
  debugData: Uint8Array;
}

/** §6.8. */
export function goawayFields(f: Frame): GoAwayFields {
  return {
    lastStreamId: readU32(f.payload, 0) & 0x7fffffff,
    code: readU32(f.payload, 4),
    debugData: f.payload.slice(8),
  };
}

/** §6.4. */
export const rstCode = (f: Frame): number => readU32(f.payload, 0);

/** §6.9: the 31-bit increment (reserved bit removed). */
export const windowIncrement = (f: Frame): number => readU32(f.payload, 0) & 0x7fffffff;

/** §6.7. */
export const pingPayload = (f: Frame): Uint8Array => f.payload;

/** The Pad Length of a PADDED frame, or 0. */
function padLengthOf(f: Frame): number {
  return hasFlag(f, Flag.PADDED) ? f.payload[0] : 0;
}

/** §6.1: the data without Pad Length and padding. */
export function dataFields(f: Frame): { data: Uint8Array; padLength: number; endStream: boolean } {
  const pad = padLengthOf(f);
  const start = hasFlag(f, Flag.PADDED) ? 1 : 0;
  return { data: f.payload.subarray(start, f.payload.length - pad), padLength: pad, endStream: hasFlag(f, Flag.END_STREAM) };
}

/** §6.2: the field block fragment and the optional fields around it. */
export function headersFields(f: Frame): { fragment: Uint8Array; padLength: number; priority?: Required<PriorityFields> } {
  const pad = padLengthOf(f);
  let at = hasFlag(f, Flag.PADDED) ? 1 : 0;
  let priority: Required<PriorityFields> | undefined;
  if (hasFlag(f, Flag.PRIORITY)) {
    const dep = readU32(f.payload, at);
    priority = { exclusive: (dep & 0x80000000) !== 0, dependency: dep & 0x7fffffff, weight: f.payload[at + 4] };
    at += 5;
  }
  return { fragment: f.payload.subarray(at, f.payload.length - pad), padLength: pad, priority };
}

/** §6.6. */
export function pushPromiseFields(f: Frame): { promisedStreamId: number; fragment: Uint8Array; padLength: number } {
  const pad = padLengthOf(f);
  const at = hasFlag(f, Flag.PADDED) ? 1 : 0;
  return {
    promisedStreamId: readU32(f.payload, at) & 0x7fffffff,
    fragment: f.payload.subarray(at + 4, f.payload.length - pad),
    padLength: pad,
  };
}

// ---------------------------------------------------------------- names, for messages

const nameOf = (table: Record<string, number>, v: number): string | undefined =>
  Object.keys(table).find((k) => table[k] === v);

export const frameTypeName = (t: number): string => nameOf(FrameType, t) ?? `UNKNOWN(0x${t.toString(16)})`;
export const errorCodeName = (c: number): string => nameOf(ErrorCode, c) ?? `0x${c.toString(16)}`;
export const settingName = (id: number): string => nameOf(SettingId, id) ?? `0x${id.toString(16)}`;

/** The flags a frame type defines (§6); others are "unused" and MUST be sent as 0 (§4.1). */
export const DEFINED_FLAGS: Record<number, number> = {
  [FrameType.DATA]: Flag.END_STREAM | Flag.PADDED,
  [FrameType.HEADERS]: Flag.END_STREAM | Flag.END_HEADERS | Flag.PADDED | Flag.PRIORITY,
  [FrameType.PRIORITY]: 0,
  [FrameType.RST_STREAM]: 0,
  [FrameType.SETTINGS]: Flag.ACK,
  [FrameType.PUSH_PROMISE]: Flag.END_HEADERS | Flag.PADDED,
  [FrameType.PING]: Flag.ACK,
  [FrameType.GOAWAY]: 0,
  [FrameType.WINDOW_UPDATE]: 0,
  [FrameType.CONTINUATION]: Flag.END_HEADERS,
};

function flagNames(f: Frame): string {
  const names: string[] = [];
  const ackLike = f.type === FrameType.SETTINGS || f.type === FrameType.PING;
  if (f.flags & 0x1) names.push(ackLike ? 'ACK' : 'END_STREAM');
  if (f.flags & 0x4) names.push('END_HEADERS');
  if (f.flags & 0x8) names.push('PADDED');
  if (f.flags & 0x20) names.push('PRIORITY');
  const rest = f.flags & ~0x2d;
  if (rest) names.push(`0x${rest.toString(16)}`);
  return names.join('|');
}

/** One line per frame, for transcripts in failure messages. */
export function describeFrame(f: Frame): string {
  let s = `${frameTypeName(f.type)}[${f.streamId}]`;
  const flags = flagNames(f);
  if (flags) s += ` ${flags}`;
  s += ` len=${f.length}`;
  try {
    switch (f.type) {
      case FrameType.SETTINGS:
        if (f.length % 6 === 0) s += ` {${settingsEntries(f).map(([id, v]) => `${settingName(id)}=${v}`).join(', ')}}`;
        break;
      case FrameType.RST_STREAM:
        if (f.length === 4) s += ` ${errorCodeName(rstCode(f))}`;
        break;
      case FrameType.GOAWAY:
        if (f.length >= 8) {
          const g = goawayFields(f);
          s += ` last=${g.lastStreamId} ${errorCodeName(g.code)}`;
          if (g.debugData.length) s += ` "${fromLatin1(g.debugData.subarray(0, 80))}"`;
        }
        break;
      case FrameType.WINDOW_UPDATE:
        if (f.length === 4) s += ` +${windowIncrement(f)}`;
        break;
      case FrameType.PING:
        s += ` ${hex(f.payload, 8)}`;
        break;
      case FrameType.PUSH_PROMISE:
        s += ` promised=${pushPromiseFields(f).promisedStreamId}`;
        break;
    }
  } catch {
    // a malformed frame: the header line is enough
  }
  if (f.reserved) s += ' R=1';
  return s;
}

/** Describes every frame in `bytes` (or the parse failure). */
export function describeBytes(bytes: Uint8Array): string {
  try {
    return parseFrames(bytes).map(describeFrame).join(', ');
  } catch {
    return hex(bytes);
  }
}
