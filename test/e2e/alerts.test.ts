import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningProcess, makeWorkdir, runCli, startCli } from './harness.ts';

/**
 * Usage accounting, alert rules and IP blocks end to end: real `rampart serve`, `rampart mock-upstream` and CLI
 * processes sharing one data folder. Loopback only; every wait is bounded.
 */
describe('usage, alert rules and IP blocks (real processes)', () => {
  let work: Awaited<ReturnType<typeof makeWorkdir>>;
  let mock: RunningProcess;
  let serve: RunningProcess;
  let config: string;
  let proxyUrl: string;
  let key: string;
  const THRESHOLD = 5;

  const startServe = async () => {
    serve = startCli(['serve', '--config', config]);
    proxyUrl = (await serve.waitFor(/proxy listening on (http:\/\/127\.0\.0\.1:\d+)/))[1]!;
  };

  beforeAll(async () => {
    work = await makeWorkdir();
    mock = startCli(['mock-upstream', '--port', '0']);
    const mockUrl = (await mock.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/))[1]!;
    config = await work.writeConfig(
      'server:\n  proxy: { host: 127.0.0.1, port: 0 }\n  metrics: { port: 0 }\n  dashboard: { port: 0 }\nlogging: { level: warn }\n' +
        `alerts:\n  rules:\n    - { id: brute, on: auth_failure, per: ip, threshold: ${THRESHOLD}, windowSeconds: 60, action: block-ip, blockMinutes: 10 }\n` +
        `providers:\n  - id: mock\n    type: openai-compatible\n    allowPrivateNetwork: true\n    baseUrl: ${mockUrl}/v1\n    credentials: [{ apiKey: sk-e2e }]\n` +
        '    models: [model-a, model-b]\n',
    );
    key = (JSON.parse((await runCli(['keys', 'create', '--name', 'alerts', '--json', '--config', config])).stdout) as { key: string }).key;
    await startServe();
  });

  afterAll(async () => {
    await serve?.stop();
    await mock?.stop();
    await work?.remove();
  });

  const chat = (model: string, withKey = key, content = 'count my tokens please') =>
    fetch(`${proxyUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${withKey}` },
      body: JSON.stringify({ model, messages: [{ role: 'user', content }] }),
    });
  const cli = (...args: string[]) => runCli([...args, '--config', config]);
  const codeOf = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

  /** Polls `probe` every 200 ms until it returns true, for at most `ms`. */
  async function eventually(probe: () => Promise<boolean>, ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    for (;;) {
      if (await probe()) return true;
      if (Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** A request from another loopback address (Linux routes all of 127/8 to lo). */
  function statusFrom(localAddress: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = http.request(`${proxyUrl}/v1/models`, { localAddress, headers: { authorization: `Bearer ${key}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('accounts every proxied request: `rampart usage --group-by model` shows the upstream’s token totals, also after a SIGTERM', async () => {
    const expected = new Map<string, { requests: number; input: number; output: number }>();
    for (const [model, content] of [
      ['model-a', 'one two three'],
      ['model-a', 'four five six seven eight'],
      ['model-b', 'nine'],
    ] as const) {
      const res = await chat(model, key, content);
      expect(res.status).toBe(200);
      const { usage } = (await res.json()) as { usage: { prompt_tokens: number; completion_tokens: number } };
      const sum = expected.get(model) ?? { requests: 0, input: 0, output: 0 };
      expected.set(model, { requests: sum.requests + 1, input: sum.input + usage.prompt_tokens, output: sum.output + usage.completion_tokens });
    }
    // Stop right away: the rows still in memory must be written on the graceful stop.
    expect(await serve.stop()).toBe(0);
    const report = await cli('usage', '--group-by', 'model', '--since', '1h', '--json');
    expect(report.stderr).toBe('');
    const { groups } = JSON.parse(report.stdout) as { groups: { group: string; requests: number; inputTokens: number; outputTokens: number }[] };
    const got = new Map(groups.map((g) => [g.group, { requests: g.requests, input: g.inputTokens, output: g.outputTokens }]));
    expect(got).toEqual(expected);
    for (const sum of expected.values()) expect(sum.input).toBeGreaterThan(0);
    const table = await cli('usage', '--group-by', 'model');
    expect(table.stdout).toMatch(/^model-a\s+2\s/m);
    expect(table.stdout).toMatch(/^TOTAL\s+3\s/m);
    expect((await cli('usage', '--since', 'last tuesday')).stderr).toMatch(/--since must be an ISO-8601 time/);
    await startServe();
  });

  it('blocks 127.0.0.1 after N bad keys: the next request is refused even with a good key', async () => {
    for (let i = 0; i < THRESHOLD; i++) {
      const res = await chat('model-a', `rk_live_bad${i}`);
      expect(res.status).toBe(401);
      await res.body?.cancel();
    }
    // Alert rules hear of events once the audit log has them (at once today; after a write with a buffering writer),
    // so allow a moment — but no more bad keys: only good-key requests from here on.
    let refused: Response | undefined;
    await eventually(async () => {
      const res = await chat('model-a');
      if (res.status === 403) refused = res;
      else await res.body?.cancel();
      return refused !== undefined;
    }, 2_000);
    expect(refused?.status).toBe(403);
    expect(Number(refused!.headers.get('retry-after'))).toBeGreaterThan(9 * 60);
    expect(await codeOf(refused!)).toBe('RAMPART_IP_BLOCKED');
  });

  it('lists the block in `rampart blocks list`', async () => {
    const listed = JSON.parse((await cli('blocks', 'list', '--json')).stdout) as { ip: string; createdBy: string; until: string }[];
    expect(listed).toEqual([expect.objectContaining({ ip: '127.0.0.1', createdBy: 'alert:brute' })]);
    expect(Date.parse(listed[0]!.until)).toBeGreaterThan(Date.now() + 9 * 60_000);
    expect((await cli('blocks', 'list')).stdout).toMatch(/127\.0\.0\.1\s+\S+\s+alert:brute/);
  });

  it('keeps the block across a restart', async () => {
    expect(await serve.stop()).toBe(0);
    await startServe();
    const res = await chat('model-a');
    expect(res.status).toBe(403);
    expect(await codeOf(res)).toBe('RAMPART_IP_BLOCKED');
  });

  it('serves the address again within a few seconds of `rampart blocks lift`', async () => {
    const lifted = await cli('blocks', 'lift', '::ffff:127.0.0.1');
    expect(lifted.stdout).toContain('Lifted the block of 127.0.0.1');
    const served = await eventually(async () => {
      const res = await chat('model-a');
      await res.body?.cancel();
      return res.status === 200;
    }, 5_000);
    expect(served).toBe(true);
    expect((await cli('blocks', 'lift', '127.0.0.1')).stderr).toMatch(/127\.0\.0\.1 is not blocked/);
    // The CLI's change went to the hash-chained audit log before it was made.
    const unblocked = JSON.parse((await cli('audit', 'tail', '--type', 'ip_unblocked', '--json')).stdout) as { actor: string; ip: string }[];
    expect(unblocked).toEqual([expect.objectContaining({ actor: 'cli', ip: '127.0.0.1' })]);
  });

  it('applies `rampart blocks add` to a running server within a few seconds, to that address only', async () => {
    expect(await statusFrom('127.0.0.2')).toBe(200);
    const added = await cli('blocks', 'add', '127.0.0.2', '--minutes', '5', '--reason', 'e2e');
    expect(added.stdout).toMatch(/^Blocked 127\.0\.0\.2 until /);
    expect(await eventually(async () => (await statusFrom('127.0.0.2')) === 403, 5_000)).toBe(true);
    expect(await statusFrom('127.0.0.1')).toBe(200);
    expect((await cli('blocks', 'add', '127.1', '--minutes', '5')).stderr).toMatch(/must be an IPv4 or IPv6 address/);
    expect((await cli('blocks', 'add', '127.0.0.3', '--minutes', '0')).stderr).toMatch(/--minutes must be/);
    await cli('blocks', 'lift', '127.0.0.2');
  });
});
