// Properties of the HPACK codec, with fast-check: encode then decode is the identity across
// blocks and table sizes; any chunking of a block decodes the same as the whole block; random
// input never crashes or hangs the decoder, only decodes or throws a documented error.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { HpackDecoder, HpackEncoder, HpackError } from '../../bindings/hpack/index.ts';
import { hexToBytes, loadStories, pairs } from '../helpers/stories.ts';
import { fromHex } from '../helpers/hpack-wire.ts';
import { ReferenceDecoder } from '../helpers/hpack-reference.ts';
import { LIMIT_CODES, MALFORMED_CODES } from '../helpers/hpack-expect.ts';

type Headers = Array<[string, string]>;

// -- arbitraries -------------------------------------------------------------------------------

/** One octet as a Latin-1 character: the codec's strings are byte strings. */
const octet = fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c));
const byteString = (maxLength: number) => fc.string({ unit: octet, maxLength });

const COMMON_NAMES = [':method', ':path', ':status', 'user-agent', 'cookie', 'authorization', 'set-cookie', 'content-length', 'x-custom', ''];
const COMMON_VALUES = ['', 'GET', '/', '200', 'gzip, deflate', 'a'];

const nameArb = fc.oneof(
  { arbitrary: fc.constantFrom(...COMMON_NAMES), weight: 2 },
  { arbitrary: byteString(24), weight: 3 },
);
const valueArb = fc.oneof(
  { arbitrary: fc.constantFrom(...COMMON_VALUES), weight: 1 },
  { arbitrary: byteString(40), weight: 4 },
  { arbitrary: byteString(700), weight: 1 },
);
const fieldArb = fc.tuple(nameArb, valueArb);

interface Step { headers: Headers; resize: number[]; sensitive: string[] }

/** Blocks drawing on a shared pool of fields, so later blocks repeat earlier ones. */
const stepsArb: fc.Arbitrary<Step[]> = fc.array(fieldArb, { minLength: 1, maxLength: 10 }).chain((pool) => {
  const field = fc.oneof({ arbitrary: fc.constantFrom(...pool), weight: 3 }, { arbitrary: fieldArb, weight: 1 });
  return fc.array(
    fc.record({
      headers: fc.array(field, { maxLength: 14 }),
      resize: fc.oneof(
        { arbitrary: fc.constant([] as number[]), weight: 4 },
        { arbitrary: fc.array(fc.integer({ min: 0, max: 4096 }), { minLength: 1, maxLength: 3 }), weight: 1 },
      ),
      sensitive: fc.subarray(pool.map(([n]) => n)),
    }),
    { minLength: 1, maxLength: 6 },
  );
});

const HUFFMAN = ['never', 'always', 'auto'] as const;
const INDEXING = ['none', 'all', 'auto'] as const;

// -- round trip -------------------------------------------------------------------------------

test('encode then decode is the identity, across blocks, table sizes and resizes', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 4096 }),
      fc.constantFrom(...HUFFMAN),
      fc.constantFrom(...INDEXING),
      stepsArb,
      (tableSize, huffman, indexing, steps) => {
        // the encoder's table size stands for the peer's SETTINGS_HEADER_TABLE_SIZE
        const encoder = new HpackEncoder({ maxTableSize: tableSize, huffman, indexing });
        const decoder = new HpackDecoder({ maxTableSize: tableSize });
        const reference = new ReferenceDecoder(4096);
        try {
          let limit = tableSize;
          steps.forEach((step, i) => {
            for (const n of step.resize) {
              encoder.setMaxTableSize(n);
              decoder.setMaxTableSize(n);
              limit = n;
            }
            const out = encoder.encode(step.headers, { sensitive: step.sensitive });
            assert.equal(decoder.decode(out), step.headers, `block ${i}`);
            assert.equal(reference.decode(out), step.headers, `block ${i}: hpack.js`);
            assert.is(decoder.tableSize, encoder.tableSize, `block ${i}: tables in step`);
            assert.ok(encoder.tableSize <= limit, `block ${i}: table ${encoder.tableSize} above ${limit}`);
          });
        } finally {
          encoder.free();
          decoder.free();
        }
      },
    ),
    { numRuns: 1000 },
  );
});

