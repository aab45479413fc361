/**
 * Raised by a provider stream parser when the upstream reports an error INSIDE a stream (Anthropic `event: error`,
 * an OpenAI `data: {"error": …}`, a Gemini chunk with `error`). The relay maps `kind` to a catalogue code; the
 * upstream's message is never passed on to the client.
 */
export class UpstreamStreamError extends Error {
  override readonly name = 'UpstreamStreamError';
  readonly kind: 'overloaded' | 'rate_limit' | 'invalid_request' | 'authentication' | 'api_error';
  constructor(kind: UpstreamStreamError['kind'], message: string) {
    super(message);
    this.kind = kind;
  }
}
