// The HPACK test stories (http2jp/hpack-test-case, carried in test/fixtures): every block
// recorded from other encoders decodes to the recorded headers, and every raw-data story
// round-trips through our encoder, checked by our decoder and by hpack.js.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HpackDecoder, HpackEncoder } from '../../bindings/hpack/index.ts';
import { STORY_FOLDERS, hexToBytes, loadStories, pairs, type Story } from '../helpers/stories.ts';
import { ReferenceDecoder, huffmanLength } from '../helpers/hpack-reference.ts';
import { representations, wireStrings, type Rep } from '../helpers/hpack-wire.ts';

const WIRE_FOLDERS = STORY_FOLDERS.filter((f) => f !== 'raw-data');
const rawData = loadStories('raw-data');

/**
 * `header_table_size` in a story is the SETTINGS_HEADER_TABLE_SIZE the decoding side sent
 * (and had acknowledged) before that block (hpack-test-case's README). nghttp2-16384-4096
 * raises it to 16384 on the first block, whose first representation is a size update to
 * 4096; nghttp2-change-table-size lowers it to 1365 and raises it to 2730, each block
 * opening with the matching size update (RFC 7541 §4.2).
 */
function settingsSize(c: Story['cases'][number]): number | undefined {
  return typeof c.header_table_size === 'number' ? c.header_table_size : undefined;
}

for (const folder of WIRE_FOLDERS) {
  test(`${folder}: every block decodes to the recorded headers, one decoder per story`, () => {
    for (const [name, story] of loadStories(folder)) {
      const decoder = new HpackDecoder();
      // hpack.js, sized to the largest setting the story uses, checks our table accounting
      const reference = new ReferenceDecoder(Math.max(4096, ...story.cases.map((c) => settingsSize(c) ?? 0)));
      try {
        for (const c of story.cases) {
          const where = `${folder}/${name} seqno ${c.seqno}`;
          const size = settingsSize(c);
          if (size !== undefined) decoder.setMaxTableSize(size);
          const wire = hexToBytes(c.wire!);
          const expected = pairs(c);
          assert.equal(decoder.decode(wire), expected, where);
          const refFields = reference.decodeFields(wire);
          assert.is(decoder.tableSize, reference.tableSize, `${where}: dynamic table size (RFC 7541 §4.1)`);
          assert.equal(
            decoder.lastNeverIndexed,
            refFields.filter((f) => f.neverIndex).map((f) => f.name),
            `${where}: never-indexed names`,
          );
          assert.ok(decoder.usable, where);
        }
      } finally {
        decoder.free();
      }
    }
  });
}

test('nghttp2-change-table-size: a lowered SETTINGS_HEADER_TABLE_SIZE is honoured by the recorded size updates', () => {
  // Each story lowers the setting to 1365 on its second block; the block's size update keeps
  // the table within it (RFC 7541 §4.2), which our decoder must see as a bound.
  for (const [name, story] of loadStories('nghttp2-change-table-size')) {
    const decoder = new HpackDecoder();
    try {
      let limit = 4096;
      for (const c of story.cases) {
        limit = settingsSize(c) ?? limit;
        if (settingsSize(c) !== undefined) decoder.setMaxTableSize(limit);
        decoder.decode(hexToBytes(c.wire!));
        assert.ok(decoder.tableSize <= limit, `${name} seqno ${c.seqno}: table ${decoder.tableSize} > ${limit}`);
      }
    } finally {
      decoder.free();
    }
  }
});

test('nghttp2 stories decode the same when every block arrives one octet at a time', () => {
  for (const [name, story] of loadStories('nghttp2')) {
    const decoder = new HpackDecoder();
    try {
      for (const c of story.cases) {
        const wire = hexToBytes(c.wire!);
        for (let i = 0; i < wire.length; i++) decoder.write(wire.subarray(i, i + 1));
        assert.equal(decoder.end(), pairs(c), `nghttp2/${name} seqno ${c.seqno}`);
      }
    } finally {
      decoder.free();
    }
  }
});

test('raw-data: every story round-trips through our encoder and decoder; hpack.js decodes our blocks', () => {
  for (const [name, story] of rawData) {
    const encoder = new HpackEncoder();
    const decoder = new HpackDecoder();
    const reference = new ReferenceDecoder();
    try {
      // Encode the whole story first: each returned block must be the caller's own bytes,
      // untouched by later calls into the encoder.
      const blocks: Uint8Array[] = [];
      const encoderSizes: number[] = [];
      for (const c of story.cases) {
        const out = encoder.encode(pairs(c));
        assert.instance(out, Uint8Array);
        blocks.push(out);
        encoderSizes.push(encoder.tableSize);
      }
      story.cases.forEach((c, i) => {
        const where = `raw-data/${name} seqno ${c.seqno}`;
        const expected = pairs(c);
        assert.equal(decoder.decode(blocks[i]), expected, `${where}: our decoder`);
        assert.equal(reference.decode(blocks[i]), expected, `${where}: hpack.js`);
        assert.is(decoder.tableSize, encoderSizes[i], `${where}: decoder and encoder tables in step`);
        assert.is(reference.tableSize, encoderSizes[i], `${where}: hpack.js and encoder tables in step`);
      });
    } finally {
      encoder.free();
      decoder.free();
    }
  }
});

