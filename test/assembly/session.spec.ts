// A few end-to-end checks of the session inside WASM: octets in through inputPtr/recv, frames
// out through pull, events at `session.events` (abi.ts layout). The octets expected are
// written out from RFC 9113 §3.4 (preface), §4.1 (frame header), §6.5 (SETTINGS), §6.7 (PING),
// §6.8 (GOAWAY) and RFC 7541 Appendix C (HPACK).
import { Session } from '../../assembly/proto/session';
import {
  H2_EVENT_WORDS, EV_REQUEST, EV_SETTINGS, EV_PING, EV_PING_ACK, EV_ERROR, EVF_CONNECTION, EVF_END_STREAM,
} from '../../assembly/abi';
import { FrameType, Flag, ErrorCode, SettingId } from '../../assembly/frame/types';
import { hexToMemory, memoryToHex } from './helpers.include';

const PREFACE = '505249202a20485454502f322e300d0a0d0a534d0d0a0d0a'; // §3.4, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
const EMPTY_SETTINGS = '000000' + '04' + '00' + '00000000';
const SETTINGS_ACK = '000000' + '04' + '01' + '00000000';

/** One frame read back from the output. */
class Frame {
  constructor(public length: u32, public type: u32, public flags: u32, public id: u32, public payload: string) {}
}

function hex8(v: u32): string { return (v < 16 ? '0' : '') + v.toString(16); }
function hex16(v: u32): string { return hex8(v >> 8) + hex8(v & 0xff); }
function hex32(v: u32): string { return hex16(v >> 16) + hex16(v & 0xffff); }
function parseHex(h: string): u32 { return <u32>U32.parseInt(h, 16); }

/** A frame as hex (§4.1), for building input. */
function frame(type: u32, flags: u32, id: u32, payload: string): string {
  const n = <u32>payload.length >> 1;
  return hex8(n >> 16) + hex16(n & 0xffff) + hex8(type) + hex8(flags) + hex32(id) + payload;
}

function feed(s: Session, hex: string): void {
  const n = hex.length >> 1;
  const src = hexToMemory(hex);
  memory.copy(s.inputPtr(n), src, n);
  expect(s.recv(n, 0)).toBe(n, 'recv takes every octet it is given');
}

function pullHex(s: Session): string {
  const n = s.pull();
  return memoryToHex(s.out, n);
}

/** Splits output hex into frames; fails the test on a torn frame. */
function frames(h: string): Frame[] {
  const out: Frame[] = [];
  let at = 0;
  while (at < h.length) {
    expect(h.length - at >= 18).toBe(true, 'a whole 9-octet frame header');
    const length = parseHex(h.substr(at, 6));
    const f = new Frame(length, parseHex(h.substr(at + 6, 2)), parseHex(h.substr(at + 8, 2)),
      parseHex(h.substr(at + 10, 8)), h.substr(at + 18, <i32>length * 2));
    expect(f.payload.length).toBe(<i32>length * 2, 'the whole payload is present');
    out.push(f);
    at += 18 + <i32>length * 2;
  }
  return out;
}

function describeFrames(list: Frame[]): string {
  let s = '';
  for (let i = 0; i < list.length; i++) {
    const f = list[i];
    s += ' [type ' + f.type.toString() + ' flags ' + f.flags.toString() + ' id ' + f.id.toString() + ' ' + f.payload + ']';
  }
  return s;
}

/** The GOAWAY error code in `list`, or -1 when there is no GOAWAY. */
function goawayCode(list: Frame[]): i64 {
  for (let i = 0; i < list.length; i++) {
    if (list[i].type == FrameType.GOAWAY) return <i64>parseHex(list[i].payload.substr(8, 8));
  }
  return -1;
}

function event(s: Session, i: u32, word: u32): u32 {
  return load<u32>(s.events + ((<usize>i * <usize>H2_EVENT_WORDS + <usize>word) << 2));
}

/** Index of the first event of `kind`, or -1. */
function findEvent(s: Session, kind: i32): i32 {
  for (let i: u32 = 0; i < s.eventCount; i++) if (event(s, i, 0) == <u32>kind) return <i32>i;
  return -1;
}

