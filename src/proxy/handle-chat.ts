import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ClientRequestContext } from '../formats/canonical/codec.ts';
import { outboundHeaders } from '../upstream/outbound-headers.ts';
import { maxTokensCeiling } from '../pipeline/validate-body.ts';
import { RampartError } from '../errors/catalogue.ts';
import type { Usage } from '../formats/canonical/types.ts';
import { parseClient } from './parse-client.ts';
import { holdQuota } from './quota-hold.ts';
import { type ClientFormat, type ProxyDeps, failover } from './proxy-deps.ts';
import { type StreamProgress, relayStream } from './relay-stream.ts';
import { forTarget, planForKey } from './resolve-route.ts';
import { buildCall, callJson } from './upstream-call.ts';
import { withClientAbort } from './with-abort.ts';
import { signedCredential } from './oauth-credential.ts';
import { startUsage, usageTokens } from '../usage/request-usage.ts';
import { estimateCharTokens, estimateRequestTokens } from '../formats/canonical/estimate-tokens.ts';

/** Where each client format puts its output cap, for the ceiling's error message. */
const MAX_TOKENS_PARAM = { openai: 'max_tokens', anthropic: 'max_tokens', gemini: 'generationConfig.maxOutputTokens' } as const;

/**
 * A chat turn in any client format: client wire → canonical → plan (aliases, prefix, fallbacks) → for each attempt:
 * credential → provider wire → canonical → client wire. Failover happens only before the first byte reaches the
 * client; a client disconnect aborts the upstream call at once.
 */
export async function handleChat(deps: ProxyDeps, format: ClientFormat, context: ClientRequestContext, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const canonical = parseClient(() => format.codec.parseRequest(request.body, context));
  deps.waf(request, canonical);
  const { validation } = deps;
  canonical.maxTokens = maxTokensCeiling(canonical.maxTokens, { global: validation.maxTokensCeiling, model: validation.modelMaxTokens[canonical.model], key: request.clientKey?.maxTokens ?? undefined }, MAX_TOKENS_PARAM[format.wireFormat]);
  if (canonical.maxTokens === undefined) delete canonical.maxTokens;
  const plan = planForKey(deps.router, canonical.model, request);
  const hold = await holdQuota(deps.quota, request, canonical);
  const accounting = startUsage(deps.usage, request, reply, 'chat', canonical.model, true);
  let answered = false;
  let usage: Usage | undefined;
  const progress: StreamProgress = { outputChars: 0 };
  try {
    await withClientAbort(reply, (signal) =>
      failover(deps, request, plan, signal, async (target, pooled) => {
        const credential = await signedCredential(deps.oauthTokens, pooled);
        const { provider } = target;
        const asked = forTarget(canonical, target);
        const call = buildCall(() => provider.adapter.chatCall(asked, { baseUrl: provider.baseUrl, credential }));
        // Outbound headers are the adapter's, plus the few client headers its API reads: never cookies or client auth.
        call.headers = outboundHeaders(call.headers, request.headers, provider.adapter.passThroughHeaders ?? []);
        const admitted = await deps.providerLimits.tryAttempt(provider.id, hold.estimate);
        if (!admitted.ok) {
          throw new RampartError('RAMPART_RATE_LIMITED', {
            message: `Rampart's own ${admitted.limitedBy === 'rpm' ? 'requests' : 'tokens'}-per-minute limit for this provider is reached; retry after the indicated time.`,
            retryAfterSeconds: Math.max(1, Math.ceil(admitted.retryAfterMs / 1000)),
          });
        }
        if (asked.stream) {
          const outcome = await relayStream({ request, reply, format, context, canonical: asked, provider, call, upstream: deps.upstream, signal, progress });
          answered = true;
          usage = outcome.usage;
          await admitted.settle(usage ? usage.inputTokens + usage.outputTokens : hold.estimate);
          return outcome.lateFailure ? { value: undefined, lateFailure: outcome.lateFailure } : { value: undefined };
        }
        const response = await callJson(deps.upstream, call, provider, signal, (body) => provider.adapter.codec.parseResponse(body));
        answered = true;
        usage = response.usage;
        await admitted.settle(usage ? usage.inputTokens + usage.outputTokens : hold.estimate);
        // Some providers (Anthropic) report no creation time; formats/ has no clock, so the gateway stamps it.
        if (response.created === 0) response.created = Math.floor(Date.now() / 1000);
        await reply.code(200).type('application/json').send(format.codec.renderResponse(response));
        return { value: undefined };
      }),
    );
  } finally {
    // A cut stream (client gone, upstream reset) has no usage event: its input is estimated, and its output from the
    // characters relayed before the cut.
    const estimate = (): { input: number; output: number } => ({ input: estimateRequestTokens(canonical), output: estimateCharTokens(progress.outputChars) });
    accounting?.settle(usageTokens(usage), estimate);
    // Output that reached the client is charged against the quota even when the client left before the end.
    const estimated = usage ?? (progress.outputChars > 0 ? estimatedUsage(estimate()) : undefined);
    await hold.finish({ answered: answered || progress.outputChars > 0, usage: estimated }).catch((error: unknown) => request.log.error({ err: error, reqId: request.id }, 'recording token usage failed'));
  }
}

/** A Usage made of estimates, for the quota of a stream cut before its usage event. */
function estimatedUsage(tokens: { input: number; output: number }): Usage {
  return { inputTokens: tokens.input, outputTokens: tokens.output };
}
