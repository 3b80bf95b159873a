// RFC 7541 Appendix C, example by example: the decoder turns the RFC's octets into its header
// lists with its "Table size:" after each block, and the encoder, in the mode each example
// uses, produces the RFC's octets exactly.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HpackDecoder, HpackEncoder } from '../../bindings/hpack/index.ts';
import { block, fromHex, incremental, toHex } from '../helpers/hpack-wire.ts';

type Headers = Array<[string, string]>;
interface Example { id: string; hex: string; headers: Headers; tableSize: number }

// -- the examples, transcribed from RFC 7541 Appendix C ---------------------------------------

const C2: Example[] = [
  {
    id: 'C.2.1 literal header field with indexing',
    hex: '400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572',
    headers: [['custom-key', 'custom-header']],
    tableSize: 55,
  },
  {
    id: 'C.2.2 literal header field without indexing',
    hex: '040c 2f73 616d 706c 652f 7061 7468',
    headers: [[':path', '/sample/path']],
    tableSize: 0,
  },
  {
    id: 'C.2.3 literal header field never indexed',
    hex: '1008 7061 7373 776f 7264 0673 6563 7265 74',
    headers: [['password', 'secret']],
    tableSize: 0,
  },
  { id: 'C.2.4 indexed header field', hex: '82', headers: [[':method', 'GET']], tableSize: 0 },
];

