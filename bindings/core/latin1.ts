// Octet strings ↔ JS strings, one octet per character (Latin-1), as node:http2 does.

const CHUNK = 4096;

/** The octets u8[offset, offset + length) as a string. */
export function latin1Decode(u8: Uint8Array, offset: number, length: number): string {
  if (length <= 16) {
    let s = '';
    for (let i = offset, end = offset + length; i < end; i++) s += String.fromCharCode(u8[i]);
    return s;
  }
  if (length <= CHUNK) return String.fromCharCode.apply(null, u8.subarray(offset, offset + length) as unknown as number[]);
  let s = '';
  for (let i = 0; i < length; i += CHUNK) {
    const n = Math.min(CHUNK, length - i);
    s += String.fromCharCode.apply(null, u8.subarray(offset + i, offset + i + n) as unknown as number[]);
  }
  return s;
}

/**
 * Writes `s` as octets at u8[offset]; returns the end offset, or -1 when a character is above
 * U+00FF (the caller reports it).
 */
export function latin1Encode(s: string, u8: Uint8Array, offset: number): number {
  for (let i = 0, n = s.length; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) return -1;
    u8[offset++] = c;
  }
  return offset;
}
