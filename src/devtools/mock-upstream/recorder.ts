// What tests observe about the traffic: the last requests and counters, served under /__mock/* without auth.
import type { IncomingHttpHeaders } from 'node:http';
import type { Route } from './context.ts';
import { sendJson } from './respond.ts';

/** One recorded request; `body` is parsed JSON, the raw text when it is not JSON, or null when empty. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

/** Counters served at GET /__mock/stats. */
export interface MockStats {
  /** Requests received (excluding /__mock/*). */
  requests: number;
  /** Requests whose client disconnected before the response finished. */
  aborted: number;
  /** Requests whose response has not closed yet. */
  inFlight: number;
}

const KEEP = 100;

/** Keeps the last 100 requests and the traffic counters. */
export class Recorder {
  readonly stats: MockStats = { requests: 0, aborted: 0, inFlight: 0 };
  #log: RecordedRequest[] = [];

  /** Records one request, forgetting the oldest beyond the last 100. */
  record(entry: RecordedRequest): void {
    this.#log.push(entry);
    if (this.#log.length > KEEP) this.#log.shift();
  }

  /** The recorded requests, oldest first. */
  list(): readonly RecordedRequest[] {
    return this.#log;
  }

  /** Forgets the recorded requests (counters keep running: they prove aborts across a whole test). */
  clear(): void {
    this.#log = [];
  }
}

/** The /__mock/* observability routes. */
export function mockRoutes(recorder: Recorder): Route[] {
  return [
    { method: 'GET', pattern: /^\/__mock\/requests$/, handle: (ctx) => sendJson(ctx.res, 200, recorder.list()) },
    {
      method: 'DELETE',
      pattern: /^\/__mock\/requests$/,
      handle: (ctx) => {
        recorder.clear();
        ctx.res.writeHead(204).end();
      },
    },
    { method: 'GET', pattern: /^\/__mock\/stats$/, handle: (ctx) => sendJson(ctx.res, 200, recorder.stats) },
  ];
}