const REQUESTS: Headers[] = [
  [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com']],
  [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com'], ['cache-control', 'no-cache']],
  [[':method', 'GET'], [':scheme', 'https'], [':path', '/index.html'], [':authority', 'www.example.com'], ['custom-key', 'custom-value']],
];
const REQUEST_TABLE_SIZES = [57, 110, 164];

const C3: Example[] = [
  '8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d',
  '8286 84be 5808 6e6f 2d63 6163 6865',
  '8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65',
].map((hex, i) => ({ id: `C.3.${i + 1}`, hex, headers: REQUESTS[i], tableSize: REQUEST_TABLE_SIZES[i] }));

const C4: Example[] = [
  '8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff',
  '8286 84be 5886 a8eb 1064 9cbf',
  '8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf',
].map((hex, i) => ({ id: `C.4.${i + 1}`, hex, headers: REQUESTS[i], tableSize: REQUEST_TABLE_SIZES[i] }));

const RESPONSES: Headers[] = [
  [[':status', '302'], ['cache-control', 'private'], ['date', 'Mon, 21 Oct 2013 20:13:21 GMT'], ['location', 'https://www.example.com']],
  [[':status', '307'], ['cache-control', 'private'], ['date', 'Mon, 21 Oct 2013 20:13:21 GMT'], ['location', 'https://www.example.com']],
  [
    [':status', '200'],
    ['cache-control', 'private'],
    ['date', 'Mon, 21 Oct 2013 20:13:22 GMT'],
    ['location', 'https://www.example.com'],
    ['content-encoding', 'gzip'],
    ['set-cookie', 'foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1'],
  ],
];
const RESPONSE_TABLE_SIZES = [222, 222, 215];

const C5: Example[] = [
  `4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133
   2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70
   6c65 2e63 6f6d`,
  '4803 3330 37c1 c0bf',
  `88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d
   54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049
   5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e
   3d31`,
].map((hex, i) => ({ id: `C.5.${i + 1}`, hex, headers: RESPONSES[i], tableSize: RESPONSE_TABLE_SIZES[i] }));

const C6: Example[] = [
  `4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6
   2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3`,
  '4883 640e ffc1 c0bf',
  `88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab
   77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f
   9587 3160 65c0 03ed 4ee5 b106 3d50 07`,
].map((hex, i) => ({ id: `C.6.${i + 1}`, hex, headers: RESPONSES[i], tableSize: RESPONSE_TABLE_SIZES[i] }));

// -- helpers ---------------------------------------------------------------------------------

type EncoderOptions = ConstructorParameters<typeof HpackEncoder>[0];
type DecoderOptions = ConstructorParameters<typeof HpackDecoder>[0];

/** Decodes the examples in order on one decoder, checking headers and table size each time. */
function decodesInOrder(examples: Example[], options?: DecoderOptions) {
  const decoder = new HpackDecoder(options);
  try {
    for (const ex of examples) {
      assert.equal(decoder.decode(fromHex(ex.hex)), ex.headers, `${ex.id}: decoded header list`);
      assert.is(decoder.tableSize, ex.tableSize, `${ex.id}: decoder "Table size:"`);
    }
  } finally {
    decoder.free();
  }
}

/** Encodes the examples' header lists in order on one encoder, comparing with `hexes`. */
function encodesInOrder(examples: Example[], options: EncoderOptions, hexes = examples.map((e) => e.hex)) {
  const encoder = new HpackEncoder(options);
  try {
    examples.forEach((ex, i) => {
      const out = encoder.encode(ex.headers);
      assert.is(toHex(out), toHex(fromHex(hexes[i])), `${ex.id}: encoded octets with ${JSON.stringify(options)}`);
      assert.is(encoder.tableSize, ex.tableSize, `${ex.id}: encoder "Table size:"`);
    });
  } finally {
    encoder.free();
  }
}

// -- C.1 integers ------------------------------------------------------------------------------
// Size updates carry a 5-bit prefix integer (RFC 7541 §6.3), so C.1.1 and C.1.2 show in the
// size update an encoder emits after setMaxTableSize. C.1.3 (an 8-bit prefix) is used by no
// HPACK representation and has no observable form here.

test('C.1.1: 10 on a 5-bit prefix is one octet (a size update to 10 is 0x2a)', () => {
  const encoder = new HpackEncoder();
  try {
    encoder.setMaxTableSize(10);
    assert.is(toHex(encoder.encode([[':method', 'GET']])), '2a82');
  } finally {
    encoder.free();
  }
  const decoder = new HpackDecoder();
  try {
    // After the update the table holds at most 10 octets: a 43-octet entry does not stay.
    assert.equal(decoder.decode(block([0x2a], incremental('custom', 'value'))), [['custom', 'value']]);
    assert.is(decoder.tableSize, 0);
  } finally {
    decoder.free();
  }
});

test('C.1.2: 1337 on a 5-bit prefix is 1f 9a 0a (a size update to 1337 is 3f 9a 0a)', () => {
  const encoder = new HpackEncoder();
  try {
    encoder.setMaxTableSize(1337);
    assert.is(toHex(encoder.encode([[':method', 'GET']])), '3f9a0a82');
  } finally {
    encoder.free();
  }
  const decoder = new HpackDecoder();
  try {
    // An entry of exactly 1337 octets (1 + 1304 + 32) fits a table of 1337 ...
    const big = 'v'.repeat(1304);
    assert.equal(decoder.decode(block([0x3f, 0x9a, 0x0a], incremental('x', big))), [['x', big]]);
    assert.is(decoder.tableSize, 1337);
    // ... and a 33-octet entry next to it does not (RFC 7541 §4.4).
    assert.equal(decoder.decode(block(incremental('y', ''))), [['y', '']]);
    assert.is(decoder.tableSize, 33);
  } finally {
    decoder.free();
  }
});

test('C.1.2 on a 7-bit prefix: a 1337-octet string length is 7f ba 09', () => {
  const value = 'a'.repeat(1337);
  const encoder = new HpackEncoder({ indexing: 'none', huffman: 'never' });
  try {
    const out = encoder.encode([['x-a', value]]);
    // RFC 7541 §6.2.2 with a new name: 0x00, name "x-a", value length 1337, value
    assert.is(toHex(out.subarray(0, 8)), '0003782d617fba09');
    assert.is(out.length, 8 + 1337);
  } finally {
    encoder.free();
  }
  const decoder = new HpackDecoder();
  try {
    const input = Uint8Array.from([0x00, 0x03, 0x78, 0x2d, 0x61, 0x7f, 0xba, 0x09, ...new Array(1337).fill(0x61)]);
    assert.equal(decoder.decode(input), [['x-a', value]]);
  } finally {
    decoder.free();
  }
});

// -- C.2 single representations -----------------------------------------------------------------

for (const ex of C2) {
  test(`${ex.id}: decodes, table size ${ex.tableSize}`, () => {
    const decoder = new HpackDecoder();
    try {
      assert.equal(decoder.decode(fromHex(ex.hex)), ex.headers);
      assert.is(decoder.tableSize, ex.tableSize);
      // Only C.2.3 is a never-indexed literal (RFC 7541 §6.2.3).
      assert.equal(decoder.lastNeverIndexed, ex.id.startsWith('C.2.3') ? ['password'] : []);
    } finally {
      decoder.free();
    }
  });
}

test('C.2.1: encoded with incremental indexing (indexing all and auto, no Huffman)', () => {
  encodesInOrder([C2[0]], { indexing: 'all', huffman: 'never' });
  encodesInOrder([C2[0]], { huffman: 'never' });
});

test('C.2.2: encoded without indexing (indexing none; and auto, which never indexes :path)', () => {
  encodesInOrder([C2[1]], { indexing: 'none', huffman: 'never' });
  encodesInOrder([C2[1]], { huffman: 'never' });
});

test('C.2.3: a field named in `sensitive` is encoded never indexed', () => {
  const encoder = new HpackEncoder({ huffman: 'never' });
  try {
    assert.is(toHex(encoder.encode(C2[2].headers, { sensitive: ['password'] })), toHex(fromHex(C2[2].hex)));
    assert.is(encoder.tableSize, 0);
  } finally {
    encoder.free();
  }
});

test('C.2.4: :method GET is static index 2 in every mode', () => {
  for (const huffman of ['never', 'always', 'auto'] as const) {
    for (const indexing of ['none', 'all', 'auto'] as const) encodesInOrder([C2[3]], { huffman, indexing });
  }
});

// -- C.3 / C.4 requests -----------------------------------------------------------------------

test('C.3: requests without Huffman decode, table sizes 57, 110, 164', () => decodesInOrder(C3));
test('C.4: requests with Huffman decode, table sizes 57, 110, 164', () => decodesInOrder(C4));

test('C.3: encoder with indexing all (and auto), Huffman never, reproduces the octets', () => {
  encodesInOrder(C3, { indexing: 'all', huffman: 'never' });
  // 'auto' indexes :authority, cache-control and custom-key too; :path values are static.
  encodesInOrder(C3, { huffman: 'never' });
});

test('C.4: encoder with Huffman always (and the default auto: every string is shorter coded) reproduces the octets', () => {
  encodesInOrder(C4, { indexing: 'all', huffman: 'always' });
  encodesInOrder(C4, {});
});

test('C.3 decoded through write()/end() and decodeToRecords give the same results', () => {
  const chunked = new HpackDecoder();
  const records = new HpackDecoder();
  try {
    for (const ex of C3) {
      const bytes = fromHex(ex.hex);
      chunked.write(bytes.subarray(0, 3));
      chunked.write(bytes.subarray(3, 3));
      chunked.write(bytes.subarray(3));
      assert.equal(chunked.end(), ex.headers, `${ex.id} chunked`);
      assert.is(chunked.tableSize, ex.tableSize, `${ex.id} chunked`);
      assert.is(records.decodeToRecords(bytes), ex.headers.length, `${ex.id} field count`);
      assert.is(records.tableSize, ex.tableSize, `${ex.id} records`);
    }
  } finally {
    chunked.free();
    records.free();
  }
});

test('C.3 through HpackEncoder.pack + encodePacked + lastBlock reproduces the octets', () => {
  const encoder = new HpackEncoder({ indexing: 'all', huffman: 'never' });
  try {
    for (const ex of C3) {
      const n = encoder.encodePacked(HpackEncoder.pack(ex.headers));
      const expected = fromHex(ex.hex);
      assert.is(n, expected.length, ex.id);
      assert.is(toHex(encoder.lastBlock(n)), toHex(expected), ex.id);
      assert.is(encoder.tableSize, ex.tableSize, ex.id);
    }
  } finally {
    encoder.free();
  }
});

// -- C.5 / C.6 responses, SETTINGS_HEADER_TABLE_SIZE 256 -------------------------------------

test('C.5: responses without Huffman decode with a 256-octet table, sizes 222, 222, 215', () =>
  decodesInOrder(C5, { maxTableSize: 256 }));
test('C.6: responses with Huffman decode with a 256-octet table, sizes 222, 222, 215', () =>
  decodesInOrder(C6, { maxTableSize: 256 }));

test('C.5: encoder with a 256-octet table, indexing all, Huffman never, reproduces the octets and evictions', () => {
  encodesInOrder(C5, { maxTableSize: 256, indexing: 'all', huffman: 'never' });
});

test('C.6: encoder with a 256-octet table, indexing all, Huffman always, reproduces the octets and evictions', () => {
  encodesInOrder(C6, { maxTableSize: 256, indexing: 'all', huffman: 'always' });
});

test("C.6 with Huffman 'auto': '307' codes to 3 octets, no shorter than raw, so C.6.2 is sent as C.5.2", () => {
  encodesInOrder(C6, { maxTableSize: 256, indexing: 'all', huffman: 'auto' }, [C6[0].hex, C5[1].hex, C6[2].hex]);
});

test('C.5 octets decoded on a decoder that has seen C.6 (same table state) still agree', () => {
  // The RFC notes the evictions depend on decoded lengths only, so C.5.n and C.6.n leave the
  // same table: mixing them on one connection must work.
  decodesInOrder([C6[0], C5[1], C6[2]], { maxTableSize: 256 });
  decodesInOrder([C5[0], C6[1], C5[2]], { maxTableSize: 256 });
});

test.run();
