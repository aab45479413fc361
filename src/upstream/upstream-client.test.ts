// UpstreamClient against real servers on 127.0.0.1 only. Fake names resolve through an injected resolver to
// loopback, so a guard that failed open would be caught by the local server's connection count, never by traffic
// leaving the machine.
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RampartError } from '../errors/catalogue.ts';
import { startMockUpstream } from '../devtools/mock-upstream/index.ts';
import { ForbiddenAddressError, type Resolver } from './guarded-connect.ts';
import { RESPONSE_TOO_LARGE_MESSAGE, UpstreamClient, type UpstreamPolicy, createByteCounter, readBodyCapped } from './upstream-client.ts';

interface TestServer {
  url: string;
  port: number;
  connections: number;
  requests: number;
  close(): Promise<void>;
}

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<TestServer> {
  const server: Server = createServer((req, res) => {
    state.requests++;
    handler(req, res);
  });
  server.on('connection', () => state.connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const state: TestServer = {
    url: `http://127.0.0.1:${port}`,
    port,
    connections: 0,
    requests: 0,
    close: () => new Promise((resolve) => server.close(() => resolve()).closeAllConnections()),
  };
  return state;
}

const ok = (_req: IncomingMessage, res: ServerResponse): void => {
  res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
};

const resolverCalls: string[] = [];
const resolve: Resolver = (host) => {
  resolverCalls.push(host);
  if (host === 'app.test' || host === 'evil.test') return Promise.resolve([{ address: '127.0.0.1', family: 4 }]);
  if (host === 'mapped.test') return Promise.resolve([{ address: '::ffff:127.0.0.1', family: 6 }]);
  if (host === 'slow.test') return new Promise(() => {}); // a resolver that never answers
  return Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }));
};

const policy = (allowPrivateNetwork: boolean, overrides: Partial<UpstreamPolicy> = {}): UpstreamPolicy => ({
  connectMs: 2000,
  headersMs: 2000,
  idleMs: 2000,
  allowPrivateNetwork,
  ...overrides,
});
const get = (url: string) => ({ url, method: 'GET' as const, headers: {} });
const signal = (): AbortSignal => new AbortController().signal;

let client: UpstreamClient | undefined;
let target: TestServer;
beforeAll(async () => {
  target = await serve(ok);
});
afterAll(() => target.close());
afterEach(async () => {
  await client?.close();
  client = undefined;
  resolverCalls.length = 0;
  target.connections = 0;
  target.requests = 0;
});
function newClient(): UpstreamClient {
  client = new UpstreamClient({ resolve });
  return client;
}

async function refusal(promise: Promise<unknown>): Promise<RampartError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RampartError);
  return error as RampartError;
}

describe('SSRF guard', () => {
  it('refuses a name that resolves to loopback before any connection, and the same call passes when allowed', async () => {
    const client = newClient();
    const error = await refusal(client.send(get(`http://evil.test:${target.port}/`), policy(false), signal()));
    expect(error).toMatchObject({ code: 'RAMPART_UPSTREAM_FORBIDDEN_ADDRESS', status: 502, retryable: false });
    expect(error.message).not.toContain('127.0.0.1');
    expect(error.message).not.toContain('evil.test');
    expect(error.cause).toBeInstanceOf(ForbiddenAddressError);
    expect(error.cause).toMatchObject({ host: 'evil.test', address: '127.0.0.1' });
    expect(target.connections).toBe(0);

    const allowed = await client.send(get(`http://evil.test:${target.port}/`), policy(true), signal());
    expect(allowed.statusCode).toBe(200);
    await allowed.body.dump();
    expect(target.connections).toBe(1);
  });

  it.each([
    ['literal IPv4 loopback', (port: number) => `http://127.0.0.1:${port}/`],
    ['IPv4-mapped loopback from DNS', (port: number) => `http://mapped.test:${port}/`],
    ['literal IPv6 loopback', (port: number) => `http://[::1]:${port}/`],
    ['literal IPv4-mapped loopback', (port: number) => `http://[::ffff:127.0.0.1]:${port}/`],
    ['integer spelling of loopback', (port: number) => `http://2130706433:${port}/`],
  ])('refuses %s without connecting', async (_what, url) => {
    const client = newClient();
    const error = await refusal(client.send(get(url(target.port)), policy(false), signal()));
    expect(error.code).toBe('RAMPART_UPSTREAM_FORBIDDEN_ADDRESS');
    expect(error.cause).toBeInstanceOf(ForbiddenAddressError);
    expect(target.connections).toBe(0);
  });

  it('keeps separate pools per policy: an allowed connection is never reused for a refused call', async () => {
    const client = newClient();
    const first = await client.send(get(`${target.url}/`), policy(true), signal());
    await first.body.dump();
    expect(target.connections).toBe(1);
    const error = await refusal(client.send(get(`${target.url}/`), policy(false), signal()));
    expect(error.cause).toBeInstanceOf(ForbiddenAddressError);
    expect(target.requests).toBe(1);
  });

  it('connects to the address it checked: a name only the injected resolver knows still reaches the server', async () => {
    const client = newClient();
    // app.test is not in any real DNS (RFC 6761 reserves .test); only the checked answer can lead to the server.
    const response = await client.send(get(`http://app.test:${target.port}/`), policy(true), signal());
    expect(response.statusCode).toBe(200);
    await response.body.dump();
    expect(resolverCalls).toEqual(['app.test']);
  });

  it('bounds name resolution by the connect timeout', async () => {
    // Unbounded, this would hang until the test's own timeout.
    const error = await refusal(newClient().send(get('http://slow.test/'), policy(false, { connectMs: 150 }), signal()));
    expect(error.code).toBe('RAMPART_UPSTREAM_TIMEOUT');
  });

  it('maps an unknown name to RAMPART_UPSTREAM_UNAVAILABLE', async () => {
    const client = newClient();
    expect((await refusal(client.send(get('http://nowhere.test/'), policy(false), signal()))).code).toBe('RAMPART_UPSTREAM_UNAVAILABLE');
  });

  it.each(['ftp://127.0.0.1/', 'file:///etc/passwd'])('refuses the non-http URL %s', async (url) => {
    const client = newClient();
    expect((await refusal(client.send(get(url), policy(true), signal()))).code).toBe('RAMPART_UPSTREAM_ERROR');
  });
});

