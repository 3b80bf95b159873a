// Prefix integers, RFC 7541 §5.1 and the examples of Appendix C.1.
import { decodeInteger, encodeInteger, integerEnd, INTEGER_INCOMPLETE, INTEGER_OVERFLOW } from '../../assembly/hpack/integer';

describe('RFC 7541 §5.1 prefix integers', () => {
  it('C.1.1: 10 with a 5-bit prefix is one octet 0x0a', () => {
    const p = heap.alloc(8);
    expect(encodeInteger(p, 0, 5, 10) - p).toBe(1);
    expect(load<u8>(p)).toBe(0x0a);
    expect(decodeInteger(p, p + 1, 5)).toBe(10);
    expect(integerEnd).toBe(p + 1);
  });
  it('C.1.2: 1337 with a 5-bit prefix is 1f 9a 0a', () => {
    const p = heap.alloc(8);
    expect(encodeInteger(p, 0, 5, 1337) - p).toBe(3);
    expect(load<u8>(p)).toBe(0x1f);
    expect(load<u8>(p + 1)).toBe(0x9a);
    expect(load<u8>(p + 2)).toBe(0x0a);
    expect(decodeInteger(p, p + 3, 5)).toBe(1337);
  });
  it('C.1.3: 42 at an octet boundary is 2a', () => {
    const p = heap.alloc(8);
    expect(encodeInteger(p, 0, 8, 42) - p).toBe(1);
    expect(load<u8>(p)).toBe(42);
    expect(decodeInteger(p, p + 1, 8)).toBe(42);
  });
  it('keeps the representation bits OR-ed into the first octet', () => {
    const p = heap.alloc(8);
    encodeInteger(p, 0x80, 7, 2);
    expect(load<u8>(p)).toBe(0x82);
    expect(decodeInteger(p, p + 1, 7)).toBe(2);
  });
  it('the prefix value itself needs a continuation octet (2^N−1 → N bits all ones, then 0)', () => {
    const p = heap.alloc(8);
    expect(encodeInteger(p, 0, 5, 31) - p).toBe(2);
    expect(load<u8>(p)).toBe(0x1f);
    expect(load<u8>(p + 1)).toBe(0);
    expect(decodeInteger(p, p + 2, 5)).toBe(31);
  });
  it('round-trips values up to 2^31−1 for every prefix', () => {
    const p = heap.alloc(16);
    const values: u32[] = [0, 1, 30, 31, 32, 126, 127, 128, 255, 16383, 16384, 1 << 21, 0x7fffffff];
    for (let prefix: u32 = 1; prefix <= 8; prefix++) {
      for (let i = 0; i < values.length; i++) {
        const end = encodeInteger(p, 0, prefix, values[i]);
        expect(decodeInteger(p, end, prefix)).toBe(<i32>values[i]);
        expect(integerEnd).toBe(end);
      }
    }
  });
  it('reports an integer cut short as incomplete', () => {
    const p = heap.alloc(8);
    store<u8>(p, 0x1f);
    store<u8>(p + 1, 0x9a);
    expect(decodeInteger(p, p + 2, 5)).toBe(INTEGER_INCOMPLETE);
  });
  it('rejects values above 2^31−1 and over-long encodings as overflow', () => {
    const p = heap.alloc(16);
    // 2^31 with a 7-bit prefix: 7f 81 ff ff ff 07
    store<u8>(p, 0x7f); store<u8>(p + 1, 0x81); store<u8>(p + 2, 0xff); store<u8>(p + 3, 0xff);
    store<u8>(p + 4, 0xff); store<u8>(p + 5, 0x07);
    expect(decodeInteger(p, p + 6, 7)).toBe(INTEGER_OVERFLOW);
    // Endless zero-valued continuation octets: bounded, not a hang.
    store<u8>(p, 0x1f);
    for (let i = 1; i < 12; i++) store<u8>(p + i, 0x80);
    expect(decodeInteger(p, p + 12, 5)).toBe(INTEGER_OVERFLOW);
  });
});
