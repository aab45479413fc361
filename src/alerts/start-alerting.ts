import type { AuditLog } from '../audit/audit-log.ts';
import type { AlertsConfig } from '../config/alerts-schema.ts';
import type { IpBlockStore } from '../storage/ports.ts';
import { type AlertLog, AlertEngine } from './alert-engine.ts';
import { IpBlockList } from './ip-block-list.ts';

/** How often a server re-reads the stored blocks, so `rampart blocks add|lift` from another process takes effect. */
export const BLOCK_REFRESH_MS = 2_000;

/** A running alert engine and block list, for the server's wiring. */
export interface Alerting {
  blocks: IpBlockList;
  engine: AlertEngine;
  /** Stops the engine and the refresh, and waits for block writes to finish. */
  stop(): Promise<void>;
}

/**
 * Loads the stored IP blocks, re-reads them every BLOCK_REFRESH_MS, and starts the alert rules on the audit log.
 * Throws at boot when the config cannot be compiled (a bad neverBlock entry) or the blocks cannot be read.
 */
export async function startAlerting(options: { store: IpBlockStore; config: AlertsConfig; audit: AuditLog; log: AlertLog; refreshMs?: number }): Promise<Alerting> {
  const blocks = new IpBlockList(options.store);
  await blocks.refresh();
  const engine = new AlertEngine({ config: options.config, audit: options.audit, blocks, log: options.log });
  const timer = setInterval(() => {
    blocks.refresh().catch((error: unknown) => options.log.error({ err: error }, 'IP block refresh failed'));
  }, options.refreshMs ?? BLOCK_REFRESH_MS);
  timer.unref();
  engine.start();
  return {
    blocks,
    engine,
    async stop() {
      clearInterval(timer);
      engine.stop();
      await blocks.settled();
    },
  };
}
