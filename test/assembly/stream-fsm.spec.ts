// The stream state machine, RFC 9113 §5.1 (and §6.6 for PUSH_PROMISE), over every
// (state, input) pair. The expectations below are written by hand from the RFC text; they
// are not read from scripts/data/stream-fsm.txt or produced by scripts/gen-fsm.mjs, so this
// spec is an independent check of the generated table.
//
// Conventions of the machine under test (from the header of scripts/data/stream-fsm.txt):
// - END_STREAM is its own input, applied after the HEADERS or DATA that carried it (§5.1:
//   "the END_STREAM flag is processed as a separate event"). So HEADERS+END_STREAM on an
//   idle stream is RECV_HEADERS in idle, then RECV_END_STREAM in open.
// - *_PUSH_PROMISE inputs are applied to the promised stream, which §6.6 requires to be
//   idle; the checks on the associated stream (open / half-closed) are the session's.
// - An input with an error effect (LOCAL_ERROR, STREAM_CLOSED, PROTOCOL_ERROR) or IGNORE
//   leaves the state as it was: the RST_STREAM or GOAWAY that the session then sends is what
//   moves the stream (or ends the connection).
// - The machine knows no role: which side may open which stream ids (§5.1.1, and the
//   "initiated by the server" rule of §5.1 idle) is checked by the session, not here.
import { transition, nextState, effectOf, INPUT_COUNT,
  INPUT_SEND_HEADERS, INPUT_SEND_PUSH_PROMISE, INPUT_SEND_DATA, INPUT_SEND_END_STREAM,
  INPUT_SEND_RST_STREAM, INPUT_SEND_WINDOW_UPDATE, INPUT_SEND_PRIORITY,
  INPUT_RECV_HEADERS, INPUT_RECV_PUSH_PROMISE, INPUT_RECV_DATA, INPUT_RECV_END_STREAM,
  INPUT_RECV_RST_STREAM, INPUT_RECV_WINDOW_UPDATE, INPUT_RECV_PRIORITY,
  EFFECT_OK, EFFECT_IGNORE, EFFECT_LOCAL_ERROR, EFFECT_STREAM_CLOSED, EFFECT_PROTOCOL_ERROR,
  EFFECT_CLOSED_CHECK } from '../../assembly/proto/stream-fsm';
import { STREAM_IDLE, STREAM_RESERVED_LOCAL, STREAM_RESERVED_REMOTE, STREAM_OPEN,
  STREAM_HALF_CLOSED_LOCAL, STREAM_HALF_CLOSED_REMOTE, STREAM_CLOSED } from '../../assembly/abi';

// Short names so each expectation below fits on one line.
const IDLE: u32 = <u32>STREAM_IDLE;
const RESERVED_LOCAL: u32 = <u32>STREAM_RESERVED_LOCAL;
const RESERVED_REMOTE: u32 = <u32>STREAM_RESERVED_REMOTE;
const OPEN: u32 = <u32>STREAM_OPEN;
const HALF_CLOSED_LOCAL: u32 = <u32>STREAM_HALF_CLOSED_LOCAL;
const HALF_CLOSED_REMOTE: u32 = <u32>STREAM_HALF_CLOSED_REMOTE;
const CLOSED: u32 = <u32>STREAM_CLOSED;
const STATE_COUNT: u32 = 7;
const EFFECT_COUNT: u32 = 6;

const OK: u32 = EFFECT_OK;
const IGNORE: u32 = EFFECT_IGNORE;
const LOCAL_ERROR: u32 = EFFECT_LOCAL_ERROR;
const STREAM_CLOSED_ERROR: u32 = EFFECT_STREAM_CLOSED;
const PROTOCOL_ERROR: u32 = EFFECT_PROTOCOL_ERROR;
const CLOSED_CHECK: u32 = EFFECT_CLOSED_CHECK;

const STATE_NAMES: string[] = ['idle', 'reserved (local)', 'reserved (remote)', 'open',
  'half-closed (local)', 'half-closed (remote)', 'closed'];
