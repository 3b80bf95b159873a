// Checks every implementation's output before anything is timed: decoded fields must
// reproduce the workload's checksum, and each encoder's blocks, decoded by one reference
// decoder, must give back the input header lists.
import { join } from 'node:path';
import { runWorker } from './spawn.mjs';

/** Compares a worker's {fields, octets, checksum}; the core variant only reports fields. */
export function same(got, want) {
  if (got.fields !== want.fields) return `${got.fields} fields, expected ${want.fields}`;
  if (got.checksum !== null && (got.checksum !== want.checksum || got.octets !== want.octets)) {
    return `checksum ${got.checksum}/${got.octets} octets, expected ${want.checksum}/${want.octets}`;
  }
  return null;
}

/**
 * @returns {{failed: Set<string>, encodedBytes: Record<string, number>, reference: string}}
 *   failed holds "variant/figure" keys whose output was wrong.
 */
export function verifyAll(impls, workload, outDir, log) {
  const failed = new Set();
  const encodedBytes = {};
  const fail = (key, why) => { failed.add(key); log(`  MISMATCH ${key}: ${why}`); };
  // nghttp2 is the reference decoder for encoded output; hpack.js stands in without it.
  const reference = impls.find((i) => i.name === 'nghttp2' && i.command) ?? impls.find((i) => i.name === 'hpack.js' && i.command);

  for (const impl of impls.filter((i) => i.command)) {
    try {
      verifyOne(impl);
    } catch (err) {
      log(`  ${impl.name} failed: ${err.message}`);
      impl.missing = `its worker failed during verification (${err.message.split('\n')[0]})`;
      impl.command = null;
    }
  }
  return { failed, encodedBytes, reference: reference?.name };

  function verifyOne(impl) {
    for (const figure of ['decode', 'huffman']) {
      const res = Object.entries(runWorker(impl.command, ['checksum', workload.files[figure]]));
      for (const [variant, got] of res) {
        const why = same(got, workload.expect[figure]);
        if (why) fail(`${variant}/${figure}`, why);
        else log(`  ${variant} ${figure}: ${got.fields} fields, checksum ${got.checksum ?? '(count only)'} ok`);
      }
      // A count-only variant's content is vouched for by its sibling on the same decoder.
      if (res.some(([v]) => failed.has(`${v}/${figure}`))) {
        for (const [variant, got] of res) {
          if (got.checksum === null && !failed.has(`${variant}/${figure}`)) fail(`${variant}/${figure}`, 'its sibling variant decoded wrongly');
        }
      }
    }
    const encoded = runWorker(impl.command, ['encode', workload.files.encode, outDir]);
    for (const [variant, { bytes }] of Object.entries(encoded)) {
      const file = join(outDir, `encoded-${variant}.bin`); // where every worker writes it
      if (!reference) { fail(`${variant}/encode`, 'no reference decoder available'); continue; }
      const [got] = Object.values(runWorker(reference.command, ['checksum', file]));
      const why = same(got, workload.expect.encode);
      if (why) fail(`${variant}/encode`, `decoded by ${reference.name}: ${why}`);
      else log(`  ${variant} encode: ${bytes} octets, decoded by ${reference.name}: checksum ${got.checksum} ok`);
      encodedBytes[variant] = bytes;
    }
  }
}
