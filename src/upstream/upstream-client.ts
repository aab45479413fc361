import { Agent, type Dispatcher, errors as undiciErrors } from 'undici';
import { RampartError } from '../errors/catalogue.ts';
import { ForbiddenAddressError, guardedConnector, type Resolver, systemResolver } from './guarded-connect.ts';
import { MAX_UPSTREAM_HEADER_BYTES, MAX_UPSTREAM_STREAM_BYTES, UPSTREAM_CONNECTIONS_PER_ORIGIN, UPSTREAM_KEEP_ALIVE_MS } from './limits.ts';

/** Timeouts of one upstream call, in milliseconds. */
export interface UpstreamTimeouts {
  connectMs: number;
  /** Until the response headers arrive. */
  headersMs: number;
  /** Longest silence allowed between two body chunks (streams included). */
  idleMs: number;
}

/** Timeouts plus the network policy of the provider a call goes to. */
export interface UpstreamPolicy extends UpstreamTimeouts {
  /** Whether loopback, private, link-local and other internal addresses may be connected to. */
  allowPrivateNetwork: boolean;
}

/** One outbound HTTP call, fully built by a provider adapter: Rampart never forwards client headers as they are. */
export interface UpstreamCall {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
}

/** Construction options of the client; all optional. */
export interface UpstreamClientOptions {
  /** How host names become addresses (default: the system resolver); tests inject a fake. */
  resolve?: Resolver;
  /** Hard cap on any one response body, streamed or not (default MAX_UPSTREAM_STREAM_BYTES). */
  maxResponseBytes?: number;
}

/**
 * The shared outbound HTTP client: undici Agents (keep-alive pools per origin), no redirects followed (an Agent
 * has no redirect interceptor unless one is composed in), every connection through the SSRF guard. undici takes
 * the connect options per Agent, not per request, so there is one Agent per distinct (connectMs,
 * allowPrivateNetwork) pair — in practice one or two for a whole config.
 */
export class UpstreamClient {
  readonly #agents = new Map<string, Agent>();
  readonly #resolve: Resolver;
  readonly #maxResponseBytes: number;

  constructor(options: UpstreamClientOptions = {}) {
    this.#resolve = options.resolve ?? systemResolver;
    this.#maxResponseBytes = options.maxResponseBytes ?? MAX_UPSTREAM_STREAM_BYTES;
  }

  #agent(connectMs: number, allowPrivateNetwork: boolean): Agent {
    const key = `${connectMs}:${allowPrivateNetwork}`;
    let agent = this.#agents.get(key);
    if (!agent) {
      agent = new Agent({
        connect: guardedConnector({ connectTimeoutMs: connectMs, allowPrivateNetwork, resolve: this.#resolve }),
        keepAliveTimeout: UPSTREAM_KEEP_ALIVE_MS,
        connections: UPSTREAM_CONNECTIONS_PER_ORIGIN,
        pipelining: 1,
        maxHeaderSize: MAX_UPSTREAM_HEADER_BYTES,
        // A backstop under every per-call cap: no single response, streamed or not, grows past this.
        maxResponseSize: this.#maxResponseBytes,
      });
      this.#agents.set(key, agent);
    }
    return agent;
  }

  /** Sends the call; a network failure becomes a RampartError, any HTTP status (3xx too: never followed) is returned for the caller to map. */
  async send(call: UpstreamCall, policy: UpstreamPolicy, signal: AbortSignal): Promise<Dispatcher.ResponseData> {
    try {
      const url = new URL(call.url);
      // The guard sits in the connector; this only keeps other schemes from reaching undici at all.
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw new RampartError('RAMPART_UPSTREAM_ERROR', { message: 'The upstream URL is not http(s).' });
      }
      return await this.#agent(policy.connectMs, policy.allowPrivateNetwork).request({
        origin: url.origin,
        path: url.pathname + url.search,
        method: call.method,
        headers: call.headers,
        body: call.body ?? null,
        signal,
        headersTimeout: policy.headersMs,
        bodyTimeout: policy.idleMs,
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

/** What a client is told when an upstream response passed a size cap. */
export const RESPONSE_TOO_LARGE_MESSAGE = 'The upstream response exceeded the size limit.';

/** Turns undici/socket errors into catalogue errors, without echoing addresses or internals to the caller. */
export function mapNetworkError(error: unknown, signal?: AbortSignal): Error {
  if (error instanceof RampartError || error instanceof ClientAbortedError) return error;
  if (signal?.aborted) return new ClientAbortedError('client disconnected', { cause: error });
  // The refused address stays in `cause` for operator logs; the client sees only the catalogue message.
  if (error instanceof ForbiddenAddressError) return new RampartError('RAMPART_UPSTREAM_FORBIDDEN_ADDRESS', { cause: error });
  if (error instanceof undiciErrors.ResponseExceededMaxSizeError) {
    return new RampartError('RAMPART_UPSTREAM_INVALID_RESPONSE', { message: RESPONSE_TOO_LARGE_MESSAGE, cause: error });
  }
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

/** A running byte total of one response body that throws once it passes its cap. */
export interface ByteCounter {
  /** Adds a chunk; throws RAMPART_UPSTREAM_INVALID_RESPONSE (size limit) when the total passes the cap. */
  add(chunk: Uint8Array): void;
  /** Bytes counted so far. */
  readonly bytes: number;
}

/** A counter for a body read chunk by chunk (a relayed stream): a hostile or broken upstream cannot send forever. */
export function createByteCounter(maxBytes: number): ByteCounter {
  let bytes = 0;
  return {
    add(chunk) {
      bytes += chunk.byteLength;
      if (bytes > maxBytes) throw new RampartError('RAMPART_UPSTREAM_INVALID_RESPONSE', { message: RESPONSE_TOO_LARGE_MESSAGE });
    },
    get bytes() {
      return bytes;
    },
  };
}

/** Reads a whole response body, refusing more than `maxBytes` (a hostile or broken upstream cannot exhaust memory). */
export async function readBodyCapped(body: Dispatcher.ResponseData['body'], maxBytes: number, signal?: AbortSignal): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const counter = createByteCounter(maxBytes);
  try {
    for await (const chunk of body) {
      const buf = chunk as Buffer;
      counter.add(buf);
      chunks.push(buf);
    }
  } catch (error) {
    body.destroy();
    throw mapNetworkError(error, signal);
  }
  return Buffer.concat(chunks, counter.bytes);
}
