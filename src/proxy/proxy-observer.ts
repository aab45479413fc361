import type { Usage } from '../formats/canonical/types.ts';
import { UpstreamClient, type UpstreamClientOptions } from '../upstream/upstream-client.ts';

/**
 * What the proxy tells an observer (metrics) about upstream calls. Every method must be cheap and must not throw:
 * they run on the hot path. Provider ids are configured ids, never secrets.
 */
export interface ProxyObserver {
  /** An upstream attempt got its response headers after `seconds` (any status). */
  upstreamResponded(providerId: string, seconds: number): void;
  /** An upstream attempt failed: a catalogue error (status mapped, network, bad body) or a client abort. */
  upstreamFailed(providerId: string, error: unknown): void;
  /** A streamed answer started reaching the client. */
  streamStarted(providerId: string): void;
  /** A stream reported by `streamStarted` ended (completed, failed or aborted). */
  streamEnded(providerId: string): void;
  /** Token usage an upstream reported for a successful answer. */
  usage(providerId: string, usage: Usage): void;
}

/**
 * The upstream client with an observer attached. The proxy handlers hand `ProxyDeps.upstream` to the call helpers
 * (upstream-call.ts, relay-stream.ts), so the observer rides on it: handlers need not know about metrics, and a
 * plain UpstreamClient (tests, metrics off) observes nothing.
 */
export class ObservedUpstreamClient extends UpstreamClient {
  /** Who hears about this client's calls. */
  readonly observer: ProxyObserver;

  constructor(observer: ProxyObserver, options: UpstreamClientOptions = {}) {
    super(options);
    this.observer = observer;
  }
}

/** The observer riding on `upstream`, if any. */
export function observerOf(upstream: UpstreamClient): ProxyObserver | undefined {
  return upstream instanceof ObservedUpstreamClient ? upstream.observer : undefined;
}
