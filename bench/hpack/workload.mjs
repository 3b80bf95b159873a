// Turns the hpack-test-case stories into the binary files every worker reads, and computes
// the checksum each worker's decoded output must reproduce.
import { readFileSync, mkdirSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { writeBlocks, writeHeaders } from './wire.mjs';
import { FieldSum } from './checksum.mjs';
import { buildHuffmanBlocks } from './huffman-blocks.mjs';

const FIXTURES = new URL('../../test/fixtures/hpack-test-case/', import.meta.url);

/** Stories of a folder in name order; strings stay octet strings (latin1). */
function loadStories(folder) {
  const json = JSON.parse(gunzipSync(readFileSync(new URL(`${folder}.json.gz`, FIXTURES))).toString('latin1'));
  return Object.keys(json).sort().map((k) => json[k].cases);
}

const pairs = (c) => c.headers.map((h) => { const k = Object.keys(h)[0]; return [k, h[k]]; });

function sumOf(fieldLists) {
  const sum = new FieldSum();
  for (const list of fieldLists) for (const [n, v] of list) sum.add(n, v);
  return sum.result();
}

/**
 * Writes decode.bin, encode.bin and huffman.bin into outDir.
 * @returns {{files: Record<string, string>, expect: Record<string, {fields: number, octets: number, checksum: string}>}}
 */
export function prepareWorkload(outDir) {
  mkdirSync(outDir, { recursive: true });
  const files = {
    decode: fileURLToPath(new URL('decode.bin', outDir)),
    encode: fileURLToPath(new URL('encode.bin', outDir)),
    huffman: fileURLToPath(new URL('huffman.bin', outDir)),
  };

  const wired = loadStories('nghttp2');
  writeBlocks(files.decode, wired.map((cases) => cases.map((c) => Buffer.from(c.wire, 'hex'))));

  const raw = loadStories('raw-data').map((cases) => cases.map(pairs));
  writeHeaders(files.encode, raw);

  const huff = buildHuffmanBlocks(raw);
  writeBlocks(files.huffman, [huff.blocks]); // one story: its fields never touch the table

  const expect = {
    decode: sumOf(wired.flat().map(pairs)),
    encode: sumOf(raw.flat()),
    huffman: sumOf([huff.fields]),
  };
  return { files, expect };
}
