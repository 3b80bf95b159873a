// Command line shared by the node workers (the C worker takes the same commands):
//   checksum <blocks.bin>                      decode every story, print fields/octets/checksum
//   encode <headers.bin> <outDir>              encode every story, write encoded-<name>.bin
//   bench <s> <warmup> <decode.bin> <headers.bin> <huffman.bin>   time each figure
// stdout carries exactly one JSON object keyed by implementation name.
//
// A variant is { decoder(stories), encoder(headerStories), huffman: boolean } where
//   decoder → { pass(): void, check(): {fields, octets, checksum} } (fresh table per story)
//   encoder → { pass(): number (encoded octets), blocks(): Uint8Array[][] } (fresh per story)
import { readBlocks, readHeaders, writeBlocks } from './wire.mjs';
import { timePasses } from './timer.mjs';
import { join } from 'node:path';

async function timeDecode(decoder, seconds, warmup) {
  const check = decoder.check(); // verified by the harness before it trusts the timing
  return { ...check, ...(await timePasses(() => decoder.pass(), seconds, warmup)) };
}

async function timeEncode(encoder, fields, seconds, warmup) {
  const bytes = encoder.pass();
  return { fields, bytes, ...(await timePasses(() => encoder.pass(), seconds, warmup)) };
}

async function bench(variants, [seconds, warmup, decodeFile, headersFile, huffmanFile]) {
  const s = Number(seconds);
  const w = Number(warmup);
  const wired = readBlocks(decodeFile);
  const headers = readHeaders(headersFile);
  const huffman = readBlocks(huffmanFile);
  const fields = headers.flat().reduce((n, list) => n + list.length, 0);
  const out = {};
  for (const [name, v] of Object.entries(variants)) {
    const r = {};
    if (v.decoder) r.decode = await timeDecode(v.decoder(wired), s, w);
    if (v.encoder) r.encode = await timeEncode(v.encoder(headers), fields, s, w);
    if (v.huffman) r.huffman = await timeDecode(v.decoder(huffman), s, w);
    out[name] = r;
  }
  return out;
}

function checksum(variants, [blocksFile]) {
  const stories = readBlocks(blocksFile);
  const out = {};
  for (const [name, v] of Object.entries(variants)) if (v.decoder) out[name] = v.decoder(stories).check();
  return out;
}

function encode(variants, [headersFile, outDir]) {
  const headers = readHeaders(headersFile);
  const out = {};
  for (const [name, v] of Object.entries(variants)) {
    if (!v.encoder) continue;
    const blocks = v.encoder(headers).blocks();
    writeBlocks(join(outDir, `encoded-${name}.bin`), blocks);
    out[name] = { bytes: blocks.flat().reduce((n, b) => n + b.length, 0) };
  }
  return out;
}

/** @param {Record<string, object>} variants */
export async function runWorker(variants) {
  const [command, ...args] = process.argv.slice(2);
  const commands = { bench, checksum, encode };
  if (!commands[command]) {
    process.stderr.write(`unknown command ${command}\n`);
    process.exit(2);
  }
  process.stdout.write(JSON.stringify(await commands[command](variants, args)) + '\n');
}
