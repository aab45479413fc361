// Deterministic text and token accounting shared by every fake API, so tests can predict replies and usage exactly.

/** The model name every API answers with its 404 (every other name is accepted and echoed). */
export const MISSING_MODEL = 'does-not-exist';

/** Reply used when the last user message carries no text. */
export const DEFAULT_REPLY = 'Hello from mock-upstream.';

// A piece is optional leading whitespace plus one word (letters, digits, _) or one other character; trailing
// whitespace is its own piece. Pieces therefore always concatenate back to the input, which streaming relies on.
const PIECE = /\s*(?:[\p{L}\p{N}_]+|[^\s\p{L}\p{N}_])|\s+/gu;
const DIRECTIVE = /\[mock(?:@[^:\]]+)?:[^\]]*\]/g;

/** Splits text into token pieces ("Echo: hi!" → ["Echo", ":", " hi", "!"]); pieces join back to the input. */
export function tokenize(text: string): string[] {
  return text.match(PIECE) ?? [];
}

/** The mock's token count of a text: the number of pieces `tokenize` returns. */
export function countTokens(text: string): number {
  PIECE.lastIndex = 0;
  let count = 0;
  while (PIECE.exec(text) !== null) count++;
  return count;
}

/** Removes `[mock:...]` fault directives so they do not leak into the echoed reply. */
export function stripDirectives(text: string): string {
  return text.replace(DIRECTIVE, '');
}

/** The deterministic reply to a user text: `Echo: <text>` (directives removed), or DEFAULT_REPLY when empty. */
export function replyText(lastUserText: string | undefined): string {
  const text = lastUserText === undefined ? '' : stripDirectives(lastUserText).trim();
  return text === '' ? DEFAULT_REPLY : `Echo: ${text}`;
}

/** The deterministic reasoning text shown when a request asks for thinking: `Thinking about: <text>`. */
export function thinkingText(lastUserText: string | undefined): string {
  const text = lastUserText === undefined ? '' : stripDirectives(lastUserText).trim();
  return text === '' ? 'Thinking about: the conversation.' : `Thinking about: ${text}`;
}

/** The reply cut just before the first of `stops` it contains (the earliest wins), as stop sequences do. */
export function applyStopSequences(text: string, stops: readonly string[]): { text: string; stop: string | null } {
  let at = -1;
  let stop: string | null = null;
  for (const candidate of stops) {
    const index = candidate === '' ? -1 : text.indexOf(candidate);
    if (index !== -1 && (at === -1 || index < at)) {
      at = index;
      stop = candidate;
    }
  }
  return at === -1 ? { text, stop: null } : { text: text.slice(0, at), stop };
}

/** Token pieces of a reply cut to `maxTokens`; `truncated` is true when the cut removed something. */
export function limitTokens(text: string, maxTokens: number | undefined): { pieces: string[]; truncated: boolean } {
  const pieces = tokenize(text);
  if (maxTokens === undefined || pieces.length <= maxTokens) return { pieces, truncated: false };
  return { pieces: pieces.slice(0, maxTokens), truncated: true };
}

/** Names from `names` that the text asks for as `call <name>`, in order of appearance, without repeats. */
export function findCalledTools(text: string, names: readonly string[]): string[] {
  const found: { name: string; at: number }[] = [];
  for (const name of names) {
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const match = new RegExp(`\\bcall\\s+${escaped}(?![\\w-])`).exec(text);
    if (match) found.push({ name, at: match.index });
  }
  return found.sort((a, b) => a.at - b.at).map((entry) => entry.name);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sampleValue(schema: unknown, depth: number): unknown {
  if (!isRecord(schema) || depth > 8) return null;
  if ('const' in schema) return schema['const'];
  if (Array.isArray(schema['enum']) && schema['enum'].length > 0) return schema['enum'][0];
  const declared = schema['type'];
  const picked: unknown = Array.isArray(declared) ? (declared as unknown[]).find((t) => t !== 'null') : declared;
  // Gemini's OpenAPI-subset schemas spell types in upper case (`OBJECT`, `STRING`).
  const type = typeof picked === 'string' ? picked.toLowerCase() : picked;
  switch (type) {
    case 'string':
      return 'test';
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return true;
    case 'array':
      return typeof schema['minItems'] === 'number' && schema['minItems'] > 0 ? [sampleValue(schema['items'], depth + 1)] : [];
    case 'object':
      return sampleObject(schema, depth);
    default:
      return isRecord(schema['properties']) ? sampleObject(schema, depth) : null;
  }
}

function sampleObject(schema: Record<string, unknown>, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const properties = isRecord(schema['properties']) ? schema['properties'] : {};
  const required = Array.isArray(schema['required']) ? schema['required'] : [];
  for (const key of required) {
    if (typeof key === 'string') out[key] = sampleValue(properties[key], depth + 1);
  }
  return out;
}

/** Deterministic tool-call arguments (a JSON object string) filling the schema's required properties. */
export function toolArguments(parametersSchema: unknown): string {
  return JSON.stringify(isRecord(parametersSchema) ? sampleObject(parametersSchema, 0) : {});
}