test('the record form encodes like the pair form', () => {
  fc.assert(
    fc.property(fc.dictionary(byteString(12), fc.oneof(valueArb, fc.array(valueArb, { maxLength: 3 })), { maxKeys: 8 }), (record) => {
      const expected: Headers = [];
      for (const [name, v] of Object.entries(record)) for (const value of Array.isArray(v) ? v : [v]) expected.push([name, value]);
      const encoder = new HpackEncoder();
      const decoder = new HpackDecoder();
      try {
        assert.equal(decoder.decode(encoder.encode(record)), expected);
      } finally {
        encoder.free();
        decoder.free();
      }
    }),
    { numRuns: 150 },
  );
});

// -- chunking ---------------------------------------------------------------------------------

/** Cuts `bytes` at `cuts` (any numbers, folded into range; repeats give empty chunks). */
function chunks(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = cuts.map((c) => c % (bytes.length + 1)).sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const p of points) {
    out.push(bytes.subarray(from, p));
    from = p;
  }
  out.push(bytes.subarray(from));
  return out;
}

type Outcome = { headers: Headers } | { code: unknown };
function outcome(fn: () => Headers): Outcome {
  try {
    return { headers: fn() };
  } catch (err) {
    return { code: (err as { code?: unknown }).code };
  }
}

const CHUNK_FOLDERS = ['nghttp2', 'go-hpack', 'python-hpack', 'swift-nio-hpack-huffman', 'nghttp2-change-table-size'];
const storyList = CHUNK_FOLDERS.flatMap((folder) => [...loadStories(folder).values()]);

test('recorded stories decode the same whatever the chunking', () => {
  fc.assert(
    fc.property(
      fc.nat({ max: storyList.length - 1 }),
      fc.array(fc.array(fc.nat(), { maxLength: 8 }), { minLength: 1, maxLength: 8 }),
      (storyIndex, cutsPerBlock) => {
        const story = storyList[storyIndex];
        const whole = new HpackDecoder();
        const chunked = new HpackDecoder();
        try {
          cutsPerBlock.forEach((cuts, i) => {
            const c = story.cases[i];
            if (!c) return;
            if (typeof c.header_table_size === 'number') {
              whole.setMaxTableSize(c.header_table_size);
              chunked.setMaxTableSize(c.header_table_size);
            }
            const bytes = hexToBytes(c.wire!);
            for (const part of chunks(bytes, cuts)) chunked.write(part);
            assert.equal(chunked.end(), pairs(c), `block ${i}, cut at ${cuts}`);
            assert.equal(whole.decode(bytes), pairs(c));
            assert.is(chunked.tableSize, whole.tableSize);
          });
        } finally {
          whole.free();
          chunked.free();
        }
      },
    ),
    { numRuns: 300 },
  );
});

test('our encoder\'s blocks decode the same whatever the chunking', () => {
  fc.assert(
    fc.property(stepsArb, fc.array(fc.array(fc.nat(), { maxLength: 6 }), { minLength: 6, maxLength: 6 }), (steps, cutsPerBlock) => {
      const encoder = new HpackEncoder();
      const whole = new HpackDecoder();
      const chunked = new HpackDecoder();
      try {
        steps.forEach((step, i) => {
          const bytes = encoder.encode(step.headers);
          for (const part of chunks(bytes, cutsPerBlock[i])) chunked.write(part);
          assert.equal(chunked.end(), step.headers, `block ${i}`);
          assert.equal(whole.decode(bytes), step.headers);
          assert.is(chunked.tableSize, whole.tableSize);
        });
      } finally {
        encoder.free();
        whole.free();
        chunked.free();
      }
    }),
    { numRuns: 150 },
  );
});

// -- random input -------------------------------------------------------------------------------

