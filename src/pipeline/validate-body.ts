import type { FastifyRequest } from 'fastify';
import sjson from 'secure-json-parse';
import { RampartError } from '../errors/catalogue.ts';

/** Structural limits on a JSON request body (from `validation:`). */
export interface BodyLimits {
  /** Deepest nesting of arrays/objects; the top-level value is depth 1. */
  maxDepth: number;
  /** Longest string or object key, in UTF-16 code units. */
  maxStringLength: number;
}

// fatal: Buffer#toString and Fastify's string parsing replace bad bytes with U+FFFD silently, which would let a body
// mean one thing here and another to an upstream that decodes strictly. A shared instance is safe: decode() without
// { stream: true } keeps no state between calls. The BOM is dropped, as RFC 8259 §8.1 allows.
const utf8 = new TextDecoder('utf-8', { fatal: true });

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

/**
 * Refuses nesting deeper than `maxDepth` with one pass over the bytes, before JSON.parse builds anything: a
 * 10,000-deep `[[[[…` costs O(n) and no stack. Brackets inside strings are skipped. Scanning bytes is exact for
 * UTF-8 because no byte of a multi-byte sequence is ASCII. Malformed JSON is left for the parser to name.
 */
function checkDepth(raw: Uint8Array, maxDepth: number): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const byte = raw[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) {
      if (++depth > maxDepth) throw tooDeep(maxDepth);
    } else if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) {
      depth--;
    }
  }
}

function tooDeep(maxDepth: number): RampartError {
  return new RampartError('RAMPART_REQUEST_TOO_DEEP', { message: `The request body is nested deeper than ${maxDepth} levels.` });
}

function parseJson(text: string): unknown {
  try {
    return sjson.parse(text, null, { protoAction: 'error', constructorAction: 'error' });
  } catch (error) {
    // secure-json-parse reports poisoning as a SyntaxError "Object contains forbidden prototype property". Matched on
    // the start only: V8's own JSON errors quote the input, which could otherwise contain the same words.
    const poisoned = error instanceof SyntaxError && error.message.startsWith('Object contains forbidden');
    throw new RampartError(poisoned ? 'RAMPART_REQUEST_PROTO_POISONING' : 'RAMPART_REQUEST_INVALID_JSON');
  }
}

/** One container being walked: the container and the keys/indices still to visit. */
interface Frame {
  value: unknown[] | Record<string, unknown>;
  keys: string[] | null;
  next: number;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `messages[2].content` for the frames' current positions; only built when refusing, so the walk stays cheap. */
function pathOf(frames: Frame[]): string {
  let path = '';
  for (const frame of frames) {
    const index = frame.next - 1;
    if (frame.keys === null) {
      path += `[${index}]`;
      continue;
    }
    const key = frame.keys[index] ?? '';
    // A key is echoed to the client in `param`: keep it short.
    const shown = key.length > 64 ? `${key.slice(0, 64)}…` : key;
    path += IDENTIFIER.test(shown) ? `${path === '' ? '' : '.'}${shown}` : `[${JSON.stringify(shown)}]`;
  }
  return path;
}

function checkString(text: string, limits: BodyLimits, frames: Frame[], isKey: boolean): void {
  const what = isKey ? 'An object key' : 'A string';
  if (text.length > limits.maxStringLength) {
    throw new RampartError('RAMPART_REQUEST_STRING_TOO_LONG', {
      message: `${what} in the request body is longer than ${limits.maxStringLength} characters.`,
      param: pathOf(frames) || null,
    });
  }
  // A \uD800-style escape is valid JSON but not Unicode text: it cannot be re-encoded as UTF-8 for the upstream.
  if (!text.isWellFormed()) {
    throw new RampartError('RAMPART_REQUEST_INVALID_UTF8', {
      message: `${what} in the request body contains an unpaired surrogate (\\uD800-\\uDFFF escape), which is not valid Unicode.`,
      param: pathOf(frames) || null,
    });
  }
}

/** Checks every string and key of a parsed value, iteratively (depth is already bounded, but no recursion at all). */
function checkStrings(root: unknown, limits: BodyLimits): void {
  const frames: Frame[] = [];
  const visit = (value: unknown): void => {
    if (typeof value === 'string') checkString(value, limits, frames, false);
    else if (Array.isArray(value)) frames.push({ value, keys: null, next: 0 });
    else if (typeof value === 'object' && value !== null) frames.push({ value: value as Record<string, unknown>, keys: Object.keys(value), next: 0 });
    // Defence in depth: the byte scan bounds depth already; this holds even if the two ever disagreed.
    if (frames.length > limits.maxDepth) throw tooDeep(limits.maxDepth);
  };
  visit(root);
  while (frames.length > 0) {
    const frame = frames[frames.length - 1] as Frame;
    const length = frame.keys === null ? (frame.value as unknown[]).length : frame.keys.length;
    if (frame.next >= length) {
      frames.pop();
      continue;
    }
    const index = frame.next++;
    if (frame.keys === null) {
      visit((frame.value as unknown[])[index]);
    } else {
      const key = frame.keys[index] as string;
      checkString(key, limits, frames, true);
      visit((frame.value as Record<string, unknown>)[key]);
    }
  }
}

/**
 * Decodes and parses a raw JSON request body, refusing (RampartError, 400) invalid UTF-8, nesting deeper than
 * `maxDepth`, `__proto__` / `constructor.prototype` keys, unpaired surrogates, and strings or keys longer than
 * `maxStringLength`. Never throws anything but a RampartError, and never recurses.
 */
export function validateBody(raw: Uint8Array, limits: BodyLimits): unknown {
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    throw new RampartError('RAMPART_REQUEST_INVALID_UTF8');
  }
  if (text.trim() === '') throw new RampartError('RAMPART_REQUEST_INVALID_JSON', { message: 'The request body is empty; send a JSON object.' });
  checkDepth(raw, limits.maxDepth);
  const parsed = parseJson(text);
  checkStrings(parsed, limits);
  return parsed;
}

