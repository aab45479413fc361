import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { RampartError } from '../errors/catalogue.ts';
import type { ClientKeyService } from '../keys/client-keys.ts';
import { accessLogStep } from './access-log.ts';
import { clientAuthStep } from './client-auth.ts';
import { errorHandler } from './error-handler.ts';
import './fastify-types.ts';
import { installJsonBodyParser } from './json-body.ts';
import { sendError } from './send-error.ts';

/** What the proxy pipeline needs from the rest of the app. */
export interface ProxyPipelineDeps {
  keys: ClientKeyService;
  log: Logger;
  accessLog: boolean;
}

/**
 * The request's way through the proxy listener, in order. This is the only place the order is written down
 * (docs/lifecycle.md draws it):
 *
 *   socket (Fastify: bodyLimit, timeouts) → request id (genReqId, echoed as x-request-id) → access log
 *   → client key auth (fail closed) → body: size cap + JSON parse, proto-poisoning refused
 *   → route handler: parse client format → canonical → routing → upstream adapter → stream/JSON back
 *
 * Later steps (IP filter, rate limits, WAF, validation) slot in here as factories validated at boot.
 */
export function installProxyPipeline(app: FastifyInstance, deps: ProxyPipelineDeps): void {
  app.decorateRequest('clientKey', null);
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  app.addHook('onRequest', accessLogStep({ log: deps.log, enabled: deps.accessLog }));
  app.addHook('onRequest', clientAuthStep({ keys: deps.keys }));
  installJsonBodyParser(app);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) => sendError(request, reply, new RampartError('RAMPART_ROUTE_NOT_FOUND')));
}
