// Malformed blocks, built by hand from RFC 7541 §5 and §6, give their documented error codes
// (docs/hpack.md); local limits refuse a block but keep the dynamic table in sync; misuse of
// a freed or failed codec is reported.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HpackDecoder, HpackEncoder, HpackError } from '../../bindings/hpack/index.ts';
import {
  HUFFMAN_CODE as H,
  bits,
  block,
  entrySize,
  fromHex,
  huffStr,
  incremental,
  indexed,
  int,
  latin1,
  neverIndexed,
  sizeUpdate,
  str,
  withoutIndexing,
  type Bytes,
} from '../helpers/hpack-wire.ts';
import { ReferenceDecoder } from '../helpers/hpack-reference.ts';
import { throwsCode, caught } from '../helpers/hpack-expect.ts';

const TRUNCATED = 'ERR_HPACK_TRUNCATED';
const INTEGER_OVERFLOW = 'ERR_HPACK_INTEGER_OVERFLOW';
const INVALID_INDEX = 'ERR_HPACK_INVALID_INDEX';
const INVALID_HUFFMAN = 'ERR_HPACK_INVALID_HUFFMAN';
const TABLE_SIZE_UPDATE = 'ERR_HPACK_TABLE_SIZE_UPDATE';
const HEADER_LIST_TOO_LARGE = 'ERR_HPACK_HEADER_LIST_TOO_LARGE';
const TOO_MANY_HEADERS = 'ERR_HPACK_TOO_MANY_HEADERS';
const HEADER_FIELD_TOO_LARGE = 'ERR_HPACK_HEADER_FIELD_TOO_LARGE';
const DECODER_UNUSABLE = 'ERR_HPACK_DECODER_UNUSABLE';
const FREED = 'ERR_HPACK_FREED';
const INVALID_CHAR = 'ERR_HPACK_INVALID_CHAR';

/** A literal without indexing, name :authority (static 1), whose value is `value` as given. */
const authorityWithValue = (value: Bytes): Bytes => [0x01, ...value];

type Headers = Array<[string, string]>;

function withDecoder<T>(options: ConstructorParameters<typeof HpackDecoder>[0], fn: (d: HpackDecoder) => T): T {
  const d = new HpackDecoder(options);
  try {
    return fn(d);
  } finally {
    d.free();
  }
}

/** Feeds `bytes` one octet at a time, then ends the block. */
function decodeByOctets(d: HpackDecoder, bytes: Uint8Array): Headers {
  for (let i = 0; i < bytes.length; i++) d.write(bytes.subarray(i, i + 1));
  return d.end();
}

// -- malformed blocks on a fresh decoder -----------------------------------------------------------

interface Malformed { code: string; why: string; bytes: Uint8Array }

