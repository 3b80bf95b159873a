// One HTTP/2 connection, sans-IO (RFC 9113): bytes in (`recv`) become event records; calls in
// (`submit*`) become frames in the output buffer; `pull` adds DATA as flow control allows.
// Peer input never traps: a stream error queues RST_STREAM, a connection error queues GOAWAY
// and stops processing. Pointers handed out (events, header records, output) stay valid until
// the next call into this session.
import * as abi from '../abi';
import {
  FrameType, Flag, ErrorCode, SettingId, FRAME_HEADER_LENGTH, MAX_WINDOW, DEFAULT_WINDOW, MAX_STREAM_ID,
} from '../frame/types';
import { load32, load16, store32, store16, writeFrameHeader } from '../common/bytes';
import { growBuffer, grownCapacity } from '../common/memory';
import { setResult } from '../common/result';
import { HpackDecoder } from '../hpack/decoder';
import { HpackEncoder } from '../hpack/encoder';
import { Settings, settingError, UNLIMITED } from './settings';
import {
  Stream, StreamStore, S_LOCAL, S_HEADERS_RECV, S_FINAL_RECV, S_TRAILERS_RECV, S_END_QUEUED, S_FINAL_SENT,
  S_HEAD, S_IGNORED, S_CONNECT, S_READY, S_TRAILERS_QUEUED, S_NO_BODY, S_PENDING_OPEN, S_END_ON_HEADERS, S_SEND_NO_BODY,
  CLOSED_NOT, CLOSED_RST_SENT, CLOSED_RST_RECV, CLOSED_END_STREAM,
} from './store';
import {
  transition, nextState, effectOf, EFFECT_OK, EFFECT_IGNORE, EFFECT_LOCAL_ERROR, EFFECT_STREAM_CLOSED,
  EFFECT_PROTOCOL_ERROR, EFFECT_CLOSED_CHECK, INPUT_SEND_HEADERS, INPUT_SEND_PUSH_PROMISE, INPUT_SEND_DATA,
  INPUT_SEND_END_STREAM, INPUT_SEND_RST_STREAM, INPUT_RECV_HEADERS, INPUT_RECV_PUSH_PROMISE, INPUT_RECV_DATA,
  INPUT_RECV_END_STREAM, INPUT_RECV_RST_STREAM, INPUT_RECV_WINDOW_UPDATE,
} from './stream-fsm';
import { windowFits, windowUpdateDue } from './flow';
import { Scheduler } from './scheduler';
import {
  checkMessage, BLOCK_REQUEST, BLOCK_RESPONSE, BLOCK_TRAILERS, BLOCK_PUSH_REQUEST,
  messageStatus, messageContentLength, messageIsHead, messageIsConnect,
} from './message';

const EVENT_BYTES: usize = <usize>abi.H2_EVENT_WORDS << 2;
const RECORD_BYTES: usize = <usize>abi.HPACK_RECORD_WORDS << 2;
const PREFACE_LENGTH: u32 = 24; // "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" (RFC 9113 §3.4)
const PREFACE: usize = memory.data<u8>([
  0x50, 0x52, 0x49, 0x20, 0x2a, 0x20, 0x48, 0x54, 0x54, 0x50, 0x2f, 0x32, 0x2e, 0x30, 0x0d, 0x0a,
  0x0d, 0x0a, 0x53, 0x4d, 0x0d, 0x0a, 0x0d, 0x0a,
]);
// The payload of the PING that closes a graceful shutdown's first GOAWAY (RFC 9113 §6.8).
const GRACEFUL_PING: u64 = 0x68327761736d6721; // "h2wasmg!"
const PENDING_SETTINGS_MAX: u32 = 16;
const KEEP_CLOSED: u32 = 128; // closed streams remembered for judging late frames
const DATA_PER_PULL: u64 = 1 << 20; // bounds one gather write

// Block kinds being assembled across HEADERS/PUSH_PROMISE + CONTINUATION.
const ASSEMBLY_NONE: u32 = 0;
const ASSEMBLY_HEADERS: u32 = 1;
const ASSEMBLY_PUSH: u32 = 2;

@unmanaged
export class Session {
  isServer: bool;
  dead: bool = false; // a connection error happened: input is ignored
  started: bool = false; // the preface has been queued
  prefaceLeft: u32 = 0; // server: client magic octets still expected
  settingsFirst: bool = true; // the peer's first frame must be SETTINGS
  now: f64 = 0;

  local: Settings; // acknowledged by the peer
  sent: Settings; // the latest we sent (what the peer will apply)
  remote: Settings;
  pendingSettings: usize; // ring of Settings snapshots awaiting ACK
  pendingFirst: u32 = 0;
  pendingCount: u32 = 0;

  decoder: HpackDecoder;
  encoder: HpackEncoder;
  streams: StreamStore;
  scheduler: Scheduler;

  // Connection flow control.
  sendWindow: i64 = DEFAULT_WINDOW;
  recvWindow: i64 = DEFAULT_WINDOW; // octets the peer may still send
  recvTarget: u32 = <u32>DEFAULT_WINDOW; // the connection window we keep offering
  recvUnacked: u32 = 0;

  // Stream ids.
  nextLocalId: u32;
  lastPeerId: u32 = 0; // highest stream id the peer opened
  lastPushId: u32 = 0; // client: highest promised id
  localOpen: u32 = 0; // streams we opened that count toward the peer's MAX_CONCURRENT_STREAMS
  pendingHead: usize = 0; // our requests waiting for the peer's limit (§5.1.2), in id order
  pendingTail: usize = 0;
  peerOpen: u32 = 0; // streams the peer opened that count toward ours
  reserved: u32 = 0; // streams in a reserved state (pushes promised either way)

  // GOAWAY.
  goawaySent: bool = false;
  goawayLastId: u32 = MAX_STREAM_ID; // ours: peer streams above it are ignored
  goawayReceived: bool = false;
  goawayPeerLastId: u32 = MAX_STREAM_ID;
  gracefulPending: bool = false;

  // Field block assembly (HEADERS/PUSH_PROMISE then CONTINUATION, RFC 9113 §4.3, §6.10).
  assembly: u32 = ASSEMBLY_NONE;
  assemblyStream: u32 = 0;
  assemblyPromised: u32 = 0;
  assemblyEndStream: bool = false;
  assemblyRefused: u32 = 0; // a promise over the limits: its RST_STREAM code once its block is decoded
  assemblySelfDependent: bool = false; // the HEADERS named its own stream as dependency
  continuations: u32 = 0;

  // Limits (DESIGN.md defaults).
  maxContinuations: u32 = 8;
  resetBurst: f64 = 1000;
  resetRate: f64 = 33;
  glitchBurst: f64 = 1000;
  glitchRate: f64 = 33;
  maxQueuedAcks: u32 = 1000;
  maxSettingsEntries: u32 = 32;
  maxQueuedFrames: u32 = 10000;
  maxSessionMemory: u64 = 10_000_000;
  maxReservedRemote: u32 = 0xffffffff;
  paddingStrategy: i32 = abi.PADDING_NONE;
  encoderCap: u32 = 4096; // the largest HPACK table our encoder uses, whatever the peer allows
  remoteSettingsSeen: bool = false;
  framesReceived: f64 = 0; // counters for diagnostics (node:http2's performance entries)
  framesSent: f64 = 0;
  resetTokens: f64 = 1000;
  resetTime: f64 = -1;
  glitchTokens: f64 = 1000;
  glitchTime: f64 = -1;
  queuedAcks: u32 = 0;
  queuedFrames: u32 = 0;
  receiving: bool = false; // inside recv: frames queued now are the peer's doing
  sink: usize = 0; // where frames written after a connection error go (never sent)
  sinkCap: usize = 0;

  // Buffers.
  input: usize = 0;
  inputCap: usize = 0;
  inputStart: usize = 0; // offset of unparsed octets
  inputLength: usize = 0;
  events: usize = 0;
  eventsCap: usize = 0;
  eventCount: u32 = 0;
  hdrRecords: usize = 0;
  hdrRecordsCap: usize = 0;
  hdrCount: u32 = 0;
  hdrBytes: usize = 0;
  hdrBytesCap: usize = 0;
  hdrLength: usize = 0;
  hdrHigh: bool = false; // some header octet is above 0x7f
  out: usize = 0;
  outCap: usize = 0;
  outLength: usize = 0;
  segs: usize = 0; // (output offset, stream id, length) per body slice
  segsCap: usize = 0;
  segCount: u32 = 0;
  scratch: usize = 0;
  scratchCap: usize = 0;
  snaps: usize = 0; // settings as each SETTINGS event saw them (8 u32 values each)
  snapsCap: usize = 0;
  snapCount: u32 = 0;

  constructor(isServer: bool, firstStreamId: u32) {
    this.isServer = isServer;
    this.prefaceLeft = isServer ? PREFACE_LENGTH : 0;
    this.nextLocalId = isServer ? 2 : (firstStreamId | 1);
    this.local = new Settings();
    this.sent = new Settings();
    this.remote = new Settings();
    this.pendingSettings = heap.alloc(<usize>PENDING_SETTINGS_MAX * offsetof<Settings>());
    this.decoder = new HpackDecoder(4096, 65536, 128, 65536);
    this.encoder = new HpackEncoder(4096, abi.HPACK_HUFFMAN_AUTO, abi.HPACK_INDEXING_AUTO);
    this.streams = new StreamStore();
    this.scheduler = new Scheduler();
    this.sent.maxConcurrentStreams = 100; // DESIGN.md's default, advertised in the preface
  }

  dispose(): void {
    heap.free(changetype<usize>(this.local));
    heap.free(changetype<usize>(this.sent));
    heap.free(changetype<usize>(this.remote));
    heap.free(this.pendingSettings);
    this.decoder.dispose();
    heap.free(changetype<usize>(this.decoder));
    this.encoder.dispose();
    heap.free(changetype<usize>(this.encoder));
    this.streams.dispose();
    heap.free(changetype<usize>(this.streams));
    this.scheduler.dispose();
    heap.free(changetype<usize>(this.scheduler));
    if (this.input) heap.free(this.input);
    if (this.events) heap.free(this.events);
    if (this.hdrRecords) heap.free(this.hdrRecords);
    if (this.hdrBytes) heap.free(this.hdrBytes);
    if (this.out) heap.free(this.out);
    if (this.segs) heap.free(this.segs);
    if (this.scratch) heap.free(this.scratch);
    if (this.snaps) heap.free(this.snaps);
    if (this.sink) heap.free(this.sink);
  }

  /** Records the values of `settings` now; returns their index for the event. */
  private snapshot(settings: Settings): u32 {
    const need = (<usize>this.snapCount + 1) * 32;
    if (need > this.snapsCap) {
      this.snaps = growBuffer(this.snaps, this.snapsCap, need << 1, <usize>this.snapCount * 32);
      this.snapsCap = need << 1;
    }
    const q = this.snaps + <usize>this.snapCount * 32;
    store<u32>(q, settings.headerTableSize);
    store<u32>(q, settings.enablePush, 4);
    store<u32>(q, settings.maxConcurrentStreams, 8);
    store<u32>(q, settings.initialWindowSize, 12);
    store<u32>(q, settings.maxFrameSize, 16);
    store<u32>(q, settings.maxHeaderListSize, 20);
    store<u32>(q, settings.enableConnectProtocol, 24);
    store<u32>(q, settings.noRfc7540Priorities, 28);
    return this.snapCount++;
  }

  // ------------------------------------------------------------------ configuration