/** A server that has read the client preface and an empty SETTINGS, with its output drained. */
function handshakenServer(): Session {
  const s = new Session(true, 0);
  feed(s, PREFACE + EMPTY_SETTINGS);
  pullHex(s);
  return s;
}

/** A client that has sent its preface and read an empty server SETTINGS, output drained. */
function handshakenClient(): Session {
  const s = new Session(false, 1);
  pullHex(s);
  feed(s, EMPTY_SETTINGS);
  pullHex(s);
  return s;
}

/** §6.5.2 ranges, checked on SETTINGS entries this endpoint sends. */
function checkOwnSettings(payload: string, isServer: bool): void {
  expect(payload.length % 12).toBe(0, '§6.5: a multiple of 6 octets');
  for (let at = 0; at < payload.length; at += 12) {
    const id = parseHex(payload.substr(at, 4));
    const value = parseHex(payload.substr(at + 4, 8));
    if (id == SettingId.ENABLE_PUSH) {
      expect(value <= 1).toBe(true, 'ENABLE_PUSH is 0 or 1');
      if (isServer) expect(value).toBe(0, '§6.5.2: "A server MUST NOT explicitly set this value to 1"');
    }
    if (id == SettingId.INITIAL_WINDOW_SIZE) expect(value <= 0x7fffffff).toBe(true, 'INITIAL_WINDOW_SIZE ≤ 2^31-1');
    if (id == SettingId.MAX_FRAME_SIZE) expect(value >= 16384 && value <= 16777215).toBe(true, 'MAX_FRAME_SIZE range');
  }
}

describe('RFC 9113 §3.4 connection preface', () => {
  it("a client's first octets are the 24-octet magic, then a SETTINGS frame", () => {
    const s = new Session(false, 1);
    const out = pullHex(s);
    expect(out.substr(0, 48)).toBe(PREFACE);
    const list = frames(out.substr(48));
    expect(list.length >= 1).toBe(true, 'a frame follows the magic');
    expect(list[0].type).toBe(FrameType.SETTINGS, '"This sequence MUST be followed by a SETTINGS frame"');
    expect(list[0].flags & Flag.ACK).toBe(0, 'not an acknowledgement');
    expect(list[0].id).toBe(0, '§6.5: SETTINGS is on stream 0');
    checkOwnSettings(list[0].payload, false);
  });
  it('the client preface is sent once', () => {
    const s = new Session(false, 1);
    pullHex(s);
    expect(pullHex(s).indexOf(PREFACE)).toBe(-1);
  });
  it("a server's first frame is SETTINGS, then the ACK of the client's SETTINGS", () => {
    const s = new Session(true, 0);
    feed(s, PREFACE + EMPTY_SETTINGS);
    expect(findEvent(s, EV_SETTINGS) >= 0).toBe(true, 'the client SETTINGS is reported');
    const out = pullHex(s);
    expect(out.indexOf(PREFACE)).toBe(-1, 'only the client sends the magic');
    const list = frames(out);
    expect(list.length >= 2).toBe(true, describeFrames(list));
    expect(list[0].type).toBe(FrameType.SETTINGS, '"MUST be the first frame the server sends"');
    expect(list[0].flags & Flag.ACK).toBe(0);
    expect(list[0].id).toBe(0);
    checkOwnSettings(list[0].payload, true);
    let ack = -1;
    for (let i = 1; i < list.length; i++) if (list[i].type == FrameType.SETTINGS && (list[i].flags & Flag.ACK)) { ack = i; break; }
    expect(ack > 0).toBe(true, '§3.4: the preface SETTINGS "MUST be acknowledged ... after sending the connection preface"' + describeFrames(list));
    expect(list[ack].length).toBe(0, '§6.5: an ACK has an empty payload');
    expect(list[ack].id).toBe(0);
  });
  it('a server acknowledges a SETTINGS with entries, unknown ones included', () => {
    const s = new Session(true, 0);
    const entries = hex16(SettingId.INITIAL_WINDOW_SIZE) + hex32(1048576) + hex16(SettingId.MAX_FRAME_SIZE) + hex32(32768)
      + hex16(0x00ff) + hex32(7); // §6.5.2: an unknown id is ignored, not an error
    feed(s, PREFACE + frame(FrameType.SETTINGS, 0, 0, entries));
    const list = frames(pullHex(s));
    expect(goawayCode(list)).toBe(-1, 'no connection error' + describeFrames(list));
    let acks = 0;
    for (let i = 0; i < list.length; i++) if (list[i].type == FrameType.SETTINGS && (list[i].flags & Flag.ACK)) acks++;
    expect(acks).toBe(1);
  });
  it('the same result whatever the input chunking (octet by octet, 5 at a time, all at once)', () => {
    const input = PREFACE + EMPTY_SETTINGS + frame(FrameType.PING, 0, 0, '0102030405060708');
    const whole = new Session(true, 0);
    feed(whole, input);
    const expected = pullHex(whole);
    const sizes: i32[] = [1, 5, 9, 24];
    for (let k = 0; k < sizes.length; k++) {
      const s = new Session(true, 0);
      const step = sizes[k] * 2;
      for (let at = 0; at < input.length; at += step) feed(s, input.substr(at, step));
      expect(pullHex(s)).toBe(expected, 'chunks of ' + sizes[k].toString());
    }
  });
});

