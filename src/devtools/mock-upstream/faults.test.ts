import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { parseFaultSpec, requestCredential, resolveFaults } from './faults.ts';

describe('parseFaultSpec', () => {
  it('parses every item', () => {
    expect(parseFaultSpec('latency=10, status=429,retry-after=7,reset-after=2,malformed,drip=5,hang')).toEqual({
      ok: true,
      faults: { latencyMs: 10, status: 429, retryAfter: 7, resetAfter: 2, malformed: true, dripMs: 5, hang: true },
    });
    expect(parseFaultSpec('')).toEqual({ ok: true, faults: {} });
  });

  it('parses stream-error with and without a status', () => {
    expect(parseFaultSpec('stream-error=3')).toEqual({ ok: true, faults: { streamError: { after: 3 } } });
    expect(parseFaultSpec('stream-error=0:529')).toEqual({ ok: true, faults: { streamError: { after: 0, status: 529 } } });
  });

  it.each([
    ['bogus', 'bogus'],
    ['latency=abc', 'latency=abc'],
    ['latency=-1', 'latency=-1'],
    ['status=200', 'status=200'],
    ['status=600', 'status=600'],
    ['hang=1', 'hang=1'],
    ['stream-error', 'stream-error'],
    ['stream-error=x', 'stream-error=x'],
    ['stream-error=2:200', 'stream-error=2:200'],
    ['stream-error=2:500:1', 'stream-error=2:500:1'],
    ['drip', 'drip'],
    ['latency=5,nope=1', 'nope=1'],
  ])('rejects %s naming the bad item', (spec, item) => {
    const parsed = parseFaultSpec(spec);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.item).toBe(item);
  });
});

describe('resolveFaults', () => {
  it('merges message directives with the header, the header winning', () => {
    expect(resolveFaults('status=500', 'x [mock:status=429,latency=3] y [mock:drip=1]')).toEqual({
      ok: true,
      faults: { status: 500, latencyMs: 3, dripMs: 1 },
    });
    expect(resolveFaults(undefined, 'no directive')).toEqual({ ok: true, faults: {} });
  });

  it('reports a bad directive item', () => {
    expect(resolveFaults(undefined, '[mock:explode]')).toMatchObject({ ok: false, item: 'explode' });
  });
});

describe('credential-scoped directives', () => {
  it('applies [mock@<key>:…] only to requests signed with that key', () => {
    const text = 'hi [mock@sk-b:status=429,retry-after=5] [mock:latency=10]';
    expect(resolveFaults(undefined, text, 'sk-b')).toEqual({ ok: true, faults: { status: 429, retryAfter: 5, latencyMs: 10 } });
    expect(resolveFaults(undefined, text, 'sk-a')).toEqual({ ok: true, faults: { latencyMs: 10 } });
    expect(resolveFaults(undefined, text, undefined)).toEqual({ ok: true, faults: { latencyMs: 10 } });
  });

  it('reads the credential each API signs with', () => {
    const req = (headers: Record<string, string>, url = '/') => ({ headers, url }) as unknown as IncomingMessage;
    expect(requestCredential(req({ authorization: 'Bearer sk-1' }))).toBe('sk-1');
    expect(requestCredential(req({ 'x-api-key': 'sk-2' }))).toBe('sk-2');
    expect(requestCredential(req({ 'x-goog-api-key': 'sk-3' }))).toBe('sk-3');
    expect(requestCredential(req({}, '/v1beta/models?key=sk-4'))).toBe('sk-4');
    expect(requestCredential(req({}))).toBeUndefined();
  });
});