  setLimit(id: i32, value: u32): void {
    switch (id) {
      case abi.L_MAX_HEADER_LIST_SIZE: this.decoder.maxListSize = value; break;
      case abi.L_MAX_HEADER_LIST_PAIRS: this.decoder.maxPairs = value; break;
      case abi.L_MAX_HEADER_FIELD_SIZE: this.decoder.maxFieldSize = value; break;
      case abi.L_MAX_CONTINUATIONS: this.maxContinuations = value; break;
      case abi.L_RESET_BURST: this.resetBurst = value; this.resetTokens = value; break;
      case abi.L_RESET_RATE: this.resetRate = value; break;
      case abi.L_GLITCH_BURST: this.glitchBurst = value; this.glitchTokens = value; break;
      case abi.L_GLITCH_RATE: this.glitchRate = value; break;
      case abi.L_MAX_QUEUED_ACKS: this.maxQueuedAcks = value; break;
      case abi.L_MAX_SETTINGS_ENTRIES: this.maxSettingsEntries = value; break;
      case abi.L_MAX_QUEUED_FRAMES: this.maxQueuedFrames = value; break;
      case abi.L_MAX_SESSION_MEMORY: this.maxSessionMemory = value; break;
      case abi.L_CONNECTION_WINDOW: this.setLocalWindow(value); break;
      case abi.L_ENCODER_TABLE_SIZE:
        this.encoderCap = value < 4096 ? value : 4096;
        this.encoder.setMaxTableSize(this.encoderCap);
        break;
      case abi.L_PADDING_STRATEGY: this.paddingStrategy = <i32>value; break;
      case abi.L_PEER_MAX_CONCURRENT_STREAMS: this.remote.maxConcurrentStreams = value; break;
      case abi.L_MAX_RESERVED_REMOTE_STREAMS: this.maxReservedRemote = value; break;
    }
  }

  /** A setting for the preface SETTINGS frame (before the first pull). */
  setInitialSetting(id: u32, value: u32): void {
    this.sent.set(id, value);
  }

  // ------------------------------------------------------------------ buffers

  inputPtr(n: usize): usize {
    if (this.inputStart) {
      memory.copy(this.input, this.input + this.inputStart, this.inputLength);
      this.inputStart = 0;
    }
    const need = this.inputLength + n;
    if (need > this.inputCap) {
      this.input = growBuffer(this.input, this.inputCap, need, this.inputLength);
      this.inputCap = grownCapacity(this.inputCap, need);
    }
    return this.input + this.inputLength;
  }

  /** Octets of an incomplete frame held from earlier input (their address in the result slot). */
  pendingInput(): u32 {
    setResult(0, <u32>(this.input + this.inputStart));
    return <u32>this.inputLength;
  }

  scratchPtr(n: usize): usize {
    if (n > this.scratchCap) {
      this.scratch = growBuffer(this.scratch, this.scratchCap, n, this.scratchCap);
      this.scratchCap = grownCapacity(this.scratchCap, n);
    }
    return this.scratch;
  }

  private event(kind: i32, flags: i32, streamId: u32, a: u32, b: u32, c: u32, d: u32): void {
    const need = (<usize>this.eventCount + 1) * EVENT_BYTES;
    if (need > this.eventsCap) {
      this.events = growBuffer(this.events, this.eventsCap, need << 1, <usize>this.eventCount * EVENT_BYTES);
      this.eventsCap = need << 1;
    }
    const e = this.events + <usize>this.eventCount * EVENT_BYTES;
    store<u32>(e, kind);
    store<u32>(e, flags, 4);
    store<u32>(e, streamId, 8);
    store<u32>(e, a, 12);
    store<u32>(e, b, 16);
    store<u32>(e, c, 20);
    store<u32>(e, d, 24);
    store<u32>(e, 0, 28);
    this.eventCount++;
  }

  private ensureOut(n: usize): void {
    const need = this.outLength + n;
    if (need > this.outCap) {
      this.out = growBuffer(this.out, this.outCap, need, this.outLength);
      this.outCap = grownCapacity(this.outCap, need);
    }
  }

  /**
   * Appends a frame header with room for `length` payload octets; returns the payload pointer.
   * After a connection error only the GOAWAY goes out: other frames land in a scratch sink.
   * Frames the peer makes us queue while receiving are counted, and the limit is enforced
   * between frames (never here, where a caller still holds the payload pointer).
   */
  private frame(type: u8, flags: u8, streamId: u32, length: u32): usize {
    if (this.dead && type != FrameType.GOAWAY) {
      this.sink = growBuffer(this.sink, this.sinkCap, <usize>length + 16, 0);
      this.sinkCap = grownCapacity(this.sinkCap, <usize>length + 16);
      return this.sink;
    }
    this.ensureOut(<usize>FRAME_HEADER_LENGTH + length);
    this.framesSent++;
    const p = writeFrameHeader(this.out + this.outLength, length, type, flags, streamId);
    this.outLength += <usize>FRAME_HEADER_LENGTH + length;
    if (this.receiving) this.queuedFrames++;
    return p;
  }

  // ------------------------------------------------------------------ errors and limits

  /** RFC 9113 §5.4.1: GOAWAY with the last stream we processed, then stop reading. */
  connectionError(code: u32, reason: i32): void {
    if (this.dead) return;
    this.dead = true;
    this.assembly = ASSEMBLY_NONE;
    const last = this.lastPeerId < this.goawayLastId ? this.lastPeerId : this.goawayLastId;
    this.writeGoaway(code, last, 0, 0);
    this.event(abi.EV_ERROR, abi.EVF_CONNECTION, 0, code, reason, 0, 0);
  }

  /** RFC 9113 §5.4.2: RST_STREAM for one stream; the connection goes on. */
  private streamError(id: u32, s: Stream | null, code: u32, reason: i32): void {
    this.writeRst(id, code);
    if (s) this.close(s, CLOSED_RST_SENT);
    this.event(abi.EV_ERROR, 0, id, code, reason, 0, 0);
    this.glitch();
  }

  private refill(tokens: f64, time: f64, burst: f64, rate: f64): f64 {
    if (time < 0 || this.now <= time) return tokens;
    const t = tokens + (this.now - time) * rate / 1000;
    return t < burst ? t : burst;
  }

  /** Charges one peer-induced error to the glitch bucket (DESIGN.md limits). */
  private glitch(): void {
    this.glitchTokens = this.refill(this.glitchTokens, this.glitchTime, this.glitchBurst, this.glitchRate);
    this.glitchTime = this.now;
    this.glitchTokens -= 1;
    if (this.glitchTokens < 0) this.connectionError(ErrorCode.ENHANCE_YOUR_CALM, abi.R_GLITCHES);
  }

  /** Counts a queued PING/SETTINGS acknowledgement; a peer that never reads gets cut off. */
  private ack(): bool {
    this.queuedAcks++;
    if (this.queuedAcks > this.maxQueuedAcks) {
      this.connectionError(ErrorCode.ENHANCE_YOUR_CALM, abi.R_ACK_FLOOD);
      return false;
    }
    return true;
  }

  memoryUse(): u64 {
    return <u64>(this.inputCap + this.eventsCap + this.hdrRecordsCap + this.hdrBytesCap + this.outCap +
      this.segsCap + this.scratchCap) + <u64>this.streams.count * offsetof<Stream>() +
      <u64>this.decoder.arenaCap + <u64>this.decoder.table.dataCap + <u64>this.encoder.table.dataCap;
  }

  // ------------------------------------------------------------------ stream bookkeeping

  private counts(s: Stream): bool {
    const st = s.state;
    return st == abi.STREAM_OPEN || st == abi.STREAM_HALF_CLOSED_LOCAL || st == abi.STREAM_HALF_CLOSED_REMOTE;
  }

  /** Moves `s` to `state`, keeping the concurrency counts (RFC 9113 §5.1.2). */
  private setState(s: Stream, state: u32): void {
    const before = this.counts(s);
    const wasReserved = s.state == abi.STREAM_RESERVED_LOCAL || s.state == abi.STREAM_RESERVED_REMOTE;
    const isReserved = state == abi.STREAM_RESERVED_LOCAL || state == abi.STREAM_RESERVED_REMOTE;
    if (wasReserved != isReserved) { if (isReserved) this.reserved++; else this.reserved--; }
    s.state = state;
    const after = this.counts(s);
    if (before != after) {
      const local = (s.flags & S_LOCAL) != 0;
      if (after) { if (local) this.localOpen++; else this.peerOpen++; }
      else { if (local) this.localOpen--; else this.peerOpen--; }
    }
  }

  private close(s: Stream, how: u32): void {
    if (s.state == abi.STREAM_CLOSED) return;
    if (s.flags & S_PENDING_OPEN) this.unqueue(s);
    this.setState(s, abi.STREAM_CLOSED);
    s.closedBy = how;
    this.scheduler.remove(s);
    s.pending = 0;
    // Octets the application has not consumed yet would otherwise shrink the connection window
    // for good if it never does; its later consume() of them credits nothing twice.
    if (s.held && !this.dead) this.creditConnection(s.held);
    s.held = 0;
    this.streams.closed(s, KEEP_CLOSED);
  }

  /** Applies an FSM input to a stream that exists; returns the effect. */
  private apply(s: Stream, input: u32): u32 {
    const t = transition(s.state, input);
    const effect = effectOf(t);
    if (effect == EFFECT_OK) {
      const next = nextState(t);
      if (next != s.state) {
        if (next == abi.STREAM_CLOSED) {
          const how = input == INPUT_SEND_RST_STREAM ? CLOSED_RST_SENT
            : input == INPUT_RECV_RST_STREAM ? CLOSED_RST_RECV : CLOSED_END_STREAM;
          this.close(s, how);
        } else this.setState(s, next);
      }
    }
    return effect;
  }

  private isPeerId(id: u32): bool {
    return ((id & 1) == 1) == this.isServer;
  }

  /** A stream id the map no longer (or never) held: idle or long closed. */
  private unknownIsIdle(id: u32): bool {
    if (this.isPeerId(id)) return id > this.lastPeerId && !(!this.isServer && id <= this.lastPushId);
    return id >= this.nextLocalId;
  }

  // ------------------------------------------------------------------ receiving

  /** Parses the pending input plus `n` new octets. Returns octets consumed (all, unless a frame is incomplete). */
  recv(n: usize, now: f64): i32 {
    this.now = now;
    if (!this.started) this.start(); // our preface goes before any answer (§3.4)
    this.eventCount = 0;
    this.snapCount = 0;
    this.hdrCount = 0;
    this.hdrLength = 0;
    this.hdrHigh = false;
    const begin = this.input + this.inputStart;
    const end = begin + this.inputLength + n;
    let p = begin;
    if (this.dead) {
      this.inputStart = 0;
      this.inputLength = 0;
      this.results();
      return <i32>n;
    }
    // RFC 9113 §3.4: the client's magic, octet by octet as it arrives.
    while (this.prefaceLeft && p < end) {
      if (load<u8>(p) != load<u8>(PREFACE + <usize>(PREFACE_LENGTH - this.prefaceLeft))) {
        this.connectionError(ErrorCode.PROTOCOL_ERROR, abi.R_BAD_PREFACE);
        this.results();
        return <i32>n;
      }
      p++;
      this.prefaceLeft--;
    }
    while (!this.dead && !this.prefaceLeft) {
      if (end - p < <usize>FRAME_HEADER_LENGTH) break;
      const length = (<u32>load<u8>(p) << 16) | (<u32>load<u8>(p + 1) << 8) | <u32>load<u8>(p + 2);
      const type = load<u8>(p + 3);
      const flags = load<u8>(p + 4);
      const id = load32(p + 5) & 0x7fffffff; // the reserved bit is ignored (§4.1)
      // §4.2: nothing above the largest SETTINGS_MAX_FRAME_SIZE we have offered.
      const maxFrame = this.local.maxFrameSize > this.sent.maxFrameSize ? this.local.maxFrameSize : this.sent.maxFrameSize;
      if (length > maxFrame) {
        this.connectionError(ErrorCode.FRAME_SIZE_ERROR, abi.R_FRAME_SIZE);
        break;
      }
      if (end - p - <usize>FRAME_HEADER_LENGTH < <usize>length) break;
      const payload = p + <usize>FRAME_HEADER_LENGTH;
      p = payload + <usize>length;
      if (this.settingsFirst) {
        // §3.4: the peer's preface ends with a SETTINGS frame.
        if (type != FrameType.SETTINGS || (flags & Flag.ACK)) {
          this.connectionError(ErrorCode.PROTOCOL_ERROR, abi.R_FIRST_NOT_SETTINGS);
          break;
        }
        this.settingsFirst = false;
      }
      if (this.assembly != ASSEMBLY_NONE && type != FrameType.CONTINUATION) {
        // §6.10: a field block is contiguous; nothing may interleave.
        this.connectionError(ErrorCode.PROTOCOL_ERROR, abi.R_CONTINUATION);
        break;
      }
      this.receiving = true;
      this.frameIn(type, flags, id, payload, length);
      this.receiving = false;
      // A peer that makes us queue frames faster than we are pulled (acks, resets, WINDOW_UPDATEs
      // while it does not read) is cut off before memory grows without bound.
      if (this.queuedFrames > this.maxQueuedFrames) this.connectionError(ErrorCode.ENHANCE_YOUR_CALM, abi.R_OUTBOUND_QUEUE);
    }
    if (this.dead) {
      this.inputStart = 0;
      this.inputLength = 0;
      this.results();
      return <i32>n;
    }
    this.inputStart = p - this.input;
    this.inputLength = end - p;
    this.results();
    return <i32>n;
  }

