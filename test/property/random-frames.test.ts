// Property: structure-aware random input (valid 9-octet frame headers with random types, flags,
// stream ids and payloads shaped like each type's — sometimes right, sometimes not — plus the odd
// raw garbage), fed in random chunks to a server and to a client Session, with an application
// that answers what it can:
//   - receive() never throws (peer errors are events, DESIGN.md "Never trap on peer input"),
//   - every run ends promptly (no hang) and the session's memory stays bounded,
//   - the output is whole frames, and a connection error always leaves exactly one GOAWAY, with
//     the error's code, as the last frame (RFC 9113 §5.4.1); after it, input is ignored,
//   - an error GOAWAY is only ever sent for a connection error the session reported.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { Session } from '../../bindings/core/index.ts';
import {
  CLIENT_PREFACE, ErrorCode, FrameType, concat, frame, goawayFields, parseFrames, settingsFrame, type Frame,
} from '../helpers/frames.ts';
import { GET_BLOCK, POST_BLOCK, getWithFieldCount, indexed, literal, literalIndexedName } from '../limits/blocks.ts';
import { concatAll, drain, splitAt } from './conversation.ts';

const test = suite('property: random frames never throw, hang, or end without GOAWAY');

const RUNS = Number(process.env.H2WASM_PROPERTY_RUNS) || 500;
const PARAMS = { numRuns: RUNS, includeErrorInReport: true };

type Event = ReturnType<Session['receive']>[number];

// ---------------------------------------------------------------- arbitraries

const u32 = (v: number): number[] => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
const bytes = (max: number) => fc.uint8Array({ maxLength: max });
const interesting32 = fc.oneof(
  fc.constantFrom(0, 1, 100, 16384, 16385, 65535, 65536, 0x7fffffff, 0x80000000, 0xffffffff),
  fc.integer({ min: 0, max: 0xffffffff }),
);
const streamIdArb = fc.oneof(
  { arbitrary: fc.constantFrom(1, 3, 5), weight: 6 },
  { arbitrary: fc.constantFrom(0, 2, 4, 7, 9, 101, 0x7fffffff), weight: 3 },
  { arbitrary: fc.integer({ min: 0, max: 0x7fffffff }), weight: 1 },
);
const flagsArb = fc.oneof(
  { arbitrary: fc.constantFrom(0, 0x1, 0x4, 0x5), weight: 6 },
  { arbitrary: fc.constantFrom(0x8, 0x20, 0x25, 0x2d, 0x0c), weight: 2 },
  { arbitrary: fc.integer({ min: 0, max: 255 }), weight: 1 },
);

/** Field blocks: valid requests and responses, malformed ones, dynamic-table users, garbage. */
const blockArb = fc.oneof(
  { arbitrary: fc.constantFrom(
    GET_BLOCK, POST_BLOCK, getWithFieldCount(12),
    concat(indexed(8)), concat(indexed(13)), // :status 200, :status 404
    concat(indexed(8), literalIndexedName(28, '5')), // a response with content-length 5
    concat(GET_BLOCK, literal('x-t', 'v', 'incremental')), concat(GET_BLOCK, indexed(62)),
    concat(indexed(2), indexed(7)), // no :path
    concat(literal('x-trailer', 'done')), // trailers
    concat(GET_BLOCK, literal('connection', 'close')),
    Uint8Array.of(0x3f, 0xe1, 0x1f), // a table size update
  ), weight: 6 },
  { arbitrary: bytes(40), weight: 2 },
);

/** Payloads shaped like each frame type's (RFC 9113 §6), often right, sometimes not. */
function payloadArb(type: number): fc.Arbitrary<Uint8Array> {
  const wrong = bytes(20);
  switch (type) {
    case FrameType.DATA: return fc.oneof(bytes(300), fc.constant(new Uint8Array(0)), fc.integer({ min: 0, max: 40 }).map((n) => concat([n], new Uint8Array(n))));
    case FrameType.HEADERS:
    case FrameType.CONTINUATION: return blockArb;
    case FrameType.PRIORITY: return fc.oneof(bytes(5).filter((b) => b.length === 5), wrong);
    case FrameType.RST_STREAM: return fc.oneof(fc.integer({ min: 0, max: 14 }).map((c) => Uint8Array.from(u32(c))), wrong);
    case FrameType.SETTINGS: return fc.oneof(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 10 }), interesting32), { maxLength: 5 })
        .map((pairs) => Uint8Array.from(pairs.flatMap(([id, v]) => [id >> 8, id & 0xff, ...u32(v)]))),
      wrong,
    );
    case FrameType.PUSH_PROMISE: return fc.tuple(fc.constantFrom(2, 4, 6, 3, 0), blockArb).map(([id, b]) => concat(u32(id), b));
    case FrameType.PING: return fc.oneof(bytes(8).filter((b) => b.length === 8), wrong);
    case FrameType.GOAWAY: return fc.tuple(interesting32, fc.integer({ min: 0, max: 14 }), bytes(10)).map(([l, c, d]) => concat(u32(l), u32(c), d));
    case FrameType.WINDOW_UPDATE: return fc.oneof(interesting32.map((v) => Uint8Array.from(u32(v))), wrong);
    default: return bytes(30);
  }
}

