import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import type { Logger } from 'pino';

/**
 * One access-log line per request, written when the socket response closes, so hijacked (streamed) replies are
 * logged the same way. Only the path is logged, never the query string (a `?key=` would leak) nor any header; the
 * logger redacts secret fields at any depth besides (logging/redact.ts). The client IP is logged (forensics): it is
 * personal data, not a secret, and never a metric label.
 */
export function accessLogStep(options: { log: Logger; enabled: boolean }): onRequestHookHandler {
  const { log, enabled } = options;
  return function accessLog(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
    if (enabled) {
      const started = process.hrtime.bigint();
      reply.raw.once('close', () => {
        const url = request.raw.url ?? '';
        const q = url.indexOf('?');
        log.info({
          msg: 'access',
          reqId: request.id,
          method: request.method,
          ip: request.clientIp,
          path: q === -1 ? url : url.slice(0, q),
          status: reply.raw.statusCode,
          ms: Number(process.hrtime.bigint() - started) / 1e6,
          keyId: request.clientKey?.id,
          completed: reply.raw.writableFinished,
        });
      });
    }
    done();
  };
}