const MALFORMED: Malformed[] = [
  // RFC 7541 §5.1, §5.2, §6: the block ends inside a representation
  { code: TRUNCATED, why: 'indexed field whose prefix is full and no continuation octet follows (§5.1)', bytes: block([0xff]) },
  { code: TRUNCATED, why: 'integer whose last octet still has the continuation bit (§5.1)', bytes: block([0xff, 0x80]) },
  { code: TRUNCATED, why: 'literal with a new name and nothing more (§6.2.1)', bytes: block([0x40]) },
  { code: TRUNCATED, why: 'name string shorter than its length (§5.2)', bytes: block([0x40, 0x0a], latin1('cus')) },
  { code: TRUNCATED, why: 'literal without its value (§6.2.1)', bytes: block([0x40], str('a')) },
  { code: TRUNCATED, why: 'value string shorter than its length (§5.2)', bytes: block([0x41, 0x05], latin1('ab')) },
  { code: TRUNCATED, why: 'Huffman value shorter than its length (§5.2)', bytes: block(authorityWithValue([0x83, 0x1f])) },
  { code: TRUNCATED, why: 'size update whose integer continues past the end (§6.3)', bytes: block([0x3f]) },
  { code: TRUNCATED, why: 'never-indexed literal cut inside its name index (§6.2.3)', bytes: block([0x1f]) },
  { code: TRUNCATED, why: 'a complete field, then a literal name promised but absent', bytes: block(indexed(2), [0x40, 0x01]) },

  // §5.1 leaves the limit to implementations; docs/hpack.md sets it at 2^31−1
  { code: INTEGER_OVERFLOW, why: 'index 2^31', bytes: block(indexed(2 ** 31)) },
  { code: INTEGER_OVERFLOW, why: 'index above 2^32', bytes: block([0xff, 0xff, 0xff, 0xff, 0xff, 0x0f]) },
  { code: INTEGER_OVERFLOW, why: 'index 127 padded with ten zero continuation octets', bytes: block([0xff, ...new Array(10).fill(0x80), 0x00]) },
  { code: INTEGER_OVERFLOW, why: 'name length 2^31', bytes: block([0x40], int(2 ** 31, 7, 0x00)) },
  { code: INTEGER_OVERFLOW, why: 'size update to 2^32', bytes: block(sizeUpdate(2 ** 32)) },

  // §2.3.3: index 0 is invalid, and so is any index past the static + dynamic table
  { code: INVALID_INDEX, why: 'indexed field 0 (§6.1)', bytes: block([0x80]) },
  { code: INVALID_INDEX, why: 'indexed field 62 with an empty dynamic table', bytes: block(indexed(62)) },
  { code: INVALID_INDEX, why: 'indexed field 2^31−1 (largest integer: not an overflow)', bytes: block(indexed(2 ** 31 - 1)) },
  { code: INVALID_INDEX, why: 'incremental literal with name index 62 on an empty table (§6.2.1)', bytes: block(incremental(62, 'v')) },
  { code: INVALID_INDEX, why: 'literal without indexing with name index 62 (§6.2.2)', bytes: block(withoutIndexing(62, 'v')) },
  { code: INVALID_INDEX, why: 'never-indexed literal with name index 70 (§6.2.3)', bytes: block(neverIndexed(70, 'v')) },
  { code: INVALID_INDEX, why: 'index 0 after a valid field', bytes: block(indexed(2), [0x80]) },

  // §5.2: padding over 7 bits, padding other than the EOS prefix, EOS inside the string
  { code: INVALID_HUFFMAN, why: 'a string of 8 bits of padding alone', bytes: block(authorityWithValue(huffStr([0xff]))) },
  { code: INVALID_HUFFMAN, why: '"a" then 11 bits of ones', bytes: block(authorityWithValue(huffStr(bits(H.a + '1'.repeat(11))))) },
  { code: INVALID_HUFFMAN, why: '"a" then padding 000', bytes: block(authorityWithValue(huffStr(bits(H.a + '000')))) },
  { code: INVALID_HUFFMAN, why: '"a" then padding 101', bytes: block(authorityWithValue(huffStr(bits(H.a + '101')))) },
  { code: INVALID_HUFFMAN, why: 'EOS then "a"', bytes: block(authorityWithValue(huffStr(bits(H.EOS + H.a + '11111')))) },
  { code: INVALID_HUFFMAN, why: 'EOS as the whole string', bytes: block(authorityWithValue(huffStr(bits(H.EOS + '11')))) },
  { code: INVALID_HUFFMAN, why: 'a Huffman literal name with padding 000', bytes: block([0x40], huffStr(bits(H.a + '000')), str('v')) },

  // §4.2, §6.3: above the maximum, or not at the start of the block
  { code: TABLE_SIZE_UPDATE, why: 'size update to 4097 with the default maximum 4096', bytes: block(sizeUpdate(4097)) },
  { code: TABLE_SIZE_UPDATE, why: 'size update to 2^31−1', bytes: block(sizeUpdate(2 ** 31 - 1)) },
  { code: TABLE_SIZE_UPDATE, why: 'size update after a field', bytes: block(indexed(2), sizeUpdate(0)) },
  { code: TABLE_SIZE_UPDATE, why: 'size update between two fields', bytes: block(indexed(2), sizeUpdate(4096), indexed(3)) },
];

for (const m of MALFORMED) {
  test(`${m.code}: ${m.why}`, () => {
    withDecoder(undefined, (d) => {
      assert.ok(d.usable);
      const err = throwsCode(() => d.decode(m.bytes), m.code, m.why);
      assert.instance(err, HpackError);
      assert.instance(err, Error);
      assert.is(d.usable, false, 'a malformed block leaves the decoder unusable');
      throwsCode(() => d.decode(block(indexed(2))), DECODER_UNUSABLE, `${m.why}, then a valid block`);
    });
    withDecoder(undefined, (d) => {
      throwsCode(() => decodeByOctets(d, m.bytes), m.code, `${m.why}, one octet at a time`);
      assert.is(d.usable, false);
    });
  });
}

