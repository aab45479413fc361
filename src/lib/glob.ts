/**
 * Globs for key scopes: `*` matches any run of characters (including `/`, so `/v1/*` covers every route under
 * `/v1/` and `meta-llama/*` every model of that family), `?` matches exactly one character, everything else matches
 * itself, case-sensitively. No brackets, braces or escapes: an operator who writes `gpt-[45]*` gets an error, not a
 * pattern that silently means something else.
 *
 * Matching is a hand-written two-pointer walk, not a RegExp: the input (a model name, a path) comes from the caller,
 * and a backtracking regex built from operator patterns could be made to take polynomial time on crafted input.
 */

/** Matches one input against a compiled set of patterns. */
export type GlobMatcher = (input: string) => boolean;

/** Longest pattern accepted; longer ones are more likely a paste error than a scope. */
export const MAX_GLOB_LENGTH = 200;
/** Inputs longer than this never match a wildcard pattern, which bounds the matcher's worst case. */
const MAX_INPUT_LENGTH = 1024;

// Other glob and regex syntax, the CLI's list separator, whitespace and control characters.
const FORBIDDEN = /[[\]{}()!\\^$|+,\s\p{Cc}]/u;

/** Why `pattern` is not a valid scope glob, or undefined when it is. */
export function globSyntaxError(pattern: string): string | undefined {
  if (pattern.length === 0) return 'is empty';
  if (pattern.length > MAX_GLOB_LENGTH) return `is longer than ${MAX_GLOB_LENGTH} characters`;
  const bad = FORBIDDEN.exec(pattern)?.[0];
  if (bad === undefined) return undefined;
  const shown = /[\s\p{Cc}]/u.test(bad) ? 'whitespace or a control character' : `"${bad}"`;
  return `contains ${shown}; only * and ? are wildcards`;
}

interface Wildcard {
  /** Code points of the pattern, runs of `*` collapsed to one. */
  chars: readonly string[];
}

/**
 * Compiles patterns once into a matcher: plain names go into a Set, `prefix*` patterns into a prefix list, the rest
 * into the general walker. Patterns are not re-validated here; an invalid one simply matches literally.
 */
export function compileGlobs(patterns: readonly string[]): GlobMatcher {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  const wild: Wildcard[] = [];
  let all = false;
  for (const pattern of patterns) {
    const chars = collapseStars([...pattern]);
    const starAt = chars.indexOf('*');
    const hasQuestion = chars.includes('?');
    if (starAt === -1 && !hasQuestion) exact.add(pattern);
    else if (chars.length === 1 && starAt === 0) all = true;
    else if (!hasQuestion && starAt === chars.length - 1) prefixes.push(chars.slice(0, -1).join(''));
    else wild.push({ chars });
  }
  if (all) return () => true;
  return (input) => {
    if (exact.has(input)) return true;
    for (const prefix of prefixes) if (input.startsWith(prefix)) return true;
    if (wild.length === 0 || input.length > MAX_INPUT_LENGTH) return false;
    const chars = [...input];
    return wild.some((w) => wildcardMatch(w.chars, chars));
  };
}

/** Whether one pattern matches one input; compiles on every call, so prefer `compileGlobs` on hot paths. */
export function globMatches(pattern: string, input: string): boolean {
  return compileGlobs([pattern])(input);
}

function collapseStars(chars: string[]): string[] {
  return chars.filter((c, i) => !(c === '*' && chars[i - 1] === '*'));
}

/**
 * Classic iterative wildcard match: on a mismatch, retry from the last `*` one input character further. At most
 * O(pattern × input) steps, never exponential.
 */
function wildcardMatch(pattern: readonly string[], input: readonly string[]): boolean {
  let p = 0;
  let i = 0;
  let star = -1;
  let resume = 0;
  while (i < input.length) {
    const c = pattern[p];
    if (c === '*') {
      star = p++;
      resume = i;
    } else if (c !== undefined && (c === '?' || c === input[i])) {
      p++;
      i++;
    } else if (star !== -1) {
      p = star + 1;
      i = ++resume;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}
