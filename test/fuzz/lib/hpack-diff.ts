// Differential HPACK: the same header blocks through our decoder, hpack.js and nghttp2's
// inflater (a small C program, test/fuzz/nghttp2/hpack-decode.c, built with the system cc).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HpackDecoder, HpackError } from '../../../bindings/hpack/index.ts';

export type Fields = Array<[string, string]>;
/** One block's outcome; after an error the rest of the case is not decoded (its state is gone). */
export type Outcome = { ok: Fields } | { err: string } | 'skip';
export interface DiffCase { tableSize: number; blocks: Uint8Array[] }

// Limits far above any generated block, so that only RFC 7541 decides.
const NO_LIMITS = { maxHeaderListSize: 1 << 26, maxHeaderListPairs: 1 << 20, maxHeaderFieldSize: 1 << 26 };

export function decodeOurs(c: DiffCase): Outcome[] {
  const d = new HpackDecoder({ maxTableSize: c.tableSize, ...NO_LIMITS });
  try {
    let failed = false;
    return c.blocks.map((b): Outcome => {
      if (failed) return 'skip';
      try {
        return { ok: d.decode(b) };
      } catch (err) {
        if (!(err instanceof HpackError) || err.code === 'ERR_HPACK_INTERNAL') throw err; // a core failure, not a verdict
        failed = true;
        return { err: err.code };
      }
    });
  } finally {
    d.free();
  }
}

interface Decompressor { write(chunk: Buffer): void; execute(): void; read(): { name: string; value: string } | null }
const hpackjs = createRequire(import.meta.url)('hpack.js') as { decompressor: { create(o: { table: { maxSize: number } }): Decompressor } };

export function decodeHpackJs(c: DiffCase): Outcome[] {
  const d = hpackjs.decompressor.create({ table: { maxSize: c.tableSize } });
  let failed = false;
  return c.blocks.map((b): Outcome => {
    if (failed) return 'skip';
    try {
      d.write(Buffer.from(b));
      d.execute(); // without a listener its 'error' event throws
      const out: Fields = [];
      for (let f = d.read(); f !== null; f = d.read()) out.push([f.name, f.value]);
      return { ok: out };
    } catch (err) {
      failed = true;
      return { err: (err as Error)?.message ?? String(err) };
    }
  });
}

const SOURCE = fileURLToPath(new URL('../nghttp2/hpack-decode.c', import.meta.url));