// The builder's valid neighbours of the blocks above: they fail only for the reason named.
const VALID: Array<{ why: string; bytes: Uint8Array; headers: Headers }> = [
  { why: '"a" with 3 bits of EOS-prefix padding', bytes: block(authorityWithValue(huffStr(bits(H.a + '111')))), headers: [[':authority', 'a']] },
  { why: '"aaaaa" with 7 bits of padding (the most allowed)', bytes: block(authorityWithValue(huffStr(bits(H.a.repeat(5) + '1111111')))), headers: [[':authority', 'aaaaa']] },
  { why: 'an empty Huffman string', bytes: block(authorityWithValue(huffStr([]))), headers: [[':authority', '']] },
  { why: 'a Huffman literal name', bytes: block([0x40], huffStr(bits(H.a + '111')), str('v')), headers: [['a', 'v']] },
  { why: 'Huffman "0/" then padding', bytes: block(authorityWithValue(huffStr(bits(H.zero + H.slash + '11111')))), headers: [[':authority', '0/']] },
  { why: 'indexed field 61, the last static entry', bytes: block(indexed(61)), headers: [['www-authenticate', '']] },
  { why: 'literal never indexed with name index 61', bytes: block(neverIndexed(61, 'x')), headers: [['www-authenticate', 'x']] },
  { why: 'a size update to 4096 alone', bytes: block(sizeUpdate(4096)), headers: [] },
  { why: 'an empty block', bytes: block(), headers: [] },
  { why: 'two size updates, then a field (§4.2)', bytes: block(sizeUpdate(0), sizeUpdate(4096), indexed(2)), headers: [[':method', 'GET']] },
];

for (const v of VALID) {
  test(`valid: ${v.why}`, () => {
    withDecoder(undefined, (d) => {
      assert.equal(d.decode(v.bytes), v.headers);
      assert.ok(d.usable);
    });
  });
}

// -- malformed in context ---------------------------------------------------------------------------

test('INVALID_INDEX: one past the newest dynamic entry (RFC 7541 §2.3.3)', () => {
  withDecoder(undefined, (d) => {
    d.decode(block(incremental('a', 'b')));
    assert.equal(d.decode(block(indexed(62))), [['a', 'b']]);
    throwsCode(() => d.decode(block(indexed(63))), INVALID_INDEX, 'index 63 with one dynamic entry');
  });
});

test('INVALID_INDEX: an entry evicted by a size update to 0 is gone (RFC 7541 §4.3)', () => {
  withDecoder(undefined, (d) => {
    d.decode(block(incremental('a', 'b')));
    throwsCode(() => d.decode(block(sizeUpdate(0), indexed(62))), INVALID_INDEX, 'index 62 after emptying the table');
  });
});

test('TABLE_SIZE_UPDATE: above a maxTableSize option of 256; 256 itself is fine', () => {
  withDecoder({ maxTableSize: 256 }, (d) => {
    assert.equal(d.decode(block(sizeUpdate(256), indexed(2))), [[':method', 'GET']]);
    throwsCode(() => d.decode(block(sizeUpdate(257))), TABLE_SIZE_UPDATE, 'update to 257');
  });
});

test('TABLE_SIZE_UPDATE: setMaxTableSize(8192) allows updates up to 8192 and no further', () => {
  withDecoder(undefined, (d) => {
    d.setMaxTableSize(8192);
    assert.equal(d.decode(block(sizeUpdate(8192))), []);
    const big = 'v'.repeat(5000);
    d.decode(block(incremental('x', big)));
    assert.is(d.tableSize, entrySize('x', big), 'a 5033-octet entry fits the raised table');
  });
  withDecoder(undefined, (d) => {
    d.setMaxTableSize(8192);
    throwsCode(() => d.decode(block(sizeUpdate(8193))), TABLE_SIZE_UPDATE, 'update to 8193');
  });
});

/** C.3.1–C.3.3 of RFC 7541: leaves 164 octets in three entries. */
const C3 = [
  '8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d',
  '8286 84be 5808 6e6f 2d63 6163 6865',
  '8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65',
].map(fromHex);

function primedWithC3(d: HpackDecoder) {
  for (const b of C3) d.decode(b);
  assert.is(d.tableSize, 164);
}

test('TABLE_SIZE_UPDATE: missing after setMaxTableSize lowered the limit below the table (RFC 7541 §4.2)', () => {
  withDecoder(undefined, (d) => {
    primedWithC3(d);
    d.setMaxTableSize(100);
    throwsCode(() => d.decode(block(indexed(2))), TABLE_SIZE_UPDATE, 'no size update after lowering to 100');
    assert.is(d.usable, false);
  });
});

test('TABLE_SIZE_UPDATE: missing after setMaxTableSize lowered the limit of an empty table (RFC 7541 §4.2)', () => {
  // The change to the maximum must be signalled at the start of the next block, whatever the
  // table holds.
  withDecoder(undefined, (d) => {
    d.setMaxTableSize(100);
    throwsCode(() => d.decode(block(indexed(2))), TABLE_SIZE_UPDATE, 'no size update after lowering to 100');
  });
  withDecoder(undefined, (d) => {
    d.setMaxTableSize(100);
    assert.equal(d.decode(block(sizeUpdate(100), indexed(2))), [[':method', 'GET']]);
  });
});

