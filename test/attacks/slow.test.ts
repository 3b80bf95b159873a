// Slow peers: a client that stops reading large responses it asked for (open HTTP/2 windows, a
// closed TCP window), 1-byte WINDOW_UPDATE and 1-byte DATA dribbles, and slowloris on the
// handshake (preface and SETTINGS timeouts: the server script sets them short).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CLIENT_PREFACE, ErrorCode, FrameType, SettingId, dataFrame, headersFrame, settingsFrame, windowUpdateFrame } from '../helpers/frames.ts';
import { sleep } from '../interop/helpers/util.ts';
import { Attacker, answered, attack, get, post, repeat } from './harness.ts';

const test = suite('attacks: slow peers');
const received = (a: Attacker) => a.ofType(FrameType.DATA).reduce((n, f) => n + f.length, 0);

test('slow reading: 50 large responses with open windows, then the client stops reading', attack('slow reading (50 x 8 MiB, not read)', async ({ s, port }) => {
  const a = await Attacker.open(s, port, { settings: [[SettingId.INITIAL_WINDOW_SIZE, 0x7fffffff]] });
  a.write(windowUpdateFrame(0, 0x7fffffff - 65535));
  a.socket.pause();
  a.write(repeat(50, (i) => headersFrame(1 + 2 * i, get(`/gen/${8 * 1024 * 1024}`), { endStream: true })));
  await sleep(3000);
  assert.not.ok(a.closed, 'a slow reader is not an error by itself');
  a.socket.resume();
  await sleep(300);
  return { note: `${(received(a) / 1e6).toFixed(1)} MB delivered of 419 MB asked` };
}));

test('1-byte WINDOW_UPDATE dribble on a 1-octet initial window', attack('1-byte WINDOW_UPDATE dribble', async ({ s, port }) => {
  const a = await Attacker.open(s, port, { settings: [[SettingId.INITIAL_WINDOW_SIZE, 1]] });
  a.write(headersFrame(1, get('/big/1000000'), { endStream: true }));
  const r = await a.flood(repeat(200, () => windowUpdateFrame(1, 1)), 2000, () => a.closed);
  await sleep(200);
  const frames = a.ofType(FrameType.DATA).filter((f) => f.streamId === 1);
  const sent = frames.reduce((n, f) => n + f.length, 0);
  assert.ok(sent <= 1 + r.writes * 200, `no DATA beyond the windows granted (${sent})`);
  return { note: `${r.writes * 200} updates, ${frames.length} DATA frames back${a.goaway ? `, GOAWAY ${a.goaway.code}` : ''}` };
}));

// Each read's DATA frames for one stream become one event and one copy: 1-octet frames would
// otherwise cost an ArrayBuffer and a Buffer each (about +50 MiB of RSS under this flood).
test('1-byte DATA dribble on an upload', attack('1-byte DATA dribble (upload)', async ({ s, port }) => {
  const a = await Attacker.open(s, port);
  a.write(headersFrame(1, post('/upload'), { endStream: false }));
  const r = await a.flood(repeat(500, () => dataFrame(1, 'x')), 2000, () => a.closed);
  a.write(dataFrame(1, 'x', { endStream: true }));
  await answered(a, [1]);
  if (a.goaway) return { note: `GOAWAY ${a.goaway.code}` };
  assert.is(a.answer(1), 'status 200');
  return { note: `${r.writes * 500 + 1} one-octet DATA frames taken` };
}));

const TIMEOUTS = { prefaceTimeout: 1000, settingsTimeout: 1500 };

async function closedAfter(a: Attacker, ms: number): Promise<number> {
  await a.until(() => a.closed, ms, 'the server to close the connection');
  return Math.round(a.closedAt - a.startedAt);
}

test('slowloris: no preface, a preface one octet at a time, the magic without SETTINGS', attack('slow preface / slowloris', async ({ s, port }) => {
  const silent = await Attacker.open(s, port, { preface: false });
  const dribble = await Attacker.open(s, port, { preface: false });
  const magicOnly = await Attacker.open(s, port, { preface: false });
  magicOnly.write(CLIENT_PREFACE);
  let i = 0;
  const timer = setInterval(() => { if (i < CLIENT_PREFACE.length) dribble.write(CLIENT_PREFACE.subarray(i, ++i)); }, 100);
  s.defer(() => clearInterval(timer));
  const times = await Promise.all([silent, dribble, magicOnly].map((a) => closedAfter(a, 5000)));
  for (const t of times) assert.ok(t >= 900 && t < 5000, `closed after the 1 s preface timeout (${t} ms)`);
  return { note: `closed after ${times.join(' / ')} ms` };
}, { server: TIMEOUTS }));

test('a client that never acknowledges our SETTINGS: GOAWAY SETTINGS_TIMEOUT', attack('SETTINGS never acknowledged', async ({ s, port }) => {
  const a = await Attacker.open(s, port, { ack: false });
  const closeMs = await a.expectGoaway(ErrorCode.SETTINGS_TIMEOUT);
  assert.ok(closeMs >= 1400, `not before the timeout (${closeMs} ms)`);
  return { closeMs };
}, { server: TIMEOUTS }));

test('the handshake timeouts spare a client that completed it', attack('handshake timeouts: no false positive', async ({ s, port }) => {
  const a = await Attacker.open(s, port);
  await sleep(2500);
  a.write(headersFrame(1, get('/late'), { endStream: true }));
  await answered(a, [1]);
  assert.is(a.answer(1), 'status 200');
  assert.not.ok(a.goaway);
}, { server: TIMEOUTS }));

test.run();
