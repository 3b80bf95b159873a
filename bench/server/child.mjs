// A benchmark server process: `node child.mjs <node:http2|h2wasm> <core|compat>`.
// Answers `hello world` (200) on every path but /big, which gets a 1 MiB body. Started by
// bench/server.mjs over IPC: it reports its port, and its RSS (after a GC) when asked.
import nodeHttp2 from 'node:http2';

const [impl, api] = process.argv.slice(2);
const http2 = impl === 'h2wasm' ? (await import('../../dist/node.mjs')).default : nodeHttp2;
const HELLO = Buffer.from('hello world');
const BIG = Buffer.alloc(1 << 20, 'x');

const server = api === 'compat'
  ? http2.createServer((req, res) => {
    res.statusCode = 200;
    res.end(req.url === '/big' ? BIG : HELLO);
  })
  : http2.createServer();
if (api !== 'compat') {
  server.on('stream', (stream, headers) => {
    stream.respond({ ':status': 200 });
    stream.end(headers[':path'] === '/big' ? BIG : HELLO);
  });
}
// As many streams as the client asks for: both servers default to 100 concurrent streams at most.
server.on('sessionError', () => {});
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', (m) => {
  if (m === 'rss') {
    globalThis.gc?.();
    setTimeout(() => { globalThis.gc?.(); process.send({ rss: process.memoryUsage().rss }); }, 200);
  } else if (m === 'exit') server.close(() => process.exit(0));
});
