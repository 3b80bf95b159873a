// SETTINGS values: initial values (RFC 9113 §6.5.2, RFC 8441 §3, RFC 9218 §2.1) and the
// errors a received value causes. Every verdict below is read from the RFC text quoted beside
// it, on both sides of each range.
import { Settings, settingError } from '../../assembly/proto/settings';
import { SettingId, ErrorCode } from '../../assembly/frame/types';

const OK: u32 = 0;
const PROTOCOL_ERROR: u32 = ErrorCode.PROTOCOL_ERROR;
const FLOW_CONTROL_ERROR: u32 = ErrorCode.FLOW_CONTROL_ERROR;
const AS_CLIENT = true; // the receiver of the SETTINGS frame is a client
const AS_SERVER = false;

const DEFINED: u32[] = [
  SettingId.HEADER_TABLE_SIZE, SettingId.ENABLE_PUSH, SettingId.MAX_CONCURRENT_STREAMS,
  SettingId.INITIAL_WINDOW_SIZE, SettingId.MAX_FRAME_SIZE, SettingId.MAX_HEADER_LIST_SIZE,
  SettingId.ENABLE_CONNECT_PROTOCOL, SettingId.NO_RFC7540_PRIORITIES,
];

// Mismatches are collected so one run reports every wrong verdict, not just the first.
let mismatches = '';

function verdict(code: u32): string {
  if (code == OK) return 'accepted';
  if (code == PROTOCOL_ERROR) return 'PROTOCOL_ERROR';
  if (code == FLOW_CONTROL_ERROR) return 'FLOW_CONTROL_ERROR';
  return 'error ' + code.toString();
}

function wantWith(current: Settings, id: u32, value: u32, receiverIsClient: bool, expected: u32, why: string): void {
  const got = settingError(id, value, receiverIsClient, current);
  if (got != expected) {
    mismatches += '\n      id 0x' + id.toString(16) + ' = ' + value.toString() + ' received by a '
      + (receiverIsClient ? 'client' : 'server') + ': got ' + verdict(got) + ', RFC wants '
      + verdict(expected) + ' (' + why + ')';
  }
}

/** The verdict for both receivers, with the initial values as the current settings. */
function want(id: u32, value: u32, expected: u32, why: string): void {
  const current = new Settings();
  wantWith(current, id, value, AS_CLIENT, expected, why);
  wantWith(current, id, value, AS_SERVER, expected, why);
}

function noMismatches(): void {
  const found = mismatches;
  mismatches = '';
  expect(found).toBe('', 'setting verdicts that differ from the RFC');
}

describe('RFC 9113 §6.5.2 initial values', () => {
  it('holds the initial value of every defined setting', () => {
    const s = new Settings();
    expect(s.get(SettingId.HEADER_TABLE_SIZE)).toBe(4096, '§6.5.2: "The initial value is 4,096 octets"');
    expect(s.get(SettingId.ENABLE_PUSH)).toBe(1, '§6.5.2: "The initial value of SETTINGS_ENABLE_PUSH is 1"');
    expect(s.get(SettingId.INITIAL_WINDOW_SIZE)).toBe(65535, '§6.5.2: "The initial value is 2^16-1 (65,535)"');
    expect(s.get(SettingId.MAX_FRAME_SIZE)).toBe(16384, '§6.5.2: "The initial value is 2^14 (16,384)"');
    expect(s.get(SettingId.ENABLE_CONNECT_PROTOCOL)).toBe(0, 'RFC 8441 §3: extended CONNECT is off until a peer sends 1');
    expect(s.get(SettingId.NO_RFC7540_PRIORITIES)).toBe(0, 'RFC 9218 §2.1: 0 until a peer sends 1');
  });
  it('has no limit on concurrent streams or header list size', () => {
    // §6.5.2: "Initially, there is no limit" / "The initial value of this setting is unlimited".
    // A u32 setting can only express "no limit" as a value no peer value can exceed.
    const s = new Settings();
    expect(s.get(SettingId.MAX_CONCURRENT_STREAMS)).toBe(u32.MAX_VALUE);
    expect(s.get(SettingId.MAX_HEADER_LIST_SIZE)).toBe(u32.MAX_VALUE);
  });
  it('the fields agree with get()', () => {
    const s = new Settings();
    expect(s.headerTableSize).toBe(4096);
    expect(s.enablePush).toBe(1);
    expect(s.initialWindowSize).toBe(65535);
    expect(s.maxFrameSize).toBe(16384);
    expect(s.enableConnectProtocol).toBe(0);
    expect(s.noRfc7540Priorities).toBe(0);
  });
});

