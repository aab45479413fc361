import type { FastifyReply } from 'fastify';
import { estimateRequestTokens } from '../formats/canonical/estimate-tokens.ts';
import type { CanonicalRequest, CanonicalTokenCount } from '../formats/canonical/types.ts';
import { parseClient } from './parse-client.ts';
import type { ProxyDeps } from './proxy-deps.ts';
import { resolveRoute } from './resolve-route.ts';
import { buildCall, callJson } from './upstream-call.ts';
import { withClientAbort } from './with-abort.ts';

/**
 * Token counting (Anthropic count_tokens, Gemini countTokens). Providers with a counting endpoint are asked;
 * for the others Rampart estimates and says so in `x-rampart-token-count: estimate`.
 */
export async function handleCountTokens(
  deps: ProxyDeps,
  parse: () => CanonicalRequest,
  render: (count: CanonicalTokenCount) => unknown,
  reply: FastifyReply,
): Promise<void> {
  const canonical = parseClient(parse);
  const route = resolveRoute(deps.router, canonical.model);
  const counter = route.provider.adapter.countTokens;
  if (!counter) {
    await reply.code(200).header('x-rampart-token-count', 'estimate').type('application/json').send(render({ inputTokens: estimateRequestTokens(canonical) }));
    return;
  }
  const call = buildCall(() => counter.call(canonical, route.target));
  await withClientAbort(reply, async (signal) => {
    const count = await callJson(deps.upstream, call, route.provider, signal, (body) => counter.parse(body));
    await reply.code(200).header('x-rampart-token-count', 'provider').type('application/json').send(render(count));
  });
}
