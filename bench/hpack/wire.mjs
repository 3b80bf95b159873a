// Binary workload files shared by the harness and all three workers (the C worker reads the
// same layout in c/workload.c), so no worker needs a JSON parser. All integers are u32 LE.
//   blocks file:  nStories, then per story: nBlocks, then per block: len, octets
//   headers file: nStories, then per story: nLists, then per list: nFields,
//                 then per field: nameLen, name octets, valueLen, value octets
import { readFileSync, writeFileSync } from 'node:fs';

class Writer {
  constructor() { this.parts = []; }
  u32(n) { const b = Buffer.alloc(4); b.writeUInt32LE(n); this.parts.push(b); }
  octets(u8) { this.u32(u8.length); this.parts.push(Buffer.from(u8.buffer, u8.byteOffset, u8.length)); }
  str(s) { this.octets(Buffer.from(s, 'latin1')); }
  save(file) { writeFileSync(file, Buffer.concat(this.parts)); }
}

class Reader {
  constructor(buf) { this.buf = buf; this.pos = 0; }
  u32() { const n = this.buf.readUInt32LE(this.pos); this.pos += 4; return n; }
  octets() { const n = this.u32(); const b = this.buf.subarray(this.pos, this.pos + n); this.pos += n; return b; }
  list(item) { const n = this.u32(); const out = new Array(n); for (let i = 0; i < n; i++) out[i] = item(); return out; }
}

/** @param {Uint8Array[][]} stories */
export function writeBlocks(file, stories) {
  const w = new Writer();
  w.u32(stories.length);
  for (const story of stories) { w.u32(story.length); for (const block of story) w.octets(block); }
  w.save(file);
}

/** @returns {Buffer[][]} stories of blocks (Buffers: hpack.js streams want them). */
export function readBlocks(file) {
  const r = new Reader(readFileSync(file));
  return r.list(() => r.list(() => r.octets()));
}

/** @param {Array<Array<Array<[string, string]>>>} stories latin1 strings */
export function writeHeaders(file, stories) {
  const w = new Writer();
  w.u32(stories.length);
  for (const story of stories) {
    w.u32(story.length);
    for (const list of story) { w.u32(list.length); for (const [n, v] of list) { w.str(n); w.str(v); } }
  }
  w.save(file);
}

/** @returns {Array<Array<Array<[string, string]>>>} stories → header lists → latin1 pairs */
export function readHeaders(file) {
  const r = new Reader(readFileSync(file));
  const str = () => r.octets().toString('latin1');
  return r.list(() => r.list(() => r.list(() => [str(), str()])));
}
