import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';
import { SECRET_FIELDS, isSecretField, scrub } from './redact.ts';

/** A logger writing into a string, and that string. */
function capture(): { log: ReturnType<typeof createLogger>; text: () => string } {
  let out = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      out += chunk.toString();
      done();
    },
  });
  return { log: createLogger('trace', sink), text: () => out };
}

/** Every form a planted secret could take in a log line. */
function forms(secret: string): string[] {
  return [secret, Buffer.from(secret).toString('base64'), encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)];
}

function expectNoSecret(text: string, secrets: string[]): void {
  for (const secret of secrets) for (const form of forms(secret)) expect(text, `leaked ${secret}`).not.toContain(form);
}

describe('log redaction', () => {
  it('censors every secret field at the top level and nested at several depths, in objects and arrays', () => {
    const { log, text } = capture();
    const planted: string[] = [];
    const plant = (name: string, depth: number): unknown => {
      const secret = `canary-${name}-${depth}-${Math.random().toString(36).slice(2, 10)}`;
      planted.push(secret);
      let value: unknown = { [name]: secret, keep: `visible-${depth}` };
      for (let d = 0; d < depth; d++) value = d % 2 === 0 ? { nested: value } : [value];
      return value;
    };
    for (const name of SECRET_FIELDS) {
      const value = { [name]: `canary-top-${name}` };
      planted.push(`canary-top-${name}`);
      log.info(value, 'top');
      for (const depth of [1, 2, 4, 7]) log.info({ wrapper: plant(name, depth) }, 'nested');
    }
    const out = text();
    expectNoSecret(out, planted);
    expect(out).toContain('visible-7');
    expect(out).toContain('[redacted]');
  });

  it('matches header and field name variants (case, dashes, camelCase, secret-ish suffixes)', () => {
    for (const name of ['Authorization', 'X-Api-Key', 'X_GOOG_API_KEY', 'accessToken', 'refreshToken', 'clientSecret', 'codeVerifier', 'Set-Cookie', 'dbPassword', 'sessionToken']) {
      expect(isSecretField(name), name).toBe(true);
    }
    for (const name of ['keyId', 'reqId', 'inputTokens', 'maxTokens', 'tokenType', 'path', 'status', 'provider']) expect(isSecretField(name), name).toBe(false);
  });

  it('scrubs errors: their own fields, nested config and headers, causes, and credentials quoted in messages', () => {
    const { log, text } = capture();
    const error = Object.assign(new Error('upstream said: Authorization: Bearer canary-bearer-123456 was refused'), {
      token: 'canary-err-token',
      config: { headers: { authorization: 'canary-err-auth', 'x-api-key': 'canary-err-xkey' }, url: 'https://x.test/v1?key=canary-err-query&alt=sse' },
      list: [{ password: 'canary-err-array' }],
    });
    const cause = Object.assign(new Error('inner'), { refresh_token: 'canary-cause-token' });
    (error as { cause?: unknown }).cause = cause;
    log.error({ err: error }, 'call failed');
    log.warn({ wrapped: { err: error } }, 'wrapped');
    log.error(error);
    const out = text();
    expectNoSecret(out, ['canary-bearer-123456', 'canary-err-token', 'canary-err-auth', 'canary-err-xkey', 'canary-err-query', 'canary-err-array', 'canary-cause-token']);
    expect(out).toContain('upstream said');
    expect(out).toContain('"type":"Error"');
    expect(out).toContain('alt=sse');
  });

  it('keeps error codes in `code` but censors OAuth codes', () => {
    const { log, text } = capture();
    log.warn({ code: 'RAMPART_UPSTREAM_TIMEOUT', nested: { code: 'ECONNRESET' } }, 'x');
    log.info({ oauth: { code: 'canary-oauth-code-4Xy9', state: 's' } }, 'callback');
    const out = text();
    expect(out).toContain('RAMPART_UPSTREAM_TIMEOUT');
    expect(out).toContain('ECONNRESET');
    expectNoSecret(out, ['canary-oauth-code-4Xy9']);
  });

  it('scrubs messages, interpolated objects, query strings and Fastify requests', () => {
    const { log, text } = capture();
    log.info('GET /v1beta/models?key=canary-msg-query&alt=sse');
    log.info('sent %o', { headers: { authorization: 'canary-interp-1' }, deep: { a: { token: 'canary-interp-2' } } });
    log.info({ req: { id: 'r1', method: 'POST', url: '/v1/x?key=canary-req-query', headers: { authorization: 'canary-req-auth' } } }, 'request');
    log.info({ url: '/callback?code=canary-url-code&state=abc' }, 'oauth');
    const out = text();
    expectNoSecret(out, ['canary-msg-query', 'canary-interp-1', 'canary-interp-2', 'canary-req-query', 'canary-req-auth', 'canary-url-code']);
    expect(out).toContain('state=abc');
    expect(out).toContain('"path":"/v1/x"');
  });

  it('returns clean values as they are (no copy) and never mutates the caller’s objects', () => {
    const clean = { reqId: 'r', path: '/v1/chat/completions', nested: { status: 200, list: [1, 'a'] } };
    expect(scrub(clean)).toBe(clean);
    const dirty = { a: { token: 't' }, list: [{ apiKey: 'k' }] };
    const scrubbed = scrub(dirty);
    expect(scrubbed).not.toBe(dirty);
    expect(dirty.a.token).toBe('t');
    expect(dirty.list[0]?.apiKey).toBe('k');
    expect(scrubbed).toEqual({ a: { token: '[redacted]' }, list: [{ apiKey: '[redacted]' }] });
  });

  it('survives cycles and absurd depth', () => {
    const { log, text } = capture();
    const cyclic: Record<string, unknown> = { token: 'canary-cycle' };
    cyclic.self = cyclic;
    let deep: unknown = { token: 'canary-deep' };
    for (let i = 0; i < 100; i++) deep = { d: deep };
    log.info({ cyclic, deep }, 'odd');
    expectNoSecret(text(), ['canary-cycle', 'canary-deep']);
  });
});
