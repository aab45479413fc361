import type { CanonicalRequest, CanonicalResponse, StreamEvent } from '../formats/canonical/types.ts';
import type { UpstreamCall } from '../upstream/upstream-client.ts';

/** A credential as an adapter needs it to sign a call. Lives in memory only. */
export interface UpstreamCredential {
  /** Stable index-based id within its provider, safe for logs (e.g. `local#0`). */
  id: string;
  apiKey: string;
}

/** Where and with what an adapter sends one call. */
export interface UpstreamTarget {
  baseUrl: string;
  credential: UpstreamCredential;
}

/** Turns canonical upstream data into canonical stream events, one SSE `data` payload at a time. */
export interface UpstreamStreamParser {
  push(data: string): StreamEvent[];
}

/** What a provider type must implement: canonical in, its wire format out, and back. Pure apart from building URLs. */
export interface ProviderAdapter {
  readonly type: string;
  buildChatCall(request: CanonicalRequest, target: UpstreamTarget): UpstreamCall;
  parseChatResponse(body: unknown): CanonicalResponse;
  createChatStreamParser(): UpstreamStreamParser;
}
