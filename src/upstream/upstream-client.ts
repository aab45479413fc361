import { Agent, type Dispatcher, errors as undiciErrors } from 'undici';
import { RampartError } from '../errors/catalogue.ts';

/** Timeouts of one upstream call, in milliseconds. */
export interface UpstreamTimeouts {
  connectMs: number;
  /** Until the response headers arrive. */
  headersMs: number;
  /** Longest silence allowed between two body chunks (streams included). */
  idleMs: number;
}

/** One outbound HTTP call, fully built by a provider adapter: Rampart never forwards client headers as they are. */
export interface UpstreamCall {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
}

/**
 * The shared outbound HTTP client: undici Agents (keep-alive pools per origin), no redirects followed. undici takes
 * the connect timeout per Agent, not per request, so there is one Agent per distinct `connectMs` (in practice one or
 * two for a whole config).
 */
export class UpstreamClient {
  readonly #agents = new Map<number, Agent>();

  #agent(connectMs: number): Agent {
    let agent = this.#agents.get(connectMs);
    if (!agent) {
      agent = new Agent({ connect: { timeout: connectMs }, keepAliveTimeout: 30_000, connections: 256, pipelining: 1 });
      this.#agents.set(connectMs, agent);
    }
    return agent;
  }

  /** Sends the call; a network failure becomes a RampartError, an HTTP error status is returned for the caller to map. */
  async send(call: UpstreamCall, timeouts: UpstreamTimeouts, signal: AbortSignal): Promise<Dispatcher.ResponseData> {
    try {
      const url = new URL(call.url);
      return await this.#agent(timeouts.connectMs).request({
        origin: url.origin,
        path: url.pathname + url.search,
        method: call.method,
        headers: call.headers,
        body: call.body ?? null,
        signal,
        headersTimeout: timeouts.headersMs,
        bodyTimeout: timeouts.idleMs,
      });
    } catch (error) {
      throw mapNetworkError(error, signal);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.#agents.values()].map((agent) => agent.close()));
  }
}

/** Distinguishes "the client went away" (not an upstream fault) from real upstream failures. */
export class ClientAbortedError extends Error {
  override readonly name = 'ClientAbortedError';
}

/** Turns undici/socket errors into catalogue errors, without echoing addresses or internals to the caller. */
export function mapNetworkError(error: unknown, signal?: AbortSignal): Error {
  if (error instanceof RampartError || error instanceof ClientAbortedError) return error;
  if (signal?.aborted) return new ClientAbortedError('client disconnected', { cause: error });
  if (
    error instanceof undiciErrors.ConnectTimeoutError ||
    error instanceof undiciErrors.HeadersTimeoutError ||
    error instanceof undiciErrors.BodyTimeoutError
  ) {
    return new RampartError('RAMPART_UPSTREAM_TIMEOUT', { cause: error });
  }
  const code = (error as { code?: unknown }).code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EHOSTUNREACH') {
    return new RampartError('RAMPART_UPSTREAM_UNAVAILABLE', { cause: error });
  }
  return new RampartError('RAMPART_UPSTREAM_ERROR', { cause: error });
}

/** Reads a whole response body, refusing more than `maxBytes` (a hostile or broken upstream cannot exhaust memory). */
export async function readBodyCapped(body: Dispatcher.ResponseData['body'], maxBytes: number, signal?: AbortSignal): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      const buf = chunk as Buffer;
      size += buf.length;
      if (size > maxBytes) {
        body.destroy();
        throw new RampartError('RAMPART_UPSTREAM_INVALID_RESPONSE', { message: 'The upstream response exceeded the size limit.' });
      }
      chunks.push(buf);
    }
  } catch (error) {
    throw mapNetworkError(error, signal);
  }
  return Buffer.concat(chunks, size);
}
