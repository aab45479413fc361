import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { RampartError } from '../errors/catalogue.ts';
import { sendError } from './send-error.ts';

/**
 * Pipeline step: caps the requests one client key has in flight (long streams included), so one key cannot hold
 * every connection and upstream slot. The slot is freed when the response closes, however it ends.
 */
export function keyConcurrencyStep(options: { maxPerKey: number }): onRequestHookHandler {
  const { maxPerKey } = options;
  if (!Number.isSafeInteger(maxPerKey) || maxPerKey < 1) throw new Error('maxConcurrentPerKey must be a positive integer');
  const inFlight = new Map<string, number>();
  return function keyConcurrency(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
    const id = request.clientKey?.id;
    if (id === undefined) {
      done();
      return;
    }
    const current = inFlight.get(id) ?? 0;
    if (current >= maxPerKey) {
      void sendError(request, reply, new RampartError('RAMPART_RATE_LIMITED', { message: `This key already has ${maxPerKey} requests in flight; retry when one finishes.`, retryAfterSeconds: 1 }));
      return;
    }
    inFlight.set(id, current + 1);
    reply.raw.once('close', () => {
      const left = (inFlight.get(id) ?? 1) - 1;
      if (left <= 0) inFlight.delete(id);
      else inFlight.set(id, left);
    });
    done();
  };
}
