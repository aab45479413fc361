import type { FastifyReply, FastifyRequest } from 'fastify';
import { FormatError } from '../formats/canonical/format-error.ts';
import type { CanonicalRequest } from '../formats/canonical/types.ts';
import { RampartError } from '../errors/catalogue.ts';
import { sendError } from '../pipeline/send-error.ts';
import type { Route, Router } from '../routing/router.ts';
import { mapUpstreamStatus } from '../upstream/map-status.ts';
import { ClientAbortedError, type UpstreamCall, type UpstreamClient, readBodyCapped } from '../upstream/upstream-client.ts';
import type { ClientFormat } from './client-formats/client-format.ts';
import { relayStream } from './relay-stream.ts';

/** Largest non-streamed upstream body Rampart will buffer. */
const MAX_UPSTREAM_BODY_BYTES = 32 * 1024 * 1024;

/** What the proxy handler needs, wired once by app.ts. */
export interface ProxyDeps {
  router: Router;
  upstream: UpstreamClient;
}

/**
 * The proxy's core: client format → canonical → route → provider call → canonical → client format.
 * A client disconnect aborts the upstream call at once.
 */
export async function handleProxyRequest(deps: ProxyDeps, format: ClientFormat, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  let canonical: CanonicalRequest;
  try {
    canonical = format.parseRequest(request.body);
  } catch (error) {
    if (error instanceof FormatError) {
      await sendError(request, reply, new RampartError('RAMPART_REQUEST_INVALID', { message: error.message, param: error.param }));
      return;
    }
    throw error;
  }
  const route = deps.router.resolve(canonical.model);
  if (!route) {
    await sendError(request, reply, new RampartError('RAMPART_MODEL_NOT_FOUND', { message: `No configured provider serves the model "${truncate(canonical.model)}".`, param: 'model' }));
    return;
  }

  const abort = new AbortController();
  const onClose = (): void => {
    if (!reply.raw.writableFinished) abort.abort();
  };
  reply.raw.once('close', onClose);
  try {
    if (canonical.stream) await relayStream({ request, reply, format, canonical, route, upstream: deps.upstream, signal: abort.signal });
    else await answerJson(deps, format, canonical, route, request, reply, abort.signal);
  } catch (error) {
    if (error instanceof ClientAbortedError || abort.signal.aborted) return;
    throw error;
  } finally {
    reply.raw.off('close', onClose);
  }
}

async function answerJson(
  deps: ProxyDeps,
  format: ClientFormat,
  canonical: CanonicalRequest,
  route: Route,
  request: FastifyRequest,
  reply: FastifyReply,
  signal: AbortSignal,
): Promise<void> {
  const { adapter } = route.provider;
  const response = await deps.upstream.send(buildCall(canonical, route), route.provider.timeouts, signal);
  if (response.statusCode >= 400) {
    await response.body.dump();
    throw mapUpstreamStatus(response.statusCode, response.headers);
  }
  const raw = await readBodyCapped(response.body, MAX_UPSTREAM_BODY_BYTES, signal);
  let parsed;
  try {
    parsed = adapter.parseChatResponse(JSON.parse(raw.toString('utf8')));
  } catch (error) {
    request.log.warn({ reqId: request.id, provider: route.provider.id, reason: error instanceof Error ? error.message : 'unknown' }, 'upstream response not understood');
    throw new RampartError('RAMPART_UPSTREAM_INVALID_RESPONSE');
  }
  await reply.code(200).type('application/json').send(format.renderResponse(parsed));
}

function truncate(text: string): string {
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}

/** The provider's wire request; a canonical feature the provider cannot express is the client's 400, not a silent drop. */
export function buildCall(canonical: CanonicalRequest, route: Route): UpstreamCall {
  try {
    return route.provider.adapter.buildChatCall(canonical, route.target);
  } catch (error) {
    if (error instanceof FormatError) throw new RampartError('RAMPART_REQUEST_INVALID', { message: error.message, param: error.param });
    throw error;
  }
}
