import { z } from 'zod';

// `waf:` — request inspection rules. The schema checks shape and that each regex compiles; createWaf (src/waf)
// additionally refuses catastrophic-looking patterns and unknown built-in ids when the app is built, so a bad rule
// still fails at boot or reload, never per request. Messages never quote a pattern: it may come from ${ENV}.

const modeSchema = z.enum(['off', 'detect', 'block']);

/** Operator rule ids; `secrets.` is reserved for the built-in rules so an audit line is never ambiguous. */
const ruleIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, { error: 'must be 1-64 characters of a-z, 0-9, . _ - (starting with a letter or digit)' })
  .refine((id) => !id.startsWith('secrets.'), { error: 'the "secrets." prefix is reserved for built-in rules' });

const routeGlobSchema = z
  .string()
  .max(256)
  // Same syntax as key-scope route globs; other glob/regex syntax is refused rather than silently taken literally.
  .regex(/^\/[A-Za-z0-9._~:@&'=;%*?/-]*$/, { error: 'must be a URL path starting with "/"; * matches any run of characters, ? one' });

/** Why a pattern does not compile as a JavaScript regex with the u flag, or undefined. */
function regexSyntaxProblem(pattern: string, caseInsensitive: boolean): string | undefined {
  try {
    new RegExp(pattern, caseInsensitive ? 'iu' : 'u');
    return undefined;
  } catch (error) {
    // V8 quotes the pattern in its message ("Invalid regular expression: /…/u: Unterminated group"): keep the reason.
    const reason = error instanceof Error ? (error.message.split(': ').pop() ?? '') : '';
    return `is not a valid regular expression (JavaScript syntax, u flag)${reason === '' ? '' : `: ${reason}`}`;
  }
}

const ruleObject = z
  .strictObject({
    id: ruleIdSchema.describe('Stable rule id, reported in audit events, metrics and the 403 answer.'),
    mode: modeSchema
      .optional()
      .describe('Strongest action this rule may take (default block); waf.mode or the key\'s mode caps it.'),
    target: z
      .string()
      .regex(/^(?:prompt|model|header:[a-z0-9-]{1,64})$/, { error: 'must be "prompt", "model" or "header:<lower-case name>"' })
      .describe('What the rule inspects: the prompt text, the model name, or one request header.'),
    match: z.enum(['regex', 'substring']).describe('How `pattern` is matched.'),
    pattern: z.string().min(1).max(512).describe('The regex (JavaScript syntax, u flag) or the literal substring to look for.'),
    caseInsensitive: z.boolean().default(false).describe('Match regardless of letter case.'),
    routes: z
      .array(routeGlobSchema)
      .min(1)
      .optional()
      .describe('Request paths this rule applies to (globs); all routes when omitted.'),
  })
  .superRefine((rule, ctx) => {
    if (rule.match !== 'regex') return;
    const problem = regexSyntaxProblem(rule.pattern, rule.caseInsensitive);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', path: ['pattern'], message: problem });
  });

const builtinObject = z.strictObject({
  secrets: z.boolean().default(true).describe('Look for credentials in prompts: API keys, tokens, private keys.'),
  ruleModes: z
    .record(z.string().regex(/^secrets\.[a-z0-9-]+$/, { error: 'must be a built-in rule id such as secrets.jwt' }), modeSchema)
    .default({})
    .describe('Per built-in rule mode (e.g. secrets.jwt: off), replacing the rule\'s default.'),
});

const wafObject = z.strictObject({
  mode: modeSchema
    .default('detect')
    .describe('off: no inspection; detect: audit event + metric only; block: rules in block mode answer 403 with the rule id.'),
  builtin: builtinObject.default(() => builtinObject.parse({})).describe('Built-in rule sets.'),
  rules: z
    .array(ruleObject)
    .max(1000)
    .default([])
    .superRefine((rules, ctx) => {
      const seen = new Set<string>();
      rules.forEach((rule, index) => {
        if (seen.has(rule.id)) ctx.addIssue({ code: 'custom', path: [index, 'id'], message: 'duplicate rule id' });
        seen.add(rule.id);
      });
    })
    .describe('Operator rules, evaluated after the built-in ones.'),
  perKeyMode: z
    .record(z.string().min(1), modeSchema)
    .optional()
    .describe('Client key id → mode, replacing waf.mode for requests made with that key.'),
});

/** `waf:` — built-in secret detection and operator rules, off | detect | block. */
export const wafSchema = wafObject.default(() => wafObject.parse({}));

/** The parsed `waf:` section, defaults applied. */
export type WafConfig = z.output<typeof wafSchema>;

/** One operator rule of `waf.rules`. */
export type WafRuleConfig = WafConfig['rules'][number];

/** A WAF mode: off, detect (audit only) or block (403). */
export type WafMode = z.output<typeof modeSchema>;
