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

/** The shared outbound HTTP client: one undici Agent (keep-alive pools per origin), no redirects followed. */
export class UpstreamClient {
  readonly #agent: Agent;

  constructor(options: { connectTimeoutMs?: number } = {}) {
    this.#agent = new Agent({
      connect: { timeout: options.connectTimeoutMs ?? 10_000 },
      keepAliveTimeout: 30_000,
      connections: 256,
      pipelining: 1,
    });
  }

  /** Sends the call; a network failure becomes a RampartError, an HTTP error status is returned for the caller to map. */
  async send(call: UpstreamCall, timeouts: UpstreamTimeouts, signal: AbortSignal): Promise<Dispatcher.ResponseData> {
    try {
      return await this.#agent.request({
        origin: new URL(call.url).origin,
        path: pathAndQuery(call.url),
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

  close(): Promise<void> {
    return this.#agent.close();
  }
}

function pathAndQuery(url: string): string {
  const parsed = new URL(url);
  return parsed.pathname + parsed.search;
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
