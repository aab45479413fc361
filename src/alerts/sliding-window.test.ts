import { describe, expect, it } from 'vitest';
import { SlidingWindowCounter } from './sliding-window.ts';

describe('SlidingWindowCounter', () => {
  it('triggers on the threshold-th event within the window, then starts over', () => {
    const counter = new SlidingWindowCounter({ threshold: 3, windowMs: 1_000, maxSubjects: 10 });
    expect(counter.hit('a', 0)).toBe(false);
    expect(counter.hit('a', 100)).toBe(false);
    expect(counter.hit('a', 200)).toBe(true);
    // Started over: the next burst needs three more.
    expect(counter.count('a', 200)).toBe(0);
    expect(counter.hit('a', 300)).toBe(false);
    expect(counter.hit('a', 400)).toBe(false);
    expect(counter.hit('a', 500)).toBe(true);
  });

  it('slides: events older than the window no longer count', () => {
    const counter = new SlidingWindowCounter({ threshold: 3, windowMs: 1_000, maxSubjects: 10 });
    counter.hit('a', 0);
    counter.hit('a', 500);
    // At 1000 the event at 0 is exactly one window old and has left it.
    expect(counter.hit('a', 1_000)).toBe(false);
    expect(counter.count('a', 1_000)).toBe(2);
    expect(counter.hit('a', 1_400)).toBe(true);
  });

  it('counts subjects separately', () => {
    const counter = new SlidingWindowCounter({ threshold: 2, windowMs: 1_000, maxSubjects: 10 });
    expect(counter.hit('a', 0)).toBe(false);
    expect(counter.hit('b', 1)).toBe(false);
    expect(counter.hit('a', 2)).toBe(true);
    expect(counter.count('b', 2)).toBe(1);
  });

  it('keeps at most maxSubjects, forgetting the least recently seen first', () => {
    const counter = new SlidingWindowCounter({ threshold: 5, windowMs: 60_000, maxSubjects: 3 });
    counter.hit('a', 0);
    counter.hit('b', 1);
    counter.hit('c', 2);
    counter.hit('a', 3); // a is now the most recent; b the least
    expect(counter.hit('d', 4)).toBe(false);
    expect(counter.size).toBe(3);
    expect(counter.count('b', 5)).toBe(0);
    expect(counter.count('a', 5)).toBe(2);
    // A flood of fresh subjects stays bounded.
    for (let i = 0; i < 10_000; i++) counter.hit(`x${i}`, 10 + i);
    expect(counter.size).toBe(3);
  });

  it('refuses options that would count nothing', () => {
    expect(() => new SlidingWindowCounter({ threshold: 0, windowMs: 1, maxSubjects: 1 })).toThrow(/threshold/);
    expect(() => new SlidingWindowCounter({ threshold: 1, windowMs: 0, maxSubjects: 1 })).toThrow(/windowMs/);
    expect(() => new SlidingWindowCounter({ threshold: 1, windowMs: 1, maxSubjects: 0 })).toThrow(/maxSubjects/);
  });
});
