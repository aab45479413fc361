import path from 'node:path';
import type { LoadedConfig } from './config/load.ts';
import { type App, buildApp } from './app.ts';
import { ClientKeyService } from './keys/client-keys.ts';
import { loadKeyPepper } from './keys/pepper.ts';
import { createLogger } from './logging/logger.ts';
import { BufferedTokenUsage } from './limits/buffered-token-usage.ts';
import { MonthlyQuota } from './limits/monthly-quota.ts';
import { CooldownTracker } from './routing/cooldowns.ts';
import { openStorage } from './storage/open-storage.ts';
import { type CertificateWatcher, watchCertificates } from './server/certificate-watcher.ts';
import { loadTlsOptions } from './server/tls.ts';
import { type StartedSideListeners, loadSideTls, startSideListeners } from './server/start-side-listeners.ts';
import type { AuditWriter } from './audit/audit-writer.ts';
import { openAuditLog } from './audit/open-audit-log.ts';
import { type Alerting, startAlerting } from './alerts/start-alerting.ts';
import { UsageRecorder } from './usage/usage-recorder.ts';
import { checkDataDirPermissions } from './lib/data-dir-permissions.ts';
import { emptyProviderNotices, openVault, vaultKeyFile } from './vault/open-vault.ts';
import { VaultPoolSync } from './vault/vault-pool-sync.ts';
import { TokenRefresher } from './oauth/token-refresher.ts';

/** How often cooldowns written by other processes are re-read. */
const COOLDOWN_REFRESH_MS = 2_000;

/** A running Rampart: its bound addresses and a graceful stop. */
export interface RunningRampart {
  proxyUrl: string;
  /** Where the metrics and dashboard listeners answer, when switched on. */
  metricsUrl?: string;
  dashboardUrl?: string;
  /** 'unlocked' while this process holds the key of the vault's current version (readiness reads it). */
  vaultStatus(): 'unlocked' | 'locked';
  stop(): Promise<void>;
}

/** Choices of the operator that are not config (command-line flags of `rampart serve`). */
export interface StartOptions {
  /** Start even though the data folder or a file in it is readable by others (a loud warning instead of a refusal). */
  allowInsecurePermissions?: boolean;
}

