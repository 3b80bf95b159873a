// Input generators, all driven by a seeded Rng: raw bytes, mutations of recorded conversations,
// structure-aware frame sequences (preface + SETTINGS, then random well-formed-ish frames), and
// HPACK blocks from the RFC 7541 §6 representation grammar.
import { readdirSync, readFileSync } from 'node:fs';
import { HpackEncoder } from '../../../bindings/hpack/index.ts';
import { CLIENT_PREFACE, FrameReader, FrameType, frame } from '../../helpers/frames.ts';
import { Rng, concatBytes, fromHex } from './rng.ts';
import type { Target } from './oracle.ts';

const SEEDS = new URL('../corpus/seeds/', import.meta.url);

export interface Seed { name: string; role: 'server' | 'client'; chunks: Uint8Array[] }

let seeds: Seed[] | null = null;
/** The recorded conversations (corpus/seeds/{server,client}-*.hex). */
export function loadSeeds(): Seed[] {
  return seeds ??= readdirSync(SEEDS).filter((f) => f.endsWith('.hex')).sort().map((name) => ({
    name,
    role: name.startsWith('server-') ? 'server' as const : 'client' as const,
    chunks: readFileSync(new URL(name, SEEDS), 'utf8').trim().split('\n').map(fromHex),
  }));
}

/** Header blocks found in the seeds (HEADERS/PUSH_PROMISE/CONTINUATION fragments, sequenced per conversation). */
export function seedBlocks(): Uint8Array[][] {
  return loadSeeds().map((s) => {
    const frames = new FrameReader({ preface: s.role === 'server' }).push(concatBytes(s.chunks));
    const blocks: Uint8Array[] = [];
    for (const f of frames) {
      let p = f.payload;
      if (f.type !== FrameType.HEADERS && f.type !== FrameType.PUSH_PROMISE) continue;
      if (f.flags & 0x8) p = p.subarray(1, p.length - p[0]);
      if (f.type === FrameType.HEADERS && f.flags & 0x20) p = p.subarray(5);
      if (f.type === FrameType.PUSH_PROMISE) p = p.subarray(4);
      blocks.push(p.slice());
    }
    return blocks;
  });
}

// ---------------------------------------------------------------- chunking and mutation

/** Splits bytes at random points, as a socket would (sometimes one chunk, sometimes many). */
export function split(rng: Rng, bytes: Uint8Array): Uint8Array[] {
  if (bytes.length === 0 || rng.chance(0.3)) return [bytes];
  const out: Uint8Array[] = [];
  const tiny = rng.chance(0.2);
  for (let at = 0; at < bytes.length;) {
    const n = tiny ? rng.range(1, 9) : rng.range(1, Math.max(1, bytes.length >> 1));
    out.push(bytes.subarray(at, at + n));
    at += n;
  }
  return out;
}

const INTERESTING8 = [0, 1, 0x7f, 0x80, 0xff, 0x3f, 0x1f, 0x0f, 0x40, 0x20];

/** One to eight byte-level or frame-header-level mutations. */
export function mutate(rng: Rng, input: Uint8Array, other?: Uint8Array): Uint8Array {
  let b: Uint8Array = input.slice();
  const rounds = rng.range(1, 8);
  for (let r = 0; r < rounds; r++) {
    const at = rng.int(b.length + 1);
    switch (rng.int(9)) {
      case 0: if (b.length) b[rng.int(b.length)] ^= 1 << rng.int(8); break;
      case 1: if (b.length) b[rng.int(b.length)] = rng.pick(INTERESTING8); break;
      case 2: if (b.length) b[rng.int(b.length)] = rng.u32() & 0xff; break;
      case 3: b = concatBytes([b.subarray(0, at), rng.bytes(rng.size(64)), b.subarray(at)]); break;
      case 4: b = concatBytes([b.subarray(0, at), b.subarray(Math.min(b.length, at + rng.size(64)))]); break;
      case 5: { // duplicate a range (repeated frames, replayed fragments)
        const n = rng.size(128);
        b = concatBytes([b.subarray(0, at + n), b.subarray(at, at + n), b.subarray(at + n)]);
        break;
      }
      case 6: if (other?.length) { // splice another input in
        const from = rng.int(other.length);
        b = concatBytes([b.subarray(0, at), other.subarray(from, from + rng.size(512)), b.subarray(at)]);
        break;
      }
      // falls through
      case 7: b = b.subarray(0, rng.int(b.length + 1)).slice(); break;
      default: b = mutateFrameHeader(rng, b);
    }
  }
  return b;
}

