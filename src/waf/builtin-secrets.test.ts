import { describe, expect, it } from 'vitest';
import { builtinSecretRules } from './builtin-secrets.ts';
import { regexSafetyProblem } from './regex-safety.ts';

// Fake credentials are assembled from pieces at run time, so this file never holds a token-shaped literal that a
// repository secret scanner would (rightly) flag.

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A deterministic random-looking string over `alphabet`. */
function noise(length: number, seed: number, alphabet = ALNUM): string {
  let state = seed;
  let out = '';
  for (let i = 0; i < length; i++) {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    out += alphabet[state % alphabet.length];
  }
  return out;
}

const B64URL = `${ALNUM}-_`;
const DIGITS = '0123456789';
const UPPER_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const dash = '-----';

/** Realistic fakes per rule id, each embedded in prose as a user would paste it. */
const positives: Record<string, string[]> = {
  'secrets.rampart-key': [['rk', 'live', noise(43, 1, B64URL)].join('_')],
  'secrets.openai-key': [
    ['sk', 'proj', `${noise(60, 2, B64URL)}T3BlbkFJ${noise(60, 3, B64URL)}`].join('-'),
    ['sk', 'svcacct', noise(120, 4, B64URL)].join('-'),
    `sk-${noise(20, 5)}T3BlbkFJ${noise(20, 6)}`,
    `sk-${noise(48, 7)}`,
  ],
  'secrets.anthropic-key': [
    ['sk', 'ant', 'api03', `${noise(93, 8, B64URL)}AA`].join('-'),
    ['sk', 'ant', 'oat01', `${noise(80, 9, B64URL)}AA`].join('-'),
    ['sk', 'ant', 'admin01', `${noise(93, 10, B64URL)}AA`].join('-'),
  ],
  'secrets.google-api-key': [`AIza${noise(35, 11, B64URL)}`],
  'secrets.aws-access-key-id': [`AKIA${'IOSFODNN7'}${'EXAMPLE'}`, `ASIA${noise(16, 12, UPPER_DIGITS)}`],
  'secrets.aws-secret-key': [
    `aws_secret_access_key = ${noise(40, 13, `${ALNUM}/+`)}`,
    `"AWS_SECRET_ACCESS_KEY": "${noise(40, 14, `${ALNUM}/+`)}"`,
  ],
  'secrets.github-token': [`ghp_${noise(36, 15)}`, `gho_${noise(36, 16)}`, ['github', 'pat', `11${noise(20, 17, UPPER_DIGITS)}`, noise(59, 18)].join('_')],
  'secrets.slack-token': [
    ['xoxb', noise(12, 19, DIGITS), noise(13, 20, DIGITS), noise(24, 21)].join('-'),
    ['xoxp', noise(11, 22, DIGITS), noise(11, 23, DIGITS), noise(12, 24, DIGITS), noise(32, 25, '0123456789abcdef')].join('-'),
  ],
  'secrets.stripe-key': [['sk', 'live', noise(99, 26)].join('_'), ['rk', 'live', noise(99, 27)].join('_')],
  'secrets.private-key': [
    `${dash}BEGIN RSA PRIVATE KEY${dash}\nMIIEowIBAAKCAQEA${noise(40, 28)}`,
    `${dash}BEGIN PRIVATE KEY${dash}`,
    `${dash}BEGIN OPENSSH PRIVATE KEY${dash}`,
    `${dash}BEGIN EC PRIVATE KEY${dash}`,
    `${dash}BEGIN ENCRYPTED PRIVATE KEY${dash}`,
    `${dash}BEGIN PGP PRIVATE KEY BLOCK${dash}`,
  ],
  'secrets.jwt': [
    [Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url'), Buffer.from('{"sub":"1234567890","name":"Jane"}').toString('base64url'), noise(43, 29, B64URL)].join('.'),
  ],
};

/** Strings close to a secret that must not trip any built-in rule. */
const nearMisses: [string, string][] = [
  ['a Rampart key one character short', ['rk', 'live', noise(42, 30, '-_abc')].join('_')],
  ['a short sk-proj- name', 'use the sk-proj-readme-example key name'],
  ['a legacy OpenAI key one character short', `sk-${noise(47, 31)}`],
  ['a legacy OpenAI key one character long', `sk-${noise(49, 32)}`],
  ['sk- inside a word', `task-${noise(48, 33)}`],
  ['the test fixture key', 'sk-test-0123456789'],
  ['an Anthropic prefix without a key', 'keys look like sk-ant-api03-… in the console'],
  ['an Anthropic key of an unknown kind', ['sk', 'ant', 'xyz03', noise(93, 34)].join('-')],
  ['a Google key one character short', `AIza${noise(34, 35)}`],
  ['a Google key one character long', `AIza${noise(36, 36)}`],
  ['an AWS key id one character short', `AKIA${noise(15, 37, UPPER_DIGITS)}`],
  ['an AWS key id in lower case', `akia${noise(16, 38, 'abcdefghijklmnopqrstuvwxyz')}`],
  ['an AWS-like id with another prefix', `AKIB${noise(16, 39, UPPER_DIGITS)}`],
  ['an AWS secret one character short', `aws_secret_access_key = ${noise(39, 40)}`],
  ['a bare 40-character base64 string', noise(40, 41, `${ALNUM}/+`)],
  ['a GitHub token one character short', `ghp_${noise(35, 42)}`],
  ['a GitHub-like prefix', `ghx_${noise(36, 43)}`],
  ['a short fine-grained GitHub prefix', `github_pat_${noise(20, 44)}`],
  ['a Slack prefix in prose', 'bot tokens start with xoxb- and user tokens with xoxp-'],
  ['a Slack-like token with a short team id', ['xoxb', '123', noise(24, 45)].join('-')],
  ['a Stripe test key', ['sk', 'test', noise(24, 46)].join('_')],
  ['a short Stripe-like key', ['sk', 'live', noise(10, 47)].join('_')],
  ['a public key', `${dash}BEGIN PUBLIC KEY${dash}`],
  ['a certificate', `${dash}BEGIN CERTIFICATE${dash}`],
  ['a private key header without dashes', 'BEGIN RSA PRIVATE KEY'],
  ['a JWT header alone', Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url')],
  ['a JWT without a signature', `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"1234567890"}').toString('base64url')}.`],
  ['prose about keys', 'Rotate your API keys (sk-…, AIza…, AKIA…) every 90 days; never paste a PRIVATE KEY here.'],
];

const matching = (text: string): string[] => builtinSecretRules.filter((rule) => rule.pattern.test(text)).map((rule) => rule.id);

describe('built-in secret rules', () => {
  it('have a positive sample for every rule, and unique ids', () => {
    const ids = builtinSecretRules.map((rule) => rule.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(Object.keys(positives).sort()).toEqual([...ids].sort());
  });

  it.each(Object.entries(positives).flatMap(([id, samples]) => samples.map((sample, index) => [id, index, sample] as const)))(
    '%s detects realistic sample #%i in a prompt',
    (id, _index, sample) => {
      const prompt = `Here is my config, can you fix it?\n${sample}\nThanks!`;
      // The first matching rule is the one reported; it must be the rule the sample belongs to.
      expect(matching(prompt)[0]).toBe(id);
    },
  );

  it.each(nearMisses)('ignores %s', (_name, text) => {
    expect(matching(`before ${text} after`)).toEqual([]);
  });

  it('pass the same safety check as operator rules', () => {
    for (const rule of builtinSecretRules) expect([rule.id, regexSafetyProblem(rule.pattern.source, `${rule.pattern.flags}u`)]).toEqual([rule.id, undefined]);
  });

  it.each([
    ['eyJ', 'eyJ'],
    ['sk-ant-api03-', 'sk-ant-api03-'],
    ['sk-proj-', 'sk-proj-'],
    ['AKIA', 'AKIA'],
    ['AIza', 'AIza'],
    ['github_pat_', 'github_pat_'],
    ['xoxb-12345678-', 'xoxb-12345678-'],
    ['aws_secret_access_key=', 'aws_secret_access_key='],
    ['-----BEGIN ', '-----BEGIN '],
    ['rk_live_', 'rk_live_'],
    ['a', 'a'],
  ])('stay linear on 128 KiB of repeated "%s"', (_name, unit) => {
    const text = unit.repeat(Math.ceil(131_072 / unit.length));
    const started = performance.now();
    for (const rule of builtinSecretRules) rule.pattern.test(text);
    // Quadratic backtracking on this input takes seconds (and hours on a 4 MiB body); linear scanning takes ~1 ms.
    expect(performance.now() - started).toBeLessThan(250);
  });
});
