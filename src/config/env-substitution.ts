import { formatPath } from './issues.ts';
import type { ConfigIssue } from './issues.ts';

/** The environment as seen by substitution: unset and undefined are the same thing. */
export type Env = Record<string, string | undefined>;

/** The substituted tree, plus every problem found (all of them, so one run reports every missing variable). */
export interface SubstitutionResult {
  value: unknown;
  issues: ConfigIssue[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ESCAPE_HINT = 'write $${ for a literal ${';

/**
 * Replaces `${NAME}` in every string value of a parsed YAML tree. It runs on parsed values rather than the raw text
 * so that a substituted value can never change the document's structure. Keys are left alone, substituted values are
 * not scanned again, and `$${` stands for a literal `${`. Issues name paths and variables, never values.
 */
export function substituteEnv(tree: unknown, env: Env): SubstitutionResult {
  const issues: ConfigIssue[] = [];
  const walk = (node: unknown, path: PropertyKey[]): unknown => {
    if (typeof node === 'string') {
      const { text, problems } = substituteString(node, env);
      for (const message of problems) issues.push({ path: formatPath(path), message });
      return text;
    }
    if (Array.isArray(node)) return node.map((item: unknown, index) => walk(item, [...path, index]));
    if (typeof node === 'object' && node !== null) {
      // A null prototype keeps a YAML key named `__proto__` an ordinary (and, to the schema, unknown) key.
      const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
      for (const [key, value] of Object.entries(node)) out[key] = walk(value, [...path, key]);
      return out;
    }
    return node;
  };
  return { value: walk(tree, []), issues };
}

/** Substitutes one string; `problems` describes each unset variable or malformed reference. */
export function substituteString(input: string, env: Env): { text: string; problems: string[] } {
  const problems: string[] = [];
  let text = '';
  let at = 0;
  while (at < input.length) {
    const dollar = input.indexOf('$', at);
    if (dollar === -1) break;
    text += input.slice(at, dollar);
    if (input.startsWith('$${', dollar)) {
      text += '${';
      at = dollar + 3;
      continue;
    }
    if (input[dollar + 1] !== '{') {
      text += '$';
      at = dollar + 1;
      continue;
    }
    const close = input.indexOf('}', dollar + 2);
    if (close === -1) {
      problems.push(`unterminated \${ at character ${dollar + 1} (${ESCAPE_HINT})`);
      return { text: input, problems };
    }
    const name = input.slice(dollar + 2, close);
    if (!NAME.test(name)) {
      problems.push(
        `malformed \${...} at character ${dollar + 1}: the name must match [A-Za-z_][A-Za-z0-9_]* (${ESCAPE_HINT})`,
      );
    } else {
      const value = Object.hasOwn(env, name) ? env[name] : undefined;
      if (typeof value === 'string') text += value;
      else problems.push(`environment variable ${name} is not set`);
    }
    at = close + 1;
  }
  text += input.slice(at);
  return { text, problems };
}
