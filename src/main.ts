import type { LoadedConfig } from './config/load.ts';
import { type App, buildApp } from './app.ts';
import { ClientKeyService } from './keys/client-keys.ts';
import { loadKeyPepper } from './keys/pepper.ts';
import { createLogger } from './logging/logger.ts';
import { openStorage } from './storage/open-storage.ts';

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
  try {
    const keys = new ClientKeyService(storage.clientKeys, await loadKeyPepper(loaded.dataDir));
    app = buildApp({ config, keys, log });
    await app.proxy.listen({ host: config.server.proxy.host, port: config.server.proxy.port });
    const address = app.proxy.server.address();
    if (address === null || typeof address === 'string') throw new Error('proxy listener has no TCP address');
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const proxyUrl = `http://${host}:${address.port}`;
    log.info({ listener: 'proxy', url: proxyUrl, config: loaded.source, dataDir: loaded.dataDir }, 'listening');
    notice(`rampart proxy listening on ${proxyUrl} (config: ${loaded.source ?? 'built-in defaults'}, data: ${loaded.dataDir})`);
    if ((await storage.clientKeys.count()) === 0) notice('no client keys yet: every request is refused until you run `rampart keys create --name <name>`');
    if (config.providers.length === 0) notice('no providers configured: add one under `providers:` in the config file (see rampart.example.yaml)');
    const running = app;
    return {
      proxyUrl,
      async stop() {
        await running.close();
        await storage.close();
        log.flush();
      },
    };
  } catch (error) {
    await app?.close();
    await storage.close();
    throw error;
  }
}
