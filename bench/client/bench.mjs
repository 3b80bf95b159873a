// The client benchmark's rounds, shared by bench/client.mjs and bench/server.mjs.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';

const RUN = fileURLToPath(new URL('./run.mjs', import.meta.url));
const IMPLS = ['node:http2', 'h2wasm'];
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

async function waitForPort(port) {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise((r) => { const c = net.connect(port, '127.0.0.1', () => { c.destroy(); r(true); }); c.on('error', () => r(false)); });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nghttpd did not listen on ${port}`);
}

export async function runClientBench({ rounds, requests, log }) {
  if (spawnSync('nghttpd', ['--version']).status !== 0) throw new Error('nghttpd is missing (apt-get install nghttp2-server)');
  const pin = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
  const dir = mkdtempSync(join(tmpdir(), 'h2wasm-client-bench-'));
  writeFileSync(join(dir, 'index.html'), 'hello world');
  const port = await freePort();
  const argv = ['--no-tls', '-d', dir, String(port)];
  const server = pin ? spawn('taskset', ['-c', '0', 'nghttpd', ...argv], { stdio: 'ignore' }) : spawn('nghttpd', argv, { stdio: 'ignore' });
  const figures = { 'node:http2': [], h2wasm: [] };
  try {
    await waitForPort(port);
    for (let round = 1; round <= rounds; round++) {
      for (const impl of round % 2 ? IMPLS : [...IMPLS].reverse()) {
        const cmd = [RUN, impl, String(port), String(requests), '100'];
        const r = pin ? spawnSync('taskset', ['-c', '1', process.execPath, ...cmd], { encoding: 'utf8' }) : spawnSync(process.execPath, cmd, { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`${impl} client failed: ${r.stderr}`);
        const { reqPerS, bytes } = JSON.parse(r.stdout);
        if (bytes !== requests * 11) throw new Error(`${impl} client read ${bytes} body octets, not ${requests * 11}`);
        figures[impl].push(reqPerS);
        log(`round ${round} client ${impl.padEnd(10)} ${Math.round(reqPerS)} req/s`);
      }
    }
  } finally {
    server.kill();
    rmSync(dir, { recursive: true, force: true });
  }
  return Object.fromEntries(IMPLS.map((impl) => [impl, Math.round(median(figures[impl]))]));
}