const INPUT_NAMES: string[] = ['SEND_HEADERS', 'SEND_PUSH_PROMISE', 'SEND_DATA',
  'SEND_END_STREAM', 'SEND_RST_STREAM', 'SEND_WINDOW_UPDATE', 'SEND_PRIORITY', 'RECV_HEADERS',
  'RECV_PUSH_PROMISE', 'RECV_DATA', 'RECV_END_STREAM', 'RECV_RST_STREAM', 'RECV_WINDOW_UPDATE',
  'RECV_PRIORITY'];

// Counts which pairs the table below has checked, so a missing or doubled line shows up.
const seen = new StaticArray<u8>(<i32>(STATE_COUNT * INPUT_COUNT));

const EFFECT_NAMES: string[] = ['OK', 'IGNORE', 'LOCAL_ERROR', 'STREAM_CLOSED', 'PROTOCOL_ERROR',
  'CLOSED_CHECK'];

function describeStep(next: u32, effect: u32): string {
  const n = next < STATE_COUNT ? STATE_NAMES[next] : 'state ' + next.toString();
  const e = effect < EFFECT_COUNT ? EFFECT_NAMES[effect] : 'effect ' + effect.toString();
  return e + ' → ' + n;
}

// Mismatches of the current state's lines, one per line: every pair of a state is checked
// and all its mismatches are reported together (an `expect` would stop at the first).
let mismatches = '';

function want(state: u32, input: u32, next: u32, effect: u32, why: string): void {
  seen[<i32>(state * INPUT_COUNT + input)]++;
  const t = transition(state, input);
  if (nextState(t) != next || effectOf(t) != effect) {
    mismatches += '\n      ' + STATE_NAMES[state] + ' + ' + INPUT_NAMES[input] + ': got '
      + describeStep(nextState(t), effectOf(t)) + ', RFC reading wants '
      + describeStep(next, effect) + ' (' + why + ')';
  }
}

function noMismatches(): void {
  const found = mismatches;
  mismatches = '';
  expect(found).toBe('', 'transitions that differ from the RFC reading');
}

