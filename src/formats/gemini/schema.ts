/**
 * Gemini's `Schema` (the OpenAPI 3.0 subset of `FunctionDeclaration.parameters` and `GenerationConfig.responseSchema`,
 * ai.google.dev/api/caching#Schema) → JSON Schema, the canonical form of tool parameters and response schemas.
 * Types are an enum there (`OBJECT`, `STRING`, …) and nullability is a flag; every other format expects JSON Schema's
 * lowercase types, so a Gemini schema is converted once on parse. Gemini itself accepts JSON Schema through
 * `parametersJsonSchema` / `responseJsonSchema`, which is what Rampart renders.
 */
import type { JsonObject, JsonValue } from '../canonical/types.ts';
import { expectArray, expectBoolean, expectJsonObject, expectString, fail, isAbsent, join, readFields, wireName } from './wire-checks.ts';

const SCHEMA_FIELDS = new Set([
  'type',
  'format',
  'title',
  'description',
  'nullable',
  'enum',
  'maxItems',
  'minItems',
  'properties',
  'required',
  'minProperties',
  'maxProperties',
  'minLength',
  'maxLength',
  'pattern',
  'example',
  'anyOf',
  'propertyOrdering',
  'default',
  'items',
  'minimum',
  'maximum',
]);

/** Copied as they are: same meaning in JSON Schema. */
const VERBATIM = ['format', 'title', 'description', 'enum', 'required', 'pattern', 'default', 'minimum', 'maximum'] as const;

/** int64 in the proto, so the JSON mapping may carry them as strings ("5"). */
const COUNTS = ['maxItems', 'minItems', 'minProperties', 'maxProperties', 'minLength', 'maxLength'] as const;

const TYPES = new Set(['string', 'number', 'integer', 'boolean', 'array', 'object', 'null']);

/** Convert a Gemini `Schema` found at `param` to JSON Schema. */
export function schemaToJsonSchema(value: unknown, param: string): JsonObject {
  const schema = readFields(value, param, SCHEMA_FIELDS);
  const out: JsonObject = {};
  let type: string | undefined;
  if (!isAbsent(schema.type)) {
    const raw = expectString(schema.type, join(param, 'type')).toLowerCase();
    if (raw !== 'type_unspecified') {
      if (!TYPES.has(raw)) fail(`Unknown schema type ${wireName(schema.type)}`, join(param, 'type'));
      type = raw;
    }
  }
  const nullable = isAbsent(schema.nullable) ? false : expectBoolean(schema.nullable, join(param, 'nullable'));
  if (type !== undefined) out.type = nullable && type !== 'null' ? [type, 'null'] : type;
  for (const key of VERBATIM) {
    if (!isAbsent(schema[key])) out[key] = schema[key] as JsonValue;
  }
  for (const key of COUNTS) {
    const count = schema[key];
    if (isAbsent(count)) continue;
    const number = typeof count === 'string' && /^[0-9]{1,15}$/.test(count) ? Number(count) : count;
    if (typeof number !== 'number' || !Number.isSafeInteger(number) || number < 0) fail(`${key} must be a non-negative integer`, join(param, key));
    out[key] = number;
  }
  if (!isAbsent(schema.properties)) {
    const properties = expectJsonObject(schema.properties, join(param, 'properties'));
    // fromEntries defines own properties, so a parameter literally named "__proto__" stays data.
    out.properties = Object.fromEntries(
      Object.keys(properties).map((name) => [name, schemaToJsonSchema(properties[name], `${join(param, 'properties')}.${name.slice(0, 64)}`)]),
    );
  }
  if (!isAbsent(schema.items)) out.items = schemaToJsonSchema(schema.items, join(param, 'items'));
  if (!isAbsent(schema.anyOf)) {
    out.anyOf = expectArray(schema.anyOf, join(param, 'anyOf')).map((item, i) => schemaToJsonSchema(item, `${join(param, 'anyOf')}[${i}]`));
  }
  // JSON Schema's annotation for an example is the `examples` array (draft 2019-09 §9.5).
  if (schema.example !== undefined) out.examples = [schema.example as JsonValue];
  // propertyOrdering only steers Gemini's output order; JSON Schema has no keyword for it (and the JSON Schema that
  // Rampart renders to Gemini is ordered by its `properties` keys already).
  return out;
}
