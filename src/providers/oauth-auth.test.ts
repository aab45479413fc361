import { describe, expect, it } from 'vitest';
import type { CanonicalRequest } from '../formats/canonical/types.ts';
import { ANTHROPIC_OAUTH_BETA, anthropicAdapter } from './anthropic/anthropic-adapter.ts';
import { geminiAdapter } from './gemini/gemini-adapter.ts';
import { openAIAdapter } from './openai/openai-adapter.ts';
import type { UpstreamCredential } from './provider-adapter.ts';

const request: CanonicalRequest = { model: 'm', system: [], messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], stream: false, maxTokens: 16 };
const apiKey: UpstreamCredential = { id: 'p#0', apiKey: 'sk-key' };
const oauth = (provider: 'claude' | 'codex' | 'gemini'): UpstreamCredential => ({ id: 'p#oauth', apiKey: 'at-token', auth: 'oauth', oauthProvider: provider });

describe('OAuth credentials in the adapters', () => {
  it('Anthropic: bearer token plus the OAuth beta flag and no x-api-key; API keys unchanged', () => {
    const signed = anthropicAdapter.chatCall(request, { baseUrl: 'https://api.anthropic.com', credential: oauth('claude') }).headers;
    expect(signed.authorization).toBe('Bearer at-token');
    expect(signed['anthropic-beta']).toBe(ANTHROPIC_OAUTH_BETA);
    expect(signed['anthropic-beta']).toBe('oauth-2025-04-20');
    expect(signed['x-api-key']).toBeUndefined();
    expect(signed['anthropic-version']).toBe('2023-06-01');
    const counted = anthropicAdapter.countTokens!.call(request, { baseUrl: 'https://api.anthropic.com', credential: oauth('claude') }).headers;
    expect(counted.authorization).toBe('Bearer at-token');
    const keyed = anthropicAdapter.chatCall(request, { baseUrl: 'https://api.anthropic.com', credential: apiKey }).headers;
    expect(keyed['x-api-key']).toBe('sk-key');
    expect(keyed.authorization).toBeUndefined();
    expect(keyed['anthropic-beta']).toBeUndefined();
  });

  it('Gemini: bearer token instead of x-goog-api-key', () => {
    const signed = geminiAdapter.chatCall(request, { baseUrl: 'https://generativelanguage.googleapis.com', credential: oauth('gemini') }).headers;
    expect(signed.authorization).toBe('Bearer at-token');
    expect(signed['x-goog-api-key']).toBeUndefined();
    const embedded = geminiAdapter.embeddings!.call({ model: 'e', inputs: ['x'] }, { baseUrl: 'https://g', credential: oauth('gemini') }).headers;
    expect(embedded.authorization).toBe('Bearer at-token');
    expect(geminiAdapter.chatCall(request, { baseUrl: 'https://g', credential: apiKey }).headers['x-goog-api-key']).toBe('sk-key');
  });

  it('OpenAI (Codex login): the access token is the bearer token', () => {
    expect(openAIAdapter.chatCall(request, { baseUrl: 'https://api.openai.com/v1', credential: oauth('codex') }).headers.authorization).toBe('Bearer at-token');
  });
});
