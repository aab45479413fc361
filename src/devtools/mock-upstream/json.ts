// Tiny helpers for reading request bodies that are `unknown` until checked.

/** True for a plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True for a JSON integer (booleans and fractions are not). */
export function isInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value);
}

/** A value as it appears in error messages: strings bare, everything else as JSON. */
export function show(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? 'undefined');
}

/** One query parameter of the request URL, or undefined (only parsed when a route asks). */
export function queryParam(url: string | undefined, name: string): string | undefined {
  const at = url?.indexOf('?') ?? -1;
  if (url === undefined || at === -1) return undefined;
  return new URLSearchParams(url.slice(at + 1)).get(name) ?? undefined;
}

/** A %-decoded path segment; malformed escapes are kept raw (the lookup then fails like any unknown name). */
export function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
