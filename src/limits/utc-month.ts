/** The calendar month (UTC) an instant falls in, as `YYYY-MM`: the key quotas are counted under. */
export function utcMonth(epochMs: number): string {
  const date = new Date(epochMs);
  return `${String(date.getUTCFullYear()).padStart(4, '0')}-${String(date.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** Epoch ms of the first instant of the next UTC month, when a monthly quota starts afresh. */
export function startOfNextUtcMonth(epochMs: number): number {
  const date = new Date(epochMs);
  // Date.UTC carries month 12 over into January of the next year.
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
}
