import { describe, expect, it } from 'vitest';
import { retryDelayFromBody } from './upstream-call.ts';

describe('retryDelayFromBody', () => {
  it('reads Google RetryInfo delays, rounding up', () => {
    const body = JSON.stringify({ error: { code: 429, status: 'RESOURCE_EXHAUSTED', details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '7s' }] } });
    expect(retryDelayFromBody(Buffer.from(body))).toBe(7);
    expect(retryDelayFromBody(Buffer.from('{"retryDelay": "1.2s"}'))).toBe(2);
    expect(retryDelayFromBody(Buffer.from('{"error":{}}'))).toBeUndefined();
  });
});
