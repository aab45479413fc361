/** Node's timers overflow above 2^31-1 ms and then fire after 1 ms, which would turn a long timeout into none. */
export const MAX_TIMER_MS = 2_147_483_647;

/** A plain object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
