// The numbers the bindings export are the RFCs' (RFC 9113 §6, §6.5.2, §7; RFC 8441 §3; RFC 9218
// §2.1, §7.1; RFC 7838 §4; RFC 8336 §2), and the hand-written frame builders of the protocol
// tests lay frames out as RFC 9113 §4.1 and §6 draw them.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as core from '../../bindings/core/index.ts';
import {
  CLIENT_PREFACE, ErrorCode, Flag, FrameReader, FrameType, SettingId, dataFrame, goawayFields, goawayFrame, headersFields,
  headersFrame, latin1, parseFrames, pingFrame, priorityFrame, pushPromiseFields, pushPromiseFrame, rstCode, rstStreamFrame,
  settingsEntries, settingsFrame, windowIncrement, windowUpdateFrame,
} from '../helpers/frames.ts';

const test = suite('RFC numbers and frame layouts');

test('§7 the exported ErrorCode values are the RFC\'s', () => {
  assert.equal({ ...core.ErrorCode }, { ...ErrorCode });
});

test('§6 the exported FrameType values are the RFCs\'', () => {
  assert.equal({ ...core.FrameType }, { ...FrameType });
});

test('§6 the exported Flag values are the RFC\'s', () => {
  assert.equal({ ...core.Flag }, { ...Flag });
});

test('§6.5.2 the exported SettingId values are the RFCs\'', () => {
  assert.equal({ ...core.SettingId }, { ...SettingId });
});

test('§3.4 the client preface is "PRI * HTTP/2.0\\r\\n\\r\\nSM\\r\\n\\r\\n"', () => {
  assert.equal(Array.from(CLIENT_PREFACE), Array.from(latin1('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n')));
});

test('§4.1 the frame header: 24-bit length, type, flags, reserved bit and 31-bit stream id', () => {
  const f = dataFrame(0x01020304 & 0x7fffffff, 'abc', { endStream: true, reserved: true });
  assert.equal(Array.from(f.subarray(0, 9)), [0, 0, 3, 0x00, 0x01, 0x81, 0x02, 0x03, 0x04]);
  const [p] = parseFrames(f);
  assert.equal([p.type, p.flags, p.streamId, p.reserved, p.length], [0, 1, 0x01020304, true, 3]);
});

test('§6.1/§6.2 padding: Pad Length first, zero octets last', () => {
  const f = dataFrame(1, 'xy', { padLength: 3 });
  assert.equal(Array.from(f.subarray(9)), [3, 0x78, 0x79, 0, 0, 0]);
  assert.is(f[4], Flag.PADDED);
  const h = parseFrames(headersFrame(3, [0x82], { padLength: 1, priority: { exclusive: true, dependency: 1, weight: 200 }, endStream: true }))[0];
  assert.is(h.flags, Flag.PADDED | Flag.PRIORITY | Flag.END_HEADERS | Flag.END_STREAM);
  assert.equal(Array.from(h.payload), [1, 0x80, 0, 0, 1, 200, 0x82, 0]);
  const v = headersFields(h);
  assert.equal(Array.from(v.fragment), [0x82]);
  assert.equal(v.priority, { exclusive: true, dependency: 1, weight: 200 });
});

test('§6.3–§6.9 fixed layouts: PRIORITY, RST_STREAM, SETTINGS, PING, GOAWAY, WINDOW_UPDATE, PUSH_PROMISE', () => {
  assert.equal(Array.from(priorityFrame(1, { dependency: 3, weight: 9 }).subarray(9)), [0, 0, 0, 3, 9]);
  assert.is(rstCode(parseFrames(rstStreamFrame(1, 0x0b))[0]), 0x0b);
  const s = settingsFrame([[SettingId.MAX_FRAME_SIZE, 16384], [0xabcd, 0xffffffff]]);
  assert.equal(Array.from(s.subarray(9)), [0, 5, 0, 0, 0x40, 0, 0xab, 0xcd, 0xff, 0xff, 0xff, 0xff]);
  assert.equal(settingsEntries(parseFrames(s)[0]), [[5, 16384], [0xabcd, 0xffffffff]]);
  assert.equal(Array.from(settingsFrame([], { ack: true })), [0, 0, 0, 4, 1, 0, 0, 0, 0]);
  assert.is(pingFrame(new Uint8Array(8), { ack: true })[4], 1);
  const g = goawayFields(parseFrames(goawayFrame(7, 2, 'dbg'))[0]);
  assert.equal([g.lastStreamId, g.code, Array.from(g.debugData)], [7, 2, [0x64, 0x62, 0x67]]);
  assert.is(windowIncrement(parseFrames(windowUpdateFrame(0, 5, { reservedIncrementBit: true }))[0]), 5);
  const pp = pushPromiseFields(parseFrames(pushPromiseFrame(1, 2, [0x82], { padLength: 2 }))[0]);
  assert.equal([pp.promisedStreamId, Array.from(pp.fragment), pp.padLength], [2, [0x82], 2]);
});

test('FrameReader: any split of the byte stream gives the same frames; the preface is checked', () => {
  const bytes = new Uint8Array([...CLIENT_PREFACE, ...settingsFrame([[1, 2]]), ...pingFrame(new Uint8Array(8)), ...dataFrame(1, 'hello')]);
  const whole = new FrameReader({ preface: true }).push(bytes);
  const r = new FrameReader({ preface: true });
  const split = [];
  for (let i = 0; i < bytes.length; i++) split.push(...r.push(bytes.subarray(i, i + 1)));
  assert.is(whole.length, 3);
  assert.equal(split, whole);
  assert.throws(() => new FrameReader({ preface: true }).push(latin1('GET / HTTP/1.1\r\n')));
});

test.run();
