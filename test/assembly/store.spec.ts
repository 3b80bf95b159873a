// The stream store: stream records by id (RFC 9113 §5.1.1 ids are 31-bit, 0 is the connection),
// closed streams remembered for a while and then retired, records reused. The expectations are
// those of a map: every id put in is found until it is retired, nothing else is ever found.
import { Stream, StreamStore, CLOSED_NOT } from '../../assembly/proto/store';
import { STREAM_IDLE, STREAM_OPEN, STREAM_CLOSED } from '../../assembly/abi';

/** Whether `id` is found (a record of another id found for it counts as not found). */
function has(store: StreamStore, id: u32): bool {
  const s = store.get(id);
  return s != null && s.id == id;
}

/** Whether anything at all is found for `id`. */
function anything(store: StreamStore, id: u32): bool {
  return store.get(id) != null;
}

describe('StreamStore open and get', () => {
  it('an empty store finds nothing', () => {
    const store = new StreamStore();
    expect(anything(store, 1)).toBe(false);
    expect(anything(store, 2)).toBe(false);
    expect(anything(store, 0x7fffffff)).toBe(false);
  });
  it('finds every one of many client-initiated ids, and no server id', () => {
    const store = new StreamStore();
    for (let id: u32 = 1; id < 4000; id += 2) store.open(id);
    let missing = 0, wrong = 0;
    for (let id: u32 = 1; id < 4000; id += 2) if (!has(store, id)) missing++;
    for (let id: u32 = 2; id < 4000; id += 2) if (anything(store, id)) wrong++;
    expect(missing).toBe(0, 'opened ids not found');
    expect(wrong).toBe(0, 'ids never opened but found');
    expect(store.count).toBe(2000);
  });
  it('gives each stream its own record', () => {
    const store = new StreamStore();
    const a = store.open(1), b = store.open(3), c = store.open(5);
    expect(changetype<usize>(a) != changetype<usize>(b)).toBe(true);
    expect(changetype<usize>(b) != changetype<usize>(c)).toBe(true);
    expect(changetype<usize>(a) != changetype<usize>(c)).toBe(true);
    a.urgency = 0; b.urgency = 5; c.urgency = 7;
    expect(store.get(1)!.urgency).toBe(0);
    expect(store.get(3)!.urgency).toBe(5);
    expect(store.get(5)!.urgency).toBe(7);
  });
  it('finds ids that share low bits or sit at the ends of the 31-bit range', () => {
    // Ids equal modulo a power of two are what a table indexed by low bits would collide on.
    const store = new StreamStore();
    const ids: u32[] = [];
    for (let k: u32 = 0; k < 64; k++) ids.push(1 + (k << 16));
    for (let k: u32 = 0; k < 64; k++) ids.push(3 + (k << 10));
    ids.push(0x7fffffff); ids.push(0x7ffffffd); ids.push(0x7ffffffe); ids.push(2); ids.push(0x40000001);
    for (let i = 0; i < ids.length; i++) store.open(ids[i]);
    for (let i = 0; i < ids.length; i++) expect(has(store, ids[i])).toBe(true, 'id ' + ids[i].toString());
    expect(anything(store, 5)).toBe(false);
    expect(anything(store, 1 + (64 << 16))).toBe(false);
    expect(anything(store, 0x7ffffffb)).toBe(false);
  });
  it('keeps finding everything while it grows from one stream to many', () => {
    const store = new StreamStore();
    let lost = '';
    for (let n: u32 = 0; n < 1500; n++) {
      store.open(2 * n + 1);
      // At each power-of-two size (where a table would grow) every earlier id is still there.
      if ((n & (n + 1)) == 0) {
        for (let m: u32 = 0; m <= n; m++) {
          if (!has(store, 2 * m + 1)) lost += ' ' + (2 * m + 1).toString() + '@' + (n + 1).toString();
        }
      }
    }
    expect(lost).toBe('', 'ids lost (id@streams open)');
    expect(store.count).toBe(1500);
  });
  it('stream 0 is the connection, never a stream (§5.1.1)', () => {
    const store = new StreamStore();
    expect(store.get(0)).toBeNull();
    for (let id: u32 = 1; id < 200; id += 2) store.open(id);
    expect(store.get(0)).toBeNull();
    for (let id: u32 = 1; id < 200; id += 2) store.closed(store.get(id)!, 0);
    expect(store.get(0)).toBeNull();
  });
  it('stream 0 stays unfound after many streams came and went through every part of the map', () => {
    // Rounds of 100 fresh ids of both parities (client- and server-initiated), all retired:
    // over the rounds every map slot holds some stream and is emptied again, so no emptied
    // slot may answer for id 0.
    const store = new StreamStore();
    let id: u32 = 1;
    let found = 0;
    for (let round = 0; round < 60; round++) {
      const first = id;
      for (let k = 0; k < 100; k++) { store.open(id); id++; }
      for (let j = first; j < id; j++) store.closed(store.get(j)!, 0);
      if (store.get(0) != null) found++;
    }
    expect(found).toBe(0, 'rounds after which get(0) returned a record');
  });
  it('a new record starts as a fresh idle stream with the RFC 9218 default priority', () => {
    const store = new StreamStore();
    const s = store.open(7);
    expect(s.id).toBe(7);
    expect(s.state).toBe(STREAM_IDLE, '§5.1: every stream starts idle');
    expect(s.flags).toBe(0);
    expect(s.closedBy).toBe(CLOSED_NOT);
    expect(s.urgency).toBe(3, 'RFC 9218 §4.1: "The default urgency is 3"');
    expect(s.incremental).toBe(false, 'RFC 9218 §4.2: "The default value of the incremental parameter is false"');
    expect(s.contentLength).toBe(-1, 'no content-length seen');
    expect(s.received).toBe(0);
    expect(s.pending).toBe(0);
    expect(s.nextReady).toBe(0);
    expect(s.trailers).toBe(0);
  });
});

