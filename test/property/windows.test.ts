// Property: flow-control window arithmetic (RFC 9113 §6.9). Random sequences of the peer's
// WINDOW_UPDATE increments (on the connection, on open and on reset streams, some placed exactly
// at the 2^31−1 edge) and SETTINGS_INITIAL_WINDOW_SIZE changes, mixed with DATA the session sends,
// never leave a send window above 2^31−1: the session raises FLOW_CONTROL_ERROR instead, as a
// stream error (§6.9.1, WINDOW_UPDATE on a stream) or a connection error (§6.9.1 on the
// connection, §6.9.2 for a SETTINGS change). The windows are checked, after every step, against
// a model written here from the RFC:
//   - WINDOW_UPDATE increment 0: PROTOCOL_ERROR, a connection error on stream 0, a stream error
//     otherwise (§6.9); the reserved bit of the increment is ignored (§6.9).
//   - window + increment > 2^31−1: FLOW_CONTROL_ERROR (connection or stream, as above) (§6.9.1).
//   - INITIAL_WINDOW_SIZE > 2^31−1: connection error FLOW_CONTROL_ERROR (§6.5.2); otherwise every
//     open stream's window moves by the difference (it may go negative), and a window pushed
//     above 2^31−1 is a connection error FLOW_CONTROL_ERROR (§6.9.2). The connection window does
//     not move (§6.9.2). Streams opened later start at the new value.
//   - WINDOW_UPDATE on a stream we reset is ignored (§6.9, §5.1 "closed").
//   - DATA the session sends takes from both windows; it never exceeds either (§6.9.1).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { Session } from '../../bindings/core/index.ts';
import {
  CLIENT_PREFACE, ErrorCode, FrameType, SettingId, concat, goawayFields, headersFrame, parseFrames, rstCode, settingsFrame,
  windowUpdateFrame, type Frame,
} from '../helpers/frames.ts';
import { POST_BLOCK } from '../limits/blocks.ts';
import { drain } from './conversation.ts';

const test = suite('property: flow-control windows never pass 2^31−1 unnoticed');

const MAX = 2 ** 31 - 1;
const RUNS = Number(process.env.H2WASM_PROPERTY_RUNS) || 300;

type Action =
  | { k: 'wu'; target: number; inc: number; reserved: boolean } // target 0: connection; i > 0: the i-th stream opened (mod)
  | { k: 'wu-edge'; target: number; past: number } // increment that lands at 2^31−1 + past
  | { k: 'iws'; value: number }
  | { k: 'iws-edge'; past: number } // the value that puts the largest open stream at 2^31−1 + past
  | { k: 'open' }
  | { k: 'send'; target: number; n: number };

const incArb = fc.oneof(
  { arbitrary: fc.constant(0), weight: 1 },
  { arbitrary: fc.integer({ min: 1, max: 70000 }), weight: 4 },
  { arbitrary: fc.integer({ min: 1, max: MAX }), weight: 3 },
  { arbitrary: fc.constant(MAX), weight: 1 },
);
const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { arbitrary: fc.record({ k: fc.constant('wu' as const), target: fc.integer({ min: 0, max: 6 }), inc: incArb, reserved: fc.boolean() }), weight: 6 },
  { arbitrary: fc.record({ k: fc.constant('wu-edge' as const), target: fc.integer({ min: 0, max: 6 }), past: fc.integer({ min: -2, max: 2 }) }), weight: 2 },
  {
    arbitrary: fc.record({
      k: fc.constant('iws' as const),
      value: fc.oneof(fc.constantFrom(0, 1, 65535, MAX, MAX + 1, 0xffffffff), fc.integer({ min: 0, max: MAX }), fc.integer({ min: 0, max: 200000 })),
    }),
    weight: 3,
  },
  { arbitrary: fc.record({ k: fc.constant('iws-edge' as const), past: fc.integer({ min: -2, max: 2 }) }), weight: 2 },
  { arbitrary: fc.constant({ k: 'open' as const }), weight: 2 },
  { arbitrary: fc.record({ k: fc.constant('send' as const), target: fc.integer({ min: 1, max: 6 }), n: fc.integer({ min: 0, max: 100000 }) }), weight: 3 },
);

type Event = ReturnType<Session['receive']>[number];

/** The model: our send windows as RFC 9113 §6.9 has them. */
class Model {
  conn = 65535;
  initial = 65535;
  open = new Map<number, number>(); // stream → window
  reset = new Set<number>();
  expect: { scope: 'connection' | 'stream'; code: number; streamId: number } | null = null;
  dead = false;

  connectionError(code: number): void {
    this.expect = { scope: 'connection', code, streamId: 0 };
    this.dead = true;
  }

  streamError(id: number, code: number): void {
    this.expect = { scope: 'stream', code, streamId: id };
    this.open.delete(id);
    this.reset.add(id);
  }

