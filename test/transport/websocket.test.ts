// websocket.ts against a scripted WebSocket (Node 20 has no WebSocket client; the real ones run
// in deno.test.ts): writes before 'open' wait, one turn's writes go as one binary message,
// bufferedAmount drives write() → false and 'drain', text messages and abnormal closes are errors.
// Also: the browser-safe entry pulls in no node:* module.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fromWebSocket, type WebSocketLike } from '../../bindings/transport/index.ts';
import { sleep } from './lib/bytes.ts';
import { ROOT } from './lib/node-util.ts';

const test = suite('transport: WebSocket adapter');

class FakeSocket implements WebSocketLike {
  readyState = 0;
  bufferedAmount = 0;
  binaryType = 'blob';
  sent: Uint8Array[] = [];
  closedWith: [number | undefined, string | undefined] | undefined;
  #fns = new Map<string, Array<(e: any) => void>>();
  addEventListener(type: string, fn: (e: any) => void) { this.#fns.set(type, [...(this.#fns.get(type) ?? []), fn]); }
  fire(type: string, e: object = {}) { for (const fn of this.#fns.get(type) ?? []) fn(e); }
  send(d: ArrayBufferView) {
    if (this.readyState !== 1) throw new Error('InvalidStateError');
    const copy = new Uint8Array(d.buffer, d.byteOffset, d.byteLength).slice();
    this.sent.push(copy);
    this.bufferedAmount += copy.length;
  }
  close(code?: number, reason?: string) { this.closedWith = [code, reason]; this.readyState = 2; }
  open() { this.readyState = 1; this.fire('open'); }
}

test('binaryType arraybuffer; writes while connecting wait for open; one turn → one message', async () => {
  const ws = new FakeSocket();
  const t = fromWebSocket(ws);
  assert.is(ws.binaryType, 'arraybuffer');
  assert.ok(t.write(new Uint8Array([1, 2])));
  assert.ok(t.write(new Uint8Array([3])));
  assert.is(t.bufferedAmount, 3, 'counted while connecting');
  await sleep(1);
  assert.is(ws.sent.length, 0, 'nothing sent before open');
  ws.open();
  assert.equal(ws.sent.map((m) => [...m]), [[1, 2, 3]]);
  t.write(new Uint8Array([4]));
  t.write(new Uint8Array([5, 6]));
  await sleep(1);
  assert.equal(ws.sent.map((m) => [...m]), [[1, 2, 3], [4, 5, 6]]);
});

test("write() → false past the high-water mark; 'drain' once bufferedAmount is down to the low mark", async () => {
  const ws = new FakeSocket();
  ws.open();
  const t = fromWebSocket(ws, { highWaterMark: 100, lowWaterMark: 20, pollInterval: 2 });
  let drains = 0;
  t.on('drain', () => drains++);
  assert.ok(t.write(new Uint8Array(60)));
  assert.not.ok(t.write(new Uint8Array(60)), 'full at 120 ≥ 100');
  await sleep(10);
  ws.bufferedAmount = 50; // the network took some: still above the low mark
  await sleep(10);
  assert.is(drains, 0);
  ws.bufferedAmount = 10;
  await sleep(10);
  assert.is(drains, 1);
  await sleep(10);
  assert.is(drains, 1, 'once');
});

test('binary messages (ArrayBuffer) arrive as bytes; a text message closes with an error', async () => {
  const ws = new FakeSocket();
  ws.open();
  const t = fromWebSocket(ws);
  const got: number[] = [];
  let closedWith: Error | undefined | null = null;
  t.on('data', (c) => got.push(...c));
  t.on('close', (e) => { closedWith = e; });
  ws.fire('message', { data: new Uint8Array([9, 8]).buffer });
  assert.equal(got, [9, 8]);
  ws.fire('message', { data: 'hello' });
  assert.ok(t.closed);
  assert.match(String((closedWith as Error | null)?.message), /text message/);
  assert.is(ws.closedWith?.[0], 4000, 'closed with an application error code a client may send');
});

test('close(): code 1000; a peer close 1000 is clean, 1006 is an error', async () => {
  const ws = new FakeSocket();
  ws.open();
  const t = fromWebSocket(ws);
  t.close();
  assert.equal(ws.closedWith, [1000, undefined]);
  assert.not.ok(t.write(new Uint8Array(1)));

  const clean = new FakeSocket();
  const a = fromWebSocket(clean);
  const ca = new Promise<Error | undefined>((r) => a.on('close', r));
  clean.fire('close', { code: 1000 });
  assert.is(await ca, undefined);

  const broken = new FakeSocket();
  const b = fromWebSocket(broken);
  const cb = new Promise<Error | undefined>((r) => b.on('close', r));
  broken.fire('close', { code: 1006 });
  assert.match(String((await cb)?.message), /1006/);
});

test('bindings/transport/index.ts reaches no node:* module (browser-safe); node.ts is outside it', () => {
  const seen = new Set<string>();
  const nodeImports: string[] = [];
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const src = readFileSync(file, 'utf8');
    for (const m of src.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
      const spec = m[1] ?? m[2];
      if (/^import\s+type\b|^export\s+type\b/.test(m[0])) continue; // erased at build time
      if (spec.startsWith('node:')) nodeImports.push(`${file}: ${spec}`);
      else if (spec.startsWith('.')) visit(resolve(dirname(file), spec));
    }
  };
  visit(join(ROOT, 'bindings/transport/index.ts'));
  assert.equal(nodeImports, []);
  assert.ok([...seen].some((f) => f.endsWith('streams.ts')) && [...seen].some((f) => f.endsWith('websocket.ts')));
  assert.not.ok([...seen].some((f) => f.endsWith('transport/node.ts')), 'node.ts is not reachable from the index');
});

test.run();
