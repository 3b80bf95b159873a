// DESIGN.md limits: the preface and the first SETTINGS (10 s / 10 s); past them the connection is
// closed. The sans-IO core keeps no time, so these live in the driver (`connectSession`,
// bindings/transport): `prefaceTimeout` closes a connection whose peer sent no preface (its
// SETTINGS), `settingsTimeout` sends GOAWAY SETTINGS_TIMEOUT when our SETTINGS goes
// unacknowledged (RFC 9113 §6.5.3). Short timeouts keep the tests fast; the checks only rely on
// "this much time has passed at least" and on generous upper bounds.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connectSession, createMemoryPair, type MemoryTransport } from '../../bindings/transport/index.ts';
import {
  CLIENT_PREFACE, ErrorCode, FrameReader, FrameType, concat, goawayFields, settingsAckFrame, settingsFrame, type Frame,
} from '../helpers/frames.ts';
import { destroySessions, newSession } from '../helpers/peer.ts';

const test = suite('limit: preface and first SETTINGS timeouts');
test.after.each(destroySessions);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The far end of a memory pair: collects frames, notes when (and whether) it was closed. */
function farEnd(t: MemoryTransport, preface: boolean) {
  const reader = new FrameReader({ preface });
  const state = { frames: [] as Frame[], closedAt: -1 };
  t.on('data', (chunk) => state.frames.push(...reader.push(chunk)));
  t.on('close', () => { state.closedAt = performance.now(); });
  return state;
}

async function closedWithin(state: { closedAt: number }, ms: number): Promise<boolean> {
  const until = performance.now() + ms;
  while (state.closedAt < 0 && performance.now() < until) await sleep(10);
  return state.closedAt >= 0;
}

test('server: no preface within prefaceTimeout (50 ms): the connection is closed', async () => {
  const server = newSession({ role: 'server' });
  const [near, far] = createMemoryPair();
  const peer = farEnd(far, false);
  const start = performance.now();
  connectSession(server, near, () => {}, { prefaceTimeout: 50, settingsTimeout: 60_000 });
  assert.ok(await closedWithin(peer, 3000), 'closed');
  assert.ok(peer.closedAt - start >= 45, `not before the timeout (${Math.round(peer.closedAt - start)} ms)`);
});

test('server: the magic alone is not a preface (no SETTINGS): closed too', async () => {
  const server = newSession({ role: 'server' });
  const [near, far] = createMemoryPair();
  const peer = farEnd(far, false);
  connectSession(server, near, () => {}, { prefaceTimeout: 50, settingsTimeout: 60_000 });
  far.write(CLIENT_PREFACE);
  assert.ok(await closedWithin(peer, 3000), 'closed');
});

test('server: a client whose preface arrives in time is not cut off', async () => {
  const server = newSession({ role: 'server' });
  const [near, far] = createMemoryPair();
  const peer = farEnd(far, false);
  connectSession(server, near, () => {}, { prefaceTimeout: 50, settingsTimeout: 50 });
  far.write(concat(CLIENT_PREFACE, settingsFrame([]), settingsAckFrame()));
  await sleep(250); // five times both timeouts
  assert.is(peer.closedAt, -1, 'still open');
  assert.not.ok(peer.frames.some((f) => f.type === FrameType.GOAWAY));
  far.close();
});

test('server: our SETTINGS unacknowledged within settingsTimeout (50 ms): GOAWAY SETTINGS_TIMEOUT, then close', async () => {
  const server = newSession({ role: 'server' });
  const [near, far] = createMemoryPair();
  const peer = farEnd(far, false);
  connectSession(server, near, () => {}, { prefaceTimeout: 60_000, settingsTimeout: 50 });
  far.write(concat(CLIENT_PREFACE, settingsFrame([]))); // and never an ACK
  assert.ok(await closedWithin(peer, 3000), 'closed');
  const g = peer.frames.find((f) => f.type === FrameType.GOAWAY);
  assert.ok(g, 'a GOAWAY came first');
  assert.is(goawayFields(g!).code, ErrorCode.SETTINGS_TIMEOUT);
});

test('client: a server that never sends its SETTINGS is cut off', async () => {
  const client = newSession({ role: 'client' });
  const [near, far] = createMemoryPair();
  const peer = farEnd(far, true);
  connectSession(client, near, () => {}, { prefaceTimeout: 50, settingsTimeout: 60_000 });
  assert.ok(await closedWithin(peer, 3000), 'closed');
  assert.ok(peer.frames.length >= 1 && peer.frames[0].type === FrameType.SETTINGS, 'the client did send its preface');
});

test('defaults (10 s): a peer that takes 200 ms for its preface is fine', async () => {
  const server = newSession({ role: 'server' });
  const [near, far] = createMemoryPair();
  const peer = farEnd(far, false);
  connectSession(server, near, () => {});
  await sleep(200);
  far.write(concat(CLIENT_PREFACE, settingsFrame([]), settingsAckFrame()));
  await sleep(50);
  assert.is(peer.closedAt, -1, 'still open');
  far.close(); // clears the timers
});

test.run();