  /** Leaves what JS reads after `recv` in the result slot (one call instead of five). */
  private results(): void {
    setResult(0, this.eventCount);
    setResult(1, <u32>this.events);
    setResult(2, <u32>this.hdrRecords);
    setResult(3, <u32>this.hdrBytes);
    setResult(4, this.hdrHigh ? 0xffffffff : <u32>this.hdrLength);
    setResult(5, <u32>this.snaps);
  }

  private frameIn(type: u8, flags: u8, id: u32, p: usize, length: u32): void {
    this.framesReceived++;
    switch (type) {
      case FrameType.DATA: this.recvData(flags, id, p, length); break;
      case FrameType.HEADERS: this.recvHeaders(flags, id, p, length); break;
      case FrameType.PRIORITY: this.recvPriority(id, p, length); break;
      case FrameType.RST_STREAM: this.recvRstStream(id, p, length); break;
      case FrameType.SETTINGS: this.recvSettings(flags, id, p, length); break;
      case FrameType.PUSH_PROMISE: this.recvPushPromise(flags, id, p, length); break;
      case FrameType.PING: this.recvPing(flags, id, p, length); break;
      case FrameType.GOAWAY: this.recvGoaway(id, p, length); break;
      case FrameType.WINDOW_UPDATE: this.recvWindowUpdate(id, p, length); break;
      case FrameType.CONTINUATION: this.recvContinuation(flags, id, p, length); break;
      case FrameType.ALTSVC: this.recvAltsvc(id, p, length); break;
      case FrameType.ORIGIN: this.recvOrigin(flags, id, p, length); break;
      case FrameType.PRIORITY_UPDATE: this.recvPriorityUpdate(id, p, length); break;
      default:
        // §5.5: unknown frame types are ignored (and reported).
        this.event(abi.EV_UNKNOWN_FRAME, 0, id, type, flags, <u32>p, length);
    }
  }

  /**
   * Octets of padding overhead (§6.1, §6.2): the Pad Length octet plus the padding, 0 when not
   * PADDED, or −1 when the padding would cover the whole payload.
   */
  private padding(flags: u8, p: usize, length: u32): i32 {
    if (!(flags & Flag.PADDED)) return 0;
    if (length < 1) return -1;
    const pad = <u32>load<u8>(p);
    if (pad >= length) return -1;
    return <i32>pad + 1;
  }

  // ---------------------------------------------------------------- DATA (§6.1)

  private recvData(flags: u8, id: u32, p: usize, length: u32): void {
    if (id == 0) { this.connectionError(ErrorCode.PROTOCOL_ERROR, abi.R_BAD_STREAM_ID); return; }
    const pad = this.padding(flags, p, length);
    if (pad < 0) { this.connectionError(ErrorCode.PROTOCOL_ERROR, abi.R_PADDING); return; }
    // §6.9.1: the whole frame counts against both windows, padding included.
    if (<i64>length > this.recvWindow) { this.connectionError(ErrorCode.FLOW_CONTROL_ERROR, abi.R_FLOW_CONTROL); return; }
    this.recvWindow -= length;
    const s = this.streams.get(id);
    const endStream = (flags & Flag.END_STREAM) != 0;
    if (!s || s.state == abi.STREAM_CLOSED) {
      this.giveBack(length); // nobody will consume it
      if (!s) {
        if (this.unknownIsIdle(id)) this.connectionError(ErrorCode.PROTOCOL_ERROR, abi.R_STREAM_STATE);
        else this.streamError(id, null, ErrorCode.STREAM_CLOSED, abi.R_CLOSED_STREAM);
        return;
      }
      this.lateFrame(s, id);
      return;
    }
    const effect = this.apply(s, INPUT_RECV_DATA);
    if (effect != EFFECT_OK) { this.giveBack(length); this.badEffect(effect, s, id); return; }
    if (!(s.flags & S_FINAL_RECV)) {
      // §8.1: content before the (final) response header section is malformed.
      this.giveBack(length);
      this.streamError(id, s, ErrorCode.PROTOCOL_ERROR, abi.R_MALFORMED);
      return;
    }
    if (<i64>length > s.recvWindow) {
      this.giveBack(length);
      this.streamError(id, s, ErrorCode.FLOW_CONTROL_ERROR, abi.R_FLOW_CONTROL);
      return;
    }
    s.recvWindow -= length;
    const dataLength = length - <u32>pad;
    const data = p + ((flags & Flag.PADDED) ? 1 : 0);
    if (pad) this.creditStream(s, <u32>pad); // padding: consumed at once
    // §8.1.1: content-length must match the DATA received.
    s.received += dataLength;
    if ((s.flags & S_NO_BODY) && dataLength) {
      this.giveBack(dataLength);
      this.streamError(id, s, ErrorCode.PROTOCOL_ERROR, abi.R_CONTENT_LENGTH);
      return;
    }
    if (s.contentLength >= 0 && (s.received > s.contentLength || (endStream && s.received != s.contentLength))) {
      this.giveBack(dataLength);
      this.streamError(id, s, ErrorCode.PROTOCOL_ERROR, abi.R_CONTENT_LENGTH);
      return;
    }
    if (!dataLength && !endStream) this.glitch(); // empty DATA frames do nothing useful
    if (s.flags & S_IGNORED) this.creditStream(s, dataLength);
    else if (dataLength || endStream) {
      s.held += dataLength;
      this.event(abi.EV_DATA, endStream ? abi.EVF_END_STREAM : 0, id, <u32>data, dataLength, 0, 0);
    }
    if (endStream) this.remoteEnded(s);
  }

  /** The peer's END_STREAM arrived on `s`. */
  private remoteEnded(s: Stream): void {
    const id = s.id;
    const ignored = (s.flags & S_IGNORED) != 0;
    this.apply(s, INPUT_RECV_END_STREAM);
    if (!ignored) this.event(abi.EV_STREAM_END, 0, id, 0, 0, 0, 0);
  }

  /** Credits the connection window for octets no application will consume. */
  private giveBack(n: u32): void {
    this.creditConnection(n);
  }

  private connectionUpdate(): void {
    if (this.dead) return; // nothing follows a GOAWAY for an error (§5.4.1)
    const due = windowUpdateDue(this.recvUnacked, this.recvTarget);
    if (due) {
      this.recvUnacked = 0;
      this.recvWindow += due;
      store32(this.frame(FrameType.WINDOW_UPDATE, 0, 0, 4), due);
    }
  }

  /** `n` octets of `s` are done with: both windows may reopen (§6.9). */
  private creditStream(s: Stream, n: u32): void {
    if (this.dead) return;
    this.creditConnection(n);
    if (s.state == abi.STREAM_CLOSED || s.state == abi.STREAM_HALF_CLOSED_REMOTE) return;
    // Never credit more than the stream received and has not had back (§6.9.1).
    const outstanding = <i64>this.sent.initialWindowSize - s.recvWindow - <i64>s.recvUnacked;
    if (<i64>n > outstanding) n = outstanding > 0 ? <u32>outstanding : 0;
    s.recvUnacked += n;
    const due = windowUpdateDue(s.recvUnacked, this.sent.initialWindowSize);
    if (due) {
      s.recvUnacked = 0;
      s.recvWindow += due;
      store32(this.frame(FrameType.WINDOW_UPDATE, 0, s.id, 4), due);
    }
  }

  consume(id: u32, n: u32): void {
    if (this.dead) return;
    const s = this.streams.get(id);
    if (!s) return; // forgotten: what it held was credited when it closed
    if (n > s.held) n = s.held; // never more than was handed over and not yet consumed
    if (!n) return;
    s.held -= n;
    this.creditStream(s, n);
  }

  /** Gives back `n` consumed octets of the connection window, never more than are out. */
  private creditConnection(n: u32): void {
    const outstanding = <i64>this.recvTarget - this.recvWindow - <i64>this.recvUnacked;
    if (<i64>n > outstanding) n = outstanding > 0 ? <u32>outstanding : 0;
    this.recvUnacked += n;
    this.connectionUpdate();
  }

  /** Sets the connection receive window to `n` (Node's setLocalWindowSize). */
  setLocalWindow(n: u32): void {
    if (this.dead) return;
    if (<i64>n > MAX_WINDOW) n = <u32>MAX_WINDOW; // §6.9.1
    if (!this.started) { this.recvTarget = n; return; } // announced with the preface
    const target = <i64>n;
    const current = <i64>this.recvTarget;
    this.recvTarget = n;
    if (target > current) {
      const inc = <u32>(target - current);
      this.recvWindow += inc;
      store32(this.frame(FrameType.WINDOW_UPDATE, 0, 0, 4), inc);
    }
  }

  /** A frame on a closed stream we still remember (§5.1 "closed"). */
  private lateFrame(s: Stream, id: u32): void {
    if (s.closedBy == CLOSED_RST_SENT) return; // frames in flight when we reset: ignored
    if (s.closedBy == CLOSED_RST_RECV) { this.streamError(id, null, ErrorCode.STREAM_CLOSED, abi.R_CLOSED_STREAM); return; }
    this.connectionError(ErrorCode.STREAM_CLOSED, abi.R_CLOSED_STREAM); // after END_STREAM (§5.1)
  }

  private badEffect(effect: u32, s: Stream, id: u32): void {
    if (effect == EFFECT_PROTOCOL_ERROR) this.connectionError(ErrorCode.PROTOCOL_ERROR, abi.R_STREAM_STATE);
    else if (effect == EFFECT_STREAM_CLOSED) this.streamError(id, s, ErrorCode.STREAM_CLOSED, abi.R_STREAM_STATE);
    else if (effect == EFFECT_CLOSED_CHECK) this.lateFrame(s, id);
  }

  // ---------------------------------------------------------------- HEADERS (§6.2)

