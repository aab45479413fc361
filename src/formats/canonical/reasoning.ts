import type { ReasoningOptions } from './types.ts';

/**
 * One table for converting between effort levels (OpenAI `reasoning_effort`) and token budgets (Anthropic
 * `thinking.budget_tokens`, Gemini `thinkingConfig.thinkingBudget`), so every translator agrees.
 */
export const EFFORT_BUDGETS = { minimal: 1024, low: 4096, medium: 8192, high: 16384 } as const;

/** The budget for a request's reasoning options: an explicit budget wins, else the effort's budget. */
export function reasoningBudget(reasoning: ReasoningOptions | undefined): number | undefined {
  if (!reasoning) return undefined;
  if (reasoning.budgetTokens !== undefined) return reasoning.budgetTokens;
  return reasoning.effort === undefined ? undefined : EFFORT_BUDGETS[reasoning.effort];
}

/** The effort level closest to a token budget (rounding up). */
export function reasoningEffort(reasoning: ReasoningOptions | undefined): ReasoningOptions['effort'] {
  if (!reasoning) return undefined;
  if (reasoning.effort !== undefined) return reasoning.effort;
  const budget = reasoning.budgetTokens;
  if (budget === undefined) return undefined;
  if (budget <= EFFORT_BUDGETS.minimal) return 'minimal';
  if (budget <= EFFORT_BUDGETS.low) return 'low';
  if (budget <= EFFORT_BUDGETS.medium) return 'medium';
  return 'high';
}
