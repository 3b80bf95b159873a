// Control-frame floods: PING and SETTINGS from a peer that does not read, SETTINGS with
// thousands of entries, PRIORITY / PRIORITY_UPDATE and WINDOW_UPDATE floods, empty frames.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  ErrorCode, FrameType, SettingId, concat, dataFrame, headersFrame, pingFrame, priorityFrame, priorityUpdateFrame, settingsFrame, windowUpdateFrame,
} from '../helpers/frames.ts';
import { Attacker, answered, attack, get, post, repeat, stillServes, unreadFlood } from './harness.ts';

const test = suite('attacks: control frames');
test('ping flood in one burst: GOAWAY ENHANCE_YOUR_CALM', attack('ping flood, burst', async ({ s, port }) => {
  const a = await Attacker.open(s, port);
  a.write(repeat(3000, () => pingFrame()));
  return { closeMs: await a.expectGoaway(ErrorCode.ENHANCE_YOUR_CALM) };
}));

test('ping flood from a peer that does not read', attack('ping flood, not reading', async ({ s, port }) => {
  const a = await Attacker.open(s, port);
  return unreadFlood(a, repeat(50, () => pingFrame()));
}));

test('settings flood from a peer that does not read', attack('settings flood, not reading', async ({ s, port }) => {
  const a = await Attacker.open(s, port);
  return unreadFlood(a, repeat(50, () => settingsFrame([[4, 65535]])));
}));

test('paced ping flood (under the per-read ACK limit) from a peer that does not read', attack('ping flood, paced, not reading', async ({ s, port }) => {
  const a = await Attacker.open(s, port);
  return unreadFlood(a, repeat(400, () => pingFrame()), 1);
}));

test('SETTINGS with 2000 entries: GOAWAY ENHANCE_YOUR_CALM', attack('SETTINGS with 2000 entries', async ({ s, port }) => {
  const a = await Attacker.open(s, port);
  a.write(settingsFrame(Array.from({ length: 2000 }, (_, i) => [SettingId.INITIAL_WINDOW_SIZE, 65535 + (i & 1)])));
  return { closeMs: await a.expectGoaway(ErrorCode.ENHANCE_YOUR_CALM) };
}));

test('SETTINGS larger than the frame size: GOAWAY FRAME_SIZE_ERROR', attack('SETTINGS of 30000 octets', async ({ s, port }) => {
  const a = await Attacker.open(s, port);
  a.write(settingsFrame(Array.from({ length: 5000 }, () => [SettingId.ENABLE_PUSH, 0])));
  return { closeMs: await a.expectGoaway(ErrorCode.FRAME_SIZE_ERROR) };
}));

test('PRIORITY flood on streams that do not exist: GOAWAY ENHANCE_YOUR_CALM', attack('PRIORITY flood (idle streams)', async ({ s, port }) => {
  const a = await Attacker.open(s, port);
  let id = 1;
  const flood = a.flood(() => repeat(500, () => priorityFrame((id += 2), { dependency: 0, weight: 15 })), 5000, () => a.goaway !== undefined);
  const closeMs = await a.expectGoaway(ErrorCode.ENHANCE_YOUR_CALM);
  await flood;
  return { closeMs };
}));

/**
 * After a flood alongside the open upload on stream 1: either the server called it abuse
 * (GOAWAY ENHANCE_YOUR_CALM), or it kept up and the upload still completes with 200.
 */
async function calmOrUsable(a: Attacker, bytes: number, detail: string): Promise<{ note: string }> {
  const mb = (bytes / 1e6).toFixed(1);
  if (a.goaway) {
    assert.is(a.goaway.code, ErrorCode.ENHANCE_YOUR_CALM);
    return { note: `GOAWAY ENHANCE_YOUR_CALM after ${mb} MB` };
  }
  a.write(dataFrame(1, 'x', { endStream: true }));
  await answered(a, [1]);
  assert.is(a.answer(1), 'status 200');
  return { note: `kept up with ${mb} MB (${detail})` };
}

test('PRIORITY_UPDATE flood: the server keeps up or calls it a glitch', attack('PRIORITY_UPDATE flood', async ({ s, port }) => {
  const a = await Attacker.open(s, port);
  a.write(headersFrame(1, post('/upload'), { endStream: false }));
  let id = 1;
  // Updates for the open stream and for ever-new idle ones (RFC 9218 §7.1 lets them arrive early).
  const r = await a.flood(() => repeat(500, (i) => priorityUpdateFrame(i & 1 ? 1 : (id += 2), 'u=1, i')), 3000, () => a.goaway !== undefined);
  return calmOrUsable(a, r.bytes, 'connection usable');
}));

test('WINDOW_UPDATE flood (increment 1): memory flat, the connection still usable', attack('WINDOW_UPDATE flood', async ({ s, port }) => {
  const a = await Attacker.open(s, port);
  a.write(headersFrame(1, post('/upload'), { endStream: false }));
  const r = await a.flood(repeat(1000, (i) => windowUpdateFrame(i & 1, 1)), 3000, () => a.goaway !== undefined);
  return calmOrUsable(a, r.bytes, `${r.writes * 1000} frames`);
}));