  private recvHeaders(flags: u8, id: u32, p: usize, length: u32): void {
    if (id == 0) { this.connectionError(ErrorCode.PROTOCOL_ERROR, abi.R_BAD_STREAM_ID); return; }
    const pad = this.padding(flags, p, length);
    if (pad < 0) { this.connectionError(ErrorCode.PROTOCOL_ERROR, abi.R_PADDING); return; }
    let start = p + ((flags & Flag.PADDED) ? 1 : 0);
    const end = start + <usize>length - <usize>pad;
    let selfDependent = false;
    if (flags & Flag.PRIORITY) {
      if (end - start < 5) { this.connectionError(ErrorCode.FRAME_SIZE_ERROR, abi.R_FRAME_SIZE); return; }
      // A stream cannot depend on itself (§5.3.1): the block is still decoded (HPACK state),
      // then the stream is reset. RFC 9218 makes the rest of the priority fields advisory.
      selfDependent = (load32(start) & 0x7fffffff) == id;
      start += 5;
    }
    this.assembly = ASSEMBLY_HEADERS;
    this.assemblyStream = id;
    this.assemblyEndStream = (flags & Flag.END_STREAM) != 0;
    this.assemblySelfDependent = selfDependent;
    this.continuations = 0;
    this.fragment(start, end - start, (flags & Flag.END_HEADERS) != 0);
  }

  private recvContinuation(flags: u8, id: u32, p: usize, length: u32): void {
    if (this.assembly == ASSEMBLY_NONE || id != this.assemblyStream) {
      this.connectionError(ErrorCode.PROTOCOL_ERROR, abi.R_CONTINUATION);
      return;
    }
    // CONTINUATION floods (CVE-2024-27316 and kin): a block may only be so fragmented.
    if (this.continuations + 1 > this.maxContinuations) {
      this.connectionError(ErrorCode.ENHANCE_YOUR_CALM, abi.R_TOO_MANY_CONTINUATIONS);
      return;
    }
    this.continuations++;
    if (!length && !(flags & Flag.END_HEADERS)) this.glitch();
    this.fragment(p, length, (flags & Flag.END_HEADERS) != 0);
  }

  /** Feeds a field block fragment to HPACK; at END_HEADERS the block is complete. */
  private fragment(p: usize, n: usize, endHeaders: bool): void {
    const status = this.decoder.decodeExternal(p, n, endHeaders);
    if (!endHeaders) {
      if (status < 0 && status != abi.HPACK_ERR_HEADER_LIST_TOO_LARGE && status != abi.HPACK_ERR_TOO_MANY_HEADERS &&
        status != abi.HPACK_ERR_HEADER_FIELD_TOO_LARGE) {
        this.connectionError(ErrorCode.COMPRESSION_ERROR, abi.R_COMPRESSION); // §4.3
      }
      return;
    }
    const kind = this.assembly;
    this.assembly = ASSEMBLY_NONE;
    if (status < 0 && status != abi.HPACK_ERR_HEADER_LIST_TOO_LARGE && status != abi.HPACK_ERR_TOO_MANY_HEADERS &&
      status != abi.HPACK_ERR_HEADER_FIELD_TOO_LARGE) {
      this.connectionError(ErrorCode.COMPRESSION_ERROR, abi.R_COMPRESSION);
      return;
    }
    const tooLarge = status < 0;
    const count = tooLarge ? 0 : <u32>status;
    if (kind == ASSEMBLY_PUSH) this.pushBlock(count, tooLarge);
    else this.headersBlock(count, tooLarge, this.assemblySelfDependent);
  }

  /** Copies the decoder's records (and their octets) to the per-recv header store. */
  private keepHeaders(count: u32): u32 {
    const first = this.hdrCount;
    const d = this.decoder;
    const bytes = d.arenaLength;
    const needRecords = (<usize>first + count) * RECORD_BYTES;
    if (needRecords > this.hdrRecordsCap) {
      this.hdrRecords = growBuffer(this.hdrRecords, this.hdrRecordsCap, needRecords << 1, <usize>first * RECORD_BYTES);
      this.hdrRecordsCap = needRecords << 1;
    }
    if (this.hdrLength + bytes > this.hdrBytesCap) {
      this.hdrBytes = growBuffer(this.hdrBytes, this.hdrBytesCap, (this.hdrLength + bytes) << 1, this.hdrLength);
      this.hdrBytesCap = (this.hdrLength + bytes) << 1;
    }
    const base = <u32>this.hdrLength;
    memory.copy(this.hdrBytes + this.hdrLength, d.arena, bytes);
    this.hdrLength += bytes;
    if (!d.arenaAscii()) this.hdrHigh = true;
    const dst = this.hdrRecords + <usize>first * RECORD_BYTES;
    memory.copy(dst, d.records, <usize>count * RECORD_BYTES);
    for (let i: u32 = 0; i < count; i++) {
      const r = dst + <usize>i * RECORD_BYTES;
      store<u32>(r, load<u32>(r, 12) + base, 12);
      store<u32>(r, load<u32>(r, 20) + base, 20);
    }
    this.hdrCount += count;
    return first;
  }

  /** `selfDependent`: the HEADERS named its own stream as dependency (§5.3.1): a stream error. */
  private headersBlock(count: u32, tooLarge: bool, selfDependent: bool): void {
    const id = this.assemblyStream;
    const endStream = this.assemblyEndStream;
    let s = this.streams.get(id);
    if (!s) {
      if (!this.unknownIsIdle(id)) {
        // §5.1.1: a new stream's id must exceed every id the peer used before.
        this.connectionError(ErrorCode.PROTOCOL_ERROR, abi.R_BAD_STREAM_ID);
        return;
      }
      if (!this.isServer || !this.isPeerId(id)) {
        // §5.1.1: a client does not open streams on a server's ids, nor a server on a client.
        this.connectionError(ErrorCode.PROTOCOL_ERROR, abi.R_BAD_STREAM_ID);
        return;
      }
      this.openPeerStream(id, count, tooLarge, endStream, selfDependent);
      return;
    }
    if (s.state == abi.STREAM_CLOSED) { this.lateFrame(s, id); return; }
    if (selfDependent) { this.streamError(id, s, ErrorCode.PROTOCOL_ERROR, abi.R_SELF_DEPENDENCY); return; }
    const effect = this.apply(s, INPUT_RECV_HEADERS);
    if (effect != EFFECT_OK) { this.badEffect(effect, s, id); return; }
    if (tooLarge) { this.streamError(id, s, ErrorCode.PROTOCOL_ERROR, abi.R_HEADER_LIST_TOO_LARGE); return; }
    const records = this.decoder.records, arena = this.decoder.arena;
    const ignored = (s.flags & S_IGNORED) != 0;
    if ((s.flags & S_FINAL_RECV) && (s.flags & S_CONNECT)) {
      // §8.5: only DATA and stream management frames on a tunnel.
      this.streamError(id, s, ErrorCode.PROTOCOL_ERROR, abi.R_MALFORMED);
      return;
    }
    if (s.flags & S_FINAL_RECV) {
      // §8.1: a second block is trailers and must end the stream.
      if (!endStream || !checkMessage(BLOCK_TRAILERS, records, count, arena, false)) {
        this.streamError(id, s, ErrorCode.PROTOCOL_ERROR, abi.R_MALFORMED);
        return;
      }
      if (s.contentLength >= 0 && s.received != s.contentLength) {
        this.streamError(id, s, ErrorCode.PROTOCOL_ERROR, abi.R_CONTENT_LENGTH);
        return;
      }
      s.flags |= S_TRAILERS_RECV;
      if (!ignored) this.event(abi.EV_TRAILERS, abi.EVF_END_STREAM, id, this.keepHeaders(count), count, 0, 0);
      this.remoteEnded(s);
      return;
    }
    if (this.isServer) {
      // The first block on a stream the server knows is a pushed stream's... which the client cannot send.
      this.streamError(id, s, ErrorCode.PROTOCOL_ERROR, abi.R_STREAM_STATE);
      return;
    }
    // Client: a response, informational (1xx) or final.
    if (!checkMessage(BLOCK_RESPONSE, records, count, arena, false)) {
      this.streamError(id, s, ErrorCode.PROTOCOL_ERROR, abi.R_MALFORMED);
      return;
    }
    const status = messageStatus;
    s.flags |= S_HEADERS_RECV;
    if (status < 200) {
      // §8.1: an informational response cannot end the stream; 101 is not allowed in HTTP/2 (§8.6).
      if (endStream || status == 101) { this.streamError(id, s, ErrorCode.PROTOCOL_ERROR, abi.R_MALFORMED); return; }
      if (!ignored) this.event(abi.EV_INFORMATIONAL, 0, id, this.keepHeaders(count), count, 0, 0);
      return;
    }
    s.flags |= S_FINAL_RECV;
    if ((s.flags & S_HEAD) || status == 204 || status == 304) s.flags |= S_NO_BODY;
    else if (!(s.flags & S_CONNECT) || status >= 300) s.contentLength = messageContentLength;
    if (endStream && s.contentLength > 0 && !(s.flags & S_NO_BODY)) {
      this.streamError(id, s, ErrorCode.PROTOCOL_ERROR, abi.R_CONTENT_LENGTH);
      return;
    }
    if (!ignored) this.event(abi.EV_RESPONSE, endStream ? abi.EVF_END_STREAM : 0, id, this.keepHeaders(count), count, 0, 0);
    if (endStream) this.remoteEnded(s);
  }

  /** Server: a request on a new stream (§5.1.1, §5.1.2, §8.3.1). */
  private openPeerStream(id: u32, count: u32, tooLarge: bool, endStream: bool, selfDependent: bool): void {
    // Idle streams below a new id are implicitly closed (§5.1.1).
    this.lastPeerId = id;
    const s = this.streams.open(id);
    this.setState(s, abi.STREAM_OPEN);
    if (id > this.goawayLastId) {
      // After our GOAWAY, new streams are not processed (§6.8); HPACK above kept the table in sync.
      s.flags |= S_IGNORED;
      this.close(s, CLOSED_RST_SENT);
      return;
    }
    // §5.1.2: over the limit we last announced (enforced at once, acknowledged or not, as a
    // peer that never acknowledges must not get unlimited streams), REFUSED_STREAM: safe to retry.
    if (this.peerOpen > this.sent.maxConcurrentStreams || this.memoryUse() > this.maxSessionMemory) {
      this.writeRst(id, ErrorCode.REFUSED_STREAM);
      this.close(s, CLOSED_RST_SENT);
      this.event(abi.EV_ERROR, 0, id, ErrorCode.REFUSED_STREAM, abi.R_REFUSED, 0, 0);
      this.glitch();
      return;
    }
    s.recvWindow = <i64>(this.local.initialWindowSize > this.sent.initialWindowSize ? this.local.initialWindowSize : this.sent.initialWindowSize);
    s.sendWindow = <i64>this.remote.initialWindowSize;
    if (selfDependent) { this.streamError(id, s, ErrorCode.PROTOCOL_ERROR, abi.R_SELF_DEPENDENCY); return; }
    if (tooLarge) {
      // RFC 9113 §10.5.1: a server may answer 431 instead of processing the request.
      this.respond431(s, endStream);
      return;
    }
    const records = this.decoder.records, arena = this.decoder.arena;
    if (!checkMessage(BLOCK_REQUEST, records, count, arena, this.sent.enableConnectProtocol == 1)) {
      // §8.2.1: a malformed request SHOULD get 400; the stream is then reset with PROTOCOL_ERROR
      // (§8.1.1), so the 400 leaves END_STREAM off and the stream stays resettable.
      this.respondStatus(s, 0x343030 /* "400" */, false);
      this.streamError(id, s, ErrorCode.PROTOCOL_ERROR, abi.R_MALFORMED);
      return;
    }
    s.flags |= S_HEADERS_RECV | S_FINAL_RECV;
    if (messageIsConnect) s.flags |= S_CONNECT;
    if (messageIsHead) s.flags |= S_HEAD; // our response will carry no body
    if (!messageIsConnect) s.contentLength = messageContentLength;
    if (endStream && s.contentLength > 0) {
      this.streamError(id, s, ErrorCode.PROTOCOL_ERROR, abi.R_CONTENT_LENGTH);
      return;
    }
    this.event(abi.EV_REQUEST, endStream ? abi.EVF_END_STREAM : 0, id, this.keepHeaders(count), count, 0, 0);
    if (endStream) this.remoteEnded(s);
  }