test('TABLE_SIZE_UPDATE: lowered then raised between blocks, the smallest size must be signalled first (RFC 7541 §4.2)', () => {
  withDecoder(undefined, (d) => {
    primedWithC3(d);
    d.setMaxTableSize(100);
    d.setMaxTableSize(4096);
    throwsCode(() => d.decode(block(sizeUpdate(4096), indexed(2))), TABLE_SIZE_UPDATE, 'only the final size signalled');
  });
  withDecoder(undefined, (d) => {
    primedWithC3(d);
    d.setMaxTableSize(100);
    d.setMaxTableSize(4096);
    // 100 evicts down to custom-key (54 octets); then the table may grow again
    assert.equal(d.decode(block(sizeUpdate(100), sizeUpdate(4096), indexed(62))), [['custom-key', 'custom-value']]);
    assert.is(d.tableSize, 54);
    throwsCode(() => d.decode(block(indexed(63))), INVALID_INDEX, 'cache-control was evicted by the update to 100');
  });
});

test('TABLE_SIZE_UPDATE: an update above the lowered limit', () => {
  withDecoder(undefined, (d) => {
    primedWithC3(d);
    d.setMaxTableSize(100);
    throwsCode(() => d.decode(block(sizeUpdate(101), indexed(2))), TABLE_SIZE_UPDATE, 'update to 101 after lowering to 100');
  });
});

test('a lowered limit with its size update evicts to fit; later blocks need no update (RFC 7541 §4.3)', () => {
  withDecoder(undefined, (d) => {
    primedWithC3(d);
    d.setMaxTableSize(100);
    // 164 → evict :authority (57) → 107 → evict cache-control (53) → 54: custom-key stays.
    assert.equal(d.decode(block(sizeUpdate(100), indexed(62))), [['custom-key', 'custom-value']]);
    assert.is(d.tableSize, 54);
    assert.equal(d.decode(block(indexed(62))), [['custom-key', 'custom-value']]);
    throwsCode(() => d.decode(block(indexed(63))), INVALID_INDEX, 'cache-control was evicted');
  });
  withDecoder(undefined, (d) => {
    primedWithC3(d);
    d.setMaxTableSize(100);
    // Two updates, the smaller first, are fine too.
    assert.equal(d.decode(block(sizeUpdate(50), sizeUpdate(100), indexed(2))), [[':method', 'GET']]);
    assert.is(d.tableSize, 0, 'the update to 50 evicted the 54-octet entry');
  });
});

test('two size updates in a row at the start of a block are fine, and take effect in order (RFC 7541 §4.2)', () => {
  withDecoder(undefined, (d) => {
    primedWithC3(d);
    assert.equal(d.decode(block(sizeUpdate(0), sizeUpdate(4096), indexed(2))), [[':method', 'GET']]);
    assert.is(d.tableSize, 0);
    assert.equal(d.decode(block(incremental('k', 'v'), indexed(62))), [['k', 'v'], ['k', 'v']]);
    assert.is(d.tableSize, 34);
  });
  withDecoder(undefined, (d) => {
    primedWithC3(d);
    assert.equal(decodeByOctets(d, block(sizeUpdate(0), sizeUpdate(4096), indexed(2))), [[':method', 'GET']]);
    assert.is(d.tableSize, 0);
  });
});

// -- limits -------------------------------------------------------------------------------------

test('HEADER_LIST_TOO_LARGE: past maxHeaderListSize, counting name + value + 32 (RFC 9113 §6.5.2)', () => {
  withDecoder({ maxHeaderListSize: 100 }, (d) => {
    // 1 + 17 + 32 = 50, twice: exactly the limit
    const at = block(withoutIndexing('a', 'x'.repeat(17)), withoutIndexing('b', 'x'.repeat(17)));
    assert.equal(d.decode(at), [['a', 'x'.repeat(17)], ['b', 'x'.repeat(17)]]);
    const over = block(withoutIndexing('a', 'x'.repeat(17)), withoutIndexing('b', 'x'.repeat(18)));
    const err = throwsCode(() => d.decode(over), HEADER_LIST_TOO_LARGE, '101 octets');
    assert.instance(err, HpackError);
    assert.ok(d.usable, 'a limit keeps the decoder usable');
    assert.equal(d.decode(block(indexed(2))), [[':method', 'GET']]);
  });
});

test('HEADER_LIST_TOO_LARGE: the default 65536', () => {
  // four fields of 3 + 16349 + 32 = 16384 octets
  const field = (name: string, extra: number) => withoutIndexing(name, 'v'.repeat(16349 + extra));
  withDecoder(undefined, (d) => {
    assert.is(d.decode(block(field('x-a', 0), field('x-b', 0), field('x-c', 0), field('x-d', 0))).length, 4);
    throwsCode(() => d.decode(block(field('x-a', 0), field('x-b', 0), field('x-c', 0), field('x-d', 1))), HEADER_LIST_TOO_LARGE, '65537');
    assert.ok(d.usable);
  });
});

