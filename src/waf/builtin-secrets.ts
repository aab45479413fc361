import type { WafMode } from '../config/waf-schema.ts';

/** A built-in rule: a stable id, the mode it has unless `waf.builtin.ruleModes` says otherwise, and its pattern. */
export interface BuiltinRule {
  id: string;
  defaultMode: Exclude<WafMode, 'off'>;
  description: string;
  pattern: RegExp;
}

// Every pattern starts with a lookbehind that refuses a token character before the prefix. Candidates then start only
// at the beginning of a token run, so each run is scanned by at most one attempt and a whole prompt costs O(n) even
// when crafted ("eyJeyJeyJ…", "sk-ant-sk-ant-…") — without it the same patterns go quadratic on 4 MiB of text.
// Formats are the providers' published ones; lengths are kept a little looser than observed so a format revision
// does not silently stop detection, but strict enough that prose and ids do not match.

/** The built-in secret rules, in evaluation order (Rampart's own key before Stripe's, which shares `rk_live_`). */
export const builtinSecretRules: readonly BuiltinRule[] = [
  {
    id: 'secrets.rampart-key',
    defaultMode: 'block',
    description: "A Rampart client key (rk_live_…): sending it upstream leaks access to this gateway.",
    pattern: /(?<![A-Za-z0-9_-])rk_live_[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/,
  },
  {
    id: 'secrets.openai-key',
    defaultMode: 'block',
    description: 'OpenAI API keys: sk-proj-/sk-svcacct-/sk-admin- project keys and legacy sk-… user keys.',
    pattern:
      /(?<![A-Za-z0-9_-])sk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,}|[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}(?![A-Za-z0-9])|[A-Za-z0-9]{48}(?![A-Za-z0-9_-]))/,
  },
  {
    id: 'secrets.anthropic-key',
    defaultMode: 'block',
    description: 'Anthropic API, admin and OAuth keys (sk-ant-api03-…, sk-ant-admin01-…, sk-ant-oat01-…, sk-ant-ort01-…).',
    pattern: /(?<![A-Za-z0-9_-])sk-ant-(?:api|admin|oat|ort)\d{2}-[A-Za-z0-9_-]{40,}/,
  },
  {
    id: 'secrets.google-api-key',
    defaultMode: 'block',
    description: 'Google API keys (AIza + 35 characters), as used by Gemini.',
    pattern: /(?<![A-Za-z0-9_-])AIza[A-Za-z0-9_-]{35}(?![A-Za-z0-9_-])/,
  },
  {
    id: 'secrets.aws-access-key-id',
    defaultMode: 'block',
    description: 'AWS access key ids (AKIA… long-term, ASIA… temporary).',
    pattern: /(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])/,
  },
  {
    id: 'secrets.aws-secret-key',
    defaultMode: 'block',
    description: 'An AWS secret access key assigned to a name like aws_secret_access_key (the bare value is indistinguishable from base64).',
    pattern: /(?<![A-Za-z0-9_])aws_?secret_?access_?key["']?[ \t]{0,8}[:=][ \t]{0,8}["']?[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])/i,
  },
  {
    id: 'secrets.github-token',
    defaultMode: 'block',
    description: 'GitHub tokens: classic (ghp_, gho_, ghu_, ghs_, ghr_ + 36) and fine-grained (github_pat_…).',
    pattern: /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36}(?![A-Za-z0-9])|github_pat_[A-Za-z0-9_]{60,})/,
  },
  {
    id: 'secrets.slack-token',
    defaultMode: 'block',
    description: 'Slack bot, user, app-level and refresh tokens (xoxb-, xoxp-, xoxa-, xoxr-).',
    pattern: /(?<![A-Za-z0-9_-])xox[abpr]-\d{8,}-[A-Za-z0-9-]{10,}/,
  },
  {
    id: 'secrets.stripe-key',
    defaultMode: 'block',
    description: 'Stripe live secret and restricted keys (sk_live_, rk_live_).',
    pattern: /(?<![A-Za-z0-9_])[sr]k_live_[A-Za-z0-9]{24,}/,
  },
  {
    id: 'secrets.private-key',
    defaultMode: 'block',
    description: 'PEM / OpenSSH / PGP private key blocks (-----BEGIN … PRIVATE KEY-----).',
    pattern: /-----BEGIN [A-Z0-9 ]{0,32}PRIVATE KEY(?: BLOCK)?-----/,
  },
  {
    id: 'secrets.jwt',
    // JWTs are often harmless (expired, or examples); detect-only unless the operator raises it.
    defaultMode: 'detect',
    description: 'A JSON Web Token (three base64url segments, header and payload starting with eyJ).',
    pattern: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}/,
  },
];
