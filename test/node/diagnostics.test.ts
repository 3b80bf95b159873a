// What the node:http2 layer reports about itself, as Node does: NODE_DEBUG=http2 lines, and
// PerformanceObserver entries of type 'http2' for sessions and streams.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PerformanceObserver } from 'node:perf_hooks';
import http2 from 'node:http2';
import ours from '../../bindings/node/index.ts';
import { scoped, listen, sleep } from '../interop/helpers/util.ts';
import type net from 'node:net';

const FIXTURE = fileURLToPath(new URL('./fixtures/debug-exchange.ts', import.meta.url));

function debugLines(impl: 'node' | 'h2wasm', env: Record<string, string>): { lines: Set<string>; stderr: string } {
  const { FORCE_COLOR: _color, ...parent } = process.env; // the runner forces colours; debuglog would colour the pid
  const r = spawnSync(process.execPath, ['--import', 'tsx', FIXTURE, impl], { env: { ...parent, NO_COLOR: '1', ...env }, encoding: 'utf8', timeout: 30_000 });
  assert.is(r.status, 0, r.stderr);
  const lines = new Set(r.stderr.split('\n').filter((l) => l.startsWith('HTTP2 ')).map((l) => l.replace(/^HTTP2 \d+: /, '')));
  return { lines, stderr: r.stderr };
}

test('NODE_DEBUG=http2: the session and stream lines Node prints for an exchange, in Node\'s words', () => {
  const node = debugLines('node', { NODE_DEBUG: 'http2' });
  const mine = debugLines('h2wasm', { NODE_DEBUG: 'http2' });
  const expected = [
    'Http2Session server: received a connection', 'Http2Session server: setting up session handle', 'Http2Session client: created', 'Http2Session client: initiating request',
    'Http2Stream 1 [Http2Session server]: headers received', 'Http2Stream 1 [Http2Session server]: initiating response',
    'Http2Stream 1 [Http2Session client]: headers received', 'Http2Stream 1 [Http2Session server]: shutting down writable on _final',
    'Http2Stream 1 [Http2Session client]: destroying stream', 'Http2Stream 1 [Http2Session server]: destroying stream',
    'Http2Session client: submitting settings', 'Http2Session client: marking session closed',
    'Http2Session client: destroying', 'Http2Session server: destroying',
  ];
  for (const line of expected) {
    assert.ok(node.lines.has(line), `node:http2 prints "${line}" (so the expectation is Node's)\n${node.stderr}`);
    assert.ok(mine.lines.has(line), `h2wasm prints "${line}"\n${mine.stderr}`);
  }
  assert.match(mine.stderr, /NODE_DEBUG environment variable to 'http2' can expose sensitive data/);
});

test('without NODE_DEBUG nothing is printed', () => {
  const { stderr } = debugLines('h2wasm', { NODE_DEBUG: '' });
  assert.is(stderr, '');
});

test('PerformanceObserver: an Http2Session entry per session and an Http2Stream entry per stream, with Node\'s fields', scoped(async (s) => {
  const entries: any[] = [];
  const obs = new PerformanceObserver((list) => entries.push(...list.getEntries()));
  obs.observe({ entryTypes: ['http2'] });
  s.defer(() => obs.disconnect());
  const body = 'x'.repeat(5000);
  const server = ours.createServer();
  server.on('stream', (stream) => { stream.respond({ ':status': 200 }); stream.end(body); });
  const port = await listen(s, server as unknown as net.Server);
  const client = ours.connect(`http://127.0.0.1:${port}`);
  const req = client.request({ ':path': '/' });
  req.resume();
  await new Promise((r) => req.on('end', r));
  await new Promise((r) => client.ping(r));
  client.close();
  await new Promise((r) => client.on('close', r));
  await sleep(50);
  const sessions = entries.filter((e) => e.name === 'Http2Session');
  const streams = entries.filter((e) => e.name === 'Http2Stream');
  const clientEntry = sessions.find((e) => e.detail.type === 'client');
  assert.ok(clientEntry, JSON.stringify(entries));
  assert.is(clientEntry.entryType, 'http2');
  assert.equal(Object.keys(clientEntry.detail).sort(), ['bytesRead', 'bytesWritten', 'framesReceived', 'framesSent', 'maxConcurrentStreams', 'pingRTT', 'streamAverageDuration', 'streamCount', 'type']);
  assert.is(clientEntry.detail.streamCount, 1);
  assert.is(clientEntry.detail.maxConcurrentStreams, 1);
  assert.ok(clientEntry.detail.bytesRead > 5000 && clientEntry.detail.framesReceived >= 4 && clientEntry.detail.framesSent >= 3);
  assert.ok(clientEntry.detail.pingRTT > 0);
  assert.ok(clientEntry.duration > 0);
  const clientStream = streams.find((e) => e.detail.bytesRead === 5000);
  assert.ok(clientStream, JSON.stringify(streams));
  assert.equal(Object.keys(clientStream.detail).sort(), ['bytesRead', 'bytesWritten', 'id', 'timeToFirstByte', 'timeToFirstByteSent', 'timeToFirstHeader']);
  assert.is(clientStream.detail.id, 1);
  assert.ok(clientStream.detail.timeToFirstHeader > 0 && clientStream.detail.timeToFirstByte >= clientStream.detail.timeToFirstHeader);
  const serverStream = streams.find((e) => e.detail.bytesWritten === 5000);
  assert.ok(serverStream);
  // The same observer keeps receiving node:http2's own entries.
  const before = entries.length;
  const nodeServer = http2.createServer((_req, res) => res.end('n'));
  const nodePort = await listen(s, nodeServer as unknown as net.Server);
  const nc = http2.connect(`http://127.0.0.1:${nodePort}`);
  const nr = nc.request({ ':path': '/' });
  nr.resume();
  await new Promise((r) => nr.on('end', r));
  nc.close();
  await new Promise((r) => nc.on('close', r));
  await sleep(50);
  assert.ok(entries.length > before, 'node:http2 entries still arrive');
}));

test.run();