describe('RFC 9113 §5.1 stream states: every (state, input) pair', () => {
  it('idle', () => {
    want(IDLE, INPUT_SEND_HEADERS,        OPEN,            OK,             '§5.1 idle: sending HEADERS "causes the stream to become open"');
    want(IDLE, INPUT_SEND_PUSH_PROMISE,   RESERVED_LOCAL,  OK,             '§5.1 idle: sending PUSH_PROMISE reserves it, "reserved (local)"');
    want(IDLE, INPUT_SEND_DATA,           IDLE,            LOCAL_ERROR,    '§6.1: DATA "can only be sent" in open or half-closed (remote)');
    want(IDLE, INPUT_SEND_END_STREAM,     IDLE,            LOCAL_ERROR,    '§5.1: END_STREAM rides on HEADERS (which opens first) or DATA (forbidden here)');
    want(IDLE, INPUT_SEND_RST_STREAM,     IDLE,            LOCAL_ERROR,    '§6.4: RST_STREAM "MUST NOT be sent" for an idle stream');
    want(IDLE, INPUT_SEND_WINDOW_UPDATE,  IDLE,            LOCAL_ERROR,    '§5.1 idle: the peer must treat it as a connection error, so never send it');
    want(IDLE, INPUT_SEND_PRIORITY,       IDLE,            OK,             '§5.1/§6.3: PRIORITY "can be sent ... in any stream state", no state change');
    want(IDLE, INPUT_RECV_HEADERS,        OPEN,            OK,             '§5.1 idle: receiving HEADERS causes "open"');
    want(IDLE, INPUT_RECV_PUSH_PROMISE,   RESERVED_REMOTE, OK,             '§5.1 idle: receiving PUSH_PROMISE reserves it, "reserved (remote)"');
    want(IDLE, INPUT_RECV_DATA,           IDLE,            PROTOCOL_ERROR, '§5.1 idle: any frame but HEADERS or PRIORITY "MUST be treated as a connection error"');
    want(IDLE, INPUT_RECV_END_STREAM,     IDLE,            PROTOCOL_ERROR, '§5.1 idle: END_STREAM here can only come on DATA, a connection error');
    want(IDLE, INPUT_RECV_RST_STREAM,     IDLE,            PROTOCOL_ERROR, '§6.4: RST_STREAM on an idle stream "MUST" be a connection error PROTOCOL_ERROR');
    want(IDLE, INPUT_RECV_WINDOW_UPDATE,  IDLE,            PROTOCOL_ERROR, '§5.1 idle: not HEADERS or PRIORITY, connection error PROTOCOL_ERROR');
    want(IDLE, INPUT_RECV_PRIORITY,       IDLE,            OK,             '§5.1 idle: PRIORITY may be received; §6.3 it changes no state');
    noMismatches();
  });

  it('reserved (local)', () => {
    want(RESERVED_LOCAL, INPUT_SEND_HEADERS,       HALF_CLOSED_REMOTE, OK,             '§5.1 reserved (local): sending HEADERS opens it "half-closed (remote)"');
    want(RESERVED_LOCAL, INPUT_SEND_PUSH_PROMISE,  RESERVED_LOCAL,     LOCAL_ERROR,    '§6.6: the promised stream "MUST be in the idle state"');
    want(RESERVED_LOCAL, INPUT_SEND_DATA,          RESERVED_LOCAL,     LOCAL_ERROR,    '§5.1 reserved (local): "MUST NOT send" other than HEADERS, RST_STREAM, PRIORITY');
    want(RESERVED_LOCAL, INPUT_SEND_END_STREAM,    RESERVED_LOCAL,     LOCAL_ERROR,    '§5.1: END_STREAM on HEADERS applies after half-closed (remote); on DATA it is forbidden');
    want(RESERVED_LOCAL, INPUT_SEND_RST_STREAM,    CLOSED,             OK,             '§5.1 reserved (local): RST_STREAM makes it "closed"');
    want(RESERVED_LOCAL, INPUT_SEND_WINDOW_UPDATE, RESERVED_LOCAL,     LOCAL_ERROR,    '§5.1 reserved (local): "MUST NOT send" WINDOW_UPDATE here');
    want(RESERVED_LOCAL, INPUT_SEND_PRIORITY,      RESERVED_LOCAL,     OK,             '§5.1 reserved (local): PRIORITY is one of the frames that may be sent');
    want(RESERVED_LOCAL, INPUT_RECV_HEADERS,       RESERVED_LOCAL,     PROTOCOL_ERROR, '§5.1 reserved (local): other than RST_STREAM/PRIORITY/WINDOW_UPDATE "MUST be" a connection error');
    want(RESERVED_LOCAL, INPUT_RECV_PUSH_PROMISE,  RESERVED_LOCAL,     PROTOCOL_ERROR, '§6.6: promising a stream that is not idle is a connection error PROTOCOL_ERROR');
    want(RESERVED_LOCAL, INPUT_RECV_DATA,          RESERVED_LOCAL,     PROTOCOL_ERROR, '§5.1 reserved (local): DATA received is a connection error PROTOCOL_ERROR');
    want(RESERVED_LOCAL, INPUT_RECV_END_STREAM,    RESERVED_LOCAL,     PROTOCOL_ERROR, '§5.1 reserved (local): END_STREAM could only come on a forbidden frame');
    want(RESERVED_LOCAL, INPUT_RECV_RST_STREAM,    CLOSED,             OK,             '§5.1 reserved (local): "Either endpoint can send a RST_STREAM" to close it');
    want(RESERVED_LOCAL, INPUT_RECV_WINDOW_UPDATE, RESERVED_LOCAL,     OK,             '§5.1 reserved (local): WINDOW_UPDATE "MAY be received"');
    want(RESERVED_LOCAL, INPUT_RECV_PRIORITY,      RESERVED_LOCAL,     OK,             '§5.1 reserved (local): PRIORITY "MAY be received"');
    noMismatches();
  });

  it('reserved (remote)', () => {
    want(RESERVED_REMOTE, INPUT_SEND_HEADERS,       RESERVED_REMOTE,   LOCAL_ERROR,    '§5.1 reserved (remote): "MUST NOT send" other than RST_STREAM, WINDOW_UPDATE, PRIORITY');
    want(RESERVED_REMOTE, INPUT_SEND_PUSH_PROMISE,  RESERVED_REMOTE,   LOCAL_ERROR,    '§6.6: the promised stream "MUST be in the idle state"');
    want(RESERVED_REMOTE, INPUT_SEND_DATA,          RESERVED_REMOTE,   LOCAL_ERROR,    '§5.1 reserved (remote): "MUST NOT send" DATA here');
    want(RESERVED_REMOTE, INPUT_SEND_END_STREAM,    RESERVED_REMOTE,   LOCAL_ERROR,    '§5.1 reserved (remote): no frame we may send here carries END_STREAM');
    want(RESERVED_REMOTE, INPUT_SEND_RST_STREAM,    CLOSED,            OK,             '§5.1 reserved (remote): "Either endpoint can send a RST_STREAM" to close it');
    want(RESERVED_REMOTE, INPUT_SEND_WINDOW_UPDATE, RESERVED_REMOTE,   OK,             '§5.1 reserved (remote): WINDOW_UPDATE is one of the frames that may be sent');
    want(RESERVED_REMOTE, INPUT_SEND_PRIORITY,      RESERVED_REMOTE,   OK,             '§5.1 reserved (remote): PRIORITY may be sent');
    want(RESERVED_REMOTE, INPUT_RECV_HEADERS,       HALF_CLOSED_LOCAL, OK,             '§5.1 reserved (remote): receiving HEADERS moves it to "half-closed (local)"');
    want(RESERVED_REMOTE, INPUT_RECV_PUSH_PROMISE,  RESERVED_REMOTE,   PROTOCOL_ERROR, '§6.6: promising a stream that is not idle is a connection error PROTOCOL_ERROR');
    want(RESERVED_REMOTE, INPUT_RECV_DATA,          RESERVED_REMOTE,   PROTOCOL_ERROR, '§5.1 reserved (remote): other than HEADERS/RST_STREAM/PRIORITY "MUST be" a connection error');
    want(RESERVED_REMOTE, INPUT_RECV_END_STREAM,    RESERVED_REMOTE,   PROTOCOL_ERROR, '§5.1: END_STREAM on HEADERS applies after half-closed (local); on DATA it is an error');
    want(RESERVED_REMOTE, INPUT_RECV_RST_STREAM,    CLOSED,            OK,             '§5.1 reserved (remote): RST_STREAM makes it "closed"');
    want(RESERVED_REMOTE, INPUT_RECV_WINDOW_UPDATE, RESERVED_REMOTE,   PROTOCOL_ERROR, '§5.1 reserved (remote): WINDOW_UPDATE is not HEADERS/RST_STREAM/PRIORITY, connection error');
    want(RESERVED_REMOTE, INPUT_RECV_PRIORITY,      RESERVED_REMOTE,   OK,             '§5.1 reserved (remote): PRIORITY may be received');
    noMismatches();
  });

  it('open', () => {
    want(OPEN, INPUT_SEND_HEADERS,       OPEN,               OK,             '§5.1 open: "used by both peers to send frames of any type"');
    want(OPEN, INPUT_SEND_PUSH_PROMISE,  OPEN,               LOCAL_ERROR,    '§6.6: the promised stream "MUST be in the idle state"');
    want(OPEN, INPUT_SEND_DATA,          OPEN,               OK,             '§5.1 open / §6.1: DATA may be sent in open');
    want(OPEN, INPUT_SEND_END_STREAM,    HALF_CLOSED_LOCAL,  OK,             '§5.1 open: "sending an END_STREAM flag" makes it "half-closed (local)"');
    want(OPEN, INPUT_SEND_RST_STREAM,    CLOSED,             OK,             '§5.1 open: RST_STREAM moves it "immediately to closed"');
    want(OPEN, INPUT_SEND_WINDOW_UPDATE, OPEN,               OK,             '§5.1 open: frames of any type');
    want(OPEN, INPUT_SEND_PRIORITY,      OPEN,               OK,             '§5.1 open: frames of any type; §6.3 no state change');
    want(OPEN, INPUT_RECV_HEADERS,       OPEN,               OK,             '§5.1 open: frames of any type (e.g. trailers, 1xx then final)');
    want(OPEN, INPUT_RECV_PUSH_PROMISE,  OPEN,               PROTOCOL_ERROR, '§6.6: promising a stream that is not idle is a connection error PROTOCOL_ERROR');
    want(OPEN, INPUT_RECV_DATA,          OPEN,               OK,             '§5.1 open / §6.1: DATA may be received in open');
    want(OPEN, INPUT_RECV_END_STREAM,    HALF_CLOSED_REMOTE, OK,             '§5.1 open: "receiving an END_STREAM flag" makes it "half-closed (remote)"');
    want(OPEN, INPUT_RECV_RST_STREAM,    CLOSED,             OK,             '§5.1 open: "Either endpoint can send a RST_STREAM", closed');
    want(OPEN, INPUT_RECV_WINDOW_UPDATE, OPEN,               OK,             '§5.1 open: frames of any type');
    want(OPEN, INPUT_RECV_PRIORITY,      OPEN,               OK,             '§5.1 open: frames of any type; §6.3 no state change');
    noMismatches();
  });

  it('half-closed (local)', () => {
    want(HALF_CLOSED_LOCAL, INPUT_SEND_HEADERS,       HALF_CLOSED_LOCAL, LOCAL_ERROR,    '§5.1 half-closed (local): no sending "other than WINDOW_UPDATE, PRIORITY, and RST_STREAM"');
    want(HALF_CLOSED_LOCAL, INPUT_SEND_PUSH_PROMISE,  HALF_CLOSED_LOCAL, LOCAL_ERROR,    '§6.6: the promised stream "MUST be in the idle state"');
    want(HALF_CLOSED_LOCAL, INPUT_SEND_DATA,          HALF_CLOSED_LOCAL, LOCAL_ERROR,    '§5.1 half-closed (local) / §6.1: no DATA after our END_STREAM');
    want(HALF_CLOSED_LOCAL, INPUT_SEND_END_STREAM,    HALF_CLOSED_LOCAL, LOCAL_ERROR,    '§5.1 half-closed (local): no frame we may send here carries END_STREAM');
    want(HALF_CLOSED_LOCAL, INPUT_SEND_RST_STREAM,    CLOSED,            OK,             '§5.1 half-closed (local): "either peer sends a RST_STREAM", closed');
    want(HALF_CLOSED_LOCAL, INPUT_SEND_WINDOW_UPDATE, HALF_CLOSED_LOCAL, OK,             '§5.1 half-closed (local): WINDOW_UPDATE may be sent (credit to keep receiving)');
    want(HALF_CLOSED_LOCAL, INPUT_SEND_PRIORITY,      HALF_CLOSED_LOCAL, OK,             '§5.1 half-closed (local): PRIORITY may be sent');
    want(HALF_CLOSED_LOCAL, INPUT_RECV_HEADERS,       HALF_CLOSED_LOCAL, OK,             '§5.1 half-closed (local): "can receive any type of frame"');
    want(HALF_CLOSED_LOCAL, INPUT_RECV_PUSH_PROMISE,  HALF_CLOSED_LOCAL, PROTOCOL_ERROR, '§6.6: promising a stream that is not idle is a connection error PROTOCOL_ERROR');
    want(HALF_CLOSED_LOCAL, INPUT_RECV_DATA,          HALF_CLOSED_LOCAL, OK,             '§5.1 half-closed (local) / §6.1: DATA may be received');
    want(HALF_CLOSED_LOCAL, INPUT_RECV_END_STREAM,    CLOSED,            OK,             '§5.1 half-closed (local): "received with the END_STREAM flag set", closed');
    want(HALF_CLOSED_LOCAL, INPUT_RECV_RST_STREAM,    CLOSED,            OK,             '§5.1 half-closed (local): RST_STREAM from either peer, closed');
    want(HALF_CLOSED_LOCAL, INPUT_RECV_WINDOW_UPDATE, HALF_CLOSED_LOCAL, OK,             '§5.1 half-closed (local): any type may be received (ignoring it is only permitted)');
    want(HALF_CLOSED_LOCAL, INPUT_RECV_PRIORITY,      HALF_CLOSED_LOCAL, OK,             '§5.1 half-closed (local): "PRIORITY frames can be received"');
    noMismatches();
  });

  it('half-closed (remote)', () => {
    want(HALF_CLOSED_REMOTE, INPUT_SEND_HEADERS,       HALF_CLOSED_REMOTE, OK,                  '§5.1 half-closed (remote): we may "send frames of any type"');
    want(HALF_CLOSED_REMOTE, INPUT_SEND_PUSH_PROMISE,  HALF_CLOSED_REMOTE, LOCAL_ERROR,         '§6.6: the promised stream "MUST be in the idle state"');
    want(HALF_CLOSED_REMOTE, INPUT_SEND_DATA,          HALF_CLOSED_REMOTE, OK,                  '§5.1 half-closed (remote) / §6.1: DATA may be sent');
    want(HALF_CLOSED_REMOTE, INPUT_SEND_END_STREAM,    CLOSED,             OK,                  '§5.1 half-closed (remote): "sending a frame with the END_STREAM flag", closed');
    want(HALF_CLOSED_REMOTE, INPUT_SEND_RST_STREAM,    CLOSED,             OK,                  '§5.1 half-closed (remote): RST_STREAM from either peer, closed');
    want(HALF_CLOSED_REMOTE, INPUT_SEND_WINDOW_UPDATE, HALF_CLOSED_REMOTE, OK,                  '§5.1 half-closed (remote): frames of any type (though no longer needed)');
    want(HALF_CLOSED_REMOTE, INPUT_SEND_PRIORITY,      HALF_CLOSED_REMOTE, OK,                  '§5.1 half-closed (remote): frames of any type');
    want(HALF_CLOSED_REMOTE, INPUT_RECV_HEADERS,       HALF_CLOSED_REMOTE, STREAM_CLOSED_ERROR, '§5.1 half-closed (remote): other frames "MUST" get a stream error STREAM_CLOSED');
    want(HALF_CLOSED_REMOTE, INPUT_RECV_PUSH_PROMISE,  HALF_CLOSED_REMOTE, PROTOCOL_ERROR,      '§6.6: promising a stream that is not idle is a connection error PROTOCOL_ERROR');
    want(HALF_CLOSED_REMOTE, INPUT_RECV_DATA,          HALF_CLOSED_REMOTE, STREAM_CLOSED_ERROR, '§5.1 half-closed (remote) / §6.1: DATA here is a stream error STREAM_CLOSED');
    want(HALF_CLOSED_REMOTE, INPUT_RECV_END_STREAM,    HALF_CLOSED_REMOTE, STREAM_CLOSED_ERROR, '§5.1 half-closed (remote): it came on HEADERS/DATA, a stream error STREAM_CLOSED');
    want(HALF_CLOSED_REMOTE, INPUT_RECV_RST_STREAM,    CLOSED,             OK,                  '§5.1 half-closed (remote): RST_STREAM from either peer, closed');
    want(HALF_CLOSED_REMOTE, INPUT_RECV_WINDOW_UPDATE, HALF_CLOSED_REMOTE, OK,                  '§5.1 half-closed (remote): WINDOW_UPDATE excepted; §6.9 "MUST NOT treat this as an error"');
    want(HALF_CLOSED_REMOTE, INPUT_RECV_PRIORITY,      HALF_CLOSED_REMOTE, OK,                  '§5.1 half-closed (remote): PRIORITY excepted from the error');
    noMismatches();
  });

  it('closed', () => {
    want(CLOSED, INPUT_SEND_HEADERS,       CLOSED, LOCAL_ERROR,    '§5.1 closed: "MUST NOT send frames other than PRIORITY"');
    want(CLOSED, INPUT_SEND_PUSH_PROMISE,  CLOSED, LOCAL_ERROR,    '§6.6: the promised stream "MUST be in the idle state"');
    want(CLOSED, INPUT_SEND_DATA,          CLOSED, LOCAL_ERROR,    '§5.1 closed: "MUST NOT send frames other than PRIORITY"');
    want(CLOSED, INPUT_SEND_END_STREAM,    CLOSED, LOCAL_ERROR,    '§5.1 closed: nothing we may send here carries END_STREAM');
    // Resolved: IGNORE, not LOCAL_ERROR. §5.1 "closed" forbids sending anything but PRIORITY;
    // IGNORE keeps the frame off the wire without failing the caller, as Node's
    // stream.close() on a closed stream is a no-op. Resets the session owes for frames on
    // closed streams (§5.4.2, §6.1) are written by the session directly, not through the table.
    want(CLOSED, INPUT_SEND_RST_STREAM,    CLOSED, IGNORE,         '§5.1 closed: "MUST NOT send frames other than PRIORITY" (not sent, no error)');
    want(CLOSED, INPUT_SEND_WINDOW_UPDATE, CLOSED, IGNORE,         '§5.1 closed: "MUST NOT send frames other than PRIORITY" (not sent, no error)');
    want(CLOSED, INPUT_SEND_PRIORITY,      CLOSED, OK,             '§5.1 closed: PRIORITY is the one frame that may still be sent');
    want(CLOSED, INPUT_RECV_HEADERS,       CLOSED, CLOSED_CHECK,   '§5.1 closed: after our RST_STREAM "could receive any type of frame"; otherwise an error');
    want(CLOSED, INPUT_RECV_PUSH_PROMISE,  CLOSED, PROTOCOL_ERROR, '§6.6: a promised id "not currently in the idle state" is a connection error');
    want(CLOSED, INPUT_RECV_DATA,          CLOSED, CLOSED_CHECK,   '§5.1 closed / §6.1: discard after our RST_STREAM, else stream error STREAM_CLOSED');
    want(CLOSED, INPUT_RECV_END_STREAM,    CLOSED, CLOSED_CHECK,   '§5.1 closed: follows the HEADERS/DATA that carried it, decided the same way');
    want(CLOSED, INPUT_RECV_RST_STREAM,    CLOSED, IGNORE,         '§5.1 closed: "might receive a WINDOW_UPDATE or RST_STREAM"; §5.4.2 never answer it');
    want(CLOSED, INPUT_RECV_WINDOW_UPDATE, CLOSED, IGNORE,         '§6.9: WINDOW_UPDATE on a closed stream "MUST NOT" be treated as an error');
    want(CLOSED, INPUT_RECV_PRIORITY,      CLOSED, OK,             '§5.1: "PRIORITY can be sent and received in any stream state"');
    noMismatches();
  });

  it('the table above names each of the 98 pairs exactly once', () => {
    for (let i = 0; i < seen.length; i++) {
      expect<u8>(seen[i]).toBe(1, STATE_NAMES[i / <i32>INPUT_COUNT] + ' + ' + INPUT_NAMES[i % <i32>INPUT_COUNT]);
    }
  });
});

