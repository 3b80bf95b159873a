// node:http2-API checks of the installed package's root entry (`h2wasm`), run by host.mjs and
// host.cjs: a real exchange over loopback sockets in both roles, with the runtime's own
// node:http2 as the peer. Returns one result per check, like checks.mjs.
import http2 from 'node:http2';
import { createHash } from 'node:crypto';

const sha = (b) => createHash('sha256').update(b).digest('hex');
const within = (p, ms, what) => Promise.race([
  p, new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms).unref?.()),
]);

function collect(stream) {
  return new Promise((resolve, reject) => {
    const parts = [];
    stream.on('data', (d) => parts.push(d));
    stream.on('end', () => resolve(Buffer.concat(parts)));
    stream.on('error', reject);
  });
}

function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server.address().port));
  });
}

/** Our server, the runtime's node:http2 client: a POST echoed back as its hash. */
async function ourServer(ours) {
  const server = ours.createServer();
  server.on('stream', (stream, headers) => {
    collect(stream).then((body) => {
      stream.respond({ ':status': 200, 'x-method': headers[':method'] });
      stream.end(sha(body));
    });
  });
  const port = await listen(server);
  const client = http2.connect(`http://127.0.0.1:${port}`);
  try {
    const body = Buffer.alloc(300_000, 7);
    const req = client.request({ ':method': 'POST', ':path': '/' });
    req.end(body);
    const [headers, answer] = await Promise.all([new Promise((r) => req.once('response', r)), collect(req)]);
    if (headers[':status'] !== 200 || headers['x-method'] !== 'POST') throw new Error(`response headers ${JSON.stringify(headers)}`);
    if (answer.toString() !== sha(body)) throw new Error(`body hash ${answer} ≠ ${sha(body)}`);
  } finally {
    client.close();
    await new Promise((r) => server.close(r));
  }
}

/** Our client, the runtime's node:http2 server: GET with trailers in the response. */
async function ourClient(ours) {
  const server = http2.createServer();
  server.on('stream', (stream, headers) => {
    stream.respond({ ':status': 200 }, { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers({ 'x-path': headers[':path'] }));
    stream.end('hello from the peer');
  });
  const port = await listen(server);
  const client = ours.connect(`http://127.0.0.1:${port}`);
  try {
    const req = client.request({ ':path': '/x' });
    const trailers = new Promise((r) => req.once('trailers', r));
    const [headers, body] = await Promise.all([new Promise((r) => req.once('response', r)), collect(req)]);
    if (headers[':status'] !== 200) throw new Error(`status ${headers[':status']}`);
    if (body.toString() !== 'hello from the peer') throw new Error(`body ${JSON.stringify(body.toString())}`);
    if ((await trailers)['x-path'] !== '/x') throw new Error('trailers missing');
  } finally {
    client.close();
    await new Promise((r) => server.close(r));
  }
}

export async function runNodeApiChecks(ours) {
  const results = [];
  const check = async (name, fn) => {
    try {
      await within(fn(), 20_000, name);
      results.push({ name, ok: true, error: null });
    } catch (err) {
      results.push({ name, ok: false, error: String(err?.stack ?? err) });
    }
  };
  await check('h2wasm exports the node:http2 API', async () => {
    for (const name of ['createServer', 'createSecureServer', 'connect', 'getDefaultSettings', 'getPackedSettings', 'getUnpackedSettings']) {
      if (typeof ours[name] !== 'function') throw new Error(`${name} is ${typeof ours[name]}`);
      if (ours.default && ours.default[name] !== ours[name]) throw new Error(`default.${name} differs`);
    }
    if (ours.constants.NGHTTP2_REFUSED_STREAM !== 7) throw new Error('constants');
  });
  await check('h2wasm server ← node:http2 client over a socket (POST 300 kB, hash)', () => ourServer(ours));
  await check('h2wasm client → node:http2 server over a socket (GET, trailers)', () => ourClient(ours));
  return results;
}
