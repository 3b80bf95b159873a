// CPU-time loop for the node workers: whole passes over the workload until `seconds` of
// process CPU time (user + system, so GC and JIT threads count) have been spent.
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };

// Yield between passes so deferred work (stream ticks, finalizers) runs inside the
// measured time instead of piling up.
const breathe = () => new Promise((resolve) => setImmediate(resolve));

async function loop(pass, seconds) {
  const start = cpu();
  let passes = 0;
  let spent = 0;
  do {
    pass();
    passes++;
    await breathe();
    spent = cpu() - start;
  } while (spent < seconds);
  return { passes, cpu: spent };
}

/** Warm up (JIT tiers, caches) untimed, then time. */
export async function timePasses(pass, seconds, warmup) {
  if (warmup > 0) await loop(pass, warmup);
  return loop(pass, seconds);
}