test('TOO_MANY_HEADERS: past maxHeaderListPairs', () => {
  withDecoder({ maxHeaderListPairs: 3 }, (d) => {
    assert.is(d.decode(block(indexed(2), indexed(3), indexed(4))).length, 3);
    throwsCode(() => d.decode(block(indexed(2), indexed(3), indexed(4), indexed(5))), TOO_MANY_HEADERS, '4 fields');
    assert.ok(d.usable);
    assert.equal(d.decode(block(indexed(2))), [[':method', 'GET']]);
  });
});

test('TOO_MANY_HEADERS: the default 128', () => {
  withDecoder(undefined, (d) => {
    assert.is(d.decode(block(...new Array(128).fill(indexed(2)))).length, 128);
    throwsCode(() => d.decode(block(...new Array(129).fill(indexed(2)))), TOO_MANY_HEADERS, '129 fields');
    assert.ok(d.usable);
  });
});

test('HEADER_FIELD_TOO_LARGE: past maxHeaderFieldSize (name + value)', () => {
  withDecoder({ maxHeaderFieldSize: 10, maxHeaderListSize: 1 << 20 }, (d) => {
    assert.equal(d.decode(block(withoutIndexing('abc', '1234567'))), [['abc', '1234567']]);
    throwsCode(() => d.decode(block(withoutIndexing('abc', '12345678'))), HEADER_FIELD_TOO_LARGE, '11 octets');
    assert.ok(d.usable);
    // a static name counts too
    throwsCode(() => d.decode(block(withoutIndexing(1, 'a'.repeat(10)))), HEADER_FIELD_TOO_LARGE, ':authority + 10');
    assert.ok(d.usable);
  });
});

test('HEADER_FIELD_TOO_LARGE: the default 65536', () => {
  withDecoder({ maxHeaderListSize: 1 << 20 }, (d) => {
    assert.is(d.decode(block(withoutIndexing('x', 'v'.repeat(65535))))[0][1].length, 65535);
    throwsCode(() => d.decode(block(withoutIndexing('x', 'v'.repeat(65536)))), HEADER_FIELD_TOO_LARGE, '65537 octets');
    assert.ok(d.usable);
  });
});

/**
 * A limit refuses the block but the decoder goes on applying it to its dynamic table
 * (docs/hpack.md): the encoder inserted those entries, so the next block may reference them.
 * hpack.js, which has no limits, decodes the same blocks alongside to give the table size.
 */
function staysInSync(
  options: ConstructorParameters<typeof HpackDecoder>[0],
  code: string,
  overLimit: Uint8Array,
  followUps: Array<[Uint8Array, Headers | string]>,
  chunked = false,
) {
  withDecoder(options, (d) => {
    const reference = new ReferenceDecoder();
    const prime = block(incremental('x-old', 'o'));
    assert.equal(d.decode(prime), [['x-old', 'o']]);
    reference.decode(prime);
    throwsCode(() => (chunked ? decodeByOctets(d, overLimit) : d.decode(overLimit)), code, 'the over-limit block');
    reference.decode(overLimit);
    assert.ok(d.usable, 'usable after a limit');
    assert.is(d.tableSize, reference.tableSize, 'table size after the over-limit block');
    for (const [next, expected] of followUps) {
      if (typeof expected === 'string') {
        throwsCode(() => d.decode(next), expected, 'follow-up');
      } else {
        assert.equal(d.decode(next), expected, 'follow-up block');
        assert.equal(reference.decode(next), expected, 'hpack.js agrees on the follow-up');
        assert.is(d.tableSize, reference.tableSize);
      }
    }
  });
}

const a100 = 'a'.repeat(100);
const b10 = 'b'.repeat(10);

/** Inserts before and after passing the limit; references old entries by index and by name. */
const LIST_BLOCK = block(
  indexed(62), // x-old: o                                38
  incremental(62, 'p'), // x-old: p (name from index 62)   38
  incremental('x-one', a100), // 137: the list is now 213
  incremental('x-two', b10), // 47
  indexed(64), // x-old: p
);
const LIST_FOLLOW_UPS: Array<[Uint8Array, Headers | string]> = [
  [block(indexed(62), indexed(64), indexed(65)), [['x-two', b10], ['x-old', 'p'], ['x-old', 'o']]],
  [block(indexed(63)), [['x-one', a100]]],
];

test('HEADER_LIST_TOO_LARGE: the dynamic table stays in sync with the encoder', () => {
  staysInSync({ maxHeaderListSize: 200 }, HEADER_LIST_TOO_LARGE, LIST_BLOCK, LIST_FOLLOW_UPS);
});

