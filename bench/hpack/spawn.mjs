// Runs one worker process and returns the JSON object it prints; its stderr passes through.
import { spawnSync } from 'node:child_process';

export function runWorker(command, args) {
  const r = spawnSync(command[0], [...command.slice(1), ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 16 << 20,
  });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${command.join(' ')} ${args[0]} exited with ${r.status ?? r.signal}`);
  return JSON.parse(r.stdout);
}
