import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { RampartError } from '../errors/catalogue.ts';
import { sendError } from './send-error.ts';

/** Fastify's own error codes that a client can cause, and the catalogue code each becomes. */
function fromFastifyError(error: FastifyError): RampartError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new RampartError('RAMPART_REQUEST_TOO_LARGE');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
        ? new RampartError('RAMPART_UNSUPPORTED_MEDIA_TYPE')
        : new RampartError('RAMPART_REQUEST_INVALID', { message: 'The Content-Length header does not match the body.' });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new RampartError('RAMPART_REQUEST_INVALID_JSON');
    default:
      return typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500
        ? new RampartError('RAMPART_REQUEST_INVALID')
        : undefined;
  }
}

/** Last line of defence: every error leaves in the caller's format with a catalogue code, never a stack or 500 page. */
export function errorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const known = error instanceof RampartError ? error : fromFastifyError(error as FastifyError);
  if (known) return sendError(request, reply, known);
  request.log.error({ err: error }, 'unhandled error');
  return sendError(request, reply, new RampartError('RAMPART_INTERNAL'));
}
