// Helpers for examples.test.ts: the reference's examples run against either implementation
// (h2wasm's bindings/node or node:http2 itself), with their console output captured.
import http2 from 'node:http2';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { format } from 'node:util';
import ours from '../../../bindings/node/index.ts';
import { testCerts } from '../../helpers/certs.ts';
import { HOST, type Scope } from '../../interop/helpers/util.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type H2 = any;

/** Both implementations: each example runs on ours and on node:http2, and the outputs are compared. */
export const IMPLS: Array<[string, H2]> = [['h2wasm', ours], ['node:http2', http2]];

/** A console stand-in for an example: what it logs (console.error lines prefixed with ERROR). */
export function capture() {
  const lines: string[] = [];
  return {
    lines,
    log: (...args: unknown[]) => { lines.push(format(...args)); },
    error: (...args: unknown[]) => { lines.push(`ERROR ${format(...args)}`); },
  };
}
export type Console = ReturnType<typeof capture>;

/**
 * Resolves once `cond()` holds, polling; rejects after `ms`. Bounded on purpose: a poll that
 * outlived its timed-out test would keep the process (and the whole uvu run) alive.
 */
export async function until(cond: () => boolean, what: string | (() => string), ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`gave up after ${ms} ms waiting for ${typeof what === 'function' ? what() : what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Resolves with what an example logged once it has logged `n` lines. */
export async function lines(out: Console, n: number): Promise<string[]> {
  await until(() => out.lines.length >= n, () => `${n} logged lines (have ${JSON.stringify(out.lines)})`);
  return out.lines;
}

/** An HTTP date (as in a `date` header or util.inspect of one) replaced by a placeholder. */
export const normDate = (s: string) => s.replace(/[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT/g, '<date>');

/** A temporary directory, removed at the end of the test. */
export function tempDir(s: Scope): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'h2wasm-examples-'));
  s.defer(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The test certificates written as the PEM files the examples read. */
export function certFiles(s: Scope) {
  const dir = tempDir(s);
  const { ca, cert, key } = testCerts();
  const files = { key: path.join(dir, 'localhost-privkey.pem'), cert: path.join(dir, 'localhost-cert.pem'), ca: path.join(dir, 'ca.pem') };
  fs.writeFileSync(files.key, key);
  fs.writeFileSync(files.cert, cert);
  fs.writeFileSync(files.ca, ca);
  return files;
}

/** A client session of `h2` to 127.0.0.1:port, destroyed at the end of the test; errors recorded. */
export function connectTo(s: Scope, h2: H2, port: number, secure = false, options: object = {}) {
  const url = `${secure ? 'https' : 'http'}://${HOST}:${port}`;
  const client = h2.connect(url, secure ? { ca: testCerts().ca, ...options } : options);
  const errors: Error[] = [];
  client.on('error', (err: Error) => errors.push(err));
  s.defer(() => { if (!client.destroyed) client.destroy(); });
  return Object.assign(client, { errors });
}

export interface Reply {
  headers: Record<string, unknown>;
  rawHeaders: string[];
  infos: Array<Record<string, unknown>>;
  body: string;
  trailers: Record<string, unknown> | undefined;
  rstCode: number | undefined;
}

/** One request on `client`; resolves on the stream's 'close' with what came back. */
export function exchange(client: H2, headers: object = { ':path': '/' }, body?: string | Buffer, options?: object): Promise<Reply> {
  return new Promise((resolve) => {
    const req = client.request(headers, options);
    const reply: Reply = { headers: {}, rawHeaders: [], infos: [], body: '', trailers: undefined, rstCode: undefined };
    req.setEncoding('utf8');
    req.on('response', (h: Record<string, unknown>, _f: number, raw: string[]) => { reply.headers = h; reply.rawHeaders = raw; });
    req.on('headers', (h: Record<string, unknown>) => reply.infos.push(h));
    req.on('trailers', (h: Record<string, unknown>) => { reply.trailers = h; });
    req.on('data', (d: string) => { reply.body += d; });
    req.on('error', () => { /* the rstCode tells */ });
    req.on('close', () => { reply.rstCode = req.rstCode; resolve(reply); });
    req.end(body);
  });
}

/** One request from a fresh node:http2 client to 127.0.0.1:port; the client is closed after. */
export async function fetchOnce(s: Scope, port: number, headers: object = { ':path': '/' }, secure = false): Promise<Reply> {
  const client = connectTo(s, http2, port, secure);
  const reply = await exchange(client, headers);
  client.close();
  return reply;
}
