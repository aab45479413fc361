import type { Migration } from 'kysely/migration';
import * as clientKeys from './0001-client-keys.ts';
import * as cooldowns from './0002-cooldowns.ts';

/** Every migration, in order. One list for every SQL dialect; names sort in the order they must run. */
export const migrations: Record<string, Migration> = {
  '0001-client-keys': clientKeys,
  '0002-cooldowns': cooldowns,
};
