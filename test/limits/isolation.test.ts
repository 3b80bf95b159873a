// One WASM instance hosts every Session of the process (DESIGN.md, "The WASM boundary"): a
// session cut off for exceeding a limit must leave the others exactly as they were — their
// streams, windows and HPACK tables — and must itself stay quiet after its GOAWAY (RFC 9113
// §5.4.1: after a connection error's GOAWAY the connection is closed).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Session } from '../../bindings/core/index.ts';
import { ErrorCode, concat, dataFrame, headersFrame, parseFrames, pingFrame, priorityFrame, rstStreamFrame } from '../helpers/frames.ts';
import { connectServer, destroySessions, newSession, type ScriptedClient } from '../helpers/peer.ts';
import { GET_BLOCK, POST_BLOCK, indexed, literal } from './blocks.ts';

const test = suite('limits: one session killed, the others untouched');
test.after.each(destroySessions);

type Event = ReturnType<Session['receive']>[number];
const GET: Array<[string, string]> = [[':method', 'GET'], [':scheme', 'https'], [':authority', 'example.com'], [':path', '/']];

/** Moves bytes both ways between two Sessions until neither has anything to write. */
function pump(client: Session, server: Session, seen: { client: Event[]; server: Event[] }): void {
  for (let rounds = 0; rounds < 1000; rounds++) {
    let moved = 0;
    for (const c of client.pull()) { moved += c.length; seen.server.push(...server.receive(c)); }
    for (const c of server.pull()) { moved += c.length; seen.client.push(...client.receive(c)); }
    if (!moved) return;
  }
  throw new Error('pump: the sessions never went quiet');
}

function rapidReset(peer: ScriptedClient, n: number): void {
  const frames: Uint8Array[] = [];
  for (let i = 0; i < n; i++) frames.push(headersFrame(1 + 2 * i, GET_BLOCK, { endStream: true }), rstStreamFrame(1 + 2 * i, ErrorCode.CANCEL));
  peer.writeRaw(concat(...frames), `${n} × (HEADERS + RST_STREAM)`);
}

/** A full exchange over a server Session and its scripted client, on stream `id`. */
function exchange(server: Session, peer: ScriptedClient, id: number, block: Uint8Array = GET_BLOCK): Array<[string, string]> {
  peer.writeHeaders(id, block, { endStream: true });
  const e = peer.event('request', (x) => x.streamId === id);
  server.respond(id, [[':status', '200'], ['content-type', 'text/plain']]);
  server.data(id, new TextEncoder().encode(`hello ${id}`), { endStream: true });
  peer.wantHeaders(id);
  assert.is(new TextDecoder().decode(peer.readBody(id).body), `hello ${id}`);
  return e.headers;
}

test('a server session killed by rapid reset leaves a second one serving, HPACK table and all', () => {
  const a = connectServer({ server: { limits: { resetBurst: 10 } } });
  const b = connectServer();
  // B's client puts an entry in B's dynamic table before A dies.
  exchange(b.server, b.peer, 1, concat(GET_BLOCK, literal('x-session', 'b', 'incremental')));
  rapidReset(a.peer, 11);
  a.peer.wantConnectionError(ErrorCode.ENHANCE_YOUR_CALM);
  assert.is(a.server.state.closed, true);
  assert.is(b.server.state.closed, false);
  const headers = exchange(b.server, b.peer, 3, concat(GET_BLOCK, indexed(62)));
  assert.equal(headers.at(-1), ['x-session', 'b']);
  b.peer.wantNoError();
});

