import { type ErrorCode, RampartError } from '../errors/catalogue.ts';
import { FormatError } from '../formats/canonical/format-error.ts';
import { UpstreamStreamError } from '../formats/canonical/upstream-stream-error.ts';
import { ClientAbortedError, mapNetworkError } from '../upstream/upstream-client.ts';

const codeByStreamErrorKind: Record<UpstreamStreamError['kind'], ErrorCode> = {
  overloaded: 'RAMPART_UPSTREAM_UNAVAILABLE',
  rate_limit: 'RAMPART_UPSTREAM_RATE_LIMITED',
  invalid_request: 'RAMPART_UPSTREAM_BAD_REQUEST',
  authentication: 'RAMPART_UPSTREAM_AUTH',
  api_error: 'RAMPART_UPSTREAM_ERROR',
};

/**
 * What went wrong while reading an upstream stream, as a catalogue error. A client that left is rethrown (nothing
 * to tell it). A socket dropped mid-way is "interrupted"; an in-stream upstream error keeps its kind; a chunk that
 * does not parse is an invalid response.
 */
export function toStreamError(error: unknown, signal: AbortSignal): RampartError {
  if (error instanceof RampartError) return error;
  if (error instanceof UpstreamStreamError) return new RampartError(codeByStreamErrorKind[error.kind]);
  if (error instanceof FormatError) return new RampartError('RAMPART_UPSTREAM_INVALID_RESPONSE');
  const mapped = mapNetworkError(error, signal);
  if (mapped instanceof ClientAbortedError) throw mapped;
  if (mapped instanceof RampartError && mapped.code === 'RAMPART_UPSTREAM_ERROR') return new RampartError('RAMPART_UPSTREAM_STREAM_INTERRUPTED', { cause: error });
  return mapped as RampartError;
}
