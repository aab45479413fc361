import type { Command } from 'commander';
import { loadDataDir } from '../config/load.ts';
import { ClientKeyService, type KeySettings, KeyValidationError } from '../keys/client-keys.ts';
import { parseCount, parseExpiry, parseList } from '../keys/key-input.ts';
import { type KeyView, keyStatus, keyView } from '../keys/key-view.ts';
import { loadKeyPepper } from '../keys/pepper.ts';
import type { ClientKeyRecord } from '../storage/ports.ts';
import { AuditUnavailableError } from '../audit/audit-log.ts';
import type { AuditWriter } from '../audit/audit-writer.ts';
import { AuditedClientKeyStore } from '../audit/audited-client-key-store.ts';
import { auditRefusal, openCliAudit } from './cli-audit.ts';
import { CliError, type CliOutput } from './output.ts';
import { type PermissionFlag, openStateStorage } from './state-storage.ts';

interface ConfigOption {
  config?: string;
}

/** `--clear-<flag>` options of `update`: the option, commander's property for it, and the setting it clears. */
const CLEARABLE = [
  ['owner', 'clearOwner', 'owner'],
  ['models', 'clearModels', 'models'],
  ['providers', 'clearProviders', 'providers'],
  ['routes', 'clearRoutes', 'routes'],
  ['ips', 'clearIps', 'ips'],
  ['expires', 'clearExpires', 'expiresAt'],
  ['rps', 'clearRps', 'rps'],
  ['burst', 'clearBurst', 'burst'],
  ['monthly-tokens', 'clearMonthlyTokens', 'monthlyTokens'],
  ['max-tokens', 'clearMaxTokens', 'maxTokens'],
] as const satisfies readonly (readonly [string, string, keyof KeySettings])[];

type ClearFlags = { [K in (typeof CLEARABLE)[number][1]]?: boolean };

/** Flags shared by `create` and `update`, as commander hands them over (unparsed strings). */
interface SettingFlags extends ConfigOption, ClearFlags {
  owner?: string;
  models?: string[];
  providers?: string[];
  routes?: string[];
  ips?: string[];
  expires?: string;
  rps?: string;
  burst?: string;
  monthlyTokens?: string;
  maxTokens?: string;
  disable?: boolean;
  enable?: boolean;
  json?: boolean;
}

async function withKeyService<T>(options: ConfigOption & PermissionFlag, output: CliOutput, work: (keys: ClientKeyService) => Promise<T>, audited = false): Promise<T> {
  // Key management needs only dataDir: never the upstream secrets the rest of the file may reference.
  const { dataDir } = await loadDataDir({ path: options.config });
  const storage = await openStateStorage(dataDir, options, output);
  let audit: AuditWriter | undefined;
  try {
    let store = storage.clientKeys;
    // Changes are written to the audit log first, durably; when it cannot record them they are refused (fail closed).
    if (audited) {
      audit = await openCliAudit(options.config, storage.auditEvents);
      store = new AuditedClientKeyStore(store, audit);
    }
    return await work(new ClientKeyService(store, await loadKeyPepper(dataDir)));
  } catch (error) {
    // The service's refusals are meant for the operator: one line, no stack.
    if (error instanceof KeyValidationError) throw new CliError(error.message);
    if (error instanceof AuditUnavailableError) throw auditRefusal(error, audit);
    throw error;
  } finally {
    await audit?.close();
    await storage.close();
  }
}

/** Runs a parser on one flag's value, naming the flag in the error line. */
function flag<T>(name: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof KeyValidationError) throw new CliError(`--${name}: ${error.message}`);
    throw error;
  }
}

