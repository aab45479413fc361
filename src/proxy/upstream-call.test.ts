import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { RampartError } from '../errors/catalogue.ts';
import type { ProviderRuntime } from '../routing/router.ts';
import { REDIRECT_MESSAGE } from '../upstream/map-status.ts';
import { UpstreamClient } from '../upstream/upstream-client.ts';
import { retryDelayFromBody, sendChecked } from './upstream-call.ts';

describe('retryDelayFromBody', () => {
  it('reads Google RetryInfo delays, rounding up', () => {
    const body = JSON.stringify({ error: { code: 429, status: 'RESOURCE_EXHAUSTED', details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '7s' }] } });
    expect(retryDelayFromBody(Buffer.from(body))).toBe(7);
    expect(retryDelayFromBody(Buffer.from('{"retryDelay": "1.2s"}'))).toBe(2);
    expect(retryDelayFromBody(Buffer.from('{"error":{}}'))).toBeUndefined();
  });
});

describe('sendChecked', () => {
  it('turns a redirect into RAMPART_UPSTREAM_ERROR instead of treating it as a success', async () => {
    const server = createServer((_req, res) => res.writeHead(302, { location: 'http://127.0.0.1:9/elsewhere' }).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const upstream = new UpstreamClient();
    try {
      const { port } = server.address() as AddressInfo;
      // sendChecked reads only these two fields of the provider.
      const provider = { timeouts: { connectMs: 2000, headersMs: 2000, idleMs: 2000 }, allowPrivateNetwork: true } as unknown as ProviderRuntime;
      const call = { url: `http://127.0.0.1:${port}/v1/chat/completions`, method: 'POST' as const, headers: {}, body: '{}' };
      const error: unknown = await sendChecked(upstream, call, provider, new AbortController().signal).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RampartError);
      expect(error).toMatchObject({ code: 'RAMPART_UPSTREAM_REDIRECT', message: REDIRECT_MESSAGE });
    } finally {
      await upstream.close();
      server.close();
    }
  });
});