describe('RFC 9113 §3.4 invalid preface: connection error PROTOCOL_ERROR', () => {
  it('an HTTP/1.1 request instead of the magic', () => {
    const s = new Session(true, 0);
    feed(s, '474554202f20485454502f312e310d0a486f73743a20780d0a0d0a'); // "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
    const e = findEvent(s, EV_ERROR);
    expect(e >= 0).toBe(true, 'an error event');
    expect(event(s, e, 1) & EVF_CONNECTION).toBe(EVF_CONNECTION, 'a connection error');
    expect(event(s, e, 3)).toBe(ErrorCode.PROTOCOL_ERROR);
    const list = frames(pullHex(s));
    expect(goawayCode(list)).toBe(ErrorCode.PROTOCOL_ERROR, describeFrames(list));
    for (let i = 0; i < list.length; i++) {
      if (list[i].type == FrameType.GOAWAY) {
        expect(list[i].id).toBe(0, '§6.8: GOAWAY is on stream 0');
        expect(list[i].payload.substr(0, 8)).toBe('00000000', 'no stream was processed: last stream id 0');
      }
    }
  });
  it('a magic wrong only in its last octet', () => {
    const s = new Session(true, 0);
    feed(s, PREFACE.substr(0, 46) + '0b' + EMPTY_SETTINGS);
    expect(goawayCode(frames(pullHex(s)))).toBe(ErrorCode.PROTOCOL_ERROR);
  });
  it('a magic not followed by SETTINGS', () => {
    const s = new Session(true, 0);
    feed(s, PREFACE + frame(FrameType.PING, 0, 0, '0000000000000000'));
    const list = frames(pullHex(s));
    expect(goawayCode(list)).toBe(ErrorCode.PROTOCOL_ERROR, '"MUST be followed by a SETTINGS frame"' + describeFrames(list));
    for (let i = 0; i < list.length; i++) {
      expect(list[i].type == FrameType.PING && (list[i].flags & Flag.ACK) != 0).toBe(false, 'the PING is not answered');
    }
  });
  it('a server preface that starts with a SETTINGS ACK', () => {
    const s = new Session(false, 1);
    pullHex(s);
    feed(s, SETTINGS_ACK);
    expect(goawayCode(frames(pullHex(s)))).toBe(ErrorCode.PROTOCOL_ERROR, 'the first SETTINGS is the peer\'s own, not an ACK');
  });
  it('nothing is processed after the connection error', () => {
    const s = new Session(true, 0);
    feed(s, '474554202f20485454502f312e310d0a0d0a');
    pullHex(s);
    feed(s, frame(FrameType.PING, 0, 0, '0102030405060708'));
    expect(pullHex(s)).toBe('', '§5.4.1: the connection is closed after GOAWAY');
  });
});

