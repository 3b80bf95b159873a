// Turns per-round rates into the result object (medians) and the printed tables.
const DECODERS = ['h2wasm-core', 'h2wasm-api', 'hpack.js', 'nghttp2'];
const HUFFMAN = ['h2wasm-core', 'nghttp2', 'hpack.js'];
const ENCODED = { 'h2wasm': 'h2wasm-api', 'hpack.js': 'hpack.js', 'nghttp2': 'nghttp2' };

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const pick = (samples, figure, names, round) =>
  Object.fromEntries(names.map((n) => {
    const xs = samples[n]?.[figure];
    return [n, xs?.length ? round(median(xs)) : null];
  }));

/**
 * @param samples {variant: {decode: number[], encode: number[], huffman: number[]}} rates per round
 * @param encodedBytes {variant: octets}
 */
export function resultObject(samples, encodedBytes) {
  return {
    decode_headers_per_s: pick(samples, 'decode', DECODERS, Math.round),
    encode_headers_per_s: pick(samples, 'encode', DECODERS, Math.round),
    huffman_decode_mb_s: pick(samples, 'huffman', HUFFMAN, (x) => Math.round(x * 10) / 10),
    encoded_bytes: Object.fromEntries(Object.entries(ENCODED).map(([k, v]) => [k, encodedBytes[v] ?? null])),
  };
}

const num = (x, digits = 0) => (x === null ? '—' : x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));
const ratio = (a, b) => (a === null || b === null || b === 0 ? null : a / b);
const times = (r, digits = 2) => (r === null ? '—' : `${r.toFixed(digits)}×`);
const pad = (cells, widths) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');

/** Spread of a figure across rounds, as ± half the range relative to the median. */
function spread(xs) {
  if (!xs || xs.length < 2) return '';
  return ` ±${((Math.max(...xs) - Math.min(...xs)) / 2 / median(xs) * 100).toFixed(0)}%`;
}

export function formatReport(result, samples, meta) {
  const { decode_headers_per_s: dec, encode_headers_per_s: enc, huffman_decode_mb_s: huf, encoded_bytes: bytes } = result;
  const lines = [];
  lines.push(`HPACK benchmark: ${meta.rounds} round(s) × ${meta.seconds} s CPU per figure, medians`);
  lines.push('  decode: nghttp2 folder blocks; encode: raw-data lists; Huffman: long Huffman literals');
  lines.push('');
  const w1 = [12, 20, 20, 16, 14];
  lines.push(pad(['', 'decode hdr/s', 'encode hdr/s', 'Huffman MB/s', 'encoded B'], w1));
  for (const n of DECODERS) {
    const s = samples[n] ?? {};
    const b = n.startsWith('h2wasm') ? bytes.h2wasm : bytes[n];
    lines.push(pad([n,
      num(dec[n]) + spread(s.decode), num(enc[n]) + spread(s.encode),
      n in huf ? num(huf[n], 1) + spread(s.huffman) : '', n === 'h2wasm-core' ? '' : num(b)], w1));
  }
  lines.push('');
  const w2 = [12, 10, 10, 10, 10, 10, 10, 10];
  lines.push(pad(['ratio', 'dec/ng', 'dec/hjs', 'enc/ng', 'enc/hjs', 'huf/ng', 'huf/hjs', 'size/ng'], w2));
  for (const n of ['h2wasm-core', 'h2wasm-api', 'hpack.js']) {
    const b = n.startsWith('h2wasm') ? bytes.h2wasm : bytes[n];
    lines.push(pad([n,
      times(ratio(dec[n], dec.nghttp2)), n === 'hpack.js' ? '' : times(ratio(dec[n], dec['hpack.js'])),
      times(ratio(enc[n], enc.nghttp2)), n === 'hpack.js' ? '' : times(ratio(enc[n], enc['hpack.js'])),
      n in huf ? times(ratio(huf[n], huf.nghttp2)) : '', n in huf && n !== 'hpack.js' ? times(ratio(huf[n], huf['hpack.js'])) : '',
      n === 'h2wasm-core' ? '' : times(ratio(b, bytes.nghttp2), 3)], w2));
  }
  lines.push('');
  lines.push('targets');
  const target = (label, r, goal, atMost = false, detail = '') => {
    const mark = r === null ? '?' : (atMost ? r <= goal : r >= goal) ? 'met' : 'MISSED';
    lines.push(`  ${mark.padEnd(7)}${label.padEnd(40)}${times(r, 3)}${r === null ? '' : detail}`);
  };
  target('in-core decode ≥ 1.0× nghttp2', ratio(dec['h2wasm-core'], dec.nghttp2), 1.0);
  target('in-core encode ≥ 1.0× nghttp2', ratio(enc['h2wasm-core'], enc.nghttp2), 1.0);
  target('API decode ≥ 0.5× nghttp2', ratio(dec['h2wasm-api'], dec.nghttp2), 0.5);
  target('API decode ≥ 5× hpack.js', ratio(dec['h2wasm-api'], dec['hpack.js']), 5);
  target('Huffman decode ≥ 2× nghttp2', ratio(huf['h2wasm-core'], huf.nghttp2), 2);
  target('encoded size ≤ nghttp2 (raw-data)', ratio(bytes.h2wasm, bytes.nghttp2), 1.0, true,
    `  (${num(bytes.h2wasm)} vs ${num(bytes.nghttp2)} octets)`);
  for (const note of meta.notes) lines.push(`note: ${note}`);
  return lines.join('\n');
}
