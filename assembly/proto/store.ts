// Stream records: a pool of fixed-size records reused through a free list (no allocation per
// frame, and none per stream once warm), and an id → record map (open addressing, linear
// probing, deletion by backward shift).
import { STREAM_IDLE } from '../abi';

// Stream.flags
export const S_LOCAL: u32 = 1; // we opened it (our request, or our push)
export const S_HEADERS_RECV: u32 = 1 << 1; // the peer's first HEADERS arrived
export const S_FINAL_RECV: u32 = 1 << 2; // request headers / final response arrived
export const S_TRAILERS_RECV: u32 = 1 << 3;
export const S_END_QUEUED: u32 = 1 << 4; // END_STREAM goes out after the queued body
export const S_FINAL_SENT: u32 = 1 << 5; // request / final response headers sent
export const S_HEAD: u32 = 1 << 6; // HEAD request: the response carries no body
export const S_IGNORED: u32 = 1 << 7; // opened above our GOAWAY's last stream id: no events
export const S_CONNECT: u32 = 1 << 8; // a CONNECT tunnel: no content-length rules
export const S_READY: u32 = 1 << 9; // on a scheduler queue
export const S_TRAILERS_QUEUED: u32 = 1 << 10; // trailers go out after the queued body
export const S_RESET_QUEUED: u32 = 1 << 11;
export const S_NO_BODY: u32 = 1 << 12; // 204/304 or HEAD response: DATA is malformed
export const S_PENDING_OPEN: u32 = 1 << 13; // our request waits for the peer's concurrency limit
export const S_END_ON_HEADERS: u32 = 1 << 14; // that request's HEADERS carries END_STREAM
export const S_SEND_NO_BODY: u32 = 1 << 15; // our response is 204/304: no DATA may follow

// Stream.closedBy: how the stream reached "closed" (RFC 9113 §5.1 treats late frames by it).
export const CLOSED_NOT: u32 = 0;
export const CLOSED_RST_SENT: u32 = 1;
export const CLOSED_RST_RECV: u32 = 2;
export const CLOSED_END_STREAM: u32 = 3;

@unmanaged
export class Stream {
  id: u32 = 0;
  state: u32 = STREAM_IDLE;
  flags: u32 = 0;
  closedBy: u32 = CLOSED_NOT;
  sendWindow: i64 = 0;
  recvWindow: i64 = 0; // octets the peer may still send
  recvUnacked: u32 = 0; // consumed by the application, not yet given back by WINDOW_UPDATE
  held: u32 = 0; // DATA octets handed to the application and not yet consumed
  pending: u64 = 0; // body octets queued by the application, not yet framed
  contentLength: i64 = -1;
  received: i64 = 0;
  urgency: u32 = 3; // RFC 9218 §4.1 default
  incremental: bool = false;
  nextReady: usize = 0; // scheduler queue link
  trailers: usize = 0; // packed trailer fields (abi HPACK_PACKED_HEAD), owned
  trailersLength: u32 = 0;
  trailersCount: u32 = 0;
  nextClosed: usize = 0; // retirement queue link
  nextPending: usize = 0; // queue of requests waiting to open
  openHeaders: usize = 0; // their packed fields, owned
  openLength: u32 = 0;
  openCount: u32 = 0;

  reset(id: u32): void {
    memory.fill(changetype<usize>(this), 0, offsetof<Stream>());
    this.id = id;
    this.contentLength = -1;
    this.urgency = 3;
  }
}


@unmanaged
export class StreamStore {
  keys: usize = 0; // u32 ids, 0 = empty
  values: usize = 0; // Stream pointers
  mask: u32 = 0;
  count: u32 = 0;
  free: usize = 0; // free list of records, linked through nextReady
  // Closed streams are kept a while (late frames are judged by how they closed), then retired.
  closedHead: usize = 0;
  closedTail: usize = 0;
  closedCount: u32 = 0;

  constructor() {
    this.resize(16);
  }

  private resize(slots: u32): void {
    const oldKeys = this.keys, oldValues = this.values, oldSlots = this.keys ? this.mask + 1 : 0;
    this.keys = heap.alloc(<usize>slots << 2);
    this.values = heap.alloc(<usize>slots << 2);
    memory.fill(this.keys, 0, <usize>slots << 2);
    this.mask = slots - 1;
    for (let i: u32 = 0; i < oldSlots; i++) {
      const id = load<u32>(oldKeys + (<usize>i << 2));
      if (id) this.place(id, load<u32>(oldValues + (<usize>i << 2)));
    }
    if (oldKeys) { heap.free(oldKeys); heap.free(oldValues); }
  }

