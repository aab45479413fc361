import type { FastifyReply, FastifyRequest } from 'fastify';
import { estimateRequestTokens } from '../formats/canonical/estimate-tokens.ts';
import type { CanonicalRequest, CanonicalTokenCount } from '../formats/canonical/types.ts';
import { parseClient } from './parse-client.ts';
import { type ProxyDeps, failover } from './proxy-deps.ts';
import { forTarget, planForKey } from './resolve-route.ts';
import { buildCall, callJson } from './upstream-call.ts';
import { withClientAbort } from './with-abort.ts';
import { signedCredential } from './oauth-credential.ts';
import { startUsage } from '../usage/request-usage.ts';

/**
 * Token counting (Anthropic count_tokens, Gemini countTokens). When the model's first provider has a counting
 * endpoint it is asked; otherwise Rampart estimates and says so in `x-rampart-token-count: estimate`.
 */
export async function handleCountTokens(
  deps: ProxyDeps,
  parse: () => CanonicalRequest,
  render: (count: CanonicalTokenCount) => unknown,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  const canonical = parseClient(parse);
  deps.waf(request, canonical);
  const plan = planForKey(deps.router, canonical.model, request);
  if (plan.targets[0]!.provider.adapter.countTokens === undefined) {
    await reply.code(200).header('x-rampart-token-count', 'estimate').type('application/json').send(render({ inputTokens: estimateRequestTokens(canonical) }));
    return;
  }
  const capable = plan.targets.filter((t) => t.provider.adapter.countTokens !== undefined);
  // Counting spends no tokens: the record has zero counts and shows who asked which provider, how fast.
  startUsage(deps.usage, request, reply, 'count_tokens', canonical.model)?.tokens({ input: 0, output: 0, estimated: false });
  await withClientAbort(reply, (signal) =>
    failover(deps, request, { targets: capable }, signal, async (target, pooled) => {
      const credential = await signedCredential(deps.oauthTokens, pooled);
      const { provider } = target;
      const counter = provider.adapter.countTokens!;
      const asked = forTarget(canonical, target);
      const call = buildCall(() => counter.call(asked, { baseUrl: provider.baseUrl, credential }));
      const count = await callJson(deps.upstream, call, provider, signal, (body) => counter.parse(body));
      await reply.code(200).header('x-rampart-token-count', 'provider').type('application/json').send(render(count));
      return { value: undefined };
    }),
  );
}
