/**
 * What Anthropic-only details look like inside `extensions.anthropic`. They have no canonical home (no other format
 * shares them), so only the Anthropic renderers read them, to give an Anthropic upstream or client what an Anthropic
 * peer sent. Other providers ignore them.
 *
 * Request:  { fields?, cacheControl?, redactedThinking? }
 *   fields           top-level Messages API fields forwarded verbatim (service_tier, inference_geo, cache_control…)
 *   cacheControl     prompt-cache breakpoints by canonical position: "system.<i>", "tools.<i>", "messages.<i>.<j>"
 *                    (j = index of the canonical part). Positions survive the renderer's merging of turns.
 *   redactedThinking [{ message, before, data }]: an opaque block to re-insert before canonical part `before`
 * Response: { stopReason?, stopSequence?, redactedThinking? [{ before, data }] }
 */
import type { Extensions, JsonObject, JsonValue } from '../canonical/types.ts';
import { isRecord } from './wire-checks.ts';

/** Canonical position key of a prompt-cache breakpoint on a message part. */
export function messageMark(message: number, part: number): string {
  return `messages.${message}.${part}`;
}

/** A redacted_thinking block to re-insert, by canonical position. */
export interface RedactedMark {
  message: number;
  before: number;
  data: string;
}

/** Builds `extensions.anthropic` while a request is parsed. */
export interface RequestExtensionsBuilder {
  fields: JsonObject;
  cacheControl: JsonObject;
  redactedThinking: RedactedMark[];
}

/** A fresh, empty builder. */
export function newRequestExtensions(): RequestExtensionsBuilder {
  return { fields: {}, cacheControl: {}, redactedThinking: [] };
}

/** The finished `extensions.anthropic` value, or undefined when nothing was recorded. */
export function buildRequestExtensions(builder: RequestExtensionsBuilder): JsonObject | undefined {
  const out: JsonObject = {};
  if (Object.keys(builder.fields).length > 0) out.fields = builder.fields;
  if (Object.keys(builder.cacheControl).length > 0) out.cacheControl = builder.cacheControl;
  if (builder.redactedThinking.length > 0) {
    out.redactedThinking = builder.redactedThinking.map((mark) => ({ message: mark.message, before: mark.before, data: mark.data }));
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Read view of a request's Anthropic extensions; tolerant of shapes it did not write (they are ignored). */
export interface RequestExtensions {
  fields: JsonObject;
  cacheControl(key: string): JsonObject | undefined;
  redactedBefore(message: number, before: number): string[];
  redactedAfterLast(message: number, partCount: number): string[];
}

/** Read `extensions.anthropic` of a canonical request. */
export function readRequestExtensions(extensions: Extensions | undefined): RequestExtensions {
  const ext = extensions?.anthropic;
  const fields = isRecord(ext?.fields) ? ext.fields : {};
  const cache = isRecord(ext?.cacheControl) ? ext.cacheControl : {};
  const redacted = readRedacted(ext?.redactedThinking);
  return {
    fields,
    cacheControl(key) {
      const value = Object.hasOwn(cache, key) ? cache[key] : undefined;
      return isRecord(value) ? value : undefined;
    },
    redactedBefore: (message, before) => redacted.filter((m) => m.message === message && m.before === before).map((m) => m.data),
    redactedAfterLast: (message, partCount) => redacted.filter((m) => m.message === message && m.before >= partCount).map((m) => m.data),
  };
}

function readRedacted(value: JsonValue | undefined): RedactedMark[] {
  if (!Array.isArray(value)) return [];
  const marks: RedactedMark[] = [];
  for (const item of value) {
    if (!isRecord(item)) continue;
    const { message, before, data } = item;
    if (typeof before !== 'number' || typeof data !== 'string') continue;
    marks.push({ message: typeof message === 'number' ? message : 0, before, data });
  }
  return marks;
}

/** Response extras an Anthropic client gets back when the answer came from Anthropic. */
export interface ResponseExtensions {
  stopReason?: string;
  stopSequence?: string;
  /** redacted_thinking blocks; `message` is unused (always 0) for a response. */
  redactedThinking: RedactedMark[];
}

/** Read `extensions.anthropic` of a canonical response. */
export function readResponseExtensions(extensions: Extensions | undefined): ResponseExtensions {
  const ext = extensions?.anthropic;
  const out: ResponseExtensions = { redactedThinking: readRedacted(ext?.redactedThinking) };
  if (typeof ext?.stopReason === 'string') out.stopReason = ext.stopReason;
  if (typeof ext?.stopSequence === 'string') out.stopSequence = ext.stopSequence;
  return out;
}
