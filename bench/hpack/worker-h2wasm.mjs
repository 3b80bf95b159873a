// Our codec (release build, dist/hpack.mjs) in two variants:
//   h2wasm-core: decodeToRecords (packed records in WASM memory, no JS strings) and
//                encodePacked over lists packed by HpackEncoder.pack outside the timed loop;
//   h2wasm-api:  decode → [name, value] strings, encode from [name, value] arrays.
// Default options throughout (4096-octet table, 'auto' indexing and Huffman).
import { FieldSum } from './checksum.mjs';
import { runWorker } from './worker-main.mjs';

const { HpackDecoder, HpackEncoder } = await import(new URL('../../dist/hpack.mjs', import.meta.url).href);

/** Runs each story through a fresh decoder, freed at once as nghttp2's inflater is. */
function eachStory(stories, perBlock) {
  let n = 0;
  for (const story of stories) {
    const d = new HpackDecoder();
    for (const block of story) n += perBlock(d, block);
    d.free();
  }
  return n;
}

const apiDecoder = (stories) => ({
  pass: () => eachStory(stories, (d, b) => d.decode(b).length),
  check() {
    const sum = new FieldSum();
    eachStory(stories, (d, b) => { for (const [n, v] of d.decode(b)) sum.add(n, v); return 0; });
    return sum.result();
  },
});

// The packed records are not readable from JS through the public API, so the core check
// compares field counts; their content is the API variant's (same decoder) checksum.
const coreDecoder = (stories) => ({
  pass: () => eachStory(stories, (d, b) => d.decodeToRecords(b)),
  check: () => ({ fields: eachStory(stories, (d, b) => d.decodeToRecords(b)), octets: null, checksum: null }),
});

/** An encoder per story (freed at once, as nghttp2's deflater is); encodeOne returns octets. */
function encoderOf(lists, encodeOne) {
  const encodeStory = (story, onBlock) => {
    const e = new HpackEncoder();
    let bytes = 0;
    for (const item of story) bytes += encodeOne(e, item, onBlock);
    e.free();
    return bytes;
  };
  return {
    pass() {
      let bytes = 0;
      for (const story of lists) bytes += encodeStory(story, null);
      return bytes;
    },
    blocks: () => lists.map((story) => {
      const out = [];
      encodeStory(story, (b) => out.push(b));
      return out;
    }),
  };
}

const apiEncoder = (headerStories) => encoderOf(headerStories, (e, list, onBlock) => {
  const block = e.encode(list);
  if (onBlock) onBlock(block);
  return block.length;
});

const coreEncoder = (headerStories) => {
  const packed = headerStories.map((s) => s.map((list) => HpackEncoder.pack(list)));
  return encoderOf(packed, (e, p, onBlock) => {
    const n = e.encodePacked(p);
    if (onBlock) onBlock(e.lastBlock(n)); // the bindings take the length (docs show no argument)
    return n;
  });
};

await runWorker({
  'h2wasm-core': { decoder: coreDecoder, encoder: coreEncoder, huffman: true },
  'h2wasm-api': { decoder: apiDecoder, encoder: apiEncoder, huffman: false },
});