/** Builds the nghttp2 reference into a temp dir; `reason` says why not when it cannot. */
export function buildNghttp2(): { bin: string; cleanup: () => void } | { reason: string } {
  const dir = mkdtempSync(join(tmpdir(), 'h2wasm-fuzz-'));
  const bin = join(dir, 'hpack-decode');
  const r = spawnSync('cc', ['-O1', '-Wall', '-Wno-deprecated-declarations', '-o', bin, SOURCE, '-lnghttp2'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    if (r.error) return { reason: `no C compiler (${(r.error as NodeJS.ErrnoException).code})` };
    return { reason: /nghttp2\.h|lnghttp2/.test(r.stderr) ? 'libnghttp2 headers or library missing (apt-get install libnghttp2-dev)' : `cc failed: ${r.stderr.split('\n')[0]}` };
  }
  return { bin, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const u32 = (v: number) => Buffer.from([(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff]);
const latin1 = (h: string) => (h === '-' ? '' : Buffer.from(h, 'hex').toString('latin1'));

/** All cases through one run of the nghttp2 program. */
export function decodeNghttp2(bin: string, cases: DiffCase[]): Outcome[][] {
  const parts: Buffer[] = [];
  for (const c of cases) {
    parts.push(u32(c.tableSize), u32(c.blocks.length));
    for (const b of c.blocks) parts.push(u32(b.length), Buffer.from(b));
  }
  const r = spawnSync(bin, [], { input: Buffer.concat(parts), maxBuffer: 1 << 28, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`nghttp2 reference exited ${r.status}: ${r.stderr}`);
  const lines = r.stdout.split('\n');
  let at = 0;
  return cases.map((c) => c.blocks.map((): Outcome => {
    const line = lines[at++];
    if (line === 'SKIP') return 'skip';
    if (line === 'ERR') return { err: 'nghttp2' };
    const n = Number(/^OK (\d+)$/.exec(line)?.[1] ?? NaN);
    if (!Number.isInteger(n)) throw new Error(`nghttp2 reference: unexpected line ${JSON.stringify(line)}`);
    const out: Fields = [];
    for (let i = 0; i < n; i++) {
      const [name, value] = lines[at++].split(' ');
      out.push([latin1(name), latin1(value)]);
    }
    return { ok: out };
  }));
}

export const same = (a: Outcome, b: Outcome): boolean =>
  a === 'skip' || b === 'skip' ? a === b
    : 'ok' in a && 'ok' in b ? JSON.stringify(a.ok) === JSON.stringify(b.ok)
      : 'err' in a && 'err' in b;

export const show = (o: Outcome): string => (o === 'skip' ? 'skip' : 'err' in o ? `error ${o.err}` : `fields ${JSON.stringify(o.ok).slice(0, 300)}`);

// ---------------------------------------------------------------- verdicts

/**
 * RFC 7541 §4.2: a dynamic table size update MUST occur at the beginning of a header block.
 * hpack.js accepts one after a field line; we and nghttp2 reject the block. This walker checks
 * the block's representations independently of any decoder (integers and string lengths only).
 */
export function sizeUpdateAfterField(block: Uint8Array): boolean {
  let p = 0;
  const int = (prefix: number): number => {
    const max = (1 << prefix) - 1;
    let v = block[p++] & max;
    if (v < max) return v;
    for (let shift = 0; p < block.length && shift < 35; shift += 7) {
      const b = block[p++];
      v += (b & 0x7f) * 2 ** shift;
      if (!(b & 0x80)) return v;
    }
    return Infinity;
  };
  const skipString = (): boolean => {
    if (p >= block.length) return false;
    const n = int(7); // read before adding: int() moves p
    p += n;
    return p <= block.length;
  };
  let field = false;
  while (p < block.length) {
    const b = block[p];
    if (b & 0x80) int(7);
    else if (b & 0x40) { if (int(6) === 0 && !skipString()) return false; if (!skipString()) return false; }
    else if (b & 0x20) { int(5); if (field) return true; continue; }
    else { if (int(4) === 0 && !skipString()) return false; if (!skipString()) return false; }
    field = true;
  }
  return false;
}

/** Where the two outcome lists first differ, or -1. */
export function firstDifference(a: Outcome[], b: Outcome[]): number {
  for (let i = 0; i < a.length; i++) if (!same(a[i], b[i])) return i;
  return -1;
}

/** Ours against nghttp2: the same fields or both reject, block by block. */
export function checkAgainstNghttp2(c: DiffCase, ours: Outcome[], ng: Outcome[]): string | null {
  const i = firstDifference(ours, ng);
  return i < 0 ? null : `block ${i}: ours ${show(ours[i])}, nghttp2 ${show(ng[i])}`;
}

export const HPACKJS_DIFFERENCES = ['RFC 7541 §4.2: hpack.js accepts a dynamic table size update after a field line'];

/**
 * Ours against hpack.js: the same, except where hpack.js is lax and RFC 7541 says we are right.
 * Returns the failure, or null; `documented` is called for each known difference met.
 */
export function checkAgainstHpackJs(c: DiffCase, ours: Outcome[], js: Outcome[], documented?: (why: string) => void): string | null {
  const i = firstDifference(ours, js);
  if (i < 0) return null;
  const o = ours[i], h = js[i];
  if (o !== 'skip' && 'err' in o && o.err === 'ERR_HPACK_TABLE_SIZE_UPDATE' && h !== 'skip' && 'ok' in h && sizeUpdateAfterField(c.blocks[i])) {
    documented?.(HPACKJS_DIFFERENCES[0]);
    return null; // the rest of the case no longer compares: our decoder is gone, hpack.js's is not
  }
  return `block ${i}: ours ${show(o)}, hpack.js ${show(h)}`;
}
