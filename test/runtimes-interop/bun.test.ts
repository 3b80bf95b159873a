// Bun: our node:http2 API (bindings/node, on Bun's node:net / node:tls) in both roles against
// node:http2 and nghttpd, h2c and TLS; h2wasm/fetch on Bun's own sockets (bun.ts) both ends and
// against node:http2. What runs where: lib/suite.ts.
import { runtimeSuite } from './lib/suite.ts';

runtimeSuite('bun');
