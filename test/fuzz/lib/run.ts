// The fuzz loop shared by the quick test and scripts/fuzz.mjs, and the regression corpus
// (corpus/regressions/*.json: one failing input each, replayed by quick.test.ts).
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { core } from '../../../bindings/core/load.ts';
import { Rng, fromHex, inputSeed, toHex } from './rng.ts';
import { generate, type Strategy } from './gen.ts';
import { runInput, TARGETS, type Failure, type Target } from './oracle.ts';

export const REGRESSIONS = new URL('../corpus/regressions/', import.meta.url);
const STRATEGIES: readonly Strategy[] = ['random', 'mutate', 'structured'];

/** 'hpack-diff': header blocks on which the differential HPACK check failed (hpack-diff.test.ts replays them). */
export interface Case { target: Target | 'hpack-diff'; chunks: Uint8Array[] }
export interface Found extends Case { failure: Failure; seed: number; index: number; strategy: Strategy }

export interface RunStats { inputs: number; octets: number; byTarget: Record<string, number>; memoryGrowth: number }

/** WebAssembly memory may grow while sessions live, but a run must not keep growing it. */
export const MAX_WASM_GROWTH = 64 << 20;

/**
 * Runs inputs of `seed` until `deadline` (performance.now()) or `maxInputs`; `onFound` gets every
 * failure. Input i is fully determined by (seed, i).
 */
export function fuzz(options: { seed: number; deadline: number; maxInputs?: number; onInput?: (index: number) => void; onFound: (f: Found) => void | 'stop' }): RunStats {
  const stats: RunStats = { inputs: 0, octets: 0, byTarget: {}, memoryGrowth: 0 };
  const memory = () => core().exports.memory.buffer.byteLength;
  const before = memory();
  for (let i = 0; (options.maxInputs === undefined || i < options.maxInputs) && performance.now() < options.deadline; i++) {
    options.onInput?.(i);
    const { target, strategy, chunks } = inputOf(options.seed, i);
    const failure = runInput(target, chunks);
    stats.inputs++;
    stats.octets += chunks.reduce((n, c) => n + c.length, 0);
    stats.byTarget[target] = (stats.byTarget[target] ?? 0) + 1;
    if (failure && options.onFound({ target, chunks, failure, seed: options.seed, index: i, strategy }) === 'stop') break;
  }
  stats.memoryGrowth = memory() - before;
  if (stats.memoryGrowth > MAX_WASM_GROWTH) {
    options.onFound({ target: 'server', chunks: [], seed: options.seed, index: -1, strategy: 'random',
      failure: { kind: 'memory', message: `WebAssembly memory grew by ${stats.memoryGrowth} octets over the run` } });
  }
  return stats;
}

/** Input `index` of run `seed`, regenerated (the same on every machine). */
export function inputOf(seed: number, index: number): { target: Target; strategy: Strategy; chunks: Uint8Array[] } {
  const rng = new Rng(inputSeed(seed, index));
  const target = TARGETS[index % TARGETS.length];
  const strategy = rng.pick(STRATEGIES);
  return { target, strategy, chunks: generate(rng, target, strategy) };
}

/** Saves a failing input as a regression case; returns its file name. */
export function saveRegression(c: Case, failure: { kind: string; message: string }, note: string): string {
  mkdirSync(REGRESSIONS, { recursive: true });
  const chunks = c.chunks.map(toHex);
  const id = createHash('sha256').update(c.target + chunks.join(',')).digest('hex').slice(0, 12);
  const name = `${c.target}-${failure.kind}-${id}.json`;
  writeFileSync(new URL(name, REGRESSIONS), JSON.stringify({ target: c.target, note, failure: failure.message.split('\n')[0], chunks }, null, 1) + '\n');
  return name;
}

export function loadRegressions(): Array<Case & { name: string }> {
  let names: string[] = [];
  try { names = readdirSync(REGRESSIONS).filter((f) => f.endsWith('.json')).sort(); } catch { /* none yet */ }
  return names.map((name) => {
    const j = JSON.parse(readFileSync(new URL(name, REGRESSIONS), 'utf8')) as { target: Case['target']; chunks: string[] };
    return { name, target: j.target, chunks: j.chunks.map(fromHex) };
  });
}
