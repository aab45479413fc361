import { describe, expect, it } from 'vitest';
import { validationSchema } from './validation-schema.ts';

describe('validationSchema', () => {
  it('has safe defaults', () => {
    expect(validationSchema.parse(undefined)).toEqual({ maxJsonDepth: 64, maxStringLength: 4_194_304, modelMaxTokens: {} });
  });

  it('accepts ceilings', () => {
    const parsed = validationSchema.parse({ maxJsonDepth: 2, maxTokensCeiling: 8192, modelMaxTokens: { 'claude-opus-4': 4096 } });
    expect(parsed).toEqual({ maxJsonDepth: 2, maxStringLength: 4_194_304, maxTokensCeiling: 8192, modelMaxTokens: { 'claude-opus-4': 4096 } });
  });

  it.each([
    ['a depth below 2', { maxJsonDepth: 1 }],
    ['a depth above 1000', { maxJsonDepth: 1001 }],
    ['a fractional depth', { maxJsonDepth: 10.5 }],
    ['a tiny string cap', { maxStringLength: 100 }],
    ['a string cap above the largest body', { maxStringLength: 104_857_601 }],
    ['a zero ceiling', { maxTokensCeiling: 0 }],
    ['a negative model ceiling', { modelMaxTokens: { m: -1 } }],
    ['an unknown key', { maxDepth: 10 }],
  ])('refuses %s', (_name, config) => {
    expect(validationSchema.safeParse(config).success).toBe(false);
  });
});
