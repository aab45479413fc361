import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Storage } from '../storage/ports.ts';
import { openSqliteStorage } from '../storage/sql/sqlite.ts';
import { IpBlockList, blockSubject } from './ip-block-list.ts';

describe('blockSubject', () => {
  it('normalises every notation of one address to one subject', () => {
    expect(blockSubject('192.0.2.7')).toBe('192.0.2.7');
    expect(blockSubject('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(blockSubject(' ::FFFF:c000:0207 ')).toBe('192.0.2.7');
    expect(blockSubject('2001:db8:0:1::5')).toBe('2001:db8:0:1::/64');
    expect(blockSubject('2001:0DB8:0000:0001:ffff:0:0:1')).toBe('2001:db8:0:1::/64');
    expect(blockSubject('2001:db8:0:1::/64')).toBe('2001:db8:0:1::/64');
  });

  it('refuses what is not an address or an IPv6 /64', () => {
    for (const bad of ['', 'localhost', '127.1', '0x7f.0.0.1', '10.0.0.0/8', '2001:db8::/48', '2001:db8::1%eth0', '1.2.3.4/32']) expect(blockSubject(bad), bad).toBeUndefined();
  });
});

describe('IpBlockList (sqlite)', () => {
  let dir: string;
  let storage: Storage;
  let now = 1_000_000;
  const clock = () => now;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'rampart-blocks-'));
    storage = await openSqliteStorage(dir);
    now = 1_000_000;
  });
  afterEach(async () => {
    await storage.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('blocks at once in memory, persists, and expires', async () => {
    const blocks = new IpBlockList(storage.ipBlocks, { now: clock });
    const pending = blocks.block('::ffff:198.51.100.4', 15, 'test', 'cli');
    // Before the write completes: the hot path already refuses it.
    expect(blocks.blockedUntil('198.51.100.4')).toBe(now + 15 * 60_000);
    const record = await pending;
    expect(record).toMatchObject({ ip: '198.51.100.4', reason: 'test', createdBy: 'cli' });
    expect((await storage.ipBlocks.list()).map((b) => b.ip)).toEqual(['198.51.100.4']);
    expect(blocks.count()).toBe(1);
    now += 15 * 60_000;
    expect(blocks.blockedUntil('198.51.100.4')).toBeUndefined();
    expect(blocks.count()).toBe(0);
    await blocks.refresh();
    // The refresh removed the expired row from the table too.
    expect(await storage.ipBlocks.list()).toEqual([]);
  });

  it('blocks an IPv6 client by its /64', async () => {
    const blocks = new IpBlockList(storage.ipBlocks, { now: clock });
    await blocks.block('2001:db8:1:2::99', 5, 'test', 'cli');
    expect(blocks.blockedUntil('2001:db8:1:2:abcd::1')).toBeDefined();
    expect(blocks.blockedUntil('2001:db8:1:3::99')).toBeUndefined();
  });

  it('keeps a longer block in place when a shorter one is asked for', async () => {
    const blocks = new IpBlockList(storage.ipBlocks, { now: clock });
    await blocks.block('192.0.2.1', 60, 'long', 'cli');
    const kept = await blocks.block('192.0.2.1', 5, 'short', 'alert:x');
    expect(kept.reason).toBe('long');
    expect(blocks.blockedUntil('192.0.2.1')).toBe(now + 60 * 60_000);
  });

  it('sees blocks added and lifted by another process on refresh', async () => {
    const server = new IpBlockList(storage.ipBlocks, { now: clock });
    const cli = new IpBlockList(storage.ipBlocks, { now: clock });
    await cli.block('203.0.113.9', 10, 'by hand', 'cli');
    expect(server.blockedUntil('203.0.113.9')).toBeUndefined();
    await server.refresh();
    expect(server.blockedUntil('203.0.113.9')).toBeDefined();
    expect(server.list().map((b) => b.ip)).toEqual(['203.0.113.9']);
    await cli.refresh();
    expect(await cli.lift('203.0.113.9')).toBe(true);
    expect(await cli.lift('203.0.113.9')).toBe(false);
    await server.refresh();
    expect(server.blockedUntil('203.0.113.9')).toBeUndefined();
  });

  it('keeps a local block that a concurrent refresh did not see yet', async () => {
    const blocks = new IpBlockList(storage.ipBlocks, { now: clock });
    const refreshing = blocks.refresh();
    const blocking = blocks.block('192.0.2.50', 10, 'race', 'alert:x');
    await refreshing;
    expect(blocks.blockedUntil('192.0.2.50')).toBeDefined();
    await blocking;
    await blocks.refresh();
    expect(blocks.blockedUntil('192.0.2.50')).toBeDefined();
  });

  it('refuses what it cannot block', async () => {
    const blocks = new IpBlockList(storage.ipBlocks, { now: clock });
    await expect(blocks.block('not-an-ip', 1, 'x', 'cli')).rejects.toThrow(/not an IP/);
    await expect(blocks.block('192.0.2.1', 0, 'x', 'cli')).rejects.toThrow(/minutes/);
    expect(blocks.count()).toBe(0);
  });
});
