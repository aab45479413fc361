import type { ReasoningOptions } from '../formats/canonical/types.ts';

const LEVELS = new Set(['minimal', 'low', 'medium', 'high']);
const SUFFIX = /^(.+)\(([a-z]+|\d+)\)$/;

/** A requested model name split into its parts: `[provider/]name[(level|budget)]`. */
export interface ParsedModelName {
  name: string;
  reasoning?: ReasoningOptions;
}

/**
 * Splits a thinking suffix off a model name: `claude-sonnet-4-5(high)` asks for high effort, `gemini-2.5-pro(16384)`
 * for a 16384-token budget, `(none)` or `(0)` for no thinking. Each provider's renderer maps it to its own parameter.
 * Returns undefined for a suffix that is not a level or a budget, so the caller can answer a clear 400.
 */
export function parseModelName(model: string): ParsedModelName | undefined {
  const match = SUFFIX.exec(model);
  if (!match) return { name: model };
  const [, name, suffix] = match as unknown as [string, string, string];
  if (suffix === 'none') return { name, reasoning: { budgetTokens: 0 } };
  if (/^\d+$/.test(suffix)) {
    const budget = Number(suffix);
    return budget > 10_000_000 ? undefined : { name, reasoning: { budgetTokens: budget } };
  }
  if (LEVELS.has(suffix)) return { name, reasoning: { effort: suffix as NonNullable<ReasoningOptions['effort']> } };
  return undefined;
}
