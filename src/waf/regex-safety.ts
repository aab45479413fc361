// Operator regexes run on attacker-controlled prompt text with V8's backtracking engine, which has no timeout. A
// pattern whose backtracking explodes — (a+)+, (a|aa)*, (a?){30}a{30} — would let one request pin the event loop,
// so such shapes are refused at boot. This is a conservative syntactic check, not a proof: it refuses
//   - a repeated group that itself contains a quantifier (star height > 1),
//   - a repeated group that contains an alternation (overlapping alternatives explode the same way),
//   - backreferences (matching them is NP-hard in general),
//   - patterns longer than MAX_PATTERN_LENGTH.
// Polynomial shapes such as `a.*b.*c` remain possible; the built-in rules are written to stay linear.

/** Longest operator pattern accepted. */
export const MAX_PATTERN_LENGTH = 512;

interface GroupFrame {
  /** Some quantifier (even `?`) appears inside this group. */
  hasQuantifier: boolean;
  /** Some `|` appears inside this group, at any depth. */
  hasAlternation: boolean;
}

/** Quantifier at `i`, if any: its length in characters and whether it can repeat its atom more than once. */
function quantifierAt(pattern: string, i: number): { length: number; repeats: boolean } | undefined {
  const c = pattern[i];
  let length: number;
  let repeats: boolean;
  if (c === '*' || c === '+') {
    length = 1;
    repeats = true;
  } else if (c === '?') {
    length = 1;
    repeats = false;
  } else if (c === '{') {
    const braces = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i, i + 24));
    if (!braces) return undefined;
    length = braces[0].length;
    const min = Number(braces[1]);
    const max = braces[2] === undefined ? min : braces[3] === '' ? Infinity : Number(braces[3]);
    repeats = max > 1;
  } else {
    return undefined;
  }
  // A lazy suffix (`+?`) changes the order of attempts, not how many there can be.
  if (pattern[i + length] === '?') length += 1;
  return { length, repeats };
}

/** Index just past the escape sequence starting at `i` (a backslash), including `\u{…}`, `\p{…}` bodies. */
function skipEscape(pattern: string, i: number): number {
  const next = pattern[i + 1];
  if ((next === 'u' || next === 'p' || next === 'P') && pattern[i + 2] === '{') {
    const close = pattern.indexOf('}', i + 3);
    return close === -1 ? pattern.length : close + 1;
  }
  return i + 2;
}

/** Index just past the character class starting at `i` (`[`). */
function skipClass(pattern: string, i: number): number {
  let j = i + 1;
  while (j < pattern.length && pattern[j] !== ']') j = pattern[j] === '\\' ? skipEscape(pattern, j) : j + 1;
  return j + 1;
}

/** Index just past a group opener at `i` (`(`, `(?:`, `(?=`, `(?<name>`, `(?i:` …). */
function skipGroupOpen(pattern: string, i: number): number {
  if (pattern[i + 1] !== '?') return i + 1;
  const rest = pattern.slice(i + 2, i + 72);
  const prefix = /^(?:[:=!]|<[=!]|<[^>]*>|[ims-]*:)/.exec(rest);
  return i + 2 + (prefix ? prefix[0].length : 0);
}

/**
 * Why `pattern` is unsafe or invalid as an operator regex (a reason that never quotes the pattern), or undefined.
 * `flags` are the flags it will run with.
 */
export function regexSafetyProblem(pattern: string, flags = 'u'): string | undefined {
  if (pattern.length > MAX_PATTERN_LENGTH) return `is longer than ${MAX_PATTERN_LENGTH} characters`;
  try {
    new RegExp(pattern, flags);
  } catch {
    return 'is not a valid regular expression (JavaScript syntax, u flag)';
  }
  const stack: GroupFrame[] = [{ hasQuantifier: false, hasAlternation: false }];
  // What a quantifier at the current position would apply to: nothing, a single atom, or the group just closed.
  let last: 'none' | 'atom' | GroupFrame = 'none';
  let i = 0;
  while (i < pattern.length) {
    const current = stack[stack.length - 1] as GroupFrame;
    const c = pattern[i];
    const quantifier = last === 'none' ? undefined : quantifierAt(pattern, i);
    if (quantifier !== undefined) {
      if (typeof last === 'object' && quantifier.repeats) {
        if (last.hasQuantifier) return 'repeats a group that contains a quantifier, like (a+)+ (catastrophic backtracking)';
        if (last.hasAlternation) return 'repeats a group that contains an alternation, like (a|ab)* (catastrophic backtracking)';
      }
      current.hasQuantifier = true;
      last = 'none';
      i += quantifier.length;
      continue;
    }
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      if (/[1-9]/.test(next) || (next === 'k' && pattern[i + 2] === '<')) return 'uses a backreference, which can backtrack exponentially';
      i = skipEscape(pattern, i);
      last = 'atom';
    } else if (c === '[') {
      i = skipClass(pattern, i);
      last = 'atom';
    } else if (c === '(') {
      stack.push({ hasQuantifier: false, hasAlternation: false });
      i = skipGroupOpen(pattern, i);
      last = 'none';
    } else if (c === ')') {
      const closed = stack.pop() as GroupFrame;
      const parent = stack[stack.length - 1] as GroupFrame;
      // "Contains" is transitive: a repeated outer group is as dangerous as the inner one.
      parent.hasQuantifier ||= closed.hasQuantifier;
      parent.hasAlternation ||= closed.hasAlternation;
      last = closed;
      i += 1;
    } else if (c === '|') {
      current.hasAlternation = true;
      last = 'none';
      i += 1;
    } else {
      last = c === '^' || c === '$' ? 'none' : 'atom';
      i += 1;
    }
  }
  return undefined;
}
