// The oracle of the fuzzers: runs one input against a Session (server or client role) or an
// HpackDecoder and returns what went wrong, or null. Checked for every input:
//   - no WASM trap (ERR_H2WASM_CORE_TRAP / ERR_HPACK_INTERNAL) and no other exception out of
//     receive()/pull()/decode() than the documented ones,
//   - bounded work: an input of n octets takes at most 50 ms + 1 µs·n,
//   - bounded memory: session.state.memory stays under maxSessionMemory plus slack,
//   - every rejection is clean: defined RFC 9113 §7 error codes only, and a GOAWAY with an
//     error code is sent exactly when the session reported a local connection error, as the
//     last frame it ever sends (§5.4.1); output is whole frames.
import { Session } from '../../../bindings/core/index.ts';
import { HpackDecoder, HpackError } from '../../../bindings/hpack/index.ts';
import { FrameReader, FrameType, type Frame } from '../../helpers/frames.ts';

export type Target = 'server' | 'client' | 'hpack';
export const TARGETS: readonly Target[] = ['server', 'client', 'hpack'];

export interface Failure { kind: 'trap' | 'throw' | 'slow' | 'memory' | 'protocol'; message: string }

export const MAX_SESSION_MEMORY = 1_000_000;
const MEMORY_SLACK = 1 << 20; // one header block or frame past the soft limit, and buffers
const MAX_CODE = 0xd; // HTTP_1_1_REQUIRED, the last code RFC 9113 §7 defines

/** What the inputs reached (event types, error reasons, HPACK outcomes): a coarse coverage view. */
export const reached = new Map<string, number>();
const note = (k: string) => reached.set(k, (reached.get(k) ?? 0) + 1);

export function budgetMs(n: number): number { return 50 + n / 1000; }

const now = () => performance.now();

/** The HPACK decoder's documented errors (docs/hpack.md); ERR_HPACK_INTERNAL is a core failure. */
const HPACK_CODES = new Set([
  'ERR_HPACK_TRUNCATED', 'ERR_HPACK_INTEGER_OVERFLOW', 'ERR_HPACK_INVALID_INDEX', 'ERR_HPACK_INVALID_HUFFMAN',
  'ERR_HPACK_TABLE_SIZE_UPDATE', 'ERR_HPACK_HEADER_LIST_TOO_LARGE', 'ERR_HPACK_TOO_MANY_HEADERS',
  'ERR_HPACK_HEADER_FIELD_TOO_LARGE', 'ERR_HPACK_DECODER_UNUSABLE',
]);

/** Runs one input; `chunks` are the receive() calls (for hpack: the header blocks, in order). */
export function runInput(target: Target, chunks: Uint8Array[]): Failure | null {
  const n = chunks.reduce((s, c) => s + c.length, 0);
  const t0 = now();
  let failure = target === 'hpack' ? runHpack(chunks) : runSession(target, chunks);
  const ms = now() - t0;
  if (!failure && ms > budgetMs(n)) {
    // Up to three more runs before blaming the core: a GC pause, a JIT tier-up or a busy
    // machine is not a hang, and the fastest run is the one that counts.
    const times = [ms];
    for (let k = 0; k < 3 && !failure && Math.min(...times) > budgetMs(n); k++) {
      const t1 = now();
      failure = target === 'hpack' ? runHpack(chunks) : runSession(target, chunks);
      times.push(now() - t1);
    }
    if (!failure && Math.min(...times) > budgetMs(n)) {
      failure = { kind: 'slow', message: `${n} octets in ${chunks.length} chunks took ${times.map((t) => t.toFixed(1)).join(', ')} ms (budget ${budgetMs(n).toFixed(1)} ms)` };
    }
  }
  return failure;
}

function thrown(where: string, err: unknown): Failure {
  const code = (err as { code?: string })?.code;
  const kind = code === 'ERR_H2WASM_CORE_TRAP' || code === 'ERR_HPACK_INTERNAL' ? 'trap' : 'throw';
  return { kind, message: `${where} threw ${code ?? ''} ${(err as Error)?.stack ?? String(err)}` };
}

// ---------------------------------------------------------------- sessions

type Ev = ReturnType<Session['receive']>[number];

/** A minimal application: the server answers every request; the client has requests open. */
function runSession(role: 'server' | 'client', chunks: Uint8Array[]): Failure | null {
  const session = new Session({ role, limits: { maxSessionMemory: MAX_SESSION_MEMORY } });
  try {
    return drive(session, role, chunks);
  } finally {
    session.destroy();
  }
}