/** Turns the flags given into service settings; flags not given stay undefined, so `update` leaves them alone. */
function settingsFrom(flags: SettingFlags, now: Date): KeySettings {
  const settings: KeySettings = {};
  if (flags.owner !== undefined) settings.owner = flags.owner;
  if (flags.models !== undefined) settings.models = flag('models', () => parseList(flags.models ?? []));
  if (flags.providers !== undefined) settings.providers = flag('providers', () => parseList(flags.providers ?? []));
  if (flags.routes !== undefined) settings.routes = flag('routes', () => parseList(flags.routes ?? []));
  if (flags.ips !== undefined) settings.ips = flag('ips', () => parseList(flags.ips ?? []));
  if (flags.expires !== undefined) settings.expiresAt = flag('expires', () => parseExpiry(flags.expires ?? '', now));
  if (flags.rps !== undefined) settings.rps = flag('rps', () => parseCount(flags.rps ?? ''));
  if (flags.burst !== undefined) settings.burst = flag('burst', () => parseCount(flags.burst ?? ''));
  if (flags.monthlyTokens !== undefined) settings.monthlyTokens = flag('monthly-tokens', () => parseCount(flags.monthlyTokens ?? ''));
  if (flags.maxTokens !== undefined) settings.maxTokens = flag('max-tokens', () => parseCount(flags.maxTokens ?? ''));
  if (flags.disable === true && flags.enable === true) throw new CliError('--enable and --disable contradict each other');
  if (flags.disable === true) settings.disabled = true;
  if (flags.enable === true) settings.disabled = false;
  for (const [name, property, field] of CLEARABLE) {
    if (flags[property] !== true) continue;
    if (settings[field] !== undefined) throw new CliError(`--${name} and --clear-${name} contradict each other`);
    settings[field] = null;
  }
  return settings;
}

/** Repeatable list flags: `--models a,b --models c` is the same as `--models a,b,c`. */
function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function addSettingFlags(command: Command): Command {
  return command
    .option('--owner <owner>', 'who the key is for (a person, team or app)')
    .option('--models <globs>', 'models the key may use, comma-separated; * and ? are wildcards (e.g. gpt-4o*,claude-*)', collect)
    .option('--providers <ids>', 'provider ids the key may reach, comma-separated', collect)
    .option('--routes <globs>', 'paths the key may call, comma-separated globs (e.g. /v1/chat/*)', collect)
    .option('--ips <cidrs>', 'client addresses the key may be used from, comma-separated CIDRs or addresses (IPv4 or IPv6)', collect)
    .option('--expires <when>', 'expiry: a duration (30d, 12h, 2w) or an ISO-8601 date/time with zone (2026-12-31, 2026-12-31T18:00:00Z)')
    .option('--rps <n>', 'requests per second allowed for this key')
    .option('--burst <n>', 'requests allowed at once (token bucket size, at least --rps)')
    .option('--monthly-tokens <n>', 'token quota per calendar month (UTC)')
    .option('--max-tokens <n>', 'ceiling on the max tokens one request may ask for');
}

/** Human-readable settings, one `label: value` line each; unrestricted settings say so. */
function describeKey(view: KeyView): string[] {
  const list = (items: readonly string[] | null, all: string) => (items === null ? all : items.join(', '));
  const value = (v: string | number | null, none: string) => (v === null ? none : String(v));
  return [
    `id:             ${view.id}`,
    `name:           ${view.name}`,
    `owner:          ${value(view.owner, '-')}`,
    `prefix:         ${view.prefix}…`,
    `status:         ${view.status}`,
    `created:        ${view.createdAt}`,
    `updated:        ${view.updatedAt}`,
    `expires:        ${value(view.expiresAt, 'never')}`,
    ...(view.disabledAt === null ? [] : [`disabled:       ${view.disabledAt}`]),
    ...(view.revokedAt === null ? [] : [`revoked:        ${view.revokedAt}`]),
    `models:         ${list(view.models, 'all')}`,
    `providers:      ${list(view.providers, 'all')}`,
    `routes:         ${list(view.routes, 'all')}`,
    `ips:            ${list(view.ips, 'any')}`,
    `rps:            ${value(view.rps, 'default')}`,
    `burst:          ${value(view.burst, 'default')}`,
    `monthly tokens: ${value(view.monthlyTokens, 'no quota')}`,
    `max tokens:     ${value(view.maxTokens, 'no per-key cap')}`,
  ];
}

function notFound(id: string): CliError {
  return new CliError(`no client key with id "${id}" (see: rampart keys list)`);
}

