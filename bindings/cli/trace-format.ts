// `h2wasm get -v`: the frames of a session as `nghttp -v` prints them, header blocks decoded.
// Fed by the core session's frame observer; each direction has its own HPACK decoder, in step
// with the peer's encoder because the observer sees every header block from the start.
import type { FrameInfo } from '../core/index.ts';
import { HpackDecoder } from '../hpack/codec.ts';
import { ERROR_NAMES } from '../core/constants.ts';
import { FRAME_TYPE_NAMES as TYPES, SETTING_ID_NAMES as SETTINGS, frameFlagNames as flagNames } from '../core/trace.ts';

const INDENT = '          ';
const hex2 = (n: number) => `0x${n.toString(16).padStart(2, '0')}`;
const u32 = (p: Uint8Array, at: number) => ((p[at] << 24) | (p[at + 1] << 16) | (p[at + 2] << 8) | p[at + 3]) >>> 0;
const errorName = (code: number) => `${ERROR_NAMES[code] ?? 'UNKNOWN'}(${hex2(code)})`;


interface Block { streamId: number; type: number; fragments: Uint8Array[]; note: string }

export interface Tracer {
  /** One observed frame. */
  frame(f: FrameInfo): void;
  /** A line of its own, time-stamped (e.g. "Connected"). */
  note(text: string): void;
  /** Frees the decoders. */
  close(): void;
}

/** An nghttp -v style tracer writing whole lines through `write`. */
export function createTracer(write: (line: string) => void, role: 'client' | 'server' = 'client', started = performance.now()): Tracer {
  const stamp = () => `[${((performance.now() - started) / 1000).toFixed(3).padStart(7)}]`;
  // Generous limits: the trace shows what went by, the session itself enforces the real ones.
  const opts = { maxTableSize: 1 << 16, maxHeaderListSize: 1 << 24, maxHeaderListPairs: 1 << 16, maxHeaderFieldSize: 1 << 24 };
  const decoders = { send: new HpackDecoder(opts), recv: new HpackDecoder(opts) };
  const blocks: { send: Block | null; recv: Block | null } = { send: null, recv: null };
  const seen = new Set<string>(); // "dir id": streams with a header block already

  function headerLines(dir: 'send' | 'recv', block: Block): string[] {
    const total = block.fragments.reduce((n, f) => n + f.length, 0);
    const all = new Uint8Array(total);
    let at = 0;
    for (const f of block.fragments) { all.set(f, at); at += f.length; }
    try {
      return decoders[dir].decode(all).map(([n, v]) => `${n}: ${v}`);
    } catch (err) {
      return [`; header block not decoded: ${(err as Error).message}`];
    }
  }

  function frame(f: FrameInfo): void {
    const dir = f.direction;
    const p = f.payload;
    const names = flagNames(f.type, f.flags);
    const at = stamp();
    const lines = [`${at} ${dir} ${TYPES[f.type] ?? `UNKNOWN(${hex2(f.type)})`} frame <length=${f.length}, flags=${hex2(f.flags)}, stream_id=${f.streamId}>`];
    if (names.length) lines.push(`${INDENT}; ${names.join(' | ')}`);
    const padded = (f.type === 0 || f.type === 1 || f.type === 5) && f.flags & 0x8;
    const padlen = padded && p.length ? p[0] : 0;
    let afterHeaders: string[] = [];
    switch (f.type) {
      case 1: case 5: case 9: {
        let from = padded ? 1 : 0;
        if (f.type === 1 && f.flags & 0x20 && p.length >= from + 5) {
          const dep = u32(p, from);
          lines.push(`${INDENT}(padlen=${padlen}, dep_stream_id=${dep & 0x7fffffff}, weight=${p[from + 4] + 1}, exclusive=${dep >>> 31})`);
          from += 5;
        } else if (f.type === 1) lines.push(`${INDENT}(padlen=${padlen})`);
        if (f.type === 5 && p.length >= from + 4) {
          lines.push(`${INDENT}(padlen=${padlen}, promised_stream_id=${u32(p, from) & 0x7fffffff})`);
          from += 4;
        }
        const fragment = p.subarray(from, Math.max(from, p.length - padlen));
        if (f.type === 9) blocks[dir]?.fragments.push(fragment);
        else {
          const key = `${dir} ${f.streamId}`;
          let note = '';
          if (f.type === 1 && !seen.has(key)) {
            note = (dir === 'send') === (role === 'client') ? '; Open new stream' : role === 'client' ? '; First response header' : '; First request header';
          }
          seen.add(key);
          blocks[dir] = { streamId: f.streamId, type: f.type, fragments: [fragment], note };
        }
        const block = blocks[dir];
        if (f.flags & 0x4 && block) {
          blocks[dir] = null;
          if (block.note) lines.push(`${INDENT}${block.note}`);
          const fields = headerLines(dir, block);
          // nghttp prints received fields as they arrive (before the frame), sent ones under it.
          if (dir === 'recv') {
            for (const l of fields) write(`${at} recv (stream_id=${block.streamId}) ${l}`);
          } else afterHeaders = fields.map((l) => INDENT + l);
        }
        break;
      }
      case 4:
        lines.push(`${INDENT}(niv=${Math.floor(p.length / 6)})`);
        for (let i = 0; i + 6 <= p.length; i += 6) {
          const id = (p[i] << 8) | p[i + 1];
          lines.push(`${INDENT}[${SETTINGS[id] ?? 'UNKNOWN'}(${hex2(id)}):${u32(p, i + 2)}]`);
        }
        break;
      case 3:
        if (p.length >= 4) lines.push(`${INDENT}(error_code=${errorName(u32(p, 0))})`);
        break;
      case 7:
        if (p.length >= 8) {
          const opaque = Buffer.from(p.subarray(8, 8 + 64)).toString('latin1');
          lines.push(`${INDENT}(last_stream_id=${u32(p, 0) & 0x7fffffff}, error_code=${errorName(u32(p, 4))}, opaque_data(${p.length - 8})=[${opaque}])`);
        }
        break;
      case 8:
        if (p.length >= 4) lines.push(`${INDENT}(window_size_increment=${u32(p, 0) & 0x7fffffff})`);
        break;
      case 6:
        lines.push(`${INDENT}(opaque_data=${Buffer.from(p).toString('hex')})`);
        break;
      case 2:
        if (p.length >= 5) lines.push(`${INDENT}(dep_stream_id=${u32(p, 0) & 0x7fffffff}, weight=${p[4] + 1}, exclusive=${u32(p, 0) >>> 31})`);
        break;
    }
    write([...lines, ...afterHeaders].join('\n'));
  }

  return {
    frame,
    note: (text) => write(`${stamp()} ${text}`),
    close: () => { decoders.send.free(); decoders.recv.free(); },
  };
}
