// What the fetch client does with answers it cannot use and with options it refuses: the
// stream is reset (an unread body must not hold the connection window), nothing lingers.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Session } from '../../bindings/core/index.ts';
import { createMemoryPair } from '../../bindings/transport/memory.ts';
import { connectSession } from '../../bindings/transport/connect.ts';
import { createFetch } from '../../bindings/fetch/index.ts';
import { scoped, within } from './helpers/pair.ts';

const test = suite('fetch: unusable answers, refused options');

/** One HTTP/2 frame: 9-octet header and payload. */
function frame(type: number, flags: number, streamId: number, payload: number[]): Uint8Array {
  const n = payload.length;
  return new Uint8Array([n >> 16, (n >> 8) & 255, n & 255, type, flags, streamId >>> 24, (streamId >> 16) & 255, (streamId >> 8) & 255, streamId & 255, ...payload]);
}

test('memory: a status fetch cannot represent (600) fails the fetch and resets the stream, so its body holds no window', scoped(async (s) => {
  const resets: Array<[number, number]> = [];
  let session!: Session;
  let flush!: () => void;
  const fetch = createFetch({
    connect: () => {
      const [client, server] = createMemoryPair();
      s.defer(() => server.close());
      session = new Session({ role: 'server' });
      flush = connectSession(session, server, (events) => {
        for (const e of events) {
          if (e.type === 'request') {
            // The core will not send :status 600, so the frames go out raw: HEADERS (":status"
            // by static name index 8, literal "600"), then DATA, with more to follow.
            flush();
            server.write(frame(1, 0x4, e.streamId, [0x08, 0x03, 0x36, 0x30, 0x30]));
            server.write(frame(0, 0, e.streamId, new Array(1000).fill(0)));
          } else if (e.type === 'reset') resets.push([e.streamId, e.code]);
        }
      });
      queueMicrotask(flush);
      return client;
    },
  });
  s.defer(() => fetch.close());
  const err = await fetch('http://r.test/odd').then(() => null, (e) => e);
  assert.instance(err, TypeError);
  await within((async () => { while (!resets.length) await new Promise((r) => setTimeout(r, 5)); })(), 2000, 'RST_STREAM from the client');
  assert.equal(resets, [[1, 8 /* CANCEL */]]);
}));

test('createFetch refuses a bad firstStreamId at once', () => {
  for (const bad of [0, 2, 1.5, 2 ** 31]) {
    assert.throws(() => createFetch({ firstStreamId: bad }), /firstStreamId must be an odd integer/);
  }
});

test.run();
