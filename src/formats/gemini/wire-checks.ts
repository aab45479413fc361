/**
 * Narrowing of Gemini wire data. The generic checks are the shared ones (canonical/wire-checks.ts); this file adds
 * what is Gemini's own: the REST API follows the proto3 JSON mapping, which accepts a field under its lowerCamelCase
 * JSON name AND its original snake_case proto name ("Parsers accept both the lowerCamelCase name … and the original
 * proto field name", protobuf.dev/programming-guides/json). Google's own curl samples use `system_instruction`,
 * `inline_data`, `mime_type`, so both spellings are read, and Rampart always renders camelCase.
 */
import { fail, isRecord, typeName, wireName } from '../canonical/wire-checks.ts';

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
  isUnsafeKey,
  typeName,
  wireName,
} from '../canonical/wire-checks.ts';

/** `generation_config` → `generationConfig` (proto field name → JSON name). */
export function toCamelCase(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_match: string, letter: string) => letter.toUpperCase());
}

/**
 * Read one object level of the wire: keys are normalised to camelCase, and a key outside `known` (or one given under
 * both spellings) is a FormatError naming it. Only known levels go through here: free-form values (function args,
 * response objects, JSON Schemas) keep their keys exactly as sent.
 */
export function readFields(value: unknown, param: string, known: ReadonlySet<string>): Record<string, unknown> {
  if (!isRecord(value)) fail(`Expected an object at ${param || 'the request body'}, got ${typeName(value)}`, param || null);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const name = toCamelCase(key);
    if (!known.has(name)) fail(`Unknown field ${wireName(key)}${param ? ` in ${param}` : ''}`, join(param, key.slice(0, 64)));
    if (name in out) fail(`Field ${wireName(name)} is given twice (camelCase and snake_case)`, join(param, name));
    out[name] = value[key];
  }
  return out;
}

/** A JSON path: `a` + `b` → `a.b`; the root has no name. */
export function join(param: string, key: string): string {
  return param === '' ? key : `${param}.${key}`;
}

const MIME_TYPE = /^[A-Za-z0-9.+-]{1,40}\/[A-Za-z0-9.+-]{1,60}$/;

/** Quote a client-given MIME type for an error message, when it looks like one (never arbitrary payload). */
export function mimeName(value: string): string {
  return MIME_TYPE.test(value) ? `"${value}"` : 'an unrecognised value';
}
