import type { CanonicalRequest, CanonicalResponse, StreamEvent } from '../../formats/canonical/types.ts';
import type { WireFormat } from '../../errors/render/index.ts';

/** Writes one client stream: the text to send for each canonical event, the closing text, and an error event. */
export interface ClientStreamWriter {
  readonly contentType: string;
  event(event: StreamEvent): string;
  end(): string;
  error(errorBody: unknown): string;
}

/** A wire format as clients speak it: parse their request, render our answer. */
export interface ClientFormat {
  readonly wireFormat: WireFormat;
  parseRequest(body: unknown): CanonicalRequest;
  renderResponse(response: CanonicalResponse): unknown;
  createStreamWriter(request: CanonicalRequest): ClientStreamWriter;
}