test('raw-data: the default encoder compresses about as well as nghttp2 did on the same lists', () => {
  // The nghttp2 folder is raw-data encoded by nghttp2 (same policy family: 4096-octet table,
  // Huffman when shorter, no indexing for rarely repeated fields). An encoder that ignored the
  // dynamic table or Huffman would come out far larger.
  const nghttp2 = loadStories('nghttp2');
  let ours = 0;
  let theirs = 0;
  let plain = 0;
  for (const [name, story] of rawData) {
    const recorded = nghttp2.get(name)!;
    assert.equal(recorded.cases.map(pairs), story.cases.map(pairs), `nghttp2/${name} holds the same lists`);
    const encoder = new HpackEncoder();
    try {
      for (const c of story.cases) {
        ours += encoder.encode(pairs(c)).length;
        for (const [n, v] of pairs(c)) plain += n.length + v.length + 2;
      }
      for (const c of recorded.cases) theirs += c.wire!.length / 2;
    } finally {
      encoder.free();
    }
  }
  assert.ok(ours <= theirs * 1.1, `ours ${ours} octets vs nghttp2 ${theirs}`);
  assert.ok(ours < plain / 2, `ours ${ours} octets vs ${plain} as plain literals`);
});

// -- options --------------------------------------------------------------------------------

const HUFFMAN = ['never', 'always', 'auto'] as const;
const INDEXING = ['none', 'all', 'auto'] as const;
const MODE_STORIES = ['story_06', 'story_20', 'story_22'];

const literals = (reps: Rep[]) => reps.filter((r) => r.kind === 'incremental' || r.kind === 'without' || r.kind === 'never');

for (const huffman of HUFFMAN) {
  for (const indexing of INDEXING) {
    test(`huffman '${huffman}' × indexing '${indexing}': stories round-trip, representations follow the mode`, () => {
      for (const name of MODE_STORIES) {
        const story = rawData.get(name)!;
        const encoder = new HpackEncoder({ huffman, indexing });
        const decoder = new HpackDecoder();
        const reference = new ReferenceDecoder();
        try {
          for (const c of story.cases) {
            const where = `${huffman}/${indexing} raw-data/${name} seqno ${c.seqno}`;
            const block = encoder.encode(pairs(c));
            assert.equal(decoder.decode(block), pairs(c), where);
            assert.equal(reference.decode(block), pairs(c), `${where}: hpack.js`);
            assert.is(decoder.tableSize, encoder.tableSize, where);
            const reps = representations(block);
            for (const s of wireStrings(reps)) {
              // RFC 7541 §5.2: H is the string's first bit
              if (huffman === 'never') assert.not.ok(s.huffman, `${where}: a Huffman string under 'never'`);
              if (huffman === 'always' && s.octets.length > 0) assert.ok(s.huffman, `${where}: a raw string under 'always'`);
            }
            if (indexing === 'none') {
              assert.is(literals(reps).filter((r) => r.kind === 'incremental').length, 0, `${where}: indexed under 'none'`);
              assert.is(encoder.tableSize, 0, where);
            }
            if (indexing === 'all') {
              assert.is(literals(reps).filter((r) => r.kind === 'without').length, 0, `${where}: not indexed under 'all'`);
            }
          }
        } finally {
          encoder.free();
          decoder.free();
        }
      }
    });
  }
}

for (const indexing of INDEXING) {
  test(`indexing '${indexing}': 'auto' Huffman picks the shorter form of each string (RFC 7541 §5.2, Appendix B)`, () => {
    for (const name of MODE_STORIES) {
      const story = rawData.get(name)!;
      const encoders = {
        never: new HpackEncoder({ huffman: 'never', indexing }),
        always: new HpackEncoder({ huffman: 'always', indexing }),
        auto: new HpackEncoder({ huffman: 'auto', indexing }),
      };
      try {
        for (const c of story.cases) {
          const where = `indexing ${indexing}, raw-data/${name} seqno ${c.seqno}`;
          const blocks = {
            never: encoders.never.encode(pairs(c)),
            always: encoders.always.encode(pairs(c)),
            auto: encoders.auto.encode(pairs(c)),
          };
          assert.ok(blocks.auto.length <= blocks.never.length, `${where}: auto ${blocks.auto.length} > never ${blocks.never.length}`);
          assert.ok(blocks.auto.length <= blocks.always.length, `${where}: auto ${blocks.auto.length} > always ${blocks.always.length}`);

          // Huffman does not change which representation each field gets.
          const reps = { never: representations(blocks.never), always: representations(blocks.always), auto: representations(blocks.auto) };
          const shape = (rs: Rep[]) => rs.map((r) => `${r.kind}:${r.index}`);
          assert.equal(shape(reps.always), shape(reps.never), `${where}: representations differ with Huffman`);
          assert.equal(shape(reps.auto), shape(reps.never), `${where}: representations differ with Huffman`);

          // String by string: lengths per hpack.js's copy of the Appendix B code.
          const raw = wireStrings(reps.never);
          const always = wireStrings(reps.always);
          const auto = wireStrings(reps.auto);
          raw.forEach((s, i) => {
            const huffLen = huffmanLength(s.octets);
            assert.is(always[i].octets.length, huffLen, `${where}: string ${i} Huffman length`);
            const shorter = huffLen < s.octets.length;
            assert.is(auto[i].huffman, shorter, `${where}: string ${i} (${s.octets.length} raw, ${huffLen} Huffman)`);
            assert.is(auto[i].octets.length, shorter ? huffLen : s.octets.length, `${where}: string ${i} length`);
          });
        }
      } finally {
        for (const e of Object.values(encoders)) e.free();
      }
    }
  });
}

test.run();