describe('StreamStore closed streams', () => {
  it('keeps the last `keep` closed streams and retires older ones', () => {
    const store = new StreamStore();
    for (let id: u32 = 1; id <= 19; id += 2) store.open(id); // 10 streams
    for (let id: u32 = 1; id <= 19; id += 2) store.closed(store.get(id)!, 4);
    for (let id: u32 = 1; id <= 11; id += 2) expect(anything(store, id)).toBe(false, 'retired ' + id.toString());
    for (let id: u32 = 13; id <= 19; id += 2) expect(has(store, id)).toBe(true, 'kept ' + id.toString());
    expect(store.count).toBe(4);
  });
  it('retires in closing order, not id order', () => {
    const store = new StreamStore();
    store.open(1); store.open(3); store.open(5);
    store.closed(store.get(5)!, 2);
    store.closed(store.get(1)!, 2);
    store.closed(store.get(3)!, 2);
    expect(anything(store, 5)).toBe(false, 'closed first, retired first');
    expect(has(store, 1)).toBe(true);
    expect(has(store, 3)).toBe(true);
  });
  it('open streams are never retired, however many others close', () => {
    const store = new StreamStore();
    store.open(1);
    store.open(3);
    for (let id: u32 = 5; id < 605; id += 2) {
      store.open(id);
      store.closed(store.get(id)!, 8);
    }
    expect(has(store, 1)).toBe(true);
    expect(has(store, 3)).toBe(true);
    expect(has(store, 603)).toBe(true);
    expect(anything(store, 587)).toBe(false);
    expect(store.count).toBe(2 + 8);
  });
  it('keep 0 retires a stream as soon as it closes', () => {
    const store = new StreamStore();
    const s = store.open(9);
    s.state = STREAM_CLOSED;
    store.closed(s, 0);
    expect(anything(store, 9)).toBe(false);
    expect(store.count).toBe(0);
  });
  it('retiring ids from the middle of crowded runs leaves every other id findable', () => {
    const store = new StreamStore();
    for (let id: u32 = 1; id < 2000; id += 2) store.open(id);
    // Close every third id with nothing kept: each close removes an entry amid its neighbours.
    for (let id: u32 = 1; id < 2000; id += 6) store.closed(store.get(id)!, 0);
    let bad = 0;
    for (let id: u32 = 1; id < 2000; id += 2) {
      const retired = (id - 1) % 6 == 0;
      if (retired ? anything(store, id) : !has(store, id)) bad++;
    }
    expect(bad).toBe(0, 'ids found when retired or lost when not');
  });
});

