// A fixed slot where calls leave extra results (AssemblyScript has no multi-value returns):
// JS reads it through its memory view after the call, saving one export call per value.
export const RESULT: usize = memory.data(32);

// @ts-ignore: decorator
@inline export function setResult(i: u32, v: u32): void { store<u32>(RESULT + (<usize>i << 2), v); }