/** Rewrites one field of one frame header in place (the walk knows where frames start). */
function mutateFrameHeader(rng: Rng, b: Uint8Array): Uint8Array {
  const starts: number[] = [];
  let p = b.length >= 24 && b[0] === 0x50 ? 24 : 0;
  while (p + 9 <= b.length) {
    starts.push(p);
    p += 9 + ((b[p] << 16) | (b[p + 1] << 8) | b[p + 2]);
  }
  if (!starts.length) return b;
  const s = rng.pick(starts);
  switch (rng.int(4)) {
    case 0: { const len = rng.chance(0.5) ? rng.int(1 << 24) : rng.int(64); b[s] = len >>> 16; b[s + 1] = (len >>> 8) & 0xff; b[s + 2] = len & 0xff; break; }
    case 1: b[s + 3] = rng.chance(0.8) ? rng.int(0x11) : rng.u32() & 0xff; break;
    case 2: b[s + 4] = rng.u32() & 0xff; break;
    default: { const id = rng.chance(0.7) ? rng.int(12) : rng.u32(); b[s + 5] = id >>> 24; b[s + 6] = (id >>> 16) & 0xff; b[s + 7] = (id >>> 8) & 0xff; b[s + 8] = id & 0xff; }
  }
  return b;
}

// ---------------------------------------------------------------- HPACK blocks

const NAMES = [':method', ':path', ':scheme', ':authority', ':status', ':protocol', 'content-length', 'cookie', 'te', 'connection',
  'user-agent', 'x-a', 'X-Upper', '', 'set-cookie', 'host', 'trailer', 'content-type'];
const VALUES = ['GET', 'POST', 'CONNECT', 'HEAD', '/', '*', 'https', 'http', 'a.example', '200', '100', '204', '0', '5', '-1',
  'trailers', 'keep-alive', '', ' x ', 'a\u0000b', 'websocket'];

export function randomHeaders(rng: Rng): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (rng.chance(0.7)) {
    out.push([':method', rng.pick(['GET', 'POST', 'HEAD', 'CONNECT'])], [':scheme', 'https'], [':authority', 'a.example'], [':path', rng.pick(['/', '/x', '', '*'])]);
    if (rng.chance(0.1)) out.push([':status', '200']);
  } else if (rng.chance(0.6)) out.push([':status', rng.pick(['200', '100', '204', '404', '1000', 'abc'])]);
  for (let i = rng.int(6); i > 0; i--) {
    const name = rng.chance(0.8) ? rng.pick(NAMES) : String.fromCharCode(...rng.bytes(rng.size(20)));
    const value = rng.chance(0.8) ? rng.pick(VALUES) : String.fromCharCode(...rng.bytes(rng.size(200)));
    out.push([name, value]);
  }
  if (rng.chance(0.1)) for (let i = 0; i < 3; i++) out.splice(rng.int(out.length + 1), 0, out[rng.int(out.length)] ?? [':path', '/']);
  return out;
}

/** RFC 7541 §5.1 integer with an N-bit prefix (the first octet's high bits in `first`). */
export function hpackInt(first: number, prefix: number, v: number, padding = 0): number[] {
  const max = (1 << prefix) - 1;
  if (v < max && !padding) return [first | v];
  const out = [first | max];
  v -= max;
  while (v >= 128) { out.push((v % 128) | 0x80); v = Math.floor(v / 128); }
  for (let i = 0; i < padding; i++) { out.push((v & 0x7f) | 0x80); v = 0; }
  out.push(v);
  return out;
}

const HUFFMAN_SAMPLES = [
  [0xf1, 0xe3, 0xc2, 0xe5, 0xf2, 0x3a, 0x6b, 0xa0, 0xab, 0x90, 0xf4, 0xff], // www.example.com
  [0xa8, 0xeb, 0x10, 0x64, 0x9c, 0xbf], // no-cache
  [0x25, 0xa8, 0x49, 0xe9, 0x5b, 0xa9, 0x7d, 0x7f], // custom-key
  [0xff, 0xff, 0xff, 0xff], // EOS inside: invalid
  [0x1f], [0x00], [0xfe], [0xff], [], // padding edge cases
];