  /** A 431 response (and RST_STREAM NO_ERROR if the request body is still coming, §8.1). */
  private respond431(s: Stream, requestEnded: bool): void {
    this.respondStatus(s, 0x343331 /* "431" */, true);
    if (requestEnded) this.close(s, CLOSED_END_STREAM);
    else {
      this.writeRst(s.id, ErrorCode.NO_ERROR);
      this.close(s, CLOSED_RST_SENT);
    }
    this.event(abi.EV_ERROR, 0, s.id, ErrorCode.PROTOCOL_ERROR, abi.R_HEADER_LIST_TOO_LARGE, 0, 0);
    this.glitch();
  }

  /** HEADERS with only ":status: NNN" (the three digit octets, first in the high byte). */
  private respondStatus(s: Stream, digits: u32, endStream: bool): void {
    const packed = this.encoder.inputPtr(16);
    // One packed field (abi HPACK_PACKED_HEAD layout), its name from the static table.
    store<u8>(packed, abi.HPACK_PACK_NAME_KNOWN);
    store<u8>(packed, 8, 1);
    store<u32>(packed, 7, 2);
    store<u32>(packed, 3, 6);
    const name = packed + <usize>abi.HPACK_PACKED_HEAD;
    store<u8>(name, 0x3a); store<u8>(name, 0x73, 1); store<u8>(name, 0x74, 2); store<u8>(name, 0x61, 3);
    store<u8>(name, 0x74, 4); store<u8>(name, 0x75, 5); store<u8>(name, 0x73, 6);
    store<u8>(name, <u8>(digits >> 16), 7); store<u8>(name, <u8>(digits >> 8), 8); store<u8>(name, <u8>digits, 9);
    s.flags |= S_FINAL_SENT;
    this.emitHeaders(FrameType.HEADERS, s.id, 0, <usize>abi.HPACK_PACKED_HEAD + 10, 1, endStream);
  }

  // ---------------------------------------------------------------- PUSH_PROMISE (§6.6)

  private recvPushPromise(flags: u8, id: u32, p: usize, length: u32): void {
    // §8.4: only servers push, and only when the client allows it.
    if (this.isServer || this.sent.enablePush == 0 && this.local.enablePush == 0) {
      this.connectionError(ErrorCode.PROTOCOL_ERROR, abi.R_PUSH);
      return;
    }
    if (id == 0) { this.connectionError(ErrorCode.PROTOCOL_ERROR, abi.R_BAD_STREAM_ID); return; }
    const pad = this.padding(flags, p, length);
    if (pad < 0) { this.connectionError(ErrorCode.PROTOCOL_ERROR, abi.R_PADDING); return; }
    if (length - <u32>pad < 4) { this.connectionError(ErrorCode.FRAME_SIZE_ERROR, abi.R_FRAME_SIZE); return; }
    const start = p + ((flags & Flag.PADDED) ? 1 : 0);
    const blockEnd = start + <usize>length - <usize>pad;
    const promised = load32(start) & 0x7fffffff;
    // §6.6: the promised id is a new server id (even, above every earlier one).
    if ((promised & 1) || promised <= this.lastPushId || promised == 0) {
      this.connectionError(ErrorCode.PROTOCOL_ERROR, abi.R_PUSH);
      return;
    }
    const parent = this.streams.get(id);
    // §8.4: pushed on a stream we opened that is open or half-closed (local) for us.
    if (!parent || !(parent.flags & S_LOCAL) ||
      (parent.state != abi.STREAM_OPEN && parent.state != abi.STREAM_HALF_CLOSED_LOCAL)) {
      if (parent && parent.state == abi.STREAM_CLOSED && parent.closedBy == CLOSED_RST_SENT) {
        // We reset the parent: the promise still takes its id and its block keeps HPACK in sync.
      } else {
        this.connectionError(ErrorCode.PROTOCOL_ERROR, abi.R_PUSH);
        return;
      }
    }
    this.lastPushId = promised;
    // Promised streams are bounded like opened ones (and by memory), else a server could
    // reserve streams without end.
    this.assemblyRefused = this.reserved >= this.sent.maxConcurrentStreams || this.memoryUse() > this.maxSessionMemory
      ? ErrorCode.REFUSED_STREAM
      : this.reserved >= this.maxReservedRemote ? ErrorCode.CANCEL : 0; // the caller's own cap, as nghttp2 answers it
    this.assembly = ASSEMBLY_PUSH;
    this.assemblyStream = id;
    this.assemblyPromised = promised;
    this.assemblyEndStream = false;
    this.continuations = 0;
    this.fragment(start + 4, blockEnd - (start + 4), (flags & Flag.END_HEADERS) != 0);
  }

  private pushBlock(count: u32, tooLarge: bool): void {
    const promised = this.assemblyPromised;
    const parentId = this.assemblyStream;
    const s = this.streams.open(promised);
    s.flags = 0;
    const t = transition(abi.STREAM_IDLE, INPUT_RECV_PUSH_PROMISE);
    this.setState(s, nextState(t));
    s.sendWindow = <i64>this.remote.initialWindowSize;
    s.recvWindow = <i64>(this.local.initialWindowSize > this.sent.initialWindowSize ? this.local.initialWindowSize : this.sent.initialWindowSize);
    const parent = this.streams.get(parentId);
    if (!parent || parent.state == abi.STREAM_CLOSED) {
      this.writeRst(promised, ErrorCode.CANCEL);
      this.close(s, CLOSED_RST_SENT);
      return;
    }
    if (this.assemblyRefused) {
      const code = this.assemblyRefused;
      this.writeRst(promised, code);
      this.close(s, CLOSED_RST_SENT);
      this.event(abi.EV_ERROR, 0, promised, code, abi.R_REFUSED, 0, 0);
      if (code == ErrorCode.REFUSED_STREAM) this.glitch();
      return;
    }
    if (tooLarge || !checkMessage(BLOCK_PUSH_REQUEST, this.decoder.records, count, this.decoder.arena, false)) {
      // §8.4: a malformed promised request is a stream error on the promised stream.
      this.streamError(promised, s, ErrorCode.PROTOCOL_ERROR, abi.R_MALFORMED);
      return;
    }
    if (messageIsHead) s.flags |= S_HEAD;
    this.lastPeerId = promised; // processed: GOAWAY's last stream id covers it (§6.8)
    this.event(abi.EV_PUSH, 0, parentId, this.keepHeaders(count), count, promised, 0);
  }

  // ---------------------------------------------------------------- PRIORITY (§6.3)

  private recvPriority(id: u32, p: usize, length: u32): void {
    if (id == 0) { this.connectionError(ErrorCode.PROTOCOL_ERROR, abi.R_BAD_STREAM_ID); return; }
    if (length != 5) {
      const s = this.streams.get(id);
      // §6.3 asks for a stream error, but §6.4 forbids RST_STREAM on an idle stream.
      if (!s && this.unknownIsIdle(id)) this.connectionError(ErrorCode.FRAME_SIZE_ERROR, abi.R_FRAME_SIZE);
      else this.streamError(id, s, ErrorCode.FRAME_SIZE_ERROR, abi.R_FRAME_SIZE);
      return;
    }
    if ((load32(p) & 0x7fffffff) == id) {
      const s = this.streams.get(id);
      // A stream error, but §6.4 forbids RST_STREAM on an idle stream: then the connection.
      if (!s && this.unknownIsIdle(id)) this.connectionError(ErrorCode.PROTOCOL_ERROR, abi.R_SELF_DEPENDENCY);
      else this.streamError(id, s, ErrorCode.PROTOCOL_ERROR, abi.R_SELF_DEPENDENCY);
      return;
    }
    // RFC 9218 deprecates the RFC 7540 scheme: accepted and otherwise ignored. Floods of them
    // on streams that do not exist cost the glitch budget.
    if (!this.streams.get(id)) this.glitch();
  }

  // ---------------------------------------------------------------- RST_STREAM (§6.4)

  private recvRstStream(id: u32, p: usize, length: u32): void {
    if (id == 0) { this.connectionError(ErrorCode.PROTOCOL_ERROR, abi.R_BAD_STREAM_ID); return; }
    if (length != 4) { this.connectionError(ErrorCode.FRAME_SIZE_ERROR, abi.R_FRAME_SIZE); return; }
    const code = load32(p);
    const s = this.streams.get(id);
    if (!s) {
      if (this.unknownIsIdle(id)) this.connectionError(ErrorCode.PROTOCOL_ERROR, abi.R_STREAM_STATE);
      return;
    }
    if (s.state == abi.STREAM_CLOSED) return;
    // Rapid Reset (CVE-2023-44487): a token bucket of peer resets.
    this.resetTokens = this.refill(this.resetTokens, this.resetTime, this.resetBurst, this.resetRate);
    this.resetTime = this.now;
    this.resetTokens -= 1;
    if (this.resetTokens < 0) { this.connectionError(ErrorCode.ENHANCE_YOUR_CALM, abi.R_RAPID_RESET); return; }
    const ignored = (s.flags & S_IGNORED) != 0;
    const effect = this.apply(s, INPUT_RECV_RST_STREAM);
    if (effect == EFFECT_PROTOCOL_ERROR) { this.connectionError(ErrorCode.PROTOCOL_ERROR, abi.R_STREAM_STATE); return; }
    if (!ignored) this.event(abi.EV_RESET, 0, id, code, 0, 0, 0);
  }

  // ---------------------------------------------------------------- SETTINGS (§6.5)

  private recvSettings(flags: u8, id: u32, p: usize, length: u32): void {
    if (id != 0) { this.connectionError(ErrorCode.PROTOCOL_ERROR, abi.R_BAD_STREAM_ID); return; }
    if (flags & Flag.ACK) {
      if (length != 0) { this.connectionError(ErrorCode.FRAME_SIZE_ERROR, abi.R_FRAME_SIZE); return; }
      if (!this.pendingCount) return; // an ACK for nothing: harmless
      this.settingsAcked();
      return;
    }
    if (length % 6) { this.connectionError(ErrorCode.FRAME_SIZE_ERROR, abi.R_FRAME_SIZE); return; }
    if (length / 6 > this.maxSettingsEntries) { this.connectionError(ErrorCode.ENHANCE_YOUR_CALM, abi.R_SETTINGS_FLOOD); return; }
    const remote = this.remote;
    if (!this.remoteSettingsSeen) {
      // A limit assumed before the peer spoke (L_PEER_MAX_CONCURRENT_STREAMS) lasts until its first SETTINGS.
      this.remoteSettingsSeen = true;
      remote.maxConcurrentStreams = UNLIMITED;
    }
    for (let q = p; q < p + length; q += 6) {
      const sid = load16(q);
      const value = load32(q + 2);
      const err = settingError(sid, value, !this.isServer, remote);
      if (err) { this.connectionError(err, abi.R_BAD_SETTING); return; }
      if (sid == SettingId.INITIAL_WINDOW_SIZE) {
        // §6.9.2: the change applies to every stream's send window, which may go negative.
        const delta = <i64>value - <i64>remote.initialWindowSize;
        if (!this.shiftSendWindows(delta)) return;
      } else if (sid == SettingId.HEADER_TABLE_SIZE) {
        // Our encoder may use less than the peer allows: 4096 octets at most, or the caller's cap.
        const size = value < this.encoderCap ? value : this.encoderCap;
        if (size != this.encoder.table.capacity || this.encoder.updatePending) this.encoder.setMaxTableSize(size);
      }
      remote.set(sid, value);
    }
    if (!this.ack()) return;
    this.frame(FrameType.SETTINGS, Flag.ACK, 0, 0);
    this.event(abi.EV_SETTINGS, 0, 0, this.snapshot(remote), 0, 0, 0);
  }

