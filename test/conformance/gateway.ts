import { type RunningProcess, makeWorkdir, runCli, startCli } from '../e2e/harness.ts';

/** Model names the conformance config routes to each provider type (all served by one mock upstream). */
export const MODELS = {
  openai: 'gpt-4o-mini',
  anthropic: 'claude-test-model',
  gemini: 'gemini-2.5-flash',
  'openai-compatible': 'compat-model',
} as const;

export type ProviderType = keyof typeof MODELS;

/** A running gateway in front of the mock: real `rampart mock-upstream` and `rampart serve` processes. */
export interface Gateway {
  proxyUrl: string;
  mockUrl: string;
  key: string;
  serve: RunningProcess;
  stop(): Promise<void>;
}

/** Starts mock + gateway with one provider of each type, and creates a client key with the CLI. */
export async function startGateway(): Promise<Gateway> {
  const work = await makeWorkdir();
  const upstreamKey = 'sk-conformance-upstream';
  const mock = startCli(['mock-upstream', '--port', '0', '--api-key', upstreamKey]);
  const mockUrl = (await mock.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/))[1]!;
  const provider = (id: string, type: ProviderType, baseUrl: string) =>
    `  - id: ${id}\n    type: ${type}\n    allowPrivateNetwork: true\n    baseUrl: ${baseUrl}\n    credentials: [{ apiKey: "\${UPSTREAM_KEY}" }]\n    models: [${MODELS[type]}]\n`;
  const config = await work.writeConfig(
    // Fault tests hit the same credentials over and over: cooldowns of 1 ms keep each case independent (failover and
    // cooldowns have their own end-to-end tests).
    `server:\n  proxy: { host: 127.0.0.1, port: 0 }\n  metrics: { port: 0 }\n  dashboard: { port: 0 }\nlogging: { level: warn }\nrouting:\n  cooldowns: { authMs: 1, modelNotFoundMs: 1, rateLimitBaseMs: 1, rateLimitMaxMs: 1, serverErrorMs: 1, networkMs: 1 }\nproviders:\n` +
      provider('oai', 'openai', `${mockUrl}/v1`) +
      provider('ant', 'anthropic', mockUrl) +
      provider('gem', 'gemini', mockUrl) +
      provider('compat', 'openai-compatible', `${mockUrl}/v1`),
  );
  const created = await runCli(['keys', 'create', '--name', 'conformance', '--json', '--config', config]);
  const key = (JSON.parse(created.stdout) as { key: string }).key;
  const serve = startCli(['serve', '--config', config], { env: { UPSTREAM_KEY: upstreamKey } });
  const proxyUrl = (await serve.waitFor(/proxy listening on (http:\/\/127\.0\.0\.1:\d+)/))[1]!;
  return {
    proxyUrl,
    mockUrl,
    key,
    serve,
    async stop() {
      await serve.stop();
      await mock.stop();
      await work.remove();
    },
  };
}

/** A tool every SDK declares the same way: the mock calls it when the prompt says `call get_weather`. */
export const WEATHER_TOOL = {
  name: 'get_weather',
  description: 'Current weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
} as const;

/** What the mock answers for a prompt: `Echo: <prompt>`. */
export const PROMPT = 'hello conformance';
export const ECHO = `Echo: ${PROMPT}`;
export const TOOL_PROMPT = 'please call get_weather';