describe('StreamStore record reuse', () => {
  it('a retired record is handed out again by the next open', () => {
    const store = new StreamStore();
    const first = store.open(1);
    store.closed(first, 0);
    const second = store.open(3);
    expect(changetype<usize>(second)).toBe(changetype<usize>(first));
  });
  it('a reused record is reset: nothing of the old stream shows through', () => {
    const store = new StreamStore();
    const old = store.open(1);
    old.state = STREAM_OPEN;
    old.flags = 0xffff;
    old.urgency = 7;
    old.incremental = true;
    old.contentLength = 100;
    old.received = 50;
    old.sendWindow = 12345;
    old.recvWindow = 54321;
    old.pending = 99;
    store.closed(old, 0);
    const s = store.open(5);
    expect(s.id).toBe(5);
    expect(s.state).toBe(STREAM_IDLE);
    expect(s.flags).toBe(0);
    expect(s.urgency).toBe(3);
    expect(s.incremental).toBe(false);
    expect(s.contentLength).toBe(-1);
    expect(s.received).toBe(0);
    expect(s.pending).toBe(0);
    expect(anything(store, 1)).toBe(false, 'the old id is not found through the reused record');
    expect(has(store, 5)).toBe(true);
  });
  it('all retired records are reused before new memory is taken', () => {
    const store = new StreamStore();
    const seen = new Set<usize>();
    for (let id: u32 = 1; id <= 39; id += 2) seen.add(changetype<usize>(store.open(id)));
    for (let id: u32 = 1; id <= 39; id += 2) store.closed(store.get(id)!, 0);
    let reused = 0;
    for (let id: u32 = 41; id <= 79; id += 2) if (seen.has(changetype<usize>(store.open(id)))) reused++;
    expect(reused).toBe(20);
  });
  it('property: random opens and closes behave like a set with FIFO retirement', () => {
    const store = new StreamStore();
    const keep: u32 = 5;
    const live = new Set<u32>(); // ids the store must find
    const openIds: u32[] = []; // opened, not yet closed
    const closedQueue: u32[] = []; // closed, in closing order, still kept
    let nextId: u32 = 1;
    let seed: u32 = 2463534242;
    let bad = 0;
    for (let step = 0; step < 3000; step++) {
      seed ^= seed << 13; seed ^= seed >> 17; seed ^= seed << 5; // xorshift32
      if (openIds.length == 0 || seed % 3 != 0) {
        store.open(nextId);
        live.add(nextId);
        openIds.push(nextId);
        nextId += 2;
      } else {
        const at = <i32>((seed >> 8) % <u32>openIds.length);
        const id = openIds[at];
        openIds[at] = openIds[openIds.length - 1];
        openIds.pop();
        store.closed(store.get(id)!, keep);
        closedQueue.push(id);
        while (<u32>closedQueue.length > keep) live.delete(closedQueue.shift());
      }
      if (step % 100 == 99) {
        for (let id: u32 = 1; id < nextId; id += 2) {
          if (live.has(id) ? !has(store, id) : anything(store, id)) bad++;
        }
        if (<u32>live.size != store.count) bad++;
      }
    }
    expect(bad).toBe(0, 'disagreements with the model');
  });
});
