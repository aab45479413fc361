import type { FastifyReply, FastifyRequest } from 'fastify';
import { once } from 'node:events';
import { RampartError } from '../errors/catalogue.ts';
import { renderErrorBody } from '../errors/render/index.ts';
import type { CanonicalRequest } from '../formats/canonical/types.ts';
import { createSseParser } from '../formats/sse/parser.ts';
import type { Route } from '../routing/router.ts';
import { mapUpstreamStatus } from '../upstream/map-status.ts';
import { ClientAbortedError, type UpstreamClient, mapNetworkError } from '../upstream/upstream-client.ts';
import type { ClientFormat } from './client-formats/client-format.ts';
import { buildCall } from './handle-proxy-request.ts';

/** One streamed call's context. */
export interface RelayContext {
  request: FastifyRequest;
  reply: FastifyReply;
  format: ClientFormat;
  canonical: CanonicalRequest;
  route: Route;
  upstream: UpstreamClient;
  signal: AbortSignal;
}

/**
 * Streams an upstream SSE answer to the client, translated event by event and flushed per upstream chunk.
 * Nothing is written to the client before the first translated event, so until then a failure is still an ordinary
 * HTTP error (and, later, a failover). After that, a failure ends the stream with an error event in the client's
 * format: never a hang, never a silently truncated 200.
 */
export async function relayStream(ctx: RelayContext): Promise<void> {
  const { request, reply, format, canonical, route, signal } = ctx;
  const { adapter } = route.provider;
  const response = await ctx.upstream.send(buildCall(canonical, route), route.provider.timeouts, signal);
  if (response.statusCode >= 400) {
    await response.body.dump();
    throw mapUpstreamStatus(response.statusCode, response.headers);
  }
  const contentType = String(response.headers['content-type'] ?? '');
  if (!contentType.startsWith('text/event-stream')) {
    await response.body.dump();
    throw new RampartError('RAMPART_UPSTREAM_INVALID_RESPONSE', { message: 'The upstream provider did not answer with an event stream.' });
  }

  const writer = format.createStreamWriter(canonical);
  const sse = createSseParser();
  const events = adapter.createChatStreamParser();
  const decoder = new TextDecoder();
  const raw = reply.raw;
  let started = false;
  let finished = false;
  let failure: RampartError | undefined;

  const start = (): void => {
    started = true;
    reply.hijack();
    raw.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      'content-type': writer.contentType,
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no',
    });
  };

  // Output is held back until the first event that carries content, so a stream that fails right after its opening
  // chunk is still an ordinary HTTP error (and a failover candidate) rather than a broken 200.
  let pending = '';
  let hasContent = false;
  const flush = async (): Promise<void> => {
    if (pending === '' || !hasContent) return;
    if (!started) start();
    const out = pending;
    pending = '';
    if (!raw.write(out)) await once(raw, 'drain', { signal });
  };

  try {
    for await (const chunk of response.body) {
      for (const message of sse.push(decoder.decode(chunk as Buffer, { stream: true }))) {
        if (message.data === '[DONE]') continue;
        for (const event of events.push(message.data)) {
          if (event.type === 'finish') finished = true;
          if (event.type !== 'start') hasContent = true;
          pending += writer.event(event);
        }
      }
      await flush();
    }
    if (!finished) failure = new RampartError('RAMPART_UPSTREAM_STREAM_INTERRUPTED');
  } catch (error) {
    const mapped = toStreamError(error, signal);
    if (mapped instanceof ClientAbortedError) throw mapped;
    failure = mapped;
    response.body.destroy();
    // Events translated before the fault are still the client's; send them ahead of the error event.
    if (!signal.aborted) await flush().catch(() => undefined);
  }

  if (!started) {
    if (failure) throw failure;
    // An upstream that ends cleanly without one event is broken, not successful.
    throw new RampartError('RAMPART_UPSTREAM_STREAM_INTERRUPTED');
  }
  if (failure) {
    request.log.warn({ reqId: request.id, provider: route.provider.id, code: failure.code }, 'upstream stream failed mid-way');
    raw.end(writer.error(renderErrorBody(format.wireFormat, failure, request.id)));
    return;
  }
  raw.end(writer.end());
}

function toStreamError(error: unknown, signal: AbortSignal): RampartError | ClientAbortedError {
  if (error instanceof RampartError || error instanceof ClientAbortedError) return error;
  if (error instanceof Error && error.name === 'FormatError') {
    return new RampartError('RAMPART_UPSTREAM_INVALID_RESPONSE');
  }
  const mapped = mapNetworkError(error, signal);
  if (mapped instanceof RampartError && mapped.code === 'RAMPART_UPSTREAM_ERROR') return new RampartError('RAMPART_UPSTREAM_STREAM_INTERRUPTED', { cause: error });
  return mapped as RampartError | ClientAbortedError;
}