  private shiftSendWindows(delta: i64): bool {
    if (!delta) return true;
    const store = this.streams;
    for (let i: u32 = 0; i < store.slots; i++) {
      const at = store.at(i);
      if (!at) continue;
      const s = changetype<Stream>(at);
      if (s.state == abi.STREAM_CLOSED) continue;
      if (s.sendWindow + delta > MAX_WINDOW) {
        this.connectionError(ErrorCode.FLOW_CONTROL_ERROR, abi.R_WINDOW_OVERFLOW);
        return false;
      }
      s.sendWindow += delta;
      if (delta > 0 && s.pending && s.sendWindow > 0 && !(s.flags & S_PENDING_OPEN)) this.scheduler.push(s);
    }
    return true;
  }

  private settingsAcked(): void {
    const at = this.pendingSettings + <usize>this.pendingFirst * offsetof<Settings>();
    const acked = changetype<Settings>(at);
    const before = this.local.initialWindowSize;
    // A smaller window or table takes effect now that the peer knows (§6.5.3).
    if (acked.headerTableSize < this.decoder.maxTableSize) this.decoder.setMaxTableSize(acked.headerTableSize);
    this.local.copyFrom(acked);
    this.pendingFirst = (this.pendingFirst + 1) % PENDING_SETTINGS_MAX;
    this.pendingCount--;
    if (this.local.initialWindowSize < before) {
      const delta = <i64>this.local.initialWindowSize - <i64>before;
      const store = this.streams;
      for (let i: u32 = 0; i < store.slots; i++) {
        const a = store.at(i);
        if (a) changetype<Stream>(a).recvWindow += delta;
      }
    }
    this.event(abi.EV_SETTINGS_ACK, 0, 0, this.snapshot(this.local), 0, 0, 0);
  }

  // ---------------------------------------------------------------- PING (§6.7)

  private recvPing(flags: u8, id: u32, p: usize, length: u32): void {
    if (id != 0) { this.connectionError(ErrorCode.PROTOCOL_ERROR, abi.R_BAD_STREAM_ID); return; }
    if (length != 8) { this.connectionError(ErrorCode.FRAME_SIZE_ERROR, abi.R_FRAME_SIZE); return; }
    if (flags & Flag.ACK) {
      if (this.gracefulPending && load<u64>(p) == GRACEFUL_PING) {
        // The peer has seen our first GOAWAY: now the real last stream id (§6.8).
        this.gracefulPending = false;
        this.goawayLastId = this.lastPeerId;
        this.writeGoaway(ErrorCode.NO_ERROR, this.lastPeerId, 0, 0);
        return;
      }
      this.event(abi.EV_PING_ACK, 0, 0, <u32>p, 0, 0, 0);
      return;
    }
    if (!this.ack()) return;
    memory.copy(this.frame(FrameType.PING, Flag.ACK, 0, 8), p, 8);
    this.event(abi.EV_PING, 0, 0, <u32>p, 0, 0, 0);
  }

  // ---------------------------------------------------------------- GOAWAY (§6.8)

  private recvGoaway(id: u32, p: usize, length: u32): void {
    if (id != 0) { this.connectionError(ErrorCode.PROTOCOL_ERROR, abi.R_BAD_STREAM_ID); return; }
    if (length < 8) { this.connectionError(ErrorCode.FRAME_SIZE_ERROR, abi.R_FRAME_SIZE); return; }
    const last = load32(p) & 0x7fffffff;
    const code = load32(p + 4);
    this.goawayReceived = true;
    if (last < this.goawayPeerLastId) this.goawayPeerLastId = last;
    this.event(abi.EV_GOAWAY, 0, 0, code, last, <u32>(p + 8), length - 8);
    // Our streams above the last id were not processed (§6.8): they fail, safe to retry.
    // Ids are collected first: closing can retire streams, which reorders the map.
    const map = this.streams;
    let n: u32 = 0;
    for (let i: u32 = 0; i < map.slots; i++) {
      const at = map.at(i);
      if (!at) continue;
      const st = changetype<Stream>(at);
      if (!(st.flags & S_LOCAL) || st.id <= last || st.state == abi.STREAM_CLOSED) continue;
      store<u32>(this.scratchPtr((<usize>n + 1) << 2) + (<usize>n << 2), st.id);
      n++;
    }
    for (let i: u32 = 0; i < n; i++) {
      const sid = load<u32>(this.scratch + (<usize>i << 2));
      const st = map.get(sid);
      if (!st || st.state == abi.STREAM_CLOSED) continue;
      this.close(st, CLOSED_RST_RECV);
      this.event(abi.EV_ERROR, abi.EVF_REMOTE, sid, ErrorCode.REFUSED_STREAM, abi.R_GOAWAY, 0, 0);
    }
  }

  // ---------------------------------------------------------------- WINDOW_UPDATE (§6.9)

  private recvWindowUpdate(id: u32, p: usize, length: u32): void {
    if (length != 4) { this.connectionError(ErrorCode.FRAME_SIZE_ERROR, abi.R_FRAME_SIZE); return; }
    const increment = load32(p) & 0x7fffffff;
    if (id == 0) {
      if (!increment) { this.connectionError(ErrorCode.PROTOCOL_ERROR, abi.R_ZERO_INCREMENT); return; }
      if (!windowFits(this.sendWindow, increment)) { this.connectionError(ErrorCode.FLOW_CONTROL_ERROR, abi.R_WINDOW_OVERFLOW); return; }
      this.sendWindow += increment;
      this.event(abi.EV_WINDOW_UPDATE, 0, 0, increment, 0, 0, 0);
      return;
    }
    const s = this.streams.get(id);
    if (!s) {
      if (this.unknownIsIdle(id)) this.connectionError(ErrorCode.PROTOCOL_ERROR, abi.R_STREAM_STATE);
      return;
    }
    const effect = this.apply(s, INPUT_RECV_WINDOW_UPDATE);
    if (effect == EFFECT_IGNORE) return;
    if (effect != EFFECT_OK) { this.badEffect(effect, s, id); return; }
    if (!increment) { this.streamError(id, s, ErrorCode.PROTOCOL_ERROR, abi.R_ZERO_INCREMENT); return; }
    if (!windowFits(s.sendWindow, increment)) { this.streamError(id, s, ErrorCode.FLOW_CONTROL_ERROR, abi.R_WINDOW_OVERFLOW); return; }
    s.sendWindow += increment;
    if (s.pending && s.sendWindow > 0 && !(s.flags & S_PENDING_OPEN)) this.scheduler.push(s);
    if (!(s.flags & S_IGNORED)) this.event(abi.EV_WINDOW_UPDATE, 0, id, increment, 0, 0, 0);
  }

  // ---------------------------------------------------------------- extensions

  /** RFC 7838 §4: ALTSVC, for clients. */
  private recvAltsvc(id: u32, p: usize, length: u32): void {
    if (this.isServer || length < 2) return; // ignored, as §5.5 allows
    const originLength = load16(p);
    if (<u32>originLength + 2 > length) return;
    // On stream 0 it names an origin; on a stream it must not.
    if ((id == 0) != (originLength > 0)) return;
    this.event(abi.EV_ALTSVC, 0, id, <u32>(p + 2), originLength, <u32>(p + 2 + originLength), length - 2 - originLength);
  }

  /** RFC 8336 §2: ORIGIN, on stream 0, for clients. */
  private recvOrigin(flags: u8, id: u32, p: usize, length: u32): void {
    if (this.isServer || id != 0) return;
    // Entries must parse; a malformed frame is ignored as a whole.
    for (let q = p; q < p + length;) {
      if (p + length - q < 2) return;
      const n = load16(q);
      q += 2 + <usize>n;
      if (q > p + length) return;
    }
    this.event(abi.EV_ORIGIN, 0, 0, <u32>p, length, 0, 0);
  }

  /** RFC 9218 §7.1: PRIORITY_UPDATE, sent by clients. */
  private recvPriorityUpdate(id: u32, p: usize, length: u32): void {
    if (!this.isServer || id != 0 || length < 4) {
      this.connectionError(ErrorCode.PROTOCOL_ERROR, abi.R_PRIORITY_UPDATE);
      return;
    }
    const target = load32(p) & 0x7fffffff;
    if (target == 0) { this.connectionError(ErrorCode.PROTOCOL_ERROR, abi.R_PRIORITY_UPDATE); return; }
    const s = this.streams.get(target);
    if (s && s.state != abi.STREAM_CLOSED) this.applyPriority(s, p + 4, length - 4);
    else this.glitch();
    this.event(abi.EV_PRIORITY_UPDATE, 0, target, <u32>(p + 4), length - 4, 0, 0);
  }

  /** Parses an RFC 9218 Priority field value's u= and i parameters. */
  applyPriority(s: Stream, p: usize, n: u32): void {
    let urgency = s.urgency;
    let incremental = s.incremental;
    for (let q = p; q < p + n; q++) {
      const c = load<u8>(q);
      if (c == 0x75 /* u */ && q + 2 < p + n && load<u8>(q + 1) == 0x3d) {
        const d = <u32>load<u8>(q + 2) - 0x30;
        if (d <= 7) urgency = d;
      } else if (c == 0x69 /* i */ && (q == p || load<u8>(q - 1) == 0x20 || load<u8>(q - 1) == 0x2c)) {
        incremental = !(q + 2 < p + n && load<u8>(q + 1) == 0x3d && load<u8>(q + 2) == 0x30 /* i=?0 */);
      }
    }
    if (urgency != s.urgency || incremental != s.incremental) {
      const queued = (s.flags & S_READY) != 0;
      if (queued) this.scheduler.remove(s);
      s.urgency = urgency;
      s.incremental = incremental;
      if (queued) this.scheduler.push(s);
    }
  }

  // ------------------------------------------------------------------ sending

  /**
   * §6.8: streams the peer opened above a GOAWAY's last stream id were not processed, and the
   * peer treats them so; they close here without a frame (the caller fails them as refused).
   */
  private dropPeerStreamsAbove(last: u32): void {
    const store = this.streams;
    for (let i: u32 = 0; i < store.slots; i++) {
      const at = store.at(i);
      if (!at) continue;
      const s = changetype<Stream>(at);
      if (s.id > last && this.isPeerId(s.id) && s.state != abi.STREAM_CLOSED) this.close(s, CLOSED_RST_SENT);
    }
  }

  private writeRst(id: u32, code: u32): void {
    store32(this.frame(FrameType.RST_STREAM, 0, id, 4), code);
  }

  private writeGoaway(code: u32, last: u32, debug: usize, debugLength: u32): void {
    if (last > this.goawayLastId) last = this.goawayLastId; // §6.8: never more than an earlier GOAWAY said
    const p = this.frame(FrameType.GOAWAY, 0, 0, 8 + debugLength);
    store32(p, last);
    store32(p + 4, code);
    if (debugLength) memory.copy(p + 8, debug, debugLength);
    this.goawaySent = true;
    if (last < this.goawayLastId) this.goawayLastId = last;
  }

