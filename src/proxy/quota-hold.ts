import type { FastifyRequest } from 'fastify';
import { RampartError } from '../errors/catalogue.ts';
import { estimateRequestTokens } from '../formats/canonical/estimate-tokens.ts';
import type { CanonicalRequest, Usage } from '../formats/canonical/types.ts';
import type { MonthlyQuota } from '../limits/monthly-quota.ts';

/** Output tokens assumed when the client sets no cap, for the reservation only (settled with the real count). */
const DEFAULT_OUTPUT_ESTIMATE = 1024;

/** The quota side of one request: what to do once the answer (or its absence) is known. */
export interface QuotaHold {
  /** Input tokens estimated plus the output cap (or a default): what the request may cost at most. */
  readonly estimate: number;
  /** Charge the real usage; without usage (a cut stream) charge the input estimate; without any answer, nothing. */
  finish(outcome: { answered: boolean; usage?: Usage | undefined }): Promise<void>;
}

/**
 * Reserves the request's estimated tokens against its key's monthly quota before any upstream call, so concurrent
 * requests cannot overrun it; refuses with RAMPART_QUOTA_EXCEEDED (retry-after: next month, or 1 s while other
 * requests hold the rest).
 */
export async function holdQuota(quota: MonthlyQuota, request: FastifyRequest, canonical: CanonicalRequest): Promise<QuotaHold> {
  const key = request.clientKey;
  const input = estimateRequestTokens(canonical);
  const estimate = input + (canonical.maxTokens ?? DEFAULT_OUTPUT_ESTIMATE);
  if (!key) return { estimate, finish: () => Promise.resolve() };
  const held = await quota.reserve(key.id, key.monthlyTokens, estimate);
  if (held.exceeded) throw new RampartError('RAMPART_QUOTA_EXCEEDED', { retryAfterSeconds: held.retryAfterSeconds });
  return {
    estimate,
    async finish({ answered, usage }) {
      if (usage) await held.settle(usage.inputTokens + usage.outputTokens);
      else if (answered) await held.settle(input);
      else await held.release();
    },
  };
}
