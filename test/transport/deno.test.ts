// Deno: deno.ts over TCP and TLS (ALPN h2), streams.ts over a bare Deno.Conn, websocket.ts over
// Deno.upgradeWebSocket / new WebSocket. One child process runs every check
// (test/transport/runtime/deno.ts) and prints one JSON line; these tests assert on it.
// No deno: skipped with a one-line reason, a failure under CI=true.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { testCerts } from '../helpers/certs.ts';
import { MiB } from './lib/bytes.ts';
import { expectH2, expectPump, socketChecks } from './lib/expect.ts';
import { runtimeSuite } from './lib/node-util.ts';

const test = suite('transport: Deno');

runtimeSuite(test, 'deno', ['run', '--allow-net', '--allow-read', 'test/transport/runtime/deno.ts', JSON.stringify(testCerts())], (result) => {
  socketChecks(test, result, 'listenDeno / connectDeno');
  test('streams.ts over a bare Deno.Conn: 64 MiB to a slow reader; HTTP/2 echo', () => {
    expectPump(result('connPump'), 'Deno.Conn', { total: 64 * MiB });
    expectH2(result('connH2'), 'Deno.Conn h2');
  });
  test('WebSocket: 64 MiB with bufferedAmount backpressure, intact', () => {
    const r = expectPump(result('wsPump'), 'websocket', { total: 64 * MiB });
    assert.not.ok(r.readerPausable, 'the WebSocket interface cannot pause a reader');
  });
  test('HTTP/2 over WebSocket (Deno.upgradeWebSocket server, WebSocket client)', () => { expectH2(result('wsH2'), 'websocket h2'); });
});

test.run();
