import type { Dispatcher } from 'undici';
import { RampartError } from '../errors/catalogue.ts';
import { FormatError } from '../formats/canonical/format-error.ts';
import type { Usage } from '../formats/canonical/types.ts';
import type { ProviderRuntime } from '../routing/router.ts';
import { MAX_UPSTREAM_BODY_BYTES, MAX_UPSTREAM_ERROR_BODY_BYTES } from '../upstream/limits.ts';
import { mapUpstreamStatus } from '../upstream/map-status.ts';
import { type UpstreamCall, type UpstreamClient, readBodyCapped } from '../upstream/upstream-client.ts';
import { observerOf } from './proxy-observer.ts';

/**
 * Builds a provider call. A canonical feature the provider cannot express (FormatError from its renderer) is the
 * client's 400, never a silent drop.
 */
export function buildCall(build: () => UpstreamCall): UpstreamCall {
  try {
    return build();
  } catch (error) {
    if (error instanceof FormatError) throw new RampartError('RAMPART_REQUEST_INVALID', { message: error.message, param: error.param });
    throw error;
  }
}

/**
 * Sends a call and returns the response when its status is a success; upstream errors and redirects (never
 * followed) become catalogue errors.
 */
export async function sendChecked(upstream: UpstreamClient, call: UpstreamCall, provider: ProviderRuntime, signal: AbortSignal): Promise<Dispatcher.ResponseData> {
  const observer = observerOf(upstream);
  if (observer === undefined) return checkStatus(await upstream.send(call, { ...provider.timeouts, allowPrivateNetwork: provider.allowPrivateNetwork }, signal), signal);
  const started = performance.now();
  try {
    const response = await upstream.send(call, { ...provider.timeouts, allowPrivateNetwork: provider.allowPrivateNetwork }, signal);
    observer.upstreamResponded(provider.id, (performance.now() - started) / 1000);
    return await checkStatus(response, signal);
  } catch (error) {
    observer.upstreamFailed(provider.id, error);
    throw error;
  }
}

/** Passes a success through; turns any other status into its catalogue error (the body is drained, never shown). */
async function checkStatus(response: Dispatcher.ResponseData, signal: AbortSignal): Promise<Dispatcher.ResponseData> {
  if (response.statusCode >= 300) {
    // Google sends its retry hint in the body (google.rpc.RetryInfo `retryDelay`), not in a retry-after header.
    if (response.statusCode === 429 && response.headers['retry-after'] === undefined) {
      const hint = retryDelayFromBody(await readBodyCapped(response.body, MAX_UPSTREAM_ERROR_BODY_BYTES, signal).catch(() => Buffer.alloc(0)));
      throw mapUpstreamStatus(429, hint === undefined ? response.headers : { ...response.headers, 'retry-after': String(hint) });
    }
    await response.body.dump();
    throw mapUpstreamStatus(response.statusCode, response.headers);
  }
  return response;
}

/** Sends a call and parses its JSON answer with `parse`; anything unparseable is RAMPART_UPSTREAM_INVALID_RESPONSE. */
export async function callJson<T>(upstream: UpstreamClient, call: UpstreamCall, provider: ProviderRuntime, signal: AbortSignal, parse: (body: unknown) => T): Promise<T> {
  const response = await sendChecked(upstream, call, provider, signal);
  const observer = observerOf(upstream);
  let result: T;
  try {
    const raw = await readBodyCapped(response.body, MAX_UPSTREAM_BODY_BYTES, signal);
    try {
      result = parse(JSON.parse(raw.toString('utf8')));
    } catch (error) {
      throw new RampartError('RAMPART_UPSTREAM_INVALID_RESPONSE', { cause: error });
    }
  } catch (error) {
    observer?.upstreamFailed(provider.id, error);
    throw error;
  }
  const usage = observer === undefined ? undefined : usageOf(result);
  if (usage !== undefined) observer?.usage(provider.id, usage);
  return result;
}

/** The canonical usage of a parsed answer (chat responses, embeddings), when it carries one. */
function usageOf(result: unknown): Usage | undefined {
  if (typeof result !== 'object' || result === null || !('usage' in result)) return undefined;
  const usage = result.usage as Partial<Usage> | null | undefined;
  return typeof usage?.inputTokens === 'number' && typeof usage.outputTokens === 'number' ? (usage as Usage) : undefined;
}

/** Seconds from a google.rpc.RetryInfo `retryDelay` ("12s", "1.5s") in an error body, rounded up; else undefined. */
export function retryDelayFromBody(body: Buffer): number | undefined {
  const match = /"retryDelay"\s*:\s*"(\d+(?:\.\d+)?)s"/.exec(body.toString('utf8'));
  return match?.[1] === undefined ? undefined : Math.ceil(Number(match[1]));
}