function hpackString(rng: Rng): number[] {
  const r = rng.int(10);
  if (r < 3) {
    const s = rng.pick(HUFFMAN_SAMPLES);
    return [...hpackInt(0x80, 7, s.length), ...s];
  }
  const bytes = r < 6 ? Array.from(new TextEncoder().encode(rng.pick(VALUES))) : Array.from(rng.bytes(rng.size(40)));
  const huffman = r === 9; // random octets marked Huffman: mostly invalid codes
  let len = bytes.length;
  if (rng.chance(0.05)) len = rng.interesting32(); // lies about the length
  return [...hpackInt(huffman ? 0x80 : 0, 7, len, rng.chance(0.03) ? rng.range(1, 6) : 0), ...bytes];
}

/** One representation from the §6 grammar with random fields, sometimes out of range. */
function representation(rng: Rng, tableHint: number): number[] {
  const index = () => (rng.chance(0.8) ? rng.range(1, 61 + tableHint) : rng.chance(0.5) ? 0 : rng.interesting32() & 0x7fffffff);
  switch (rng.int(8)) {
    case 0: case 1: return hpackInt(0x80, 7, index()); // §6.1 indexed
    case 2: return [...hpackInt(0x40, 6, index()), ...hpackString(rng)]; // §6.2.1 incremental, indexed name
    case 3: return [0x40, ...hpackString(rng), ...hpackString(rng)]; // §6.2.1 new name
    case 4: return [...hpackInt(0x00, 4, rng.chance(0.3) ? 0 : index()), ...(rng.chance(0.5) ? [] : hpackString(rng)), ...hpackString(rng)]; // §6.2.2
    case 5: return [...hpackInt(0x10, 4, rng.chance(0.3) ? 0 : index()), ...(rng.chance(0.5) ? [] : hpackString(rng)), ...hpackString(rng)]; // §6.2.3
    case 6: return hpackInt(0x20, 5, rng.chance(0.7) ? rng.int(4097) : rng.interesting32() & 0x7fffffff); // §6.3 size update
    default: return Array.from(rng.bytes(rng.size(6)));
  }
}

/** A sequence of header blocks sharing one decoder's state: encoded, mutated, or from the grammar. */
export function hpackBlocks(rng: Rng, encoder?: HpackEncoder): Uint8Array[] {
  const enc = encoder ?? new HpackEncoder({ maxTableSize: 4096, huffman: rng.pick(['auto', 'always', 'never'] as const), indexing: rng.pick(['auto', 'all', 'none'] as const) });
  const blocks: Uint8Array[] = [];
  const seedSets = seedBlocks();
  try {
    for (let i = rng.range(1, 5); i > 0; i--) {
      const r = rng.int(10);
      let block: Uint8Array;
      if (r < 3) block = enc.encode(randomHeaders(rng).map(([n, v]): [string, string] => [n.toLowerCase(), v]));
      else if (r < 7) {
        const parts: number[] = [];
        if (rng.chance(0.2)) parts.push(...hpackInt(0x20, 5, rng.int(4097)));
        for (let k = rng.range(0, 8); k > 0; k--) parts.push(...representation(rng, blocks.length * 4));
        block = Uint8Array.from(parts);
      } else if (r < 9) {
        const set = rng.pick(seedSets);
        block = set.length ? mutate(rng, rng.pick(set)) : rng.bytes(rng.size(30));
      } else block = rng.bytes(rng.size(60));
      if (r < 3 && rng.chance(0.3)) block = mutate(rng, block);
      blocks.push(block);
    }
  } catch {
    // our encoder refused a header list (a documented argument error): keep what we have
  } finally {
    if (!encoder) enc.free();
  }
  return blocks;
}

// ---------------------------------------------------------------- frame sequences

const u32b = (v: number) => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];

