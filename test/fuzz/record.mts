// Records real conversations as fuzz seeds (run by hand; the output is committed):
//   node --import tsx test/fuzz/record.mts   (.mts: not a uvu test file)
// server-*.hex: what a node:http2 client sent to our server Session; client-*.hex: what a
// node:http2 server sent to our client Session. One line per chunk as it arrived on the socket.
import http2 from 'node:http2';
import net from 'node:net';
import { writeFileSync } from 'node:fs';
import { Session } from '../../bindings/core/index.ts';
import { toHex } from './lib/rng.ts';

const OUT = new URL('./corpus/seeds/', import.meta.url);
const save = (name: string, chunks: Uint8Array[]) => {
  writeFileSync(new URL(name, OUT), chunks.map(toHex).join('\n') + '\n');
  console.log(`${name}: ${chunks.length} chunks, ${chunks.reduce((n, c) => n + c.length, 0)} octets`);
};

/** Our server Session on a socket, answering every request; records what arrives. */
async function recordServer(name: string, script: (client: http2.ClientHttp2Session) => Promise<void>) {
  const chunks: Uint8Array[] = [];
  const server = net.createServer((sock) => {
    const s = new Session({ role: 'server' });
    sock.on('data', (d: Buffer) => {
      chunks.push(new Uint8Array(d));
      for (const e of s.receive(d)) {
        if (e.type === 'request') {
          const path = e.headers.find(([n]) => n === ':path')?.[1] ?? '/';
          s.respond(e.streamId, [[':status', '200'], ['x-path', path]]);
          s.data(e.streamId, new TextEncoder().encode(`hello ${path}`), { endStream: !path.includes('trailers') });
          if (path.includes('trailers')) s.trailers(e.streamId, [['x-done', '1']]);
        } else if (e.type === 'data') s.consume(e.streamId, e.bytes.length);
      }
      for (const c of s.pull()) sock.write(c);
    });
    sock.on('close', () => s.destroy());
    sock.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const client = http2.connect(`http://127.0.0.1:${(server.address() as net.AddressInfo).port}`);
  await script(client);
  await new Promise<void>((r) => client.close(() => r()));
  server.close();
  save(name, chunks);
}

const get = (c: http2.ClientHttp2Session, path: string, body?: string, headers: http2.OutgoingHttpHeaders = {}) => new Promise<void>((resolve, reject) => {
  const req = c.request({ ':path': path, ':method': body ? 'POST' : 'GET', ...headers });
  req.on('error', reject);
  req.resume();
  req.on('end', resolve);
  if (body) req.end(body); else req.end();
});

/** Our client Session against a node:http2 server; records what the server sends. */
async function recordClient(name: string, paths: string[], serverOptions: http2.ServerOptions = {}) {
  const server = http2.createServer(serverOptions, (req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url.includes('push') && res.stream.pushAllowed) {
        res.stream.pushStream({ ':path': '/pushed.css' }, (err, push) => { if (!err) push.respond({ ':status': 200 }); push?.end('p{}'); });
      }
      res.setHeader('content-type', 'text/plain');
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      if (req.url.includes('trailers')) res.addTrailers({ 'x-checksum': 'abc' });
      res.end('x'.repeat(req.url.includes('big') ? 5000 : 20));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const chunks: Uint8Array[] = [];
  const sock = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  const s = new Session({ role: 'client', settings: { enablePush: true } });
  let open = 0;
  for (const p of paths) {
    const big = p.includes('upload');
    const id = s.request([[':method', big ? 'POST' : 'GET'], [':scheme', 'http'], [':authority', 'localhost'], [':path', p]], { endStream: !big });
    if (big) s.data(id, new Uint8Array(5000).fill(0x41), { endStream: true });
    open++;
  }
  await new Promise<void>((resolve) => {
    sock.on('connect', () => { for (const c of s.pull()) sock.write(c); });
    sock.on('data', (d: Buffer) => {
      chunks.push(new Uint8Array(d));
      for (const e of s.receive(d)) {
        if (e.type === 'data') s.consume(e.streamId, e.bytes.length);
        if ((e.type === 'stream-end' || e.type === 'reset') && e.streamId % 2 === 1 && --open === 0) setTimeout(resolve, 50);
      }
      for (const c of s.pull()) sock.write(c);
    });
  });
  sock.destroy();
  s.destroy();
  server.close();
  save(name, chunks);
}

await recordServer('server-node-client-get.hex', async (c) => {
  await get(c, '/');
  await Promise.all([get(c, '/a?x=1', undefined, { 'user-agent': 'fuzz', cookie: 'k=v; z=1' }), get(c, '/b'), get(c, '/c')]);
});
await recordServer('server-node-client-post.hex', async (c) => {
  await get(c, '/upload', 'y'.repeat(5000), { 'content-type': 'application/octet-stream' });
  await get(c, '/trailers');
  c.ping(() => {});
  c.settings({ initialWindowSize: 1 << 20, headerTableSize: 1024 });
  await get(c, '/after-settings');
});
await recordClient('client-node-server-get.hex', ['/', '/a', '/trailers', '/big']);
await recordClient('client-node-server-push.hex', ['/push', '/upload']);
