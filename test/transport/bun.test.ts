// Bun: bun.ts over TCP and TLS (ALPN in wire form); websocket.ts over Bun's WebSocket client
// (the Bun.serve end through a shim of the standard interface). One child process runs every check
// (test/transport/runtime/bun.ts) and prints one JSON line; these tests assert on it.
// No bun: skipped with a one-line reason, a failure under CI=true.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { testCerts } from '../helpers/certs.ts';
import { MiB } from './lib/bytes.ts';
import { expectH2, expectPump, expectRetain } from './lib/expect.ts';
import { inCI, runScript, runtime, show, type ScriptRun } from './lib/node-util.ts';

const test = suite('transport: Bun');
const bun = runtime('bun');

if (!bun.ok) {
  if (inCI) test('bun is installed (CI=true)', () => assert.unreachable(bun.reason));
  else {
    console.log(`# skip: ${bun.reason}`);
    test.skip('Bun transport tests', () => {});
  }
} else {
  let run: ScriptRun;
  test.before(async () => {
    run = await runScript(bun.cmd, ['run', 'test/transport/runtime/bun.ts', JSON.stringify(testCerts())], 45_000);
  });
  const result = (name: string) => {
    assert.ok(run.json, `no JSON from bun:\n${show(run)}`);
    return run.json[name];
  };

  test('the script ran to its end', () => {
    assert.is(run.code, 0, show(run));
    assert.ok(run.json, show(run));
  });
  test('TCP (listenBun / connectBun): 64 MiB to a slow reader, bounded and intact', () => {
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
  test('WebSocket client: 64 MiB with bufferedAmount backpressure, intact', () => {
    expectPump(result('wsPump'), 'websocket', { total: 64 * MiB });
  });
  test('HTTP/2 over WebSocket (Bun WebSocket client, Bun.serve server)', () => { expectH2(result('wsH2'), 'websocket h2'); });
}

test.run();
