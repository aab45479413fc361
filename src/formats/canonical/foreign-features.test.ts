import { describe, expect, it } from 'vitest';
import { FormatError } from './format-error.ts';
import { assertNoForeignFeatures } from './foreign-features.ts';
import type { CanonicalRequest } from './types.ts';

const base: CanonicalRequest = { model: 'm', system: [], messages: [], stream: false };

describe('assertNoForeignFeatures', () => {
  it('refuses another format’s meaningful fields, naming them', () => {
    const request = { ...base, extensions: { gemini: { tools: [{ googleSearch: {} }] } } };
    expect(() => assertNoForeignFeatures(request, 'anthropic')).toThrow(FormatError);
    try {
      assertNoForeignFeatures(request, 'openaiChat');
    } catch (error) {
      expect((error as FormatError).param).toBe('tools');
      expect((error as FormatError).message).toMatch(/googleSearch/);
    }
    expect(() => assertNoForeignFeatures({ ...base, extensions: { openaiChat: { logprobs: true } } }, 'gemini')).toThrow(/logprobs/);
  });

  it('lets a format’s own fields through to its own provider, and ignores hints and falsy values', () => {
    expect(() => assertNoForeignFeatures({ ...base, extensions: { gemini: { tools: [{ googleSearch: {} }] } } }, 'gemini')).not.toThrow();
    expect(() => assertNoForeignFeatures({ ...base, extensions: { openaiChat: { seed: 1, logprobs: false, metadata: { a: '1' } } } }, 'anthropic')).not.toThrow();
    expect(() => assertNoForeignFeatures(base, 'anthropic')).not.toThrow();
  });
});
