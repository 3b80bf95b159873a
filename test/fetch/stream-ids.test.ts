// A long-lived client runs out of stream ids (RFC 9113 §5.1.1: they are never reused): the fetch
// client moves to a new session and loses no request. `firstStreamId` starts each session three
// ids short of 2^31-1 so the end comes after a few requests, not two billion.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import http2 from 'node:http2';
import { once } from 'node:events';
import { createFetch } from '../../bindings/fetch/index.ts';
import { nodeConnect } from '../../bindings/fetch/node.ts';
import ours from '../../bindings/node/index.ts';
import { HOST, scoped, within } from './helpers/pair.ts';

const test = suite('stream ids running out');
const NEAR_END = 0x7fffffff - 4; // 2147483643, 2147483645, 2147483647: three requests a session

/** A node:http2 server answering each request with "<session index> <stream id> <path>". */
async function idServer(s: { defer(fn: () => unknown): void }) {
  const server = http2.createServer();
  const sessions: http2.ServerHttp2Session[] = [];
  server.on('session', (session) => { sessions.push(session); session.on('error', () => {}); });
  server.on('stream', (stream, headers) => {
    stream.on('error', () => {});
    stream.respond({ ':status': 200 });
    stream.end(`${sessions.indexOf(stream.session as http2.ServerHttp2Session) + 1} ${stream.id} ${headers[':path']}`);
  });
  server.listen(0, HOST);
  await once(server, 'listening');
  s.defer(() => new Promise<void>((r) => { for (const x of sessions) x.destroy(); server.close(() => r()); }));
  return { sessions, url: `http://${HOST}:${(server.address() as { port: number }).port}` };
}

test('fetch: requests one after another cross to new sessions as ids run out, none lost', scoped(async (s) => {
  const { sessions, url } = await idServer(s);
  const fetch = createFetch({ connect: nodeConnect, firstStreamId: NEAR_END });
  s.defer(() => fetch.close());
  const answers: string[] = [];
  for (let i = 0; i < 10; i++) answers.push(await within(fetch(`${url}/seq/${i}`).then((r) => r.text()), 5000, `request ${i}`));
  assert.equal(answers.map((a) => a.split(' ')[2]), Array.from({ length: 10 }, (_, i) => `/seq/${i}`));
  // Three ids a session: 10 requests need 4 sessions, each using its ids in order.
  assert.equal(answers.map((a) => a.split(' ').slice(0, 2).join(' ')), Array.from({ length: 10 }, (_, i) =>
    `${Math.floor(i / 3) + 1} ${NEAR_END + 2 * (i % 3)}`));
  assert.is(sessions.length, 4);
}));

test('fetch: 20 concurrent requests on a session with 3 ids left all complete', scoped(async (s) => {
  const { sessions, url } = await idServer(s);
  const fetch = createFetch({ connect: nodeConnect, firstStreamId: NEAR_END });
  s.defer(() => fetch.close());
  const answers = await within(Promise.all(Array.from({ length: 20 }, (_, i) => fetch(`${url}/par/${i}`).then((r) => r.text()))), 10_000, '20 requests');
  assert.equal(answers.map((a) => a.split(' ')[2]), Array.from({ length: 20 }, (_, i) => `/par/${i}`));
  for (const a of answers) assert.ok(Number(a.split(' ')[1]) >= NEAR_END, `id ${a}`);
  assert.ok(sessions.length >= 7, `20 requests at 3 a session need at least 7 sessions, saw ${sessions.length}`);
  // The old sessions close once their requests are done.
  await within((async () => { while (fetch.sessions > 1) await new Promise((r) => setTimeout(r, 10)); })(), 5000, 'old sessions to close');
}));

test('node API: request() past the last id gives a stream failing with ERR_HTTP2_OUT_OF_STREAMS; the session serves on', scoped(async (s) => {
  const { url } = await idServer(s);
  const session: any = ours.connect(url, { firstStreamId: 0x7fffffff - 2 });
  s.defer(() => session.destroy());
  const get = (path: string) => new Promise<string>((resolve, reject) => {
    const req = session.request({ ':path': path });
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => { text += c; });
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
  const slow = session.request({ ':path': '/last' }, { endStream: false }); // stays open while the ids run out
  slow.on('error', () => {});
  assert.is(await within(get('/one'), 5000, 'first'), '1 2147483647 /one');
  const refused = session.request({ ':path': '/none' });
  assert.is(refused.id, undefined);
  assert.ok(refused.destroyed, 'destroyed at once, as Node');
  const [err] = await once(refused, 'error');
  assert.is(err.code, 'ERR_HTTP2_OUT_OF_STREAMS');
  assert.is(err.message, 'No stream ID is available because maximum stream ID has been reached');
  assert.is(refused.rstCode, http2.constants.NGHTTP2_INTERNAL_ERROR);
  // The stream still open completes.
  let text = '';
  slow.setEncoding('utf8');
  slow.on('data', (c: string) => { text += c; });
  slow.end();
  await within(once(slow, 'end'), 5000, 'the last stream');
  assert.is(text, '1 2147483645 /last');
  assert.not.ok(session.destroyed);
}));

test('node API: connect() with a bad firstStreamId throws and leaves no socket behind', scoped(async () => {
  // A port nobody listens on: had the socket been left open, its refusal would be an uncaught 'error'.
  const probe = http2.createServer();
  probe.listen(0, HOST);
  await once(probe, 'listening');
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const before = process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
  for (const bad of [0, 2, 1.5]) {
    assert.throws(() => ours.connect(`http://${HOST}:${port}`, { firstStreamId: bad } as any), (e: any) => e.code === 'ERR_INVALID_ARG_VALUE');
  }
  await new Promise((r) => setTimeout(r, 100));
  const after = process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
  assert.ok(after <= before, `TCP sockets: ${before} before, ${after} after`);
}));

test.run();
