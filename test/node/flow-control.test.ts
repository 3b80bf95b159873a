// Receive flow control of our client against a node:http2 server: octets a stream received but
// never handed to a reader must still reopen the connection window when the stream goes, or a
// long-lived session that cancels streams stalls once the 64 KiB connection window is spent.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import http2 from 'node:http2';
import type net from 'node:net';
import ours from '../../bindings/node/index.ts';

const BODY = Buffer.alloc(256 * 1024, 'a'); // more than the 64 KiB windows
const ROUNDS = 4; // one stream left unread already spends the whole connection window

async function bodyServer() {
  const server = http2.createServer();
  server.on('stream', (s) => { s.on('error', () => {}); s.respond({ ':status': 200 }); s.end(BODY); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}` };
}

function get(session: any): any {
  const req = session.request({ ':path': '/' });
  req.on('error', () => {});
  return req;
}

async function until(done: () => boolean, what: string, ms = 5000): Promise<void> {
  for (const end = Date.now() + ms; !done();) {
    if (Date.now() > end) throw new Error(what);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A full request on `session` completes within `ms`, or the test fails. */
async function completes(session: any, ms = 5000): Promise<number> {
  const req = get(session);
  let n = 0;
  req.on('data', (c: Buffer) => { n += c.length; });
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`request stalled after ${n} octets (connection window not reopened)`)), ms);
    req.on('end', () => { clearTimeout(t); resolve(); });
  });
  return n;
}

test('streams destroyed with body octets still buffered give them back to the connection', async () => {
  const { server, url } = await bodyServer();
  const session: any = ours.connect(url);
  try {
    for (let i = 0; i < ROUNDS; i++) {
      const req = get(session);
      req.pause(); // nothing read: the stream's whole window stays in its buffer
      await until(() => req.readableLength >= 65535, `round ${i}: the stream window never filled (the connection window was not reopened)`);
      req.close(http2.constants.NGHTTP2_CANCEL);
      await new Promise((r) => req.once('close', r));
    }
    assert.is(await completes(session), BODY.length);
  } finally {
    session.destroy();
    server.close();
  }
});

test('a stream closed by its own data listener gives back the octets of that chunk', async () => {
  const { server, url } = await bodyServer();
  const session: any = ours.connect(url);
  try {
    for (let i = 0; i < ROUNDS; i++) {
      const req = get(session);
      await new Promise<void>((r) => {
        req.once('data', () => req.close(http2.constants.NGHTTP2_CANCEL)); // inside push()
        req.once('close', () => r());
      });
    }
    assert.is(await completes(session), BODY.length);
  } finally {
    session.destroy();
    server.close();
  }
});

test.run();
