// Bun: bun.ts over TCP and TLS (ALPN in wire form); websocket.ts over Bun's WebSocket client
// (the Bun.serve end through a shim of the standard interface). One child process runs every check
// (test/transport/runtime/bun.ts) and prints one JSON line; these tests assert on it.
// No bun: skipped with a one-line reason, a failure under CI=true.
import { suite } from 'uvu';
import { testCerts } from '../helpers/certs.ts';
import { MiB } from './lib/bytes.ts';
import { expectH2, expectPump, socketChecks } from './lib/expect.ts';
import { runtimeSuite } from './lib/node-util.ts';

const test = suite('transport: Bun');

runtimeSuite(test, 'bun', ['run', 'test/transport/runtime/bun.ts', JSON.stringify(testCerts())], (result) => {
  socketChecks(test, result, 'listenBun / connectBun');
  test('WebSocket client: 64 MiB with bufferedAmount backpressure, intact', () => {
    expectPump(result('wsPump'), 'websocket', { total: 64 * MiB });
  });
  test('HTTP/2 over WebSocket (Bun WebSocket client, Bun.serve server)', () => { expectH2(result('wsH2'), 'websocket h2'); });
});

test.run();