  /** The connection preface: our SETTINGS (and a WINDOW_UPDATE if the window was enlarged). */
  private start(): void {
    this.started = true;
    if (!this.isServer) {
      // §3.4: the client's magic comes first.
      this.ensureOut(PREFACE_LENGTH);
      memory.copy(this.out + this.outLength, PREFACE, PREFACE_LENGTH);
      this.outLength += PREFACE_LENGTH;
    }
    const sent = this.sent;
    const defaults = new Settings();
    let n: u32 = 0;
    for (let sid: u32 = 1; sid <= 9; sid++) if (sent.get(sid) != defaults.get(sid)) n++;
    let q = this.frame(FrameType.SETTINGS, 0, 0, n * 6);
    for (let sid: u32 = 1; sid <= 9; sid++) {
      if (sent.get(sid) == defaults.get(sid)) continue;
      store16(q, sid);
      store32(q + 2, sent.get(sid));
      q += 6;
    }
    heap.free(changetype<usize>(defaults));
    this.pushPending(sent);
    // A larger table may be used as soon as the peer reads this; a smaller one after its ACK.
    if (sent.headerTableSize > this.decoder.maxTableSize) this.decoder.setMaxTableSize(sent.headerTableSize);
    if (this.recvTarget > <u32>DEFAULT_WINDOW && this.recvWindow == <i64>DEFAULT_WINDOW) {
      const inc = this.recvTarget - <u32>DEFAULT_WINDOW;
      this.recvWindow += inc;
      store32(this.frame(FrameType.WINDOW_UPDATE, 0, 0, 4), inc);
    }
  }

  private pushPending(snapshot: Settings): bool {
    if (this.pendingCount >= PENDING_SETTINGS_MAX) return false;
    const slot = (this.pendingFirst + this.pendingCount) % PENDING_SETTINGS_MAX;
    changetype<Settings>(this.pendingSettings + <usize>slot * offsetof<Settings>()).copyFrom(snapshot);
    this.pendingCount++;
    return true;
  }

  /** SETTINGS with `count` (id u16, value u32) pairs from scratch, wire format. Returns 0 or an error. */
  submitSettings(count: u32): i32 {
    if (this.dead) return abi.E_SESSION_CLOSED;
    if (!this.started) this.start();
    const next = new Settings();
    next.copyFrom(this.sent);
    for (let i: u32 = 0; i < count; i++) {
      const q = this.scratch + <usize>i * 6;
      const sid = load16(q), value = load32(q + 2);
      if (settingError(sid, value, this.isServer, next)) { heap.free(changetype<usize>(next)); return abi.E_INVALID_ARG; }
      next.set(sid, value);
    }
    if (this.pendingCount >= PENDING_SETTINGS_MAX) { heap.free(changetype<usize>(next)); return abi.E_INVALID_ARG; }
    // A larger window helps at once for streams the peer opens after reading this (§6.9.2).
    const delta = <i64>next.initialWindowSize - <i64>this.sent.initialWindowSize;
    if (delta > 0) {
      const store = this.streams;
      for (let i: u32 = 0; i < store.slots; i++) {
        const a = store.at(i);
        if (a) changetype<Stream>(a).recvWindow += delta;
      }
    }
    if (next.headerTableSize > this.decoder.maxTableSize) this.decoder.setMaxTableSize(next.headerTableSize);
    this.sent.copyFrom(next);
    this.pushPending(next);
    heap.free(changetype<usize>(next));
    memory.copy(this.frame(FrameType.SETTINGS, 0, 0, count * 6), this.scratch, <usize>count * 6);
    return 0;
  }

  /**
   * HEADERS (or PUSH_PROMISE) plus CONTINUATION for `packedLength` octets of `count` packed
   * fields in the encoder's input, split at the peer's SETTINGS_MAX_FRAME_SIZE.
   */
  private emitHeaders(type: u8, id: u32, promised: u32, packedLength: usize, count: u32, endStream: bool): i32 {
    const n = this.encoder.encode(packedLength, count);
    if (n < 0) return abi.E_HEADERS;
    const block = this.encoder.output;
    const max = <usize>this.remote.maxFrameSize;
    const prefix: usize = type == FrameType.PUSH_PROMISE ? 4 : 0;
    let first = <usize>n + prefix <= max ? <usize>n : max - prefix;
    let flags: u8 = endStream ? Flag.END_STREAM : 0;
    if (first == <usize>n) flags |= Flag.END_HEADERS;
    // Padding goes on the first frame only: CONTINUATION has none (§6.10).
    const padded = this.paddingFor(first + prefix, max - first - prefix);
    if (padded) flags |= Flag.PADDED;
    const p0 = this.frame(type, flags, id, <u32>(first + prefix + padded));
    if (padded) { store<u8>(p0, <u8>(padded - 1)); memory.fill(p0 + 1 + prefix + first, 0, padded - 1); }
    const p = p0 + (padded ? 1 : 0);
    if (prefix) store32(p, promised);
    memory.copy(p + prefix, block, first);
    let at = first;
    while (at < <usize>n) {
      const chunk = <usize>n - at < max ? <usize>n - at : max;
      const q = this.frame(FrameType.CONTINUATION, at + chunk == <usize>n ? Flag.END_HEADERS : 0, id, <u32>chunk);
      memory.copy(q, block + at, chunk);
      at += chunk;
    }
    return 0;
  }

  /** Submits a field block; see abi SUBMIT_*. Returns the stream id (or promised id) or an error. */
  submitHeaders(id: u32, kind: i32, packedLength: usize, count: u32, flags: i32): i32 {
    if (this.dead) return abi.E_SESSION_CLOSED;
    if (!this.started) this.start();
    const endStream = (flags & abi.SUBMITF_END_STREAM) != 0;
    if (kind == abi.SUBMIT_REQUEST) {
      if (this.isServer) return abi.E_INVALID_ARG;
      if (this.goawayReceived) return abi.E_GOAWAY;
      const nid = this.nextLocalId;
      if (nid > MAX_STREAM_ID) return abi.E_OUT_OF_STREAMS;
      this.nextLocalId = nid + 2;
      const s = this.streams.open(nid);
      s.flags = S_LOCAL | S_FINAL_SENT | ((flags & abi.SUBMITF_HEAD) ? S_HEAD : 0) | ((flags & abi.SUBMITF_CONNECT) ? S_CONNECT : 0);
      s.sendWindow = <i64>this.remote.initialWindowSize;
      s.recvWindow = <i64>this.sent.initialWindowSize;
      if (this.pendingHead || this.localOpen >= this.remote.maxConcurrentStreams) {
        // §5.1.2: over the peer's limit the request waits, fields kept packed (HPACK encodes
        // in sending order), and opens when a stream closes.
        s.openHeaders = heap.alloc(packedLength);
        memory.copy(s.openHeaders, this.encoder.input, packedLength);
        s.openLength = <u32>packedLength;
        s.openCount = count;
        s.flags |= S_PENDING_OPEN | (endStream ? S_END_ON_HEADERS : 0);
        if (this.pendingTail) changetype<Stream>(this.pendingTail).nextPending = changetype<usize>(s);
        else this.pendingHead = changetype<usize>(s);
        this.pendingTail = changetype<usize>(s);
        return <i32>nid;
      }
      this.apply(s, INPUT_SEND_HEADERS);
      const r = this.emitHeaders(FrameType.HEADERS, nid, 0, packedLength, count, endStream);
      if (r < 0) return r;
      if (endStream) this.apply(s, INPUT_SEND_END_STREAM);
      return <i32>nid;
    }
    const s = this.streams.get(id);
    if (!s) return abi.E_INVALID_STREAM;
    if (kind == abi.SUBMIT_PUSH) {
      if (!this.isServer) return abi.E_INVALID_ARG;
      if (this.remote.enablePush == 0) return abi.E_PUSH_DISABLED;
      if (s.flags & S_LOCAL || (s.state != abi.STREAM_OPEN && s.state != abi.STREAM_HALF_CLOSED_REMOTE)) return abi.E_STREAM_STATE;
      if (this.goawayReceived) return abi.E_GOAWAY;
      // §5.1.2: reserved streams do not count yet; responding opens them (checked there).
      if (this.localOpen >= this.remote.maxConcurrentStreams) return abi.E_OUT_OF_STREAMS;
      const promised = this.nextLocalId;
      if (promised > MAX_STREAM_ID) return abi.E_OUT_OF_STREAMS;
      this.nextLocalId = promised + 2;
      const ps = this.streams.open(promised);
      ps.flags = S_LOCAL;
      ps.sendWindow = <i64>this.remote.initialWindowSize;
      ps.recvWindow = <i64>this.sent.initialWindowSize;
      this.setState(ps, nextState(transition(abi.STREAM_IDLE, INPUT_SEND_PUSH_PROMISE)));
      const r = this.emitHeaders(FrameType.PUSH_PROMISE, id, promised, packedLength, count, false);
      if (r < 0) return r;
      return <i32>promised;
    }
    if (kind == abi.SUBMIT_TRAILERS) {
      if (s.flags & S_CONNECT) return abi.E_STREAM_STATE; // §8.5: no HEADERS on a tunnel
      if (s.flags & (S_END_QUEUED | S_TRAILERS_QUEUED)) return abi.E_TRAILERS_SENT;
      if (!(s.flags & S_FINAL_SENT) || (s.flags & S_END_ON_HEADERS)) return abi.E_STREAM_STATE;
      if (!(s.flags & S_PENDING_OPEN) && effectOf(transition(s.state, INPUT_SEND_END_STREAM)) != EFFECT_OK) return abi.E_STREAM_STATE;
      if (s.pending || (s.flags & S_PENDING_OPEN)) {
        // After the queued body: keep the packed fields, encode when they go out (HPACK order).
        s.trailers = heap.alloc(packedLength);
        memory.copy(s.trailers, this.encoder.input, packedLength);
        s.trailersLength = <u32>packedLength;
        s.trailersCount = count;
        s.flags |= S_TRAILERS_QUEUED | S_END_QUEUED;
        return <i32>id;
      }
      const r = this.emitHeaders(FrameType.HEADERS, id, 0, packedLength, count, true);
      if (r < 0) return r;
      this.apply(s, INPUT_SEND_END_STREAM);
      return <i32>id;
    }
    // RESPONSE / INFORMATIONAL (server).
    if (!this.isServer) return abi.E_INVALID_ARG;
    if (s.flags & S_FINAL_SENT) return abi.E_HEADERS_SENT;
    if (effectOf(transition(s.state, INPUT_SEND_HEADERS)) != EFFECT_OK) return abi.E_STREAM_STATE;
    // §5.1.2: a pushed stream opens when answered, within the client's concurrency limit.
    if (s.state == abi.STREAM_RESERVED_LOCAL && this.localOpen >= this.remote.maxConcurrentStreams) return abi.E_OUT_OF_STREAMS;
    if (kind == abi.SUBMIT_RESPONSE) s.flags |= S_FINAL_SENT | ((flags & abi.SUBMITF_NO_BODY) ? S_SEND_NO_BODY : 0);
    this.apply(s, INPUT_SEND_HEADERS);
    const final = kind == abi.SUBMIT_RESPONSE && endStream;
    const r = this.emitHeaders(FrameType.HEADERS, id, 0, packedLength, count, final);
    if (r < 0) return r;
    if (final) this.apply(s, INPUT_SEND_END_STREAM);
    return <i32>id;
  }

  /** Queues `n` body octets (held by JS) on a stream; END_STREAM after them when asked. */
  submitData(id: u32, n: u32, endStream: bool): i32 {
    if (this.dead) return abi.E_SESSION_CLOSED;
    const s = this.streams.get(id);
    if (!s) return abi.E_INVALID_STREAM;
    if (s.flags & (S_END_QUEUED | S_END_ON_HEADERS)) return abi.E_STREAM_STATE;
    if (s.flags & S_PENDING_OPEN) {
      // Held until the stream opens.
      s.pending += n;
      if (endStream) s.flags |= S_END_QUEUED;
      return 0;
    }
    if (effectOf(transition(s.state, INPUT_SEND_DATA)) != EFFECT_OK) return abi.E_STREAM_STATE;
    // §8.1: a body follows the response headers; 204/304/HEAD responses have none.
    if (this.isServer && !(s.flags & S_LOCAL) && (!(s.flags & S_FINAL_SENT) || (n && (s.flags & (S_HEAD | S_SEND_NO_BODY))))) {
      return abi.E_STREAM_STATE;
    }
    s.pending += n;
    if (endStream) s.flags |= S_END_QUEUED;
    if (s.pending == 0 && !endStream) return 0;
    this.scheduler.push(s);
    return 0;
  }

