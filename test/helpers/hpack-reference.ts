// hpack.js (an independent HPACK implementation, a devDependency) as a reference decoder, and
// its Appendix B table for Huffman lengths. Used only to check our codec's output.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

interface RefField { name: string; value: string; neverIndex: boolean }
interface Decompressor {
  write(chunk: Uint8Array): boolean;
  execute(): void;
  read(): RefField | null;
  _table: { size: number; maxSize: number };
}
interface HpackJs {
  decompressor: { create(options: { table: { maxSize: number } }): Decompressor };
  huffman: { encode: Array<[bits: number, code: number]> };
}

const hpack = require('hpack.js') as HpackJs;

/** One hpack.js decompressor, carried across blocks like a connection's decoder. */
export class ReferenceDecoder {
  readonly #d: Decompressor;

  /** `maxTableSize`: the SETTINGS_HEADER_TABLE_SIZE this side advertised. */
  constructor(maxTableSize = 4096) {
    this.#d = hpack.decompressor.create({ table: { maxSize: maxTableSize } });
  }

  /** Decodes one whole block; throws on malformed input. */
  decodeFields(block: Uint8Array): RefField[] {
    // Without a callback, execute() reports failure as an 'error' event, which throws here
    // because nobody listens.
    this.#d.write(Buffer.from(block));
    this.#d.execute();
    const out: RefField[] = [];
    for (let f = this.#d.read(); f !== null; f = this.#d.read()) out.push(f);
    return out;
  }

  decode(block: Uint8Array): Array<[string, string]> {
    return this.decodeFields(block).map((f) => [f.name, f.value]);
  }

  /** Octets in hpack.js's dynamic table (RFC 7541 §4.1 accounting). */
  get tableSize(): number {
    return this.#d._table.size;
  }
}

/** Length in octets of `s` (Latin-1) Huffman-coded with RFC 7541 Appendix B, per hpack.js's table. */
export function huffmanLength(octets: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < octets.length; i++) n += hpack.huffman.encode[octets[i]][0];
  return Math.ceil(n / 8);
}