test('HEADER_LIST_TOO_LARGE: in sync when the block arrives one octet at a time', () => {
  staysInSync({ maxHeaderListSize: 200 }, HEADER_LIST_TOO_LARGE, LIST_BLOCK, LIST_FOLLOW_UPS, true);
});

test('HEADER_LIST_TOO_LARGE: in sync across a size update and evictions inside the refused block', () => {
  staysInSync(
    { maxHeaderListSize: 100 },
    HEADER_LIST_TOO_LARGE,
    block(
      sizeUpdate(100),
      incremental('x-one', 'a'.repeat(20)), // 57 + 38 = 95
      incremental('x-two', 'b'.repeat(20)), // evicts x-old, then x-one; the list is 114
    ),
    [
      [block(indexed(62)), [['x-two', 'b'.repeat(20)]]],
      [block(indexed(63)), INVALID_INDEX],
    ],
  );
});

test('TOO_MANY_HEADERS: the dynamic table stays in sync with the encoder', () => {
  staysInSync(
    { maxHeaderListPairs: 3 },
    TOO_MANY_HEADERS,
    block(indexed(62), incremental(62, 'p'), indexed(2), incremental('x-one', 'a'), incremental('x-two', 'b'), indexed(64)),
    [
      [block(indexed(62), indexed(63), indexed(64)), [['x-two', 'b'], ['x-one', 'a'], ['x-old', 'p']]],
      [block(indexed(65)), [['x-old', 'o']]],
    ],
  );
});

test('HEADER_FIELD_TOO_LARGE: in sync, including a refused field too large for the table (RFC 7541 §4.4)', () => {
  staysInSync(
    { maxHeaderFieldSize: 1000 },
    HEADER_FIELD_TOO_LARGE,
    block(
      incremental('x-mid', 'm'.repeat(100)),
      incremental('x-big', 'v'.repeat(5000)), // 5037 octets > 4096: empties the table, is not added
      incremental('x-after', '1'),
    ),
    [
      [block(indexed(62)), [['x-after', '1']]],
      [block(indexed(63)), INVALID_INDEX],
    ],
  );
});

test('HEADER_LIST_TOO_LARGE: in sync when the entries past the limit are Huffman-coded (sizes count decoded octets, RFC 7541 §4.1)', () => {
  staysInSync(
    { maxHeaderListSize: 50 },
    HEADER_LIST_TOO_LARGE,
    block(
      withoutIndexing('a', 'x'.repeat(30)), // 63 > 50
      [0x40], str('k'), huffStr(bits(H.a.repeat(5) + '1111111')), // k: aaaaa, 4 octets coded, 38 in the table
      [0x40], huffStr(bits(H.a + '111')), huffStr(bits(H.zero + H.slash + '11111')), // a: 0/, 35
    ),
    [
      [block(indexed(62)), [['a', '0/']]],
      [block(indexed(63)), [['k', 'aaaaa']]],
      [block(indexed(64)), [['x-old', 'o']]],
    ],
  );
});

test('a malformed representation after a limit was passed is still malformed: the decoder becomes unusable', () => {
  withDecoder({ maxHeaderListPairs: 1 }, (d) => {
    throwsCode(() => d.decode(block(indexed(2), indexed(3), [0x80])), INVALID_INDEX, 'index 0 after too many fields');
    assert.is(d.usable, false);
  });
});

// RFC 7541 §5.2: bad padding and EOS MUST be decoding errors, whether or not the field is kept,
// and whatever representation carries the string.
const pastListLimit = (rest: Bytes) => block(withoutIndexing('a', 'x'.repeat(30)), rest); // 63 > 50
const LIST_50 = { maxHeaderListSize: 50 };
const BAD_HUFFMAN_PAST_LIMIT: Array<[string, ConstructorParameters<typeof HpackDecoder>[0], Uint8Array]> = [
  ['past maxHeaderListSize, incremental literal, bad padding', LIST_50, pastListLimit([0x40, ...str('k'), ...huffStr(bits(H.a + '000'))])],
  ['past maxHeaderListSize, literal without indexing, bad padding', LIST_50, pastListLimit(authorityWithValue(huffStr(bits(H.a + '000'))))],
  ['past maxHeaderListSize, literal without indexing, EOS', LIST_50, pastListLimit(authorityWithValue(huffStr(bits(H.EOS + '11'))))],
  ['past maxHeaderListSize, never-indexed literal, 8 bits of padding', LIST_50, pastListLimit([0x11, ...huffStr([0xff])])],
  ['past maxHeaderListSize, Huffman name with bad padding', LIST_50, pastListLimit([0x00, ...huffStr(bits(H.a + '101')), ...str('v')])],
  ['past maxHeaderListPairs, literal without indexing, bad padding', { maxHeaderListPairs: 1 }, block(indexed(2), authorityWithValue(huffStr(bits(H.a + '000'))))],
  [
    'in the field over maxHeaderFieldSize itself, bad padding',
    { maxHeaderFieldSize: 12 },
    block(authorityWithValue(huffStr(bits(H.a.repeat(9) + '000')))), // :authority + 9 > 12
  ],
];

