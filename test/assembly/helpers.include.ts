// Byte helpers shared by the specs: hex strings in and out of raw memory.
export function hexToMemory(hex: string): usize {
  const n = hex.length >> 1;
  const p = heap.alloc(n + 8);
  for (let i = 0; i < n; i++) store<u8>(p + i, <u8>I32.parseInt(hex.substr(i * 2, 2), 16));
  return p;
}
export function memoryToHex(p: usize, n: usize): string {
  const digits = '0123456789abcdef';
  let s = '';
  for (let i: usize = 0; i < n; i++) {
    const b = load<u8>(p + i);
    s += digits.charAt(b >> 4) + digits.charAt(b & 15);
  }
  return s;
}
export function stringToMemory(s: string): usize {
  const p = heap.alloc(s.length + 8);
  for (let i = 0; i < s.length; i++) store<u8>(p + i, <u8>s.charCodeAt(i));
  return p;
}
export function memoryToString(p: usize, n: usize): string {
  let s = '';
  for (let i: usize = 0; i < n; i++) s += String.fromCharCode(load<u8>(p + i));
  return s;
}
