import fc from 'fast-check';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningProcess, makeWorkdir, runCli, startCli } from './harness.ts';

/** The proxy's defences against hostile clients, end to end (real processes, loopback only, bounded loops). */
describe('security: hostile clients (real processes)', () => {
  let work: Awaited<ReturnType<typeof makeWorkdir>>;
  let mock: RunningProcess;
  let serve: RunningProcess;
  let config: string;
  let proxyUrl: string;
  let port: number;
  let key: string;

  beforeAll(async () => {
    work = await makeWorkdir();
    mock = startCli(['mock-upstream', '--port', '0']);
    const mockUrl = (await mock.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/))[1]!;
    config = await work.writeConfig(
      `server:\n  proxy: { host: 127.0.0.1, port: 0 }\n  metrics: { port: 0 }\n  dashboard: { port: 0 }\nlogging: { level: warn }\n` +
        `limits: { headersTimeoutMs: 1000, maxConcurrentPerKey: 2 }\n` +
        // the fuzz run sends many requests from one address; the per-IP limit has its own tests
        `rateLimits: { perIp: { rps: 10000, burst: 10000 } }\n` +
        `waf:\n  mode: block\n  rules:\n    - { id: no-exfil, target: prompt, match: substring, pattern: "exfiltrate the database" }\n` +
        `providers:\n  - id: m\n    type: openai-compatible\n    allowPrivateNetwork: true\n    baseUrl: ${mockUrl}/v1\n    credentials: [{ apiKey: sk-m }]\n    models: [m1]\n`,
    );
    key = (JSON.parse((await runCli(['keys', 'create', '--name', 'sec', '--json', '--config', config])).stdout) as { key: string }).key;
    serve = startCli(['serve', '--config', config]);
    proxyUrl = (await serve.waitFor(/proxy listening on (http:\/\/127\.0\.0\.1:\d+)/))[1]!;
    port = Number(new URL(proxyUrl).port);
  });
  afterAll(async () => {
    await serve?.stop();
    await mock?.stop();
    await work?.remove();
  });

  const post = (body: string | Uint8Array, headers: Record<string, string> = {}, signal?: AbortSignal) =>
    fetch(`${proxyUrl}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...headers }, body, signal: signal ?? null });
  const chatBody = (content: string, extra: Record<string, unknown> = {}) => JSON.stringify({ model: 'm1', messages: [{ role: 'user', content }], ...extra });
  const codeOf = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

  it('closes a slowloris connection at its header deadline while others are served', async () => {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    const started = Date.now();
    const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now() - started)));
    socket.on('error', () => undefined);
    socket.write('POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const drip = setInterval(() => socket.writable && socket.write(`X-Slow-${Date.now()}: a\r\n`), 200);
    try {
      expect((await post(chatBody('still served'))).status).toBe(200);
      const after = await Promise.race([closed, new Promise<number>((r) => setTimeout(() => r(-1), 5_000))]);
      expect(after).toBeGreaterThan(0);
      expect(after).toBeLessThan(3_500);
    } finally {
      clearInterval(drip);
      socket.destroy();
    }
  });

  it('caps the requests one key has in flight', async () => {
    const controllers = [new AbortController(), new AbortController()];
    const slow = `${Array.from({ length: 30 }, (_, i) => `w${i}`).join(' ')} [mock:drip=1000]`;
    const hanging = await Promise.all(controllers.map((c) => post(chatBody(slow, { stream: true }), {}, c.signal)));
    for (const res of hanging) expect(res.status).toBe(200);
    const third = await post(chatBody('one more'));
    expect(third.status).toBe(429);
    expect(await codeOf(third)).toBe('RAMPART_RATE_LIMITED');
    for (const c of controllers) c.abort();
    for (const res of hanging) await res.body?.cancel().catch(() => undefined);
    let status = 0;
    for (let i = 0; i < 20 && status !== 200; i++) {
      status = (await post(chatBody('after'))).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy (spoofing)', async () => {
    const created = JSON.parse((await runCli(['keys', 'create', '--name', 'lan-only', '--ips', '10.0.0.0/8', '--json', '--config', config])).stdout) as { key: string };
    const spoofed = await post(chatBody('hi'), { authorization: `Bearer ${created.key}`, 'x-forwarded-for': '10.1.2.3' });
    expect(spoofed.status).toBe(403);
    expect(await codeOf(spoofed)).toBe('RAMPART_KEY_SCOPE_IP');
  });

  it('refuses 10,000-deep JSON, invalid UTF-8 and proto poisoning with 400, never a 500', async () => {
    const deep = await post('['.repeat(10_000) + ']'.repeat(10_000));
    expect(deep.status).toBe(400);
    expect(await codeOf(deep)).toBe('RAMPART_REQUEST_TOO_DEEP');
    const bytes = new TextEncoder().encode(chatBody('abc'));
    const broken = new Uint8Array([...bytes.slice(0, 40), 0xc3, 0x28, ...bytes.slice(40)]);
    const utf8 = await post(broken);
    expect(utf8.status).toBe(400);
    expect(await codeOf(utf8)).toBe('RAMPART_REQUEST_INVALID_UTF8');
    const poisoned = await post('{"model":"m1","messages":[],"__proto__":{"x":1}}');
    expect(poisoned.status).toBe(400);
    expect(await codeOf(poisoned)).toBe('RAMPART_REQUEST_PROTO_POISONING');
  });

  it('answers a malformed request line or a CR in a header value with a 4xx, and keeps serving', async () => {
    const reply = await new Promise<string>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nX-Bad: a\rb\r\n\r\n'));
      let text = '';
      socket.on('data', (d) => (text += d.toString()));
      socket.on('close', () => resolve(text));
      socket.on('error', () => resolve(text));
    });
    expect(reply).toMatch(/^HTTP\/1\.1 4\d\d/);
    expect((await fetch(`${proxyUrl}/healthz`)).status).toBe(200);
  });

  it('blocks a prompt matching a WAF rule with 403 naming the rule, and lets others through', async () => {
    const blocked = await post(chatBody('please exfiltrate the database now'));
    expect(blocked.status).toBe(403);
    const body = (await blocked.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('RAMPART_WAF_BLOCKED');
    expect(body.error.message).toContain('no-exfil');
    const secret = await post(chatBody(`my key is sk-proj-${'A1b2C3d4'.repeat(6)}`));
    expect(secret.status).toBe(403);
    expect(((await secret.json()) as { error: { message: string } }).error.message).toContain('secrets.openai-key');
    expect((await post(chatBody('a harmless question'))).status).toBe(200);
  });

  it('fuzz: arbitrary bodies and headers never produce a 500 or take the server down', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.json(), fc.string(), fc.jsonValue().map((v) => JSON.stringify({ model: 'm1', messages: v }))), fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'text/plain'), async (body, type) => {
        const res = await post(body, { 'content-type': type });
        await res.arrayBuffer();
        expect(res.status).toBeLessThan(500);
      }),
      { numRuns: 150 },
    );
    expect((await fetch(`${proxyUrl}/healthz`)).status).toBe(200);
  });
});
