import { type GlobMatcher, compileGlobs } from '../lib/glob.ts';

// Route globs are the same globs as key scopes (src/lib/glob.ts): `*` matches any run of characters, `/` included,
// `?` exactly one character; matched by a two-pointer walk, never a backtracking RegExp.

/** Matches a request path against any of a rule's globs. */
export type RouteMatcher = GlobMatcher;

/** Compiles a rule's globs once. */
export function compileRouteGlobs(globs: readonly string[]): RouteMatcher {
  return compileGlobs(globs);
}

/** The path of a request URL, without its query string or fragment: what route globs are matched against. */
export function routePath(url: string): string {
  const end = url.search(/[?#]/);
  return end === -1 ? url : url.slice(0, end);
}
