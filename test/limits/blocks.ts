// Field blocks written octet by octet from RFC 7541 — no Huffman, no encoder of this project —
// so the limit tests control exactly which fields enter the peer's dynamic table and how large
// each decoded field is (RFC 9113 §6.5.2: a field's size is its name and value octets plus 32).
import { concat, latin1 } from '../helpers/frames.ts';

/** RFC 7541 §5.1: an integer with an N-bit prefix; `flags` fills the bits above the prefix. */
export function integer(value: number, prefixBits: number, flags = 0): Uint8Array {
  const max = (1 << prefixBits) - 1;
  if (value < max) return Uint8Array.of(flags | value);
  const out = [flags | max];
  let rest = value - max;
  while (rest >= 128) {
    out.push((rest % 128) + 128);
    rest = Math.floor(rest / 128);
  }
  out.push(rest);
  return Uint8Array.from(out);
}

/** RFC 7541 §5.2: a string literal without Huffman coding (H = 0). */
export function stringLiteral(s: string | Uint8Array): Uint8Array {
  const bytes = typeof s === 'string' ? latin1(s) : s;
  return concat(integer(bytes.length, 7, 0), bytes);
}

/** RFC 7541 §6.1: an indexed field (static 1–61, dynamic from 62, newest first). */
export const indexed = (index: number): Uint8Array => integer(index, 7, 0x80);

export type Indexing = 'incremental' | 'without' | 'never';

// §6.2.1 (01, 6-bit prefix), §6.2.2 (0000, 4-bit prefix), §6.2.3 (0001, 4-bit prefix).
const PREFIX: Record<Indexing, [bits: number, flags: number]> = {
  incremental: [6, 0x40],
  without: [4, 0x00],
  never: [4, 0x10],
};

/** A literal field with a new name (§6.2). */
export function literal(name: string, value: string | Uint8Array, indexing: Indexing = 'without'): Uint8Array {
  const [bits, flags] = PREFIX[indexing];
  return concat(integer(0, bits, flags), stringLiteral(name), stringLiteral(value));
}

/** A literal field whose name is the static or dynamic entry `index` (§6.2). */
export function literalIndexedName(index: number, value: string | Uint8Array, indexing: Indexing = 'without'): Uint8Array {
  const [bits, flags] = PREFIX[indexing];
  return concat(integer(index, bits, flags), stringLiteral(value));
}

/**
 * GET https://example.com/ (RFC 7541 Appendix A: 2 `:method: GET`, 7 `:scheme: https`,
 * 4 `:path: /`, name 1 `:authority`). Its decoded size is 42 + 44 + 38 + 53 = 177 octets.
 */
export const GET_BLOCK = concat(indexed(2), indexed(7), indexed(4), literalIndexedName(1, 'example.com'));
export const GET_LIST_SIZE = 177;
export const GET_FIELDS = 4;

/** POST https://example.com/upload (3 is `:method: POST`). */
export const POST_BLOCK = concat(indexed(3), indexed(7), literalIndexedName(4, '/upload'), literalIndexedName(1, 'example.com'));

/** The decoded size of one field (RFC 9113 §6.5.2, RFC 7541 §4.1). */
export const fieldSize = (name: string, value: string | number): number =>
  name.length + (typeof value === 'number' ? value : value.length) + 32;

/**
 * Regular fields `x-fill-N: aaa…` (literal, not indexed) that add exactly `size` octets to a
 * header list, no field carrying more than `maxValue` value octets. `size` must be ≥ 40.
 */
export function fillerFields(size: number, maxValue = 16000): Uint8Array {
  const parts: Uint8Array[] = [];
  let left = size;
  for (let i = 0; left > 0; i++) {
    const name = `x-fill-${String(i).padStart(3, '0')}`; // one width: every field costs the same overhead
    const overhead = name.length + 32;
    if (left < overhead) throw new RangeError(`fillerFields: ${left} octets left, less than a field`);
    let value = Math.min(maxValue, left - overhead);
    // Leave either nothing or room for one more whole field.
    const rest = left - overhead - value;
    if (rest > 0 && rest < overhead + 1) value -= overhead + 1 - rest;
    parts.push(literal(name, 'a'.repeat(value)));
    left -= overhead + value;
  }
  return concat(...parts);
}

/** A GET whose decoded header list is exactly `size` octets (≥ 177 + 40). */
export function getOfListSize(size: number, maxValue?: number): Uint8Array {
  return concat(GET_BLOCK, fillerFields(size - GET_LIST_SIZE, maxValue));
}

/** A GET with exactly `count` fields in all (the four pseudo-header fields included). */
export function getWithFieldCount(count: number): Uint8Array {
  const parts = [GET_BLOCK];
  for (let i = GET_FIELDS; i < count; i++) parts.push(literal(`x-h${i}`, 'v'));
  return concat(...parts);
}
