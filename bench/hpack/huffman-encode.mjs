// RFC 7541 Huffman string encoder, used only to build the Huffman-decode workload. The code
// table is the repository's copy of RFC 7541 Appendix B, not any implementation under test.
import { readFileSync } from 'node:fs';

const rows = readFileSync(new URL('../../scripts/data/rfc7541-huffman.txt', import.meta.url), 'utf8')
  .split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(' '));
const CODE = rows.map((r) => parseInt(r[1], 16));
const LEN = rows.map((r) => parseInt(r[2], 10));

/** RFC 7541 §5.1 integer with an N-bit prefix; `first` holds the bits above the prefix. */
export function encodeInt(out, n, prefixBits, first = 0) {
  const max = (1 << prefixBits) - 1;
  if (n < max) { out.push(first | n); return; }
  out.push(first | max);
  for (n -= max; n >= 128; n = Math.floor(n / 128)) out.push((n % 128) | 0x80);
  out.push(n);
}

/** A string literal (§5.2), always Huffman-coded: H bit, length, code bits, EOS-prefix padding. */
export function huffmanLiteral(octets) {
  const data = [];
  let acc = 0; // pending bits; arithmetic, not bitwise, since 7 + 30 bits overflow an int32
  let bits = 0;
  for (const b of octets) {
    acc = acc * 2 ** LEN[b] + CODE[b];
    bits += LEN[b];
    while (bits >= 8) {
      const scale = 2 ** (bits - 8);
      data.push(Math.floor(acc / scale));
      acc %= scale;
      bits -= 8;
    }
  }
  if (bits > 0) data.push((acc << (8 - bits)) | (0xff >> bits));
  const out = [];
  encodeInt(out, data.length, 7, 0x80);
  return out.concat(data);
}
