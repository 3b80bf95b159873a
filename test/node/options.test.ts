// Session options of createServer / createSecureServer / connect that shape what goes on the
// wire: paddingStrategy, peerMaxConcurrentStreams, maxReservedRemoteStreams,
// maxSendHeaderBlockLength, maxDeflateDynamicTableSize. Each is checked against a node:http2
// peer (or a raw socket), and where Node has the same option, against Node doing the same.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import http2 from 'node:http2';
import net from 'node:net';
import { once } from 'node:events';
import { createHash, randomBytes } from 'node:crypto';
import ours from '../../bindings/node/index.ts';
import { scoped, listen, within, sleep } from '../interop/helpers/util.ts';
import { FrameReader, FrameType, settingsFrame, settingsAckFrame } from '../helpers/frames.ts';

const C = http2.constants;
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
type Impl = typeof http2;
const IMPLS: Array<[string, Impl]> = [['node:http2', http2], ['h2wasm', ours as unknown as Impl]];

function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    stream.on('data', (d: Buffer) => parts.push(d));
    stream.on('end', () => resolve(Buffer.concat(parts)));
    stream.on('error', reject);
  });
}

for (const [name, strategy] of [['ALIGNED', (C as unknown as Record<string, number>).PADDING_STRATEGY_ALIGNED], ['MAX', C.PADDING_STRATEGY_MAX]] as const) {
  test(`paddingStrategy ${name}: padded frames both ways are read whole by node:http2 (300 kB each way)`, scoped(async (s) => {
    const up = randomBytes(300_000);
    const down = randomBytes(300_000);
    const server = ours.createServer({ paddingStrategy: strategy });
    server.on('stream', (stream, headers) => {
      collect(stream).then((got) => {
        stream.respond({ ':status': 200, 'x-up': sha(got) });
        stream.end(down);
      });
    });
    const port = await listen(s, server as unknown as net.Server);
    const client = http2.connect(`http://127.0.0.1:${port}`);
    s.defer(() => client.close());
    const req = client.request({ ':method': 'POST', ':path': '/' });
    req.end(up);
    const [headers, body] = await Promise.all([once(req, 'response').then(([h]) => h), collect(req)]);
    assert.is(headers['x-up'], sha(up));
    assert.is(sha(body), sha(down));

    // Our client padding its upload to a node:http2 server.
    const nodeServer = http2.createServer();
    nodeServer.on('stream', (stream) => collect(stream).then((got) => { stream.respond({ ':status': 200 }); stream.end(sha(got)); }));
    const nodePort = await listen(s, nodeServer as unknown as net.Server);
    const ourClient = ours.connect(`http://127.0.0.1:${nodePort}`, { paddingStrategy: strategy });
    s.defer(() => ourClient.close());
    const r2 = ourClient.request({ ':method': 'POST', ':path': '/' });
    r2.end(up);
    assert.is((await collect(r2)).toString(), sha(up));
  }));
}

/** A raw HTTP/2 server that sends an empty SETTINGS (no MAX_CONCURRENT_STREAMS) after a delay and counts HEADERS. */
async function countingServer(s: Parameters<Parameters<typeof scoped>[0]>[0], settingsAfterMs: number) {
  const seen = { headers: 0 };
  const server = net.createServer((socket) => {
    const reader = new FrameReader({ preface: true });
    let acks = 0; // ACKs owed, sent after our own SETTINGS (§3.4: it comes first)
    setTimeout(() => { socket.write(settingsFrame([])); for (; acks; acks--) socket.write(settingsAckFrame()); }, settingsAfterMs);
    socket.on('data', (chunk) => {
      for (const f of reader.push(chunk)) {
        if (f.type === FrameType.HEADERS) seen.headers++;
        if (f.type === FrameType.SETTINGS && !(f.flags & 1)) acks++;
      }
    });
    socket.on('error', () => {});
  });
  const port = await listen(s, server);
  return { port, seen };
}

// Node documents the option as "as if a SETTINGS frame had been received", but its client sends
// all three requests at once here; ours keeps to the documented meaning (RFC 9113 §5.1.2).
test('peerMaxConcurrentStreams: requests over the assumed limit wait until the peer\'s first SETTINGS', scoped(async (s) => {
  for (const [label, impl] of [['h2wasm', ours as unknown as Impl]] as const) {
    const { port, seen } = await countingServer(s, 400);
    const client = impl.connect(`http://127.0.0.1:${port}`, { peerMaxConcurrentStreams: 2 });
    client.on('error', () => {});
    const reqs = [0, 1, 2].map(() => client.request({ ':path': '/' }));
    for (const r of reqs) r.on('error', () => {});
    await sleep(250);
    assert.is(seen.headers, 2, `${label}: before the peer's SETTINGS`);
    for (let waited = 0; seen.headers < 3 && waited < 3000; waited += 50) await sleep(50);
    assert.is(seen.headers, 3, `${label}: the SETTINGS had no limit, so the third request went out`);
    client.destroy();
  }
}));

