import type { ProviderCodec } from '../formats/canonical/codec.ts';
import type {
  CanonicalEmbeddingRequest,
  CanonicalEmbeddingResponse,
  CanonicalRequest,
  CanonicalTokenCount,
} from '../formats/canonical/types.ts';
import type { UpstreamCall } from '../upstream/upstream-client.ts';

/** A credential as an adapter needs it to sign a call. Lives in memory only. */
export interface UpstreamCredential {
  /** Stable index-based id within its provider, safe for logs (e.g. `local#0`). */
  id: string;
  /** The API key, or for `auth: 'oauth'` a fresh access token (resolved just before the call, never cached here). */
  apiKey: string;
  /** `oauth` when the secret is an OAuth access token (sent as a bearer token with the provider's OAuth headers). */
  auth?: 'api-key' | 'oauth';
  /** Which OAuth login the token comes from, for `auth: 'oauth'`. */
  oauthProvider?: 'claude' | 'codex' | 'gemini';
}

/** Where and with what an adapter sends one call. */
export interface UpstreamTarget {
  baseUrl: string;
  credential: UpstreamCredential;
}

/**
 * What a provider type implements: its wire codec plus how to address and sign calls. Optional operations are
 * absent when the provider's API has no such endpoint (the route then answers a clear error or estimates).
 */
export interface ProviderAdapter {
  readonly type: string;
  readonly codec: ProviderCodec;
  /** Client headers this provider's API reads and Rampart may forward (e.g. `anthropic-beta` feature flags). */
  readonly passThroughHeaders?: readonly string[];
  chatCall(request: CanonicalRequest, target: UpstreamTarget): UpstreamCall;
  embeddings?: {
    call(request: CanonicalEmbeddingRequest, target: UpstreamTarget): UpstreamCall;
    parse(body: unknown, request: CanonicalEmbeddingRequest): CanonicalEmbeddingResponse;
  };
  countTokens?: {
    call(request: CanonicalRequest, target: UpstreamTarget): UpstreamCall;
    parse(body: unknown): CanonicalTokenCount;
  };
}

/** A JSON POST with the given auth headers. */
export function jsonPost(url: string, headers: Record<string, string>, body: unknown, stream = false): UpstreamCall {
  return {
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: stream ? 'text/event-stream' : 'application/json', 'user-agent': 'rampart', ...headers },
    body: JSON.stringify(body),
  };
}