const C3 = [
  '8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d',
  '8286 84be 5808 6e6f 2d63 6163 6865',
  '8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65',
].map(fromHex);
const C3_1_HEADERS: Headers = [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com']];

/** Real blocks (first of each nghttp2 and swift-nio-hpack-huffman story) to mutate. */
const seeds = ['nghttp2', 'swift-nio-hpack-huffman'].flatMap((f) => [...loadStories(f).values()].map((s) => hexToBytes(s.cases[0].wire!)));

const mutatedArb = fc
  .tuple(
    fc.nat({ max: seeds.length - 1 }),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
    fc.option(fc.nat(), { nil: undefined }),
  )
  .map(([i, edits, cut]) => {
    const b = seeds[i].slice();
    for (const [pos, value] of edits) b[pos % b.length] = value;
    return cut === undefined ? b : b.subarray(0, cut % (b.length + 1));
  });

const inputArb = fc.oneof(fc.uint8Array({ maxLength: 48 }), mutatedArb);

const DOCUMENTED = new Set<string>([...MALFORMED_CODES, ...LIMIT_CODES]);
const MALFORMED = new Set<string>(MALFORMED_CODES);

test('random and mutated blocks decode or throw a documented HpackError; nothing crashes or hangs', () => {
  fc.assert(
    fc.property(inputArb, fc.boolean(), (bytes, primed) => {
      const decoder = new HpackDecoder();
      const reference = new ReferenceDecoder();
      try {
        if (primed) {
          // a dynamic table with three entries, so indices 62–64 are valid
          for (const b of C3) {
            decoder.decode(b);
            reference.decode(b);
          }
        }
        const started = performance.now();
        let result: Headers | undefined;
        let error: unknown;
        try {
          result = decoder.decode(bytes);
        } catch (err) {
          error = err;
        }
        assert.ok(performance.now() - started < 2000, 'decoding took over 2 s');
        if (error !== undefined) {
          assert.instance(error, HpackError, `threw ${String(error)}`);
          const code = (error as HpackError & { code: string }).code;
          assert.ok(DOCUMENTED.has(code), `undocumented code ${code}`);
          assert.is(decoder.usable, !MALFORMED.has(code), `usable after ${code}`);
        } else {
          assert.ok(Array.isArray(result));
          for (const f of result!) {
            assert.is(f.length, 2);
            assert.type(f[0], 'string');
            assert.type(f[1], 'string');
          }
          assert.ok(decoder.usable);
          // where hpack.js also accepts the block, it reads the same fields
          let theirs: Headers | undefined;
          try {
            theirs = reference.decode(bytes);
          } catch {
            theirs = undefined;
          }
          if (theirs) assert.equal(result, theirs, 'hpack.js reads the block differently');
        }
      } finally {
        decoder.free();
      }
      // and a fresh decoder still works
      const fresh = new HpackDecoder();
      try {
        assert.equal(fresh.decode(C3[0]), C3_1_HEADERS);
      } finally {
        fresh.free();
      }
    }),
    { numRuns: 20000 },
  );
});

test('random and mutated blocks give the same outcome whole and chunked', () => {
  fc.assert(
    fc.property(inputArb, fc.array(fc.nat(), { maxLength: 6 }), (bytes, cuts) => {
      const whole = new HpackDecoder();
      const chunked = new HpackDecoder();
      try {
        const a = outcome(() => whole.decode(bytes));
        const b = outcome(() => {
          for (const part of chunks(bytes, cuts)) chunked.write(part);
          return chunked.end();
        });
        assert.equal(b, a);
        assert.is(chunked.usable, whole.usable);
      } finally {
        whole.free();
        chunked.free();
      }
    }),
    { numRuns: 8000 },
  );
});

test('many decoders and encoders created and freed in turn keep working', () => {
  // Freed WASM memory is reused: a stale pointer would show as a wrong decode here.
  for (let i = 0; i < 300; i++) {
    const encoder = new HpackEncoder();
    const decoder = new HpackDecoder();
    try {
      const headers: Headers = [['x-run', String(i)], ['x-pad', 'p'.repeat(i % 97)]];
      assert.equal(decoder.decode(encoder.encode(headers)), headers);
      assert.equal(decoder.decode(encoder.encode(headers)), headers);
    } finally {
      encoder.free();
      decoder.free();
    }
  }
});

test.run();
