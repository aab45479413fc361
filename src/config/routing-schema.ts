import { z } from 'zod';
import { MAX_TIMER_MS } from './schema-helpers.ts';

const duration = (ms: number, what: string) => z.number().int().positive().max(MAX_TIMER_MS).default(ms).describe(what);

const cooldownsObject = z.strictObject({
  authMs: duration(1_800_000, 'Cooldown of a credential the provider refused (401/403), for all its models, in ms.'),
  modelNotFoundMs: duration(1_800_000, 'Cooldown of one credential × model the provider does not know (404), in ms.'),
  rateLimitBaseMs: duration(1_000, 'First cooldown after a 429 without a retry hint; doubles per consecutive 429, in ms.'),
  rateLimitMaxMs: duration(1_800_000, "Cap on any 429 cooldown, the provider's own retry hint included, in ms."),
  serverErrorMs: duration(60_000, 'Cooldown after a 5xx answer, in ms.'),
  networkMs: duration(5_000, 'Cooldown after a timeout, refused connection or reset, in ms.'),
});

const routingObject = z.strictObject({
  retries: z
    .number()
    .int()
    .min(0)
    .max(10)
    .default(2)
    .describe('How many more credentials (or fallback models) to try after a retryable failure, before the first byte reaches the client.'),
  retryJitterMs: z.number().int().min(0).max(10_000).default(100).describe('Upper bound of the random pause before each retry, in ms.'),
  sessionAffinityHeader: z
    .string()
    .regex(/^[a-z0-9-]+$/, { error: 'must be a lower-case header name' })
    .optional()
    .describe('Header whose value pins a client session to one credential (while it is usable), e.g. x-session-id.'),
  fallbacks: z
    .record(z.string().min(1), z.array(z.string().min(1)).min(1))
    .default({})
    .describe('Ordered fallback chains: model → models to try, in order, when every credential for it failed or is cooling down.'),
  cooldowns: cooldownsObject.default(() => cooldownsObject.parse({})).describe('How long a failing credential sits out, by failure.'),
});

/** `routing:` — retries, fallbacks, session affinity and cooldowns. */
export const routingSchema = routingObject.default(() => routingObject.parse({}));
