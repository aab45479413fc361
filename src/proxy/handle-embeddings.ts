import type { FastifyReply } from 'fastify';
import { RampartError } from '../errors/catalogue.ts';
import type { CanonicalEmbeddingRequest, CanonicalEmbeddingResponse } from '../formats/canonical/types.ts';
import { parseClient } from './parse-client.ts';
import type { ProxyDeps } from './proxy-deps.ts';
import { resolveRoute } from './resolve-route.ts';
import { buildCall, callJson } from './upstream-call.ts';
import { withClientAbort } from './with-abort.ts';

/** Embeddings in any client format, served by whichever provider serves the model (if its API has embeddings). */
export async function handleEmbeddings(
  deps: ProxyDeps,
  parse: () => CanonicalEmbeddingRequest,
  render: (response: CanonicalEmbeddingResponse, request: CanonicalEmbeddingRequest) => unknown,
  reply: FastifyReply,
): Promise<void> {
  const canonical = parseClient(parse);
  const route = resolveRoute(deps.router, canonical.model);
  const embeddings = route.provider.adapter.embeddings;
  if (!embeddings) {
    throw new RampartError('RAMPART_OPERATION_UNSUPPORTED', { message: `Provider "${route.provider.id}" (${route.provider.adapter.type}) has no embeddings API.`, param: 'model' });
  }
  const call = buildCall(() => embeddings.call(canonical, route.target));
  await withClientAbort(reply, async (signal) => {
    const response = await callJson(deps.upstream, call, route.provider, signal, (body) => embeddings.parse(body, canonical));
    await reply.code(200).type('application/json').send(render(response, canonical));
  });
}

