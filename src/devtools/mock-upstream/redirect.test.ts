// The redirect fault, seen by node:http (which never follows redirects, so nothing here can reach the target).
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFaultSpec } from './faults.ts';
import type { MockUpstream } from './index.ts';
import { startMockUpstream } from './index.ts';
import { DEFAULT_REDIRECT_LOCATION, REDIRECT_STATUS } from './redirect.ts';
import { chatBody, stats } from './test-support.ts';

let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockUpstream({ port: 0 });
});
afterAll(() => mock.close());

interface RawAnswer {
  status: number;
  location: string | undefined;
}

function rawPost(path: string, body: unknown, headers: Record<string, string> = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(`${mock.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('parseFaultSpec: redirect', () => {
  it('defaults to the cloud metadata address and takes an absolute http(s) URL', () => {
    expect(parseFaultSpec('redirect')).toEqual({ ok: true, faults: { redirect: DEFAULT_REDIRECT_LOCATION } });
    expect(parseFaultSpec('redirect=http://127.0.0.1:9/x?a=b')).toEqual({ ok: true, faults: { redirect: 'http://127.0.0.1:9/x?a=b' } });
  });

  it.each(['redirect=', 'redirect=/relative', 'redirect=ftp://example.test/', 'redirect=not a url'])('rejects %s', (spec) => {
    expect(parseFaultSpec(spec)).toMatchObject({ ok: false, item: spec });
  });
});

describe('redirect fault', () => {
  it('answers 307 to the metadata address from a message directive, and serves nothing else', async () => {
    const before = (await stats(mock.url)).requests;
    const answer = await rawPost('/v1/chat/completions', chatBody('hi [mock:redirect]'));
    expect(answer).toEqual({ status: REDIRECT_STATUS, location: 'http://169.254.169.254/latest/meta-data/' });
    expect((await stats(mock.url)).requests - before).toBe(1);
  });

  it('answers on every API, with the location from the header', async () => {
    const target = 'http://127.0.0.1:9/elsewhere';
    const header = { 'x-mock-fault': `redirect=${target}` };
    const anthropic = { model: 'claude-sonnet-4-5', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] };
    const gemini = { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] };
    for (const [path, body] of [
      ['/v1/chat/completions', chatBody('hi')],
      ['/v1/messages', anthropic],
      ['/v1beta/models/gemini-2.5-flash:generateContent', gemini],
    ] as const) {
      const extra: Record<string, string> = path === '/v1/messages' ? { 'anthropic-version': '2023-06-01' } : {};
      expect(await rawPost(path, body, { ...header, ...extra })).toEqual({ status: 307, location: target });
    }
  });

  it('a stream request is redirected before any event', async () => {
    expect(await rawPost('/v1/chat/completions', chatBody('hi [mock:redirect]', { stream: true }))).toMatchObject({ status: 307 });
  });
});
