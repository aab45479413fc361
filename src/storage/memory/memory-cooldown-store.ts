import type { CooldownRecord, CooldownStore } from '../ports.ts';

/** CooldownStore kept in memory, for in-process tests that need no database. */
export class MemoryCooldownStore implements CooldownStore {
  readonly #rows = new Map<string, CooldownRecord>();

  list(): Promise<CooldownRecord[]> {
    return Promise.resolve([...this.#rows.values()].map((r) => ({ ...r })));
  }

  upsert(record: CooldownRecord): Promise<void> {
    this.#rows.set(`${record.credentialId}\u0000${record.model}`, { ...record });
    return Promise.resolve();
  }

  remove(credentialId: string, model: string): Promise<void> {
    this.#rows.delete(`${credentialId}\u0000${model}`);
    return Promise.resolve();
  }

  removeAll(credentialIdPrefix?: string): Promise<number> {
    let removed = 0;
    for (const [key, row] of this.#rows) {
      if (credentialIdPrefix === undefined || row.credentialId.startsWith(credentialIdPrefix)) {
        this.#rows.delete(key);
        removed++;
      }
    }
    return Promise.resolve(removed);
  }
}
