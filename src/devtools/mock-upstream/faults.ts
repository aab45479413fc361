// Fault injection: the spec language, and the faults that act before a response starts. Stream-time faults
// (reset-after, stream-error, malformed, drip, hang) are played by sse.ts.
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { MockContext } from './context.ts';
import { parseRedirectTarget, sendRedirect } from './redirect.ts';

/** Parsed fault spec; an absent field means "no such fault". */
export interface Faults {
  latencyMs?: number;
  status?: number;
  retryAfter?: number;
  resetAfter?: number;
  malformed?: boolean;
  dripMs?: number;
  hang?: boolean;
  /** `stream-error=N[:NNN]`: N content chunks, then an in-stream error event (of status NNN, else the API's default). */
  streamError?: { after: number; status?: number };
  /** `redirect[=URL]`: answer 307 to this location (default: the cloud metadata address). */
  redirect?: string;
}

/** Result of parsing: the faults, or the offending item and why. */
export type FaultParse = { ok: true; faults: Faults } | { ok: false; item: string; reason: string };

/** Header that selects faults per request. */
export const FAULT_HEADER = 'x-mock-fault';

const MAX_MS = 600_000;
// `[mock:<spec>]`, or `[mock@<credential>:<spec>]` to fault only requests signed with that upstream key (tests of
// credential pools make one key fail while the others answer).
const DIRECTIVE = /\[mock(?:@([^:\]]+))?:([^\]]*)\]/g;

function parseCount(value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined || !/^\d{1,9}$/.test(value)) return undefined;
  const n = Number(value);
  return n >= min && n <= max ? n : undefined;
}

/** Parses `latency=MS,status=NNN,retry-after=N,reset-after=N,stream-error=N[:NNN],malformed,drip=MS,hang,redirect[=URL]` (later items win). */
export function parseFaultSpec(spec: string): FaultParse {
  const faults: Faults = {};
  for (const raw of spec.split(',')) {
    const item = raw.trim();
    if (item === '') continue;
    const eq = item.indexOf('=');
    const key = (eq === -1 ? item : item.slice(0, eq)).trim().toLowerCase();
    const value = eq === -1 ? undefined : item.slice(eq + 1).trim();
    const bad = (reason: string): FaultParse => ({ ok: false, item, reason });
    switch (key) {
      case 'latency':
      case 'drip': {
        const ms = parseCount(value, 0, MAX_MS);
        if (ms === undefined) return bad(`expected ${key}=<milliseconds 0..${MAX_MS}>`);
        if (key === 'latency') faults.latencyMs = ms;
        else faults.dripMs = ms;
        break;
      }
      case 'status': {
        const status = parseCount(value, 400, 599);
        if (status === undefined) return bad('expected status=<400..599>');
        faults.status = status;
        break;
      }
      case 'retry-after': {
        const seconds = parseCount(value, 0, 86_400);
        if (seconds === undefined) return bad('expected retry-after=<seconds>');
        faults.retryAfter = seconds;
        break;
      }
      case 'reset-after': {
        const chunks = parseCount(value, 0, 1_000_000);
        if (chunks === undefined) return bad('expected reset-after=<content chunks>');
        faults.resetAfter = chunks;
        break;
      }
      case 'stream-error': {
        const [count, status, extra] = (value ?? '').split(':');
        const after = parseCount(count, 0, 1_000_000);
        const code = status === undefined ? undefined : parseCount(status, 400, 599);
        if (after === undefined || extra !== undefined || (status !== undefined && code === undefined)) {
          return bad('expected stream-error=<content chunks>[:<status 400..599>]');
        }
        faults.streamError = code === undefined ? { after } : { after, status: code };
        break;
      }
      case 'redirect': {
        const target = parseRedirectTarget(value);
        if (target === undefined) return bad('expected redirect or redirect=<absolute http(s) URL>');
        faults.redirect = target;
        break;
      }
      case 'malformed':
      case 'hang':
        if (value !== undefined) return bad(`${key} takes no value`);
        faults[key] = true;
        break;
      default:
        return bad('unknown fault (known: latency, status, retry-after, reset-after, stream-error, malformed, drip, hang, redirect)');
    }
  }
  return { ok: true, faults };
}

/** Faults from the `x-mock-fault` header merged over `[mock:<spec>]` directives found in the message text. */
export function resolveFaults(header: string | string[] | undefined, messageText: string | undefined, credential?: string): FaultParse {
  const specs: string[] = [];
  if (messageText !== undefined && messageText.includes('[mock')) {
    for (const match of messageText.matchAll(DIRECTIVE)) {
      if (match[1] === undefined || match[1] === credential) specs.push(match[2] ?? '');
    }
  }
  // The header comes last so it overrides a directive that a test left in a shared prompt.
  if (header !== undefined) specs.push(Array.isArray(header) ? header.join(',') : header);
  if (specs.length === 0) return { ok: true, faults: {} };
  return parseFaultSpec(specs.join(','));
}

/** Waits `ms`; resolves false instead when the request closes first. */
export async function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  try {
    await delay(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

/** Resolves when the request closes (the client left, or the server is shutting down). */
export function untilClosed(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/** How an API renders the pre-response faults in its own wire format. */
export interface FaultRenderer {
  /** Sends the error response for an injected `status=NNN` (with `retryAfter` seconds when it applies). */
  sendStatus(ctx: MockContext, status: number, retryAfter: number | undefined): void;
  /** Success headers to send before a non-stream `hang`. */
  hangHeaders(ctx: MockContext): OutgoingHttpHeaders;
  /** Status of the error a `stream-error` without `:NNN` reports (the API's typical mid-stream failure). */
  readonly streamErrorStatus: number;
}

/**
 * Applies latency, status, redirect, and for non-stream requests reset-after, hang and stream-error (a non-stream request
 * has no stream to break, so it gets the error as the HTTP response). Returns true when the request is finished
 * with (answered, dropped or closed) and the caller must not respond.
 */
export async function applyPreResponseFaults(
  ctx: MockContext,
  faults: Faults,
  streaming: boolean,
  renderer: FaultRenderer,
): Promise<boolean> {
  if (faults.latencyMs !== undefined && faults.latencyMs > 0 && !(await sleep(faults.latencyMs, ctx.signal))) return true;
  if (ctx.signal.aborted) return true;
  if (faults.status !== undefined) {
    renderer.sendStatus(ctx, faults.status, faults.retryAfter);
    return true;
  }
  if (faults.redirect !== undefined) {
    sendRedirect(ctx, faults.redirect);
    return true;
  }
  if (streaming) return false;
  if (faults.resetAfter !== undefined) {
    ctx.dropConnection();
    return true;
  }
  if (faults.hang === true) {
    ctx.res.writeHead(200, renderer.hangHeaders(ctx));
    ctx.res.flushHeaders();
    await untilClosed(ctx.signal);
    return true;
  }
  if (faults.streamError !== undefined) {
    renderer.sendStatus(ctx, faults.streamError.status ?? renderer.streamErrorStatus, faults.retryAfter);
    return true;
  }
  return false;
}

/** The upstream key a request was signed with, however its API sends it (Bearer, x-api-key, x-goog-api-key, ?key=). */
export function requestCredential(req: IncomingMessage): string | undefined {
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  if (bearer !== undefined) return bearer;
  for (const name of ['x-api-key', 'x-goog-api-key']) {
    const value = req.headers[name];
    if (typeof value === 'string') return value;
  }
  return new URL(req.url ?? '/', 'http://mock').searchParams.get('key') ?? undefined;
}
