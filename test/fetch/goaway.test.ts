// GOAWAY while requests are in flight: those above the last stream id were not processed and
// are sent again on a new connection; none is lost, none is sent twice to a server that took it.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import http2 from 'node:http2';
import { once } from 'node:events';
import { Session } from '../../bindings/core/index.ts';
import { createMemoryPair } from '../../bindings/transport/memory.ts';
import { connectSession } from '../../bindings/transport/connect.ts';
import { createFetch } from '../../bindings/fetch/index.ts';
import { nodeConnect } from '../../bindings/fetch/node.ts';
import { HOST, scoped, within } from './helpers/pair.ts';

const test = suite('fetch: GOAWAY retry');

const N = 6;
const LAST = 5; // streams 1, 3, 5 processed; 7, 9, 11 refused by the first connection's GOAWAY
const dec = new TextDecoder();

/** A stream body (replayed from the kept copy) for some requests, a string for others. */
function bodyFor(i: number): BodyInit {
  const text = `req-${i}`;
  if (i % 2) return text;
  return new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode(text)); c.close(); } });
}

test('memory: a server that sends GOAWAY(last=5) with 6 requests in flight → all 6 complete, 3 on a new connection', scoped(async (s) => {
  let conns = 0;
  const processed: string[] = []; // "conn:stream:body" for every request a server answered
  const transports: Array<{ close(): void }> = [];
  s.defer(() => transports.forEach((t) => t.close()));
  const connect = () => {
    const index = ++conns;
    const [client, server] = createMemoryPair();
    transports.push(server);
    const session = new Session({ role: 'server' });
    const bodies = new Map<number, string>();
    const complete: number[] = [];
    const answer = (id: number) => {
      processed.push(`${index}:${id}:${bodies.get(id)}`);
      session.respond(id, [[':status', '200']]);
      session.data(id, new TextEncoder().encode(`conn${index} ${bodies.get(id)}`), { endStream: true });
    };
    const flush = connectSession(session, server, (events) => {
      for (const e of events) {
        if (e.type === 'request') bodies.set(e.streamId, '');
        else if (e.type === 'data') {
          bodies.set(e.streamId, bodies.get(e.streamId) + dec.decode(e.bytes));
          session.consume(e.streamId, e.bytes.length);
        } else if (e.type === 'stream-end') {
          if (index > 1) { answer(e.streamId); continue; }
          complete.push(e.streamId);
          if (complete.length === N) {
            // All six arrived: refuse everything above LAST, answer the rest.
            session.goaway(0, undefined, LAST);
            for (const id of complete) if (id <= LAST) answer(id);
          }
        }
      }
    });
    queueMicrotask(flush);
    return client;
  };
  const fetch = createFetch({ connect });
  s.defer(() => fetch.close());
  const results = await within(Promise.all(Array.from({ length: N }, (_, i) =>
    fetch('http://goaway.test/', { method: 'POST', body: bodyFor(i), duplex: 'half' } as RequestInit).then((r) => r.text()))), 10_000, 'all requests');
  // Every request got its own answer …
  assert.equal(results.map((r) => r.split(' ')[1]), Array.from({ length: N }, (_, i) => `req-${i}`));
  // … three from the first connection, three from the second; nothing processed twice.
  assert.is(results.filter((r) => r.startsWith('conn1 ')).length, 3);
  assert.is(results.filter((r) => r.startsWith('conn2 ')).length, 3);
  assert.is(conns, 2);
  assert.is(processed.length, N);
  assert.equal(processed.filter((p) => p.startsWith('1:')).map((p) => Number(p.split(':')[1])).sort((a, b) => a - b), [1, 3, 5]);
}));

test('tcp: a node:http2 server that sends GOAWAY(last=5) with 6 requests in flight → none lost', scoped(async (s) => {
  const server = http2.createServer();
  const sessions: http2.ServerHttp2Session[] = [];
  const answered: string[] = [];
  server.on('session', (session) => {
    sessions.push(session);
    session.on('error', () => {});
  });
  server.on('stream', (stream, headers) => {
    const session = stream.session!;
    const index = sessions.indexOf(session as http2.ServerHttp2Session) + 1;
    let text = '';
    stream.on('data', (c: Buffer) => { text += c; });
    stream.on('error', () => {});
    stream.on('end', () => {
      const reply = () => {
        answered.push(`${index}:${stream.id}`);
        stream.respond({ ':status': 200 });
        stream.end(`conn${index} ${text}`);
      };
      if (index > 1) { reply(); return; }
      const pending = ((session as any).__pending ??= []) as Array<{ id: number; reply: () => void }>;
      pending.push({ id: stream.id!, reply });
      if (pending.length === N) {
        session.goaway(http2.constants.NGHTTP2_NO_ERROR, LAST);
        for (const p of pending) if (p.id <= LAST) p.reply();
      }
    });
    void headers;
  });
  server.listen(0, HOST);
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  s.defer(() => new Promise<void>((r) => { for (const x of sessions) x.destroy(); server.close(() => r()); }));
  let conns = 0;
  const fetch = createFetch({ connect: (url) => { conns++; return nodeConnect(url); } });
  s.defer(() => fetch.close());
  const results = await within(Promise.all(Array.from({ length: N }, (_, i) =>
    fetch(`http://${HOST}:${port}/`, { method: 'POST', body: bodyFor(i), duplex: 'half' } as RequestInit).then((r) => r.text()))), 10_000, 'all requests');
  assert.equal(results.map((r) => r.split(' ')[1]), Array.from({ length: N }, (_, i) => `req-${i}`));
  assert.is(results.filter((r) => r.startsWith('conn1 ')).length, 3);
  assert.is(results.filter((r) => r.startsWith('conn2 ')).length, 3);
  assert.is(conns, 2);
  assert.is(answered.length, N);
}));

test('memory: a stream refused with REFUSED_STREAM is sent again; other reset codes fail the fetch', scoped(async (s) => {
  let conns = 0;
  let refusals = 0;
  const fetch = createFetch({
    connect: () => {
      conns++;
      const [client, server] = createMemoryPair();
      s.defer(() => server.close());
      const session = new Session({ role: 'server' });
      const flush = connectSession(session, server, (events) => {
        for (const e of events) {
          if (e.type !== 'request') continue;
          const path = e.headers.find(([n]) => n === ':path')![1];
          if (path === '/refuse-once' && refusals++ === 0) session.reset(e.streamId, 7 /* REFUSED_STREAM */);
          else if (path === '/internal') session.reset(e.streamId, 2 /* INTERNAL_ERROR */);
          else { session.respond(e.streamId, [[':status', '200']]); session.data(e.streamId, new TextEncoder().encode(path), { endStream: true }); }
        }
      });
      queueMicrotask(flush);
      return client;
    },
  });
  s.defer(() => fetch.close());
  assert.is(await (await fetch('http://r.test/refuse-once')).text(), '/refuse-once');
  assert.is(refusals, 2);
  const err = await fetch('http://r.test/internal').then(() => null, (e) => e);
  assert.instance(err, TypeError);
  assert.match(String(err.cause?.message), /code 2/);
  assert.is(conns, 1);
}));

test.run();