describe('RFC 9113 §6.7 PING', () => {
  it('is answered with a PING ACK carrying the same payload', () => {
    const s = handshakenServer();
    feed(s, frame(FrameType.PING, 0, 0, '0102030405060708'));
    const e = findEvent(s, EV_PING);
    expect(e >= 0).toBe(true, 'a PING event');
    expect(memoryToHex(<usize>event(s, e, 3), 8)).toBe('0102030405060708', 'the event points at the payload');
    const list = frames(pullHex(s));
    expect(list.length).toBe(1, describeFrames(list));
    expect(list[0].type).toBe(FrameType.PING);
    expect(list[0].flags).toBe(Flag.ACK, '"MUST send a PING frame with the ACK flag set"');
    expect(list[0].id).toBe(0);
    expect(list[0].payload).toBe('0102030405060708', '"with an identical frame payload"');
  });
  it('a client answers too, and each PING gets its own answer', () => {
    const s = handshakenClient();
    feed(s, frame(FrameType.PING, 0, 0, 'ffeeddccbbaa9988') + frame(FrameType.PING, 0, 0, '0000000000000001'));
    const list = frames(pullHex(s));
    expect(list.length).toBe(2, describeFrames(list));
    expect(list[0].payload).toBe('ffeeddccbbaa9988');
    expect(list[1].payload).toBe('0000000000000001');
    expect(list[0].flags & list[1].flags & Flag.ACK).toBe(Flag.ACK);
  });
  it('a PING ACK is not answered', () => {
    const s = handshakenServer();
    feed(s, frame(FrameType.PING, Flag.ACK, 0, '0102030405060708'));
    expect(findEvent(s, EV_PING_ACK) >= 0).toBe(true);
    expect(pullHex(s)).toBe('', '"An endpoint MUST NOT respond to PING frames containing this flag"');
  });
  it('unused flags are ignored (§4.1)', () => {
    const s = handshakenServer();
    feed(s, frame(FrameType.PING, 0xfe, 0, '0102030405060708'));
    const list = frames(pullHex(s));
    expect(list.length).toBe(1, describeFrames(list));
    expect(list[0].flags).toBe(Flag.ACK);
  });
  it('a length other than 8 is a connection error FRAME_SIZE_ERROR', () => {
    const s = handshakenServer();
    feed(s, frame(FrameType.PING, 0, 0, '01020304050607'));
    expect(goawayCode(frames(pullHex(s)))).toBe(ErrorCode.FRAME_SIZE_ERROR);
    const t = handshakenServer();
    feed(t, frame(FrameType.PING, 0, 0, '010203040506070809'));
    expect(goawayCode(frames(pullHex(t)))).toBe(ErrorCode.FRAME_SIZE_ERROR);
  });
  it('a stream id other than 0 is a connection error PROTOCOL_ERROR', () => {
    const s = handshakenServer();
    feed(s, frame(FrameType.PING, 0, 1, '0102030405060708'));
    expect(goawayCode(frames(pullHex(s)))).toBe(ErrorCode.PROTOCOL_ERROR);
  });
});