describe('Settings get / set by identifier', () => {
  it('each defined setting is stored under its own id and no other', () => {
    for (let i = 0; i < DEFINED.length; i++) {
      const s = new Settings();
      const before = new Settings();
      const id = DEFINED[i];
      const value: u32 = 1000 + <u32>i; // a value no setting starts with
      s.set(id, value);
      expect(s.get(id)).toBe(value, 'id 0x' + id.toString(16) + ' reads back');
      for (let j = 0; j < DEFINED.length; j++) {
        if (j == i) continue;
        expect(s.get(DEFINED[j])).toBe(before.get(DEFINED[j]),
          'setting 0x' + id.toString(16) + ' left 0x' + DEFINED[j].toString(16) + ' alone');
      }
    }
  });
  it('the last value set wins (§6.5: "the value ... is the last value that is seen")', () => {
    const s = new Settings();
    s.set(SettingId.MAX_FRAME_SIZE, 20000);
    s.set(SettingId.MAX_FRAME_SIZE, 30000);
    expect(s.get(SettingId.MAX_FRAME_SIZE)).toBe(30000);
  });
  it('keeps the full 32-bit range of a value', () => {
    const s = new Settings();
    s.set(SettingId.HEADER_TABLE_SIZE, 0xffffffff);
    expect(s.get(SettingId.HEADER_TABLE_SIZE)).toBe(0xffffffff);
    s.set(SettingId.MAX_CONCURRENT_STREAMS, 0);
    expect(s.get(SettingId.MAX_CONCURRENT_STREAMS)).toBe(0);
  });
  it('ignores unknown identifiers (§6.5.2: "MUST ignore that setting")', () => {
    const unknown: u32[] = [0x0, 0x7, 0xa, 0xf, 0x10, 0x4242, 0xffff];
    for (let i = 0; i < unknown.length; i++) {
      const s = new Settings();
      const before = new Settings();
      s.set(unknown[i], 12345);
      for (let j = 0; j < DEFINED.length; j++) {
        expect(s.get(DEFINED[j])).toBe(before.get(DEFINED[j]),
          'unknown id 0x' + unknown[i].toString(16) + ' changed 0x' + DEFINED[j].toString(16));
      }
    }
  });
  it('copyFrom copies every setting', () => {
    const a = new Settings();
    for (let i = 0; i < DEFINED.length; i++) a.set(DEFINED[i], 77 + <u32>i);
    const b = new Settings();
    b.copyFrom(a);
    for (let i = 0; i < DEFINED.length; i++) expect(b.get(DEFINED[i])).toBe(77 + <u32>i);
  });
});

