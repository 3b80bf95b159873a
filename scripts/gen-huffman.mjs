// Generates assembly/hpack/huffman-table.gen.ts from scripts/data/rfc7541-huffman.txt
// (RFC 7541 Appendix B). Run with --check to fail when the committed file is stale.
import { readFileSync } from 'node:fs';
import { writeGenerated } from './lib/generated.mjs';

const rows = readFileSync(new URL('./data/rfc7541-huffman.txt', import.meta.url), 'utf8')
  .split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(' '));
if (rows.length !== 257) throw new Error(`expected 257 Huffman codes, got ${rows.length}`);
const code = rows.map((r) => parseInt(r[1], 16));
const len = rows.map((r) => parseInt(r[2], 10));
rows.forEach((r, i) => { if (+r[0] !== i) throw new Error(`row ${i} is symbol ${r[0]}`); });

// Decode table: a WINDOW-bit window (MSB first) gives up to two whole symbols whose codes fit
// in it. Entry: lenTotal | count << 6 | sym1 << 8 | sym2 << 16 | len1 << 24. The bits used sit
// lowest so the decoder shifts its bit buffer by the entry itself (a shift takes its count
// mod 64), which keeps the loop's dependency chain short. count 0 = the first code is longer
// than the window (the decoder falls back to canonical decoding).
const WINDOW = 13;
function firstSymbol(bits, avail) {
  for (let s = 0; s < 256; s++) {
    const l = len[s];
    if (l <= avail && (bits >>> (avail - l)) === code[s]) return s;
  }
  return -1;
}
const decode = new Array(1 << WINDOW);
for (let w = 0; w < 1 << WINDOW; w++) {
  const s1 = firstSymbol(w, WINDOW);
  if (s1 < 0) { decode[w] = 0; continue; }
  const rest = WINDOW - len[s1];
  const s2 = rest > 0 ? firstSymbol(w & ((1 << rest) - 1), rest) : -1;
  decode[w] = (s2 < 0
    ? len[s1] | (1 << 6) | (s1 << 8) | (len[s1] << 24)
    : (len[s1] + len[s2]) | (2 << 6) | (s1 << 8) | (s2 << 16) | (len[s1] << 24)) >>> 0;
}

// Canonical decoding for long codes: per length, the first code and where its symbols start.
const byLength = [...Array(257).keys()].sort((a, b) => len[a] - len[b] || code[a] - code[b]);
const firstCode = new Array(31).fill(0xffffffff);
const countAt = new Array(31).fill(0);
const offsetAt = new Array(31).fill(0);
byLength.forEach((s, i) => {
  const l = len[s];
  if (countAt[l] === 0) { firstCode[l] = code[s]; offsetAt[l] = i; }
  if (code[s] !== firstCode[l] + countAt[l]) throw new Error('code is not canonical');
  countAt[l]++;
});

const list = (a, per = 16) => a.map((v, i) => (i % per === 0 ? '\n  ' : ' ') + v + ',').join('');
const hex = (v) => '0x' + (v >>> 0).toString(16);
writeGenerated(new URL('../assembly/hpack/huffman-table.gen.ts', import.meta.url), 'scripts/gen-huffman.mjs', `
// RFC 7541 Appendix B. Codes are LSB-aligned; lengths in bits. Symbol 256 is EOS.
export const HUFFMAN_CODES: usize = memory.data<u32>([${list(code.map(hex), 8)}
]);
export const HUFFMAN_LENGTHS: usize = memory.data<u8>([${list(len, 32)}
]);
export const HUFFMAN_EOS: u32 = 256;
// Encoding: code << 8 | length, one load per octet.
export const HUFFMAN_ENCODE: usize = memory.data<u64>([${list(code.slice(0, 256).map((c, i) => '0x' + ((BigInt(c) << 8n) | BigInt(len[i])).toString(16)), 8)}
]);

// ${WINDOW}-bit window → up to two symbols: lenTotal | count << 6 | sym1 << 8 | sym2 << 16 | len1 << 24.
export const HUFFMAN_WINDOW_BITS: u32 = ${WINDOW};
export const HUFFMAN_DECODE_WINDOW: usize = memory.data<u32>([${list(decode.map(hex), 8)}
]);

// Canonical decoding of codes longer than the window, by length (index = length in bits).
export const HUFFMAN_FIRST_CODE: usize = memory.data<u32>([${list(firstCode.map(hex), 8)}
]);
export const HUFFMAN_COUNT: usize = memory.data<u16>([${list(countAt, 31)}
]);
export const HUFFMAN_OFFSET: usize = memory.data<u16>([${list(offsetAt, 31)}
]);
export const HUFFMAN_SYMBOLS_BY_LENGTH: usize = memory.data<u16>([${list(byLength, 16)}
]);
`);