describe('redirects', () => {
  it('returns a 302 as it is and never requests its location', async () => {
    const client = newClient();
    const redirector = await serve((_req, res) => res.writeHead(302, { location: `${target.url}/followed` }).end());
    try {
      const response = await client.send(get(`${redirector.url}/start`), policy(true), signal());
      expect(response.statusCode).toBe(302);
      expect(response.headers.location).toBe(`${target.url}/followed`);
      await response.body.dump();
      expect(target.requests).toBe(0);
    } finally {
      await redirector.close();
    }
  });

  it("passes the mock upstream's 307 redirect fault through unfollowed", async () => {
    const client = newClient();
    const mock = await startMockUpstream({ port: 0 });
    try {
      const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `hi [mock:redirect=${target.url}/followed]` }] });
      const call = { url: `${mock.url}/v1/chat/completions`, method: 'POST' as const, headers: { 'content-type': 'application/json' }, body };
      const response = await client.send(call, policy(true), signal());
      expect(response.statusCode).toBe(307);
      await response.body.dump();
      expect(target.requests).toBe(0);
    } finally {
      await mock.close();
    }
  });
});

describe('timeouts and size caps', () => {
  it('times out waiting for response headers', async () => {
    const client = newClient();
    const silent = await serve(() => {});
    try {
      const error = await refusal(client.send(get(`${silent.url}/`), policy(true, { headersMs: 100 }), signal()));
      expect(error.code).toBe('RAMPART_UPSTREAM_TIMEOUT');
    } finally {
      await silent.close();
    }
  });

  it('times out when the body goes silent', async () => {
    const client = newClient();
    const stalls = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"partial":');
    });
    try {
      const response = await client.send(get(`${stalls.url}/`), policy(true, { idleMs: 100 }), signal());
      const error = await refusal(readBodyCapped(response.body, 1024));
      expect(error.code).toBe('RAMPART_UPSTREAM_TIMEOUT');
    } finally {
      await stalls.close();
    }
  });

  it('readBodyCapped refuses a body over the cap and returns one at the cap', async () => {
    const client = newClient();
    const big = await serve((_req, res) => res.writeHead(200).end(Buffer.alloc(4096, 0x61)));
    try {
      const over = await client.send(get(`${big.url}/`), policy(true), signal());
      const error = await refusal(readBodyCapped(over.body, 4095));
      expect(error).toMatchObject({ code: 'RAMPART_UPSTREAM_INVALID_RESPONSE', message: RESPONSE_TOO_LARGE_MESSAGE });
      const exact = await client.send(get(`${big.url}/`), policy(true), signal());
      expect((await readBodyCapped(exact.body, 4096)).length).toBe(4096);
    } finally {
      await big.close();
    }
  });

  it('cuts any response past the client-wide cap, streamed ones included', async () => {
    client = new UpstreamClient({ resolve, maxResponseBytes: 1024 });
    const big = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' }); // chunked, no content-length to refuse up front
      for (let i = 0; i < 8; i++) res.write(Buffer.alloc(512, 0x61));
      res.end();
    });
    try {
      const response = await client.send(get(`${big.url}/`), policy(true), signal());
      const error = await refusal(readBodyCapped(response.body, 1024 * 1024));
      expect(error).toMatchObject({ code: 'RAMPART_UPSTREAM_INVALID_RESPONSE', message: RESPONSE_TOO_LARGE_MESSAGE });
    } finally {
      await big.close();
    }
  });

  it('createByteCounter counts up to the cap and throws past it', () => {
    const counter = createByteCounter(10);
    counter.add(new Uint8Array(6));
    counter.add(new Uint8Array(4));
    expect(counter.bytes).toBe(10);
    expect(() => counter.add(new Uint8Array(1))).toThrow(RESPONSE_TOO_LARGE_MESSAGE);
  });
});