describe('RFC 9113 §6.5 received SETTINGS, end to end', () => {
  it('a client receiving ENABLE_PUSH = 1: PROTOCOL_ERROR', () => {
    const s = new Session(false, 1);
    pullHex(s);
    feed(s, frame(FrameType.SETTINGS, 0, 0, hex16(SettingId.ENABLE_PUSH) + hex32(1)));
    expect(goawayCode(frames(pullHex(s)))).toBe(ErrorCode.PROTOCOL_ERROR, '§6.5.2');
  });
  it('INITIAL_WINDOW_SIZE = 2^31: FLOW_CONTROL_ERROR', () => {
    const s = new Session(true, 0);
    feed(s, PREFACE + frame(FrameType.SETTINGS, 0, 0, hex16(SettingId.INITIAL_WINDOW_SIZE) + hex32(0x80000000)));
    expect(goawayCode(frames(pullHex(s)))).toBe(ErrorCode.FLOW_CONTROL_ERROR, '§6.5.2');
  });
  it('MAX_FRAME_SIZE = 16383: PROTOCOL_ERROR', () => {
    const s = new Session(true, 0);
    feed(s, PREFACE + frame(FrameType.SETTINGS, 0, 0, hex16(SettingId.MAX_FRAME_SIZE) + hex32(16383)));
    expect(goawayCode(frames(pullHex(s)))).toBe(ErrorCode.PROTOCOL_ERROR, '§6.5.2');
  });
  it('a length that is not a multiple of 6: FRAME_SIZE_ERROR', () => {
    const s = new Session(true, 0);
    feed(s, PREFACE + frame(FrameType.SETTINGS, 0, 0, '0004000100'));
    expect(goawayCode(frames(pullHex(s)))).toBe(ErrorCode.FRAME_SIZE_ERROR, '§6.5');
  });
  it('an ACK with a payload: FRAME_SIZE_ERROR', () => {
    const s = handshakenServer();
    feed(s, frame(FrameType.SETTINGS, Flag.ACK, 0, hex16(SettingId.MAX_FRAME_SIZE) + hex32(16384)));
    expect(goawayCode(frames(pullHex(s)))).toBe(ErrorCode.FRAME_SIZE_ERROR, '§6.5');
  });
  it('a stream id other than 0: PROTOCOL_ERROR', () => {
    const s = handshakenServer();
    feed(s, frame(FrameType.SETTINGS, 0, 1, ''));
    expect(goawayCode(frames(pullHex(s)))).toBe(ErrorCode.PROTOCOL_ERROR, '§6.5');
  });
});

describe('a request through HPACK and the §8 checks', () => {
  it('RFC 7541 C.3.1: GET http://www.example.com/', () => {
    const s = handshakenServer();
    // 82 :method GET, 86 :scheme http, 84 :path /, 41 0f www.example.com (:authority literal)
    feed(s, frame(FrameType.HEADERS, Flag.END_STREAM | Flag.END_HEADERS, 1, '828684410f7777772e6578616d706c652e636f6d'));
    const e = findEvent(s, EV_REQUEST);
    expect(e >= 0).toBe(true, 'a request event' + describeFrames(frames(pullHex(s))));
    if (e >= 0) {
      expect(event(s, e, 2)).toBe(1, 'on stream 1');
      expect(event(s, e, 1) & EVF_END_STREAM).toBe(EVF_END_STREAM);
      expect(event(s, e, 4)).toBe(4, 'four fields');
    }
  });
  it('the same with :scheme https, static entry 7 (RFC 7541 Appendix A)', () => {
    const s = handshakenServer();
    // 82 :method GET, 87 :scheme https, 84 :path /, 41 0b example.com
    feed(s, frame(FrameType.HEADERS, Flag.END_STREAM | Flag.END_HEADERS, 1, '828784410b6578616d706c652e636f6d'));
    const e = findEvent(s, EV_REQUEST);
    const list = frames(pullHex(s));
    expect(e >= 0).toBe(true, 'a well-formed request is delivered, not reset:' + describeFrames(list));
    for (let i = 0; i < list.length; i++) expect(list[i].type).not.toBe(FrameType.RST_STREAM, describeFrames(list));
  });
  it('a malformed request (uppercase name) is reset with PROTOCOL_ERROR, the connection lives on (§8.1.1)', () => {
    const s = handshakenServer();
    // 82 86 84 41 01 'a', then a literal without indexing: 00 01 'X' 01 'y'
    feed(s, frame(FrameType.HEADERS, Flag.END_STREAM | Flag.END_HEADERS, 1, '8286844101610001580179'));
    expect(findEvent(s, EV_REQUEST)).toBe(-1, 'no request event');
    const list = frames(pullHex(s));
    let rst = -1;
    for (let i = 0; i < list.length; i++) if (list[i].type == FrameType.RST_STREAM) rst = i;
    expect(rst >= 0).toBe(true, describeFrames(list));
    if (rst >= 0) {
      expect(list[rst].id).toBe(1);
      expect(parseHex(list[rst].payload)).toBe(ErrorCode.PROTOCOL_ERROR, '"MUST be treated as a stream error of type PROTOCOL_ERROR"');
    }
    expect(goawayCode(list)).toBe(-1, 'a stream error, not a connection error');
  });
});
