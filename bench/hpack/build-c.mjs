// Builds the nghttp2 worker into bench/.out/ with the system C compiler on first run (and
// when a source is newer). Returns the binary's path, or null with the reason when
// libnghttp2's headers or library are missing.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const SRC = fileURLToPath(new URL('./c/', import.meta.url));

export function buildNghttp2Worker(outDir) {
  const bin = join(outDir, 'worker-nghttp2');
  const sources = readdirSync(SRC).map((f) => join(SRC, f));
  const stale = !existsSync(bin) || sources.some((f) => statSync(f).mtimeMs > statSync(bin).mtimeMs);
  if (!stale) return { bin };
  const args = ['-O2', '-Wall', '-o', bin, ...sources.filter((f) => f.endsWith('.c')), '-lnghttp2'];
  const r = spawnSync('cc', args, { encoding: 'utf8' });
  if (r.error) return { bin: null, reason: `no C compiler (${r.error.code})` };
  if (r.status !== 0) {
    const missing = /nghttp2\.h|lnghttp2/.test(r.stderr);
    return {
      bin: null,
      reason: missing
        ? 'libnghttp2 headers or library not found (apt-get install -y libnghttp2-dev)'
        : `cc failed:\n${r.stderr}`,
    };
  }
  return { bin };
}
