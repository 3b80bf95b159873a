// streams.ts (any WHATWG { readable, writable } pair) and memory.ts in Node, over TransformStream
// pairs; connectSession's part of backpressure (it stops pulling while the transport is full).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Session } from '../../bindings/core/index.ts';
import { connectSession, createMemoryPair, createStreamsPair, fromStreams } from '../../bindings/transport/index.ts';
import type { Transport } from '../../bindings/transport/types.ts';
import { KiB, MiB, chunkAt, sleep } from './lib/bytes.ts';
import { closeBoth, h2Exchange, watch } from './lib/h2.ts';
import { pump } from './lib/pump.ts';
import { scoped } from './lib/node-util.ts';

const test = suite('transport: WHATWG streams and memory');

test('TransformStream pair: 64 MiB to a slow reader: the writer waits, its queue stays bounded, intact', scoped(async (s) => {
  const [a, b] = createStreamsPair();
  s.defer(() => closeBoth(a, b));
  const chunk = 64 * KiB;
  const r = await pump(a, b, { total: 64 * MiB, chunk, pauseEvery: 4 * MiB, pauseMs: 40 });
  assert.is(r.receivedHash, r.sentHash);
  assert.ok(r.pauses >= 15 && r.waits > 0, `paused ${r.pauses}, waited ${r.waits}`);
  assert.ok(r.maxQueued <= a.highWaterMark + chunk, `queued ${r.maxQueued}`);
}));

test('TransformStream pair: a paused reader stops the writer cold (nothing is taken while paused)', scoped(async (s) => {
  const [a, b] = createStreamsPair({ highWaterMark: 256 * KiB });
  s.defer(() => closeBoth(a, b));
  let got = 0;
  b.on('data', (c) => { got += c.length; });
  b.pause();
  let i = 0;
  const fill = () => { while (a.write(chunkAt(i++, 16 * KiB))) if (i > 1000) break; };
  fill();
  await sleep(50);
  fill(); // the stream machinery took a chunk or two meanwhile: top up to the mark again
  await sleep(50);
  assert.ok(i < 1000, 'write() said false');
  const held = a.bufferedAmount;
  assert.ok(held >= 256 * KiB && held <= 256 * KiB + 16 * KiB, `held ${held}`);
  assert.is(got, 0, 'the paused reader got nothing');
  let drained = false;
  a.on('drain', () => { drained = true; });
  await sleep(20);
  assert.not.ok(drained, "no 'drain' while the reader is paused");
  b.resume();
  await sleep(50);
  assert.ok(drained, "'drain' once the reader resumed");
  assert.is(got, i * 16 * KiB);
}));

test('memory pair: 64 MiB to a slow reader, bounded by its high-water mark, intact', scoped(async (s) => {
  const [a, b] = createMemoryPair(256 * KiB);
  s.defer(() => closeBoth(a, b));
  const r = await pump(a, b, { total: 64 * MiB, chunk: 64 * KiB, pauseEvery: 4 * MiB, pauseMs: 20 });
  assert.is(r.receivedHash, r.sentHash);
  assert.ok(r.waits > 0 && r.maxQueued <= 256 * KiB + 64 * KiB, `waited ${r.waits}, queued ${r.maxQueued}`);
}));

test('HTTP/2 over a TransformStream pair: 4 MiB echo, slow client; both ends had to wait for drain', scoped(async (s) => {
  const [a, b] = createStreamsPair();
  s.defer(() => closeBoth(a, b));
  const r = await h2Exchange(a, b, { body: 4 * MiB, slowMs: 3 });
  assert.is(r.status, '200');
  assert.is(r.serverHash, r.sentHash);
  assert.is(r.echoHash, r.sentHash);
  assert.ok(r.maxServerHeld <= r.serverWindow, `held ${r.maxServerHeld}`);
  assert.ok(r.clientFull > 0 && r.serverFull > 0, `write() said false: ${r.clientFull} / ${r.serverFull}`);
  // connectSession stops pulling once told "full": at most one more pulled batch (a window) on top.
  const bound = a.highWaterMark + 64 * KiB + 1024;
  assert.ok(r.maxClientQueued <= bound && r.maxServerQueued <= bound, `queued ${r.maxClientQueued} / ${r.maxServerQueued} > ${bound}`);
}));

test("connectSession writes nothing more after write() → false until 'drain'", scoped(async (s) => {
  const [near, far] = createMemoryPair(1); // every write fills it
  s.defer(() => closeBoth(near, far));
  far.pause(); // nothing is read: no 'drain' until resumed
  const w = watch(near);
  let writes = 0;
  const counting: Transport = { ...w.transport, write: (c) => { writes++; return w.transport.write(c); }, on: w.transport.on, close: w.transport.close, get closed() { return near.closed; } };
  const client = new Session({ role: 'client' });
  s.defer(() => client.destroy());
  const flush = connectSession(client, counting, () => {});
  client.request([[':method', 'GET'], [':path', '/'], [':scheme', 'http'], [':authority', 'x']]);
  flush();
  await sleep(20);
  // One pulled batch went out (preface, SETTINGS, HEADERS…), then nothing while full.
  const before = writes;
  assert.ok(before > 0, 'the first batch was written');
  client.ping();
  flush();
  await sleep(20);
  assert.is(writes, before, 'no writes while the transport is full');
  far.resume(); // the far end reads: 'drain' on the near end
  await sleep(20);
  assert.ok(writes > before, "the PING went out after 'drain'");
}));

test('fromStreams: a readable that ends closes the transport cleanly; a failing writable closes it with the error', scoped(async () => {
  const ended = fromStreams({ readable: new ReadableStream({ start(c) { c.enqueue(new Uint8Array([1, 2])); c.close(); } }), writable: new WritableStream() });
  const got: number[] = [];
  const closed = new Promise<Error | undefined>((r) => ended.on('close', r));
  ended.on('data', (c) => got.push(...c));
  assert.is(await closed, undefined);
  assert.equal(got, [1, 2]);
  assert.ok(ended.closed);

  const failing = fromStreams({ readable: new ReadableStream(), writable: new WritableStream({ write() { throw new Error('sink broke'); } }) });
  const failed = new Promise<Error | undefined>((r) => failing.on('close', r));
  failing.write(new Uint8Array(1));
  assert.is((await failed)?.message, 'sink broke');
  assert.not.ok(failing.write(new Uint8Array(1)), 'no writes after close');
}));

test('fromStreams takes ArrayBuffer chunks (WebTransport / Direct Sockets style sources) as bytes', scoped(async () => {
  const t = fromStreams({
    readable: new ReadableStream<ArrayBuffer>({ start(c) { c.enqueue(new Uint8Array([7, 8, 9]).buffer); c.close(); } }),
    writable: new WritableStream(),
  });
  const got: number[] = [];
  const closed = new Promise((r) => t.on('close', r));
  t.on('data', (c) => { assert.instance(c, Uint8Array); got.push(...c); });
  await closed;
  assert.equal(got, [7, 8, 9]);
}));

test.run();