const TYPES = [0, 1, 1, 1, 2, 3, 3, 4, 5, 6, 7, 8, 8, 9, 9, 0xa, 0xc, 0x10, 0x20, 0xff];

/** Any type, flags, stream id; a payload shaped for the type. */
const wildFrameArb: fc.Arbitrary<Uint8Array> = fc.constantFrom(...TYPES)
  .chain((type) => fc.tuple(fc.constant(type), flagsArb, streamIdArb, payloadArb(type), fc.boolean()))
  .map(([type, flags, id, payload, reserved]) => frame(type, flags, id, payload, { reserved: reserved && id % 7 === 0 }));

const open = fc.constantFrom(1, 3, 5);
const E = { END_STREAM: 0x1, END_HEADERS: 0x4 };

/** Frames a conforming peer could send (stream ids, flags and payloads right), so runs go deeper. */
const validFrameArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.tuple(open, fc.boolean(), bytes(300)).map(([id, end, b]) => frame(FrameType.DATA, end ? E.END_STREAM : 0, id, b)),
  fc.tuple(fc.constantFrom(1, 3, 5, 7, 9, 11, 13), fc.boolean(), blockArb)
    .map(([id, end, b]) => frame(FrameType.HEADERS, E.END_HEADERS | (end ? E.END_STREAM : 0), id, b)),
  fc.tuple(fc.constantFrom(1, 3, 5, 7, 9), fc.boolean(), blockArb, fc.integer({ min: 0, max: 40 })).map(([id, end, b, at]) =>
    concat(frame(FrameType.HEADERS, end ? E.END_STREAM : 0, id, b.subarray(0, at)), frame(FrameType.CONTINUATION, E.END_HEADERS, id, b.subarray(at)))),
  fc.tuple(fc.integer({ min: 1, max: 13 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 255 }))
    .map(([id, dep, w]) => frame(FrameType.PRIORITY, 0, id, Uint8Array.from([...u32(dep === id ? 0 : dep), w]))),
  fc.tuple(open, fc.integer({ min: 0, max: 13 })).map(([id, c]) => frame(FrameType.RST_STREAM, 0, id, Uint8Array.from(u32(c)))),
  fc.array(fc.oneof(
    fc.tuple(fc.constant(1), fc.integer({ min: 0, max: 65536 })), fc.tuple(fc.constant(3), fc.integer({ min: 0, max: 200 })),
    fc.tuple(fc.constant(4), fc.integer({ min: 0, max: 0x7fffffff })), fc.tuple(fc.constant(5), fc.integer({ min: 16384, max: 16777215 })),
    fc.tuple(fc.constant(6), interesting32), fc.tuple(fc.constant(9), fc.integer({ min: 0, max: 1 })),
  ), { maxLength: 4 }).map((pairs) => settingsFrame(pairs as Array<[number, number]>)),
  fc.constant(settingsFrame([], { ack: true })),
  fc.tuple(bytes(8).filter((b) => b.length === 8), fc.boolean()).map(([b, ack]) => frame(FrameType.PING, ack ? 1 : 0, 0, b)),
  fc.tuple(fc.constantFrom(0, 1, 3, 5), fc.integer({ min: 1, max: 100000 })).map(([id, inc]) => frame(FrameType.WINDOW_UPDATE, 0, id, Uint8Array.from(u32(inc)))),
  fc.tuple(open, fc.constantFrom('u=0', 'u=3, i', 'i')).map(([id, v]) => frame(FrameType.PRIORITY_UPDATE, 0, 0, concat(u32(id), new TextEncoder().encode(v)))),
  fc.tuple(fc.integer({ min: 0x20, max: 0xff }), bytes(20)).map(([t, b]) => frame(t, 0, 0, b)),
);

const frameArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  { arbitrary: validFrameArb, weight: 24 },
  { arbitrary: wildFrameArb, weight: 6 },
  { arbitrary: bytes(12), weight: 1 }, // raw garbage
  { arbitrary: fc.constant(frame(FrameType.DATA, 0, 1, new Uint8Array(16385))), weight: 1 }, // over SETTINGS_MAX_FRAME_SIZE
);

const inputArb = (prefix: fc.Arbitrary<Uint8Array>) =>
  fc.tuple(prefix, fc.array(frameArb, { maxLength: 40 }), fc.array(fc.integer({ min: 1, max: 4000 }), { maxLength: 12 }))
    .map(([p, frames, cuts]) => ({ input: concat(p, ...frames), cuts }));

