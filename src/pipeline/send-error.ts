import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RampartError } from '../errors/catalogue.ts';
import { renderErrorBody } from '../errors/render/index.ts';
import { wireFormatOf } from './wire-format.ts';

/** Answers with a catalogue error in the route's wire format, with the request id and any retry hint. */
export function sendError(request: FastifyRequest, reply: FastifyReply, error: RampartError): FastifyReply {
  const format = wireFormatOf(request);
  if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds));
  return reply.code(error.status).type('application/json').send(renderErrorBody(format, error, request.id));
}
