// Generates the HPACK static table (RFC 7541 Appendix A, scripts/data/rfc7541-static-table.tsv)
// for the core (assembly/hpack/static-table.gen.ts) and the bindings
// (bindings/core/static-table.gen.ts). Run with --check to fail when either is stale.
import { readFileSync } from 'node:fs';
import { writeGenerated } from './lib/generated.mjs';

const rows = readFileSync(new URL('./data/rfc7541-static-table.tsv', import.meta.url), 'utf8')
  .split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split('\t'));
if (rows.length !== 61) throw new Error(`expected 61 entries, got ${rows.length}`);
const names = [''], values = [''];
rows.forEach((r, i) => {
  if (+r[0] !== i + 1) throw new Error(`row ${i + 1} has index ${r[0]}`);
  names.push(r[1]); values.push(r[2] ?? '');
});

// One byte string holding every name then every value; entries point into it.
let bytes = '';
const nameOff = [0], nameLen = [0], valueOff = [0], valueLen = [0], nameFirst = [0];
for (let i = 1; i <= 61; i++) {
  const first = names.indexOf(names[i]);
  nameFirst.push(first);
  if (first === i) { nameOff.push(bytes.length); bytes += names[i]; } else nameOff.push(nameOff[first]);
  nameLen.push(names[i].length);
}
for (let i = 1; i <= 61; i++) { valueOff.push(bytes.length); valueLen.push(values[i].length); bytes += values[i]; }

// Name lookup: FNV-1a of the name, open addressing over 128 slots → first index with that name.
// assembly/hpack/static-table.ts computes the same hash.
const fnv = (s) => { let h = 0x811c9dc5; for (const c of s) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0; return h; };
const slots = new Array(128).fill(0);
for (let i = 1; i <= 61; i++) {
  if (nameFirst[i] !== i) continue;
  let s = fnv(names[i]) & 127;
  while (slots[s]) s = (s + 1) & 127;
  slots[s] = i;
}

const list = (a, per = 16) => a.map((v, i) => (i % per === 0 ? '\n  ' : ' ') + v + ',').join('');
writeGenerated(new URL('../assembly/hpack/static-table.gen.ts', import.meta.url), 'scripts/gen-static-table.mjs', `
// RFC 7541 Appendix A. Index 0 is unused; entries sharing a name are consecutive.
export const STATIC_TABLE_LENGTH: u32 = 61;
export const STATIC_BYTES: usize = memory.data<u8>([${list([...bytes].map((c) => c.charCodeAt(0)), 24)}
]);
export const STATIC_NAME_OFFSET: usize = memory.data<u16>([${list(nameOff)}
]);
export const STATIC_NAME_LENGTH: usize = memory.data<u8>([${list(nameLen)}
]);
export const STATIC_VALUE_OFFSET: usize = memory.data<u16>([${list(valueOff)}
]);
export const STATIC_VALUE_LENGTH: usize = memory.data<u8>([${list(valueLen)}
]);
// The first index carrying the same name (so equal names compare as equal numbers).
export const STATIC_NAME_FIRST: usize = memory.data<u8>([${list(nameFirst)}
]);
// FNV-1a(name) & 127, linear probing → first index with that name; 0 = empty slot.
export const STATIC_NAME_SLOTS: usize = memory.data<u8>([${list(slots, 32)}
]);
`);
writeGenerated(new URL('../bindings/core/static-table.gen.ts', import.meta.url), 'scripts/gen-static-table.mjs', `
// RFC 7541 Appendix A. Index 0 is unused.
export const STATIC_NAMES: readonly string[] = ${JSON.stringify(names)};
export const STATIC_VALUES: readonly string[] = ${JSON.stringify(values)};
`);