  windowUpdate(id: number, inc: number): void {
    if (id === 0) {
      if (inc === 0) return this.connectionError(ErrorCode.PROTOCOL_ERROR);
      if (this.conn + inc > MAX) return this.connectionError(ErrorCode.FLOW_CONTROL_ERROR);
      this.conn += inc;
      return;
    }
    const w = this.open.get(id);
    if (w === undefined) return; // reset by us: ignored
    if (inc === 0) return this.streamError(id, ErrorCode.PROTOCOL_ERROR);
    if (w + inc > MAX) return this.streamError(id, ErrorCode.FLOW_CONTROL_ERROR);
    this.open.set(id, w + inc);
  }

  initialWindowSize(value: number): void {
    if (value > MAX) return this.connectionError(ErrorCode.FLOW_CONTROL_ERROR);
    const delta = value - this.initial;
    for (const w of this.open.values()) if (w + delta > MAX) return this.connectionError(ErrorCode.FLOW_CONTROL_ERROR);
    for (const [id, w] of this.open) this.open.set(id, w + delta);
    this.initial = value;
  }
}

interface Harness {
  session: Session;
  /** Opens a stream the peer can then send WINDOW_UPDATE on; returns its id. */
  openStream(): number;
}

function serverHarness(): Harness {
  const session = new Session({ role: 'server' });
  session.receive(concat(CLIENT_PREFACE, settingsFrame([])));
  drain(session);
  let next = 1;
  return {
    session,
    openStream() {
      const id = next;
      next += 2;
      session.receive(headersFrame(id, POST_BLOCK)); // a request whose body is still coming: open
      // §8.1: a response's DATA follows its HEADERS, so answer now (its HEADERS is not under test).
      session.respond(id, [[':status', '200']]);
      drain(session);
      return id;
    },
  };
}

function clientHarness(): Harness {
  const session = new Session({ role: 'client' });
  drain(session);
  session.receive(settingsFrame([]));
  drain(session);
  return {
    session,
    openStream() {
      return session.request([[':method', 'POST'], [':scheme', 'https'], [':authority', 'example.com'], [':path', '/']]);
    },
  };
}

/** Runs one sequence; fails with a description of the step where session and model part. */
function run(makeHarness: () => Harness, actions: Action[]): void {
  const { session, openStream } = makeHarness();
  const model = new Model();
  const ids: number[] = [];
  const log: string[] = [];
  const fail = (msg: string): never => assert.unreachable(`${msg}\n    steps:\n      ${log.slice(-12).join('\n      ')}`) as never;
  try {
    const open = () => {
      const id = openStream();
      ids.push(id);
      model.open.set(id, model.initial);
      return id;
    };
    open();
    open();
    const target = (t: number) => (t === 0 || ids.length === 0 ? 0 : ids[(t - 1) % ids.length]);
    const events: Event[] = [];

    for (const a of actions) {
      model.expect = null;
      let bytes: Uint8Array | null = null;
      switch (a.k) {
        case 'wu':
        case 'wu-edge': {
          const id = target(a.target);
          let inc: number;
          if (a.k === 'wu') inc = a.inc;
          else {
            const w = id === 0 ? model.conn : model.open.get(id);
            if (w === undefined) continue;
            inc = MAX - w + a.past;
            if (inc < 1 || inc > MAX) continue;
          }
          log.push(`WINDOW_UPDATE[${id}] +${inc}${a.k === 'wu' && a.reserved ? ' (reserved bit set)' : ''}`);
          model.windowUpdate(id, inc);
          bytes = windowUpdateFrame(id, inc, { reservedIncrementBit: a.k === 'wu' && a.reserved });
          break;
        }
        case 'iws':
        case 'iws-edge': {
          let value: number;
          if (a.k === 'iws') value = a.value;
          else {
            if (!model.open.size) continue;
            const top = Math.max(...model.open.values());
            value = model.initial + (MAX - top) + a.past;
            if (value < 0 || value > 0xffffffff) continue;
          }
          log.push(`SETTINGS INITIAL_WINDOW_SIZE=${value}`);
          model.initialWindowSize(value);
          bytes = concat(settingsFrame([[SettingId.INITIAL_WINDOW_SIZE, value]]));
          break;
        }
        case 'open': {
          const id = open();
          log.push(`open stream ${id} (window ${model.initial})`);
          break;
        }
        case 'send': {
          const id = target(a.target);
          if (!model.open.has(id)) continue;
          log.push(`application sends ${a.n} octets on stream ${id}`);
          session.data(id, new Uint8Array(a.n));
          break;
        }
      }
      const got = bytes ? session.receive(bytes) : [];
      events.push(...got);
      const out = drain(session);
      const frames: Frame[] = parseFrames(out);
      checkOutput(frames, got, model, fail, log);
      if (model.dead) return;
      checkWindows(session, model, ids, fail);
    }
  } finally {
    session.destroy();
  }
}

