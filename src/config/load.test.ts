import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, loadDataDir, parseConfig } from './load.ts';
import { providerBaseUrl } from './schema.ts';

const KEY = 'sk-test-0123456789';

/** A valid provider entry in YAML flow style, with overridable fields. */
function provider(fields: Record<string, string> = {}): string {
  const all = {
    id: 'local',
    type: 'openai-compatible',
    baseUrl: 'http://127.0.0.1:9999/v1',
    // the tests' upstream is on loopback, which a provider must opt in to (tested on its own below)
    allowPrivateNetwork: 'true',
    credentials: `[{ apiKey: "${KEY}" }]`,
    models: '[gpt-4o-mini]',
    ...fields,
  };
  return `  - { ${Object.entries(all).map(([k, v]) => `${k}: ${v}`).join(', ')} }\n`;
}

/** The ConfigError thrown by parsing `text`, or a test failure when it parses. */
function errorOf(text: string, env: Record<string, string> = {}, source: string | null = null): ConfigError {
  try {
    parseConfig(text, { env, source, cwd: '/srv/rampart' });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const DEFAULTS = {
  server: {
    proxy: { host: '127.0.0.1', port: 8317 },
    dashboard: { enabled: true, host: '127.0.0.1', port: 3000 },
    metrics: { enabled: true, host: '127.0.0.1', port: 9090 },
    allowInsecureBind: false,
  },
  dataDir: './data',
  audit: {
    batchSize: 256,
    checkpoint: { everyRecords: 1000, everySeconds: 300 },
    flushIntervalMs: 20,
    maxQueuedEvents: 10_000,
    onFailure: { proxy: 'block' },
    writeTimeoutMs: 5000,
  },
  logging: { level: 'info', accessLog: true },
  limits: {
    maxBodyBytes: 4_194_304,
    headersTimeoutMs: 10_000,
    requestTimeoutMs: 60_000,
    keepAliveTimeoutMs: 65_000,
    idleSocketTimeoutMs: 300_000,
    maxConnections: 4096,
    maxConcurrentPerKey: 64,
  },
  providers: [],
  routing: {
    retries: 2,
    retryJitterMs: 100,
    fallbacks: {},
    cooldowns: { authMs: 1_800_000, modelNotFoundMs: 1_800_000, rateLimitBaseMs: 1_000, rateLimitMaxMs: 1_800_000, serverErrorMs: 60_000, networkMs: 5_000 },
  },
  security: {
    trustedProxies: [],
    ipAllowlist: [],
    ipDenylist: [],
    allowQueryKey: false,
    hsts: 'auto',
    cors: { allowedOrigins: [] },
    maintenance: { enabled: false, message: 'Rampart is under maintenance; try again later.' },
  },
  rateLimits: { perIp: { enabled: true, rps: 50, burst: 100 } },
  validation: { maxJsonDepth: 64, maxStringLength: 4_194_304, modelMaxTokens: {} },
  waf: { mode: 'detect', builtin: { secrets: true, ruleModes: {} }, rules: [] },
  vault: {},
  alerts: {
    rules: [
      { id: 'auth-failures-per-ip', on: 'auth_failure', per: 'ip', threshold: 20, windowSeconds: 300, action: 'block-ip', blockMinutes: 15 },
      { id: 'rate-limit-spike', on: 'rate_limited', per: 'global', threshold: 100, windowSeconds: 60, action: 'alert', blockMinutes: 15 },
    ],
    neverBlock: [],
    maxTrackedSubjects: 10_000,
  },
  oauth: {
    callbackTimeoutMs: 300_000,
    httpTimeoutMs: 30_000,
    claude: {
      authorizeUrl: 'https://claude.ai/oauth/authorize',
      tokenUrl: 'https://api.anthropic.com/v1/oauth/token',
      clientId: '9d1c250a-e61b-44d9-88ed-5944d1962f5e',
      scopes: ['org:create_api_key', 'user:profile', 'user:inference'],
      extraAuthorizeParams: { code: 'true' },
      tokenRequestFormat: 'json',
      redirectHost: 'localhost',
      callbackHost: '127.0.0.1',
      callbackPort: 54545,
      callbackPath: '/callback',
      refreshMarginMs: 300_000,
    },
    codex: {
      authorizeUrl: 'https://auth.openai.com/oauth/authorize',
      tokenUrl: 'https://auth.openai.com/oauth/token',
      clientId: 'app_EMoamEEZ73f0CkXaXp7hrann',
      scopes: ['openid', 'email', 'profile', 'offline_access'],
      extraAuthorizeParams: { prompt: 'login', id_token_add_organizations: 'true', codex_cli_simplified_flow: 'true' },
      tokenRequestFormat: 'form',
      redirectHost: 'localhost',
      callbackHost: '127.0.0.1',
      callbackPort: 1455,
      callbackPath: '/auth/callback',
      refreshMarginMs: 300_000,
    },
    gemini: {
      authorizeUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
      tokenUrl: 'https://oauth2.googleapis.com/token',
      clientId: '681255809395-oo8ft2oprdrnp9e3aqf6av3hmdib135j.apps.googleusercontent.com',
      clientSecret: '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',
      scopes: ['https://www.googleapis.com/auth/cloud-platform', 'https://www.googleapis.com/auth/userinfo.email', 'https://www.googleapis.com/auth/userinfo.profile'],
      extraAuthorizeParams: { access_type: 'offline', prompt: 'consent' },
      tokenRequestFormat: 'form',
      redirectHost: 'localhost',
      callbackHost: '127.0.0.1',
      callbackPort: 8085,
      callbackPath: '/oauth2callback',
      refreshMarginMs: 300_000,
    },
  },
};

describe('parseConfig: defaults', () => {
  it.each([
    ['an empty file', ''],
    ['a file of comments only', '# nothing configured yet\n'],
    ['an empty mapping', '{}\n'],
  ])('gives the full default config for %s', (_name, text) => {
    const loaded = parseConfig(text, { env: {}, cwd: '/srv/rampart' });
    expect(loaded.config).toEqual(DEFAULTS);
    expect(loaded.source).toBeNull();
    expect(loaded.dataDir).toBe('/srv/rampart/data');
  });

  it('fills provider timeouts and keeps explicit values', () => {
    const loaded = parseConfig(`providers:\n${provider({ timeouts: '{ idleMs: 5 }' })}`, { env: {} });
    expect(loaded.config.providers[0]?.timeouts).toEqual({ connectMs: 10_000, headersMs: 60_000, idleMs: 5 });
  });

  it('fills a partly written listener', () => {
    const loaded = parseConfig('server:\n  proxy: { port: 0 }\n', { env: {} });
    expect(loaded.config.server.proxy).toEqual({ host: '127.0.0.1', port: 0 });
    expect(loaded.config.server.metrics).toEqual({ enabled: true, host: '127.0.0.1', port: 9090 });
  });

  it('returns fresh default objects, so mutating one config cannot leak into the next', () => {
    const first = parseConfig('', { env: {} });
    first.config.server.proxy.port = 1;
    first.config.providers.push({} as never);
    expect(parseConfig('', { env: {} }).config).toEqual(DEFAULTS);
  });
});

describe('parseConfig: dataDir', () => {
  it("resolves a relative dataDir against the config file's folder, not the working directory", () => {
    const loaded = parseConfig('dataDir: ./state\n', { env: {}, source: '/etc/rampart/rampart.yaml', cwd: '/tmp' });
    expect(loaded.dataDir).toBe('/etc/rampart/state');
    expect(loaded.config.dataDir).toBe('./state');
  });

  it('keeps an absolute dataDir', () => {
    const loaded = parseConfig('dataDir: /var/lib/rampart\n', { env: {}, source: '/etc/rampart/rampart.yaml' });
    expect(loaded.dataDir).toBe('/var/lib/rampart');
  });

  it('makes a relative source absolute against cwd', () => {
    const loaded = parseConfig('', { env: {}, source: 'conf/r.yaml', cwd: '/srv' });
    expect(loaded.source).toBe('/srv/conf/r.yaml');
    expect(loaded.dataDir).toBe('/srv/conf/data');
  });
});

describe('parseConfig: validation', () => {
  it('starts the message with the file path and keeps a single problem on one line', () => {
    const error = errorOf(`providers:\n${provider({ baseUrl: 'ftp://h/x' })}`, {}, '/x/rampart.yaml');
    expect(error.message).toBe('invalid config /x/rampart.yaml: providers[0].baseUrl: must be an http(s) URL, not ftp:');
    expect(error.source).toBe('/x/rampart.yaml');
    expect(error.issues).toEqual([{ path: 'providers[0].baseUrl', message: 'must be an http(s) URL, not ftp:' }]);
  });

  it('gives several problems one indented line each', () => {
    const error = errorOf('server:\n  proxy: { port: 99999 }\nlogging: { level: loud }\n', {}, '/x/rampart.yaml');
    const lines = error.message.split('\n');
    expect(lines[0]).toBe('invalid config /x/rampart.yaml:');
    expect(lines.slice(1)).toHaveLength(2);
    for (const line of lines.slice(1)) expect(line).toMatch(/^ {2}(server\.proxy\.port|logging\.level): /);
  });

  it.each([
    ['server.proxy: { hots: 1 }', 'server.proxy.hots', 'unknown key (did you mean "host"?)'],
    ['logging: { colour: true }', 'logging.colour', 'unknown key (allowed: level, accessLog)'],
    ['datadir: ./x', 'datadir', 'unknown key (did you mean "dataDir"?)'],
  ])('rejects an unknown key and names it: %s', (yaml, path, message) => {
    const text = yaml.startsWith('server.proxy') ? 'server:\n  proxy: { hots: 1 }\n' : `${yaml}\n`;
    expect(errorOf(text).issues).toEqual([{ path, message }]);
  });

  it('rejects an unknown key inside a provider entry', () => {
    const error = errorOf(`providers:\n${provider({ apikey: 'x' })}`);
    expect(error.issues.map((i) => i.path)).toEqual(['providers[0].apikey']);
  });

  it('treats a YAML key named __proto__ as an unknown key, not as a prototype', () => {
    const error = errorOf('server:\n  __proto__: { allowInsecureBind: true }\n  proxy: { host: 0.0.0.0 }\n');
    expect(error.issues.map((i) => i.path)).toEqual(['server.__proto__', 'server.proxy.host']);
  });

  it.each([
    ['ftp://example.com/v1', 'must be an http(s) URL, not ftp:'],
    ['file:///etc/passwd', 'must be an http(s) URL, not file:'],
    ['not a url', 'must not contain whitespace'],
    ['example.com/v1', 'must be an http(s) URL'],
    ['https://user:pass@example.com/v1', 'must not contain credentials (put them under credentials[].apiKey)'],
    ['https://example.com/v1?key=1', 'must not contain a query string or fragment'],
    ['https://example.com/v1#x', 'must not contain a query string or fragment'],
    ['https://example.com/v1?', 'must not contain a query string or fragment'],
  ])('rejects baseUrl %s', (url, message) => {
    const error = errorOf(`providers:\n${provider({ baseUrl: JSON.stringify(url) })}`);
    expect(error.issues).toEqual([{ path: 'providers[0].baseUrl', message }]);
  });

  it.each([
    ['http://127.0.0.1:9999/v1/', 'http://127.0.0.1:9999/v1'],
    ['https://api.example.com/', 'https://api.example.com'],
    ['HTTPS://API.Example.com:443/v1//', 'https://api.example.com/v1'],
    ['http://[::1]:8080/v1', 'http://[::1]:8080/v1'],
  ])('normalises baseUrl %s', (url, expected) => {
    const loaded = parseConfig(`providers:\n${provider({ baseUrl: JSON.stringify(url) })}`, { env: {} });
    expect(loaded.config.providers[0]?.baseUrl).toBe(expected);
  });

  it('rejects duplicate provider ids at the second id', () => {
    const error = errorOf(`providers:\n${provider()}${provider({ id: 'other' })}${provider()}`);
    expect(error.issues).toEqual([{ path: 'providers[2].id', message: 'duplicate provider id, already used by providers[0]' }]);
  });

  // Cross-field checks run even when other fields fail, so one run reports every problem.
  it('reports duplicate ids and models together with type errors', () => {
    const error = errorOf(`providers:\n${provider()}${provider({ models: '[a, 5, a]' })}${provider({ models: '5' })}`);
    expect(error.issues).toEqual([
      { path: 'providers[1].models[1]', message: 'must be a model name or a mapping { name, upstream }' },
      { path: 'providers[1].models[2]', message: 'duplicate model, already at index 0' },
      { path: 'providers[2].models', message: 'must be a list, not a number' },
      { path: 'providers[1].id', message: 'duplicate provider id, already used by providers[0]' },
      { path: 'providers[2].id', message: 'duplicate provider id, already used by providers[0]' },
    ]);
  });

  it('reports a refused bind together with a type error in the same listener', () => {
    const error = errorOf('server:\n  proxy: { host: 0.0.0.0, port: x }\n');
    expect(error.issues.map((i) => i.path)).toEqual(['server.proxy.port', 'server.proxy.host']);
  });

  it.each([
    ['id: Local', 'providers[0].id', 'must be 1-63 characters of a-z, 0-9, _ and -, starting with a letter or digit'],
    ['id: -x', 'providers[0].id', 'must be 1-63 characters of a-z, 0-9, _ and -, starting with a letter or digit'],
    ['type: bedrock', 'providers[0].type', 'must be one of: openai, anthropic, gemini, openai-compatible'],
    ['credentials: [{ apiKey: "" }]', 'providers[0].credentials[0].apiKey', 'must not be empty'],
    ['models: []', 'providers[0].models', 'must have at least 1 entry'],
    ['models: [a, b, a]', 'providers[0].models[2]', 'duplicate model, already at index 0'],
    ['models: [""]', 'providers[0].models[0]', 'must be a non-empty model name without whitespace or parentheses'],
    ['models: ["m(high)"]', 'providers[0].models[0]', 'must be a non-empty model name without whitespace or parentheses'],
    ['models: [{ name: fast }]', 'providers[0].models[0]', 'must be a model name or a mapping { name, upstream }'],
    ['policy: random', 'providers[0].policy', 'must be one of: round-robin, fill-first, weighted'],
    ['credentials: [{ apiKey: k, weight: 0 }]', 'providers[0].credentials[0].weight', 'must be at least 1'],
    ['credentials: [{ apiKey: k, id: a }, { apiKey: l, id: a }]', 'providers[0].credentials[1].id', 'duplicate credential id, already used by credentials[0]'],
    ['timeouts: { connectMs: 0 }', 'providers[0].timeouts.connectMs', 'must be greater than 0'],
    ['timeouts: { idleMs: 1.5 }', 'providers[0].timeouts.idleMs', 'must be an integer'],
    ['timeouts: { headersMs: 2147483648 }', 'providers[0].timeouts.headersMs', 'must be at most 2147483647'],
  ])('rejects provider field %s', (field, path, message) => {
    const [key, value] = field.split(/: (.*)/s) as [string, string];
    expect(errorOf(`providers:\n${provider({ [key]: value })}`).issues).toEqual([{ path, message }]);
  });

  it('accepts a provider without config credentials (the vault may supply them)', () => {
    const { config } = parseConfig('providers:\n  - { id: x, type: openai, models: [m] }\n  - { id: y, type: openai, credentials: [], models: [m] }\n');
    expect(config.providers.map((p) => p.credentials)).toEqual([[], []]);
  });

  it('names every missing required provider field', () => {
    const error = errorOf('providers:\n  - { id: x }\n');
    expect(error.issues).toEqual([
      { path: 'providers[0].type', message: 'must be one of: openai, anthropic, gemini, openai-compatible' },
      { path: 'providers[0].models', message: 'is required' },
    ]);
  });

  it.each([
    ['http://127.0.0.1:9999/v1'],
    ['http://169.254.169.254/latest'],
    ['http://10.0.0.5/v1'],
    ['http://[::1]:8000/v1'],
    ['http://localhost:11434/v1'],
    ['http://2130706433/v1'],
  ])('refuses an internal upstream %s unless allowPrivateNetwork is set (SSRF)', (url) => {
    const yaml = (flag: string) => `providers:\n${provider({ baseUrl: `"${url}"`, allowPrivateNetwork: flag })}`;
    expect(errorOf(yaml('false')).issues).toEqual([{ path: 'providers[0].baseUrl', message: expect.stringMatching(/internal address; set allowPrivateNetwork/) as unknown }]);
    expect(parseConfig(yaml('true'), { env: {} }).config.providers[0]?.allowPrivateNetwork).toBe(true);
  });

  it('defaults baseUrl to the official API root, except for openai-compatible where it is required', () => {
    const minimal = (type: string) => `providers:\n  - { id: x, type: ${type}, credentials: [{ apiKey: k }], models: [m] }\n`;
    const root = (type: string) => providerBaseUrl(parseConfig(minimal(type), { env: {} }).config.providers[0]!);
    expect(root('openai')).toBe('https://api.openai.com/v1');
    expect(root('anthropic')).toBe('https://api.anthropic.com');
    expect(root('gemini')).toBe('https://generativelanguage.googleapis.com');
    expect(errorOf(minimal('openai-compatible')).issues).toEqual([{ path: 'providers[0].baseUrl', message: 'is required for type openai-compatible' }]);
  });

  it.each([
    ['server:\n  proxy: { port: 65536 }\n', 'server.proxy.port', 'must be at most 65535'],
    ['server:\n  proxy: { port: -1 }\n', 'server.proxy.port', 'must be at least 0'],
    ['server:\n  proxy: { port: "8317" }\n', 'server.proxy.port', 'must be a number, not a string'],
    ['server:\n  proxy: { host: "" }\n', 'server.proxy.host', 'must not be empty'],
    ['limits: { maxBodyBytes: 1023 }\n', 'limits.maxBodyBytes', 'must be at least 1024'],
    ['limits: { maxBodyBytes: 104857601 }\n', 'limits.maxBodyBytes', 'must be at most 104857600'],
    ['logging: { level: loud }\n', 'logging.level', 'must be one of: fatal, error, warn, info, debug, trace, silent'],
    ['logging: { accessLog: yes }\n', 'logging.accessLog', 'must be true or false, not a string'],
    ['providers: {}\n', 'providers', 'must be a list, not a mapping'],
    ['server: 5\n', 'server', 'must be a mapping, not a number'],
  ])('rejects %j', (text, path, message) => {
    expect(errorOf(text).issues).toEqual([{ path, message }]);
  });

  it('accepts port 0 (pick a free port) and the maximum port', () => {
    const loaded = parseConfig('server:\n  proxy: { port: 0 }\n  metrics: { port: 65535 }\n', { env: {} });
    expect([loaded.config.server.proxy.port, loaded.config.server.metrics.port]).toEqual([0, 65535]);
  });

  it('rejects two listeners on the same host and port', () => {
    const error = errorOf('server:\n  metrics: { port: 3000 }\n');
    expect(error.issues).toEqual([{ path: 'server.metrics.port', message: 'same host and port as server.dashboard' }]);
  });

  it('rejects a top level that is not a mapping', () => {
    expect(errorOf('- a\n- b\n').issues).toEqual([
      { path: '', message: 'the top level must be a mapping of settings (key: value)' },
    ]);
    expect(errorOf('just text\n').message).toBe(
      'invalid config: the top level must be a mapping of settings (key: value)',
    );
  });
});

describe('parseConfig: listener binding', () => {
  it.each(['0.0.0.0', '::', '192.168.1.10', 'example.com', '[::]'])('refuses host %s without allowInsecureBind', (host) => {
    for (const listener of ['proxy', 'dashboard', 'metrics']) {
      const error = errorOf(`server:\n  ${listener}: { host: "${host}" }\n`);
      expect(error.issues).toHaveLength(1);
      expect(error.issues[0]?.path).toBe(`server.${listener}.host`);
      expect(error.issues[0]?.message).toMatch(/non-loopback.*TLS or a trusted proxy.*server\.allowInsecureBind: true/);
    }
  });

  it('accepts a non-loopback host when allowInsecureBind is true', () => {
    const loaded = parseConfig('server:\n  allowInsecureBind: true\n  proxy: { host: 0.0.0.0 }\n', { env: {} });
    expect(loaded.config.server.proxy.host).toBe('0.0.0.0');
    expect(loaded.config.server.allowInsecureBind).toBe(true);
  });

  it.each(['127.0.0.1', '127.8.9.10', '::1', '[::1]', 'localhost', 'LOCALHOST'])('accepts loopback host %s', (host) => {
    const loaded = parseConfig(`server:\n  proxy: { host: "${host}" }\n`, { env: {} });
    expect(loaded.config.server.proxy.host).toBe(host);
  });
});

describe('parseConfig: YAML', () => {
  it('reports a syntax error with its line and column', () => {
    const error = errorOf('server:\n  proxy: { host: 127.0.0.1\nlogging: {}\n', {}, '/x/r.yaml');
    expect(error.message).toMatch(/^invalid config \/x\/r\.yaml:( |\n {2})YAML line \d+, column \d+: /);
    expect(error.issues[0]?.message).toMatch(/^YAML line 3, column 1: /);
  });

  it('rejects a second YAML document', () => {
    expect(errorOf('dataDir: a\n---\ndataDir: b\n').issues).toEqual([
      { path: '', message: 'YAML line 2, column 1: a config file must hold a single YAML document' },
    ]);
  });

  it('rejects duplicate keys', () => {
    expect(errorOf('dataDir: a\ndataDir: b\n').issues[0]?.message).toMatch(/^YAML line 2, column 1: .*unique/);
  });

  it('rejects unknown tags instead of guessing what they mean', () => {
    expect(errorOf('dataDir: !secret x\n').issues[0]?.message).toMatch(/^YAML line 1, column 10: .*tag/i);
  });

  it('refuses alias bombs', () => {
    // Each level repeats the previous one ten times: 10^6 nodes if expanded.
    const levels = ['l0: &l0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i <= 5; i++) levels.push(`l${i}: &l${i} [${Array<string>(10).fill(`*l${i - 1}`).join(', ')}]`);
    expect(errorOf(`${levels.join('\n')}\n`).issues[0]?.message).toMatch(/^YAML: .*alias/i);
  });
});

describe('parseConfig: secrets stay out of error messages', () => {
  const SECRET = 'Zq9SECRETvalue7';
  it.each([
    ['an apiKey with a space', `providers:\n${provider({ credentials: '[{ apiKey: "${K}" }]' })}`, `${SECRET} x`],
    ['an apiKey with a newline', `providers:\n${provider({ credentials: '[{ apiKey: "${K}" }]' })}`, `${SECRET}\n`],
    ['a baseUrl with credentials', `providers:\n${provider({ baseUrl: '"${K}"' })}`, `https://u:${SECRET}@h/v1`],
    ['a baseUrl with a query', `providers:\n${provider({ baseUrl: '"${K}"' })}`, `https://h/v1?key=${SECRET}`],
    ['a non-URL baseUrl', `providers:\n${provider({ baseUrl: '"${K}"' })}`, SECRET],
    ['a provider id', `providers:\n${provider({ id: '"${K}"' })}`, SECRET],
    ['a log level', 'logging: { level: "${K}" }\n', SECRET],
    ['a port', 'server:\n  proxy: { port: "${K}" }\n', SECRET],
    ['an allowInsecureBind flag', 'server:\n  allowInsecureBind: "${K}"\n', SECRET],
    ['a host', 'server:\n  proxy: { host: "${K}" }\n', SECRET],
  ])('does not echo %s that came from the environment', (_name, text, value) => {
    const error = errorOf(text, { K: value }, '/x/r.yaml');
    expect(error.issues.length).toBeGreaterThan(0);
    expect(error.message).not.toContain(SECRET);
    expect(JSON.stringify(error.issues)).not.toContain(SECRET);
  });
});

describe('loadConfig', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'rampart-config-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('uses the built-in defaults when ./rampart.yaml does not exist', async () => {
    const loaded = await loadConfig({ cwd: dir, env: {} });
    expect(loaded).toEqual({ config: DEFAULTS, source: null, dataDir: path.join(dir, 'data') });
  });

  it('reads ./rampart.yaml from cwd when no path is given', async () => {
    const cwd = path.join(dir, 'default');
    await mkdir(cwd);
    await writeFile(path.join(cwd, 'rampart.yaml'), 'logging: { level: debug }\n');
    const loaded = await loadConfig({ cwd, env: {} });
    expect(loaded.source).toBe(path.join(cwd, 'rampart.yaml'));
    expect(loaded.config.logging.level).toBe('debug');
  });

  it('fails when an explicitly given file does not exist', async () => {
    const missing = path.join(dir, 'nope.yaml');
    await expect(loadConfig({ path: missing, env: {} })).rejects.toThrow(
      new ConfigError([{ path: '', message: 'file does not exist' }], missing),
    );
    await expect(loadConfig({ path: missing, env: {} })).rejects.toThrow(`invalid config ${missing}: file does not exist`);
  });

  it('fails on an explicit path that is a folder', async () => {
    await expect(loadConfig({ path: dir, env: {} })).rejects.toThrow(/cannot read the file \(EISDIR\)/);
  });

  it('resolves a relative path against cwd and dataDir against the file folder', async () => {
    await mkdir(path.join(dir, 'etc'));
    await writeFile(path.join(dir, 'etc', 'r.yaml'), `dataDir: ../var\nproviders:\n${provider({ credentials: '[{ apiKey: "${K}" }]' })}`);
    const loaded = await loadConfig({ path: 'etc/r.yaml', cwd: dir, env: { K: KEY } });
    expect(loaded.source).toBe(path.join(dir, 'etc', 'r.yaml'));
    expect(loaded.dataDir).toBe(path.join(dir, 'var'));
    expect(loaded.config.providers[0]?.credentials).toEqual([{ apiKey: KEY, weight: 1 }]);
  });

  it('uses process.env when no env is given', async () => {
    const name = `RAMPART_TEST_${process.pid}`;
    await writeFile(path.join(dir, 'env.yaml'), `dataDir: \${${name}}\n`);
    process.env[name] = '/from/process/env';
    try {
      expect((await loadConfig({ path: path.join(dir, 'env.yaml') })).dataDir).toBe('/from/process/env');
    } finally {
      delete process.env[name];
    }
  });
});

