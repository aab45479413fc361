import type { CanonicalRequest, CanonicalResponse, StreamEvent } from './types.ts';

/** Context a client request carries outside its body (Gemini puts model and streaming in the URL). */
export interface ClientRequestContext {
  model?: string;
  stream?: boolean;
  /**
   * How a stream is framed for the client. Gemini's streamGenerateContent answers SSE with `?alt=sse` and one JSON
   * array written incrementally otherwise; every other format uses SSE.
   */
  streamFraming?: 'sse' | 'json-array';
}

/** Renders one client stream: text for each canonical event, the closing text, and an in-stream error. */
export interface ClientStreamRenderer {
  readonly contentType: string;
  render(event: StreamEvent): string;
  end(): string;
  error(errorBody: unknown): string;
}

/** The client side of a wire format: parse what SDKs send, render what they expect back. All pure. */
export interface ClientCodec {
  parseRequest(body: unknown, context?: ClientRequestContext): CanonicalRequest;
  renderResponse(response: CanonicalResponse): unknown;
  createStreamRenderer(request: CanonicalRequest, context?: ClientRequestContext): ClientStreamRenderer;
}

/** Turns upstream SSE events into canonical events. `event` is the SSE event name, when the provider sends one. */
export interface ProviderStreamParser {
  push(data: string, event?: string): StreamEvent[];
  /** Called when the upstream stream ends; returns anything held back (e.g. usage). */
  end(): StreamEvent[];
}

/** The provider side of a wire format: render what the upstream expects, parse what it answers. All pure. */
export interface ProviderCodec {
  renderRequest(request: CanonicalRequest): Record<string, unknown>;
  parseResponse(body: unknown): CanonicalResponse;
  createStreamParser(): ProviderStreamParser;
}
