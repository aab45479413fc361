import { describe, expect, it } from 'vitest';
import { compileGlobs, globMatches, globSyntaxError } from './glob.ts';

describe('scope globs', () => {
  it.each([
    ['gpt-4o', 'gpt-4o', true],
    ['gpt-4o', 'gpt-4o-mini', false],
    ['gpt-4o', 'GPT-4O', false],
    ['gpt-4o*', 'gpt-4o-mini', true],
    ['gpt-4o*', 'gpt-4o', true],
    ['gpt-4o*', 'gpt-4', false],
    ['*', '', true],
    ['*', 'anything/at all', true],
    ['**', 'x', true],
    ['claude-?-opus', 'claude-3-opus', true],
    ['claude-?-opus', 'claude-35-opus', false],
    ['?', '', false],
    ['?', 'é', true],
    ['?', '😀', true],
    ['*-mini', 'gpt-4o-mini', true],
    ['*-mini', 'gpt-4o-mini-2024', false],
    ['gpt-*-mini', 'gpt-4o-mini', true],
    ['gpt-*-mini', 'gpt--mini', true],
    ['gpt-*-mini', 'gpt-mini', false],
    ['*a*b*c', 'xxaxxbxxc', true],
    ['*a*b*c', 'xxaxxcxxb', false],
    ['meta-llama/*', 'meta-llama/Llama-3-70b', true],
    ['/v1/*', '/v1/chat/completions', true],
    ['/v1/chat/*', '/v1/embeddings', false],
    ['/v1beta/models/gemini-*:generateContent', '/v1beta/models/gemini-2.5-flash:generateContent', true],
    ['/v1beta/models/gemini-*:generateContent', '/v1beta/models/gemini-2.5-flash:streamGenerateContent', false],
    // Regex metacharacters that validation refuses still only ever match themselves.
    ['a.c', 'abc', false],
    ['a.c', 'a.c', true],
  ])('%s vs %s → %s', (pattern, input, expected) => {
    expect(globMatches(pattern, input)).toBe(expected);
    expect(compileGlobs(['never-matches', pattern])(input)).toBe(expected);
  });

  it('an empty set matches nothing', () => {
    expect(compileGlobs([])('gpt-4o')).toBe(false);
    expect(compileGlobs([])('')).toBe(false);
  });

  it('stays fast on input crafted against many stars (no backtracking blow-up)', () => {
    const match = compileGlobs(['*a*a*a*a*a*a*a*a*b']);
    const input = 'a'.repeat(1000);
    const started = performance.now();
    for (let i = 0; i < 20; i++) expect(match(input)).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
    // Beyond the input cap wildcard patterns never match, exact and prefix ones still do.
    expect(compileGlobs(['*x'])(`${'a'.repeat(2000)}x`)).toBe(false);
    expect(compileGlobs(['a*'])('a'.repeat(2000))).toBe(true);
  });

  it.each([
    ['gpt-4o*', undefined],
    ['models/gemini-2.5-flash', undefined],
    ['', 'is empty'],
    ['x'.repeat(201), 'is longer than 200 characters'],
    ['gpt-[45]', 'contains "["; only * and ? are wildcards'],
    ['{a,b}', 'contains "{"; only * and ? are wildcards'],
    ['a|b', 'contains "|"; only * and ? are wildcards'],
    ['a\\*', 'contains "\\"; only * and ? are wildcards'],
    ['!gpt', 'contains "!"; only * and ? are wildcards'],
    ['a,b', 'contains ","; only * and ? are wildcards'],
    ['a b', 'contains whitespace or a control character; only * and ? are wildcards'],
    ['a\u0000', 'contains whitespace or a control character; only * and ? are wildcards'],
  ])('syntax of %j', (pattern, problem) => {
    expect(globSyntaxError(pattern)).toBe(problem);
  });
});
