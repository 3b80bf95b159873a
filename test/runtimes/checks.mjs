// Portable HPACK checks for h2wasm/hpack, run unchanged in Node (import and require), Deno,
// Bun and Chromium. Plain ESM: no node:* imports, no Node globals (Buffer, process), no I/O.
// The host passes in the module's exports and the test data it read its own way, and gets
// back a list of { name, ok, error } to report however suits the runtime.
//
// Expectations come from RFC 7541 Appendix C (bytes below, copied from
// ../shared/reference/rfc7541-hpack.md) and from the hpack-test-case stories the host passes
// in, never from the code under test.

/**
 * RFC 7541 Appendix C.3–C.6: consecutive header blocks on one connection. `tableSize` is the
 * SETTINGS_HEADER_TABLE_SIZE of the example (C.5/C.6 use 256 octets so entries get evicted);
 * `after` is the dynamic table size the RFC prints after each block.
 */
export const RFC7541_EXAMPLES = [
  {
    id: 'C.3', title: 'requests without Huffman', huffman: false, tableSize: 4096,
    blocks: [
      {
        id: 'C.3.1', after: 57,
        wire: '828684410f7777772e6578616d706c652e636f6d',
        headers: [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com']],
      },
      {
        id: 'C.3.2', after: 110,
        wire: '828684be58086e6f2d6361636865',
        headers: [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com'],
          ['cache-control', 'no-cache']],
      },
      {
        id: 'C.3.3', after: 164,
        wire: '828785bf400a637573746f6d2d6b65790c637573746f6d2d76616c7565',
        headers: [[':method', 'GET'], [':scheme', 'https'], [':path', '/index.html'], [':authority', 'www.example.com'],
          ['custom-key', 'custom-value']],
      },
    ],
  },
  {
    id: 'C.4', title: 'requests with Huffman', huffman: true, tableSize: 4096,
    blocks: [
      {
        id: 'C.4.1', after: 57,
        wire: '828684418cf1e3c2e5f23a6ba0ab90f4ff',
        headers: [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com']],
      },
      {
        id: 'C.4.2', after: 110,
        wire: '828684be5886a8eb10649cbf',
        headers: [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com'],
          ['cache-control', 'no-cache']],
      },
      {
        id: 'C.4.3', after: 164,
        wire: '828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf',
        headers: [[':method', 'GET'], [':scheme', 'https'], [':path', '/index.html'], [':authority', 'www.example.com'],
          ['custom-key', 'custom-value']],
      },
    ],
  },
  {
    id: 'C.5', title: 'responses without Huffman, 256-octet table', huffman: false, tableSize: 256,
    blocks: [
      {
        id: 'C.5.1', after: 222,
        wire: '4803333032580770726976617465611d4d6f6e2c203231204f637420323031332032303a31333a323120474d54' +
          '6e1768747470733a2f2f7777772e6578616d706c652e636f6d',
        headers: [[':status', '302'], ['cache-control', 'private'], ['date', 'Mon, 21 Oct 2013 20:13:21 GMT'],
          ['location', 'https://www.example.com']],
      },
      {
        id: 'C.5.2', after: 222,
        wire: '4803333037c1c0bf',
        headers: [[':status', '307'], ['cache-control', 'private'], ['date', 'Mon, 21 Oct 2013 20:13:21 GMT'],
          ['location', 'https://www.example.com']],
      },
      {
        id: 'C.5.3', after: 215,
        wire: '88c1611d4d6f6e2c203231204f637420323031332032303a31333a323220474d54c05a04677a6970773866' +
          '6f6f3d4153444a4b48514b425a584f5157454f50495541585157454f49553b206d61782d6167653d333630' +
          '303b2076657273696f6e3d31',
        headers: [[':status', '200'], ['cache-control', 'private'], ['date', 'Mon, 21 Oct 2013 20:13:22 GMT'],
          ['location', 'https://www.example.com'], ['content-encoding', 'gzip'],
          ['set-cookie', 'foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1']],
      },
    ],
  },
  {
    id: 'C.6', title: 'responses with Huffman, 256-octet table', huffman: true, tableSize: 256,
    blocks: [
      {
        id: 'C.6.1', after: 222,
        wire: '488264025885aec3771a4b6196d07abe941054d444a8200595040b8166e082a62d1bff6e919d29ad171863' +
          'c78f0b97c8e9ae82ae43d3',
        headers: [[':status', '302'], ['cache-control', 'private'], ['date', 'Mon, 21 Oct 2013 20:13:21 GMT'],
          ['location', 'https://www.example.com']],
      },
      {
        id: 'C.6.2', after: 222,
        wire: '4883640effc1c0bf',
        headers: [[':status', '307'], ['cache-control', 'private'], ['date', 'Mon, 21 Oct 2013 20:13:21 GMT'],
          ['location', 'https://www.example.com']],
      },
      {
        id: 'C.6.3', after: 215,
        wire: '88c16196d07abe941054d444a8200595040b8166e084a62d1bffc05a839bd9ab77ad94e7821dd7f2e6c7b3' +
          '35dfdfcd5b3960d5af27087f3672c1ab270fb5291f9587316065c003ed4ee5b1063d5007',
        headers: [[':status', '200'], ['cache-control', 'private'], ['date', 'Mon, 21 Oct 2013 20:13:22 GMT'],
          ['location', 'https://www.example.com'], ['content-encoding', 'gzip'],
          ['set-cookie', 'foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1']],
      },
    ],
  },
];

/** Encoder modes the raw-data round trip runs in (docs/hpack.md `huffman` and `indexing`). */
const ROUND_TRIP_MODES = [
  {},
  { huffman: 'always', indexing: 'all' },
  { huffman: 'never', indexing: 'none' },
];

export function hexToBytes(hex) {
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function bytesToHex(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16);
  return s;
}

function fail(message) {
  throw new Error(message);
}

function show(value) {
  const s = JSON.stringify(value);
  return s !== undefined && s.length > 160 ? `${s.slice(0, 150)}…(${s.length} chars)` : s;
}

function expectEqual(actual, expected, what) {
  if (actual !== expected) fail(`${what}: got ${show(actual)}, want ${show(expected)}`);
}

function expectBytes(actual, what) {
  if (!ArrayBuffer.isView(actual) || actual.BYTES_PER_ELEMENT !== 1) {
    fail(`${what}: want a Uint8Array, got ${Object.prototype.toString.call(actual)}`);
  }
}

/** Where two strings first differ, with a little context from each. */
function stringDiff(got, want) {
  let k = 0;
  while (k < got.length && k < want.length && got[k] === want[k]) k++;
  const from = Math.max(0, k - 10);
  return `differs at char ${k} of ${want.length}: got ${show(got.slice(from, k + 20))}, want ${show(want.slice(from, k + 20))}`;
}

/** Header lists compared pair by pair, naming the first difference. */
function expectHeaders(actual, expected, what) {
  if (!Array.isArray(actual)) fail(`${what}: want an array of [name, value], got ${show(actual)}`);
  const n = Math.max(actual.length, expected.length);
  for (let i = 0; i < n; i++) {
    const a = actual[i];
    const e = expected[i];
    if (!a || !e || a.length !== 2 || a[0] !== e[0] || a[1] !== e[1]) {
      const where = a && e && a.length === 2 && typeof a[1] === 'string' && a[0] === e[0] ? ` (${e[0]}: ${stringDiff(a[1], e[1])})` : '';
      fail(`${what}: field ${i} is ${show(a)}, want ${show(e)}${where} (${actual.length} fields, want ${expected.length})`);
    }
  }
}

/** Runs `fn`, which must throw an error carrying `code`. */
function expectThrowsCode(fn, code, what) {
  let thrown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  if (thrown === undefined) fail(`${what}: nothing thrown, want ${code}`);
  if (!(thrown instanceof Error)) fail(`${what}: threw a non-Error ${show(String(thrown))}, want ${code}`);
  if (thrown.code !== code) fail(`${what}: threw ${thrown.code ?? thrown.name}: ${thrown.message}; want ${code}`);
  return thrown;
}

function describeError(err) {
  if (err instanceof Error) return (err.code ? `${err.code}: ` : '') + err.message;
  return String(err);
}

/** new X(options), handed to `fn`, freed afterwards whatever happens. */
function using(Codec, options, fn) {
  const codec = new Codec(options);
  try {
    return fn(codec);
  } finally {
    if (typeof codec.free === 'function') codec.free();
  }
}

function rfcChecks({ HpackEncoder, HpackDecoder }, add) {
  for (const ex of RFC7541_EXAMPLES) {
    add(`RFC 7541 ${ex.id} decode (${ex.title})`, () => using(HpackDecoder, { maxTableSize: ex.tableSize }, (dec) => {
      for (const block of ex.blocks) {
        expectHeaders(dec.decode(hexToBytes(block.wire)), block.headers, block.id);
        expectEqual(dec.tableSize, block.after, `${block.id} dynamic table size`);
      }
    }));

    // The examples index every literal ("Literal indexed") and Huffman-code every literal in
    // C.4/C.6 even where it saves nothing ("307" is 3 octets either way): 'all' and 'always'.
    const mode = { maxTableSize: ex.tableSize, huffman: ex.huffman ? 'always' : 'never', indexing: 'all' };
    add(`RFC 7541 ${ex.id} encode byte-for-byte (huffman '${mode.huffman}', indexing 'all')`,
      () => using(HpackEncoder, mode, (enc) => {
        for (const block of ex.blocks) {
          const out = enc.encode(block.headers);
          expectBytes(out, block.id);
          expectEqual(bytesToHex(out), block.wire, `${block.id} encoded block`);
          expectEqual(enc.tableSize, block.after, `${block.id} encoder table size`);
        }
      }));
  }

  // "Splitting a block anywhere gives the same result": one octet per write() is every split.
  for (const id of ['C.4', 'C.6']) {
    const ex = RFC7541_EXAMPLES.find((e) => e.id === id);
    add(`RFC 7541 ${id} decode one octet per write()`, () => using(HpackDecoder, { maxTableSize: ex.tableSize }, (dec) => {
      for (const block of ex.blocks) {
        const bytes = hexToBytes(block.wire);
        for (let i = 0; i < bytes.length; i++) dec.write(bytes.subarray(i, i + 1));
        expectHeaders(dec.end(), block.headers, block.id);
        expectEqual(dec.tableSize, block.after, `${block.id} dynamic table size`);
      }
    }));
  }
}

/** The SETTINGS_HEADER_TABLE_SIZE a story's encoder was allowed (some stories raise it). */
function storyTableSize(story) {
  let size = 4096;
  for (const c of story.cases) if (typeof c.header_table_size === 'number') size = Math.max(size, c.header_table_size);
  return size;
}

function storyChecks({ HpackDecoder }, stories, add) {
  for (const story of stories) {
    add(`story ${story.name} decodes exactly (${story.cases.length} blocks)`,
      () => using(HpackDecoder, { maxTableSize: storyTableSize(story) }, (dec) => {
        for (const c of story.cases) {
          expectHeaders(dec.decode(hexToBytes(c.wire)), c.headers, `seqno ${c.seqno}`);
        }
      }));
  }
}

function roundTripChecks({ HpackEncoder, HpackDecoder }, stories, add) {
  for (const story of stories) {
    add(`round trip ${story.name} (${story.cases.length} blocks, ${ROUND_TRIP_MODES.length} encoder modes)`, () => {
      for (const mode of ROUND_TRIP_MODES) {
        using(HpackEncoder, mode, (enc) => using(HpackDecoder, {}, (dec) => {
          story.cases.forEach((c, i) => {
            const block = enc.encode(c.headers);
            expectBytes(block, `block ${i}`);
            expectHeaders(dec.decode(block), c.headers, `block ${i} with encoder ${show(mode)}`);
          });
        }));
      }
    });
  }
}

function byteStringChecks({ HpackEncoder, HpackDecoder }, add) {
  // Every octet 0x00–0xFF as one character each. Browsers' TextDecoder('latin1') is really
  // windows-1252 (0x80–0x9F become other characters): a portable build must not rely on it.
  let octets = '';
  for (let i = 0; i < 256; i++) octets += String.fromCharCode(i);
  add('every octet 0x00-0xFF round-trips in names and values', () => {
    for (const huffman of ['never', 'always']) {
      using(HpackEncoder, { huffman }, (enc) => using(HpackDecoder, {}, (dec) => {
        const headers = [['x-octets', octets], ['x-' + octets.slice(0x80), 'high half'], ['x-octets', octets]];
        expectHeaders(dec.decode(enc.encode(headers)), headers, `huffman '${huffman}'`);
      }));
    }
  });

  add('a character above U+00FF is rejected: a TypeError with code ERR_HPACK_INVALID_CHAR', () => using(HpackEncoder, {}, (enc) => {
    const err = expectThrowsCode(() => enc.encode([['x-text', 'caf\u00e9 \u20ac']]), 'ERR_HPACK_INVALID_CHAR', 'encode');
    if (!(err instanceof TypeError)) fail(`want a TypeError, got ${err.name}`);
  }));
}

function malformedChecks({ HpackDecoder }, add) {
  // RFC 7541 §6.1: index 0 is not used; 0x80 is an indexed field with index 0.
  add('malformed block (index 0) gives ERR_HPACK_INVALID_INDEX, then the decoder is unusable',
    () => using(HpackDecoder, {}, (dec) => {
      expectThrowsCode(() => dec.decode(Uint8Array.of(0x80)), 'ERR_HPACK_INVALID_INDEX', 'decode 80');
      expectEqual(dec.usable, false, 'decoder.usable after a malformed block');
      expectThrowsCode(() => dec.decode(Uint8Array.of(0x82)), 'ERR_HPACK_DECODER_UNUSABLE', 'decode after the malformed block');
    }));
}

/**
 * Runs every check against `hpack` (the h2wasm/hpack exports: HpackEncoder, HpackDecoder).
 * `data.stories`: [{ name, cases: [{ seqno, wire, headers: [[name, value]], header_table_size? }] }]
 * decoded exactly; `data.roundTrip`: [{ name, cases: [{ headers }] }] encoded then decoded.
 * Returns [{ name, ok, error }]; never throws.
 */
export function runChecks(hpack, data = {}) {
  const results = [];
  const add = (name, fn) => {
    try {
      fn();
      results.push({ name, ok: true, error: null });
    } catch (err) {
      results.push({ name, ok: false, error: describeError(err) });
    }
  };
  add('exports HpackEncoder and HpackDecoder', () => {
    expectEqual(typeof hpack?.HpackEncoder, 'function', 'typeof HpackEncoder');
    expectEqual(typeof hpack?.HpackDecoder, 'function', 'typeof HpackDecoder');
  });
  if (!results[0].ok) return results;

  rfcChecks(hpack, add);
  storyChecks(hpack, data.stories ?? [], add);
  roundTripChecks(hpack, data.roundTrip ?? [], add);
  byteStringChecks(hpack, add);
  malformedChecks(hpack, add);
  return results;
}
