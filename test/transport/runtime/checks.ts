// Checks shared by the Deno and Bun scripts: each takes a connected pair of transports.
import type { Transport } from '../../../bindings/transport/types.ts';
import { KiB, MiB, chunkAt, hashOf, within } from '../lib/bytes.ts';
import { closeBoth, h2Exchange } from '../lib/h2.ts';
import { pump } from '../lib/pump.ts';

export type Pair = () => Promise<[Transport, Transport]>;

/** `total` bytes from `from` to a slow reader at the other end. */
export async function pumpCheck(pair: Pair, o: { total: number; chunk: number; reverse?: boolean }) {
  const [client, server] = await pair();
  const [w, r] = o.reverse ? [server, client] : [client, server];
  try {
    const res = await pump(w, r, { total: o.total, chunk: o.chunk, pauseEvery: 4 * MiB, pauseMs: 40 });
    return { ...res, chunk: o.chunk, highWaterMark: (w as { highWaterMark?: number }).highWaterMark ?? null,
      clientAlpn: client.alpnProtocol ?? null, serverAlpn: server.alpnProtocol ?? null };
  } finally {
    await closeBoth(client, server);
  }
}

export async function h2Check(pair: Pair, body = 4 * MiB) {
  const [client, server] = await pair();
  try {
    return await h2Exchange(client, server, { body, slowMs: 3 });
  } finally {
    await closeBoth(client, server);
  }
}

/**
 * The reader keeps the chunks it was given and hashes them only at the end: a runtime that
 * reuses its read buffer would change chunks already delivered.
 */
export async function retainCheck(pair: Pair, total = 8 * MiB) {
  const [client, server] = await pair();
  try {
    const kept: Uint8Array[] = [];
    let n = 0;
    const all = new Promise<void>((r) => server.on('data', (c) => { kept.push(c); if ((n += c.length) >= total) r(); }));
    const sent: Uint8Array[] = [];
    let drained: (() => void) | undefined;
    client.on('drain', () => { const d = drained; drained = undefined; d?.(); });
    const write = async () => {
      for (let i = 0, at = 0; at < total; i++) {
        const c = chunkAt(i, Math.min(16 * KiB, total - at));
        at += c.length;
        sent.push(c);
        if (!client.write(c)) await new Promise<void>((r) => { drained = r; });
      }
    };
    await within(Promise.all([write(), all]), 20_000, 'retained chunks');
    return { chunks: kept.length, sentHash: hashOf(...sent), keptHash: hashOf(...kept) };
  } finally {
    await closeBoth(client, server);
  }
}

/** Runs named checks one after the other; each result or its error goes into one JSON line. */
export async function runChecks(checks: Record<string, () => Promise<unknown>>): Promise<void> {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(checks)) {
    try {
      out[name] = await fn();
    } catch (e) {
      out[name] = { error: e instanceof Error ? `${e.message}\n${e.stack}` : String(e) };
    }
  }
  console.log(JSON.stringify(out));
}

export { KiB, MiB };
