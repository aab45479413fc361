import { z } from 'zod';
import { configSchema } from './schema.ts';

/** A JSON Schema node as produced by `z.toJSONSchema`; read with the helpers below, never trusted blindly. */
export type JsonSchemaNode = Record<string, unknown>;

let cached: JsonSchemaNode | undefined;

/** The input-side JSON Schema of the config (what a user writes), computed once. */
export function configJsonSchema(): JsonSchemaNode {
  // `io: 'input'` because editors validate what people type, where defaulted fields are optional.
  cached ??= z.toJSONSchema(configSchema, { io: 'input', target: 'draft-2020-12' }) as JsonSchemaNode;
  return cached;
}

/** The child node for an object property, or undefined. */
export function propertyOf(node: JsonSchemaNode, key: string): JsonSchemaNode | undefined {
  const properties = node.properties;
  if (!isNode(properties) || !Object.hasOwn(properties, key)) return undefined;
  const child = properties[key];
  return isNode(child) ? child : undefined;
}

/** The property names of an object node, in declaration order. */
export function propertyNames(node: JsonSchemaNode): string[] {
  return isNode(node.properties) ? Object.keys(node.properties) : [];
}

/** The element node of an array node, or undefined. */
export function itemsOf(node: JsonSchemaNode): JsonSchemaNode | undefined {
  return isNode(node.items) ? node.items : undefined;
}

/** The node reached by a parse path (strings are properties, numbers array indexes), or undefined. */
export function nodeAt(path: readonly PropertyKey[]): JsonSchemaNode | undefined {
  let node: JsonSchemaNode | undefined = configJsonSchema();
  for (const segment of path) {
    if (!node) return undefined;
    node = typeof segment === 'number' ? itemsOf(node) : propertyOf(node, String(segment));
  }
  return node;
}

/** True for a plain JSON object. */
export function isNode(value: unknown): value is JsonSchemaNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
