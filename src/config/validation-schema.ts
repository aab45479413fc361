import { z } from 'zod';

// `validation:` — structural limits on request bodies (checked before any format parser sees them) and max_tokens
// ceilings. The body size cap itself is `limits.maxBodyBytes`.

const tokens = z.number().int().positive().max(100_000_000);

const validationObject = z.strictObject({
  maxJsonDepth: z
    .number()
    .int()
    .min(2)
    .max(1000)
    .default(64)
    .describe('Deepest nesting of arrays/objects a request body may have (the top-level object is depth 1); deeper bodies get 400.'),
  maxStringLength: z
    .number()
    .int()
    .min(1024)
    .max(104_857_600)
    // Equal to the default body cap: a real prompt or base64 image may fill the whole body, so by default only a
    // raised body cap makes this bite; lower it to bound what later steps (WAF regexes, token estimates) scan.
    .default(4_194_304)
    .describe('Longest string (or object key) in a request body, in UTF-16 code units; longer ones get 400.'),
  maxTokensCeiling: tokens
    .optional()
    .describe('Largest max_tokens any request may ask for; a request without max_tokens is sent with this value.'),
  modelMaxTokens: z
    .record(z.string().min(1), tokens)
    .default({})
    .describe('Per-model max_tokens ceilings (model name as the client sends it → tokens); the lowest applicable ceiling wins.'),
});

/** `validation:` — JSON depth and string caps on request bodies, and max_tokens ceilings. */
export const validationSchema = validationObject.default(() => validationObject.parse({}));

/** The parsed `validation:` section, defaults applied. */
export type ValidationConfig = z.output<typeof validationSchema>;