/**
 * A Fastify content-type parser (register with `parseAs: 'buffer'`) that runs validateBody with limits checked
 * now, so a bad limit fails at boot. Fastify's own bodyLimit has already capped the size (413).
 */
export function jsonBodyParser(limits: BodyLimits): (request: FastifyRequest, body: Buffer, done: (error: Error | null, value?: unknown) => void) => void {
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 1) throw new Error(`body limit ${name} must be a positive integer`);
  }
  const checked: BodyLimits = { maxDepth: limits.maxDepth, maxStringLength: limits.maxStringLength };
  return (_request, body, done) => {
    let value: unknown;
    try {
      value = validateBody(body, checked);
    } catch (error) {
      done(error instanceof RampartError ? error : new RampartError('RAMPART_REQUEST_INVALID_JSON'));
      return;
    }
    done(null, value);
  };
}

/** The max_tokens ceilings that apply to one request; the lowest defined one wins. */
export interface MaxTokensCeilings {
  /** `validation.maxTokensCeiling`. */
  global?: number | undefined;
  /** The client key's own ceiling. */
  key?: number | undefined;
  /** `validation.modelMaxTokens[model]`. */
  model?: number | undefined;
}

/**
 * Refuses a requested max_tokens above the lowest applicable ceiling (RAMPART_MAX_TOKENS_EXCEEDED, naming which
 * ceiling). Returns the max_tokens to send upstream: the requested value, or the ceiling when the client sent none —
 * otherwise leaving the field out would bypass the ceiling and get the provider's (often larger) default.
 */
export function maxTokensCeiling(requested: number | undefined, ceilings: MaxTokensCeilings, param = 'max_tokens'): number | undefined {
  let lowest: { name: string; value: number } | undefined;
  for (const name of ['key', 'model', 'global'] as const) {
    const value = ceilings[name];
    if (value !== undefined && (lowest === undefined || value < lowest.value)) lowest = { name, value };
  }
  if (lowest === undefined) return requested;
  if (requested === undefined) return lowest.value;
  if (requested > lowest.value) {
    const which = lowest.name === 'global' ? 'the gateway' : lowest.name === 'key' ? "this API key's" : "this model's";
    throw new RampartError('RAMPART_MAX_TOKENS_EXCEEDED', {
      message: `${param} ${requested} exceeds ${which} ceiling of ${lowest.value}.`,
      param,
    });
  }
  return requested;
}