/** `rampart keys create|list|show|update|revoke`: manage the client keys callers use to reach the proxy. */
export function registerKeysCommand(program: Command, output: CliOutput): void {
  const keys = program.command('keys').description('manage client keys (the keys your apps use to call Rampart)');
  const configOption = ['-c, --config <file>', 'config file (default: ./rampart.yaml)'] as const;

  addSettingFlags(
    keys
      .command('create')
      .description('create a client key and print it once (it is stored only as a hash)')
      .requiredOption('-n, --name <name>', 'a label for the key, e.g. the app or person using it'),
  )
    .option('--disable', 'create the key switched off (enable it later with `keys update <id> --enable`)')
    .option('--json', 'print {"id","name","key","createdAt"} as JSON (settings: `keys show <id> --json`)')
    .option(...configOption)
    .action(async (options: SettingFlags & { name: string }) => {
      const now = new Date();
      const settings = settingsFrom(options, now);
      const created = await withKeyService(options, output, (service) => service.create({ ...settings, name: options.name }, now), true);
      if (options.json) {
        output.out(JSON.stringify({ id: created.record.id, name: created.record.name, key: created.key, createdAt: created.record.createdAt.toISOString() }));
        return;
      }
      output.out(`Created client key ${created.record.id} (${created.record.name}):`);
      output.out('');
      output.out(`  ${created.key}`);
      output.out('');
      output.out('Copy it now: Rampart stores only a hash and cannot show it again.');
      const restricted = describeKey(keyView(created.record, now)).filter((line) => !/^(id|name|prefix|created|updated):/.test(line));
      output.out('');
      for (const line of restricted) output.out(`  ${line}`);
    });

  keys
    .command('list')
    .description('list client keys (id, name, prefix, status, expiry); never the keys themselves')
    .option('--json', 'print a JSON array with every setting of every key')
    .option(...configOption)
    .action(async (options: ConfigOption & { json?: boolean }) => {
      const now = new Date();
      const records = await withKeyService(options, output, (service) => service.list());
      if (options.json) {
        output.out(JSON.stringify(records.map((r) => keyView(r, now))));
        return;
      }
      if (records.length === 0) {
        output.out('No client keys. Create one with: rampart keys create --name <name>');
        return;
      }
      output.out(['ID'.padEnd(28), 'NAME'.padEnd(24), 'PREFIX'.padEnd(14), 'STATUS'.padEnd(8), 'EXPIRES'.padEnd(24), 'CREATED'].join(' '));
      for (const r of records) {
        const expires = r.expiresAt?.toISOString() ?? 'never';
        output.out([r.id.padEnd(28), r.name.slice(0, 24).padEnd(24), `${r.prefix}…`.padEnd(14), keyStatus(r, now).padEnd(8), expires.padEnd(24), r.createdAt.toISOString()].join(' '));
      }
    });

  keys
    .command('show')
    .description('show one client key with all its settings (never the key itself)')
    .argument('<id>', 'the key id, as shown by `rampart keys list`')
    .option('--json', 'print the key as a JSON object')
    .option(...configOption)
    .action(async (id: string, options: ConfigOption & { json?: boolean }) => {
      const record = await withKeyService(options, output, (service) => service.show(id));
      if (!record) throw notFound(id);
      printKey(output, record, options.json === true);
    });

  const update = addSettingFlags(
    keys
      .command('update')
      .description('change settings of a client key; a running server applies them from the next request on')
      .argument('<id>', 'the key id, as shown by `rampart keys list`')
      .option('--name <name>', 'a new label'),
  )
    .option('--disable', 'switch the key off (requests get RAMPART_AUTH_KEY_DISABLED)')
    .option('--enable', 'switch the key on again');
  for (const [name] of CLEARABLE) update.option(`--clear-${name}`, `remove the ${name} setting (unrestricted)`);
  update
    .option('--json', 'print the updated key as a JSON object')
    .option(...configOption)
    .action(async (id: string, options: SettingFlags & { name?: string }) => {
      const settings = settingsFrom(options, new Date());
      const changes = options.name === undefined ? settings : { ...settings, name: options.name };
      if (Object.keys(changes).length === 0) throw new CliError('nothing to update: give at least one setting flag (see: rampart keys update --help)');
      const record = await withKeyService(options, output, (service) => service.update(id, changes), true);
      if (!record) throw notFound(id);
      if (options.json !== true) output.out(`Updated client key ${id}.`);
      printKey(output, record, options.json === true);
    });

  keys
    .command('revoke')
    .description('revoke a client key by id; it is refused from the next request on')
    .argument('<id>', 'the key id, as shown by `rampart keys list`')
    .option(...configOption)
    .action(async (id: string, options: ConfigOption) => {
      const found = await withKeyService(options, output, (service) => service.revoke(id), true);
      if (!found) throw notFound(id);
      output.out(`Revoked client key ${id}.`);
    });
}

function printKey(output: CliOutput, record: ClientKeyRecord, json: boolean): void {
  const view = keyView(record, new Date());
  if (json) output.out(JSON.stringify(view));
  else for (const line of describeKey(view)) output.out(line);
}
