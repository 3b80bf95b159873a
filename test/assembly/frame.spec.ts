// The frame header (RFC 9113 §4.1), the big-endian helpers under it (network byte order), and
// the protocol numbers of assembly/frame/types.ts checked against the RFCs' registries.
// Expected octets are written out by hand from the RFC's frame layout.
import { writeFrameHeader, load32, load24, load16, store32, store16 } from '../../assembly/common/bytes';
import {
  FrameType, Flag, ErrorCode, SettingId, FRAME_HEADER_LENGTH, MAX_WINDOW, DEFAULT_WINDOW,
  MIN_MAX_FRAME_SIZE, MAX_MAX_FRAME_SIZE, MAX_STREAM_ID,
} from '../../assembly/frame/types';
import { hexToMemory, memoryToHex } from './helpers.include';

/** The 9 header octets `writeFrameHeader` produces, as hex; also checks the returned pointer. */
function header(length: u32, type: u8, flags: u8, streamId: u32): string {
  const p = heap.alloc(16);
  memory.fill(p, 0xee, 16); // whatever was there must be overwritten, and nothing past octet 9
  const payload = writeFrameHeader(p, length, type, flags, streamId);
  expect(payload - p).toBe(9, 'the payload starts right after the 9-octet header (§4.1)');
  expect(load<u8>(p + 9)).toBe(0xee, 'nothing is written past the header');
  return memoryToHex(p, 9);
}

describe('RFC 9113 §4.1 frame header layout', () => {
  it('is Length (24) | Type (8) | Flags (8) | R (1) + Stream Identifier (31), big-endian', () => {
    expect(header(0x123456, 0x9a, 0xbc, 0x12345678)).toBe('123456' + '9a' + 'bc' + '12345678');
  });
  it('an empty SETTINGS ACK on stream 0', () => {
    expect(header(0, FrameType.SETTINGS, Flag.ACK, 0)).toBe('000000040100000000');
  });
  it('a PING with its 8-octet payload length', () => {
    expect(header(8, FrameType.PING, 0, 0)).toBe('000008060000000000');
  });
  it('HEADERS with END_STREAM | END_HEADERS on stream 1', () => {
    expect(header(13, FrameType.HEADERS, Flag.END_STREAM | Flag.END_HEADERS, 1)).toBe('00000d010500000001');
  });
  it('the largest length, 2^24−1 (the largest SETTINGS_MAX_FRAME_SIZE, §4.2)', () => {
    expect(header(16777215, FrameType.DATA, 0, 3)).toBe('ffffff000000000003');
  });
  it('the default maximum length 2^14 = 16384', () => {
    expect(header(16384, FrameType.DATA, 0, 3)).toBe('004000000000000003');
  });
  it('the largest stream id 2^31−1 (§5.1.1)', () => {
    expect(header(0, FrameType.WINDOW_UPDATE, 0, 0x7fffffff)).toBe('000000' + '08' + '00' + '7fffffff');
  });
  it('leaves the reserved bit unset even when the id argument has it (§4.1 "MUST remain unset")', () => {
    expect(header(4, FrameType.RST_STREAM, 0, 0x80000001)).toBe('000004' + '03' + '00' + '00000001');
    expect(header(0, FrameType.DATA, 0, 0xffffffff)).toBe('000000' + '00' + '00' + '7fffffff');
    expect(header(0, FrameType.DATA, 0, 0x80000000)).toBe('000000000000000000');
  });
  it('keeps every flag bit the caller sets (flags are type-specific, §4.1)', () => {
    expect(header(0, FrameType.HEADERS, 0xff, 5)).toBe('00000001ff00000005');
  });
});

describe('big-endian loads and stores (network byte order, RFC 9113 §4.1)', () => {
  it('load32 / load24 / load16 read most significant octet first', () => {
    const p = hexToMemory('0102030405');
    expect(load32(p)).toBe(0x01020304);
    expect(load32(p + 1)).toBe(0x02030405);
    expect(load24(p)).toBe(0x010203);
    expect(load16(p)).toBe(0x0102);
    expect(load16(p + 3)).toBe(0x0405);
  });
  it('loads do not sign-extend octets at or above 0x80', () => {
    const p = hexToMemory('fffefdfc');
    expect(load32(p)).toBe(0xfffefdfc);
    expect(load24(p)).toBe(0xfffefd);
    expect(load16(p)).toBe(0xfffe);
  });
  it('store32 writes most significant octet first', () => {
    const p = heap.alloc(8);
    memory.fill(p, 0xee, 8);
    store32(p, 0x7fffffff);
    expect(memoryToHex(p, 5)).toBe('7fffffffee');
    store32(p, 0x00010203);
    expect(memoryToHex(p, 4)).toBe('00010203');
  });
  it('store16 writes the low 16 bits, most significant first, and only 2 octets', () => {
    const p = heap.alloc(8);
    memory.fill(p, 0xee, 8);
    store16(p, 0x0005);
    expect(memoryToHex(p, 3)).toBe('0005ee');
    store16(p, 0x12345); // a SETTINGS identifier is 16 bits (§6.5.1)
    expect(memoryToHex(p, 3)).toBe('2345ee');
  });
  it('store then load is the identity for values across the range', () => {
    const p = heap.alloc(8);
    let v: u32 = 1;
    for (let i = 0; i < 64; i++) {
      store32(p, v);
      expect(load32(p)).toBe(v);
      store16(p, v & 0xffff);
      expect(load16(p)).toBe(v & 0xffff);
      v = v * 1664525 + 1013904223; // a linear congruential step: values spread over all 32 bits
    }
  });
  it('a SETTINGS entry (§6.5.1) is a 16-bit identifier then a 32-bit value', () => {
    const p = heap.alloc(8);
    store16(p, SettingId.INITIAL_WINDOW_SIZE);
    store32(p + 2, 0x7fffffff);
    expect(memoryToHex(p, 6)).toBe('00047fffffff');
  });
});

