// A benchmark server for bench/runtimes.mjs, run in Node, Deno or Bun:
//   <runtime> bench/runtimes/server.mjs <h2wasm|own> [source]
// h2wasm: our node:http2 API from the built package (dist/node.mjs), or with `source` from
// bindings/node/index.ts (Deno and Bun run TypeScript; Node needs --import tsx); own: the
// runtime's node:http2. A 'stream' handler answers 200 `hello world` on every path.
// Prints {"port": n} on stdout once listening; runs until killed.
import process from 'node:process';
import nodeHttp2 from 'node:http2';

const [impl, from] = process.argv.slice(2);
const ours = async () => (await import(from === 'source' ? '../../bindings/node/index.ts' : '../../dist/node.mjs')).default;
const http2 = impl === 'h2wasm' ? await ours() : nodeHttp2;
const HELLO = Buffer.from('hello world');

const server = http2.createServer();
server.on('stream', (stream) => {
  stream.on('error', () => {}); // a client that goes away mid-stream is not the benchmark's concern
  stream.respond({ ':status': 200 });
  stream.end(HELLO);
});
server.on('sessionError', () => {});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`));
