import type { FastifyReply, FastifyRequest } from 'fastify';
import { once } from 'node:events';
import { RampartError } from '../errors/catalogue.ts';
import { renderErrorBody } from '../errors/render/index.ts';
import type { ClientRequestContext } from '../formats/canonical/codec.ts';
import type { CanonicalRequest, StreamEvent, Usage } from '../formats/canonical/types.ts';
import { createSseParser } from '../formats/sse/parser.ts';
import type { ProviderRuntime } from '../routing/router.ts';
import { type UpstreamCall, type UpstreamClient } from '../upstream/upstream-client.ts';
import type { ClientFormat } from './proxy-deps.ts';
import { toStreamError } from './stream-errors.ts';
import { observerOf } from './proxy-observer.ts';
import { sendChecked } from './upstream-call.ts';

/** One streamed call's context. */
export interface RelayContext {
  request: FastifyRequest;
  reply: FastifyReply;
  format: ClientFormat;
  context: ClientRequestContext;
  canonical: CanonicalRequest;
  provider: ProviderRuntime;
  call: UpstreamCall;
  upstream: UpstreamClient;
  signal: AbortSignal;
  /** Counts the output characters relayed so far (text, thinking, tool calls), for estimates when the stream is cut. */
  progress?: StreamProgress;
}

/** How much output a stream relayed; owned by the caller so it survives a stream that ends in an exception. */
export interface StreamProgress {
  outputChars: number;
}

/**
 * Streams an upstream SSE answer to the client, translated event by event, one write per upstream chunk. Returns the
 * failure that ended the stream after the first byte (already told to the client), so the caller can cool the
 * credential; throws when nothing reached the client yet, so the caller can fail over.
 * Output is held back until the first event that carries content, so a stream that fails right after its opening
 * is still an ordinary HTTP error (and, with credential pools, a failover candidate). After that, a failure ends the
 * stream with an error event in the client's format: never a hang, never a silently truncated 200.
 */
/** How a relayed stream ended: a failure after the first byte (already told to the client) and the usage seen. */
export interface RelayOutcome {
  lateFailure?: RampartError;
  usage?: Usage;
}

export async function relayStream(ctx: RelayContext): Promise<RelayOutcome> {
  const observer = observerOf(ctx.upstream);
  if (observer === undefined) return relay(ctx, undefined);
  const id = ctx.provider.id;
  const track: StreamTrack = { responded: false, started: false, onStart: () => observer.streamStarted(id) };
  try {
    const outcome = await relay(ctx, track);
    if (outcome.lateFailure) observer.upstreamFailed(id, outcome.lateFailure);
    if (outcome.usage) observer.usage(id, outcome.usage);
    return outcome;
  } catch (error) {
    // sendChecked reported failures of the call itself; these came while reading the stream, before its first byte.
    if (track.responded) observer.upstreamFailed(id, error);
    throw error;
  } finally {
    if (track.started) observer.streamEnded(id);
  }
}

/** How far a relay got, for the observer. */
interface StreamTrack {
  responded: boolean;
  started: boolean;
  onStart(): void;
}

async function relay(ctx: RelayContext, track: StreamTrack | undefined): Promise<RelayOutcome> {
  const { request, reply, format, canonical, provider, signal } = ctx;
  const response = await sendChecked(ctx.upstream, ctx.call, provider, signal);
  if (track) track.responded = true;
  const contentType = String(response.headers['content-type'] ?? '');
  if (!contentType.startsWith('text/event-stream')) {
    await response.body.dump();
    throw new RampartError('RAMPART_UPSTREAM_INVALID_RESPONSE', { message: 'The upstream provider did not answer with an event stream.' });
  }

  const writer = format.codec.createStreamRenderer(canonical, ctx.context);
  const sse = createSseParser();
  const events = provider.adapter.codec.createStreamParser();
  const decoder = new TextDecoder();
  const raw = reply.raw;
  let started = false;
  let finished = false;
  let hasContent = false;
  let pending = '';
  let failure: RampartError | undefined;
  let usage: Usage | undefined;

  const progress = ctx.progress;
  const translate = (list: ReturnType<typeof events.push>): void => {
    for (let event of list) {
      if (event.type === 'start' && event.created === 0) event = { ...event, created: Math.floor(Date.now() / 1000) };
      if (progress !== undefined) progress.outputChars += outputChars(event);
      if (event.type === 'finish') finished = true;
      if (event.type === 'usage') usage = event.usage;
      if (event.type !== 'start') hasContent = true;
      pending += writer.render(event);
    }
  };
  const flush = async (): Promise<void> => {
    if (pending === '' || !hasContent) return;
    if (!started) {
      started = true;
      if (track) {
        track.started = true;
        track.onStart();
      }
      reply.hijack();
      raw.writeHead(200, { ...(reply.getHeaders() as Record<string, string>), 'content-type': writer.contentType, 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
    }
    const out = pending;
    pending = '';
    if (!raw.write(out)) await once(raw, 'drain', { signal });
  };

  try {
    for await (const chunk of response.body) {
      for (const message of sse.push(decoder.decode(chunk as Buffer, { stream: true }))) {
        if (message.data === '[DONE]') continue;
        translate(events.push(message.data, message.event));
      }
      await flush();
    }
    translate(events.end());
    if (!finished) failure = new RampartError('RAMPART_UPSTREAM_STREAM_INTERRUPTED');
  } catch (error) {
    failure = toStreamError(error, signal);
    response.body.destroy();
  }
  // Events translated before a fault are still the client's; they go out ahead of the error event.
  if (!signal.aborted) await flush();

  if (!started) throw failure ?? new RampartError('RAMPART_UPSTREAM_STREAM_INTERRUPTED');
  if (failure) {
    request.log.warn({ reqId: request.id, provider: provider.id, code: failure.code }, 'upstream stream failed mid-way');
    raw.end(writer.error(renderErrorBody(format.wireFormat, failure, request.id)));
    return usage ? { lateFailure: failure, usage } : { lateFailure: failure };
  }
  raw.end(writer.end());
  return usage ? { usage } : {};
}

/** Characters of model output an event carries: what a cut stream's output estimate is based on. */
function outputChars(event: StreamEvent): number {
  switch (event.type) {
    case 'text_delta':
    case 'thinking_delta':
      return event.text.length;
    case 'tool_call_delta':
      return event.argumentsDelta.length;
    case 'tool_call_start':
      return event.name.length;
    default:
      return 0;
  }
}
