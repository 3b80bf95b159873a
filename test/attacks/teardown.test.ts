// Abrupt teardown: peers that vanish mid-frame (HEADERS, CONTINUATION, DATA, SETTINGS), right
// after GOAWAY, or by RST; and h2load closing 100 sessions at once. The harness then checks that
// no session, stream or handle is left behind and that nothing went uncaught.
import { spawnSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CLIENT_PREFACE, ErrorCode, concat, continuationFrame, dataFrame, goawayFrame, headersFrame, settingsFrame } from '../helpers/frames.ts';
import { literal } from '../limits/blocks.ts';
import { sleep } from '../interop/helpers/util.ts';
import { Attacker, attack, get, post } from './harness.ts';

const test = suite('attacks: abrupt teardown');

const cut = (b: Uint8Array, keep: number) => b.subarray(0, keep);
const SHAPES: Array<[string, Uint8Array]> = [
  ['mid-SETTINGS (in the preface)', concat(CLIENT_PREFACE, cut(settingsFrame([[4, 65535], [3, 100]]), 12))],
  ['mid-HEADERS', cut(headersFrame(1, get('/x', literal('x-pad', 'p'.repeat(200)))), 60)],
  ['mid-CONTINUATION', concat(headersFrame(1, get('/x'), { endHeaders: false }), cut(continuationFrame(1, literal('x-pad', 'p'.repeat(200))), 50))],
  ['mid-DATA', concat(headersFrame(1, post('/upload')), cut(dataFrame(1, 'd'.repeat(5000)), 1000))],
  ['during GOAWAY, responses in flight', concat(headersFrame(1, get('/big/4000000'), { endStream: true }), headersFrame(3, get('/gen/4000000'), { endStream: true }), goawayFrame(0, ErrorCode.NO_ERROR))],
  ['mid-GOAWAY', concat(headersFrame(1, get('/big/4000000'), { endStream: true }), cut(goawayFrame(0, ErrorCode.NO_ERROR, 'bye'), 10))],
];

test('peers vanishing mid-frame, by FIN and by RST, 20 times each', attack('abrupt teardown (6 shapes x 20, FIN and RST)', async ({ s, port }) => {
  let n = 0;
  for (const [, bytes] of SHAPES) {
    await Promise.all(Array.from({ length: 20 }, async (_, i) => {
      const preface = !bytes.subarray(0, 3).every((b, j) => b === CLIENT_PREFACE[j]);
      const a = await Attacker.open(s, port, { preface });
      a.write(bytes);
      await sleep(i % 3 === 0 ? 0 : 20);
      if (i % 2) a.socket.resetAndDestroy(); else a.socket.destroy();
      n++;
    }));
  }
  return { note: `${n} connections torn down` };
}));

const h2load = spawnSync('h2load', ['--version'], { encoding: 'utf8' });
const HAVE_H2LOAD = !h2load.error && h2load.status === 0;

test('h2load -n 2000 -c 100 -m 10: every request succeeds, 100 sessions closed at once', attack('h2load -n 2000 -c 100 -m 10', async ({ port }) => {
  if (!HAVE_H2LOAD) return { note: 'skipped: h2load is not installed (apt-get install nghttp2-client)' };
  const child = spawn('h2load', ['-n', '2000', '-c', '100', '-m', '10', `http://127.0.0.1:${port}/bench`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  const [code] = await once(child, 'exit');
  assert.is(code, 0, out);
  const m = /requests: (\d+) total, \d+ started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored/.exec(out);
  assert.ok(m, out);
  assert.is(Number(m![3]), 2000, `all succeeded: ${m![0]}`);
  const rps = /finished in ([\d.]+\w+), ([\d.]+) req\/s/.exec(out);
  return { note: `${m![3]}/2000 succeeded${rps ? `, ${rps[2]} req/s` : ''}` };
}, { ms: 40_000 }));

test.run();