describe('protocol numbers from the RFC registries', () => {
  it('frame types: RFC 9113 §6 and §11.2, RFC 7838 §4, RFC 8336 §2, RFC 9218 §7.1', () => {
    expect(FrameType.DATA).toBe(0x0);
    expect(FrameType.HEADERS).toBe(0x1);
    expect(FrameType.PRIORITY).toBe(0x2);
    expect(FrameType.RST_STREAM).toBe(0x3);
    expect(FrameType.SETTINGS).toBe(0x4);
    expect(FrameType.PUSH_PROMISE).toBe(0x5);
    expect(FrameType.PING).toBe(0x6);
    expect(FrameType.GOAWAY).toBe(0x7);
    expect(FrameType.WINDOW_UPDATE).toBe(0x8);
    expect(FrameType.CONTINUATION).toBe(0x9);
    expect(FrameType.ALTSVC).toBe(0xa);
    expect(FrameType.ORIGIN).toBe(0xc);
    expect(FrameType.PRIORITY_UPDATE).toBe(0x10);
  });
  it('flags: RFC 9113 §6.1, §6.2, §6.5, §6.7', () => {
    expect(Flag.END_STREAM).toBe(0x1);
    expect(Flag.ACK).toBe(0x1);
    expect(Flag.END_HEADERS).toBe(0x4);
    expect(Flag.PADDED).toBe(0x8);
    expect(Flag.PRIORITY).toBe(0x20);
  });
  it('error codes: RFC 9113 §7', () => {
    expect(ErrorCode.NO_ERROR).toBe(0x0);
    expect(ErrorCode.PROTOCOL_ERROR).toBe(0x1);
    expect(ErrorCode.INTERNAL_ERROR).toBe(0x2);
    expect(ErrorCode.FLOW_CONTROL_ERROR).toBe(0x3);
    expect(ErrorCode.SETTINGS_TIMEOUT).toBe(0x4);
    expect(ErrorCode.STREAM_CLOSED).toBe(0x5);
    expect(ErrorCode.FRAME_SIZE_ERROR).toBe(0x6);
    expect(ErrorCode.REFUSED_STREAM).toBe(0x7);
    expect(ErrorCode.CANCEL).toBe(0x8);
    expect(ErrorCode.COMPRESSION_ERROR).toBe(0x9);
    expect(ErrorCode.CONNECT_ERROR).toBe(0xa);
    expect(ErrorCode.ENHANCE_YOUR_CALM).toBe(0xb);
    expect(ErrorCode.INADEQUATE_SECURITY).toBe(0xc);
    expect(ErrorCode.HTTP_1_1_REQUIRED).toBe(0xd);
  });
  it('settings: RFC 9113 §6.5.2, RFC 8441 §3, RFC 9218 §2.1', () => {
    expect(SettingId.HEADER_TABLE_SIZE).toBe(0x1);
    expect(SettingId.ENABLE_PUSH).toBe(0x2);
    expect(SettingId.MAX_CONCURRENT_STREAMS).toBe(0x3);
    expect(SettingId.INITIAL_WINDOW_SIZE).toBe(0x4);
    expect(SettingId.MAX_FRAME_SIZE).toBe(0x5);
    expect(SettingId.MAX_HEADER_LIST_SIZE).toBe(0x6);
    expect(SettingId.ENABLE_CONNECT_PROTOCOL).toBe(0x8);
    expect(SettingId.NO_RFC7540_PRIORITIES).toBe(0x9);
  });
  it('sizes and limits: §4.1 header, §4.2 frame sizes, §5.1.1 ids, §6.9 windows', () => {
    expect(FRAME_HEADER_LENGTH).toBe(9);
    expect(MIN_MAX_FRAME_SIZE).toBe(16384);
    expect(MAX_MAX_FRAME_SIZE).toBe(16777215);
    expect(MAX_STREAM_ID).toBe(2147483647);
    expect(MAX_WINDOW).toBe(2147483647);
    expect(DEFAULT_WINDOW).toBe(65535);
  });
});