function streamId(rng: Rng, role: 'server' | 'client'): number {
  const r = rng.int(10);
  if (r < 7) return role === 'server' ? rng.pick([1, 3, 5, 7]) : rng.pick([1, 3, 5, 2, 4]);
  if (r < 9) return rng.pick([0, 2, 9, 101, 0x7fffffff]);
  return rng.u32() & 0x7fffffff;
}

function flags(rng: Rng, type: number): number {
  if (rng.chance(0.1)) return rng.u32() & 0xff;
  switch (type) {
    case FrameType.DATA: return rng.pick([0, 1, 8, 9]);
    case FrameType.HEADERS: return rng.pick([4, 5, 0, 1, 0x24, 0x25, 0x2d, 0x0c]);
    case FrameType.PUSH_PROMISE: return rng.pick([4, 0, 0x0c]);
    case FrameType.CONTINUATION: return rng.pick([4, 0]);
    case FrameType.SETTINGS: case FrameType.PING: return rng.pick([0, 0, 1]);
    default: return 0;
  }
}

function padded(rng: Rng, f: number, body: Uint8Array): Uint8Array {
  if (!(f & 0x8)) return body;
  const pad = rng.chance(0.9) ? rng.int(20) : 255;
  return concatBytes([Uint8Array.of(pad), body, new Uint8Array(rng.chance(0.9) ? pad : rng.int(pad + 1))]);
}

function settingsPayload(rng: Rng): Uint8Array {
  const out: number[] = [];
  for (let i = rng.int(6); i > 0; i--) {
    const id = rng.chance(0.85) ? rng.range(1, 9) : rng.u32() & 0xffff;
    const v = id === 4 ? (rng.chance(0.7) ? rng.int(1 << 20) : rng.interesting32())
      : id === 5 ? (rng.chance(0.7) ? rng.range(16384, 1 << 20) : rng.interesting32())
        : id === 2 || id === 8 || id === 9 ? (rng.chance(0.8) ? rng.int(2) : rng.interesting32())
          : rng.chance(0.5) ? rng.int(5000) : rng.interesting32();
    out.push(id >> 8, id & 0xff, ...u32b(v));
  }
  return Uint8Array.from(out);
}

/** A frame of a random type with fields that are mostly right and sometimes not. */
function randomFrame(rng: Rng, role: 'server' | 'client', enc: HpackEncoder): Uint8Array[] {
  const type = rng.chance(0.93) ? rng.pick([0, 0, 1, 1, 1, 2, 3, 4, 5, 6, 7, 8, 8, 9, 0xa, 0xc, 0x10]) : rng.u32() & 0xff;
  const f = flags(rng, type);
  const id = type === FrameType.SETTINGS || type === FrameType.PING || type === FrameType.GOAWAY || type === 0xc
    ? (rng.chance(0.9) ? 0 : streamId(rng, role)) : streamId(rng, role);
  const wrongSize = rng.chance(0.05);
  const block = () => (rng.chance(0.8)
    ? (() => { try { return enc.encode(randomHeaders(rng).map(([n, v]): [string, string] => [n.toLowerCase(), v])); } catch { return rng.bytes(8); } })()
    : hpackBlocks(rng, enc)[0] ?? new Uint8Array(0));
  let payload: Uint8Array;
  switch (type) {
    case FrameType.DATA: payload = padded(rng, f, rng.bytes(rng.size(2000))); break;
    case FrameType.HEADERS: {
      let b = block();
      if (f & 0x20) b = concatBytes([Uint8Array.from([...u32b(rng.chance(0.8) ? rng.int(8) : rng.u32()), rng.u32() & 0xff]), b]);
      const whole = padded(rng, f, b);
      if (!(f & 0x4) && rng.chance(0.7)) { // a block split over CONTINUATION frames
        const cut = rng.int(whole.length + 1);
        const out = [frame(type, f, id, whole.subarray(0, cut))];
        out.push(frame(FrameType.CONTINUATION, rng.chance(0.8) ? 4 : 0, rng.chance(0.9) ? id : streamId(rng, role), whole.subarray(cut)));
        return out;
      }
      payload = whole;
      break;
    }
    case FrameType.PRIORITY: payload = Uint8Array.from([...u32b(rng.chance(0.8) ? rng.int(8) : rng.u32()), rng.u32() & 0xff]); break;
    case FrameType.RST_STREAM: payload = Uint8Array.from(u32b(rng.chance(0.8) ? rng.int(14) : rng.u32())); break;
    case FrameType.SETTINGS: payload = f & 1 && rng.chance(0.8) ? new Uint8Array(0) : settingsPayload(rng); break;
    case FrameType.PUSH_PROMISE: payload = padded(rng, f, concatBytes([Uint8Array.from(u32b(rng.chance(0.8) ? rng.pick([2, 4, 6, 3]) : rng.u32())), block()])); break;
    case FrameType.PING: payload = rng.bytes(8); break;
    case FrameType.GOAWAY: payload = concatBytes([Uint8Array.from([...u32b(rng.chance(0.8) ? rng.int(10) : rng.u32()), ...u32b(rng.chance(0.8) ? rng.int(14) : rng.u32())]), rng.bytes(rng.size(20))]); break;
    case FrameType.WINDOW_UPDATE: payload = Uint8Array.from(u32b(rng.chance(0.7) ? rng.range(0, 70000) : rng.interesting32())); break;
    case FrameType.CONTINUATION: payload = block(); break;
    case FrameType.ALTSVC: { const o = rng.bytes(rng.size(20)); payload = concatBytes([Uint8Array.of(0, rng.chance(0.9) ? o.length : rng.u32() & 0xff), o, rng.bytes(rng.size(20))]); break; }
    case FrameType.ORIGIN: payload = rng.bytes(rng.size(40)); break;
    case FrameType.PRIORITY_UPDATE: payload = concatBytes([Uint8Array.from(u32b(rng.chance(0.8) ? rng.int(10) : rng.u32())), new TextEncoder().encode(rng.pick(['u=1', 'u=7, i', 'i', 'u=9', '', '\u00ff']))]); break;
    default: payload = rng.bytes(rng.size(40));
  }
  if (wrongSize) payload = rng.chance(0.5) ? payload.subarray(0, rng.int(payload.length + 1)) : concatBytes([payload, rng.bytes(rng.size(8) + 1)]);
  return [frame(type, f, id, payload)];
}

