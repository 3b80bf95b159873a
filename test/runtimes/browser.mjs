// Host for the browser: the page's import map points 'h2wasm/hpack' at the package's
// "browser" build. Results land in window.__h2wasmChecks, which run.mjs reads.
import { runChecks } from './checks.mjs';

async function main() {
  const started = performance.now();
  const results = [];
  let resolved = null;
  try {
    resolved = import.meta.resolve('h2wasm/hpack');
  } catch (err) {
    resolved = `(import.meta.resolve failed: ${err?.message ?? err})`;
  }
  let hpack = null;
  try {
    hpack = await import('h2wasm/hpack');
    results.push({ name: "import 'h2wasm/hpack'", ok: true, error: null });
  } catch (err) {
    results.push({ name: "import 'h2wasm/hpack'", ok: false, error: String(err?.stack ?? err) });
  }
  if (hpack) {
    const response = await fetch(new URL('./data.json', import.meta.url));
    results.push(...runChecks(hpack, await response.json()));
  }
  return { runtime: navigator.userAgent, resolved, ms: Math.round(performance.now() - started), results };
}

main().then(
  (report) => { window.__h2wasmChecks = report; },
  (err) => { window.__h2wasmChecks = { error: String(err?.stack ?? err) }; },
);
