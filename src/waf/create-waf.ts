import type { WafConfig, WafMode, WafRuleConfig } from '../config/waf-schema.ts';
import { builtinSecretRules } from './builtin-secrets.ts';
import { regexSafetyProblem } from './regex-safety.ts';
import { type RouteMatcher, compileRouteGlobs, routePath } from './route-glob.ts';

/** What the WAF looks at in one request. */
export interface WafInput {
  /** The request URL or path; the query string is ignored. Route globs match against the path. */
  route: string;
  model: string;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  promptText: string;
  /** The authenticated client key's id, for `waf.perKeyMode`. */
  keyId?: string | null;
  /** A mode stored on the key itself; wins over `waf.perKeyMode` and `waf.mode`. */
  modeOverride?: WafMode;
}

/**
 * The verdict. Only rule ids, never what matched: the match is typically a secret, and verdicts reach logs,
 * audit events and error bodies. `detected` lists the rules that matched in detect mode (before a block, if any).
 */
export type WafVerdict =
  | { action: 'allow' }
  | { action: 'detect'; ruleId: string; detected: string[] }
  | { action: 'block'; ruleId: string; detected: string[] };

/** A compiled rule set; build once per config (boot or reload). */
export interface Waf {
  inspect(input: WafInput): WafVerdict;
  /** Ids of every active rule, built-in first, in evaluation order. */
  readonly ruleIds: readonly string[];
}

/** A config the WAF cannot run with; names the rule, never quotes its pattern. */
export class WafConfigError extends Error {
  override readonly name = 'WafConfigError';
}

type Target = { kind: 'prompt' } | { kind: 'model' } | { kind: 'header'; name: string };

interface CompiledRule {
  id: string;
  mode: WafMode;
  target: Target;
  routes: RouteMatcher | undefined;
  /** Tests the text; `lower` is the lower-cased text, computed at most once per request and target. */
  matches: (text: string, lower: () => string) => boolean;
}

const MODE_RANK: Record<WafMode, number> = { off: 0, detect: 1, block: 2 };

function weaker(a: WafMode, b: WafMode): WafMode {
  return MODE_RANK[a] <= MODE_RANK[b] ? a : b;
}

function parseTarget(target: string): Target {
  if (target === 'prompt' || target === 'model') return { kind: target };
  return { kind: 'header', name: target.slice('header:'.length).toLowerCase() };
}

function compileOperatorRule(rule: WafRuleConfig, index: number): CompiledRule {
  const where = `waf.rules[${index}] (${rule.id})`;
  let matches: CompiledRule['matches'];
  if (rule.match === 'regex') {
    const flags = rule.caseInsensitive ? 'iu' : 'u';
    const problem = regexSafetyProblem(rule.pattern, flags);
    if (problem !== undefined) throw new WafConfigError(`${where}: pattern ${problem}`);
    const regex = new RegExp(rule.pattern, flags);
    matches = (text) => regex.test(text);
  } else if (rule.caseInsensitive) {
    const needle = rule.pattern.toLowerCase();
    matches = (_text, lower) => lower().includes(needle);
  } else {
    const needle = rule.pattern;
    matches = (text) => text.includes(needle);
  }
  return {
    id: rule.id,
    mode: rule.mode ?? 'block',
    target: parseTarget(rule.target),
    routes: rule.routes === undefined ? undefined : compileRouteGlobs(rule.routes),
    matches,
  };
}

function compileBuiltins(config: WafConfig): CompiledRule[] {
  const known = new Set(builtinSecretRules.map((rule) => rule.id));
  for (const id of Object.keys(config.builtin.ruleModes)) {
    if (!known.has(id)) throw new WafConfigError(`waf.builtin.ruleModes: unknown built-in rule ${id}`);
  }
  if (!config.builtin.secrets) return [];
  return builtinSecretRules.map((rule) => ({
    id: rule.id,
    mode: config.builtin.ruleModes[rule.id] ?? rule.defaultMode,
    target: { kind: 'prompt' },
    routes: undefined,
    matches: (text) => rule.pattern.test(text),
  }));
}

/** Every value of a header, whatever its case in the input record. */
function headerValues(headers: WafInput['headers'], name: string): string[] {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name || value === undefined) continue;
    return typeof value === 'string' ? [value] : value;
  }
  return [];
}

/** Lazily lower-cases a text once, for case-insensitive substring rules sharing a target. */
function lazyLower(text: string): () => string {
  let lower: string | undefined;
  return () => (lower ??= text.toLowerCase());
}

/**
 * Builds the WAF from its config, refusing (WafConfigError) unsafe or invalid patterns and unknown built-in ids so
 * a bad rule fails at boot or reload. Each rule acts at the weaker of its own mode and the request's mode
 * (key override → `waf.perKeyMode[keyId]` → `waf.mode`): `detect` globally is a dry run of every rule, `block`
 * lets each rule act at its own mode.
 */
export function createWaf(config: WafConfig): Waf {
  const rules = [...compileBuiltins(config), ...config.rules.map(compileOperatorRule)];
  const perKeyMode = new Map(Object.entries(config.perKeyMode ?? {}));

  function inspect(input: WafInput): WafVerdict {
    const keyMode = input.keyId === undefined || input.keyId === null ? undefined : perKeyMode.get(input.keyId);
    const requestMode = input.modeOverride ?? keyMode ?? config.mode;
    if (requestMode === 'off') return { action: 'allow' };
    const path = routePath(input.route);
    const promptLower = lazyLower(input.promptText);
    const modelLower = lazyLower(input.model);
    const detected: string[] = [];
    for (const rule of rules) {
      const mode = weaker(rule.mode, requestMode);
      if (mode === 'off') continue;
      if (rule.routes !== undefined && !rule.routes(path)) continue;
      let hit: boolean;
      if (rule.target.kind === 'prompt') hit = rule.matches(input.promptText, promptLower);
      else if (rule.target.kind === 'model') hit = rule.matches(input.model, modelLower);
      else hit = headerValues(input.headers, rule.target.name).some((value) => rule.matches(value, lazyLower(value)));
      if (!hit) continue;
      if (mode === 'block') return { action: 'block', ruleId: rule.id, detected };
      detected.push(rule.id);
    }
    const first = detected[0];
    return first === undefined ? { action: 'allow' } : { action: 'detect', ruleId: first, detected };
  }

  return { inspect, ruleIds: rules.map((rule) => rule.id) };
}