describe('rampart.example.yaml', () => {
  it('parses with UPSTREAM_KEY set and points at the mock upstream', async () => {
    const file = path.resolve(import.meta.dirname, '../../rampart.example.yaml');
    const loaded = parseConfig(await readFile(file, 'utf8'), { source: file, env: { UPSTREAM_KEY: KEY } });
    expect(loaded.config.providers).toEqual([
      {
        id: 'local',
        type: 'openai-compatible',
        baseUrl: 'http://127.0.0.1:9999/v1',
        credentials: [{ apiKey: KEY, weight: 1 }],
        policy: 'round-robin',
        allowPrivateNetwork: true,
        models: ['gpt-4o-mini', { name: 'fast', upstream: 'gpt-4o-mini' }],
        timeouts: { connectMs: 10_000, headersMs: 60_000, idleMs: 120_000 },
      },
    ]);
    expect(loaded.config.routing.fallbacks).toEqual({});
    expect(loaded.dataDir).toBe(path.resolve(path.dirname(file), 'data'));
  });

  it('fails naming UPSTREAM_KEY when it is not set', async () => {
    const text = await readFile(path.resolve(import.meta.dirname, '../../rampart.example.yaml'), 'utf8');
    expect(() => parseConfig(text, { env: {} })).toThrow(
      'providers[0].credentials[0].apiKey: environment variable UPSTREAM_KEY is not set',
    );
  });
});


describe('loadDataDir (state commands)', () => {
  it('resolves dataDir without needing the env vars the rest of the file references', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'rampart-datadir-'));
    try {
      const file = path.join(dir, 'rampart.yaml');
      await writeFile(file, 'dataDir: ./state-${SUFFIX}\nproviders:\n  - id: a\n    type: openai-compatible\n    baseUrl: http://127.0.0.1:1/v1\n    credentials: [{ apiKey: "${NOT_SET_ANYWHERE}" }]\n    models: [m]\n');
      const loaded = await loadDataDir({ path: file, env: { SUFFIX: 'x' } });
      expect(loaded).toEqual({ source: file, dataDir: path.join(dir, 'state-x') });
      await expect(loadDataDir({ path: file, env: {} })).rejects.toThrow(/dataDir: .*SUFFIX/);
      await writeFile(file, 'dataDir: 42\n');
      await expect(loadDataDir({ path: file, env: {} })).rejects.toThrow(/dataDir/);
      await expect(loadDataDir({ path: path.join(dir, 'absent.yaml') })).rejects.toThrow(/does not exist/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
