// Assertions on the JSON a Deno / Bun check script prints (shapes from lib/pump.ts, lib/h2.ts,
// runtime/checks.ts).
import * as assert from 'uvu/assert';
import type { PumpResult } from './pump.ts';
import type { H2Result } from './h2.ts';
import type { Test } from 'uvu';
import { KiB, MiB } from './bytes.ts';

type Maybe<T> = (T & { error?: undefined }) | { error: string };

function ok<T>(r: Maybe<T> | undefined, what: string): T {
  assert.ok(r, `${what}: no result`);
  if ('error' in r! && r.error) assert.unreachable(`${what}: ${r.error}`);
  return r as T;
}

/** A slow reader: the writer waited, its queue stayed within its high-water mark plus one chunk, the bytes arrived intact. */
export function expectPump(raw: unknown, what: string, o: { total: number; alpn?: string }) {
  const r = ok(raw as Maybe<PumpResult & { chunk: number; highWaterMark: number | null; clientAlpn: string | null; serverAlpn: string | null }>, what);
  assert.is(r.received, o.total, `${what}: all bytes arrived`);
  assert.is(r.receivedHash, r.sentHash, `${what}: intact`);
  assert.ok(r.waits > 0, `${what}: the writer was told to wait (${r.waits})`);
  if (r.readerPausable) assert.ok(r.pauses > 0, `${what}: the reader paused`);
  assert.ok(r.highWaterMark, `${what}: the writer has a high-water mark`);
  const bound = r.highWaterMark! + r.chunk;
  assert.ok(r.maxQueued <= bound, `${what}: queued ${r.maxQueued} > ${bound}`);
  if (o.alpn) {
    assert.is(r.clientAlpn, o.alpn, `${what}: client ALPN`);
    assert.is(r.serverAlpn, o.alpn, `${what}: server ALPN`);
  }
  return r;
}

/** The echo came back intact, the server held no more than its window, the queues stayed small. */
export function expectH2(raw: unknown, what: string, o: { alpn?: string } = {}) {
  const r = ok(raw as Maybe<H2Result>, what);
  assert.is(r.method, 'POST', `${what}: method`);
  assert.is(r.path, '/echo', `${what}: path`);
  assert.is(r.status, '200', `${what}: status`);
  assert.is(r.serverHash, r.sentHash, `${what}: the server got the body intact`);
  assert.is(r.echoHash, r.sentHash, `${what}: the client got the echo intact`);
  assert.ok(r.maxServerHeld <= r.serverWindow, `${what}: server held ${r.maxServerHeld} > window ${r.serverWindow}`);
  assert.ok(r.maxClientQueued < 512 * KiB && r.maxServerQueued < 512 * KiB, `${what}: queued ${r.maxClientQueued} / ${r.maxServerQueued}`);
  if (o.alpn) {
    assert.is(r.clientAlpn, o.alpn, `${what}: client ALPN`);
    assert.is(r.serverAlpn, o.alpn, `${what}: server ALPN`);
  }
  return r;
}

export function expectRetain(raw: unknown, what: string) {
  const r = ok(raw as Maybe<{ chunks: number; sentHash: string; keptHash: string }>, what);
  assert.ok(r.chunks > 1, `${what}: several chunks`);
  assert.is(r.keptHash, r.sentHash, `${what}: chunks kept by the reader stay unchanged`);
}

/** The socket checks Deno's and Bun's scripts both run: TCP and TLS pumps, HTTP/2 over each, chunk retention. */
export function socketChecks(test: Test, result: (name: string) => any, listenConnect: string): void {
  test(`TCP (${listenConnect}): 64 MiB to a slow reader, bounded and intact`, () => {
    expectPump(result('tcpPump'), 'tcp', { total: 64 * MiB });
  });
  test('TLS with ALPN h2: 32 MiB server → slow client, bounded and intact', () => {
    expectPump(result('tlsPump'), 'tls', { total: 32 * MiB, alpn: 'h2' });
  });
  test('HTTP/2 over TCP: 4 MiB echo, connectSession on both ends', () => { expectH2(result('tcpH2'), 'tcp h2'); });
  test('HTTP/2 over TLS, ALPN h2', () => { expectH2(result('tlsH2'), 'tls h2', { alpn: 'h2' }); });
  test('chunks kept by the reader are not reused by the runtime (TCP, WebSocket)', () => {
    expectRetain(result('tcpRetain'), 'tcp');
    expectRetain(result('wsRetain'), 'websocket');
  });
}
