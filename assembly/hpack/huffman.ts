// Huffman coding of string literals, RFC 7541 §5.2 and Appendix B.
import {
  HUFFMAN_CODES, HUFFMAN_LENGTHS, HUFFMAN_DECODE_WINDOW, HUFFMAN_FIRST_CODE, HUFFMAN_COUNT,
  HUFFMAN_OFFSET, HUFFMAN_SYMBOLS_BY_LENGTH, HUFFMAN_EOS, HUFFMAN_WINDOW_BITS, HUFFMAN_ENCODE,
} from './huffman-table.gen';

export const HUFFMAN_INVALID: isize = -1;

/** Upper bound of the decoded length (the shortest code is 5 bits), plus the decoder's 1-octet overrun. */
export function huffmanDecodedBound(encodedLength: usize): usize {
  return ((encodedLength << 3) / 5) + 2;
}

// Set by `longCode`: the symbol it found.
let longSymbol: u32 = 0;

/**
 * Set by `huffmanDecode`: whether it produced an octet above 0x7f. Such octets all have codes
 * longer than the window (19 bits and up), so only the canonical path can produce them.
 */
export let huffmanHigh: bool = false;

const WINDOW_SHIFT: u64 = 64 - <u64>HUFFMAN_WINDOW_BITS;

/** The decode-table entry for the next window of `acc`. */
// @ts-ignore: decorator
@inline function entry(acc: u64): u64 {
  return <u64>load<u32>(HUFFMAN_DECODE_WINDOW + ((<usize>(acc >> WINDOW_SHIFT)) << 2));
}

/**
 * Decodes a code longer than the window from the left-aligned bits in `acc` (`nbits`
 * of them valid), canonically, one length at a time. Returns the code's length, or 0 when the
 * bits run out first or the code is EOS.
 */
function longCode(acc: u64, nbits: u32): u32 {
  for (let l: u32 = HUFFMAN_WINDOW_BITS + 1; l <= 30; l++) {
    if (l > nbits) return 0; // a truncated code, or padding longer than 7 bits
    const code = <u32>(acc >> (64 - l));
    const first = load<u32>(HUFFMAN_FIRST_CODE + (<usize>l << 2));
    const delta = code - first;
    if (code >= first && delta < <u32>load<u16>(HUFFMAN_COUNT + (<usize>l << 1))) {
      longSymbol = load<u16>(HUFFMAN_SYMBOLS_BY_LENGTH + ((<usize>load<u16>(HUFFMAN_OFFSET + (<usize>l << 1)) + delta) << 1));
      if (longSymbol == HUFFMAN_EOS) return 0; // EOS inside the string
      if (longSymbol >= 0x80) huffmanHigh = true;
      return l;
    }
  }
  return 0;
}

/**
 * Decodes `len` octets at `src` into `dst` (room for huffmanDecodedBound(len) octets).
 * Returns the decoded length, or HUFFMAN_INVALID for EOS in the string, padding over 7 bits
 * or padding that is not the EOS prefix (all ones).
 */
export function huffmanDecode(src: usize, len: usize, dst: usize): isize {
  huffmanHigh = false;
  const end = src + len;
  let p = src;
  let out = dst;
  let acc: u64 = 0; // bits left-aligned at bit 63; the bits below the valid ones are input or 0
  let nbits: u32 = 0;
  // Bulk: refill to ≥ 56 bits with one 8-octet load, then decode while ≥ 30 bits remain (the
  // longest code), so no step checks the input's end.
  while (end - p >= 8) {
    acc |= bswap<u64>(load<u64>(p)) >> nbits;
    const take = (63 - nbits) >> 3;
    p += take;
    nbits += take << 3;
    do {
      const e = entry(acc);
      if (e & 0xc0) {
        // Two symbols are stored as one u16; `out` advances by how many were real.
        store<u16>(out, <u16>(e >> 8));
        out += <usize>((e >> 6) & 3);
        acc <<= e; // by lenTotal (e mod 64)
        nbits -= <u32>(e & 63);
      } else {
        const used = longCode(acc, nbits);
        if (!used) return HUFFMAN_INVALID;
        store<u8>(out++, <u8>longSymbol);
        acc <<= used;
        nbits -= used;
      }
    } while (nbits >= 30);
  }
  // The last octets, one at a time.
  while (true) {
    while (nbits <= 56 && p < end) {
      acc |= (<u64>load<u8>(p)) << (56 - nbits);
      p++;
      nbits += 8;
    }
    if (nbits < HUFFMAN_WINDOW_BITS) break; // the input is exhausted
    const e = entry(acc);
    if (e & 0xc0) {
      store<u16>(out, <u16>(e >> 8));
      out += <usize>((e >> 6) & 3);
      acc <<= e;
      nbits -= <u32>(e & 63);
    } else {
      const used = longCode(acc, nbits);
      if (!used) return HUFFMAN_INVALID;
      store<u8>(out++, <u8>longSymbol);
      acc <<= used;
      nbits -= used;
    }
  }
  // Whole short codes in the last bits, then at most 7 bits of padding.
  while (nbits > 0) {
    const e = entry(acc);
    const l1 = <u32>(e >> 24);
    if (!(e & 0xc0) || l1 > nbits) break;
    store<u8>(out++, <u8>(e >> 8));
    acc <<= l1;
    nbits -= l1;
  }
  if (nbits > 7) return HUFFMAN_INVALID;
  if (nbits && <u32>(acc >> (64 - nbits)) != (<u32>1 << nbits) - 1) return HUFFMAN_INVALID;
  return <isize>(out - dst);
}

/** Octets that the Huffman coding of these `len` octets takes. */
export function huffmanEncodedLength(src: usize, len: usize): usize {
  let bits: usize = 0;
  for (let i: usize = 0; i < len; i++) bits += load<u8>(HUFFMAN_LENGTHS + load<u8>(src + i));
  return (bits + 7) >> 3;
}

/** Huffman-codes `len` octets at `src` into `dst`, padding with ones. Returns the end of the output. */
export function huffmanEncode(src: usize, len: usize, dst: usize): usize {
  let acc: u64 = 0;
  let nbits: u64 = 0;
  let out = dst;
  for (let i: usize = 0; i < len; i++) {
    const e = load<u64>(HUFFMAN_ENCODE + (<usize>load<u8>(src + i) << 3));
    const l = e & 0xff;
    acc = (acc << l) | (e >> 8);
    nbits += l;
    if (nbits >= 32) {
      nbits -= 32;
      store<u32>(out, bswap<u32>(<u32>(acc >> nbits)));
      out += 4;
    }
  }
  if (nbits & 7) {
    const pad = 8 - (nbits & 7);
    acc = (acc << pad) | ((<u64>1 << pad) - 1);
    nbits += pad;
  }
  while (nbits >= 8) {
    nbits -= 8;
    store<u8>(out++, <u8>(acc >> nbits));
  }
  return out;
}
