// A scripted peer that plays the other side of a sans-IO `Session` byte for byte: frames built
// by hand (./frames.ts), field blocks through the standalone HpackEncoder/HpackDecoder, no
// second Session. Writes go to `session.receive(...)` (its events are collected); what the
// session answers is read with `session.pull()`, reassembled and parsed into frames.
//
//   const { server, peer } = connectServer();              // preface, SETTINGS, both ACKs
//   peer.writeHeaders(1, GET, { endStream: true });
//   peer.event('request', (e) => e.streamId === 1);
//   peer.wantStreamError(3, ErrorCode.PROTOCOL_ERROR);     // RST_STREAM, `error` event, PING still answered
//   peer.wantConnectionError(ErrorCode.FRAME_SIZE_ERROR, { lastStreamId: 1 });
//
// Everything is synchronous. Every frame the session sends is also checked against the rules
// a sender must follow whatever the test is about (reserved bit and unused flags unset, frame
// size within our SETTINGS_MAX_FRAME_SIZE, DATA within the windows we advertised, field blocks
// contiguous and decodable, nothing on a stream after END_STREAM or RST_STREAM, nothing after
// a GOAWAY carrying an error); a breach fails the test at once, naming the RFC section.
// H2WASM_CONFORMANCE_SPLIT=n in the environment feeds every write in chunks of n octets (any
// split must give the same events and answers).
import * as assert from 'uvu/assert';
import { HpackDecoder, HpackEncoder } from '../../bindings/hpack/index.ts';
import type { HpackEncoderOptions } from '../../bindings/hpack/index.ts';
import { Session } from '../../bindings/core/index.ts';
import {
  CLIENT_PREFACE,
  DEFAULT_MAX_FRAME_SIZE,
  DEFAULT_WINDOW_SIZE,
  DEFINED_FLAGS,
  ErrorCode,
  Flag,
  FrameReader,
  FrameType,
  SettingId,
  concat,
  continuationFrame,
  dataFrame,
  describeBytes,
  describeFrame,
  equalBytes,
  errorCodeName,
  parseFrames,
  filler,
  frame,
  frameTypeName,
  goawayFields,
  goawayFrame,
  headersFields,
  headersFrame,
  hex,
  pingFrame,
  priorityFrame,
  priorityUpdateFrame,
  pushPromiseFields,
  pushPromiseFrame,
  rstCode,
  rstStreamFrame,
  settingsEntries,
  settingsFrame,
  toBytes,
  windowIncrement,
  windowUpdateFrame,
  type ByteInput,
  type DataOptions,
  type Frame,
  type GoAwayFields,
  type HeadersOptions,
  type PriorityFields,
  type SettingPair,
} from './frames.ts';

export type Headers = Array<[string, string]>;

/** An event of the Session (docs/core.md, "Receiving"). */
export interface SessionEvent {
  type: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  [field: string]: any;
}

/** What the peer needs of a Session. */
export interface SessionLike {
  receive(chunk: Uint8Array): readonly SessionEvent[];
  pull(): readonly Uint8Array[];
}

/** A frame the session sent, with its field block decoded when it carries one. */
export interface ReceivedFrame extends Frame {
  /** HEADERS / PUSH_PROMISE: the decoded field block (after its CONTINUATION frames). */
  headers?: Headers;
  /** PUSH_PROMISE. */
  promisedStreamId?: number;
  /** Position among all frames the session sent. */
  index: number;
}

export interface FrameMatch {
  streamId?: number;
  /** SETTINGS and PING: the ACK flag set (true) or clear (false). */
  ack?: boolean;
  endStream?: boolean;
  endHeaders?: boolean;
  where?: (f: ReceivedFrame) => boolean;
}

export interface PeerOptions {
  /** Our SETTINGS in the preface. */
  settings?: SettingPair[];
  /** false: send (client) or read (server) no preface on construction. */
  preface?: boolean;
  /** Feed `receive` in chunks of this many octets (any split must give the same events). */
  split?: number;
  encoder?: HpackEncoderOptions;
}

export interface ErrorAlternative {
  scope: 'stream' | 'connection';
  code: number;
  /** For scope 'stream': the stream (default: the one given to `wantError`). */
  streamId?: number;
}

/** A plain GET request's header list. */
export const GET: Headers = [
  [':method', 'GET'],
  [':scheme', 'https'],
  [':authority', 'example.com'],
  [':path', '/'],
];

/**
 * A request's header list: the four pseudo-header fields of GET with `pseudo` replacing
 * (a string) or removing (null) some, in the same order, then `fields`.
 */
export function req(pseudo: Partial<Record<':method' | ':scheme' | ':authority' | ':path', string | null>> = {}, fields: Headers = []): Headers {
  const out: Headers = [];
  for (const [name, value] of GET) {
    const v = name in pseudo ? pseudo[name as keyof typeof pseudo] : value;
    if (v !== null && v !== undefined) out.push([name, v]);
  }
  return [...out, ...fields];
}

const envSplit = Number(typeof process !== 'undefined' ? process.env.H2WASM_CONFORMANCE_SPLIT : undefined) || undefined;

function shortEvent(e: SessionEvent): string {
  return JSON.stringify(e, (_k, v) => (v instanceof Uint8Array ? `<${v.length} octets ${hex(v, 8)}>` : v));
}

