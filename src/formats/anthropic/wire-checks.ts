/**
 * Wire checks for the Anthropic translators: the shared ones (params are the dotted paths Anthropic itself uses in
 * its 400 messages, e.g. `messages.2.content.0.source.type`) plus what only this format needs.
 */
import { expectCount, fail, isAbsent } from '../canonical/wire-checks.ts';

export {
  expectArray,
  expectBoolean,
  expectCount,
  expectInteger,
  expectJsonObject,
  expectNonEmptyString,
  expectNumber,
  expectRecord,
  expectString,
  fail,
  isAbsent,
  isRecord,
  typeName,
  wireName,
} from '../canonical/wire-checks.ts';

/** Same rule as the shared wireName: short identifier-like client keys may appear in params, nothing else. */
const WIRE_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** A client-chosen key usable as an error param, or null when it is not identifier-like (never echo payload). */
export function safeKey(key: string): string | null {
  return WIRE_NAME.test(key) ? key : null;
}

/** `<parent>.<key>` as an error param when the key is identifier-like, else just the parent. */
export function prefixed(parent: string, key: string): string {
  return WIRE_NAME.test(key) ? `${parent}.${key}` : parent;
}

/** A token count that Anthropic may send as null or omit (e.g. `cache_read_input_tokens`). */
export function optionalCount(value: unknown, param: string): number | undefined {
  return isAbsent(value) ? undefined : expectCount(value, param);
}

/** Parse the JSON text of one SSE event or throw a FormatError. */
export function parseJsonEvent(data: string): unknown {
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return fail('Upstream stream event is not valid JSON', null);
  }
}
