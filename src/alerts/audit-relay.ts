import { createHmac, randomBytes } from 'node:crypto';
import type { AuditEventInput, AuditLog, AuditRecord } from '../audit/audit-log.ts';

/**
 * An AuditLog that stores nothing: it numbers each event and hands it to the subscribers at once. It lets the alert
 * engine see security events in a process that runs without the audit writer; with the writer wired in, the writer
 * takes its place. `recordDurable` resolves at once because nothing is written; fingerprints use a per-process key.
 */
export class AuditRelay implements AuditLog {
  readonly #listeners = new Set<(record: AuditRecord) => void>();
  readonly #fingerprintKey = randomBytes(32);
  readonly #onListenerError: (error: unknown) => void;
  #index = 0;

  constructor(options: { onListenerError?: (error: unknown) => void } = {}) {
    this.#onListenerError = options.onListenerError ?? (() => undefined);
  }

  record(event: AuditEventInput): void {
    const record: AuditRecord = { ...event, index: this.#index++, time: new Date().toISOString(), prev: '', hash: '' };
    for (const listener of this.#listeners) {
      // One failing subscriber must not keep the event from the others, nor throw into the request that caused it.
      try {
        listener(record);
      } catch (error) {
        this.#onListenerError(error);
      }
    }
  }

  recordDurable(event: AuditEventInput): Promise<void> {
    this.record(event);
    return Promise.resolve();
  }

  healthy(): boolean {
    return true;
  }

  fingerprint(secret: string): string {
    return createHmac('sha256', this.#fingerprintKey).update(secret).digest('hex').slice(0, 16);
  }

  subscribe(listener: (record: AuditRecord) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): Promise<void> {
    this.#listeners.clear();
    return Promise.resolve();
  }
}
