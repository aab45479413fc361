import { describe, expect, it } from 'vitest';
import { parseModelName } from './model-name.ts';

describe('parseModelName', () => {
  it('splits thinking suffixes into effort levels and budgets', () => {
    expect(parseModelName('gpt-4o-mini')).toEqual({ name: 'gpt-4o-mini' });
    expect(parseModelName('claude-sonnet-4-5(high)')).toEqual({ name: 'claude-sonnet-4-5', reasoning: { effort: 'high' } });
    expect(parseModelName('gemini-2.5-pro(16384)')).toEqual({ name: 'gemini-2.5-pro', reasoning: { budgetTokens: 16384 } });
    expect(parseModelName('local/o3-mini(low)')).toEqual({ name: 'local/o3-mini', reasoning: { effort: 'low' } });
    expect(parseModelName('m(none)')).toEqual({ name: 'm', reasoning: { budgetTokens: 0 } });
    expect(parseModelName('m(0)')).toEqual({ name: 'm', reasoning: { budgetTokens: 0 } });
  });

  it('refuses unknown suffixes instead of guessing', () => {
    expect(parseModelName('m(extreme)')).toBeUndefined();
    expect(parseModelName('m(99999999999)')).toBeUndefined();
  });
});
