import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import { outboundHeaders, passThroughNameProblem } from './outbound-headers.ts';

const adapter = { 'content-type': 'application/json', 'x-api-key': 'sk-upstream', 'anthropic-version': '2023-06-01' };

describe('outboundHeaders', () => {
  it('copies the pass-through names the client sent, and nothing else', () => {
    const client: IncomingHttpHeaders = { 'anthropic-beta': 'tools-2024', 'x-trace': 't1', 'user-agent': 'curl/8', accept: 'text/html' };
    expect(outboundHeaders(adapter, client, ['anthropic-beta', 'x-missing'])).toEqual({ ...adapter, 'anthropic-beta': 'tools-2024' });
  });

  it('matches pass-through names in any case and emits them lower-case', () => {
    expect(outboundHeaders({}, { 'anthropic-beta': 'b1' }, ['Anthropic-Beta'])).toEqual({ 'anthropic-beta': 'b1' });
  });

  it('lets adapter headers win over a client header of the same name, whatever its case', () => {
    const client: IncomingHttpHeaders = { 'anthropic-version': '1999-01-01', 'content-type': 'text/plain' };
    const result = outboundHeaders({ 'Anthropic-Version': '2023-06-01' }, client, ['anthropic-version', 'content-type']);
    expect(result).toEqual({ 'anthropic-version': '2023-06-01', 'content-type': 'text/plain' });
  });

  it('merges the adapter\'s anthropic-beta flags with the client\'s instead of dropping either', () => {
    const client: IncomingHttpHeaders = { 'anthropic-beta': 'interleaved-thinking-2025-05-14, oauth-2025-04-20' };
    expect(outboundHeaders({ 'anthropic-beta': 'oauth-2025-04-20' }, client, ['anthropic-beta'])).toEqual({ 'anthropic-beta': 'interleaved-thinking-2025-05-14,oauth-2025-04-20' });
    expect(outboundHeaders({ 'anthropic-beta': 'oauth-2025-04-20' }, {}, ['anthropic-beta'])).toEqual({ 'anthropic-beta': 'oauth-2025-04-20' });
  });

  it.each([
    ['authorization', 'Bearer rampart-client-key'],
    ['x-api-key', 'rampart-client-key'],
    ['x-goog-api-key', 'rampart-client-key'],
    ['cookie', 'session=abc'],
    ['cookie2', '$Version=1'],
    ['proxy-authorization', 'Basic Zm9vOmJhcg=='],
    ['proxy-connection', 'keep-alive'],
    ['host', 'internal.example'],
    ['content-length', '5'],
    ['expect', '100-continue'],
    ['connection', 'close'],
    ['keep-alive', 'timeout=5'],
    ['te', 'trailers'],
    ['trailer', 'x-checksum'],
    ['transfer-encoding', 'chunked'],
    ['upgrade', 'websocket'],
    ['http2-settings', 'AAMAAABkAAQAAP__'],
  ])('never copies %s from the client, even when configured to', (name, value) => {
    const result = outboundHeaders(adapter, { [name]: value }, [name]);
    expect(result).toEqual(adapter);
  });

  it('never copies a header the client named in its Connection header', () => {
    const client: IncomingHttpHeaders = { connection: 'keep-alive, X-Hop ,anthropic-beta', 'x-hop': 'h', 'anthropic-beta': 'b', 'x-end': 'e' };
    expect(outboundHeaders({}, client, ['x-hop', 'anthropic-beta', 'x-end'])).toEqual({ 'x-end': 'e' });
  });

  it.each([
    ['CR LF', 'b1\r\nx-injected: 1'],
    ['LF', 'b1\nx-injected: 1'],
    ['CR', 'b1\rx'],
    ['NUL', 'b1\0'],
  ])('drops a value containing %s', (_what, value) => {
    expect(outboundHeaders({}, { 'anthropic-beta': value, 'x-ok': 'fine' }, ['anthropic-beta', 'x-ok'])).toEqual({ 'x-ok': 'fine' });
  });

  it('joins a repeated client header with ", "', () => {
    expect(outboundHeaders({}, { 'x-tags': ['a', 'b'] }, ['x-tags'])).toEqual({ 'x-tags': 'a, b' });
  });

  it('ignores pass-through entries that are not header names', () => {
    const client = { 'bad name': 'v', 'x-ok': 'fine' } as IncomingHttpHeaders;
    expect(outboundHeaders({}, client, ['bad name', '', 'x-ok'])).toEqual({ 'x-ok': 'fine' });
  });

  it('keeps a "__proto__" header a plain own key and leaves the prototype alone', () => {
    const client = JSON.parse('{"__proto__": "x"}') as IncomingHttpHeaders;
    const result = outboundHeaders({}, client, ['__proto__']);
    expect(Object.keys(result)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
  });

  it('reads only headers the client sent, never inherited properties', () => {
    expect(outboundHeaders({}, {}, ['constructor', 'tostring', 'hasownproperty'])).toEqual({});
  });
});

describe('passThroughNameProblem', () => {
  it('accepts ordinary lower-case names', () => {
    expect(passThroughNameProblem('anthropic-beta')).toBeUndefined();
    expect(passThroughNameProblem('openai-organization')).toBeUndefined();
  });

  it.each(['Anthropic-Beta', 'bad name', '', 'x:y'])('refuses %j as not a lower-case header name', (name) => {
    expect(passThroughNameProblem(name)).toBe('must be a lower-case HTTP header name');
  });

  it.each(['authorization', 'cookie', 'x-api-key', 'x-goog-api-key', 'proxy-authorization', 'host', 'transfer-encoding', 'te'])('refuses %s as never forwarded', (name) => {
    expect(passThroughNameProblem(name)).toMatch(/never forwarded/);
  });
});
