// Generates bindings/node/constants.gen.ts: node:http2's `constants` (NGHTTP2_*, HTTP2_HEADER_*,
// HTTP2_METHOD_*, HTTP_STATUS_*, padding strategies), read from the running Node, so our
// drop-in carries the very same names and numbers. --check: fail if the file is stale.
import http2 from 'node:http2';
import { writeGenerated } from './lib/generated.mjs';

const entries = Object.entries(http2.constants).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
const lines = entries.map(([k, v]) => `  ${k}: ${JSON.stringify(v)},`);
writeGenerated(new URL('../bindings/node/constants.gen.ts', import.meta.url), 'scripts/gen-node-constants.mjs', `
// node:http2 constants (${entries.length} entries) as Node ${process.versions.node.split('.')[0]} defines them.
export const constants = {
${lines.join('\n')}
} as const;
`);