describe('the transition table is total', () => {
  it('every (state, input) pair yields a state in 0..6 and an effect in 0..5', () => {
    expect(INPUT_COUNT).toBe(14);
    for (let s: u32 = 0; s < STATE_COUNT; s++) {
      for (let i: u32 = 0; i < INPUT_COUNT; i++) {
        const t = transition(s, i);
        const pair = STATE_NAMES[s] + ' + ' + INPUT_NAMES[i];
        expect(nextState(t) < STATE_COUNT).toBe(true, 'state of ' + pair);
        expect(effectOf(t) < EFFECT_COUNT).toBe(true, 'effect of ' + pair);
        expect(t >> 16).toBe(0, 'no stray bits in ' + pair);
      }
    }
  });
  it('a state an input moves to is reached only with OK', () => {
    // An error, IGNORE or CLOSED_CHECK never moves the stream by itself (see the top).
    for (let s: u32 = 0; s < STATE_COUNT; s++) {
      for (let i: u32 = 0; i < INPUT_COUNT; i++) {
        const t = transition(s, i);
        if (effectOf(t) != OK) expect(nextState(t)).toBe(s, STATE_NAMES[s] + ' + ' + INPUT_NAMES[i]);
      }
    }
  });
  it('PRIORITY, sent or received, never changes a state and is never an error (§5.1, §6.3)', () => {
    for (let s: u32 = 0; s < STATE_COUNT; s++) {
      expect(transition(s, INPUT_SEND_PRIORITY)).toBe(OK << 8 | s, STATE_NAMES[s]);
      expect(transition(s, INPUT_RECV_PRIORITY)).toBe(OK << 8 | s, STATE_NAMES[s]);
    }
  });
});
