// Server-sent events playback with the stream-time faults. Framing per the WHATWG HTML "server-sent events"
// section: each event is `data: <payload>` lines ended by a blank line.
import { once } from 'node:events';
import type { OutgoingHttpHeaders } from 'node:http';
import type { MockContext } from './context.ts';
import type { Faults } from './faults.ts';
import { sleep, untilClosed } from './faults.ts';

/** The bad event the `malformed` fault injects: a JSON object cut short. */
export const MALFORMED_EVENT = 'data: {not json\n\n';

/** Encodes one event; `event` is omitted for APIs (like OpenAI's) that only use `data:`. */
export function encodeSse(data: string, event?: string): string {
  return event === undefined ? `data: ${data}\n\n` : `event: ${event}\ndata: ${data}\n\n`;
}

/** A stream to play: encoded events, where events[1 .. tailStart-1] are the content chunks faults count. */
export interface SsePlan {
  readonly events: readonly string[];
  /** Index of the first event after the content (finish chunk, usage, terminator). */
  readonly tailStart: number;
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

/**
 * Sends the headers and plays the events, each written (and so flushed) on its own. Applies `drip`, `malformed`
 * (after the first content chunk), `reset-after` (drop after N content chunks, never reaching the tail) and `hang`
 * (stall after the first event until the client leaves).
 */
export async function playSse(ctx: MockContext, headers: OutgoingHttpHeaders, plan: SsePlan, faults: Faults): Promise<void> {
  const { res, signal } = ctx;
  res.writeHead(200, headers);
  const resetAt = faults.resetAfter === undefined ? -1 : Math.min(faults.resetAfter, plan.tailStart - 1);
  const malformedAt = faults.malformed === true ? Math.min(1, plan.tailStart - 1) : -1;
  for (let i = 0; i < plan.events.length; i++) {
    if (i > 0 && faults.dripMs !== undefined && faults.dripMs > 0 && !(await sleep(faults.dripMs, signal))) return;
    if (signal.aborted) return;
    await write(ctx, plan.events[i] ?? '');
    if (i === 0 && faults.hang === true) {
      await untilClosed(signal);
      return;
    }
    if (i === malformedAt) await write(ctx, MALFORMED_EVENT);
    if (i === resetAt) {
      await flushed(ctx);
      ctx.dropConnection();
      return;
    }
  }
  if (!signal.aborted) res.end();
}
