import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController, type RawServerDefault } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Logger } from 'pino';
import { RampartError } from '../errors/catalogue.ts';
import { requestId } from '../lib/ids.ts';
import { errorHandler } from '../pipeline/error-handler.ts';
import { securityHeadersStep } from '../pipeline/security-headers.ts';
import { sendError } from '../pipeline/send-error.ts';
import type { TlsServerOptions } from './tls.ts';

/** Options of a listener beside the proxy (metrics, dashboard). */
export interface SideListenerOptions {
  log: Logger;
  /** HTTPS options when the listener has `tls`; plain HTTP otherwise. */
  tls?: TlsServerOptions | undefined;
  /** HSTS: always, never, or when the client used HTTPS. */
  hsts: boolean | 'auto';
  /** Content-Security-Policy sent on every answer (the dashboard's). */
  csp?: string;
}

/** A built side listener: the Fastify instance and, with TLS, its https server (for certificate reloads). */
export interface SideListener {
  app: FastifyInstance;
  tlsServer?: HttpsServer;
}

/** Requests to the side listeners are small GETs and JSON calls: nothing near the proxy's body limit. */
const SIDE_BODY_LIMIT = 64 * 1024;

/**
 * A Fastify instance with what every Rampart listener has: request ids echoed as `x-request-id`, the security
 * headers on every answer (404s and errors included; neither Node nor Fastify send Server or X-Powered-By), errors
 * and unknown paths as catalogue JSON, no request logging by Fastify, proto poisoning refused, short timeouts.
 */
export function createSideListener(options: SideListenerOptions): SideListener {
  const base = {
    loggerInstance: options.log,
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: () => requestId(),
    requestIdHeader: false as const,
    bodyLimit: SIDE_BODY_LIMIT,
    onProtoPoisoning: 'error' as const,
    onConstructorPoisoning: 'error' as const,
    return503OnClosing: true,
    forceCloseConnections: 'idle' as const,
    requestTimeout: 30_000,
    connectionTimeout: 60_000,
  };
  const timeouts = { headersTimeout: 10_000, connectionsCheckingInterval: 1_000 };
  const https =
    options.tls === undefined
      ? undefined
      : Fastify<HttpsServer, IncomingMessage, ServerResponse, FastifyBaseLogger>({ ...base, https: { ...options.tls, ...timeouts } });
  const app: FastifyInstance = https ?? Fastify<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger>({ ...base, http: timeouts });
  app.server.maxConnections = 256;
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  app.addHook('onRequest', securityHeadersStep({ hsts: options.hsts, ...(options.csp === undefined ? {} : { csp: options.csp }) }));
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) => sendError(request, reply, new RampartError('RAMPART_ROUTE_NOT_FOUND')));
  return https === undefined ? { app } : { app, tlsServer: https.server };
}

/** The URL a listening Fastify instance is reachable at (`http(s)://host:port`). */
export function listenerUrl(app: FastifyInstance, tls: boolean): string {
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('listener has no TCP address');
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `${tls ? 'https' : 'http'}://${host}:${address.port}`;
}
