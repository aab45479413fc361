/**
 * Incremental Server-Sent Events parser, following the WHATWG HTML Living Standard,
 * §9.2.6 "Interpreting an event stream" (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation).
 *
 * The caller decodes bytes with a streaming `TextDecoder` (UTF-8, as the spec requires) and pushes strings.
 * Lines are found with `indexOf`, never char by char: this runs once per upstream chunk on the proxy hot path.
 */

/** One dispatched event. `event` is absent when the stream named none (the spec's default type "message"). */
export interface SseEvent {
  event?: string;
  data: string;
  /**
   * The `id` field given inside this event's block, if any. Unlike EventSource's `lastEventId`, it does not
   * persist to later events: a proxy re-encodes events one by one and must not invent ids the server did not send.
   */
  id?: string;
  /** The `retry` field given inside this event's block, if it was a valid integer. */
  retry?: number;
}

/** An incremental SSE parser: push decoded text as it arrives, get back the events completed so far. */
export interface SseParser {
  /** Feed the next piece of decoded text; returns every event whose terminating blank line arrived. */
  push(text: string): SseEvent[];
  /**
   * Signal the end of the stream. Per the spec ("If the file ends in the middle of an event, before the final empty
   * line, the incomplete event is not dispatched"), anything unterminated is discarded, so this always returns [].
   * It exists so callers have one place to end a stream and so the parser can be reused afterwards.
   */
  end(): SseEvent[];
}

const LF = 10;
const CR = 13;
const SPACE = 32;
const BOM = '\uFEFF';
const DIGITS = /^[0-9]+$/;

/** Create a fresh parser; one per stream. */
export function createSseParser(): SseParser {
  // `pending` holds the start of a line whose terminator has not arrived yet; it never contains CR or LF.
  let pending = '';
  let atStart = true;
  // A CR ended the previous chunk: if this chunk starts with LF, that LF belongs to the same CRLF line end.
  let skipLeadingLf = false;

  let data = '';
  let hasData = false;
  let eventType = '';
  let id: string | undefined;
  let retry: number | undefined;
  let out: SseEvent[] = [];

  function dispatch(): void {
    // Spec: an event whose data buffer is empty (no `data` line at all) is not dispatched.
    if (hasData) {
      const event: SseEvent = { data };
      if (eventType !== '') event.event = eventType;
      if (id !== undefined) event.id = id;
      if (retry !== undefined) event.retry = retry;
      out.push(event);
    }
    data = '';
    hasData = false;
    eventType = '';
    id = undefined;
    retry = undefined;
  }

  function processLine(line: string): void {
    if (line.length === 0) {
      dispatch();
      return;
    }
    const colon = line.indexOf(':');
    if (colon === 0) return; // comment
    let field: string;
    let value: string;
    if (colon === -1) {
      field = line;
      value = '';
    } else {
      field = line.slice(0, colon);
      value = line.slice(line.charCodeAt(colon + 1) === SPACE ? colon + 2 : colon + 1);
    }
    switch (field) {
      case 'data':
        // Equivalent to the spec's "append value, then LF" followed by "remove the trailing LF" at dispatch.
        if (hasData) data += '\n' + value;
        else {
          data = value;
          hasData = true;
        }
        break;
      case 'event':
        eventType = value;
        break;
      case 'id':
        if (!value.includes('\0')) id = value;
        break;
      case 'retry':
        if (DIGITS.test(value)) retry = Number.parseInt(value, 10);
        break;
      default:
        // Unknown fields are ignored, as the spec requires.
        break;
    }
  }

  function push(text: string): SseEvent[] {
    if (atStart && text.length > 0) {
      atStart = false;
      if (text.startsWith(BOM)) text = text.slice(1);
    }
    let pos = 0;
    if (skipLeadingLf && text.length > 0) {
      skipLeadingLf = false;
      if (text.charCodeAt(0) === LF) pos = 1;
    }
    const length = text.length;
    // Next CR / LF positions are cached so each is searched once per chunk, keeping the scan linear.
    let nextCr = text.indexOf('\r', pos);
    let nextLf = text.indexOf('\n', pos);
    while (pos < length) {
      if (nextCr !== -1 && nextCr < pos) nextCr = text.indexOf('\r', pos);
      if (nextLf !== -1 && nextLf < pos) nextLf = text.indexOf('\n', pos);
      let end: number;
      if (nextCr === -1) end = nextLf;
      else if (nextLf === -1) end = nextCr;
      else end = nextCr < nextLf ? nextCr : nextLf;
      if (end === -1) {
        pending += text.slice(pos);
        break;
      }
      let line = text.slice(pos, end);
      if (pending.length > 0) {
        line = pending + line;
        pending = '';
      }
      if (text.charCodeAt(end) === CR) {
        if (end + 1 === length) skipLeadingLf = true;
        else if (text.charCodeAt(end + 1) === LF) end += 1;
      }
      pos = end + 1;
      processLine(line);
    }
    const events = out;
    out = [];
    return events;
  }

  function end(): SseEvent[] {
    pending = '';
    atStart = true;
    skipLeadingLf = false;
    data = '';
    hasData = false;
    eventType = '';
    id = undefined;
    retry = undefined;
    out = [];
    return [];
  }

  return { push, end };
}