/** Loads state, builds the app, listens. The caller (the `serve` command) owns signals and exit codes. */
export async function startRampart(loaded: LoadedConfig, notice: (line: string) => void, options: StartOptions = {}): Promise<RunningRampart> {
  const { config } = loaded;
  const log = createLogger(config.logging.level);
  if (config.server.allowInsecureBind) log.warn('allowInsecureBind is set: listeners may bind to non-loopback addresses without TLS');
  const keyFile = vaultKeyFile(config.vault, loaded);
  // Before anything is opened or created: secrets in a folder others can read are refused (or, overridden, shouted about).
  await checkDataDirPermissions(loaded.dataDir, {
    extraFiles: [keyFile],
    allowInsecure: options.allowInsecurePermissions === true,
    warn: (message) => {
      notice(message);
      log.warn('data folder permissions are insecure; starting anyway because --allow-insecure-permissions is set');
    },
  });
  const storage = await openStorage(loaded.dataDir);
  let app: App | undefined;
  let vaultSync: VaultPoolSync | undefined;
  let refresher: NodeJS.Timeout | undefined;
  let flushCooldowns = (): Promise<void> => Promise.resolve();
  let closeUsage = (): Promise<void> => Promise.resolve();
  let alerting: Alerting | undefined;
  let usageEvents: UsageRecorder | undefined;
  let audit: AuditWriter | undefined;
  let certificates: CertificateWatcher | undefined;
  let sideListeners: StartedSideListeners | undefined;
  // TLS files are relative to the config file's folder, like dataDir.
  const baseDir = loaded.source === null ? process.cwd() : path.dirname(loaded.source);
  const proxyTlsConfig = config.server.proxy.tls;
  try {
    const keys = new ClientKeyService(storage.clientKeys, await loadKeyPepper(loaded.dataDir));
    // A missing or wrong vault key stops the boot here, with a clear message; a first start generates and shows one.
    const vault = await openVault({ storage, keyFile, allowGenerate: true, notice });
    const cooldowns = new CooldownTracker(storage.cooldowns, config.routing.cooldowns, Date.now, (error) => log.error({ err: error }, 'cooldown store write failed'));
    await cooldowns.load();
    // Another process (`rampart pool reset`) may change cooldowns in the database; pick that up every few seconds.
    refresher = setInterval(() => {
      cooldowns.refresh().catch((error: unknown) => log.error({ err: error }, 'cooldown refresh failed'));
    }, COOLDOWN_REFRESH_MS);
    refresher.unref();
    flushCooldowns = () => cooldowns.flush();
    const usage = new BufferedTokenUsage(storage.tokenUsage, { onError: (error) => log.error({ err: error }, 'token usage write failed') });
    closeUsage = () => usage.close();
    const quota = new MonthlyQuota({ store: usage });
    // The hash-chained audit log: a tampered log stops the boot (AuditIntegrityError) rather than chaining onto it.
    audit = await openAuditLog({ dataDir: loaded.dataDir, configFile: loaded.source, config: config.audit }, storage.auditEvents, (message, code) => log.warn({ code }, message));
    // One durable record at boot: a sink that cannot write (full disk) is found now, before the first request.
    await audit
      .recordDurable({ type: 'config_change', actor: 'system', outcome: 'success', details: { event: 'started', config: loaded.source ?? 'built-in defaults' } })
      .catch((error: unknown) => log.error({ err: error }, 'the audit log cannot be written at boot; the failure policy applies'));
    alerting = await startAlerting({ store: storage.ipBlocks, config: config.alerts, audit, log });
    usageEvents = new UsageRecorder(storage.usageEvents, { audit, onError: (error) => log.error({ err: error }, 'usage accounting write failed') });
    const proxyTls = proxyTlsConfig === undefined ? undefined : await loadTlsOptions(proxyTlsConfig, baseDir, { label: 'server.proxy.tls', log });
    const sideTls = await loadSideTls(config, baseDir, log);
    const blocks = alerting.blocks;
    // OAuth credentials get a fresh access token per attempt; refreshes cool the credential and are audited on failure.
    const oauthTokens = new TokenRefresher({ vault, oauth: config.oauth, cooldowns, audit });
    app = buildApp({ config, keys, cooldowns, quota, log, audit, oauthTokens, usage: usageEvents, blocks: alerting.blocks, ...(proxyTls === undefined ? {} : { proxyTls }), ...sideTls, dbWritable: () => storage.checkWritable(), vaultState: () => vault.status(), blockedIpCount: () => blocks.count() });
    // Vault credentials join their pools before the first request; `credentials add/remove` arrive within 2 s.
    vaultSync = new VaultPoolSync(vault, app.router, config.providers.map((p) => p.id), log);
    await vaultSync.start();
    await app.proxy.listen({ host: config.server.proxy.host, port: config.server.proxy.port });
    const address = app.proxy.server.address();
    if (address === null || typeof address === 'string') throw new Error('proxy listener has no TCP address');
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const proxyUrl = `${proxyTls === undefined ? 'http' : 'https'}://${host}:${address.port}`;
    if (proxyTlsConfig !== undefined && app.proxyTlsServer !== undefined) {
      // Node's https.Server swaps the context for new connections; SIGHUP and file changes trigger it.
      certificates = watchCertificates(app.proxyTlsServer, proxyTlsConfig, baseDir, log, { label: 'server.proxy.tls', served: proxyTls });
    }
    log.info({ listener: 'proxy', url: proxyUrl, config: loaded.source, dataDir: loaded.dataDir }, 'listening');
    notice(`rampart proxy listening on ${proxyUrl} (config: ${loaded.source ?? 'built-in defaults'}, data: ${loaded.dataDir})`);
    sideListeners = await startSideListeners(app.side, config, { baseDir, log, notice, tls: sideTls });
    const { metricsUrl, dashboardUrl } = sideListeners;
    if ((await storage.clientKeys.count()) === 0) notice('no client keys yet: every request is refused until you run `rampart keys create --name <name>`');
    if (config.providers.length === 0) notice('no providers configured: add one under `providers:` in the config file (see rampart.example.yaml)');
    for (const line of emptyProviderNotices(config.providers, vaultSync.counts())) notice(line);
    const running = app;
    const runningSync = vaultSync;
    return {
      proxyUrl,
      ...(metricsUrl === undefined ? {} : { metricsUrl }),
      ...(dashboardUrl === undefined ? {} : { dashboardUrl }),
      vaultStatus: () => vault.status(),
      async stop() {
        clearInterval(refresher);
        await runningSync.stop();
        certificates?.stop();
        sideListeners?.stop();
        await running.close();
        await flushCooldowns();
        await closeUsage();
        // After the listener closed: every finished request is queued; write them all before the database closes.
        await usageEvents?.close();
        await alerting?.stop();
        await audit?.close();
        await storage.close();
        log.flush();
      },
    };
  } catch (error) {
    clearInterval(refresher);
    await vaultSync?.stop();
    certificates?.stop();
    sideListeners?.stop();
    await app?.close();
    await usageEvents?.close().catch(() => undefined);
    await alerting?.stop();
    await audit?.close().catch(() => undefined);
    await storage.close();
    throw error;
  }
}
