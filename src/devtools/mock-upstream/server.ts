// The HTTP server: request lifecycle (body, recording, counters, abort signal) and routing. Lean on purpose: it
// is the "direct" baseline in benchmarks, so no per-request logging and nothing that is not needed.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { MockContext, RequestBody, Route } from './context.ts';
import { requestId } from './ids.ts';
import type { Recorder } from './recorder.ts';
import { sendJson } from './respond.ts';

/** Renders the answers no route gives (in the wire format of the API being faked). */
export interface FallbackRenderer {
  /** No route matches the path. */
  notFound(ctx: MockContext): void;
  /** A route matches the path but not the method. */
  methodNotAllowed(ctx: MockContext, allowed: readonly string[]): void;
}

/** Server wiring: routes are tried in order (hottest first); /__mock/* traffic is neither recorded nor counted. */
export interface MockServerOptions {
  readonly routes: readonly Route[];
  readonly recorder: Recorder;
  readonly fallback: FallbackRenderer;
}

const MAX_BODY_BYTES = 32 * 1024 * 1024;
const INTERNAL_PREFIX = '/__mock/';

async function readBody(req: IncomingMessage): Promise<RequestBody | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) return 'too-large';
    chunks.push(buffer);
  }
  if (size === 0) return { kind: 'empty' };
  const text = chunks.length === 1 ? (chunks[0] ?? Buffer.alloc(0)).toString('utf8') : Buffer.concat(chunks).toString('utf8');
  try {
    return { kind: 'json', value: JSON.parse(text) as unknown };
  } catch {
    return { kind: 'text', text };
  }
}

function recordedBody(body: RequestBody): unknown {
  if (body.kind === 'json') return body.value;
  return body.kind === 'text' ? body.text : null;
}

async function dispatch(options: MockServerOptions, ctx: MockContext): Promise<void> {
  const allowed: string[] = [];
  for (const route of options.routes) {
    const match = route.pattern.exec(ctx.path);
    if (match === null || (route.when !== undefined && !route.when(ctx))) continue;
    if (route.method === ctx.method) {
      await route.handle(ctx, match);
      return;
    }
    if (!allowed.includes(route.method)) allowed.push(route.method);
  }
  if (allowed.length > 0) options.fallback.methodNotAllowed(ctx, allowed);
  else options.fallback.notFound(ctx);
}

async function handleRequest(options: MockServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const startedAt = performance.now();
  const url = req.url ?? '/';
  const queryAt = url.indexOf('?');
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  const internal = path.startsWith(INTERNAL_PREFIX);
  const { stats } = options.recorder;
  const controller = new AbortController();
  let dropped = false;
  if (!internal) {
    stats.requests++;
    stats.inFlight++;
  }
  res.once('close', () => {
    if (!internal) {
      stats.inFlight--;
      if (!res.writableFinished && !dropped) stats.aborted++;
    }
    controller.abort();
  });

  let body: RequestBody | 'too-large';
  try {
    body = await readBody(req);
  } catch {
    return; // The client went away mid-body; the close listener has counted it.
  }
  if (body === 'too-large') {
    sendJson(res, 413, { error: { message: 'Request body too large for mock-upstream.', type: 'invalid_request_error', param: null, code: null } }, { connection: 'close' });
    return;
  }
  const method = req.method ?? 'GET';
  if (!internal) options.recorder.record({ method, path: url, headers: req.headers, body: recordedBody(body) });

  const ctx: MockContext = {
    req,
    res,
    method,
    path,
    body,
    requestId: requestId(),
    startedAt,
    signal: controller.signal,
    dropConnection() {
      dropped = true;
      res.destroy();
    },
  };
  await dispatch(options, ctx);
}

/** Creates (does not start) the mock HTTP server. */
export function createMockServer(options: MockServerOptions): Server {
  const server = createServer({ noDelay: true }, (req, res) => {
    handleRequest(options, req, res).catch(() => {
      // A handler bug must not take the fake down; answer 500 when still possible, else cut the connection.
      if (!res.headersSent) sendJson(res, 500, { error: { message: 'mock-upstream internal error', type: 'server_error', param: null, code: null } });
      else res.destroy();
    });
  });
  // Longer than common client pool idle timeouts, so the server is never the side that races a reused socket.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  return server;
}
