// Flow-control window arithmetic, RFC 9113 §6.9: a window never exceeds 2^31−1 (§6.9.1) and
// may be negative after a SETTINGS_INITIAL_WINDOW_SIZE change (§6.9.2).
import { windowFits, windowUpdateDue } from '../../assembly/proto/flow';

const MAX: i64 = 2147483647; // 2^31−1, §6.9.1

describe('RFC 9113 §6.9.1 windowFits: a window may not exceed 2^31−1', () => {
  it('reaching exactly 2^31−1 fits', () => {
    expect(windowFits(0, MAX)).toBe(true);
    expect(windowFits(65535, MAX - 65535)).toBe(true);
    expect(windowFits(MAX - 1, 1)).toBe(true);
    expect(windowFits(MAX, 0)).toBe(true);
  });
  it('one octet past 2^31−1 does not fit', () => {
    expect(windowFits(1, MAX)).toBe(false);
    expect(windowFits(65535, MAX - 65534)).toBe(false);
    expect(windowFits(MAX, 1)).toBe(false);
  });
  it('the largest increment (2^31−1, §6.9) on the largest window does not wrap around', () => {
    // In 32-bit arithmetic 0x7fffffff + 0x7fffffff wraps to −2: an overflow to catch.
    expect(windowFits(MAX, MAX)).toBe(false);
    expect(windowFits(MAX - 10, MAX)).toBe(false);
    expect(windowFits(0x40000000, 0x40000000)).toBe(false); // exactly 2^31
  });
  it('the initial window plus the largest increment overflows (a common attack probe)', () => {
    expect(windowFits(65535, MAX)).toBe(false);
  });
});

describe('RFC 9113 §6.9.2 negative windows', () => {
  it('a negative window can take an increment up to the distance to 2^31−1', () => {
    // §6.9.2's example: 60 KB sent, initial window cut to 16 KB, the window is −44 KB.
    const w: i64 = 16384 - 61440;
    expect(windowFits(w, MAX)).toBe(true);
    expect(windowFits(w, MAX - w)).toBe(true);
    expect(windowFits(w, MAX - w + 1)).toBe(false);
  });
  it('the most negative window a SETTINGS change can make (2^31−1 → 0) takes a full increment', () => {
    expect(windowFits(-MAX, MAX)).toBe(true);
    expect(windowFits(-MAX + 1, MAX)).toBe(true);
    expect(windowFits(-1, MAX)).toBe(true);
  });
  it('a negative delta (a smaller SETTINGS_INITIAL_WINDOW_SIZE) always fits', () => {
    expect(windowFits(100, -200)).toBe(true);
    expect(windowFits(MAX, -MAX)).toBe(true);
    expect(windowFits(-MAX, -MAX)).toBe(true);
  });
  it('property: fits exactly when window + increment ≤ 2^31−1, across the whole range', () => {
    const samples: i64[] = [-MAX, -MAX + 1, -65535, -1, 0, 1, 65535, 0x3fffffff, 0x40000000, MAX - 1, MAX];
    for (let i = 0; i < samples.length; i++) {
      for (let j = 0; j < samples.length; j++) {
        const w = samples[i], inc = samples[j];
        const limit = MAX - w; // the largest increment §6.9.1 allows on w, computed without overflow
        expect(windowFits(w, inc)).toBe(inc <= limit, w.toString() + ' + ' + inc.toString());
      }
    }
  });
});

describe('windowUpdateDue: when consumed octets go back to the sender (§6.9.1)', () => {
  it('nothing is due when nothing was consumed (an increment of 0 is a PROTOCOL_ERROR, §6.9)', () => {
    expect(windowUpdateDue(0, 65535)).toBe(0);
    expect(windowUpdateDue(0, 0x7fffffff)).toBe(0);
    expect(windowUpdateDue(0, 1)).toBe(0);
  });
  it('a tiny consumption is held back ("avoid sending WINDOW_UPDATE frames with very small increments")', () => {
    expect(windowUpdateDue(1, 65535)).toBe(0);
    expect(windowUpdateDue(100, 65535)).toBe(0);
    expect(windowUpdateDue(1000, 1048576)).toBe(0);
  });
  it('a sender that used the whole window gets it all back (else it stalls for good, §6.9.1)', () => {
    expect(windowUpdateDue(65535, 65535)).toBe(65535);
    expect(windowUpdateDue(16384, 16384)).toBe(16384);
    expect(windowUpdateDue(1, 1)).toBe(1);
    expect(windowUpdateDue(0x7fffffff, 0x7fffffff)).toBe(0x7fffffff);
  });
  it('property: the increment is 0 or exactly what was consumed, never more', () => {
    const windows: u32[] = [1, 2, 3, 100, 16384, 65535, 65536, 1 << 20, 0x7fffffff];
    for (let i = 0; i < windows.length; i++) {
      const size = windows[i];
      let unacked: u32 = 0;
      // Consume in uneven steps up to the whole window: every answer must be 0 or `unacked`,
      // and the whole window must come back at the latest when all of it is consumed.
      let returned = false;
      while (unacked <= size) {
        const due = windowUpdateDue(unacked, size);
        expect(due == 0 || due == unacked).toBe(true, 'due ' + due.toString() + ' of ' + unacked.toString());
        if (unacked == size) { expect(due).toBe(size); returned = true; }
        if (unacked == size) break;
        const step = size / 7 + 1;
        unacked = size - unacked < step ? size : unacked + step;
      }
      expect(returned).toBe(true);
    }
  });
  it('property: once due at some consumption, more consumption stays due (monotone)', () => {
    const size: u32 = 65535;
    let seenDue = false;
    for (let unacked: u32 = 0; unacked <= size; unacked += 97) {
      const due = windowUpdateDue(unacked, size) != 0;
      if (seenDue) expect(due).toBe(true, 'at ' + unacked.toString());
      if (due) seenDue = true;
    }
    expect(seenDue).toBe(true);
  });
});