function checkOutput(frames: Frame[], events: Event[], model: Model, fail: (m: string) => never, log: string[]): void {
  const expect = model.expect;
  const errors = events.filter((e) => e.type === 'error') as Array<Extract<Event, { type: 'error' }>>;
  for (const [i, f] of frames.entries()) {
    if (f.type === FrameType.DATA) {
      const w = model.open.get(f.streamId);
      if (w === undefined) fail(`DATA on stream ${f.streamId}, which the model has closed`);
      if (f.length > model.conn) fail(`DATA of ${f.length} octets beyond the connection window ${model.conn}`);
      if (f.length > w!) fail(`DATA of ${f.length} octets beyond stream ${f.streamId}'s window ${w}`);
      model.conn -= f.length;
      model.open.set(f.streamId, w! - f.length);
      log.push(`  ← DATA[${f.streamId}] ${f.length}`);
    } else if (f.type === FrameType.RST_STREAM) {
      if (expect?.scope !== 'stream' || expect.streamId !== f.streamId || rstCode(f) !== expect.code) {
        fail(`unexpected RST_STREAM[${f.streamId}] code ${rstCode(f)}; the model expected ${JSON.stringify(expect)}`);
      }
    } else if (f.type === FrameType.GOAWAY) {
      const g = goawayFields(f);
      if (expect?.scope !== 'connection' || g.code !== expect.code) fail(`unexpected GOAWAY code ${g.code}; the model expected ${JSON.stringify(expect)}`);
      if (i !== frames.length - 1) fail('GOAWAY is not the last frame');
    }
  }
  if (expect) {
    const want = expect.scope === 'connection' ? FrameType.GOAWAY : FrameType.RST_STREAM;
    if (!frames.some((f) => f.type === want)) fail(`the model expected a ${expect.scope} error (code ${expect.code}); the session sent [${frames.map((f) => f.type).join(', ')}]`);
    const e = errors.find((x) => x.scope === expect.scope && x.code === expect.code);
    if (!e) fail(`no '${expect.scope}' error event with code ${expect.code}: ${JSON.stringify(errors)}`);
  } else if (errors.length) fail(`unexpected error events ${JSON.stringify(errors)}`);
}

function checkWindows(session: Session, model: Model, ids: number[], fail: (m: string) => never): void {
  const conn = session.state.remoteWindowSize;
  if (conn > MAX) fail(`connection send window ${conn} > 2^31−1`);
  if (conn !== model.conn) fail(`connection send window ${conn}, model ${model.conn}`);
  for (const id of ids) {
    const w = model.open.get(id);
    if (w === undefined) continue;
    const st = session.streamState(id);
    if (st.remoteWindowSize > MAX) fail(`stream ${id} send window ${st.remoteWindowSize} > 2^31−1`);
    if (st.remoteWindowSize !== w) fail(`stream ${id} send window ${st.remoteWindowSize}, model ${w}`);
  }
}

test('server: windows follow RFC 9113 §6.9 under random WINDOW_UPDATE / INITIAL_WINDOW_SIZE / DATA', () => {
  fc.assert(fc.property(fc.array(actionArb, { minLength: 1, maxLength: 40 }), (actions) => run(serverHarness, actions)), { numRuns: RUNS, includeErrorInReport: true });
});

test('client: the same for the windows of a client session', () => {
  fc.assert(fc.property(fc.array(actionArb, { minLength: 1, maxLength: 40 }), (actions) => run(clientHarness, actions)), { numRuns: RUNS, includeErrorInReport: true });
});

test('examples at the edges (§6.9.1, §6.9.2)', () => {
  // Connection window to exactly 2^31−1, then one more octet.
  run(serverHarness, [{ k: 'wu', target: 0, inc: MAX - 65535, reserved: false }, { k: 'wu', target: 0, inc: 1, reserved: false }]);
  // A stream at 2^31−1 via INITIAL_WINDOW_SIZE, then past it by a WINDOW_UPDATE: stream error only.
  run(serverHarness, [{ k: 'iws', value: MAX }, { k: 'wu', target: 1, inc: 1, reserved: false }, { k: 'wu', target: 2, inc: 5, reserved: false }]);
  // A stream with a large window, then INITIAL_WINDOW_SIZE up: the stream would pass 2^31−1.
  run(serverHarness, [{ k: 'wu', target: 1, inc: MAX - 65535 - 10, reserved: false }, { k: 'iws', value: 65535 + 11 }]);
  // Negative windows: send, shrink INITIAL_WINDOW_SIZE to 0, grow it back.
  run(serverHarness, [{ k: 'send', target: 1, n: 60000 }, { k: 'iws', value: 0 }, { k: 'iws', value: 1000 }, { k: 'wu', target: 1, inc: 70000, reserved: true }]);
});

test.run();
