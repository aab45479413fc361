import type { z } from 'zod';
import { nodeAt, propertyNames } from './json-schema.ts';

/** One problem in a config file: where (`providers[0].baseUrl`, or '' for the whole file) and what. */
export interface ConfigIssue {
  path: string;
  message: string;
}

/** Renders a parse path the way a user would write it: `providers[0].credentials[1].apiKey`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z_][A-Za-z0-9_-]*$/.test(segment)) {
      out += out === '' ? segment : `.${segment}`;
    } else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}

// zod's built-in messages are written for developers ("expected int, received number"); these speak YAML. None of
// them may include `issue.input`: the value may be a substituted secret.
const typeNames: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
};

function kindOf(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a mapping';
  return typeNames[typeof input] ?? typeof input;
}

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Per-parse zod error map with config-oriented wording; schema-level messages still take precedence. */
export const configErrorMap: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type': {
      if (issue.input === undefined) return 'is required';
      const expected = typeNames[issue.expected] ?? issue.expected;
      if (issue.expected === 'int' && typeof issue.input === 'number') return 'must be an integer';
      return `must be ${expected}, not ${kindOf(issue.input)}`;
    }
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.origin === 'string' && min === 1) return 'must not be empty';
      if (issue.origin === 'string') return `must be at least ${count(min, 'character', 'characters')}`;
      if (issue.origin === 'array') return `must have at least ${count(min, 'entry', 'entries')}`;
      return issue.inclusive === false ? `must be greater than ${min}` : `must be at least ${min}`;
    }
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.origin === 'string') return `must be at most ${count(max, 'character', 'characters')}`;
      if (issue.origin === 'array') return `must have at most ${count(max, 'entry', 'entries')}`;
      return issue.inclusive === false ? `must be less than ${max}` : `must be at most ${max}`;
    }
    case 'invalid_value': {
      const values = issue.values.map((v) => String(v));
      return values.length === 1 ? `must be ${values.join('')}` : `must be one of: ${values.join(', ')}`;
    }
    case 'invalid_format':
      return 'has an invalid format';
    default:
      return undefined;
  }
};

/** Converts zod's issues into config issues; an unknown key becomes one issue per key, with a suggestion. */
export function fromZodIssues(issues: readonly z.core.$ZodIssue[]): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      const allowed = propertyNames(nodeAt(issue.path) ?? {});
      for (const key of issue.keys) {
        out.push({ path: formatPath([...issue.path, key]), message: unknownKeyMessage(key, allowed) });
      }
    } else {
      out.push({ path: formatPath(issue.path), message: issue.message });
    }
  }
  return out;
}

function unknownKeyMessage(key: string, allowed: readonly string[]): string {
  const close = allowed.find((name) => name.toLowerCase() === key.toLowerCase() || editDistance(name, key) <= 2);
  if (close !== undefined) return `unknown key (did you mean "${close}"?)`;
  return allowed.length > 0 ? `unknown key (allowed: ${allowed.join(', ')})` : 'unknown key';
}

/** Levenshtein distance; the strings are config keys, so the quadratic cost is irrelevant. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
