// Prefix integers, RFC 7541 §5.1.

/** Where the last successful `decodeInteger` stopped. */
export let integerEnd: usize = 0;

export const INTEGER_INCOMPLETE: i32 = -1;
export const INTEGER_OVERFLOW: i32 = -2;
// 2^31−1 fits every length and index this codec accepts; a longer form is an attack.
const INTEGER_MAX: u64 = 0x7fffffff;

/** Decodes the integer whose first octet is at `p`. Returns its value (≥ 0) or a negative status. */
export function decodeInteger(p: usize, end: usize, prefixBits: u32): i32 {
  const mask: u32 = (1 << prefixBits) - 1;
  let value: u64 = load<u8>(p) & mask;
  p++;
  if (value < mask) { integerEnd = p; return <i32>value; }
  let shift: u64 = 0;
  while (true) {
    if (p >= end) return INTEGER_INCOMPLETE;
    const b = load<u8>(p++);
    value += (<u64>(b & 0x7f)) << shift;
    if (value > INTEGER_MAX) return INTEGER_OVERFLOW;
    if (!(b & 0x80)) break;
    shift += 7;
    if (shift > 28) return INTEGER_OVERFLOW;
  }
  integerEnd = p;
  return <i32>value;
}

/** Writes `value` with an N-bit prefix, OR-ing `first` into the first octet. Returns the end. */
export function encodeInteger(out: usize, first: u32, prefixBits: u32, value: u32): usize {
  const mask: u32 = (1 << prefixBits) - 1;
  if (value < mask) { store<u8>(out, first | value); return out + 1; }
  store<u8>(out++, first | mask);
  value -= mask;
  while (value >= 0x80) { store<u8>(out++, (value & 0x7f) | 0x80); value >>= 7; }
  store<u8>(out++, value);
  return out;
}
