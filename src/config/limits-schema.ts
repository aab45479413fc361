import { z } from 'zod';

// `rateLimits:` and the per-provider `rpm`/`tpm` fields. The limiter (src/limits/rate-limiter.ts) counts in fixed
// windows of whole seconds, because that is what a shared Redis backend (RateLimiterRedis, EX seconds) can hold; the
// refinements below refuse at boot the combinations a whole-second window cannot honour.

const MAX_RPS = 1_000_000;
const MAX_BURST = 100_000_000;
// Large enough for any provider tier we know of (tens of millions of TPM), small enough to stay far from 2^53.
const MAX_PER_MINUTE = 1_000_000_000_000;

const rps = z.number().int().positive().max(MAX_RPS);
const burst = z.number().int().min(1).max(MAX_BURST);
const perMinute = z.number().int().positive().max(MAX_PER_MINUTE);

const BURST_RULE = {
  error: 'must be at least rps: limits count in windows of whole seconds, so a second always admits rps requests',
  path: ['burst'],
};

/** Whether `burst` is valid next to `rps` (a window of `burst` requests lasts ⌈burst/rps⌉ whole seconds). */
function burstCoversRps(value: { rps: number; burst: number }): boolean {
  return value.burst >= value.rps;
}

const RATE_NOTE =
  '`burst` requests may pass at once; the window refills after ⌈burst/rps⌉ s. Make burst a multiple of rps for an exact average rate.';

/** A token-bucket-like rate: `rps` sustained requests per second, `burst` at once. */
export const rateSchema = z
  .strictObject({
    rps: rps.describe('Sustained requests per second.'),
    burst: burst.describe('Requests allowed at once (the bucket size); at least rps.'),
  })
  .refine(burstCoversRps, BURST_RULE);

const perIpObject = z
  .strictObject({
    enabled: z
      .boolean()
      .default(true)
      .describe('Turn the per-address limit off only when a trusted front proxy already limits each client.'),
    rps: rps.default(50).describe('Sustained requests per second from one client address (one /64 for IPv6).'),
    burst: burst.default(100).describe('Requests allowed at once from one client address; at least rps.'),
  })
  .refine(burstCoversRps, BURST_RULE);

/** Provider RPM/TPM; merged into each provider entry, and the shape of `rateLimits.providerDefaults`. */
export const providerLimitsSchema = z.strictObject({
  rpm: perMinute.optional().describe('Requests per minute Rampart sends to this provider (all credentials together); unset = no limit.'),
  tpm: perMinute
    .optional()
    .describe('Estimated tokens (input + max output) per minute Rampart sends to this provider; unset = no limit.'),
});

const rateLimitsObject = z.strictObject({
  global: rateSchema.optional().describe(`Requests of all clients together; unset = no global limit. ${RATE_NOTE}`),
  perIp: perIpObject
    .default(() => perIpObject.parse({}))
    .describe(`Requests per client address, on by default against a flood from one address. ${RATE_NOTE}`),
  perKey: rateSchema
    .optional()
    .describe(`Requests per client key, for keys without their own rps/burst; unset = only keys with their own limit are limited. ${RATE_NOTE}`),
  providerDefaults: providerLimitsSchema
    .optional()
    .describe('rpm/tpm of providers that do not set their own (field by field); unset = no provider limit.'),
});

/** `rateLimits:` — global, per-address and per-key request rates, and provider RPM/TPM defaults. */
export const rateLimitsSchema = rateLimitsObject.default(() => rateLimitsObject.parse({}));

/** The parsed `rateLimits:` section. */
export type RateLimitsConfig = z.output<typeof rateLimitsSchema>;
/** A parsed rate (`rps` + `burst`). */
export type RateConfig = z.output<typeof rateSchema>;
/** A provider's parsed `rpm`/`tpm`. */
export type ProviderLimitsConfig = z.output<typeof providerLimitsSchema>;
