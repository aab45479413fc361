// Streamed-response playback with the stream-time faults. SSE framing per the WHATWG HTML "server-sent events"
// section: each event is `field: value` lines ended by a blank line. The same player also streams Gemini's
// JSON-array framing, so a "event" here is simply one separately written piece of the body.
import { once } from 'node:events';
import type { OutgoingHttpHeaders } from 'node:http';
import type { MockContext } from './context.ts';
import type { Faults } from './faults.ts';
import { sleep, untilClosed } from './faults.ts';

/** The bad event the `malformed` fault injects into OpenAI streams: a JSON object cut short. */
export const MALFORMED_EVENT = 'data: {not json\n\n';

/** Encodes one event; `event` is omitted for APIs (like OpenAI's) that only use `data:`. */
export function encodeSse(data: string, event?: string): string {
  return event === undefined ? `data: ${data}\n\n` : `event: ${event}\ndata: ${data}\n\n`;
}

/** A stream to play: its events, where the content chunks sit, and how this API breaks. */
export interface SsePlan {
  readonly events: readonly string[];
  /**
   * contentAt[k] is the index of the event after which k content chunks have gone out, so contentAt[0] is the
   * last event before any content (-1: right after the headers). Faults count chunks through it, and the events
   * after the last entry (finish, usage, terminator) are the tail a cut never reaches.
   */
  readonly contentAt: readonly number[];
  /** The bad event `malformed` injects (default MALFORMED_EVENT). */
  readonly malformed?: string;
  /** The final event of `stream-error`, carrying this API's error for `status` (undefined: its default), sent after event `at`. */
  errorEvent(status: number | undefined, at: number): string;
}

/** contentAt for a stream whose events 1 .. tailStart-1 are its content chunks (OpenAI's layout). */
export function contentAfterFirst(tailStart: number): number[] {
  return Array.from({ length: Math.max(tailStart, 1) }, (_, i) => i);
}

async function write(ctx: MockContext, chunk: string): Promise<void> {
  if (ctx.res.write(chunk)) return;
  try {
    await once(ctx.res, 'drain', { signal: ctx.signal });
  } catch {
    // The request closed while waiting; the caller sees ctx.signal.aborted.
  }
}

// Node corks the socket until the next tick after a chunked write, and destroying it discards what is still
// buffered; a reset must only happen once the chunks before it are in the kernel, or the client never sees them.
function flushed(ctx: MockContext): Promise<void> {
  return new Promise((resolve) => {
    if (ctx.signal.aborted) return resolve();
    ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    ctx.res.write('', () => resolve());
  });
}

const NEVER = -2;

/**
 * Sends the headers and plays the events, each written (and so flushed) on its own. Applies `drip`, `malformed`
 * (after the first content chunk), `reset-after` (drop after N content chunks, never reaching the tail),
 * `stream-error` (after N content chunks, the error event, then a clean end) and `hang` (stall after the first
 * event until the client leaves).
 */
export async function playSse(ctx: MockContext, headers: OutgoingHttpHeaders, plan: SsePlan, faults: Faults): Promise<void> {
  const { res, signal } = ctx;
  res.writeHead(200, headers);
  const last = plan.contentAt.length - 1;
  const point = (chunks: number | undefined): number => (chunks === undefined || last < 0 ? NEVER : (plan.contentAt[Math.min(chunks, last)] ?? NEVER));
  const resetAt = point(faults.resetAfter);
  const errorAt = point(faults.streamError?.after);
  const malformedAt = faults.malformed === true ? point(1) : NEVER;
  // Returns true when the stream is over (errored or dropped) after event `i`.
  const special = async (i: number): Promise<boolean> => {
    if (i === malformedAt) await write(ctx, plan.malformed ?? MALFORMED_EVENT);
    if (i === errorAt) {
      await write(ctx, plan.errorEvent(faults.streamError?.status, i));
      if (!signal.aborted) res.end();
      return true;
    }
    if (i === resetAt) {
      await flushed(ctx);
      ctx.dropConnection();
      return true;
    }
    return false;
  };
  if ((malformedAt === -1 || errorAt === -1 || resetAt === -1) && (await special(-1))) return;
  for (let i = 0; i < plan.events.length; i++) {
    if (i > 0 && faults.dripMs !== undefined && faults.dripMs > 0 && !(await sleep(faults.dripMs, signal))) return;
    if (signal.aborted) return;
    await write(ctx, plan.events[i] ?? '');
    if (i === 0 && faults.hang === true) {
      await untilClosed(signal);
      return;
    }
    if ((i === malformedAt || i === errorAt || i === resetAt) && (await special(i))) return;
  }
  if (!signal.aborted) res.end();
}
