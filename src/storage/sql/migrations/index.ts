import type { Migration } from 'kysely/migration';
import * as clientKeys from './0001-client-keys.ts';
import * as cooldowns from './0002-cooldowns.ts';
import * as clientKeyScopes from './0003-client-key-scopes.ts';
import * as tokenUsage from './0004-token-usage.ts';
import * as vault from './0005-vault.ts';
import * as auditEvents from './0006-audit-events.ts';
import * as usageEvents from './0007-usage-events.ts';
import * as ipBlocks from './0008-ip-blocks.ts';

/** Every migration, in order. One list for every SQL dialect; names sort in the order they must run. */
export const migrations: Record<string, Migration> = {
  '0001-client-keys': clientKeys,
  '0002-cooldowns': cooldowns,
  '0003-client-key-scopes': clientKeyScopes,
  '0004-token-usage': tokenUsage,
  '0005-vault': vault,
  '0006-audit-events': auditEvents,
  '0007-usage-events': usageEvents,
  '0008-ip-blocks': ipBlocks,
};
