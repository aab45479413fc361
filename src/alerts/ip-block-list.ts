import { parseCidr, parseStrictIp } from '../config/security-schema.ts';
import { ipBucketKey } from '../limits/ip-bucket.ts';
import { formatIp } from '../pipeline/client-ip.ts';
import type { IpBlockRecord, IpBlockStore } from '../storage/ports.ts';

/** What the proxy's IP filter asks on every request: is this client address blocked, and until when (epoch ms)? */
export interface IpBlockView {
  blockedUntil(clientIp: string): number | undefined;
}

/**
 * The subject a block applies to: an IPv4 address, or the /64 of an IPv6 address (one subscriber holds a whole /64,
 * RFC 6177, so blocking one address of it blocks nothing). Takes any notation the proxy accepts: v4-mapped IPv6 is
 * the IPv4 address, IPv6 is compared in RFC 5952 form, and an IPv6 network must be written as a /64. Undefined
 * when the text is not such an address.
 */
export function blockSubject(text: string): string | undefined {
  const trimmed = text.trim();
  const slash = trimmed.indexOf('/');
  if (slash !== -1) {
    const cidr = parseCidr(trimmed);
    if (typeof cidr === 'string' || cidr.address.kind() !== 'ipv6' || cidr.bits !== 64) return undefined;
    return ipBucketKey(formatIp(cidr.address));
  }
  const address = parseStrictIp(trimmed);
  return address === undefined ? undefined : ipBucketKey(formatIp(address));
}

/**
 * Blocked client addresses with an expiry: an in-memory map for the hot path over the `ip_blocks` table, so blocks
 * survive restarts and reach every process. A running server calls `refresh()` every few seconds to see blocks added
 * or lifted by the CLI (or another instance). Local changes apply in memory at once and are written in the
 * background, in order; a refresh that races a write keeps the local change.
 */
export class IpBlockList implements IpBlockView {
  readonly #store: IpBlockStore;
  readonly #now: () => number;
  #active = new Map<string, IpBlockRecord>();
  /** Local changes not yet written (null = lifted), laid over every refresh until their write completes. */
  readonly #unwritten = new Map<string, IpBlockRecord | null>();
  #writes: Promise<void> = Promise.resolve();

  constructor(store: IpBlockStore, options: { now?: () => number } = {}) {
    this.#store = store;
    this.#now = options.now ?? Date.now;
  }

  /** Re-reads the stored blocks (the CLI's adds and lifts), dropping expired ones. */
  async refresh(): Promise<void> {
    const rows = await this.#store.list();
    const now = this.#now();
    const next = new Map<string, IpBlockRecord>();
    let expired = 0;
    for (const row of rows) {
      if (row.until.getTime() > now) next.set(row.ip, row);
      else expired++;
    }
    for (const [ip, change] of this.#unwritten) {
      if (change === null) next.delete(ip);
      else next.set(ip, change);
    }
    this.#active = next;
    // Only when there is something to delete: an empty DELETE every refresh would still open a write transaction.
    if (expired > 0) await this.#store.removeExpired(new Date(now));
  }

  /** Hot path: when the address's block ends (epoch ms), or undefined when it is not blocked. */
  blockedUntil(clientIp: string): number | undefined {
    if (this.#active.size === 0 || clientIp === '') return undefined;
    // The proxy hands over normalised text (client-ip.ts); IPv4 is its own subject, IPv6 counts per /64.
    const block = this.#active.get(clientIp.includes(':') ? ipBucketKey(clientIp) : clientIp);
    if (block === undefined) return undefined;
    const until = block.until.getTime();
    return until > this.#now() ? until : undefined;
  }

  /**
   * Blocks an address (see blockSubject) for `minutes`; a longer block already in place is kept. Applies in memory
   * before the first await; the promise settles once the block is stored.
   */
  async block(address: string, minutes: number, reason: string, createdBy: string): Promise<IpBlockRecord> {
    const ip = blockSubject(address);
    if (ip === undefined) throw new RangeError('not an IP address (or IPv6 /64 network)');
    if (!Number.isSafeInteger(minutes) || minutes < 1) throw new RangeError('minutes must be a positive integer');
    const now = this.#now();
    const until = now + minutes * 60_000;
    const existing = this.#active.get(ip);
    if (existing !== undefined && existing.until.getTime() >= until) return existing;
    const record: IpBlockRecord = { ip, until: new Date(until), reason, createdAt: new Date(now), createdBy };
    this.#active.set(ip, record);
    await this.#write(ip, record, () => this.#store.upsert(record));
    return record;
  }

  /** Lifts the block of an address; false when it was not blocked. */
  async lift(address: string): Promise<boolean> {
    const ip = blockSubject(address);
    if (ip === undefined) throw new RangeError('not an IP address (or IPv6 /64 network)');
    const wasActive = this.#active.delete(ip);
    let removed = false;
    await this.#write(ip, null, async () => {
      removed = await this.#store.remove(ip);
    });
    return wasActive || removed;
  }

  /** The block in force for a subject as `blockSubject` writes it, if any. */
  find(subject: string): IpBlockRecord | undefined {
    const block = this.#active.get(subject);
    return block !== undefined && block.until.getTime() > this.#now() ? block : undefined;
  }

  /** Blocks in force now, soonest to end first (CLI, management API, the `rampart_blocked_ips` gauge). */
  list(): IpBlockRecord[] {
    const now = this.#now();
    return [...this.#active.values()].filter((b) => b.until.getTime() > now).sort((a, b) => a.until.getTime() - b.until.getTime() || a.ip.localeCompare(b.ip));
  }

  /** How many blocks are in force now (the `rampart_blocked_ips` gauge). */
  count(): number {
    const now = this.#now();
    let n = 0;
    for (const block of this.#active.values()) if (block.until.getTime() > now) n++;
    return n;
  }

  /** Waits until every local change is stored (graceful stop, tests). */
  async settled(): Promise<void> {
    await this.#writes.catch(() => undefined);
  }

  #write(ip: string, change: IpBlockRecord | null, write: () => Promise<void>): Promise<void> {
    this.#unwritten.set(ip, change);
    const done = this.#writes
      .catch(() => undefined)
      .then(write)
      .finally(() => {
        // A later change of the same address is still pending: keep its overlay.
        if (this.#unwritten.get(ip) === change) this.#unwritten.delete(ip);
      });
    this.#writes = done;
    return done;
  }
}
