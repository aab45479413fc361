import type { UsageEventStore, UsageGroupBy, UsageTotals } from '../storage/ports.ts';

/** The groupings usage totals support, in the order the CLI lists them. */
export const USAGE_GROUPS: readonly UsageGroupBy[] = ['key', 'model', 'provider', 'credential'];

/** A usage question: a time range `[since, until)` and a grouping. */
export interface UsageQuery {
  since: Date;
  until: Date;
  groupBy: UsageGroupBy;
}

/** The answer: totals per group, plus the sum of every group. */
export interface UsageReport {
  since: string;
  until: string;
  groupBy: UsageGroupBy;
  groups: UsageTotals[];
  total: Omit<UsageTotals, 'group'>;
}

/** A usage query the caller got wrong (a bad time or grouping); its message is safe to show as is. */
export class UsageQueryError extends Error {
  override readonly name = 'UsageQueryError';
}

const RELATIVE = /^(\d{1,6})([smhdw])$/;
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/**
 * A point in time as operators write it: ISO-8601 (`2026-03-01`, `2026-03-01T12:00:00Z`) or a span back from `now`
 * (`90m`, `24h`, `7d`, `2w`). Throws UsageQueryError naming the flag otherwise.
 */
export function parseTimeArg(text: string, now: Date, flag: string): Date {
  const trimmed = text.trim();
  const relative = RELATIVE.exec(trimmed);
  if (relative !== null) {
    const unit = relative[2] as keyof typeof UNIT_MS;
    return new Date(now.getTime() - Number(relative[1]) * UNIT_MS[unit]);
  }
  // Date.parse accepts much more than ISO-8601 (e.g. "March 7"); only ISO shapes are taken, so no guessing.
  if (/^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/.test(trimmed)) {
    const ms = Date.parse(trimmed.length === 10 ? `${trimmed}T00:00:00Z` : trimmed);
    if (!Number.isNaN(ms)) return new Date(ms);
  }
  throw new UsageQueryError(`${flag} must be an ISO-8601 time (e.g. 2026-03-01 or 2026-03-01T12:00:00Z) or a span back from now (e.g. 24h, 7d)`);
}

/** Checks a grouping name (as typed on the command line or sent to the API). */
export function parseGroupBy(text: string): UsageGroupBy {
  const found = USAGE_GROUPS.find((g) => g === text);
  if (found === undefined) throw new UsageQueryError(`--group-by must be one of ${USAGE_GROUPS.join(', ')}`);
  return found;
}

/**
 * Usage totals over a time range, grouped by key, model, provider or credential: the query behind `rampart usage`
 * and the management API. Rows still in the server's memory (at most one flush interval) are not included.
 */
export async function queryUsage(store: UsageEventStore, query: UsageQuery): Promise<UsageReport> {
  if (query.until.getTime() <= query.since.getTime()) throw new UsageQueryError('the end of the time range must be after its start');
  const groups = await store.totals(query);
  const total = { requests: 0, inputTokens: 0, outputTokens: 0, cachedTokens: 0, reasoningTokens: 0, estimatedRequests: 0, failedRequests: 0, latencyMsTotal: 0 };
  for (const g of groups) {
    total.requests += g.requests;
    total.inputTokens += g.inputTokens;
    total.outputTokens += g.outputTokens;
    total.cachedTokens += g.cachedTokens;
    total.reasoningTokens += g.reasoningTokens;
    total.estimatedRequests += g.estimatedRequests;
    total.failedRequests += g.failedRequests;
    total.latencyMsTotal += g.latencyMsTotal;
  }
  return { since: query.since.toISOString(), until: query.until.toISOString(), groupBy: query.groupBy, groups, total };
}