/** The other side of a Session. Use ScriptedClient (facing a server) or ScriptedServer. */
export class ScriptedPeer {
  readonly session: SessionLike;
  /** 'client' when the peer plays the client (the session is a server), and conversely. */
  readonly role: 'client' | 'server';
  /** Every event the session returned from `receive`, in order. */
  readonly events: SessionEvent[] = [];
  /** Every frame the session sent, in order. */
  readonly received: ReceivedFrame[] = [];
  /** Frames the session sent that no `want*` call has taken yet. */
  unread: ReceivedFrame[] = [];
  /** Frames sent (→), frames received (←) and events (·), for failure messages. */
  readonly transcript: string[] = [];
  readonly encoder: HpackEncoder;
  readonly decoder: HpackDecoder;
  split: number | undefined;

  #reader: FrameReader;
  #block: { frame: ReceivedFrame; fragments: Uint8Array[] } | null = null;
  #pingSeq = 0;
  // The session's settings as we last received them, and ours as the session knows them.
  #sessionSettings = new Map<number, number>();
  #ownSettings = new Map<number, number>();
  #ownUnacked: SettingPair[][] = [];
  #sessionUnacked: SettingPair[][] = [];
  // Flow control (§6.9): what we may still send, and what the session may still send us.
  #sendConn = DEFAULT_WINDOW_SIZE;
  #sendStream = new Map<number, number>();
  #recvConn = DEFAULT_WINDOW_SIZE;
  #recvStream = new Map<number, number>();
  // What the session did on each stream, for the sender checks.
  #sessionEnded = new Set<number>();
  #sessionReset = new Set<number>();
  #peerReset = new Set<number>();
  // Streams we reset and have sent nothing else on since (§5.4.2: no RST_STREAM in answer).
  #peerResetPending = new Set<number>();
  // The highest stream id either side has used, for even [0] and odd [1] ids.
  #highestStream = [0, 0];
  #errorGoAway: ReceivedFrame | null = null;
  #decoderMax: number;

