// Which stream's DATA goes next: RFC 9218 urgency levels 0 (first) to 7, each a FIFO. A
// non-incremental stream keeps the head of its level until it is done or blocked; an
// incremental one goes to the back after each frame, sharing bandwidth round-robin.
import { Stream, S_READY } from './store';

const LEVELS: u32 = 8;

@unmanaged
export class Scheduler {
  heads: usize = 0; // LEVELS stream pointers
  tails: usize = 0;

  constructor() {
    this.heads = heap.alloc(<usize>LEVELS << 2);
    this.tails = heap.alloc(<usize>LEVELS << 2);
    memory.fill(this.heads, 0, <usize>LEVELS << 2);
    memory.fill(this.tails, 0, <usize>LEVELS << 2);
  }

  dispose(): void {
    heap.free(this.heads);
    heap.free(this.tails);
  }

  /** Queues a stream with something to send (idempotent). */
  push(s: Stream): void {
    if (s.flags & S_READY) return;
    s.flags |= S_READY;
    s.nextReady = 0;
    const level = <usize>(s.urgency < LEVELS ? s.urgency : LEVELS - 1) << 2;
    const tail = load<u32>(this.tails + level);
    if (tail) changetype<Stream>(<usize>tail).nextReady = changetype<usize>(s);
    else store<u32>(this.heads + level, <u32>changetype<usize>(s));
    store<u32>(this.tails + level, <u32>changetype<usize>(s));
  }

  /** The stream to serve next, left on its queue; null when none. */
  peek(): Stream | null {
    for (let level: usize = 0; level < <usize>LEVELS; level++) {
      const head = load<u32>(this.heads + (level << 2));
      if (head) return changetype<Stream>(<usize>head);
    }
    return null;
  }

  /** Takes the head of `s`'s level (which must be `s`) off its queue. */
  pop(s: Stream): void {
    const level = <usize>(s.urgency < LEVELS ? s.urgency : LEVELS - 1) << 2;
    store<u32>(this.heads + level, <u32>s.nextReady);
    if (!s.nextReady) store<u32>(this.tails + level, 0);
    s.nextReady = 0;
    s.flags &= ~S_READY;
  }

  /** After a frame of `s` (at the head): incremental streams go to the back of their level. */
  served(s: Stream): void {
    if (!s.incremental || !s.nextReady) return;
    this.pop(s);
    this.push(s);
  }

  /** Removes `s` wherever it is on its level (a stream closed while queued). */
  remove(s: Stream): void {
    if (!(s.flags & S_READY)) return;
    const level = <usize>(s.urgency < LEVELS ? s.urgency : LEVELS - 1) << 2;
    let prev: usize = 0;
    let at = <usize>load<u32>(this.heads + level);
    while (at && at != changetype<usize>(s)) { prev = at; at = changetype<Stream>(at).nextReady; }
    if (!at) return;
    if (prev) changetype<Stream>(prev).nextReady = s.nextReady;
    else store<u32>(this.heads + level, <u32>s.nextReady);
    if (<usize>load<u32>(this.tails + level) == changetype<usize>(s)) store<u32>(this.tails + level, <u32>prev);
    s.nextReady = 0;
    s.flags &= ~S_READY;
  }
}