test('maxReservedRemoteStreams: promises beyond the cap are cancelled, the client sees as many pushes as with node:http2', scoped(async (s) => {
  const counts: Record<string, number[]> = {};
  const server = http2.createServer();
  server.on('stream', (stream) => {
    for (let i = 0; i < 4; i++) {
      stream.pushStream({ ':path': `/p${i}` }, (err, push) => {
        if (err) return;
        push.on('error', () => {});
        push.respond({ ':status': 200 });
        push.end(`push ${i}`);
      });
    }
    // The promises all go out before any pushed response, so they are reserved at once.
    setTimeout(() => { stream.respond({ ':status': 200 }); stream.end('main'); }, 50);
  });
  const port = await listen(s, server as unknown as net.Server);
  for (const [label, impl] of IMPLS) {
    for (const cap of [undefined, 1]) {
      const client = impl.connect(`http://127.0.0.1:${port}`, cap === undefined ? {} : { maxReservedRemoteStreams: cap });
      let pushed = 0;
      client.on('stream', (push) => { pushed++; push.on('error', () => {}); push.resume(); });
      const req = client.request({ ':path': '/' });
      assert.is((await within(collect(req), 5000, `${label} main response`)).toString(), 'main');
      await sleep(100);
      (counts[label] ??= []).push(pushed);
      client.close();
    }
  }
  assert.equal(counts['node:http2'], [4, 1]);
  assert.equal(counts.h2wasm, counts['node:http2']);
}));

test('maxSendHeaderBlockLength: an oversized response → stream frameError, RST_STREAM FRAME_SIZE_ERROR; an oversized request → refused, as node:http2', scoped(async (s) => {
  const seen: Record<string, string[]> = {};
  for (const [label, impl] of IMPLS) {
    const log: string[] = (seen[label] = []);
    const server = impl.createServer({ maxSendHeaderBlockLength: 100 });
    server.on('stream', (st) => {
      st.on('frameError', (type, code, id) => log.push(`server frameError ${type} ${code} ${id}`));
      st.on('error', (e: any) => log.push(`server error ${e.code} ${e.message}`));
      st.respond({ ':status': 200, 'x-big': 'y'.repeat(200) });
    });
    const port = await listen(s, server as unknown as net.Server);
    const client = http2.connect(`http://127.0.0.1:${port}`);
    const r = client.request({ ':path': '/' });
    r.on('error', (e: any) => log.push(`peer sees ${e.message}`));
    await new Promise((done) => r.on('close', done));
    log.push(`peer rstCode ${r.rstCode}`);
    client.close();

    const c2 = impl.connect(`http://127.0.0.1:${port}`, { maxSendHeaderBlockLength: 50 });
    const r2 = c2.request({ ':path': '/', 'x-a': 'b'.repeat(60) });
    r2.on('frameError', (type, code, id) => log.push(`client frameError ${type} ${code} ${id}`));
    r2.on('error', (e: any) => log.push(`client error ${e.code} ${e.message}`));
    await new Promise((done) => r2.on('close', done));
    log.push(`client rstCode ${r2.rstCode}`);
    c2.close();
  }
  assert.ok(seen['node:http2'].includes('server frameError 1 6 1'), seen['node:http2'].join('\n'));
  assert.equal(seen.h2wasm, seen['node:http2']);
}));

test('maxDeflateDynamicTableSize: 0 keeps our encoder from indexing (the node:http2 peer\'s inflate table stays empty)', scoped(async (s) => {
  const sizes: number[] = [];
  const server = http2.createServer();
  server.on('stream', (stream) => {
    sizes.push(stream.session!.state.inflateDynamicTableSize!);
    stream.respond({ ':status': 200 });
    stream.end();
  });
  const port = await listen(s, server as unknown as net.Server);
  for (const options of [{}, { maxDeflateDynamicTableSize: 0 }]) {
    const client = ours.connect(`http://127.0.0.1:${port}`, options);
    const r = client.request({ ':path': '/', 'x-custom': 'some value worth indexing' });
    await collect(r);
    client.close();
  }
  assert.ok(sizes[0] > 0, `default: the peer's table holds our fields (${sizes[0]})`);
  assert.is(sizes[1], 0);
}));

test('net and tls options reach the socket: a custom lookup resolves the h2c host; ca and servername verify TLS', scoped(async (s) => {
  const server = ours.createServer().on('stream', (stream) => { stream.respond({ ':status': 200 }); stream.end('via lookup'); });
  const port = await listen(s, server as unknown as net.Server);
  const asked: string[] = [];
  const lookup = ((host: string, opts: { all?: boolean }, cb: (e: null, a: unknown, f?: number) => void) => {
    asked.push(host);
    if (opts.all) cb(null, [{ address: '127.0.0.1', family: 4 }]); // Node 20's family autoselection asks for all
    else cb(null, '127.0.0.1', 4);
  }) as never;
  const client = ours.connect(`http://h2wasm.invalid:${port}`, { lookup });
  s.defer(() => client.close());
  assert.is((await collect(client.request({ ':path': '/' }))).toString(), 'via lookup');
  assert.equal(asked, ['h2wasm.invalid']);

  const { testCerts } = await import('../helpers/certs.ts');
  const certs = testCerts();
  const secure = ours.createSecureServer({ key: certs.key, cert: certs.cert }).on('stream', (stream) => { stream.respond({ ':status': 200 }); stream.end('tls'); });
  const tlsPort = await listen(s, secure as unknown as net.Server);
  const good = ours.connect(`https://127.0.0.1:${tlsPort}`, { ca: certs.ca, servername: 'localhost' });
  s.defer(() => good.close());
  assert.is((await collect(good.request({ ':path': '/' }))).toString(), 'tls');
  assert.is(good.alpnProtocol, 'h2');
  assert.is(good.encrypted, true);
  // Without the CA the certificate does not verify: the session fails with the TLS error.
  const bad = ours.connect(`https://127.0.0.1:${tlsPort}`, { servername: 'localhost' });
  const [err] = await once(bad, 'error');
  assert.is((err as NodeJS.ErrnoException).code, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
}));

test.run();
