import { describe, expect, it } from 'vitest';
import { wafSchema } from './waf-schema.ts';

/** The issue messages (path: message) of a config the schema refuses. */
function issuesOf(config: unknown): string[] {
  const result = wafSchema.safeParse(config);
  if (result.success) throw new Error('expected the config to be refused');
  return result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

const rule = (fields: Record<string, unknown> = {}) => ({ id: 'op.one', target: 'prompt', match: 'substring', pattern: 'x', ...fields });

describe('wafSchema', () => {
  it('defaults to detect with the built-in secret rules and no operator rules', () => {
    expect(wafSchema.parse(undefined)).toEqual({ mode: 'detect', builtin: { secrets: true, ruleModes: {} }, rules: [] });
  });

  it('accepts a full operator rule and applies its defaults', () => {
    const parsed = wafSchema.parse({ mode: 'block', rules: [rule({ target: 'header:user-agent', match: 'regex', pattern: '^sqlmap/', routes: ['/v1/**'] })], perKeyMode: { key_1: 'off' } });
    expect(parsed.rules[0]).toEqual({ id: 'op.one', target: 'header:user-agent', match: 'regex', pattern: '^sqlmap/', caseInsensitive: false, routes: ['/v1/**'] });
    expect(parsed.perKeyMode).toEqual({ key_1: 'off' });
  });

  it('refuses an invalid regex without quoting it', () => {
    const issues = issuesOf({ rules: [rule({ match: 'regex', pattern: '(hunter2' })] });
    expect(issues).toEqual([expect.stringMatching(/^rules\.0\.pattern: is not a valid regular expression/)]);
    expect(issues.join()).not.toContain('hunter2');
  });

  it('accepts as a substring what would be an invalid regex', () => {
    expect(wafSchema.parse({ rules: [rule({ pattern: '(hunter2' })] }).rules).toHaveLength(1);
  });

  it.each([
    ['a duplicate id', { rules: [rule(), rule()] }, /rules\.1\.id: duplicate rule id/],
    ['the reserved secrets. prefix', { rules: [rule({ id: 'secrets.mine' })] }, /rules\.0\.id: .*reserved/],
    ['an unknown target', { rules: [rule({ target: 'body' })] }, /rules\.0\.target/],
    ['an upper-case header target', { rules: [rule({ target: 'header:User-Agent' })] }, /rules\.0\.target/],
    ['a route that is not a path', { rules: [rule({ routes: ['v1/*'] })] }, /rules\.0\.routes\.0/],
    ['an over-long pattern', { rules: [rule({ pattern: 'x'.repeat(513) })] }, /rules\.0\.pattern/],
    ['an unknown mode', { mode: 'audit' }, /^mode/],
    ['an unknown key', { rules: [rule({ action: 'block' })] }, /rules\.0/],
    ['a ruleModes key that is no built-in id', { builtin: { ruleModes: { jwt: 'off' } } }, /builtin\.ruleModes\.jwt/],
  ])('refuses %s', (_name, config, issue) => {
    expect(issuesOf(config).join('\n')).toMatch(issue);
  });
});
