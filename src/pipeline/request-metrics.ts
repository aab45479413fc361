import type { FastifyReply, FastifyRequest, onResponseHookHandler } from 'fastify';

/** Where the request metrics step reports each answered request (RampartMetrics). */
export interface RequestMetricsSink {
  /**
   * `route` is the Fastify route pattern (undefined when no route matched), `provider` the provider of the last
   * upstream attempt (null when none ran), `seconds` the time from the request's arrival to the end of its answer.
   */
  observeRequest(route: string | undefined, provider: string | null, status: number, seconds: number): void;
}

/**
 * Pipeline step (onResponse): counts the request and records its latency. Fastify runs onResponse when the answer
 * has been written completely, hijacked streams included; the route pattern, never the raw URL, labels it, so query
 * strings and path parameters cannot grow the label set.
 */
export function requestMetricsStep(sink: RequestMetricsSink): onResponseHookHandler {
  return function requestMetrics(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
    sink.observeRequest(request.is404 ? undefined : request.routeOptions.url, request.routedProvider, reply.statusCode, reply.elapsedTime / 1000);
    done();
  };
}