/** Preface (server role) + SETTINGS (+ ACK), then random frames, as one byte stream. */
export function frameSequence(rng: Rng, role: 'server' | 'client'): Uint8Array {
  const enc = new HpackEncoder({ maxTableSize: 4096, huffman: 'auto', indexing: 'auto' });
  try {
    const parts: Uint8Array[] = [];
    if (role === 'server' && rng.chance(0.97)) parts.push(CLIENT_PREFACE);
    if (rng.chance(0.95)) parts.push(frame(FrameType.SETTINGS, 0, 0, settingsPayload(rng)));
    if (rng.chance(0.7)) parts.push(frame(FrameType.SETTINGS, 1, 0));
    for (let n = rng.range(1, 30); n > 0; n--) parts.push(...randomFrame(rng, role, enc));
    return concatBytes(parts);
  } finally {
    enc.free();
  }
}

// ---------------------------------------------------------------- one input

export type Strategy = 'random' | 'mutate' | 'structured';

/** Input number `i` of a run: a target, a strategy and the chunks to feed. */
export function generate(rng: Rng, target: Target, strategy: Strategy): Uint8Array[] {
  if (target === 'hpack') {
    if (strategy === 'random') return Array.from({ length: rng.range(1, 4) }, () => rng.bytes(rng.size(100)));
    return hpackBlocks(rng);
  }
  const role = target;
  let bytes: Uint8Array;
  if (strategy === 'random') {
    const body = rng.bytes(rng.size(3000));
    bytes = role === 'server' && rng.chance(0.7) ? concatBytes([CLIENT_PREFACE, body]) : body;
  } else if (strategy === 'mutate') {
    const pool = loadSeeds().filter((s) => s.role === role);
    const base = concatBytes(rng.pick(pool).chunks);
    const other = rng.chance(0.5) ? concatBytes(rng.pick(loadSeeds()).chunks) : frameSequence(rng, role);
    bytes = mutate(rng, base, other);
  } else {
    bytes = frameSequence(rng, role);
    if (rng.chance(0.2)) bytes = mutate(rng, bytes);
  }
  return split(rng, bytes);
}
