// A hand-written HPACK wire builder and representation walker, straight from RFC 7541 §5
// (primitive types) and §6 (binary format). Tests build expected and malformed header blocks
// with it; it shares nothing with the codec under test.

export type Bytes = number[];

/** RFC 7541 §5.1: `value` as an integer with an N-bit prefix; `flags` fills the bits above it. */
export function int(value: number, prefixBits: number, flags = 0): Bytes {
  const max = 2 ** prefixBits - 1;
  if (value < max) return [flags | value];
  const out = [flags | max];
  let rest = value - max;
  while (rest >= 128) {
    out.push((rest % 128) + 128);
    rest = Math.floor(rest / 128);
  }
  out.push(rest);
  return out;
}

/** The octets of a Latin-1 string (one octet per character, as the codec's API defines). */
export function latin1(s: string): Bytes {
  const out: Bytes = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) throw new RangeError(`not a byte string: U+${c.toString(16)}`);
    out.push(c);
  }
  return out;
}

/** RFC 7541 §5.2 with H = 0: a raw string literal. */
export function str(s: string): Bytes {
  return [...int(s.length, 7, 0x00), ...latin1(s)];
}

/** RFC 7541 §5.2 with H = 1: `octets` are already Huffman code (see `bits`). */
export function huffStr(octets: Bytes): Bytes {
  return [...int(octets.length, 7, 0x80), ...octets];
}

/** Packs a string of '0'/'1' (spaces ignored) into octets; its length must be whole octets. */
export function bits(b: string): Bytes {
  const s = b.replace(/\s+/g, '');
  if (s.length % 8 !== 0) throw new RangeError(`${s.length} bits is not whole octets`);
  const out: Bytes = [];
  for (let i = 0; i < s.length; i += 8) out.push(parseInt(s.slice(i, i + 8), 2));
  return out;
}

/** A few codes of RFC 7541 Appendix B, as bit strings. */
export const HUFFMAN_CODE = {
  a: '00011', // 'a' (97)
  zero: '00000', // '0' (48)
  slash: '011000', // '/' (47)
  EOS: '1'.repeat(30), // EOS (256)
} as const;

type Name = number | string; // a table index, or a literal name

function literal(prefixBits: number, flags: number, name: Name, value: string): Bytes {
  const head = typeof name === 'number' ? int(name, prefixBits, flags) : [...int(0, prefixBits, flags), ...str(name)];
  return [...head, ...str(value)];
}

/** RFC 7541 §6.1: indexed header field. */
export const indexed = (index: number): Bytes => int(index, 7, 0x80);
/** RFC 7541 §6.2.1: literal header field with incremental indexing (raw strings). */
export const incremental = (name: Name, value: string): Bytes => literal(6, 0x40, name, value);
/** RFC 7541 §6.2.2: literal header field without indexing (raw strings). */
export const withoutIndexing = (name: Name, value: string): Bytes => literal(4, 0x00, name, value);
/** RFC 7541 §6.2.3: literal header field never indexed (raw strings). */
export const neverIndexed = (name: Name, value: string): Bytes => literal(4, 0x10, name, value);
/** RFC 7541 §6.3: dynamic table size update. */
export const sizeUpdate = (size: number): Bytes => int(size, 5, 0x20);

/** Concatenates representations into one header block. */
export function block(...parts: Bytes[]): Uint8Array {
  return Uint8Array.from(parts.flat());
}

/** Hex (spaces and newlines ignored, as in RFC 7541 Appendix C dumps) to bytes. */
export function fromHex(hex: string): Uint8Array {
  const s = hex.replace(/\s+/g, '');
  const out = new Uint8Array(s.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function toHex(bytes: ArrayLike<number>): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += bytes[i].toString(16).padStart(2, '0');
  return s;
}

/** Size of a header field in the dynamic table, RFC 7541 §4.1. */
export const entrySize = (name: string, value: string): number => name.length + value.length + 32;

export type RepKind = 'indexed' | 'incremental' | 'without' | 'never' | 'size-update';
export interface WireString { huffman: boolean; octets: Uint8Array }
export interface Rep {
  kind: RepKind;
  /** indexed: the field's index; literals: the name's index (0 = literal name); size update: the size */
  index: number;
  /** literal name (when index is 0) and value, as they are on the wire */
  name?: WireString;
  value?: WireString;
  /** where the representation starts in the block */
  offset: number;
}

/**
 * Walks a block representation by representation (RFC 7541 §6), without decoding Huffman
 * strings or consulting any table: it tells which representation each field uses.
 */
export function representations(blockBytes: Uint8Array): Rep[] {
  let pos = 0;
  const readInt = (prefixBits: number): number => {
    if (pos >= blockBytes.length) throw new RangeError('truncated integer');
    const max = 2 ** prefixBits - 1;
    let value = blockBytes[pos++] & max;
    if (value < max) return value;
    let m = 1;
    for (;;) {
      if (pos >= blockBytes.length) throw new RangeError('truncated integer');
      const b = blockBytes[pos++];
      value += (b & 0x7f) * m;
      m *= 128;
      if ((b & 0x80) === 0) return value;
    }
  };
  const readString = (): WireString => {
    if (pos >= blockBytes.length) throw new RangeError('truncated string');
    const huffman = (blockBytes[pos] & 0x80) !== 0;
    const len = readInt(7);
    if (pos + len > blockBytes.length) throw new RangeError('truncated string');
    const octets = blockBytes.slice(pos, pos + len);
    pos += len;
    return { huffman, octets };
  };
  const out: Rep[] = [];
  while (pos < blockBytes.length) {
    const offset = pos;
    const first = blockBytes[pos];
    let kind: RepKind;
    let prefix: number;
    if (first & 0x80) { kind = 'indexed'; prefix = 7; }
    else if (first & 0x40) { kind = 'incremental'; prefix = 6; }
    else if (first & 0x20) { kind = 'size-update'; prefix = 5; }
    else if (first & 0x10) { kind = 'never'; prefix = 4; }
    else { kind = 'without'; prefix = 4; }
    const index = readInt(prefix);
    const rep: Rep = { kind, index, offset };
    if (kind === 'incremental' || kind === 'without' || kind === 'never') {
      if (index === 0) rep.name = readString();
      rep.value = readString();
    }
    out.push(rep);
  }
  return out;
}

/** The literal strings of a block in wire order (names before values). */
export function wireStrings(reps: Rep[]): WireString[] {
  const out: WireString[] = [];
  for (const r of reps) {
    if (r.name) out.push(r.name);
    if (r.value) out.push(r.value);
  }
  return out;
}
