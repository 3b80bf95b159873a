// Huffman coding of string literals, RFC 7541 §5.2 and Appendix B.
import {
  HUFFMAN_CODES, HUFFMAN_LENGTHS, HUFFMAN_DECODE_WINDOW, HUFFMAN_FIRST_CODE, HUFFMAN_COUNT,
  HUFFMAN_OFFSET, HUFFMAN_SYMBOLS_BY_LENGTH, HUFFMAN_EOS,
} from './huffman-table.gen';

export const HUFFMAN_INVALID: isize = -1;

/** Upper bound of the decoded length (the shortest code is 5 bits), plus the decoder's 1-octet overrun. */
export function huffmanDecodedBound(encodedLength: usize): usize {
  return ((encodedLength << 3) / 5) + 2;
}

/**
 * Decodes `len` octets at `src` into `dst` (room for huffmanDecodedBound(len) octets).
 * Returns the decoded length, or HUFFMAN_INVALID for EOS in the string, padding over 7 bits
 * or padding that is not the EOS prefix (all ones).
 */
export function huffmanDecode(src: usize, len: usize, dst: usize): isize {
  const end = src + len;
  let p = src;
  let out = dst;
  let acc: u64 = 0; // bits left-aligned at bit 63
  let nbits: u32 = 0;
  while (true) {
    if (p + 4 <= end) {
      if (nbits <= 32) {
        acc |= (<u64>bswap<u32>(load<u32>(p))) << (32 - nbits);
        p += 4;
        nbits += 32;
      }
    } else {
      while (nbits <= 56 && p < end) {
        acc |= (<u64>load<u8>(p)) << (56 - nbits);
        p++;
        nbits += 8;
      }
    }
    // Fewer than 12 bits left only once the input is exhausted.
    if (nbits < 12) break;
    const e = load<u32>(HUFFMAN_DECODE_WINDOW + ((<usize>(acc >> 52)) << 2));
    const count = e >>> 26;
    if (count) {
      // Two symbols are stored as one u16; `out` advances by how many were real.
      store<u16>(out, <u16>e);
      out += count;
      const used = (e >> 21) & 31;
      acc <<= used;
      nbits -= used;
      continue;
    }
    // A code longer than the window: canonical decoding, one length at a time.
    while (nbits <= 56 && p < end) {
      acc |= (<u64>load<u8>(p)) << (56 - nbits);
      p++;
      nbits += 8;
    }
    let l: u32 = 13;
    let sym: u32 = 0xffffffff;
    for (; l <= 30; l++) {
      if (l > nbits) return HUFFMAN_INVALID; // a truncated code, or padding longer than 7 bits
      const code = <u32>(acc >> (64 - l));
      const first = load<u32>(HUFFMAN_FIRST_CODE + (<usize>l << 2));
      const delta = code - first;
      if (code >= first && delta < <u32>load<u16>(HUFFMAN_COUNT + (<usize>l << 1))) {
        sym = load<u16>(HUFFMAN_SYMBOLS_BY_LENGTH + ((<usize>load<u16>(HUFFMAN_OFFSET + (<usize>l << 1)) + delta) << 1));
        break;
      }
    }
    if (sym >= HUFFMAN_EOS) return HUFFMAN_INVALID; // EOS inside the string
    store<u8>(out++, <u8>sym);
    acc <<= l;
    nbits -= l;
  }
  // The last bits: whole short codes, then at most 7 bits of padding.
  while (nbits > 0) {
    const e = load<u32>(HUFFMAN_DECODE_WINDOW + ((<usize>(acc >> 52)) << 2));
    const l1 = (e >> 16) & 31;
    if (!(e >>> 26) || l1 > nbits) break;
    store<u8>(out++, <u8>e);
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
  let nbits: u32 = 0;
  let out = dst;
  for (let i: usize = 0; i < len; i++) {
    const s = <usize>load<u8>(src + i);
    const l = <u32>load<u8>(HUFFMAN_LENGTHS + s);
    acc = (acc << l) | <u64>load<u32>(HUFFMAN_CODES + (s << 2));
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
