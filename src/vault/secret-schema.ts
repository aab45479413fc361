import { z } from 'zod';
import type { CredentialMeta, CredentialSecret } from './credential-vault.ts';

// What may be stored in (and comes out of) the vault. Decrypted bytes are `unknown` until these schemas accept them;
// messages never quote a value.

/** Credential ids: the same alphabet as config credential ids (they share cooldowns, logs and metrics). */
export const CREDENTIAL_ID = /^[A-Za-z0-9][A-Za-z0-9_.#-]{0,62}$/;
/** Provider ids as the config allows them. */
export const PROVIDER_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** Sent in an HTTP header: printable ASCII without spaces, like config `apiKey`. */
const headerSafe = z
  .string()
  .min(1)
  .max(16_384)
  .regex(/^[\x21-\x7e]+$/);

const tokensSchema = z.object({
  accessToken: headerSafe,
  refreshToken: z.string().min(1).max(16_384).optional(),
  expiresAt: z.number().int().nonnegative().optional(),
  tokenType: z.string().max(64).optional(),
  scope: z.string().max(4096).optional(),
  idToken: z.string().max(65_536).optional(),
});

/** A credential's secret part. */
export const secretSchema: z.ZodType<CredentialSecret> = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('api_key'), apiKey: headerSafe }),
  z.object({ kind: z.literal('oauth'), oauth: z.enum(['claude', 'codex', 'gemini']), tokens: tokensSchema }),
]);

/** Non-secret facts: a flat map of short keys to short scalars. */
export const metaSchema: z.ZodType<CredentialMeta> = z
  .record(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/), z.union([z.string().max(1024), z.number().finite(), z.boolean(), z.null()]))
  .refine((meta) => Object.keys(meta).length <= 32, { error: 'at most 32 entries' });

/** A label: one line of at most 200 characters. */
export const labelSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^\p{Cc}]*$/u);