test('client/server pairs: one pair dies of a PING flood, the other goes on with bodies and trailers', () => {
  const seen1 = { client: [] as Event[], server: [] as Event[] };
  const seen2 = { client: [] as Event[], server: [] as Event[] };
  const c1 = newSession({ role: 'client' }), s1 = newSession({ role: 'server', limits: { maxQueuedAcks: 10 } });
  const c2 = newSession({ role: 'client' }), s2 = newSession({ role: 'server' });
  pump(c1, s1, seen1);
  pump(c2, s2, seen2);
  const id2 = c2.request([...GET.slice(0, 3), [':path', '/before']], { endStream: true });
  pump(c2, s2, seen2);

  // Eleven PINGs from client 1 reach server 1 before it writes anything.
  for (let i = 0; i < 11; i++) c1.ping();
  for (const chunk of c1.pull()) seen1.server.push(...s1.receive(chunk));
  assert.ok(seen1.server.some((e) => e.type === 'error' && e.scope === 'connection' && e.code === ErrorCode.ENHANCE_YOUR_CALM));
  pump(c1, s1, seen1);
  assert.ok(seen1.client.some((e) => e.type === 'goaway' && e.code === ErrorCode.ENHANCE_YOUR_CALM), 'client 1 got the GOAWAY');

  // Pair 2: answer the request made before, then a POST with a body and trailers.
  s2.respond(id2, [[':status', '200']]);
  s2.data(id2, new TextEncoder().encode('before'), { endStream: true });
  const post = c2.request([[':method', 'POST'], ...GET.slice(1, 3), [':path', '/after']]);
  c2.data(post, new TextEncoder().encode('upload'));
  c2.trailers(post, [['x-checksum', '42']]);
  pump(c2, s2, seen2);
  const req = seen2.server.find((e) => e.type === 'request' && e.streamId === post);
  assert.ok(req, 'server 2 got the POST');
  assert.ok(seen2.server.some((e) => e.type === 'trailers' && e.streamId === post));
  s2.respond(post, [[':status', '201']], { endStream: true });
  pump(c2, s2, seen2);
  const texts = seen2.client.filter((e) => e.type === 'data').map((e) => new TextDecoder().decode((e as { bytes: Uint8Array }).bytes)).join('');
  assert.is(texts, 'before');
  assert.ok(seen2.client.some((e) => e.type === 'response' && e.streamId === post));
  assert.not.ok(seen2.client.some((e) => e.type === 'error' || e.type === 'goaway'));
  assert.not.ok(seen2.server.some((e) => e.type === 'error'));
});

test('50 of 100 sessions killed (and destroyed): the other 50 all still serve', () => {
  const pairs = Array.from({ length: 100 }, () => connectServer({ server: { limits: { glitchBurst: 5 } } }));
  pairs.forEach((p, i) => { if (i % 2 === 0) exchange(p.server, p.peer, 1); });
  for (let i = 1; i < 100; i += 2) {
    const { peer } = pairs[i];
    // PRIORITY on idle streams: 6 glitches against a burst of 5.
    peer.writeRaw(concat(...Array.from({ length: 6 }, (_, k) => priorityFrame(1001 + 2 * k, { dependency: 0 }))));
    peer.wantConnectionError(ErrorCode.ENHANCE_YOUR_CALM);
    pairs[i].server.destroy();
  }
  // Sessions made after the deaths work too (slots may be reused).
  const late = connectServer();
  exchange(late.server, late.peer, 1);
  pairs.forEach((p, i) => { if (i % 2 === 0) exchange(p.server, p.peer, 3); });
});

test('a killed session stays quiet: nothing after its GOAWAY, whatever the application calls', () => {
  const { server, peer } = connectServer({ server: { limits: { glitchBurst: 0 } } });
  peer.writeHeaders(1, POST_BLOCK);
  peer.event('request', (e) => e.streamId === 1);
  peer.writeData(1, 16000);
  peer.writeData(1, 16000);
  peer.writeData(1, 16000);
  peer.flush();
  // One glitch (an empty DATA frame) against a burst of 0: GOAWAY.
  peer.writeRaw(dataFrame(1));
  peer.wantGoAway(ErrorCode.ENHANCE_YOUR_CALM, { lastStreamId: 1 });
  // The application, not yet aware, goes on: consumes the body it read, answers, pings.
  const calls: Array<[string, () => unknown]> = [
    ['consume', () => server.consume(1, 48000)],
    ['respond', () => server.respond(1, [[':status', '200']])],
    ['data', () => server.data(1, new Uint8Array(10), { endStream: true })],
    ['ping', () => server.ping()],
    ['settings', () => server.settings({ initialWindowSize: 1 << 20 })],
    ['setLocalWindowSize', () => server.setLocalWindowSize(1 << 24)],
    ['reset', () => server.reset(1, ErrorCode.CANCEL)],
  ];
  const after: string[] = [];
  for (const [name, call] of calls) {
    try {
      call();
    } catch {
      // throwing is a fine answer (ERR_HTTP2_INVALID_SESSION)
    }
    const out = concat(...server.pull());
    if (out.length) after.push(`${name} → ${parseFrames(out).map((f) => `type ${f.type} on ${f.streamId}`).join(', ')}`);
  }
  assert.equal(after, [], 'frames queued after the GOAWAY');
  // And input is ignored.
  assert.equal(server.receive(pingFrame(new Uint8Array(8))).filter((e) => e.type !== 'error'), []);
  assert.is(concat(...server.pull()).length, 0);
});

test.run();
