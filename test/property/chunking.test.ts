// Property (DESIGN.md "Testing", docs/core.md "Any split of the input gives the same events"):
// a recorded conversation fed to a Session in any split — generated cut points, fixed small
// chunk sizes, one octet at a time — gives the same events (see `canonicalEvents` for what
// "same" means) and the same output bytes from pull(), for the server reading a client and the
// client reading a server. The transport-like loop pulls after every receive().
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { Session } from '../../bindings/core/index.ts';
import { parseFrames } from '../helpers/frames.ts';
import {
  PING_CLIENT, canonicalEvents, clientActs, clientScript, concatAll, drain, serverActs, splitAt, splitEvery,
} from './conversation.ts';

const test = suite('property: any chunking gives the same events and bytes');

type Event = ReturnType<Session['receive']>[number];

interface Run { events: Event[]; output: Uint8Array }

/** Feeds `chunks`, pulling after each, then lets the application act and pulls again. */
function feed(s: Session, chunks: readonly Uint8Array[], act: (s: Session, events: Event[]) => void): Run {
  const events: Event[] = [];
  const out: Uint8Array[] = [];
  for (const chunk of chunks) {
    events.push(...s.receive(chunk));
    out.push(drain(s));
  }
  act(s, events);
  out.push(drain(s));
  return { events, output: concatAll(out) };
}

// ---------------------------------------------------------------- the recording

const client0 = new Session({ role: 'client' });
clientScript(client0);
/** Client → server octets: the magic, SETTINGS, WINDOW_UPDATE, requests, DATA, PING, RST_STREAM… */
const C = drain(client0);
const server0 = new Session({ role: 'server' });
const serverRef = feed(server0, [C], serverActs);
/** Server → client octets: SETTINGS, ACKs, PUSH_PROMISE, responses over several DATA frames, trailers… */
const S = serverRef.output;
const clientRef = feed(client0, [S], clientActs);
server0.destroy();
client0.destroy();

function serverRun(chunks: Uint8Array[]): Run {
  const s = new Session({ role: 'server' });
  try {
    return feed(s, chunks, serverActs);
  } finally {
    s.destroy();
  }
}

function clientRun(chunks: Uint8Array[]): Run {
  const c = new Session({ role: 'client' });
  try {
    clientScript(c);
    const again = drain(c);
    assert.equal(again, C, 'the client script is deterministic');
    return feed(c, chunks, clientActs);
  } finally {
    c.destroy();
  }
}

/** Compares, failing with the first difference only (the lists are long). */
function same(run: Run, ref: Run, what: string): void {
  const got = canonicalEvents(run.events).map((e) => JSON.stringify(e));
  const want = canonicalEvents(ref.events).map((e) => JSON.stringify(e));
  const i = got.findIndex((g, k) => g !== want[k]);
  if (i >= 0 || got.length !== want.length) {
    const k = i >= 0 ? i : Math.min(got.length, want.length);
    const cut = (s: string | undefined) => (s === undefined ? '(none)' : s.length > 400 ? `${s.slice(0, 400)}…` : s);
    assert.unreachable(`${what}: event #${k} differs from the one-chunk run\n      got:  ${cut(got[k])}\n      want: ${cut(want[k])}`);
  }
  const j = run.output.findIndex((b, k) => b !== ref.output[k]);
  if (j >= 0 || run.output.length !== ref.output.length) {
    assert.unreachable(`${what}: output bytes differ at offset ${j >= 0 ? j : Math.min(run.output.length, ref.output.length)} (lengths ${run.output.length} / ${ref.output.length})`);
  }
}

/** Cut points anywhere, and often within the first 200 octets (preface, SETTINGS, first requests). */
const cutsArb = (n: number) => fc.array(fc.oneof(fc.integer({ min: 1, max: n - 1 }), fc.integer({ min: 1, max: Math.min(200, n - 1) })), { maxLength: 60 });
const RUNS = Number(process.env.H2WASM_PROPERTY_RUNS) || 150;

// ---------------------------------------------------------------- sanity of the recording

