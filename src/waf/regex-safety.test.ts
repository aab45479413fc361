import { describe, expect, it } from 'vitest';
import { MAX_PATTERN_LENGTH, regexSafetyProblem } from './regex-safety.ts';

describe('regexSafetyProblem', () => {
  it.each([
    ['(a+)+', /quantifier/],
    ['(a*)*b', /quantifier/],
    ['(?:a+)+$', /quantifier/],
    ['(a+){2,}', /quantifier/],
    ['(a{1,5}){1,5}', /quantifier/],
    ['(\\w+\\s?)*$', /quantifier/],
    ['((a+)b)*', /quantifier/],
    ['(a?){30}a{30}', /quantifier/],
    ['(.*a){12}', /quantifier/],
    ['(a+)+?', /quantifier/],
    ['(a|aa)*', /alternation/],
    ['(a|b)+c', /alternation/],
    ['((?:a|b)c)*', /alternation/],
    ['(a)\\1', /backreference/],
    ['(?<x>a)\\k<x>', /backreference/],
  ])('refuses %s', (pattern, reason) => {
    expect(regexSafetyProblem(pattern)).toMatch(reason);
  });

  it.each(['(', '[a-', 'a{2,1}', '\\', '+a', 'a**', '\\-'])('refuses the invalid pattern %s', (pattern) => {
    expect(regexSafetyProblem(pattern)).toMatch(/not a valid regular expression/);
  });

  it('refuses a pattern longer than the cap, and accepts one at it', () => {
    expect(regexSafetyProblem('a'.repeat(MAX_PATTERN_LENGTH + 1))).toMatch(/longer than 512/);
    expect(regexSafetyProblem('a'.repeat(MAX_PATTERN_LENGTH))).toBeUndefined();
  });

  it('never quotes the pattern in its reason', () => {
    for (const pattern of ['(secret+)+', '(secret', 'secret'.repeat(100)]) expect(regexSafetyProblem(pattern)).not.toContain('secret');
  });

  it.each([
    'password',
    'sk-[a-z]+',
    'ignore (all|previous) instructions',
    '(?:foo|bar)?',
    '(ab)+',
    '(a){3}',
    'a{2}b{1,5}',
    '[a+]+',
    '[(][a-z]+[)]+',
    '\\(a+\\)+',
    '(a[)|(]b)+',
    '[\\]|(]+x',
    '\\p{L}+\\u{1F600}+',
    '(?<name>ab)+',
    '(?<=x)y+',
    '^\\d+$',
    '(?:[a-z0-9-]+\\.)?example\\.com',
  ])('accepts %s', (pattern) => {
    expect(regexSafetyProblem(pattern)).toBeUndefined();
  });

  it('checks with the flags the rule runs with', () => {
    // Without the u flag \- is an identity escape; with it, a syntax error.
    expect(regexSafetyProblem('a\\-b', 'i')).toBeUndefined();
    expect(regexSafetyProblem('a\\-b', 'iu')).toMatch(/not a valid/);
  });
});
