// One client run: `node run.mjs <node:http2|h2wasm> PORT N INFLIGHT` — N GETs of / over one
// session, INFLIGHT at a time; prints one JSON line { reqPerS, bytes } (bytes: body octets seen).
import nodeHttp2 from 'node:http2';

const [impl, port, n, inflight] = process.argv.slice(2);
const http2 = impl === 'h2wasm' ? (await import('../../dist/node.mjs')).default : nodeHttp2;
const total = Number(n);
const client = http2.connect(`http://127.0.0.1:${port}`);
await new Promise((r, j) => { client.once('remoteSettings', r); client.once('error', j); });
let started = 0;
let done = 0;
let bytes = 0;
const t0 = performance.now();
await new Promise((resolve, reject) => {
  const next = () => {
    if (started >= total) return;
    started++;
    const req = client.request({ ':path': '/' });
    req.on('data', (d) => { bytes += d.length; });
    req.on('error', reject);
    req.on('end', () => {
      if (++done === total) resolve();
      else next();
    });
  };
  for (let i = 0; i < Number(inflight); i++) next();
});
const seconds = (performance.now() - t0) / 1000;
client.close();
process.stdout.write(JSON.stringify({ reqPerS: total / seconds, bytes }) + '\n');
