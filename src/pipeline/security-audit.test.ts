import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertEngine } from '../alerts/alert-engine.ts';
import { IpBlockList } from '../alerts/ip-block-list.ts';
import { type App, buildApp } from '../app.ts';
import { MemoryAuditLog } from '../audit/audit-log.ts';
import { parseConfig } from '../config/load.ts';
import { startMockUpstream } from '../devtools/mock-upstream/index.ts';
import { ClientKeyService } from '../keys/client-keys.ts';
import { MonthlyQuota } from '../limits/monthly-quota.ts';
import { createLogger } from '../logging/logger.ts';
import { CooldownTracker } from '../routing/cooldowns.ts';
import { MemoryCooldownStore } from '../storage/memory/memory-cooldown-store.ts';
import type { Storage } from '../storage/ports.ts';
import { openSqliteStorage } from '../storage/sql/sqlite.ts';
import type { FastifyRequest } from 'fastify';
import { securityAuditHooks } from './security-audit.ts';

/** One proxy in-process with a MemoryAuditLog, the IP block list and (optionally) alert rules. */
async function startProxy(extraYaml: string, alerts?: unknown) {
  const mock = await startMockUpstream({ port: 0, apiKey: 'sk-sec-upstream' });
  const { config } = parseConfig(
    `${extraYaml}
providers:
  - id: up
    type: openai-compatible
    allowPrivateNetwork: true
    baseUrl: ${mock.url}/v1
    credentials: [{ apiKey: sk-sec-upstream }]
    models: [gpt-4o-mini]
`,
    { env: {} },
  );
  const dataDir = await mkdtemp(path.join(tmpdir(), 'rampart-secaudit-'));
  const storage: Storage = await openSqliteStorage(dataDir);
  const keys = new ClientKeyService(storage.clientKeys, Buffer.alloc(32, 3));
  const audit = new MemoryAuditLog();
  const blocks = new IpBlockList(storage.ipBlocks);
  const engine = alerts === undefined ? undefined : new AlertEngine({ config: { ...config.alerts, ...(alerts as object) }, audit, blocks });
  engine?.start();
  const cooldowns = new CooldownTracker(new MemoryCooldownStore(), config.routing.cooldowns);
  const app: App = buildApp({ config, keys, cooldowns, quota: new MonthlyQuota({ store: storage.tokenUsage }), log: createLogger('silent'), audit, blocks });
  await app.proxy.listen({ host: '127.0.0.1', port: 0 });
  const address = app.proxy.server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  return {
    base: `http://127.0.0.1:${address.port}`,
    keys,
    audit,
    blocks,
    storage,
    async close() {
      engine?.stop();
      await app.close();
      await blocks.settled();
      await mock.close();
      await storage.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

type Proxy = Awaited<ReturnType<typeof startProxy>>;
const hi = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };
const post = (proxy: Proxy, key: string, body: unknown = hi) =>
  fetch(`${proxy.base}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: typeof body === 'string' ? body : JSON.stringify(body) });

describe('security events from the pipeline (MemoryAuditLog)', () => {
  let proxy: Proxy;
  let key: string;

  beforeAll(async () => {
    proxy = await startProxy(`waf:\n  mode: block\n  rules:\n    - { id: no-exfil, target: prompt, match: substring, pattern: "exfiltrate the database" }\n`);
    key = (await proxy.keys.create('sec')).key;
  });
  afterAll(async () => {
    await proxy?.close();
  });

  /** The events of one answered request (by its x-request-id), after it completed. */
  async function eventsOf(res: Response) {
    await res.text();
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(/^req_/);
    return proxy.audit.events.filter((e) => e.requestId === id);
  }

  it('audits an unknown key as an anonymous auth_failure, with address and request id and no key material', async () => {
    const presented = 'rk_live_notarealkey0000000000000000000000';
    const res = await post(proxy, presented);
    expect(res.status).toBe(401);
    const events = await eventsOf(res);
    expect(events).toEqual([expect.objectContaining({ type: 'auth_failure', actor: 'anonymous', ip: '127.0.0.1', outcome: 'denied', details: { reason: 'invalid', route: '/v1/chat/completions' } })]);
    expect(JSON.stringify(proxy.audit.events)).not.toContain(presented.slice(8, 20));
  });

  it('names the key (id and display prefix only) when a known key is refused', async () => {
    const created = await proxy.keys.create('to-revoke');
    await proxy.keys.revoke(created.record.id);
    const res = await post(proxy, created.key);
    expect(res.status).toBe(401);
    const events = await eventsOf(res);
    expect(events).toEqual([expect.objectContaining({ type: 'auth_failure', actor: `key:${created.record.id}`, details: expect.objectContaining({ reason: 'revoked', keyPrefix: created.record.prefix }) as unknown })]);
    expect(JSON.stringify(events)).not.toContain(created.key);
    expect(created.key.startsWith(created.record.prefix)).toBe(true);
    expect(created.key.length).toBeGreaterThan(created.record.prefix.length + 16);
  });

  it('audits a rate-limit refusal with the tier that refused', async () => {
    const limited = await proxy.keys.create({ name: 'slow', rps: 1, burst: 1 });
    const first = await post(proxy, limited.key);
    expect(first.status).toBe(200);
    await first.text();
    const second = await post(proxy, limited.key);
    expect(second.status).toBe(429);
    expect(await eventsOf(second)).toEqual([expect.objectContaining({ type: 'rate_limited', actor: `key:${limited.record.id}`, ip: '127.0.0.1', details: expect.objectContaining({ scope: 'key' }) as unknown })]);
  });

  it("audits a key's first use from an address as auth_success, then not again within ten minutes", async () => {
    const first = await post(proxy, key);
    expect(first.status).toBe(200);
    const events = await eventsOf(first);
    expect(events.filter((e) => e.type === 'auth_success')).toEqual([
      expect.objectContaining({ type: 'auth_success', ip: '127.0.0.1', outcome: 'success', details: expect.objectContaining({ route: '/v1/chat/completions', since: 0 }) as unknown }),
    ]);
    expect(JSON.stringify(events)).not.toContain(key);
    const second = await post(proxy, key);
    expect((await eventsOf(second)).filter((e) => e.type === 'auth_success')).toEqual([]);
  });

  it('audits a poisoned body as a security_violation', async () => {
    const res = await post(proxy, key, '{"model":"gpt-4o-mini","__proto__":{"admin":true},"messages":[]}');
    expect(res.status).toBe(400);
    expect(await eventsOf(res)).toEqual([expect.objectContaining({ type: 'security_violation', details: expect.objectContaining({ code: 'RAMPART_REQUEST_PROTO_POISONING' }) as unknown, ip: '127.0.0.1' })]);
  });

  it('does not audit an ordinary malformed body (a typo is not an attack)', async () => {
    const res = await post(proxy, key, '{"model": ');
    expect(res.status).toBe(400);
    expect(await eventsOf(res)).toEqual([]);
  });

  it('audits a WAF block with the rule id, never the matched text', async () => {
    const res = await post(proxy, key, { ...hi, messages: [{ role: 'user', content: 'please exfiltrate the database now' }] });
    expect(res.status).toBe(403);
    const events = await eventsOf(res);
    expect(events).toEqual([expect.objectContaining({ type: 'waf_block', ip: '127.0.0.1', outcome: 'blocked', details: expect.objectContaining({ ruleId: 'no-exfil' }) as unknown })]);
    expect(JSON.stringify(events)).not.toContain('exfiltrate');
  });

  it('refuses a blocked address with 403 RAMPART_IP_BLOCKED and retry-after, audits ip_denied, and serves it again once lifted', async () => {
    await proxy.blocks.block('127.0.0.1', 5, 'test', 'cli');
    const res = await post(proxy, key);
    expect(res.status).toBe(403);
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(4 * 60);
    expect(retryAfter).toBeLessThanOrEqual(5 * 60);
    const body = (await res.clone().json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('RAMPART_IP_BLOCKED');
    expect(body.error.message).toMatch(/blocked until \d{4}-\d\d-\d\dT/);
    expect(await eventsOf(res)).toEqual([expect.objectContaining({ type: 'ip_denied', ip: '127.0.0.1', outcome: 'denied', details: expect.objectContaining({ reason: 'blocked' }) as unknown })]);
    expect(await proxy.blocks.lift('127.0.0.1')).toBe(true);
    const again = await post(proxy, key);
    expect(again.status).toBe(200);
    await again.text();
  });
});

describe('alert rules on a live proxy', () => {
  let proxy: Proxy;

  beforeAll(async () => {
    proxy = await startProxy('', { rules: [{ id: 'brute', on: 'auth_failure', per: 'ip', threshold: 4, windowSeconds: 60, action: 'block-ip', blockMinutes: 3 }] });
  });
  afterAll(async () => {
    await proxy?.close();
  });

  it('blocks the address after N bad keys: the next request is refused even with a good key', async () => {
    const good = (await proxy.keys.create('good')).key;
    for (let i = 0; i < 3; i++) {
      const res = await post(proxy, `rk_live_wrong${i}`);
      expect(res.status).toBe(401);
      await res.text();
    }
    // One below the threshold: still served.
    const served = await post(proxy, good);
    expect(served.status).toBe(200);
    await served.text();
    const fourth = await post(proxy, 'rk_live_wrong3');
    expect(fourth.status).toBe(401);
    await fourth.text();
    const refused = await post(proxy, good);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('RAMPART_IP_BLOCKED');
    expect(proxy.audit.events.filter((e) => e.type === 'ip_blocked')).toEqual([expect.objectContaining({ ip: '127.0.0.1', details: expect.objectContaining({ rule: 'brute', minutes: 3 }) as unknown })]);
    await proxy.blocks.settled();
    expect((await proxy.storage.ipBlocks.list()).map((b) => b.ip)).toEqual(['127.0.0.1']);
  });
});

describe('securityAuditHooks', () => {
  it('writes at most one ip_denied a minute per address, then says how many it left out', () => {
    const audit = new MemoryAuditLog();
    let now = 0;
    const hooks = securityAuditHooks(audit, () => now);
    const request = (ip: string, id: string) => ({ clientIp: ip, id, clientKey: null, url: '/v1/models', raw: { url: '/v1/models?key=secret' } }) as unknown as FastifyRequest;
    for (let i = 0; i < 50; i++) hooks.ipDenied(request('192.0.2.1', `req_${i}`), 'blocked');
    hooks.ipDenied(request('192.0.2.2', 'req_other'), 'denylisted');
    now += 60_000;
    hooks.ipDenied(request('192.0.2.1', 'req_late'), 'blocked');
    expect(audit.events.map((e) => [e.ip, e.requestId, e.details])).toEqual([
      ['192.0.2.1', 'req_0', { reason: 'blocked', route: '/v1/models', suppressed: 0 }],
      ['192.0.2.2', 'req_other', { reason: 'denylisted', route: '/v1/models', suppressed: 0 }],
      ['192.0.2.1', 'req_late', { reason: 'blocked', route: '/v1/models', suppressed: 49 }],
    ]);
  });

  it('does nothing without an audit log', () => {
    const hooks = securityAuditHooks(undefined);
    expect(() => hooks.ipDenied({ clientIp: '192.0.2.1', id: 'r', clientKey: null, url: '/', raw: {} } as unknown as FastifyRequest, 'blocked')).not.toThrow();
  });
});
