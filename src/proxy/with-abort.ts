import type { FastifyReply } from 'fastify';
import { ClientAbortedError } from '../upstream/upstream-client.ts';

/**
 * Runs `work` with a signal that fires when the client goes away before the response is complete, so the upstream
 * call is aborted at once. A client that left gets no answer and no error log.
 */
export async function withClientAbort(reply: FastifyReply, work: (signal: AbortSignal) => Promise<void>): Promise<void> {
  const abort = new AbortController();
  const onClose = (): void => {
    if (!reply.raw.writableFinished) abort.abort();
  };
  reply.raw.once('close', onClose);
  try {
    await work(abort.signal);
  } catch (error) {
    if (error instanceof ClientAbortedError || abort.signal.aborted) return;
    throw error;
  } finally {
    reply.raw.off('close', onClose);
  }
}
