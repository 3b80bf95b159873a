// hpack.js 2.1.6 through its public stream API: decompressor write/execute/read, compressor
// write/read, both with its default policies (incremental indexing, Huffman always).
import { createRequire } from 'node:module';
import { FieldSum } from './checksum.mjs';
import { runWorker } from './worker-main.mjs';

const hpack = createRequire(import.meta.url)('hpack.js');

// hpack.js's Table reads `maxSize`: its README's `size` leaves the table unbounded (it
// never evicts), which is neither what a 4096-octet peer allows nor comparable work.
const TABLE = { maxSize: 4096 };

function decodeStories(stories, onField) {
  for (const story of stories) {
    const d = hpack.decompressor.create({ table: TABLE });
    for (const block of story) {
      d.write(block);
      d.execute();
      for (let f = d.read(); f !== null; f = d.read()) onField(f);
    }
  }
}

function decoder(stories) {
  let fields = 0; // consumed so the read loop has an observable effect
  const count = () => { fields++; };
  return {
    pass() { decodeStories(stories, count); return fields; },
    check() {
      const sum = new FieldSum();
      decodeStories(stories, (f) => sum.add(f.name, f.value));
      return sum.result();
    },
  };
}

function encodeStories(lists, onBlock) {
  let bytes = 0;
  for (const story of lists) {
    const c = hpack.compressor.create({ table: TABLE });
    for (const list of story) {
      c.write(list);
      const block = c.read();
      bytes += block.length;
      if (onBlock) onBlock(block);
    }
  }
  return bytes;
}

function encoder(headerStories) {
  // hpack.js's input form, built outside the timed loop as the other encoders' inputs are.
  const lists = headerStories.map((s) => s.map((l) => l.map(([name, value]) => ({ name, value }))));
  return {
    pass: () => encodeStories(lists),
    blocks: () => lists.map((story) => {
      const out = [];
      encodeStories([story], (b) => out.push(new Uint8Array(b)));
      return out;
    }),
  };
}

await runWorker({ 'hpack.js': { decoder, encoder, huffman: true } });
