import type { Logger } from 'pino';
import type { SideListeners } from '../app-observability.ts';
import type { RampartConfig } from '../config/schema.ts';
import { type CertificateWatcher, watchCertificates } from './certificate-watcher.ts';
import { listenerUrl } from './side-listener.ts';
import { type TlsServerOptions, loadTlsOptions } from './tls.ts';

type SideName = 'metrics' | 'dashboard';

/** HTTPS options of the side listeners that have `tls` and are switched on (files relative to `baseDir`). */
export async function loadSideTls(config: RampartConfig, baseDir: string, log: Logger): Promise<{ metricsTls?: TlsServerOptions; dashboardTls?: TlsServerOptions }> {
  const load = async (name: SideName): Promise<TlsServerOptions | undefined> => {
    const listener = config.server[name];
    return listener.enabled && listener.tls !== undefined ? loadTlsOptions(listener.tls, baseDir, { label: `server.${name}.tls`, log }) : undefined;
  };
  const [metricsTls, dashboardTls] = await Promise.all([load('metrics'), load('dashboard')]);
  return { ...(metricsTls === undefined ? {} : { metricsTls }), ...(dashboardTls === undefined ? {} : { dashboardTls }) };
}

/** Running side listeners: their URLs and the certificate watchers to stop on shutdown. */
export interface StartedSideListeners {
  metricsUrl?: string;
  dashboardUrl?: string;
  stop(): void;
}

/**
 * Binds the metrics and dashboard listeners (those switched on), tells the operator where they are (notice and log),
 * and reloads their certificates like the proxy's. Closing them is the app's `close()`.
 */
export async function startSideListeners(
  side: SideListeners,
  config: RampartConfig,
  options: { baseDir: string; log: Logger; notice: (line: string) => void; tls: { metricsTls?: TlsServerOptions; dashboardTls?: TlsServerOptions } },
): Promise<StartedSideListeners> {
  const { log, notice } = options;
  const watchers: CertificateWatcher[] = [];
  const urls: { metricsUrl?: string; dashboardUrl?: string } = {};
  const paths: Record<SideName, string> = { metrics: '/metrics', dashboard: '/api/health' };
  try {
    for (const name of ['metrics', 'dashboard'] as const) {
      const listener = side[name];
      if (listener === undefined) continue;
      const settings = config.server[name];
      await listener.app.listen({ host: settings.host, port: settings.port });
      const served = name === 'metrics' ? options.tls.metricsTls : options.tls.dashboardTls;
      const url = listenerUrl(listener.app, served !== undefined);
      if (name === 'metrics') urls.metricsUrl = url;
      else urls.dashboardUrl = url;
      if (settings.tls !== undefined && listener.tlsServer !== undefined && served !== undefined) {
        watchers.push(watchCertificates(listener.tlsServer, settings.tls, options.baseDir, log, { label: `server.${name}.tls`, served }));
      }
      log.info({ listener: name, url }, 'listening');
      notice(`rampart ${name} listening on ${url} (${paths[name]})`);
    }
  } catch (error) {
    for (const watcher of watchers) watcher.stop();
    throw error;
  }
  return {
    ...urls,
    stop() {
      for (const watcher of watchers) watcher.stop();
    },
  };
}
