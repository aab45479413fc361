// Route globs use the same syntax as key scopes (src/keys/glob.ts): `*` matches any run of characters, `/` included
// (`/v1/*` covers every route under /v1/), `?` exactly one character, everything else itself. Matching is a
// two-pointer walk, not a RegExp: `/*a*b*c` compiled to `.*a.*b.*c` would backtrack polynomially on a crafted path.

/** Matches a request path against any of a rule's globs. */
export type RouteMatcher = (path: string) => boolean;

/** Compiles a rule's globs once; runs of `*` collapse so stacked stars cost nothing extra. */
export function compileRouteGlobs(globs: readonly string[]): RouteMatcher {
  const compiled = globs.map((glob) => [...glob].filter((c, i, all) => !(c === '*' && all[i - 1] === '*')));
  return (path) => {
    const input = [...path];
    return compiled.some((pattern) => wildcardMatch(pattern, input));
  };
}

/** Iterative wildcard match: on a mismatch, retry from the last `*` one character further. O(pattern × input). */
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

/** The path of a request URL, without its query string or fragment: what route globs are matched against. */
export function routePath(url: string): string {
  const end = url.search(/[?#]/);
  return end === -1 ? url : url.slice(0, end);
}
