// The DATA scheduler over RFC 9218 priorities: urgency 0 is served before 1 … before 7 (§4.1:
// "in descending order of priority"); responses of one urgency are served in the order they
// became ready; a non-incremental response is sent whole before the next (§4.2, §10), while
// incremental ones of the same urgency share the bandwidth frame by frame (§10).
import { Scheduler } from '../../assembly/proto/scheduler';
import { Stream, StreamStore } from '../../assembly/proto/store';

/** A stream with `frames` DATA frames left to send. */
class Job {
  constructor(public stream: Stream, public frames: i32) {}
}

let store = new StreamStore();
let jobs: Job[] = [];

function fresh(): Scheduler {
  store = new StreamStore();
  jobs = [];
  return new Scheduler();
}

function stream(id: u32, urgency: u32, incremental: bool, frames: i32): Stream {
  const s = store.open(id);
  s.urgency = urgency;
  s.incremental = incremental;
  jobs.push(new Job(s, frames));
  return s;
}

function framesLeft(s: Stream): i32 {
  for (let i = 0; i < jobs.length; i++) if (jobs[i].stream.id == s.id) return jobs[i].frames;
  return -1;
}

function sendOne(s: Stream): void {
  for (let i = 0; i < jobs.length; i++) if (jobs[i].stream.id == s.id) jobs[i].frames--;
}

/**
 * Serves frames the way a sender does: the head of the queue sends one frame; when it has no
 * more it leaves the queue, else it is `served` (and may rotate). Returns the ids in frame order.
 */
function drain(q: Scheduler, limit: i32 = 1000): string {
  let order = '';
  for (let n = 0; n < limit; n++) {
    const next = q.peek();
    if (!next) break;
    const s = changetype<Stream>(changetype<usize>(next));
    order += (order.length ? ' ' : '') + s.id.toString();
    sendOne(s);
    if (framesLeft(s) <= 0) q.pop(s);
    else q.served(s);
  }
  return order;
}

describe('RFC 9218 §4.1 urgency', () => {
  it('an empty scheduler has nothing to send', () => {
    const q = fresh();
    expect(q.peek()).toBeNull();
    expect(drain(q)).toBe('');
  });
  it('serves urgency 0 first and 7 last, whatever the order streams became ready', () => {
    const q = fresh();
    // ids 1, 3, …, 15 pushed in that order, with urgency 7, 6, …, 0
    for (let u: i32 = 7; u >= 0; u--) q.push(stream(<u32>(15 - 2 * u), <u32>u, false, 1));
    expect(drain(q)).toBe('15 13 11 9 7 5 3 1');
  });
  it('serves urgency levels in order even when pushed interleaved', () => {
    const q = fresh();
    q.push(stream(1, 3, false, 1));
    q.push(stream(3, 0, false, 1));
    q.push(stream(5, 7, false, 1));
    q.push(stream(7, 3, false, 1));
    q.push(stream(9, 0, false, 1));
    expect(drain(q)).toBe('3 9 1 7 5');
  });
  it('a more urgent response that becomes ready mid-way goes next', () => {
    const q = fresh();
    q.push(stream(1, 3, false, 3));
    expect(drain(q, 1)).toBe('1');
    q.push(stream(3, 1, false, 2));
    expect(drain(q)).toBe('3 3 1 1');
  });
  it('a less urgent response waits even when it was ready first', () => {
    const q = fresh();
    q.push(stream(1, 5, true, 2));
    q.push(stream(3, 2, true, 2));
    expect(drain(q)).toBe('3 3 1 1');
  });
});

describe('RFC 9218 §4.2, §10 within one urgency level', () => {
  it('first ready, first served', () => {
    const q = fresh();
    q.push(stream(1, 3, false, 1));
    q.push(stream(3, 3, false, 1));
    q.push(stream(5, 3, false, 1));
    expect(drain(q)).toBe('1 3 5');
  });
  it('a non-incremental response keeps the head until it is done', () => {
    const q = fresh();
    q.push(stream(1, 3, false, 3));
    q.push(stream(3, 3, false, 3));
    expect(drain(q)).toBe('1 1 1 3 3 3');
  });
  it('incremental responses take turns, one frame each (round-robin)', () => {
    const q = fresh();
    q.push(stream(1, 3, true, 2));
    q.push(stream(3, 3, true, 3));
    q.push(stream(5, 3, true, 1));
    expect(drain(q)).toBe('1 3 5 1 3 3');
  });
  it('a lone incremental response keeps going', () => {
    const q = fresh();
    q.push(stream(1, 4, true, 3));
    expect(drain(q)).toBe('1 1 1');
  });
  it('levels are independent: rotation in one does not disturb another', () => {
    const q = fresh();
    q.push(stream(1, 5, true, 2));
    q.push(stream(3, 5, true, 2));
    q.push(stream(5, 2, false, 2));
    q.push(stream(7, 2, false, 1));
    expect(drain(q)).toBe('5 5 7 1 3 1 3');
  });
  it('a stream that left the queue and comes back goes to the back of its level', () => {
    const q = fresh();
    const a = stream(1, 3, false, 1);
    q.push(a);
    q.push(stream(3, 3, false, 1));
    expect(drain(q, 1)).toBe('1');
    jobs[0].frames = 1; // more body arrived for stream 1
    q.push(a);
    expect(drain(q)).toBe('3 1');
  });
});

