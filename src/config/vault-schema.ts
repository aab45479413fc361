import { z } from 'zod';

// `vault:` — where the key of the encrypted credential vault lives when RAMPART_VAULT_KEY is not set.

const vaultObject = z.strictObject({
  keyFile: z
    .string()
    .min(1)
    .optional()
    .describe(
      "File holding the vault key (32 bytes, base64) when RAMPART_VAULT_KEY is unset; relative paths start at the config file's folder. Default `<dataDir>/vault.key`, generated (mode 0600) on the first start of an empty vault. RAMPART_VAULT_KEY, when set, wins over the file.",
    ),
});

/** `vault:` — the credential vault's key location. */
export const vaultSchema = vaultObject.default(() => vaultObject.parse({}));