describe('RFC 9113 §6.5.2 received values', () => {
  it('SETTINGS_HEADER_TABLE_SIZE: any 32-bit value is acceptable', () => {
    want(SettingId.HEADER_TABLE_SIZE, 0, OK, '§6.5.2 defines no range; 0 disables the table');
    want(SettingId.HEADER_TABLE_SIZE, 4096, OK, 'the initial value');
    want(SettingId.HEADER_TABLE_SIZE, 0xffffffff, OK, '§6.5.2 defines no upper bound');
    noMismatches();
  });
  it('SETTINGS_ENABLE_PUSH: 0 or 1, and never 1 towards a client', () => {
    const current = new Settings();
    wantWith(current, SettingId.ENABLE_PUSH, 0, AS_SERVER, OK, 'a client may disable push');
    wantWith(current, SettingId.ENABLE_PUSH, 1, AS_SERVER, OK, 'a client may (re)state 1');
    wantWith(current, SettingId.ENABLE_PUSH, 2, AS_SERVER, PROTOCOL_ERROR, '"Any value other than 0 or 1 MUST be treated as a connection error of type PROTOCOL_ERROR"');
    wantWith(current, SettingId.ENABLE_PUSH, 0xffffffff, AS_SERVER, PROTOCOL_ERROR, 'other than 0 or 1');
    wantWith(current, SettingId.ENABLE_PUSH, 0, AS_CLIENT, OK, '"if a server does include a value, it MUST be 0"');
    wantWith(current, SettingId.ENABLE_PUSH, 1, AS_CLIENT, PROTOCOL_ERROR, '"A client MUST treat receipt of ... SETTINGS_ENABLE_PUSH set to 1 as a connection error of type PROTOCOL_ERROR"');
    wantWith(current, SettingId.ENABLE_PUSH, 2, AS_CLIENT, PROTOCOL_ERROR, 'other than 0 or 1');
    wantWith(current, SettingId.ENABLE_PUSH, 0x80000000, AS_CLIENT, PROTOCOL_ERROR, 'other than 0 or 1');
    noMismatches();
  });
  it('SETTINGS_MAX_CONCURRENT_STREAMS: any value, 0 included', () => {
    want(SettingId.MAX_CONCURRENT_STREAMS, 0, OK, '"A value of 0 ... SHOULD NOT be treated as special"');
    want(SettingId.MAX_CONCURRENT_STREAMS, 100, OK, 'the recommended minimum');
    want(SettingId.MAX_CONCURRENT_STREAMS, 0xffffffff, OK, 'no upper bound is defined');
    noMismatches();
  });
  it('SETTINGS_INITIAL_WINDOW_SIZE: at most 2^31−1, else FLOW_CONTROL_ERROR', () => {
    want(SettingId.INITIAL_WINDOW_SIZE, 0, OK, 'a zero window is legal (§6.9.2 allows shrinking)');
    want(SettingId.INITIAL_WINDOW_SIZE, 65535, OK, 'the initial value');
    want(SettingId.INITIAL_WINDOW_SIZE, 0x7ffffffe, OK, 'below the maximum');
    want(SettingId.INITIAL_WINDOW_SIZE, 0x7fffffff, OK, '2^31-1 is the maximum window, inclusive');
    want(SettingId.INITIAL_WINDOW_SIZE, 0x80000000, FLOW_CONTROL_ERROR, '"Values above the maximum flow-control window size of 2^31-1 MUST be treated as a connection error of type FLOW_CONTROL_ERROR"');
    want(SettingId.INITIAL_WINDOW_SIZE, 0x80000001, FLOW_CONTROL_ERROR, 'above 2^31-1');
    want(SettingId.INITIAL_WINDOW_SIZE, 0xffffffff, FLOW_CONTROL_ERROR, 'above 2^31-1 (and negative if read as i32)');
    noMismatches();
  });
  it('SETTINGS_MAX_FRAME_SIZE: within [2^14, 2^24−1], else PROTOCOL_ERROR', () => {
    want(SettingId.MAX_FRAME_SIZE, 0, PROTOCOL_ERROR, 'below 2^14');
    want(SettingId.MAX_FRAME_SIZE, 16383, PROTOCOL_ERROR, '"MUST be between this initial value and ... 2^24-1 ... Values outside this range MUST be treated as a connection error of type PROTOCOL_ERROR"');
    want(SettingId.MAX_FRAME_SIZE, 16384, OK, '2^14, inclusive');
    want(SettingId.MAX_FRAME_SIZE, 16385, OK, 'inside the range');
    want(SettingId.MAX_FRAME_SIZE, 1048576, OK, 'inside the range');
    want(SettingId.MAX_FRAME_SIZE, 16777215, OK, '2^24-1, inclusive');
    want(SettingId.MAX_FRAME_SIZE, 16777216, PROTOCOL_ERROR, 'above 2^24-1');
    want(SettingId.MAX_FRAME_SIZE, 0xffffffff, PROTOCOL_ERROR, 'above 2^24-1');
    noMismatches();
  });
  it('SETTINGS_MAX_HEADER_LIST_SIZE: advisory, any value', () => {
    want(SettingId.MAX_HEADER_LIST_SIZE, 0, OK, '"This advisory setting" has no defined range');
    want(SettingId.MAX_HEADER_LIST_SIZE, 0xffffffff, OK, 'no defined range');
    noMismatches();
  });
  it('unknown or unsupported identifiers are ignored, whatever their value', () => {
    const ids: u32[] = [0x0, 0x7, 0xa, 0x10, 0x4242, 0xffff];
    const values: u32[] = [0, 1, 2, 0x80000000, 0xffffffff];
    for (let i = 0; i < ids.length; i++) {
      for (let j = 0; j < values.length; j++) {
        want(ids[i], values[j], OK, '§6.5.2: "MUST ignore that setting"');
      }
    }
    noMismatches();
  });
});

