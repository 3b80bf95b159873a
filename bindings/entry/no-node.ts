// Stands in for bindings/fetch/node.ts in the browser and workerd bundles (rollup.config.mjs
// swaps it in): those bundles must not name any node:* module, and there is no Node listener
// or socket to fall back on — serve() and fetch need options.transport / options.connect.
import type { Transport } from '../transport/types.ts';

export const isNode = false;

const unavailable = (what: string) =>
  new TypeError(`h2wasm: ${what} needs Node; here give options.transport (or options.connect)`);

export function socketTransport(): Transport { throw unavailable('a node:net socket'); }
export async function nodeListen(): Promise<never> { throw unavailable('listening on a port'); }
export async function nodeConnect(): Promise<never> { throw unavailable('opening a TCP connection'); }
export interface NodeListener { addr: { hostname: string; port: number; transport: 'tcp' }; close(): Promise<void> }
