/**
 * Server-Sent Events encoder (WHATWG HTML Living Standard, §9.2.5 "Parsing an event stream" for the grammar).
 * Any CR, LF or CRLF in `data` would end the line on the receiving side and let the rest be read as a new field,
 * so data is split on all three into several `data:` lines; the receiver joins them back with LF.
 */
import { FormatError } from '../canonical/format-error.ts';

/** The terminator OpenAI-style streams send after the last chunk. */
export const SSE_DONE = 'data: [DONE]\n\n';

const LINE_BREAK = /\r\n|\r|\n/;

function hasLineBreak(value: string): boolean {
  return value.includes('\n') || value.includes('\r');
}

/**
 * Encode one event as SSE text ending in a blank line. `event` and `id` must be single-line (and `id` free of NUL,
 * which the spec makes the receiver ignore); otherwise this throws rather than let a value inject extra fields.
 */
export function encodeSseEvent(event: { event?: string; data: string; id?: string }): string {
  let head = '';
  if (event.event !== undefined && event.event !== '') {
    if (hasLineBreak(event.event)) throw new FormatError('SSE event name must not contain a line break', 'event');
    head += `event: ${event.event}\n`;
  }
  if (event.id !== undefined) {
    if (hasLineBreak(event.id) || event.id.includes('\0')) {
      throw new FormatError('SSE id must not contain a line break or NUL', 'id');
    }
    head += `id: ${event.id}\n`;
  }
  const data = event.data;
  // Fast path: JSON payloads never contain raw line breaks.
  if (!hasLineBreak(data)) return `${head}data: ${data}\n\n`;
  // The space after the colon is always written so data that itself starts with a space survives the receiver's
  // removal of one leading space.
  return `${head}data: ${data.split(LINE_BREAK).join('\ndata: ')}\n\n`;
}