test('the recording covers what it should', () => {
  const types = (b: Uint8Array, preface: boolean) => new Set(parseFrames(b, { preface }).map((f) => f.type));
  const sent = types(C, true);
  for (const t of [0x0, 0x1, 0x3, 0x4, 0x6, 0x8, 0x10]) assert.ok(sent.has(t), `client sent frame type ${t}`);
  const answered = types(S, false);
  for (const t of [0x0, 0x1, 0x4, 0x5, 0x6]) assert.ok(answered.has(t), `server sent frame type ${t}`);
  const kinds = new Set<string>(serverRef.events.map((e) => e.type));
  for (const k of ['settings', 'request', 'data', 'trailers', 'stream-end', 'ping', 'reset', 'window-update', 'priority-update']) {
    assert.ok(kinds.has(k), `server saw '${k}'`);
  }
  const ck = new Set<string>(clientRef.events.map((e) => e.type));
  for (const k of ['settings', 'settings-ack', 'response', 'push', 'data', 'trailers', 'ping', 'ping-ack']) assert.ok(ck.has(k), `client saw '${k}'`);
  assert.not.ok(serverRef.events.some((e) => e.type === 'error'), 'no errors in the recording');
  assert.not.ok(clientRef.events.some((e) => e.type === 'error'), 'no errors in the recording');
  const ping = clientRef.events.find((e) => e.type === 'ping-ack') as { payload: Uint8Array };
  assert.equal([...ping.payload], [...PING_CLIENT]);
});

test("a 'settings' event carries the settings of its own frame, not those in force when receive() returns", () => {
  // Two SETTINGS frames in one chunk must give the same two events as in two chunks: the first
  // says INITIAL_WINDOW_SIZE 1000 (docs/core.md: "the peer's settings now in force").
  const s = new Session({ role: 'server' });
  try {
    const magic = C.subarray(0, 24);
    const settings = (v: number) => Uint8Array.of(0, 0, 6, 4, 0, 0, 0, 0, 0, 0, 4, (v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
    const events = s.receive(concatAll([magic, settings(1000), settings(2000)])).filter((e) => e.type === 'settings');
    assert.equal(events.map((e) => (e as { settings: { initialWindowSize: number } }).settings.initialWindowSize), [1000, 2000]);
  } finally {
    s.destroy();
  }
});

// ---------------------------------------------------------------- server reading a client

test('server: one octet at a time', () => {
  same(serverRun(splitEvery(C, 1)), serverRef, '1-octet chunks');
});

test('server: fixed chunk sizes around the 9-octet frame header and the preface', () => {
  for (const n of [2, 3, 5, 8, 9, 10, 23, 24, 25, 100, 16393]) same(serverRun(splitEvery(C, n)), serverRef, `${n}-octet chunks`);
});

test('server: generated cut points', () => {
  fc.assert(fc.property(cutsArb(C.length), (cuts) => {
    same(serverRun(splitAt(C, cuts)), serverRef, `cuts ${JSON.stringify([...new Set(cuts)].sort((a, b) => a - b))}`);
  }), { numRuns: RUNS, includeErrorInReport: true });
});

test('server: cuts right around every frame boundary', () => {
  const frames = parseFrames(C.subarray(24));
  const bounds: number[] = [24];
  for (const f of frames) bounds.push(bounds[bounds.length - 1] + 9 + f.length);
  fc.assert(fc.property(fc.subarray(bounds), fc.integer({ min: -9, max: 9 }), (picked, shift) => {
    same(serverRun(splitAt(C, picked.map((b) => b + shift))), serverRef, `boundaries shifted by ${shift}`);
  }), { numRuns: RUNS, includeErrorInReport: true });
});

// ---------------------------------------------------------------- client reading a server

test('client: one octet at a time', () => {
  same(clientRun(splitEvery(S, 1)), clientRef, '1-octet chunks');
});

test('client: generated cut points', () => {
  fc.assert(fc.property(cutsArb(S.length), (cuts) => {
    same(clientRun(splitAt(S, cuts)), clientRef, `cuts ${JSON.stringify([...new Set(cuts)].sort((a, b) => a - b))}`);
  }), { numRuns: RUNS, includeErrorInReport: true });
});

test('client: generated chunk sizes (1–64), mixed', () => {
  fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 30 }), (sizes) => {
    const chunks: Uint8Array[] = [];
    for (let at = 0, i = 0; at < S.length; i++) {
      const n = sizes[i % sizes.length];
      chunks.push(S.subarray(at, at + n));
      at += n;
    }
    same(clientRun(chunks), clientRef, `sizes ${JSON.stringify(sizes)}`);
  }), { numRuns: Math.ceil(RUNS / 3), includeErrorInReport: true });
});

test.run();
