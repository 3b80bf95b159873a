// The Huffman-decode workload: header blocks that are each one literal field without
// indexing, with a literal name, both Huffman-coded, and a long value (1-4 KB) made by
// concatenating real raw-data header values. Nothing touches the dynamic table, so the
// figure is dominated by Huffman decoding.
import { encodeInt, huffmanLiteral } from './huffman-encode.mjs';

const MIN = 1024;
const MAX = 4096;

/** @param {Array<Array<Array<[string, string]>>>} rawStories @returns {{blocks: Uint8Array[], fields: Array<[string, string]>}} */
export function buildHuffmanBlocks(rawStories) {
  const values = rawStories.flat(2).map(([, v]) => v).filter((v) => v.length > 0);
  const blocks = [];
  const fields = [];
  let seed = 1;
  const nextTarget = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; // fixed LCG: same lengths every run
    return MIN + ((seed >>> 8) % (MAX - MIN + 1));
  };
  let target = nextTarget();
  let pending = '';
  for (const v of values) {
    pending += v;
    if (pending.length < target) continue;
    const name = `x-long-value-${blocks.length}`;
    const value = pending.slice(0, target);
    pending = '';
    target = nextTarget();
    fields.push([name, value]);
    blocks.push(block(name, value));
  }
  return { blocks, fields };
}

function block(name, value) {
  const out = [];
  encodeInt(out, 0, 4, 0x00); // literal without indexing, new name (§6.2.2)
  const octets = (s) => Buffer.from(s, 'latin1');
  return Uint8Array.from(out.concat(huffmanLiteral(octets(name)), huffmanLiteral(octets(value))));
}
