import { createHash } from 'node:crypto';
import { type FSWatcher, watch } from 'node:fs';
import path from 'node:path';
import type { TlsConfig } from '../config/tls-schema.ts';
import { type CertificateInfo, type LoadTlsOptions, type TlsLogger, type TlsServerOptions, loadTlsMaterial, tlsFiles } from './tls.ts';

// Certificate rotation without a restart: certbot, cert-manager and friends replace the files and then either send
// SIGHUP or expect the server to notice. Node's tls.Server#setSecureContext swaps the context for new connections;
// connections already open keep the certificate they negotiated.

/** What can take a new context: Node's https/tls server (Fastify's `app.server`). */
export interface SecureContextTarget {
  setSecureContext(options: TlsServerOptions): void;
}

/** A running watcher. */
export interface CertificateWatcher {
  /** Re-reads the files now; resolves with the new certificate, or undefined when the old one stays (logged). */
  reload(reason: string): Promise<CertificateInfo | undefined>;
  /** Removes the signal handler and the file watchers; a reload in flight still finishes. */
  stop(): void;
}

/** Options of watchCertificates. */
export interface WatchCertificatesOptions extends Pick<LoadTlsOptions, 'label' | 'now'> {
  /** Signal that forces a reload; false for none (when the caller wires signals itself). Default SIGHUP. */
  signal?: NodeJS.Signals | false;
  /** Quiet period after the last file event before reading: writers replace cert and key one after the other. */
  debounceMs?: number;
  /** The options the server was started with, so that folder events that change nothing are not reloads. */
  served?: TlsServerOptions;
}

const DEFAULT_DEBOUNCE_MS = 300;

/**
 * Reloads `server`'s certificate on SIGHUP and, when `config.reloadOnChange`, when the files change. A pair that fails
 * the checks of loadTlsOptions (unreadable, key not matching, refused by OpenSSL) keeps the previous context.
 * The caller loads the first pair itself (Fastify's `https` option); this only handles what comes after.
 */
export function watchCertificates(
  server: SecureContextTarget,
  config: TlsConfig,
  baseDir: string,
  log: TlsLogger,
  options: WatchCertificatesOptions = {},
): CertificateWatcher {
  const label = options.label ?? 'tls';
  const files = tlsFiles(config, baseDir);
  const debounceMs = options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
  let stopped = false;
  // Digest of the pair last put in service (or seen at start): file events that change nothing are not reloads.
  let servedDigest = options.served === undefined ? undefined : digestOf(options.served);
  let running: Promise<CertificateInfo | undefined> | undefined;
  let again: { reason: string; force: boolean } | undefined;

  async function attempt(reason: string, force: boolean): Promise<CertificateInfo | undefined> {
    let material: Awaited<ReturnType<typeof loadTlsMaterial>>;
    try {
      material = await loadTlsMaterial(config, baseDir, { label, log, ...(options.now === undefined ? {} : { now: options.now }) });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log.error({ tls: label, reason, error: message }, 'TLS certificate reload failed; still serving the previous certificate');
      return undefined;
    }
    const digest = digestOf(material.options);
    if (!force && digest === servedDigest) return undefined;
    try {
      server.setSecureContext(material.options);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log.error({ tls: label, reason, error: message }, 'TLS certificate reload failed; still serving the previous certificate');
      return undefined;
    }
    servedDigest = digest;
    const { fingerprint256, subject, validTo } = material.certificate;
    log.info({ tls: label, reason, fingerprint256, subject, validTo: validTo.toISOString() }, 'TLS certificate reloaded');
    return material.certificate;
  }

  // One reload at a time; requests arriving meanwhile collapse into one more run, so the last write always wins.
  function reload(reason: string, force = true): Promise<CertificateInfo | undefined> {
    if (running !== undefined) {
      again = { reason, force: force || (again?.force ?? false) };
      return running.then(() => (running ?? Promise.resolve(undefined)));
    }
    running = attempt(reason, force).finally(() => {
      running = undefined;
      const next = again;
      again = undefined;
      if (next !== undefined && !stopped) void reload(next.reason, next.force);
    });
    return running;
  }

  const signal = options.signal ?? 'SIGHUP';
  const onSignal = (): void => void reload(`signal ${signal === false ? '' : signal}`);
  if (signal !== false) process.on(signal, onSignal);

  let timer: NodeJS.Timeout | undefined;
  const watchers: FSWatcher[] = [];
  if (config.reloadOnChange) {
    // Watch the folders, not the files: an atomic replace (rename over the old file) or a Kubernetes secret update
    // (a symlink swap of ..data) leaves a file watch pointing at the old inode and never fires again.
    const folders = new Set([files.cert, files.key, ...(files.ca === undefined ? [] : [files.ca])].map((file) => path.dirname(file)));
    const onEvent = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => void reload('file change', false), debounceMs);
      timer.unref();
    };
    for (const folder of folders) {
      try {
        const watcher = watch(folder, { persistent: false }, onEvent);
        watcher.on('error', (error) => log.warn({ tls: label, folder, error: error.message }, 'TLS certificate folder watch stopped; SIGHUP still reloads'));
        watchers.push(watcher);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        log.warn({ tls: label, folder, error: message }, 'cannot watch the TLS certificate folder; SIGHUP still reloads');
      }
    }
  }

  return {
    reload: (reason) => reload(reason),
    stop() {
      stopped = true;
      if (signal !== false) process.off(signal, onSignal);
      clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
    },
  };
}

/** Identifies a pair without keeping key bytes around longer than the options themselves. */
function digestOf(options: TlsServerOptions): string {
  const hash = createHash('sha256');
  for (const part of [options.cert, options.key, options.ca ?? Buffer.alloc(0)]) hash.update(String(part.length)).update(':').update(part);
  return hash.digest('hex');
}
