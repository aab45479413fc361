import Fastify from 'fastify';
import { describe, expect, it, vi } from 'vitest';
import { wafSchema } from '../config/waf-schema.ts';
import { RampartError } from '../errors/catalogue.ts';
import type { CanonicalRequest } from '../formats/canonical/types.ts';
import { createWaf } from '../waf/create-waf.ts';
import { errorHandler } from './error-handler.ts';
import { wafCheck, wafStep } from './waf.ts';

const GOOGLE_KEY = `AIza${'SyD3xQ7mK9pL2vN8bR4tW6yZ0cF5hJ1gE3a'}`;
const JWT = ['eyJhbGciOiJIUzI1NiJ9', 'eyJzdWIiOiIxMjM0NTY3ODkwIn0', 'dBjftJeZ4CVPmB92K27uhbUJU1p1r_wW1gFWFOEjXk'].join('.');

function chat(text: string): CanonicalRequest {
  return { model: 'gemini-2.5-pro', stream: false, system: [], messages: [{ role: 'user', content: [{ type: 'text', text }] }] };
}

const base = { route: '/v1beta/models/gemini-2.5-pro:generateContent?key=rk_live_secretquery', model: 'gemini-2.5-pro', headers: {} };

describe('wafCheck', () => {
  it('throws RAMPART_WAF_BLOCKED (403) naming only the rule id', () => {
    const onBlock = vi.fn();
    let thrown: unknown;
    try {
      wafCheck(createWaf(wafSchema.parse({ mode: 'block' })), { ...base, promptText: GOOGLE_KEY }, { onDetect: vi.fn(), onBlock });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(RampartError);
    const error = thrown as RampartError;
    expect([error.code, error.status, error.kind, error.message]).toEqual(['RAMPART_WAF_BLOCKED', 403, 'permission', 'Blocked by rule secrets.google-api-key.']);
    expect(onBlock).toHaveBeenCalledWith('secrets.google-api-key', { route: '/v1beta/models/gemini-2.5-pro:generateContent', model: 'gemini-2.5-pro', keyId: null });
  });

  it('reports each detection with the path only (a query string can carry a key) and lets the request through', () => {
    const onDetect = vi.fn();
    wafCheck(createWaf(wafSchema.parse({ mode: 'detect' })), { ...base, promptText: `${GOOGLE_KEY} ${JWT}`, keyId: 'key_1' }, { onDetect });
    const context = { route: '/v1beta/models/gemini-2.5-pro:generateContent', model: 'gemini-2.5-pro', keyId: 'key_1' };
    expect(onDetect.mock.calls).toEqual([['secrets.google-api-key', context], ['secrets.jwt', context]]);
    expect(JSON.stringify(onDetect.mock.calls)).not.toContain('secretquery');
  });

  it('does nothing when the WAF is off', () => {
    const onDetect = vi.fn();
    wafCheck(createWaf(wafSchema.parse({ mode: 'off' })), { ...base, promptText: GOOGLE_KEY }, { onDetect });
    expect(onDetect).not.toHaveBeenCalled();
  });
});

describe('wafStep in Fastify', () => {
  async function app(config: unknown, onDetect = vi.fn()) {
    const step = wafStep({ config: wafSchema.parse(config), onDetect });
    const instance = Fastify();
    instance.decorateRequest('clientKey', null);
    instance.setErrorHandler(errorHandler);
    instance.post<{ Body: { text: string } }>('/v1/chat/completions', { config: { wireFormat: 'openai' } }, (request) => {
      step(request, chat(request.body.text));
      return { ok: true };
    });
    await instance.ready();
    return instance;
  }

  it('answers a blocked prompt with 403, the rule id, and not the secret', async () => {
    const instance = await app({ mode: 'block' });
    const response = await instance.inject({ method: 'POST', url: '/v1/chat/completions', payload: { text: `use ${GOOGLE_KEY}` } });
    expect(response.statusCode).toBe(403);
    const error = response.json<{ error: { code: string; type: string; message: string } }>().error;
    expect([error.code, error.type, error.message]).toEqual(['RAMPART_WAF_BLOCKED', 'permission_error', 'Blocked by rule secrets.google-api-key.']);
    expect(response.body).not.toContain(GOOGLE_KEY.slice(4));
    await instance.close();
  });

  it('lets a detected prompt through and reports it', async () => {
    const onDetect = vi.fn();
    const instance = await app({ mode: 'detect' }, onDetect);
    const response = await instance.inject({ method: 'POST', url: '/v1/chat/completions', payload: { text: `use ${GOOGLE_KEY}` } });
    expect(response.json()).toEqual({ ok: true });
    // The request id rides along for audit events (the client IP too, where the client-IP step ran).
    expect(onDetect).toHaveBeenCalledWith('secrets.google-api-key', { route: '/v1/chat/completions', model: 'gemini-2.5-pro', keyId: null, requestId: expect.stringMatching(/\S/) as unknown });
    await instance.close();
  });

  it('refuses a bad rule when the step is built, not per request', () => {
    const config = wafSchema.parse({ rules: [{ id: 'op.slow', target: 'prompt', match: 'regex', pattern: '(a+)+$' }] });
    expect(() => wafStep({ config, onDetect: vi.fn() })).toThrow(/op\.slow/);
  });
});
