// Generates assembly/proto/stream-fsm.gen.ts, the RFC 9113 §5.1 stream state machine as a
// flat table, from the readable table in scripts/data/stream-fsm.txt. --check: fail if stale.
import { readFileSync } from 'node:fs';
import { writeGenerated } from './lib/generated.mjs';

const STATES = ['idle', 'reserved_local', 'reserved_remote', 'open', 'half_closed_local', 'half_closed_remote', 'closed'];
const INPUTS = ['SEND_HEADERS', 'SEND_PUSH_PROMISE', 'SEND_DATA', 'SEND_END_STREAM', 'SEND_RST_STREAM',
  'SEND_WINDOW_UPDATE', 'SEND_PRIORITY', 'RECV_HEADERS', 'RECV_PUSH_PROMISE', 'RECV_DATA', 'RECV_END_STREAM',
  'RECV_RST_STREAM', 'RECV_WINDOW_UPDATE', 'RECV_PRIORITY'];
const EFFECTS = ['OK', 'IGNORE', 'LOCAL_ERROR', 'STREAM_CLOSED', 'PROTOCOL_ERROR', 'CLOSED_CHECK'];

const table = new Array(STATES.length * INPUTS.length).fill(null);
const rows = readFileSync(new URL('./data/stream-fsm.txt', import.meta.url), 'utf8').split('\n')
  .map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
for (const row of rows) {
  const [state, input, next, effect] = row.split(/\s+/);
  const s = STATES.indexOf(state), i = INPUTS.indexOf(input);
  const n = next === '-' ? s : STATES.indexOf(next), e = EFFECTS.indexOf(effect);
  if (s < 0 || i < 0 || n < 0 || e < 0) throw new Error(`bad row: ${row}`);
  if (table[s * INPUTS.length + i] !== null) throw new Error(`duplicate row: ${row}`);
  table[s * INPUTS.length + i] = (e << 8) | n;
}
const missing = table.findIndex((x) => x === null);
if (missing >= 0) throw new Error(`no row for ${STATES[Math.floor(missing / INPUTS.length)]} × ${INPUTS[missing % INPUTS.length]}`);

const consts = (names, prefix) => names.map((n, i) => `export const ${prefix}${n.toUpperCase()}: u32 = ${i};`).join('\n');
const lines = STATES.map((s, si) => `  ${table.slice(si * INPUTS.length, (si + 1) * INPUTS.length).map((v) => '0x' + v.toString(16).padStart(3, '0')).join(', ')}, // ${s}`);
writeGenerated(new URL('../assembly/proto/stream-fsm.gen.ts', import.meta.url), 'scripts/gen-fsm.mjs', `
// RFC 9113 §5.1, from scripts/data/stream-fsm.txt. Entry = effect << 8 | next state.
${consts(INPUTS, 'INPUT_')}
export const INPUT_COUNT: u32 = ${INPUTS.length};
${consts(EFFECTS, 'EFFECT_')}
export const STREAM_FSM: usize = memory.data<u16>([
${lines.join('\n')}
]);
`);
