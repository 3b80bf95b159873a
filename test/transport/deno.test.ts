// Deno: deno.ts over TCP and TLS (ALPN h2), streams.ts over a bare Deno.Conn, websocket.ts over
// Deno.upgradeWebSocket / new WebSocket. One child process runs every check
// (test/transport/runtime/deno.ts) and prints one JSON line; these tests assert on it.
// No deno: skipped with a one-line reason, a failure under CI=true.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { testCerts } from '../helpers/certs.ts';
import { MiB } from './lib/bytes.ts';
import { expectH2, expectPump, expectRetain } from './lib/expect.ts';
import { inCI, runScript, runtime, show, type ScriptRun } from './lib/node-util.ts';

const test = suite('transport: Deno');
const deno = runtime('deno');

if (!deno.ok) {
  if (inCI) test('deno is installed (CI=true)', () => assert.unreachable(deno.reason));
  else {
    console.log(`# skip: ${deno.reason}`);
    test.skip('Deno transport tests', () => {});
  }
} else {
  let run: ScriptRun;
  test.before(async () => {
    const certs = testCerts();
    run = await runScript(deno.cmd, ['run', '--allow-net', '--allow-read', 'test/transport/runtime/deno.ts', JSON.stringify(certs)], 45_000);
  });
  const result = (name: string) => {
    assert.ok(run.json, `no JSON from deno:\n${show(run)}`);
    return run.json[name];
  };

  test('the script ran to its end', () => {
    assert.is(run.code, 0, show(run));
    assert.ok(run.json, show(run));
  });
  test('TCP (listenDeno / connectDeno): 64 MiB to a slow reader, bounded and intact', () => {
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
  test('streams.ts over a bare Deno.Conn: 64 MiB to a slow reader; HTTP/2 echo', () => {
    expectPump(result('connPump'), 'Deno.Conn', { total: 64 * MiB });
    expectH2(result('connH2'), 'Deno.Conn h2');
  });
  test('WebSocket: 64 MiB with bufferedAmount backpressure, intact', () => {
    const r = expectPump(result('wsPump'), 'websocket', { total: 64 * MiB });
    assert.not.ok(r.readerPausable, 'the WebSocket interface cannot pause a reader');
  });
  test('HTTP/2 over WebSocket (Deno.upgradeWebSocket server, WebSocket client)', () => { expectH2(result('wsH2'), 'websocket h2'); });
}

test.run();