  private place(id: u32, value: usize): void {
    let at = (id * 0x9e3779b1) & this.mask;
    while (load<u32>(this.keys + (<usize>at << 2))) at = (at + 1) & this.mask;
    store<u32>(this.keys + (<usize>at << 2), id);
    store<u32>(this.values + (<usize>at << 2), <u32>value);
  }

  get(id: u32): Stream | null {
    if (!id) return null; // 0 marks empty slots; stream 0 is the connection
    let at = (id * 0x9e3779b1) & this.mask;
    while (true) {
      const k = load<u32>(this.keys + (<usize>at << 2));
      if (!k) return null;
      if (k == id) return changetype<Stream>(<usize>load<u32>(this.values + (<usize>at << 2)));
      at = (at + 1) & this.mask;
    }
  }

  /** A fresh record for `id`, in the map. */
  open(id: u32): Stream {
    if ((this.count + 1) * 2 > this.mask + 1) this.resize((this.mask + 1) << 1);
    let s: Stream;
    if (this.free) {
      s = changetype<Stream>(this.free);
      this.free = s.nextReady;
    } else {
      s = changetype<Stream>(heap.alloc(offsetof<Stream>()));
    }
    s.reset(id);
    this.place(id, changetype<usize>(s));
    this.count++;
    return s;
  }

  /** Queues a closed stream for retirement; the oldest beyond `keep` are retired now. */
  closed(s: Stream, keep: u32): void {
    s.nextClosed = 0;
    if (this.closedTail) changetype<Stream>(this.closedTail).nextClosed = changetype<usize>(s);
    else this.closedHead = changetype<usize>(s);
    this.closedTail = changetype<usize>(s);
    this.closedCount++;
    while (this.closedCount > keep) {
      const old = changetype<Stream>(this.closedHead);
      this.closedHead = old.nextClosed;
      if (!this.closedHead) this.closedTail = 0;
      this.closedCount--;
      this.remove(old);
    }
  }

  private remove(s: Stream): void {
    const id = s.id;
    let at = (id * 0x9e3779b1) & this.mask;
    while (load<u32>(this.keys + (<usize>at << 2)) != id) at = (at + 1) & this.mask;
    // Backward-shift deletion keeps every probe run unbroken.
    let hole = at;
    let next = (at + 1) & this.mask;
    while (true) {
      const k = load<u32>(this.keys + (<usize>next << 2));
      if (!k) break;
      const home = (k * 0x9e3779b1) & this.mask;
      if (((next - home) & this.mask) >= ((next - hole) & this.mask)) {
        store<u32>(this.keys + (<usize>hole << 2), k);
        store<u32>(this.values + (<usize>hole << 2), load<u32>(this.values + (<usize>next << 2)));
        hole = next;
      }
      next = (next + 1) & this.mask;
    }
    store<u32>(this.keys + (<usize>hole << 2), 0);
    this.count--;
    if (s.trailers) { heap.free(s.trailers); s.trailers = 0; }
    if (s.openHeaders) { heap.free(s.openHeaders); s.openHeaders = 0; }
    s.nextReady = this.free;
    this.free = changetype<usize>(s);
  }

  /** Slots to visit with `at` when walking every stream. */
  get slots(): u32 { return this.mask + 1; }

  /** The stream in map slot `i`, or 0. */
  at(i: u32): usize {
    return load<u32>(this.keys + (<usize>i << 2)) ? <usize>load<u32>(this.values + (<usize>i << 2)) : 0;
  }

  dispose(): void {
    for (let i: u32 = 0; i <= this.mask; i++) {
      if (load<u32>(this.keys + (<usize>i << 2))) {
        const s = changetype<Stream>(<usize>load<u32>(this.values + (<usize>i << 2)));
        if (s.trailers) heap.free(s.trailers);
        if (s.openHeaders) heap.free(s.openHeaders);
        heap.free(changetype<usize>(s));
      }
    }
    while (this.free) {
      const next = changetype<Stream>(this.free).nextReady;
      heap.free(this.free);
      this.free = next;
    }
    heap.free(this.keys);
    heap.free(this.values);
  }
}
