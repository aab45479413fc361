/** Options of a SlidingWindowCounter. */
export interface SlidingWindowOptions {
  /** Events within the window that make `hit` return true. */
  threshold: number;
  windowMs: number;
  /** Most subjects tracked at once; the least recently seen is forgotten first. */
  maxSubjects: number;
}

/**
 * Counts events per subject (an address, a key, `*`) in a sliding window, exactly: each subject keeps the times of
 * its last `threshold` events at most, so memory is bounded by maxSubjects × threshold numbers whatever the traffic.
 * A subject that reaches the threshold starts over, so one burst triggers once, not once per further event.
 */
export class SlidingWindowCounter {
  readonly #threshold: number;
  readonly #windowMs: number;
  readonly #maxSubjects: number;
  // Map iteration follows insertion order; re-inserting on every hit makes the first entry the least recently seen.
  readonly #subjects = new Map<string, number[]>();

  constructor(options: SlidingWindowOptions) {
    if (!Number.isSafeInteger(options.threshold) || options.threshold < 1) throw new RangeError('threshold must be a positive integer');
    if (!(options.windowMs > 0)) throw new RangeError('windowMs must be positive');
    if (!Number.isSafeInteger(options.maxSubjects) || options.maxSubjects < 1) throw new RangeError('maxSubjects must be a positive integer');
    this.#threshold = options.threshold;
    this.#windowMs = options.windowMs;
    this.#maxSubjects = options.maxSubjects;
  }

  /** Records one event of `subject` at `now` (ms); true when it makes `threshold` events within the window. */
  hit(subject: string, now: number): boolean {
    const times = this.#subjects.get(subject) ?? [];
    this.#subjects.delete(subject);
    // Events at or before now - window have left it; times are kept in arrival order, so they sit at the front.
    const cutoff = now - this.#windowMs;
    let stale = 0;
    while (stale < times.length && times[stale]! <= cutoff) stale++;
    if (stale > 0) times.splice(0, stale);
    times.push(now);
    if (times.length >= this.#threshold) return true;
    this.#subjects.set(subject, times);
    if (this.#subjects.size > this.#maxSubjects) {
      const oldest = this.#subjects.keys().next();
      if (oldest.done !== true) this.#subjects.delete(oldest.value);
    }
    return false;
  }

  /** Events of `subject` still inside the window at `now`. */
  count(subject: string, now: number): number {
    const times = this.#subjects.get(subject);
    if (times === undefined) return 0;
    const cutoff = now - this.#windowMs;
    return times.filter((t) => t > cutoff).length;
  }

  /** Subjects tracked now (at most maxSubjects). */
  get size(): number {
    return this.#subjects.size;
  }
}
