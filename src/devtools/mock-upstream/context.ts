import type { IncomingMessage, ServerResponse } from 'node:http';

/** The request body as received: nothing, parsed JSON, or text that is not JSON. */
export type RequestBody = { kind: 'empty' } | { kind: 'json'; value: unknown } | { kind: 'text'; text: string };

/** Everything a route handler needs about one request. */
export interface MockContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  readonly body: RequestBody;
  readonly requestId: string;
  /** `performance.now()` when the request arrived. */
  readonly startedAt: number;
  /** Aborts when the response closes for any reason, so timers and hangs stop at once. */
  readonly signal: AbortSignal;
  /** Drops the connection without a response or mid-body; not counted as a client abort. */
  dropConnection(): void;
}

/** A route: a method, a path pattern matched against the whole path, and its handler. */
export interface Route {
  readonly method: string;
  readonly pattern: RegExp;
  /** Further condition (e.g. a header) for paths several APIs share; a route it rejects is as if absent. */
  readonly when?: (ctx: MockContext) => boolean;
  handle(ctx: MockContext, match: RegExpExecArray): Promise<void> | void;
}
