/**
 * Benchmark: requests/s and latency of a chat completion sent straight to the mock upstream vs through Rampart,
 * measured in one run on loopback, plus Rampart's own CPU time per request (from /proc/PID/stat).
 *
 *   npm run bench -- [--duration 10] [--connections 50] [--stream]
 *
 * Every load loop is bounded by --duration (seconds) and targets 127.0.0.1 only.
 */
import autocannon from 'autocannon';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = '/work/main';
const BIN = path.join(ROOT, 'bin', 'rampart.js');
const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    stream: { type: 'boolean', default: false },
  },
});
const duration = Math.min(Math.max(Number(args.duration), 1), 120);
const connections = Math.min(Math.max(Number(args.connections), 1), 500);

function start(argv: string[], env: Record<string, string> = {}): { child: ChildProcess; url: Promise<string> } {
  const child = spawn(process.execPath, [BIN, ...argv], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let seen = '';
  const url = new Promise<string>((resolve, reject) => {
    const onData = (d: Buffer): void => {
      seen += d.toString();
      // The proxy's (or the mock's) address, not that of the metrics or dashboard listener.
      const match = /(?<!metrics |dashboard )listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(seen);
      if (match?.[1]) resolve(match[1]);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${argv[0]} exited with ${code}: ${seen}`)));
  });
  return { child, url };
}

/** utime + stime of a process, in seconds (Linux /proc/PID/stat fields 14 and 15, in clock ticks). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks / 100;
}

async function load(title: string, url: string, headers: Record<string, string>, body: string, pid?: number) {
  const cpuBefore = pid === undefined ? 0 : cpuSeconds(pid);
  const result = await autocannon({ title, url, method: 'POST', headers, body, connections, duration });
  const cpu = pid === undefined ? undefined : cpuSeconds(pid) - cpuBefore;
  const ok = result.requests.total - result.non2xx;
  return {
    title,
    reqPerSec: Math.round(result.requests.average),
    p50ms: result.latency.p50,
    p99ms: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    cpuMicrosPerRequest: cpu === undefined || ok === 0 ? undefined : Math.round((cpu * 1e6) / ok),
  };
}

const work = mkdtempSync(path.join(tmpdir(), 'rampart-bench-'));
const upstreamKey = 'sk-bench-upstream';
const mock = start(['mock-upstream', '--port', '0', '--api-key', upstreamKey]);
let serve: ReturnType<typeof start> | undefined;
try {
  const mockUrl = await mock.url;
  const config = path.join(work, 'rampart.yaml');
  writeFileSync(
    config,
    `server:\n  proxy: { host: 127.0.0.1, port: 0 }\n  metrics: { enabled: false }\n  dashboard: { port: 0 }\nlogging: { level: warn, accessLog: false }\n# every layer stays on; the per-IP limit is set above what one loopback load generator sends\nrateLimits: { perIp: { rps: 1000000, burst: 1000000 } }\nproviders:\n  - id: mock\n    type: openai-compatible\n    allowPrivateNetwork: true\n    baseUrl: ${mockUrl}/v1\n    credentials: [{ apiKey: "\${UPSTREAM_KEY}" }]\n    models: [gpt-4o-mini]\n`,
  );
  const created = JSON.parse(execFileSync(process.execPath, [BIN, 'keys', 'create', '--name', 'bench', '--json', '--config', config], { encoding: 'utf8' })) as { key: string };
  serve = start(['serve', '--config', config], { UPSTREAM_KEY: upstreamKey });
  const proxyUrl = await serve.url;
  const body = JSON.stringify({
    model: 'gpt-4o-mini',
    stream: args.stream,
    messages: [
      { role: 'system', content: 'You are a helpful assistant.' },
      { role: 'user', content: 'Summarise the benefits of a gateway in front of LLM APIs in one sentence.' },
    ],
  });
  const json = { 'content-type': 'application/json' };
  // Warm both paths (JIT, keep-alive pools) before measuring.
  await autocannon({ url: `${proxyUrl}/v1/chat/completions`, method: 'POST', headers: { ...json, authorization: `Bearer ${created.key}` }, body, connections: 10, amount: 500 });
  const direct = await load('direct', `${mockUrl}/v1/chat/completions`, { ...json, authorization: `Bearer ${upstreamKey}` }, body, mock.child.pid);
  const viaRampart = await load('rampart', `${proxyUrl}/v1/chat/completions`, { ...json, authorization: `Bearer ${created.key}` }, body, serve.child.pid);
  const rows = [direct, viaRampart];
  console.log(`\n${args.stream ? 'streaming' : 'non-streaming'} chat completion, ${connections} connections, ${duration} s each, loopback, ${process.version}\n`);
  console.log('| path | req/s | p50 ms | p99 ms | requests | non-2xx | errors | CPU µs/req (that process) |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.title} | ${r.reqPerSec} | ${r.p50ms} | ${r.p99ms} | ${r.requests} | ${r.non2xx} | ${r.errors} | ${r.cpuMicrosPerRequest ?? '-'} |`);
  console.log(`\nRampart / direct throughput ratio: ${(viaRampart.reqPerSec / direct.reqPerSec).toFixed(2)}`);
  console.log(`Added p50 latency: ${(viaRampart.p50ms - direct.p50ms).toFixed(1)} ms`);
  if (viaRampart.non2xx > 0 || viaRampart.errors > 0) process.exitCode = 1;
} finally {
  serve?.child.kill('SIGTERM');
  mock.child.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
}