describe('RFC 8441 §3 SETTINGS_ENABLE_CONNECT_PROTOCOL', () => {
  it('is 0 or 1', () => {
    want(SettingId.ENABLE_CONNECT_PROTOCOL, 0, OK, 'the initial value restated');
    want(SettingId.ENABLE_CONNECT_PROTOCOL, 1, OK, 'enables extended CONNECT');
    want(SettingId.ENABLE_CONNECT_PROTOCOL, 2, PROTOCOL_ERROR, '"The value of the parameter MUST be 0 or 1"');
    want(SettingId.ENABLE_CONNECT_PROTOCOL, 0xffffffff, PROTOCOL_ERROR, 'MUST be 0 or 1');
    noMismatches();
  });
  it('cannot go back from 1 to 0', () => {
    const enabled = new Settings();
    enabled.set(SettingId.ENABLE_CONNECT_PROTOCOL, 1);
    wantWith(enabled, SettingId.ENABLE_CONNECT_PROTOCOL, 0, AS_CLIENT, PROTOCOL_ERROR, '"A sender MUST NOT send ... the value of 0 after previously sending a value of 1"');
    wantWith(enabled, SettingId.ENABLE_CONNECT_PROTOCOL, 0, AS_SERVER, PROTOCOL_ERROR, 'same rule for either receiver');
    wantWith(enabled, SettingId.ENABLE_CONNECT_PROTOCOL, 1, AS_CLIENT, OK, 'restating 1 is fine');
    wantWith(enabled, SettingId.ENABLE_CONNECT_PROTOCOL, 2, AS_CLIENT, PROTOCOL_ERROR, 'only 0 and 1 have a meaning');
    noMismatches();
  });
  it('the previous value of other settings does not matter', () => {
    const changed = new Settings();
    changed.set(SettingId.ENABLE_PUSH, 0);
    changed.set(SettingId.MAX_FRAME_SIZE, 16777215);
    changed.set(SettingId.INITIAL_WINDOW_SIZE, 0);
    wantWith(changed, SettingId.ENABLE_CONNECT_PROTOCOL, 0, AS_CLIENT, OK, 'was never 1');
    wantWith(changed, SettingId.MAX_FRAME_SIZE, 16384, AS_CLIENT, OK, 'a smaller frame size is allowed');
    wantWith(changed, SettingId.INITIAL_WINDOW_SIZE, 0x80000000, AS_CLIENT, FLOW_CONTROL_ERROR, 'above 2^31-1');
    noMismatches();
  });
});

describe('RFC 9218 §2.1 SETTINGS_NO_RFC7540_PRIORITIES', () => {
  it('is 0 or 1, else PROTOCOL_ERROR', () => {
    want(SettingId.NO_RFC7540_PRIORITIES, 0, OK, 'the RFC 7540 scheme may be in use');
    want(SettingId.NO_RFC7540_PRIORITIES, 1, OK, 'the RFC 7540 scheme is not used');
    want(SettingId.NO_RFC7540_PRIORITIES, 2, PROTOCOL_ERROR, '"Any value other than 0 or 1 MUST be treated as a connection error of type PROTOCOL_ERROR"');
    want(SettingId.NO_RFC7540_PRIORITIES, 0xffffffff, PROTOCOL_ERROR, 'other than 0 or 1');
    noMismatches();
  });
});
