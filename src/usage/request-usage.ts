import type { FastifyReply, FastifyRequest } from 'fastify';
import { RampartError } from '../errors/catalogue.ts';
import type { Usage } from '../formats/canonical/types.ts';
import type { UsageOutcome } from '../storage/ports.ts';
import type { UsageRecorder } from './usage-recorder.ts';

/** The route kinds usage accounting tells apart. */
export type UsageRoute = 'chat' | 'embeddings' | 'count_tokens';

/** Tokens as a handler reports them; `estimated` when Rampart counted instead of the provider. */
export interface UsageTokens {
  input: number;
  output: number;
  cached?: number | undefined;
  reasoning?: number | undefined;
  estimated: boolean;
}

// The failover loop (proxy-deps.ts) learns the provider, credential and late failures of a request; it finds the
// request's tracker here rather than through another parameter of every attempt callback.
const active = new WeakMap<FastifyRequest, RequestUsage>();

/**
 * One proxied request's usage, written once both the handler is done (its tokens are known) and the response has
 * closed (its status, latency and whether the client stayed are known). Either may come first: a stream's `close`
 * can fire before the handler's `finally` runs, and a thrown error is answered only after the handler returned.
 */
export class RequestUsage {
  readonly #recorder: UsageRecorder;
  readonly #request: FastifyRequest;
  readonly #route: UsageRoute;
  readonly #modelRequested: string;
  readonly #manualSettle: boolean;
  #providerId: string | null = null;
  #credentialId: string | null = null;
  #modelUpstream: string | null = null;
  #failure: unknown;
  #lateFailure = false;
  #tokens: UsageTokens | undefined;
  #estimate: (() => { input: number; output: number }) | undefined;
  #settled = false;
  #closed: { status: number; latencyMs: number; aborted: boolean } | undefined;

  constructor(recorder: UsageRecorder, request: FastifyRequest, reply: FastifyReply, route: UsageRoute, modelRequested: string, manualSettle: boolean) {
    this.#recorder = recorder;
    this.#request = request;
    this.#route = route;
    this.#modelRequested = modelRequested;
    this.#manualSettle = manualSettle;
    const raw = reply.raw;
    const onClose = (): void => {
      // Not finished writing when the socket closed: the client went away (or the connection broke) mid-answer.
      const aborted = !raw.writableFinished;
      this.#closed = { status: raw.headersSent ? raw.statusCode : 499, latencyMs: Math.max(0, Math.round(reply.elapsedTime)), aborted };
      this.#maybeRecord();
    };
    if (raw.writableFinished || raw.destroyed) queueMicrotask(onClose);
    else raw.once('close', onClose);
  }

  /** An upstream attempt starts: the last one is the one that answered (or failed last). */
  attempt(providerId: string, credentialId: string, upstreamModel: string): void {
    this.#providerId = providerId;
    this.#credentialId = credentialId;
    this.#modelUpstream = upstreamModel;
  }

  /** The answer failed after its first byte (already told to the client). */
  lateFailure(): void {
    this.#lateFailure = true;
  }

  /** The request failed with this error (answered by the error handler after the handler returns). */
  fail(error: unknown): void {
    this.#failure = error;
  }

  /** Tokens of the answer; may be called before `settle`. */
  tokens(tokens: UsageTokens): void {
    this.#tokens = tokens;
  }

  /**
   * The handler is done. Without tokens but with an answer under way (a stream cut by the upstream or left by the
   * client, a provider that reported nothing), input and output are estimated with `estimate` (the output from what
   * was relayed before the cut).
   */
  settle(tokens?: UsageTokens, estimate?: () => { input: number; output: number }): void {
    if (tokens !== undefined) this.#tokens = tokens;
    this.#estimate = estimate;
    this.#settled = true;
    this.#maybeRecord();
  }

  /** The failover loop ended: the handler is done, unless it settles itself (chat, which knows the tokens). */
  settleFromFailover(): void {
    if (!this.#manualSettle) this.settle();
  }

  #maybeRecord(): void {
    if (!this.#settled || this.#closed === undefined) return;
    active.delete(this.#request);
    const { status, latencyMs, aborted } = this.#closed;
    // A status below 400 went out, so the provider was answering: it bills for the input at least.
    const estimate = this.#estimate;
    const tokens = this.#tokens ?? (estimate !== undefined && status < 400 ? { ...estimate(), estimated: true } : undefined);
    const request = this.#request;
    this.#recorder.record(
      {
        time: new Date(),
        requestId: request.id,
        keyId: request.clientKey?.id ?? null,
        providerId: this.#providerId,
        credentialId: this.#credentialId,
        modelRequested: this.#modelRequested,
        modelUpstream: this.#modelUpstream,
        route: this.#route,
        inputTokens: tokens?.input ?? 0,
        outputTokens: tokens?.output ?? 0,
        cachedTokens: tokens?.cached ?? 0,
        reasoningTokens: tokens?.reasoning ?? 0,
        estimated: tokens?.estimated ?? false,
        latencyMs,
        status,
        outcome: outcomeOf(status, aborted, this.#lateFailure, this.#failure),
      },
      request.clientIp,
    );
  }
}

/** How the request ended, from what the client saw first and the error behind it second. */
export function outcomeOf(status: number, aborted: boolean, lateFailure: boolean, failure: unknown): UsageOutcome {
  if (aborted) return 'client_abort';
  if (lateFailure) return 'upstream_error';
  if (status < 400) return 'ok';
  if (failure instanceof RampartError && (failure.code.startsWith('RAMPART_UPSTREAM_') || failure.code === 'RAMPART_NO_CREDENTIAL')) return 'upstream_error';
  if (status === 429) return 'rate_limited';
  if (status < 500) return 'client_error';
  return status === 500 ? 'internal_error' : 'upstream_error';
}

/**
 * Starts tracking one proxied request (no-op without a recorder). `manualSettle`: the handler calls `settle` itself
 * with the tokens; otherwise the end of the failover loop settles it.
 */
export function startUsage(
  recorder: UsageRecorder | undefined,
  request: FastifyRequest,
  reply: FastifyReply,
  route: UsageRoute,
  modelRequested: string,
  manualSettle = false,
): RequestUsage | undefined {
  if (recorder === undefined) return undefined;
  const usage = new RequestUsage(recorder, request, reply, route, modelRequested, manualSettle);
  active.set(request, usage);
  return usage;
}

/** The tracker of a request, if usage accounting follows it (for the failover loop). */
export function usageOf(request: FastifyRequest): RequestUsage | undefined {
  return active.get(request);
}

/** Canonical usage as the tracker takes it; undefined stays undefined. */
export function usageTokens(usage: Usage | undefined): UsageTokens | undefined {
  if (usage === undefined) return undefined;
  return { input: usage.inputTokens, output: usage.outputTokens, cached: usage.cachedInputTokens, reasoning: usage.reasoningTokens, estimated: false };
}
