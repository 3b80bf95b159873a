// Loads the WASM core and keeps one shared instance that hosts every session and codec.
// Portable: no node:* imports and no Node-only globals. Platform entries register the module's source
// (bytes for a synchronous compile, or a precompiled WebAssembly.Module) before first use.

export interface CoreExports {
  memory: WebAssembly.Memory;
  h2wasm_result(): number;
  hpack_decoder_new(maxTableSize: number, maxListSize: number, maxPairs: number, maxFieldSize: number): number;
  hpack_decoder_free(d: number): void;
  hpack_decoder_input(d: number, n: number): number;
  hpack_decode(d: number, n: number, flags: number): number;
  hpack_decoder_records(d: number): number;
  hpack_decoder_arena(d: number): number;
  hpack_decoder_arena_ascii(d: number): number;
  hpack_decoder_set_max_table_size(d: number, n: number): void;
  hpack_decoder_table_size(d: number): number;
  hpack_decoder_table_capacity(d: number): number;
  hpack_encoder_new(maxTableSize: number, huffman: number, indexing: number): number;
  hpack_encoder_free(e: number): void;
  hpack_encoder_input(e: number, n: number): number;
  hpack_encode(e: number, n: number, count: number): number;
  hpack_encode_counted(e: number, n: number): number;
  hpack_encoder_output(e: number): number;
  hpack_encoder_set_max_table_size(e: number, n: number): void;
  hpack_encoder_table_size(e: number): number;
  h2_session_new(isServer: number, firstStreamId: number): number;
  h2_session_free(s: number): void;
  h2_set_limit(s: number, id: number, value: number): void;
  h2_set_initial_setting(s: number, id: number, value: number): void;
  h2_input(s: number, n: number): number;
  h2_recv(s: number, n: number, now: number): number;
  h2_events(s: number): number;
  h2_event_count(s: number): number;
  h2_hdr_records(s: number): number;
  h2_hdr_bytes(s: number): number;
  h2_hdr_ascii(s: number): number;
  h2_scratch(s: number, n: number): number;
  h2_headers_input(s: number, n: number): number;
  h2_submit_headers(s: number, id: number, kind: number, n: number, count: number, flags: number): number;
  h2_submit_data(s: number, id: number, n: number, endStream: number): number;
  h2_rst(s: number, id: number, code: number): number;
  h2_ping(s: number): number;
  h2_settings(s: number, count: number): number;
  h2_goaway(s: number, code: number, graceful: number, debugLength: number, lastStreamId: number): number;
  h2_consume(s: number, id: number, n: number): void;
  h2_set_local_window(s: number, n: number): void;
  h2_priority_update(s: number, id: number, n: number): number;
  h2_set_priority(s: number, id: number, n: number): number;
  h2_raw_frame(s: number, type: number, id: number, n: number): number;
  h2_pull(s: number): number;
  h2_out(s: number): number;
  h2_segs(s: number): number;
  h2_seg_count(s: number): number;
  h2_wants_write(s: number): number;
  h2_session_info(s: number, what: number): number;
  h2_stream_info(s: number, id: number, what: number): number;
  h2_local_setting(s: number, id: number): number;
  h2_remote_setting(s: number, id: number): number;
  h2_snaps(s: number): number;
  h2_pending_input(s: number): number;
}

/** Thrown when the core traps: a bug in the core, never an answer to peer input. */
export class CoreTrapError extends Error {
  code = 'ERR_H2WASM_CORE_TRAP';
}

/** One instance of the core, with memory views rebuilt whenever memory grows. */
export class Core {
  readonly exports: CoreExports;
  /** True once the instance trapped: its state is unknown and nothing may use it again. */
  broken = false;
  u8!: Uint8Array;
  u32!: Uint32Array;
  /** u32 index of the result slot where calls leave extra values (assembly/common/result.ts). */
  readonly result: number;
  dv!: DataView;
  #buffer: ArrayBuffer | null = null;

  constructor(module: WebAssembly.Module) {
    const instance = new WebAssembly.Instance(module, {
      env: {
        abort: (_msg: number, _file: number, line: number, column: number) => {
          throw new CoreTrapError(`h2wasm core aborted at ${line}:${column}`);
        },
      },
    });
    this.exports = instance.exports as unknown as CoreExports;
    this.result = this.exports.h2wasm_result() >>> 2;
    this.refresh();
  }

  /** Rebuilds the views if a call grew memory (growth detaches the old buffer, emptying its views). */
  refresh(): void {
    if (this.u8 !== undefined && this.u8.length !== 0) return;
    const buffer = this.exports.memory.buffer;
    if (buffer !== this.#buffer) {
      this.#buffer = buffer;
      this.u8 = new Uint8Array(buffer);
      this.u32 = new Uint32Array(buffer);
      this.dv = new DataView(buffer);
    }
  }

  /** Marks this instance unusable after a trap, so the next `core()` starts a fresh one. */
  markBroken(): void {
    this.broken = true;
    if (current === this) current = null;
  }
}

let module: WebAssembly.Module | null = null;
let pendingBytes: Uint8Array | null = null;
let current: Core | null = null;

/** Registers the core's bytes; they are compiled synchronously on first use (Node, Deno, Bun). */
export function registerCoreBytes(bytes: Uint8Array): void {
  if (!module) pendingBytes = bytes;
}

/** Registers a compiled module (workerd imports the .wasm precompiled; browsers compile async). */
export function registerCoreModule(compiled: WebAssembly.Module): void {
  module = compiled;
  pendingBytes = null;
}

/** Compiles the core asynchronously from bytes, a fetch Response, a URL or a module. */
export async function initCore(source: Uint8Array | ArrayBuffer | Response | URL | string | WebAssembly.Module): Promise<void> {
  if (source instanceof WebAssembly.Module) return registerCoreModule(source);
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) {
    return registerCoreModule(await WebAssembly.compile(source as BufferSource));
  }
  const response = source instanceof Response ? source : await fetch(source);
  registerCoreModule(await WebAssembly.compile(new Uint8Array(await response.arrayBuffer())));
}

/** The shared instance, created on first use (and again after a trap). */
export function core(): Core {
  if (current) return current;
  if (!module) {
    if (!pendingBytes) throw new Error('h2wasm: the WASM core is not loaded (call initCore first on this platform)');
    module = new WebAssembly.Module(pendingBytes as BufferSource);
    pendingBytes = null;
  }
  current = new Core(module);
  return current;
}

/** Decodes base64 with atob, which every runtime we target has (no Node-only API). */
export function base64ToBytes(text: string): Uint8Array {
  const raw = atob(text);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}