const serverPrefix = fc.oneof(
  { arbitrary: fc.constant(concat(CLIENT_PREFACE, settingsFrame([]))), weight: 8 },
  { arbitrary: fc.constant(CLIENT_PREFACE), weight: 1 }, // the first frame is then whatever comes
  { arbitrary: bytes(30), weight: 1 },
);
const clientPrefix = fc.oneof(
  { arbitrary: fc.constant(settingsFrame([])), weight: 8 },
  { arbitrary: fc.constant(new Uint8Array(0)), weight: 1 },
);

// ---------------------------------------------------------------- the run

function play(session: Session, input: Uint8Array, cuts: number[], preamble: Uint8Array): void {
  const start = performance.now();
  const events: Event[] = [];
  const out: Uint8Array[] = [preamble];
  let connectionError: Extract<Event, { type: 'error' }> | undefined;
  let afterError = 0;
  for (const chunk of splitAt(input, cuts)) {
    let got: Event[];
    try {
      got = session.receive(chunk);
    } catch (err) {
      assert.unreachable(`receive() threw: ${(err as Error).stack ?? err}`);
      return;
    }
    if (connectionError) afterError += got.length;
    events.push(...got);
    connectionError ??= got.find((e) => e.type === 'error' && e.scope === 'connection') as typeof connectionError;
    // The application answers requests and consumes data, as long as the session lets it.
    for (const e of got) {
      try {
        if (e.type === 'request') {
          session.respond(e.streamId, [[':status', '200']]);
          session.data(e.streamId, new TextEncoder().encode('ok'), { endStream: true });
        } else if (e.type === 'data') session.consume(e.streamId, e.bytes.length);
      } catch {
        // a call the stream's state no longer allows (H2Error): fine
      }
    }
    out.push(drain(session));
  }
  assert.ok(performance.now() - start < 5000, 'a run took over 5 s');
  assert.ok(session.state.memory < 8 << 20, `session memory ${session.state.memory}`);
  assert.is(afterError, 0, 'events after the connection error');

  const all = concatAll(out);
  let frames: Frame[];
  try {
    frames = parseFrames(all, { preface: session.role === 'client' });
  } catch (err) {
    assert.unreachable(`the output is not whole frames: ${(err as Error).message}`);
    return;
  }
  const errorGoaways = frames.filter((f) => f.type === FrameType.GOAWAY && goawayFields(f).code !== ErrorCode.NO_ERROR);
  if (connectionError) {
    const last = frames[frames.length - 1];
    assert.ok(last && last.type === FrameType.GOAWAY, `after a connection error (${connectionError.reason}) the last frame is ${last ? `type ${last.type}` : 'missing'}, not GOAWAY`);
    assert.is(goawayFields(last).code, connectionError.code, 'the GOAWAY carries the error code');
    assert.is(errorGoaways.length, 1, 'one GOAWAY');
    assert.is(session.state.closed, true);
    assert.equal(session.receive(CLIENT_PREFACE), [], 'input after the error is ignored');
  } else {
    assert.is(errorGoaways.length, 0, `an error GOAWAY without a connection error event: ${JSON.stringify(goawayFields(errorGoaways[0] ?? frames[0]))}`);
  }
}

test('server: random frames', () => {
  fc.assert(fc.property(inputArb(serverPrefix), ({ input, cuts }) => {
    const s = new Session({ role: 'server', settings: { maxConcurrentStreams: 3 } });
    try {
      play(s, input, cuts, new Uint8Array(0));
    } finally {
      s.destroy();
    }
  }), PARAMS);
});

test('client: random frames, after three requests', () => {
  fc.assert(fc.property(inputArb(clientPrefix), ({ input, cuts }) => {
    const c = new Session({ role: 'client' });
    try {
      const get: Array<[string, string]> = [[':method', 'GET'], [':scheme', 'https'], [':authority', 'example.com'], [':path', '/']];
      c.request(get, { endStream: true });
      c.request([[':method', 'POST'], ...get.slice(1)]);
      c.request(get, { endStream: true });
      play(c, input, cuts, drain(c));
    } finally {
      c.destroy();
    }
  }), PARAMS);
});

test('server: random frames after a valid request (deeper states)', () => {
  const opener = concat(CLIENT_PREFACE, settingsFrame([]), frame(FrameType.HEADERS, 0x4, 1, POST_BLOCK), frame(FrameType.HEADERS, 0x5, 3, GET_BLOCK));
  fc.assert(fc.property(inputArb(fc.constant(opener)), ({ input, cuts }) => {
    const s = new Session({ role: 'server', limits: { glitchBurst: 20 } });
    try {
      play(s, input, cuts, new Uint8Array(0));
    } finally {
      s.destroy();
    }
  }), PARAMS);
});

test.run();