describe('Scheduler push and remove', () => {
  it('push is idempotent: a queued stream is queued once and keeps its place', () => {
    const q = fresh();
    const a = stream(1, 3, false, 1);
    const b = stream(3, 3, false, 1);
    q.push(a);
    q.push(b);
    q.push(a);
    q.push(a);
    q.push(b);
    expect(drain(q)).toBe('1 3');
  });
  it('removes a stream from the middle of a level', () => {
    const q = fresh();
    q.push(stream(1, 3, false, 1));
    const mid = stream(3, 3, false, 1);
    q.push(mid);
    q.push(stream(5, 3, false, 1));
    q.remove(mid);
    expect(drain(q)).toBe('1 5');
  });
  it('removes the head of a level', () => {
    const q = fresh();
    const head = stream(1, 3, false, 1);
    q.push(head);
    q.push(stream(3, 3, false, 1));
    q.remove(head);
    expect(drain(q)).toBe('3');
  });
  it('removes the tail of a level, and what is pushed next still follows the rest', () => {
    const q = fresh();
    q.push(stream(1, 3, false, 1));
    const tail = stream(3, 3, false, 1);
    q.push(tail);
    q.remove(tail);
    q.push(stream(5, 3, false, 1));
    expect(drain(q)).toBe('1 5');
  });
  it('removes the only stream of a level, leaving the level usable', () => {
    const q = fresh();
    const only = stream(1, 6, false, 1);
    q.push(only);
    q.remove(only);
    expect(q.peek()).toBeNull();
    q.push(stream(3, 6, false, 1));
    expect(drain(q)).toBe('3');
  });
  it('removing a stream that is not queued changes nothing', () => {
    const q = fresh();
    q.push(stream(1, 3, false, 1));
    const idle = stream(3, 3, false, 1);
    q.remove(idle);
    q.remove(idle);
    expect(drain(q)).toBe('1');
  });
  it('a removed stream can be pushed again, and goes to the back', () => {
    const q = fresh();
    const a = stream(1, 3, false, 1);
    q.push(a);
    q.push(stream(3, 3, false, 1));
    q.remove(a);
    q.push(a);
    expect(drain(q)).toBe('3 1');
  });
  it('removes from one level without touching the others', () => {
    const q = fresh();
    q.push(stream(1, 1, false, 1));
    const b = stream(3, 4, false, 1);
    q.push(b);
    q.push(stream(5, 4, false, 1));
    q.push(stream(7, 7, false, 1));
    q.remove(b);
    expect(drain(q)).toBe('1 5 7');
  });
  it('property: any push/remove sequence serves each queued stream once, by urgency then arrival', () => {
    const q = fresh();
    const n = 40;
    const all: Stream[] = [];
    for (let i = 0; i < n; i++) all.push(stream(<u32>(2 * i + 1), <u32>((i * 5) % 8), false, 1));
    // A reference model: for each stream, the arrival number of its current queuing, or -1.
    const arrival = new Array<i32>(n).fill(-1);
    let clock = 0;
    let seed: u32 = 12345;
    for (let step = 0; step < 400; step++) {
      seed = seed * 1103515245 + 12345;
      const i = <i32>((seed >> 16) % <u32>n);
      if ((seed >> 8) & 1) {
        q.push(all[i]);
        if (arrival[i] < 0) arrival[i] = clock++;
      } else {
        q.remove(all[i]);
        arrival[i] = -1;
      }
    }
    // Expected: queued streams sorted by (urgency, arrival).
    let expected = '';
    for (let u: u32 = 0; u < 8; u++) {
      for (let t = 0; t < clock; t++) {
        for (let i = 0; i < n; i++) {
          if (arrival[i] == t && all[i].urgency == u) expected += (expected.length ? ' ' : '') + all[i].id.toString();
        }
      }
    }
    expect(drain(q)).toBe(expected);
  });
});