  /** RST_STREAM from the application. */
  submitRst(id: u32, code: u32): i32 {
    if (this.dead) return abi.E_SESSION_CLOSED;
    const s = this.streams.get(id);
    if (!s) return abi.E_INVALID_STREAM;
    if (s.state == abi.STREAM_CLOSED) return 0;
    if (s.flags & S_PENDING_OPEN) {
      // Never opened on the wire: nothing to reset there (§5.1 forbids RST_STREAM on idle).
      this.close(s, CLOSED_RST_SENT);
      return 0;
    }
    this.apply(s, INPUT_SEND_RST_STREAM);
    this.writeRst(id, code);
    return 0;
  }

  submitPing(): i32 {
    if (this.dead) return abi.E_SESSION_CLOSED;
    if (!this.started) this.start();
    memory.copy(this.frame(FrameType.PING, 0, 0, 8), this.scratch, 8);
    return 0;
  }

  /** GOAWAY; `graceful` (with NO_ERROR) is the two-step shutdown of RFC 9113 §6.8. */
  /** GOAWAY; `lastStreamId` below the last stream processed names an earlier one (MAX_STREAM_ID+ for the default). */
  submitGoaway(code: u32, graceful: bool, debugLength: u32, lastStreamId: u32): i32 {
    if (this.dead) return abi.E_SESSION_CLOSED;
    if (!this.started) this.start();
    const processed = this.isServer ? this.lastPeerId : this.lastPushId;
    const explicit = lastStreamId < processed;
    if (graceful && !explicit && code == ErrorCode.NO_ERROR && !this.goawaySent && this.isServer) {
      const p = this.frame(FrameType.GOAWAY, 0, 0, 8 + debugLength);
      store32(p, MAX_STREAM_ID);
      store32(p + 4, ErrorCode.NO_ERROR);
      if (debugLength) memory.copy(p + 8, this.scratch, debugLength);
      this.goawaySent = true;
      this.gracefulPending = true;
      store<u64>(this.frame(FrameType.PING, 0, 0, 8), GRACEFUL_PING);
      return 0;
    }
    this.gracefulPending = false;
    this.writeGoaway(code, explicit ? lastStreamId : processed, this.scratch, debugLength);
    if (explicit) this.dropPeerStreamsAbove(lastStreamId);
    return 0;
  }

  /** PRIORITY_UPDATE (RFC 9218 §7.1), client; the field value is in scratch. */
  submitPriorityUpdate(id: u32, length: u32): i32 {
    if (this.dead) return abi.E_SESSION_CLOSED;
    if (this.isServer) return abi.E_INVALID_ARG;
    if (!this.started) this.start();
    const p = this.frame(FrameType.PRIORITY_UPDATE, 0, 0, 4 + length);
    store32(p, id);
    memory.copy(p + 4, this.scratch, length);
    return 0;
  }

  /** A frame whose payload JS built in scratch (ALTSVC, ORIGIN: servers only). */
  submitRaw(type: u8, id: u32, length: u32): i32 {
    if (this.dead) return abi.E_SESSION_CLOSED;
    if (!this.isServer) return abi.E_INVALID_ARG;
    if (!this.started) this.start();
    memory.copy(this.frame(type, 0, id, length), this.scratch, length);
    return 0;
  }

  /** Sets a stream's own priority (RFC 9218) from a field value in scratch. */
  setPriority(id: u32, length: u32): i32 {
    const s = this.streams.get(id);
    if (!s) return abi.E_INVALID_STREAM;
    this.applyPriority(s, this.scratch, length);
    return 0;
  }

  // ------------------------------------------------------------------ pull

  wantsWrite(): bool {
    return !this.started || this.outLength > 0 || this.dataReady() ||
      (this.pendingHead != 0 && this.localOpen < this.remote.maxConcurrentStreams && !this.dead);
  }

  /** Opens waiting requests while the peer's MAX_CONCURRENT_STREAMS allows (§5.1.2). */
  private openPending(): void {
    while (this.pendingHead && !this.dead && this.localOpen < this.remote.maxConcurrentStreams) {
      const s = changetype<Stream>(this.pendingHead);
      this.unqueue(s);
      memory.copy(this.encoder.inputPtr(s.openLength), s.openHeaders, s.openLength);
      heap.free(s.openHeaders);
      s.openHeaders = 0;
      const endStream = (s.flags & S_END_ON_HEADERS) != 0;
      this.apply(s, INPUT_SEND_HEADERS);
      this.emitHeaders(FrameType.HEADERS, s.id, 0, s.openLength, s.openCount, endStream);
      if (endStream) this.apply(s, INPUT_SEND_END_STREAM);
      else if (s.pending || (s.flags & S_END_QUEUED)) this.scheduler.push(s);
    }
  }

  private unqueue(s: Stream): void {
    s.flags &= ~S_PENDING_OPEN;
    let prev: usize = 0;
    let at = this.pendingHead;
    while (at && at != changetype<usize>(s)) { prev = at; at = changetype<Stream>(at).nextPending; }
    if (!at) return;
    if (prev) changetype<Stream>(prev).nextPending = s.nextPending;
    else this.pendingHead = s.nextPending;
    if (this.pendingTail == changetype<usize>(s)) this.pendingTail = prev;
    s.nextPending = 0;
  }

  private dataReady(): bool {
    const s = this.scheduler.peek();
    if (!s) return false;
    return s.pending == 0 || (this.sendWindow > 0 && s.sendWindow > 0);
  }

  /**
   * Completes the output: frames already queued, then DATA as windows allow. Returns the octets
   * in `out`; `segs` lists where the application's body slices go in between.
   */
  pull(): i32 {
    if (!this.started && !this.dead) this.start();
    this.segCount = 0;
    this.openPending();
    let budget = DATA_PER_PULL;
    while (!this.dead && budget > 0) {
      const s = this.scheduler.peek();
      if (!s) break;
      let n: u64 = 0;
      let allow: i64 = 0;
      if (s.pending) {
        allow = s.sendWindow < this.sendWindow ? s.sendWindow : this.sendWindow;
        if (allow > <i64>this.remote.maxFrameSize) allow = <i64>this.remote.maxFrameSize;
        if (allow <= 0) {
          if (s.sendWindow <= 0) { this.scheduler.pop(s); continue; } // waits for its WINDOW_UPDATE
          break; // the connection window is shut: nothing more this time
        }
        n = s.pending < <u64>allow ? s.pending : <u64>allow;
      }
      // Padding counts against flow control (§6.1): only what the windows leave after the data.
      const padded = n && this.paddingStrategy ? this.paddingFor(<usize>n, <usize>(allow - <i64>n)) : 0;
      s.pending -= n;
      s.sendWindow -= <i64>(n + <u64>padded);
      this.sendWindow -= <i64>(n + <u64>padded);
      budget -= n < budget ? n : budget;
      const last = s.pending == 0 && (s.flags & S_END_QUEUED) != 0;
      const trailers = last && (s.flags & S_TRAILERS_QUEUED) != 0;
      if (n || (last && !trailers)) {
        const flags: u8 = (last && !trailers ? Flag.END_STREAM : 0) | (padded ? Flag.PADDED : 0);
        const p = this.frame(FrameType.DATA, flags, s.id, <u32>(n + <u64>padded));
        if (padded) store<u8>(p, <u8>(padded - 1));
        this.outLength -= <usize>n + (padded ? padded - 1 : 0); // the body itself comes from the application
        if (n) this.segment(s.id, <u32>n);
        if (padded > 1) {
          this.ensureOut(padded - 1);
          memory.fill(this.out + this.outLength, 0, padded - 1);
          this.outLength += padded - 1;
        }
      }
      if (s.pending == 0) {
        this.scheduler.pop(s);
        if (trailers) {
          memory.copy(this.encoder.inputPtr(s.trailersLength), s.trailers, s.trailersLength);
          heap.free(s.trailers);
          s.trailers = 0;
          this.emitHeaders(FrameType.HEADERS, s.id, 0, s.trailersLength, s.trailersCount, true);
        }
        if (last) {
          s.flags &= ~(S_END_QUEUED | S_TRAILERS_QUEUED);
          this.apply(s, INPUT_SEND_END_STREAM);
        }
      } else this.scheduler.served(s);
    }
    this.queuedAcks = 0;
    this.queuedFrames = 0;
    const n = this.outLength;
    this.outLength = 0;
    setResult(0, <u32>this.out);
    setResult(1, <u32>this.segs);
    setResult(2, this.segCount);
    return <i32>n;
  }

  /**
   * Octets of padding (the Pad Length octet included) for a frame of `length` payload octets,
   * with `room` octets to spare under the frame size and windows; 0 for none.
   */
  private paddingFor(length: usize, room: usize): usize {
    let pad: usize = 0;
    if (this.paddingStrategy == abi.PADDING_MAX) pad = 256;
    else if (this.paddingStrategy == abi.PADDING_ALIGNED) pad = (8 - ((<usize>FRAME_HEADER_LENGTH + length) & 7)) & 7;
    return pad < room ? pad : room;
  }

  private segment(id: u32, n: u32): void {
    const need = (<usize>this.segCount + 1) * 12;
    if (need > this.segsCap) {
      this.segs = growBuffer(this.segs, this.segsCap, need << 1, <usize>this.segCount * 12);
      this.segsCap = need << 1;
    }
    const q = this.segs + <usize>this.segCount * 12;
    store<u32>(q, <u32>this.outLength);
    store<u32>(q, id, 4);
    store<u32>(q, n, 8);
    this.segCount++;
  }

  // ------------------------------------------------------------------ state

  sessionInfo(what: i32): f64 {
    switch (what) {
      case abi.I_SEND_WINDOW: return <f64>this.sendWindow;
      case abi.I_RECV_WINDOW: return <f64>this.recvWindow;
      case abi.I_NEXT_STREAM_ID: return <f64>this.nextLocalId;
      case abi.I_OPEN_STREAMS: return <f64>(this.localOpen + this.peerOpen);
      case abi.I_LAST_PEER_STREAM: return <f64>this.lastPeerId;
      case abi.I_GOAWAY_SENT: return this.goawaySent ? 1 : 0;
      case abi.I_GOAWAY_RECEIVED: return this.goawayReceived ? 1 : 0;
      case abi.I_DEAD: return this.dead ? 1 : 0;
      case abi.I_PENDING_SETTINGS: return <f64>this.pendingCount;
      case abi.I_GOAWAY_LAST_STREAM: return <f64>this.goawayPeerLastId;
      case abi.I_MEMORY: return <f64>this.memoryUse();
      case abi.I_FRAMES_RECEIVED: return this.framesReceived;
      case abi.I_FRAMES_SENT: return this.framesSent;
      case abi.I_DEFLATE_TABLE_SIZE: return <f64>this.encoder.table.size;
      case abi.I_INFLATE_TABLE_SIZE: return <f64>this.decoder.table.size;
    }
    return -1;
  }

  streamInfo(id: u32, what: i32): f64 {
    const s = this.streams.get(id);
    if (!s) {
      if (what == abi.I_STATE) return this.unknownIsIdle(id) ? abi.STREAM_IDLE : abi.STREAM_CLOSED;
      return -1;
    }
    switch (what) {
      case abi.I_STATE: return <f64>s.state;
      case abi.I_SEND_WINDOW: return <f64>s.sendWindow;
      case abi.I_RECV_WINDOW: return <f64>s.recvWindow;
      case abi.I_PENDING: return <f64>s.pending;
    }
    return -1;
  }
}
