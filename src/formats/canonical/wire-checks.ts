/**
 * Hand-written narrowing of wire data, shared by every format's translators. Every failure is a FormatError carrying
 * the caller's param path (each format writes paths its own way), so the client gets a precise 400 and nothing else
 * can be thrown. Deliberately not zod: these run per request and per stream chunk.
 */
import { FormatError } from './format-error.ts';
import type { JsonObject } from './types.ts';

/** A plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Throw a FormatError for `param`. */
export function fail(message: string, param: string | null): never {
  throw new FormatError(message, param);
}

/** Describe a wire value's JSON type for error messages, without echoing the value itself. */
export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

const WIRE_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * Quote a client-chosen name (a part, block or tool type, a role) for an error message. Only short identifier-like values
 * are echoed: error bodies end up in logs and dashboards and must never carry arbitrary payload.
 */
export function wireName(value: unknown): string {
  if (typeof value === 'string') return WIRE_NAME.test(value) ? `"${value}"` : 'an unrecognised value';
  return typeName(value);
}

/** Narrow to an object or throw. */
export function expectRecord(value: unknown, param: string): Record<string, unknown> {
  if (!isRecord(value)) fail(`Expected an object at ${param}, got ${typeName(value)}`, param);
  return value;
}

/** Narrow to a JSON object. Values come from JSON.parse, so every nested value is already JSON. */
export function expectJsonObject(value: unknown, param: string): JsonObject {
  return expectRecord(value, param) as JsonObject;
}

/** Narrow to an array or throw. */
export function expectArray(value: unknown, param: string): unknown[] {
  if (!Array.isArray(value)) fail(`Expected an array at ${param}, got ${typeName(value)}`, param);
  return value;
}

/** Narrow to a string or throw. */
export function expectString(value: unknown, param: string): string {
  if (typeof value !== 'string') fail(`Expected a string at ${param}, got ${typeName(value)}`, param);
  return value;
}

/** Narrow to a non-empty string or throw. */
export function expectNonEmptyString(value: unknown, param: string): string {
  const text = expectString(value, param);
  if (text.length === 0) fail(`${param} must not be empty`, param);
  return text;
}

/** Narrow to a boolean or throw. */
export function expectBoolean(value: unknown, param: string): boolean {
  if (typeof value !== 'boolean') fail(`Expected a boolean at ${param}, got ${typeName(value)}`, param);
  return value;
}

/** Narrow to a finite number within [min, max] or throw. */
export function expectNumber(value: unknown, param: string, min = -Infinity, max = Infinity): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(`Expected a number at ${param}, got ${typeName(value)}`, param);
  if (value < min || value > max) fail(`${param} must be between ${min} and ${max}`, param);
  return value;
}

/** Narrow to an integer within [min, max] or throw. */
export function expectInteger(value: unknown, param: string, min = -Infinity, max = Infinity): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) fail(`Expected an integer at ${param}, got ${typeName(value)}`, param);
  if (value < min || value > max) fail(`${param} must be between ${min} and ${max}`, param);
  return value;
}

/** A non-negative integer token count, as usage objects carry. */
export function expectCount(value: unknown, param: string): number {
  return expectInteger(value, param, 0);
}

/** True for a key that must never be assigned on a plain object (prototype pollution). */
export function isUnsafeKey(key: string): boolean {
  return key === '__proto__' || key === 'constructor' || key === 'prototype';
}

/** `undefined` or `null`: most APIs treat an explicit null like an omitted optional field. */
export function isAbsent(value: unknown): value is null | undefined {
  return value === undefined || value === null;
}
