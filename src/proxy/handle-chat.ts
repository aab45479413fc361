import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ClientRequestContext } from '../formats/canonical/codec.ts';
import { callJson, buildCall } from './upstream-call.ts';
import { parseClient } from './parse-client.ts';
import type { ClientFormat, ProxyDeps } from './proxy-deps.ts';
import { relayStream } from './relay-stream.ts';
import { resolveRoute } from './resolve-route.ts';
import { withClientAbort } from './with-abort.ts';

/**
 * A chat turn in any client format: client wire → canonical → route → provider wire → canonical → client wire.
 * Streams are relayed event by event; a client disconnect aborts the upstream call at once.
 */
export async function handleChat(deps: ProxyDeps, format: ClientFormat, context: ClientRequestContext, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const canonical = parseClient(() => format.codec.parseRequest(request.body, context));
  const route = resolveRoute(deps.router, canonical.model);
  const { adapter } = route.provider;
  const call = buildCall(() => adapter.chatCall(canonical, route.target));
  await withClientAbort(reply, async (signal) => {
    if (canonical.stream) {
      await relayStream({ request, reply, format, context, canonical, route, call, upstream: deps.upstream, signal });
      return;
    }
    const response = await callJson(deps.upstream, call, route.provider, signal, (body) => adapter.codec.parseResponse(body));
    // Some providers (Anthropic) report no creation time; formats/ has no clock, so the gateway stamps it.
    if (response.created === 0) response.created = Math.floor(Date.now() / 1000);
    await reply.code(200).type('application/json').send(format.codec.renderResponse(response));
  });
}