for (const [what, options, bytes] of BAD_HUFFMAN_PAST_LIMIT) {
  test(`INVALID_HUFFMAN ${what}: the decoder becomes unusable`, () => {
    withDecoder(options, (d) => {
      throwsCode(() => d.decode(bytes), INVALID_HUFFMAN, what);
      assert.is(d.usable, false, what);
    });
  });
}

// -- ordinary traffic stays under the default limits ------------------------------------------
// (Every block of every recorded story also decodes under the defaults: stories.test.ts.)

const BROWSER_REQUEST: Headers = [
  [':method', 'GET'],
  [':scheme', 'https'],
  [':authority', 'www.example.com'],
  [':path', '/search?q=http%2F2+header+compression&source=hp&ei=Zm9vYmFyYmF6cXV4&oq=http2&sclient=gws-wiz'],
  ['sec-ch-ua', '"Chromium";v="131", "Not_A Brand";v="24"'],
  ['sec-ch-ua-mobile', '?0'],
  ['sec-ch-ua-platform', '"Linux"'],
  ['upgrade-insecure-requests', '1'],
  ['user-agent', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'],
  ['accept', 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7'],
  ['sec-fetch-site', 'same-origin'],
  ['sec-fetch-mode', 'navigate'],
  ['sec-fetch-user', '?1'],
  ['sec-fetch-dest', 'document'],
  ['referer', 'https://www.example.com/'],
  ['accept-encoding', 'gzip, deflate, br, zstd'],
  ['accept-language', 'en-GB,en-US;q=0.9,en;q=0.8,fr;q=0.7'],
  ['priority', 'u=0, i'],
];

/** Raw literals without indexing: the decoder sees every octet of every field. */
const literalBlock = (headers: Headers) => block(...headers.map(([n, v]) => withoutIndexing(n, v)));

const crumbs = (count: number, size: number): Headers =>
  Array.from({ length: count }, (_, i) => ['cookie', `c${i}=${'z'.repeat(size)}`] as [string, string]);

test('ordinary traffic: a browser request with a 4 KB cookie stays under maxHeaderListSize', () => {
  const headers: Headers = [...BROWSER_REQUEST, ['cookie', crumbs(60, 60).map(([, v]) => v).join('; ')]];
  withDecoder(undefined, (d) => assert.equal(d.decode(literalBlock(headers)), headers));
});

test('ordinary traffic: a request with its cookie in 90 crumbs (RFC 9113 §8.2.3) stays under maxHeaderListPairs', () => {
  const headers: Headers = [...BROWSER_REQUEST, ...crumbs(90, 40)];
  assert.ok(headers.length > 100);
  withDecoder(undefined, (d) => assert.equal(d.decode(literalBlock(headers)), headers));
});

test('ordinary traffic: an 8 KB bearer token and a 16 KB content-security-policy stay under maxHeaderFieldSize', () => {
  const headers: Headers = [
    [':status', '200'],
    ['content-type', 'text/html; charset=utf-8'],
    ['content-security-policy', `default-src 'self'; script-src ${Array.from({ length: 600 }, (_, i) => `https://cdn${i}.example.net`).join(' ')}`.slice(0, 16384)],
    ['authorization', `Bearer ${'eyJhbGciOiJSUzI1NiJ9'.repeat(410)}`],
  ];
  withDecoder(undefined, (d) => assert.equal(d.decode(literalBlock(headers)), headers));
});

test('ordinary traffic: gRPC response headers and trailers', () => {
  withDecoder(undefined, (d) => {
    const head: Headers = [[':status', '200'], ['content-type', 'application/grpc+proto'], ['grpc-encoding', 'identity'], ['grpc-accept-encoding', 'gzip']];
    const trailers: Headers = [['grpc-status', '0'], ['grpc-message', ''], ['grpc-status-details-bin', 'CAASBk9LIQ']];
    assert.equal(d.decode(literalBlock(head)), head);
    assert.equal(d.decode(literalBlock(trailers)), trailers);
  });
});

// -- unusable, freed --------------------------------------------------------------------------

test('after a malformed block: usable is false and decode, write and end throw ERR_HPACK_DECODER_UNUSABLE', () => {
  withDecoder(undefined, (d) => {
    assert.equal(d.decode(C3[0]), [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com']]);
    assert.is(d.usable, true);
    throwsCode(() => d.decode(block([0x80])), INVALID_INDEX, 'index 0');
    assert.is(d.usable, false);
    throwsCode(() => d.decode(C3[1]), DECODER_UNUSABLE, 'decode');
    throwsCode(() => d.write(C3[1]), DECODER_UNUSABLE, 'write');
    throwsCode(() => d.end(), DECODER_UNUSABLE, 'end');
    assert.is(d.usable, false);
  });
});

test('a malformed block written in chunks fails at write() or end(), and then the decoder is unusable', () => {
  withDecoder(undefined, (d) => {
    const err = caught(() => {
      d.write(block([0x82, 0x86]));
      d.write(block([0x80]));
      return d.end();
    }, 'index 0 in the second chunk');
    assert.is(err.code, INVALID_INDEX);
    assert.is(d.usable, false);
    throwsCode(() => d.write(block([0x82])), DECODER_UNUSABLE, 'write');
  });
});

test('a limit error keeps usable true', () => {
  withDecoder({ maxHeaderListPairs: 1 }, (d) => {
    throwsCode(() => d.decode(block(indexed(2), indexed(3))), TOO_MANY_HEADERS, '2 fields');
    assert.is(d.usable, true);
  });
});

test('decoder: any call after free() throws ERR_HPACK_FREED', () => {
  const d = new HpackDecoder();
  d.decode(C3[0]);
  d.free();
  throwsCode(() => d.decode(C3[1]), FREED, 'decode');
  throwsCode(() => d.write(C3[1]), FREED, 'write');
  throwsCode(() => d.end(), FREED, 'end');
  throwsCode(() => d.setMaxTableSize(100), FREED, 'setMaxTableSize');
  throwsCode(() => d.decodeToRecords(C3[1]), FREED, 'decodeToRecords');
});

test('encoder: any call after free() throws ERR_HPACK_FREED', () => {
  const e = new HpackEncoder();
  e.encode([[':method', 'GET']]);
  e.free();
  throwsCode(() => e.encode([[':method', 'GET']]), FREED, 'encode');
  throwsCode(() => e.setMaxTableSize(100), FREED, 'setMaxTableSize');
  throwsCode(() => e.encodePacked(HpackEncoder.pack([[':method', 'GET']])), FREED, 'encodePacked');
});

// -- encoder input -----------------------------------------------------------------------------

const BAD_CHARS: Array<[string, Parameters<HpackEncoder['encode']>[0]]> = [
  ['a value with U+0100', [['x-a', 'ok\u0100']]],
  ['a name with U+20AC', [['x-\u20ac', 'v']]],
  ['a value with an astral character (surrogate pair)', [['x-a', '\u{1F600}']]],
  ['a record value', { 'x-a': 'caf\u00e9 \u20ac' }],
  ['an element of a record array value', { 'x-a': ['fine', '\u0100'] }],
];

for (const [what, headers] of BAD_CHARS) {
  test(`encoder: ${what} throws ERR_HPACK_INVALID_CHAR, a TypeError`, () => {
    const e = new HpackEncoder();
    try {
      const err = throwsCode(() => e.encode(headers), INVALID_CHAR, what);
      assert.instance(err, TypeError);
    } finally {
      e.free();
    }
  });
}

test('encoder: every octet U+0000–U+00FF in names and values round-trips', () => {
  let all = '';
  for (let c = 0; c < 256; c++) all += String.fromCharCode(c);
  const headers: Headers = [[all, all], ['x-\u00ff', '\u00ff'], ['', '']];
  for (const huffman of ['never', 'always', 'auto'] as const) {
    const e = new HpackEncoder({ huffman });
    try {
      withDecoder(undefined, (d) => {
        const reference = new ReferenceDecoder();
        const out = e.encode(headers);
        assert.equal(d.decode(out), headers, huffman);
        assert.equal(reference.decode(out), headers, `${huffman}: hpack.js`);
      });
    } finally {
      e.free();
    }
  }
});

test('encoder: a block refused for a bad character leaves no trace in the dynamic table', () => {
  // The refused block is never sent, so the peer's table never saw its fields: the encoder
  // must not reference them afterwards.
  const e = new HpackEncoder();
  try {
    withDecoder(undefined, (d) => {
      throwsCode(() => e.encode([['x-first', 'kept?'], ['x-second', '\u0100']]), INVALID_CHAR, 'second field');
      assert.is(e.tableSize, 0);
      const out = e.encode([['x-first', 'kept?']]);
      assert.equal(d.decode(out), [['x-first', 'kept?']]);
      assert.is(d.tableSize, e.tableSize);
    });
  } finally {
    e.free();
  }
});

test.run();