test('zero WINDOW_UPDATE flood on the connection: GOAWAY PROTOCOL_ERROR', attack('WINDOW_UPDATE 0 on the connection', async ({ s, port }) => {
  const a = await Attacker.open(s, port);
  a.write(repeat(1000, () => windowUpdateFrame(0, 0)));
  return { closeMs: await a.expectGoaway(ErrorCode.PROTOCOL_ERROR) };
}));

test('empty DATA frames flood: GOAWAY ENHANCE_YOUR_CALM', attack('empty DATA flood', async ({ s, port }) => {
  const a = await Attacker.open(s, port);
  a.write(headersFrame(1, post('/upload'), { endStream: false }));
  const flood = a.flood(repeat(500, () => dataFrame(1)), 5000, () => a.goaway !== undefined);
  const closeMs = await a.expectGoaway(ErrorCode.ENHANCE_YOUR_CALM);
  await flood;
  return { closeMs };
}));

test('empty HEADERS flood: each malformed, then GOAWAY ENHANCE_YOUR_CALM', attack('empty HEADERS flood', async ({ s, port }) => {
  const a = await Attacker.open(s, port);
  let id = -1;
  const flood = a.flood(() => repeat(200, () => headersFrame((id += 2), new Uint8Array(0), { endStream: true })), 5000, () => a.goaway !== undefined);
  const closeMs = await a.expectGoaway(ErrorCode.ENHANCE_YOUR_CALM);
  await flood;
  return { closeMs };
}));

// ---------------------------------------------------------------- flow-control overflow

test('WINDOW_UPDATE past 2^31-1 on the connection: GOAWAY FLOW_CONTROL_ERROR', attack('flow overflow: connection window', async ({ s, port }) => {
  const a = await Attacker.open(s, port);
  a.write(concat(windowUpdateFrame(0, 0x7fffffff - 65535), windowUpdateFrame(0, 1)));
  return { closeMs: await a.expectGoaway(ErrorCode.FLOW_CONTROL_ERROR) };
}));

test('WINDOW_UPDATE past 2^31-1 on a stream: RST_STREAM FLOW_CONTROL_ERROR, the connection lives', attack('flow overflow: stream window', async ({ s, port }) => {
  const a = await Attacker.open(s, port);
  a.write(concat(headersFrame(1, post('/upload'), { endStream: false }), windowUpdateFrame(1, 0x7fffffff - 65535), windowUpdateFrame(1, 1)));
  await a.until(() => a.resets().has(1) || a.closed, 3000, 'RST_STREAM on stream 1');
  assert.is(a.resets().get(1), ErrorCode.FLOW_CONTROL_ERROR);
  await stillServes(a, 3);
}));

test('SETTINGS_INITIAL_WINDOW_SIZE above 2^31-1: GOAWAY FLOW_CONTROL_ERROR', attack('flow overflow: INITIAL_WINDOW_SIZE too large', async ({ s, port }) => {
  const a = await Attacker.open(s, port);
  a.write(settingsFrame([[SettingId.INITIAL_WINDOW_SIZE, 0x80000000]]));
  return { closeMs: await a.expectGoaway(ErrorCode.FLOW_CONTROL_ERROR) };
}));

test('INITIAL_WINDOW_SIZE raised so an open stream window passes 2^31-1: GOAWAY FLOW_CONTROL_ERROR', attack('flow overflow: INITIAL_WINDOW_SIZE pushes a stream over', async ({ s, port }) => {
  const a = await Attacker.open(s, port);
  // Stream 1's send window: 65535 + (2^31-1 - 65535) = 2^31-1; then +1 from the new initial size.
  a.write(concat(headersFrame(1, post('/upload'), { endStream: false }), windowUpdateFrame(1, 0x7fffffff - 65535),
    settingsFrame([[SettingId.INITIAL_WINDOW_SIZE, 65536]])));
  return { closeMs: await a.expectGoaway(ErrorCode.FLOW_CONTROL_ERROR) };
}));

test('INITIAL_WINDOW_SIZE lowered to 0 mid-response (window negative), then restored: the body completes', attack('flow: negative window then restored', async ({ s, port }) => {
  const a = await Attacker.open(s, port);
  a.write(headersFrame(1, get('/big/200000'), { endStream: true }));
  await a.until(() => a.ofType(FrameType.DATA).length > 0, 3000, 'the first DATA');
  a.write(settingsFrame([[SettingId.INITIAL_WINDOW_SIZE, 0]]));
  await new Promise((r) => setTimeout(r, 200));
  const during = a.ofType(FrameType.DATA).reduce((n, f) => n + f.length, 0);
  assert.ok(during <= 65535, `no more than the first window went out (${during})`);
  a.write(concat(settingsFrame([[SettingId.INITIAL_WINDOW_SIZE, 1 << 20]]), windowUpdateFrame(0, 1 << 20)));
  await a.until(() => a.ofType(FrameType.DATA).reduce((n, f) => n + f.length, 0) >= 200000 || a.closed, 3000, 'the whole body');
  assert.not.ok(a.goaway);
}));

test.run();
