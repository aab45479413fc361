import type { FastifyReply, FastifyRequest } from 'fastify';
import { RampartError } from '../errors/catalogue.ts';
import type { CanonicalEmbeddingRequest, CanonicalEmbeddingResponse } from '../formats/canonical/types.ts';
import { parseClient } from './parse-client.ts';
import { type ProxyDeps, failover } from './proxy-deps.ts';
import { forTarget, planForKey } from './resolve-route.ts';
import { buildCall, callJson } from './upstream-call.ts';
import { withClientAbort } from './with-abort.ts';
import { signedCredential } from './oauth-credential.ts';
import { startUsage } from '../usage/request-usage.ts';
import { estimateTextTokens } from '../formats/canonical/estimate-tokens.ts';

/** Embeddings in any client format, served by whichever provider serves the model (if its API has embeddings). */
export async function handleEmbeddings(
  deps: ProxyDeps,
  parse: () => CanonicalEmbeddingRequest,
  renderResponse: (response: CanonicalEmbeddingResponse, request: CanonicalEmbeddingRequest) => unknown,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  const canonical = parseClient(parse);
  deps.waf(request, canonical);
  const plan = planForKey(deps.router, canonical.model, request);
  const capable = plan.targets.filter((t) => t.provider.adapter.embeddings !== undefined);
  if (capable.length === 0) {
    const first = plan.targets[0]!.provider;
    throw new RampartError('RAMPART_OPERATION_UNSUPPORTED', { message: `Provider "${first.id}" (${first.adapter.type}) has no embeddings API.`, param: 'model' });
  }
  const accounting = startUsage(deps.usage, request, reply, 'embeddings', canonical.model);
  // Usage accounting reads the tokens on their way to the client; providers that report none are estimated.
  const render = (response: CanonicalEmbeddingResponse, asked: CanonicalEmbeddingRequest): unknown => {
    const input = response.usage?.inputTokens;
    accounting?.tokens({ input: input ?? estimateTextTokens(asked.inputs.join('')), output: 0, estimated: input === undefined });
    return renderResponse(response, asked);
  };
  await withClientAbort(reply, (signal) =>
    failover(deps, request, { targets: capable }, signal, async (target, pooled) => {
      const credential = await signedCredential(deps.oauthTokens, pooled);
      const { provider } = target;
      const embeddings = provider.adapter.embeddings!;
      const asked = forTarget(canonical, target);
      const call = buildCall(() => embeddings.call(asked, { baseUrl: provider.baseUrl, credential }));
      const response = await callJson(deps.upstream, call, provider, signal, (body) => embeddings.parse(body, asked));
      await reply.code(200).type('application/json').send(render(response, canonical));
      return { value: undefined };
    }),
  );
}
