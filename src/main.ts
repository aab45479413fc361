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

/** How often cooldowns written by other processes are re-read. */
const COOLDOWN_REFRESH_MS = 2_000;

/** A running Rampart: its bound addresses and a graceful stop. */
export interface RunningRampart {
  proxyUrl: string;
  stop(): Promise<void>;
}

/** Loads state, builds the app, listens. The caller (the `serve` command) owns signals and exit codes. */
export async function startRampart(loaded: LoadedConfig, notice: (line: string) => void): Promise<RunningRampart> {
  const { config } = loaded;
  const log = createLogger(config.logging.level);
  if (config.server.allowInsecureBind) log.warn('allowInsecureBind is set: listeners may bind to non-loopback addresses without TLS');
  const storage = await openStorage(loaded.dataDir);
  let app: App | undefined;
  let refresher: NodeJS.Timeout | undefined;
  let flushCooldowns = (): Promise<void> => Promise.resolve();
  let closeUsage = (): Promise<void> => Promise.resolve();
  let certificates: CertificateWatcher | undefined;
  // TLS files are relative to the config file's folder, like dataDir.
  const baseDir = loaded.source === null ? process.cwd() : path.dirname(loaded.source);
  const proxyTlsConfig = config.server.proxy.tls;
  try {
    const keys = new ClientKeyService(storage.clientKeys, await loadKeyPepper(loaded.dataDir));
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
    const proxyTls = proxyTlsConfig === undefined ? undefined : await loadTlsOptions(proxyTlsConfig, baseDir, { label: 'server.proxy.tls', log });
    app = buildApp({ config, keys, cooldowns, quota, log, ...(proxyTls === undefined ? {} : { proxyTls }) });
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
    if ((await storage.clientKeys.count()) === 0) notice('no client keys yet: every request is refused until you run `rampart keys create --name <name>`');
    if (config.providers.length === 0) notice('no providers configured: add one under `providers:` in the config file (see rampart.example.yaml)');
    const running = app;
    return {
      proxyUrl,
      async stop() {
        clearInterval(refresher);
        certificates?.stop();
        await running.close();
        await flushCooldowns();
        await closeUsage();
        await storage.close();
        log.flush();
      },
    };
  } catch (error) {
    clearInterval(refresher);
    certificates?.stop();
    await app?.close();
    await storage.close();
    throw error;
  }
}