function drive(session: Session, role: 'server' | 'client', chunks: Uint8Array[]): Failure | null {
  const reader = new FrameReader({ preface: role === 'client' });
  const sent: Frame[] = [];
  const events: Ev[] = [];
  const pull = (): Failure | null => {
    for (let i = 0; i < 10_000; i++) {
      let out: Uint8Array[];
      try {
        out = session.pull();
      } catch (err) {
        return thrown('pull()', err);
      }
      for (const c of out) sent.push(...reader.push(c));
      if (!session.wantsWrite) return null;
    }
    return { kind: 'slow', message: 'pull() still wants to write after 10000 calls' };
  };
  // Documented refusals of an application call (stream gone, session closed …) are fine;
  // a trap or anything that is not an H2Error is not.
  const app = (what: string, fn: () => void): Failure | null => {
    try {
      fn();
      return null;
    } catch (err) {
      const code = (err as { code?: string })?.code;
      if ((err as Error)?.name === 'H2Error' && code !== 'ERR_H2WASM_CORE_TRAP' && code !== 'ERR_H2WASM_CORE') return null;
      return thrown(what, err);
    }
  };
  if (role === 'client') {
    const body = new Uint8Array(100).fill(0x61);
    const f = app('request()', () => {
      session.request([[':method', 'GET'], [':scheme', 'https'], [':authority', 'a.example'], [':path', '/']], { endStream: true });
      const id = session.request([[':method', 'POST'], [':scheme', 'https'], [':authority', 'a.example'], [':path', '/up']]);
      session.data(id, body, { endStream: true });
      session.request([[':method', 'GET'], [':scheme', 'https'], [':authority', 'a.example'], [':path', '/2']], { endStream: true });
    }) ?? pull();
    if (f) return f;
  }
  for (const chunk of chunks) {
    let evs: Ev[];
    try {
      evs = session.receive(chunk);
    } catch (err) {
      return thrown('receive()', err);
    }
    for (const e of evs) {
      events.push(e);
      note(`${role} ${e.type}${e.type === 'error' ? ` ${e.scope} ${e.reason}` : ''}`);
      let f: Failure | null = null;
      if (e.type === 'request' && role === 'server') {
        f = app('respond()', () => {
          session.respond(e.streamId, [[':status', '200'], ['content-type', 'text/plain']]);
          session.data(e.streamId, new Uint8Array(64).fill(0x62), { endStream: true });
        });
      } else if (e.type === 'data' && e.bytes.length) {
        f = app('consume()', () => session.consume(e.streamId, e.bytes.length));
      } else if (e.type === 'error' && (e.code < 0 || e.code > MAX_CODE)) {
        f = { kind: 'protocol', message: `'error' event with undefined code ${e.code}: ${JSON.stringify(e)}` };
      }
      if (f) return f;
    }
    const f = pull();
    if (f) return f;
    let memory: number;
    try {
      memory = session.state.memory;
    } catch (err) {
      return thrown('state', err);
    }
    if (memory > MAX_SESSION_MEMORY + MEMORY_SLACK) {
      return { kind: 'memory', message: `session.state.memory ${memory} > ${MAX_SESSION_MEMORY} + ${MEMORY_SLACK}` };
    }
  }
  if (reader.buffered) return { kind: 'protocol', message: `output ends inside a frame (${reader.buffered} octets)` };
  return checkOutput(sent, events);
}

export function checkOutput(sent: Frame[], events: Ev[]): Failure | null {
  const connErrors = events.filter((e) => e.type === 'error' && e.scope === 'connection' && e.local) as Array<Extract<Ev, { type: 'error' }>>;
  const errorGoaways: number[] = [];
  for (let i = 0; i < sent.length; i++) {
    const f = sent[i];
    if (f.type === FrameType.GOAWAY) {
      if (f.payload.length < 8) return { kind: 'protocol', message: `sent a GOAWAY of ${f.payload.length} octets` };
      const code = ((f.payload[4] << 24) | (f.payload[5] << 16) | (f.payload[6] << 8) | f.payload[7]) >>> 0;
      if (code > MAX_CODE) return { kind: 'protocol', message: `sent a GOAWAY with undefined code ${code}` };
      if (code !== 0) {
        errorGoaways.push(code);
        if (!connErrors.some((e) => e.code === code)) {
          return { kind: 'protocol', message: `sent GOAWAY code ${code} without a connection 'error' event with that code` };
        }
        if (i !== sent.length - 1) return { kind: 'protocol', message: `sent ${sent.length - 1 - i} frame(s) after an error GOAWAY (RFC 9113 §5.4.1)` };
      }
    } else if (f.type === FrameType.RST_STREAM) {
      const code = f.payload.length === 4 ? ((f.payload[0] << 24) | (f.payload[1] << 16) | (f.payload[2] << 8) | f.payload[3]) >>> 0 : -1;
      if (code < 0 || code > MAX_CODE) return { kind: 'protocol', message: `sent RST_STREAM with payload ${f.payload.length} octets / code ${code}` };
    }
  }
  if (connErrors.length && !errorGoaways.length && !connErrors.every((e) => e.code === 0)) {
    return { kind: 'protocol', message: `connection error ${connErrors[0].code} (${connErrors[0].reason}) reported but no GOAWAY sent` };
  }
  return null;
}

// ---------------------------------------------------------------- HPACK

function runHpack(blocks: Uint8Array[]): Failure | null {
  const d = new HpackDecoder({ maxTableSize: 4096 });
  try {
    for (const b of blocks) {
      try {
        d.decode(b);
        note('hpack ok');
      } catch (err) {
        note(`hpack ${(err as { code?: string }).code}`);
        if (!(err instanceof HpackError) || !HPACK_CODES.has(err.code)) return thrown('HpackDecoder.decode()', err);
        if (err.code === 'ERR_HPACK_DECODER_UNUSABLE') return null; // the connection is over
      }
    }
    return null;
  } finally {
    d.free();
  }
}