  constructor(session: SessionLike, role: 'client' | 'server', options: PeerOptions = {}) {
    this.session = session;
    this.role = role;
    this.split = options.split ?? envSplit;
    this.#reader = new FrameReader({ preface: role === 'server' });
    this.encoder = new HpackEncoder(options.encoder);
    // A HEADER_TABLE_SIZE in our preface bounds the session's encoder from its first block on
    // (RFC 9113 §4.3.1 asks for a size update only when the table holds more than the new size).
    const table = options.settings?.filter(([id]) => id === SettingId.HEADER_TABLE_SIZE).pop()?.[1];
    this.#decoderMax = table ?? 4096;
    this.decoder = new HpackDecoder({ maxTableSize: this.#decoderMax, maxHeaderListSize: 1 << 24, maxHeaderListPairs: 1 << 16, maxHeaderFieldSize: 1 << 24 });
  }

  // ---------------------------------------------------------------- writing

  /** Feeds octets to `session.receive` (after taking what the session had to send). */
  writeRaw(bytes: ByteInput, label?: string): SessionEvent[] {
    this.flush();
    const data = toBytes(bytes);
    this.transcript.push(`→ ${label ?? describeBytes(data)}`);
    this.#noteWritten(data);
    const step = this.split && this.split > 0 ? this.split : data.length || 1;
    const out: SessionEvent[] = [];
    for (let at = 0; at < data.length || (at === 0 && data.length === 0); at += step) {
      const events = this.session.receive(data.subarray(at, at + step));
      for (const e of events) {
        this.transcript.push(`· ${shortEvent(e)}`);
        out.push(e);
      }
      if (data.length === 0) break;
    }
    this.events.push(...out);
    return out;
  }

  #noteWritten(data: Uint8Array): void {
    let frames: Frame[];
    try {
      frames = parseFrames(data);
    } catch {
      return; // not whole frames (a preface, a split frame): nothing to note
    }
    for (const f of frames) {
      if (f.streamId === 0) continue;
      this.#noteStream(f.streamId);
      if (f.type === FrameType.RST_STREAM) this.#peerResetPending.add(f.streamId);
      else this.#peerResetPending.delete(f.streamId);
      if (f.type === FrameType.PUSH_PROMISE && f.length >= 4) {
        try {
          this.#noteStream(pushPromiseFields(f).promisedStreamId);
        } catch {
          // malformed on purpose
        }
      }
    }
  }

  #noteStream(id: number): void {
    if (id > this.#highestStream[id % 2]) this.#highestStream[id % 2] = id;
  }

  /** Any frame (§4.1). */
  writeFrame(type: number, flags: number, streamId: number, payload: ByteInput = new Uint8Array(0), options: { reserved?: boolean } = {}): SessionEvent[] {
    return this.writeRaw(frame(type, flags, streamId, payload, options));
  }

  /** SETTINGS (§6.5): our settings, in force for the session as soon as it reads them. */
  writeSettings(pairs: SettingPair[] = []): SessionEvent[] {
    this.flush();
    this.#applyOwnSettings(pairs);
    return this.writeRaw(settingsFrame(pairs));
  }

  /** SETTINGS with ACK (§6.5.3), for the oldest SETTINGS of the session not acknowledged yet. */
  writeSettingsAck(): SessionEvent[] {
    const acked = this.#sessionUnacked.shift();
    // §4.3.1: a new HEADER_TABLE_SIZE binds our encoder once we acknowledge it.
    const table = acked?.filter(([id]) => id === SettingId.HEADER_TABLE_SIZE).pop();
    if (table) this.encoder.setMaxTableSize(Math.min(table[1], 4096));
    return this.writeRaw(settingsFrame([], { ack: true }));
  }

  /**
   * HEADERS (§6.2) with a header list (encoded by our HPACK encoder) or a ready field block.
   * `fragments`: split the block into HEADERS + CONTINUATION frames of at most this many octets.
   */
  writeHeaders(streamId: number, headers: Headers | Uint8Array, options: HeadersOptions & { fragments?: number } = {}): SessionEvent[] {
    const block = headers instanceof Uint8Array ? headers : this.encoder.encode(headers);
    if (!options.fragments || block.length <= options.fragments) return this.writeRaw(headersFrame(streamId, block, options));
    const parts: Uint8Array[] = [];
    for (let at = 0; at < block.length; at += options.fragments) parts.push(block.subarray(at, at + options.fragments));
    const bytes = [headersFrame(streamId, parts[0], { ...options, endHeaders: false })];
    for (let i = 1; i < parts.length; i++) bytes.push(continuationFrame(streamId, parts[i], { endHeaders: i === parts.length - 1 }));
    return this.writeRaw(concat(...bytes));
  }

  writeContinuation(streamId: number, fragment: Headers | Uint8Array, options: { endHeaders?: boolean } = {}): SessionEvent[] {
    const block = fragment instanceof Uint8Array ? fragment : this.encoder.encode(fragment);
    return this.writeRaw(continuationFrame(streamId, block, options));
  }

  /** DATA (§6.1): `data` as octets, a byte string, or a length (filled with a pattern). */
  writeData(streamId: number, data: ByteInput | number, options: DataOptions = {}): SessionEvent[] {
    const bytes = typeof data === 'number' ? filler(data) : toBytes(data);
    this.flush();
    // §6.1: the whole payload, Pad Length and padding included, counts against the windows.
    const length = bytes.length + (options.padLength !== undefined ? options.padLength + 1 : 0);
    if (streamId !== 0) {
      this.#sendConn -= length;
      this.#sendStream.set(streamId, this.sendWindow(streamId) - length);
    }
    return this.writeRaw(dataFrame(streamId, bytes, options));
  }

  writeRstStream(streamId: number, code: number): SessionEvent[] {
    this.#peerReset.add(streamId);
    return this.writeRaw(rstStreamFrame(streamId, code));
  }

  writePing(payload: ByteInput = new Uint8Array(8), options: { ack?: boolean; flags?: number } = {}): SessionEvent[] {
    return this.writeRaw(pingFrame(payload, options));
  }

  writeGoAway(lastStreamId: number, code: number, debugData?: ByteInput): SessionEvent[] {
    return this.writeRaw(goawayFrame(lastStreamId, code, debugData));
  }

  /** WINDOW_UPDATE (§6.9): more room for the session to send us. */
  writeWindowUpdate(streamId: number, increment: number): SessionEvent[] {
    if (streamId === 0) this.#recvConn += increment;
    else this.#recvStream.set(streamId, this.recvWindow(streamId) + increment);
    return this.writeRaw(windowUpdateFrame(streamId, increment));
  }

  writePriority(streamId: number, fields: PriorityFields): SessionEvent[] {
    return this.writeRaw(priorityFrame(streamId, fields));
  }

  writePushPromise(streamId: number, promisedStreamId: number, headers: Headers | Uint8Array, options: { endHeaders?: boolean; padLength?: number } = {}): SessionEvent[] {
    const block = headers instanceof Uint8Array ? headers : this.encoder.encode(headers);
    return this.writeRaw(pushPromiseFrame(streamId, promisedStreamId, block, options));
  }

  writePriorityUpdate(prioritizedStreamId: number, value: string, options: { streamId?: number } = {}): SessionEvent[] {
    return this.writeRaw(priorityUpdateFrame(prioritizedStreamId, value, options));
  }

  // ---------------------------------------------------------------- flow-control bookkeeping

  /** §6.9.1: octets of DATA we may still send on `streamId` (0: the connection). */
  sendWindow(streamId: number): number {
    if (streamId === 0) return this.#sendConn;
    return this.#sendStream.get(streamId) ?? (this.#sessionSettings.get(SettingId.INITIAL_WINDOW_SIZE) ?? DEFAULT_WINDOW_SIZE);
  }

  /** Octets of DATA the session may still send us on `streamId` (0: the connection). */
  recvWindow(streamId: number): number {
    if (streamId === 0) return this.#recvConn;
    return this.#recvStream.get(streamId) ?? (this.#ownSettings.get(SettingId.INITIAL_WINDOW_SIZE) ?? DEFAULT_WINDOW_SIZE);
  }

  /** The session's settings as we last received them (defaults where it sent none). */
  sessionSetting(id: number): number | undefined {
    return this.#sessionSettings.get(id);
  }

  #applyOwnSettings(pairs: SettingPair[]): void {
    for (const [id, value] of pairs) {
      // Values a test sends to provoke an error (§6.5.2 ranges) never come into force.
      if (id === SettingId.MAX_FRAME_SIZE && (value < 16384 || value > 16777215)) continue;
      if (id === SettingId.INITIAL_WINDOW_SIZE && value > 2147483647) continue;
      if (id === SettingId.INITIAL_WINDOW_SIZE) {
        // §6.9.2: the change applies to every stream window the session keeps for us.
        const delta = value - (this.#ownSettings.get(id) ?? DEFAULT_WINDOW_SIZE);
        for (const [s, w] of this.#recvStream) this.#recvStream.set(s, w + delta);
      }
      this.#ownSettings.set(id, value);
    }
    this.#ownUnacked.push(pairs);
  }

  // ---------------------------------------------------------------- reading

  /** Takes everything the session has to send now; returns the new frames. */
  flush(): ReceivedFrame[] {
    const out: ReceivedFrame[] = [];
    for (let rounds = 0; ; rounds++) {
      if (rounds > 100000) this.fail('session.pull() never runs dry');
      const chunks = this.session.pull();
      let n = 0;
      for (const chunk of chunks) {
        n += chunk.length;
        let frames: Frame[];
        try {
          frames = this.#reader.push(chunk);
        } catch (err) {
          this.fail((err as Error).message);
        }
        for (const f of frames!) out.push(this.#onFrame(f));
      }
      if (n === 0) break;
    }
    return out;
  }

  #violation(rule: string, f: Frame | null, what: string): never {
    this.fail(`the session broke RFC 9113 ${rule}: ${what}${f ? ` (frame: ${describeFrame(f)})` : ''}`);
  }

  #onFrame(raw: Frame): ReceivedFrame {
    const f: ReceivedFrame = { ...raw, index: this.received.length };
    this.received.push(f);
    this.transcript.push(`← ${describeFrame(f)}`);
    if (f.type === FrameType.HEADERS && f.streamId !== 0) this.#noteStream(f.streamId);

    // Checks that hold for every frame whatever the test is about.
    if (this.#errorGoAway) this.#violation('§5.4.1', f, `a frame after GOAWAY ${describeFrame(this.#errorGoAway)}: the connection MUST be closed after a GOAWAY for an error`);
    if (f.reserved) this.#violation('§4.1', f, 'the reserved bit MUST remain unset when sending');
    const defined = DEFINED_FLAGS[f.type];
    if (defined !== undefined && (f.flags & ~defined) !== 0) this.#violation('§4.1', f, `unused flags 0x${(f.flags & ~defined).toString(16)} MUST be left unset`);
    const maxFrame = this.#ownSettings.get(SettingId.MAX_FRAME_SIZE) ?? DEFAULT_MAX_FRAME_SIZE;
    if (f.length > maxFrame) this.#violation('§4.2', f, `a ${f.length}-octet payload exceeds our SETTINGS_MAX_FRAME_SIZE ${maxFrame}`);
    if (this.#block && (f.type !== FrameType.CONTINUATION || f.streamId !== this.#block.frame.streamId)) {
      this.#violation('§4.3, §6.10', f, `a field block of ${describeFrame(this.#block.frame)} is interrupted`);
    }
    const streamFrame = f.type === FrameType.DATA || f.type === FrameType.HEADERS || f.type === FrameType.PUSH_PROMISE;
    if (streamFrame && f.streamId !== 0) {
      if (this.#sessionReset.has(f.streamId)) this.#violation('§5.4.2', f, 'a frame after the session sent RST_STREAM on this stream');
      if (this.#peerReset.has(f.streamId)) this.#violation('§6.4', f, 'a frame on a stream after receiving our RST_STREAM on it');
      if (this.#sessionEnded.has(f.streamId)) this.#violation('§5.1', f, 'a frame on a stream after the session sent END_STREAM on it (half-closed (local) or closed)');
    }

    switch (f.type) {
      case FrameType.DATA: {
        if (f.streamId === 0) this.#violation('§6.1', f, 'DATA on stream 0');
        this.#recvConn -= f.length;
        const w = this.recvWindow(f.streamId) - f.length;
        this.#recvStream.set(f.streamId, w);
        if (this.#recvConn < 0) this.#violation('§6.9.1', f, `DATA beyond the connection window we advertised (now ${this.#recvConn})`);
        if (w < 0) this.#violation('§6.9.1', f, `DATA beyond the stream window we advertised (now ${w})`);
        if (f.flags & Flag.END_STREAM) this.#sessionEnded.add(f.streamId);
        break;
      }
      case FrameType.HEADERS:
      case FrameType.PUSH_PROMISE: {
        if (f.streamId === 0) this.#violation(f.type === FrameType.HEADERS ? '§6.2' : '§6.6', f, 'a field block on stream 0');
        let fragment: Uint8Array;
        if (f.type === FrameType.HEADERS) fragment = headersFields(f).fragment;
        else {
          const pp = pushPromiseFields(f);
          f.promisedStreamId = pp.promisedStreamId;
          this.#noteStream(pp.promisedStreamId);
          fragment = pp.fragment;
        }
        this.#block = { frame: f, fragments: [fragment] };
        if (f.type === FrameType.HEADERS && f.flags & Flag.END_STREAM) this.#sessionEnded.add(f.streamId);
        if (f.flags & Flag.END_HEADERS) this.#endBlock();
        break;
      }
      case FrameType.CONTINUATION:
        if (!this.#block) this.#violation('§6.10', f, 'CONTINUATION without a preceding HEADERS or PUSH_PROMISE');
        this.#block.fragments.push(f.payload);
        if (f.flags & Flag.END_HEADERS) this.#endBlock();
        break;
      case FrameType.SETTINGS:
        if (f.streamId !== 0) this.#violation('§6.5', f, 'SETTINGS on a stream');
        if (f.flags & Flag.ACK) {
          if (f.length !== 0) this.#violation('§6.5', f, 'a SETTINGS ACK with a payload');
          const acked = this.#ownUnacked.shift();
          const table = acked?.filter(([id]) => id === SettingId.HEADER_TABLE_SIZE).pop();
          // §4.3.1: our smaller table binds the session's encoder from its ACK on.
          if (table && table[1] !== this.#decoderMax) {
            this.#decoderMax = table[1];
            this.decoder.setMaxTableSize(table[1]);
          }
        } else {
          if (f.length % 6 !== 0) this.#violation('§6.5', f, 'a SETTINGS length not a multiple of 6');
          const pairs = settingsEntries(f);
          for (const [id, value] of pairs) {
            if (id === SettingId.INITIAL_WINDOW_SIZE) {
              const delta = value - (this.#sessionSettings.get(id) ?? DEFAULT_WINDOW_SIZE);
              for (const [s, w] of this.#sendStream) this.#sendStream.set(s, w + delta);
            }
            if (id === SettingId.ENABLE_PUSH && value > 1) this.#violation('§6.5.2', f, `SETTINGS_ENABLE_PUSH ${value}`);
            if (id === SettingId.ENABLE_PUSH && value === 1 && this.role === 'client') this.#violation('§6.5.2', f, 'a server MUST NOT set SETTINGS_ENABLE_PUSH to 1');
            if (id === SettingId.MAX_FRAME_SIZE && (value < 16384 || value > 16777215)) this.#violation('§6.5.2', f, `SETTINGS_MAX_FRAME_SIZE ${value}`);
            if (id === SettingId.INITIAL_WINDOW_SIZE && value > 2147483647) this.#violation('§6.5.2', f, `SETTINGS_INITIAL_WINDOW_SIZE ${value}`);
            this.#sessionSettings.set(id, value);
          }
          this.#sessionUnacked.push(pairs);
        }
        break;
      case FrameType.WINDOW_UPDATE:
        if (f.streamId !== 0 && this.#peerReset.has(f.streamId)) this.#violation('§6.4', f, 'WINDOW_UPDATE on a stream after receiving our RST_STREAM on it');
        if (f.length === 4) {
          const inc = windowIncrement(f);
          if (f.streamId === 0) this.#sendConn += inc;
          else this.#sendStream.set(f.streamId, this.sendWindow(f.streamId) + inc);
        }
        break;
      case FrameType.RST_STREAM:
        if (f.streamId === 0) this.#violation('§6.4', f, 'RST_STREAM on stream 0');
        // §5.4.2: "An endpoint MUST NOT send a RST_STREAM in response to a RST_STREAM frame."
        if (this.#peerResetPending.has(f.streamId)) this.#violation('§5.4.2', f, 'a RST_STREAM in response to our RST_STREAM');
        // §6.4: "RST_STREAM frames MUST NOT be sent for a stream in the "idle" state."
        if (f.streamId > this.#highestStream[f.streamId % 2]) this.#violation('§6.4', f, 'RST_STREAM on a stream no one has used (idle)');
        this.#sessionReset.add(f.streamId);
        break;
      case FrameType.GOAWAY:
        if (f.streamId !== 0) this.#violation('§6.8', f, 'GOAWAY on a stream');
        if (f.length >= 8 && goawayFields(f).code !== ErrorCode.NO_ERROR) this.#errorGoAway = f;
        break;
      case FrameType.PING:
        if (f.streamId !== 0) this.#violation('§6.7', f, 'PING on a stream');
        if (f.length !== 8) this.#violation('§6.7', f, 'PING without exactly 8 octets');
        break;
    }
    this.unread.push(f);
    return f;
  }

  #endBlock(): void {
    const block = this.#block!;
    this.#block = null;
    const bytes = concat(...block.fragments);
    try {
      block.frame.headers = this.decoder.decode(bytes);
    } catch (err) {
      this.#violation('§4.3', block.frame, `its field block does not decode (${(err as { code?: string }).code ?? ''} ${(err as Error).message}): ${hex(bytes)}`);
    }
    this.transcript.push(`    ${JSON.stringify(block.frame.headers)}`);
  }

  // ---------------------------------------------------------------- expectations

  /** Fails the test, with the end of the transcript. */
  fail(message: string): never {
    const tail = this.transcript.slice(-40).join('\n    ');
    assert.unreachable(`${message}\n  transcript (→ sent to the session, ← sent by it, · its events):\n    ${tail}`);
    throw new Error('unreachable');
  }

  #matches(f: ReceivedFrame, type: number, m: FrameMatch): boolean {
    if (f.type !== type) return false;
    if (m.streamId !== undefined && f.streamId !== m.streamId) return false;
    if (m.ack !== undefined && ((f.flags & Flag.ACK) !== 0) !== m.ack) return false;
    if (m.endStream !== undefined && ((f.flags & Flag.END_STREAM) !== 0) !== m.endStream) return false;
    if (m.endHeaders !== undefined && ((f.flags & Flag.END_HEADERS) !== 0) !== m.endHeaders) return false;
    return !m.where || m.where(f);
  }

  #describeMatch(type: number, m: FrameMatch): string {
    const parts = [frameTypeName(type)];
    if (m.streamId !== undefined) parts.push(`on stream ${m.streamId}`);
    if (m.ack !== undefined) parts.push(m.ack ? 'with ACK' : 'without ACK');
    if (m.endStream !== undefined) parts.push(m.endStream ? 'with END_STREAM' : 'without END_STREAM');
    if (m.where) parts.push('(matching the test)');
    return parts.join(' ');
  }

  /** The first unread frame of that type (and match) the session sent; it is taken. */
  wantFrame(type: number, match: FrameMatch = {}): ReceivedFrame {
    this.flush();
    const i = this.unread.findIndex((f) => this.#matches(f, type, match));
    if (i < 0) this.fail(`wanted ${this.#describeMatch(type, match)}; unread: [${this.unread.map(describeFrame).join(', ') || 'nothing'}]`);
    return this.unread.splice(i, 1)[0];
  }

  /** Like wantFrame, but undefined when there is none. */
  takeFrame(type: number, match: FrameMatch = {}): ReceivedFrame | undefined {
    this.flush();
    const i = this.unread.findIndex((f) => this.#matches(f, type, match));
    return i < 0 ? undefined : this.unread.splice(i, 1)[0];
  }

  /** All unread frames of that type (and match), taken. */
  takeFrames(type: number, match: FrameMatch = {}): ReceivedFrame[] {
    this.flush();
    const taken = this.unread.filter((f) => this.#matches(f, type, match));
    this.unread = this.unread.filter((f) => !taken.includes(f));
    return taken;
  }

  /** HEADERS on `streamId` (with its decoded field block). */
  wantHeaders(streamId: number, match: Omit<FrameMatch, 'streamId'> = {}): ReceivedFrame & { headers: Headers } {
    return this.wantFrame(FrameType.HEADERS, { ...match, streamId }) as ReceivedFrame & { headers: Headers };
  }

  /** DATA on `streamId` until one carries END_STREAM (or, with `untilEnd: false`, what there is); the octets. */
  readBody(streamId: number, options: { untilEnd?: boolean } = {}): { body: Uint8Array; frames: ReceivedFrame[]; ended: boolean } {
    const frames = this.takeFrames(FrameType.DATA, { streamId });
    const ended = frames.some((f) => f.flags & Flag.END_STREAM);
    if ((options.untilEnd ?? true) && !ended) this.fail(`wanted DATA on stream ${streamId} up to END_STREAM; got ${frames.map(describeFrame).join(', ') || 'none'}`);
    const body = concat(...frames.map((f) => {
      const pad = f.flags & Flag.PADDED ? f.payload[0] : 0;
      return f.payload.subarray(f.flags & Flag.PADDED ? 1 : 0, f.payload.length - pad);
    }));
    return { body, frames, ended };
  }

  /** GOAWAY with `code` (and `lastStreamId`: one value or the values allowed). */
  wantGoAway(code: number, options: { lastStreamId?: number | number[] } = {}): GoAwayFields & { frame: ReceivedFrame } {
    this.flush();
    const f = this.unread.find((x) => x.type === FrameType.GOAWAY);
    if (!f) this.fail(`wanted GOAWAY ${errorCodeName(code)}; unread: [${this.unread.map(describeFrame).join(', ') || 'nothing'}]`);
    this.unread.splice(this.unread.indexOf(f), 1);
    if (f.length < 8) this.fail(`GOAWAY shorter than 8 octets: ${describeFrame(f)}`);
    const g = goawayFields(f);
    if (g.code !== code) this.fail(`wanted GOAWAY ${errorCodeName(code)}, got ${describeFrame(f)}`);
    const allowed = options.lastStreamId === undefined ? undefined : ([] as number[]).concat(options.lastStreamId);
    if (allowed && !allowed.includes(g.lastStreamId)) this.fail(`wanted GOAWAY last stream id ${allowed.join(' or ')}, got ${describeFrame(f)}`);
    return { ...g, frame: f };
  }

  /** RST_STREAM on `streamId` with `code`. */
  wantRstStream(streamId: number, code: number): ReceivedFrame {
    this.flush();
    const f = this.unread.find((x) => x.type === FrameType.RST_STREAM && x.streamId === streamId);
    if (!f) this.fail(`wanted RST_STREAM ${errorCodeName(code)} on stream ${streamId}; unread: [${this.unread.map(describeFrame).join(', ') || 'nothing'}]`);
    this.unread.splice(this.unread.indexOf(f), 1);
    if (f.length !== 4) this.fail(`RST_STREAM not 4 octets: ${describeFrame(f)}`);
    if (rstCode(f) !== code) this.fail(`wanted RST_STREAM ${errorCodeName(code)} on stream ${streamId}, got ${describeFrame(f)}`);
    return f;
  }

  /** PING ACK echoing `payload` (§6.7). */
  wantPingAck(payload: ByteInput): ReceivedFrame {
    const want = toBytes(payload);
    const f = this.wantFrame(FrameType.PING, { ack: true, where: (x) => equalBytes(x.payload, want) });
    if (f.flags !== Flag.ACK) this.fail(`PING ACK with unused flags: ${describeFrame(f)}`);
    return f;
  }

  /**
   * A connection error (§5.4.1): GOAWAY with `code` (and the last stream id), the session's
   * `error` event with scope 'connection', and (unless `closed: false`) no answer afterwards,
   * even to a PING: the connection is finished.
   */
  wantConnectionError(code: number, options: { lastStreamId?: number | number[]; closed?: boolean } = {}): GoAwayFields {
    const g = this.wantGoAway(code, options);
    const e = this.events.find((x) => x.type === 'error' && x.scope === 'connection');
    if (!e) this.fail(`GOAWAY ${errorCodeName(code)} came, but no 'error' event with scope 'connection'`);
    if (e.code !== code) this.fail(`the connection 'error' event has code ${errorCodeName(e.code)}, wanted ${errorCodeName(code)}`);
    if (options.closed ?? true) {
      const before = this.events.length;
      this.writePing(Uint8Array.from([0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 1]));
      const after = this.flush();
      if (after.length) this.fail(`after a connection error the session still answers: ${after.map(describeFrame).join(', ')}`);
      const late = this.events.slice(before).filter((x) => x.type !== 'error');
      if (late.length) this.fail(`after a connection error the session still reports events: ${late.map(shortEvent).join(', ')}`);
    }
    return g;
  }

  /**
   * A stream error (§5.4.2): RST_STREAM on `streamId` with `code`, the session's `error` event
   * with scope 'stream', no GOAWAY, and the connection still answering a PING.
   */
  wantStreamError(streamId: number, code: number): ReceivedFrame {
    const f = this.wantRstStream(streamId, code);
    const goaway = this.received.find((x) => x.type === FrameType.GOAWAY);
    if (goaway) this.fail(`wanted only a stream error, but the session also sent ${describeFrame(goaway)}`);
    const e = this.events.find((x) => x.type === 'error' && x.scope === 'stream' && x.streamId === streamId);
    if (!e) this.fail(`RST_STREAM came, but no 'error' event with scope 'stream' for stream ${streamId}`);
    if (e.code !== code) this.fail(`the stream 'error' event has code ${errorCodeName(e.code)}, wanted ${errorCodeName(code)}`);
    this.wantAlive();
    return f;
  }

  /**
   * One of several errors the RFC allows (e.g. "stream error, or the connection error an
   * endpoint MAY escalate to"); returns the one that happened.
   */
  wantError(streamId: number, alternatives: ErrorAlternative[]): ErrorAlternative {
    this.flush();
    const goaway = this.unread.find((x) => x.type === FrameType.GOAWAY);
    const want = alternatives.map((a) => `${a.scope} error ${errorCodeName(a.code)}${a.scope === 'stream' ? ` on stream ${a.streamId ?? streamId}` : ''}`).join(' or ');
    if (goaway) {
      const g = goawayFields(goaway);
      const alt = alternatives.find((a) => a.scope === 'connection' && a.code === g.code);
      if (!alt) this.fail(`wanted ${want}; got ${describeFrame(goaway)}`);
      this.wantConnectionError(g.code);
      return alt;
    }
    const rst = this.unread.find((x) => x.type === FrameType.RST_STREAM);
    if (rst) {
      const alt = alternatives.find((a) => a.scope === 'stream' && (a.streamId ?? streamId) === rst.streamId && a.code === rstCode(rst));
      if (!alt) this.fail(`wanted ${want}; got ${describeFrame(rst)}`);
      this.wantStreamError(rst.streamId, alt.code);
      return alt;
    }
    this.fail(`wanted ${want}; unread: [${this.unread.map(describeFrame).join(', ') || 'nothing'}]`);
  }

  /** The connection is alive: a PING is answered with a PING ACK of the same payload. */
  wantAlive(): void {
    const payload = Uint8Array.from([0x70, 0x69, 0x6e, 0x67, 0, 0, (this.#pingSeq >> 8) & 0xff, this.#pingSeq++ & 0xff]);
    this.writePing(payload);
    this.wantPingAck(payload);
    const goaway = this.received.find((x) => x.type === FrameType.GOAWAY && goawayFields(x).code !== ErrorCode.NO_ERROR);
    if (goaway) this.fail(`the connection should be alive, but the session sent ${describeFrame(goaway)}`);
  }

  /** Nothing unread (frames of the `ignore` types aside). */
  wantNothing(options: { ignore?: number[] } = {}): void {
    this.flush();
    const left = this.unread.filter((f) => !(options.ignore ?? []).includes(f.type));
    if (left.length) this.fail(`wanted no (further) frames; got [${left.map(describeFrame).join(', ')}]`);
  }

  /** No GOAWAY, RST_STREAM or `error` event so far. */
  wantNoError(): void {
    this.flush();
    const bad = this.received.find((f) => f.type === FrameType.RST_STREAM || (f.type === FrameType.GOAWAY && goawayFields(f).code !== ErrorCode.NO_ERROR));
    if (bad) this.fail(`wanted no error; the session sent ${describeFrame(bad)}`);
    const e = this.events.find((x) => x.type === 'error');
    if (e) this.fail(`wanted no error; the session reported ${shortEvent(e)}`);
  }

  // ---------------------------------------------------------------- events

  eventsOf(type: string, where?: (e: SessionEvent) => boolean): SessionEvent[] {
    return this.events.filter((e) => e.type === type && (!where || where(e)));
  }

  /** The first event of that type (and predicate); fails when there is none. */
  event(type: string, where?: (e: SessionEvent) => boolean): SessionEvent {
    const e = this.events.find((x) => x.type === type && (!where || where(x)));
    if (!e) this.fail(`wanted a '${type}' event${where ? ' matching the test' : ''}; events: ${this.events.map((x) => x.type).join(', ') || 'none'}`);
    return e;
  }

  /** Fails when there is an event of that type (and predicate). */
  noEvent(type: string, where?: (e: SessionEvent) => boolean): void {
    const e = this.events.find((x) => x.type === type && (!where || where(x)));
    if (e) this.fail(`wanted no '${type}' event${where ? ' matching the test' : ''}; got ${shortEvent(e)}`);
  }

  /** The octets of all `data` events of a stream, in order. */
  bodyOf(streamId: number): Uint8Array {
    return concat(...this.eventsOf('data', (e) => e.streamId === streamId).map((e) => e.bytes as Uint8Array));
  }

  /** Drops what was read so far (frames and events), e.g. after a handshake. */
  forget(): void {
    this.flush();
    this.unread = [];
    this.events.length = 0;
  }
}

/** Plays an HTTP/2 client against a server Session. */
export class ScriptedClient extends ScriptedPeer {
  /** Sends the client connection preface (magic + SETTINGS) unless `preface: false`. */
  constructor(session: SessionLike, options: PeerOptions = {}) {
    super(session, 'client', options);
    if (options.preface ?? true) {
      const pairs = options.settings ?? [];
      this.writeRaw(CLIENT_PREFACE, 'client connection preface (24 octets)');
      this.writeSettings(pairs);
    }
  }

  /**
   * §3.4: the server's preface SETTINGS (its first frame) arrives, we acknowledge it, and
   * the server acknowledges ours. Frames and events read so far are dropped afterwards.
   */
  handshake(): this {
    const s = this.wantFrame(FrameType.SETTINGS, { ack: false });
    if (s.index !== 0) this.fail(`RFC 9113 §3.4: the server's first frame MUST be SETTINGS; it sent ${describeFrame(this.received[0])} first`);
    this.writeSettingsAck();
    this.wantFrame(FrameType.SETTINGS, { ack: true });
    this.forget();
    return this;
  }
}

/** Plays an HTTP/2 server against a client Session. */
export class ScriptedServer extends ScriptedPeer {
  /** Reads what the client sent and sends our preface SETTINGS, unless `preface: false`. */
  constructor(session: SessionLike, options: PeerOptions = {}) {
    super(session, 'server', options);
    if (options.preface ?? true) this.writeSettings(options.settings ?? []);
  }

  /** §3.4: the client's preface SETTINGS arrives, we acknowledge it; it acknowledges ours. */
  handshake(): this {
    const s = this.wantFrame(FrameType.SETTINGS, { ack: false });
    if (s.index !== 0) this.fail(`RFC 9113 §3.4: the client's preface MUST be followed by SETTINGS; it sent ${describeFrame(this.received[0])} first`);
    this.writeSettingsAck();
    this.wantFrame(FrameType.SETTINGS, { ack: true });
    this.forget();
    return this;
  }
}

// ---------------------------------------------------------------- sessions for the tests

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type SessionOptions = Record<string, any>;

const live: Array<{ destroy?: () => void }> = [];

/** A Session of the core, remembered so that `destroySessions` can free it. */
export function newSession(options: SessionOptions): Session {
  const s = new Session(options as ConstructorParameters<typeof Session>[0]);
  live.push(s as unknown as { destroy?: () => void });
  return s;
}

/** Frees every Session made by `newSession` (for `test.after.each`). */
export function destroySessions(): void {
  for (const s of live.splice(0)) {
    try {
      s.destroy?.();
    } catch {
      // already destroyed
    }
  }
}

/** A server Session and a ScriptedClient after the whole handshake (unless `handshake: false`). */
export function connectServer(options: { server?: SessionOptions; peer?: PeerOptions; handshake?: boolean } = {}): { server: Session; peer: ScriptedClient } {
  const server = newSession({ ...options.server, role: 'server' });
  const peer = new ScriptedClient(server as unknown as SessionLike, options.peer);
  if (options.handshake ?? true) peer.handshake();
  return { server, peer };
}

/** A client Session and a ScriptedServer after the whole handshake (unless `handshake: false`). */
export function connectClient(options: { client?: SessionOptions; peer?: PeerOptions; handshake?: boolean } = {}): { client: Session; peer: ScriptedServer } {
  const client = newSession({ ...options.client, role: 'client' });
  const peer = new ScriptedServer(client as unknown as SessionLike, options.peer);
  if (options.handshake ?? true) peer.handshake();
  return { client, peer };
}
