import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, MODELS, startGateway } from './gateway.ts';

/** Model lists in each SDK's shape, and embeddings across providers, through Rampart with the official SDKs. */
describe('conformance: model lists and embeddings', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startGateway();
  });
  afterAll(async () => {
    await gateway?.stop();
  });
  const all = Object.values(MODELS).sort();

  it('openai SDK lists models in OpenAI’s shape', async () => {
    const client = new OpenAI({ apiKey: gateway.key, baseURL: `${gateway.proxyUrl}/v1`, maxRetries: 0 });
    const ids: string[] = [];
    for await (const m of client.models.list()) ids.push(m.id);
    expect(ids.sort()).toEqual(all);
    expect((await client.models.retrieve(MODELS.anthropic)).owned_by).toBe('ant');
  });

  it('anthropic SDK lists models in Anthropic’s shape', async () => {
    const client = new Anthropic({ apiKey: gateway.key, baseURL: gateway.proxyUrl, maxRetries: 0 });
    const ids: string[] = [];
    for await (const m of client.models.list()) {
      expect(m.type).toBe('model');
      ids.push(m.id);
    }
    expect(ids.sort()).toEqual(all);
  });

  it('GET /v1/models with x-goog-api-key answers in Gemini’s shape', async () => {
    const res = await fetch(`${gateway.proxyUrl}/v1/models`, { headers: { 'x-goog-api-key': gateway.key } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { models: { name: string }[] };
    expect(body.models.map((m) => m.name).sort()).toEqual(all.map((id) => `models/${id}`).sort());
  });

  it('openai SDK embeddings (base64 by default, and float) from openai and gemini providers', async () => {
    const client = new OpenAI({ apiKey: gateway.key, baseURL: `${gateway.proxyUrl}/v1`, maxRetries: 0 });
    for (const model of [MODELS.openai, MODELS.gemini]) {
      const viaBase64 = await client.embeddings.create({ model, input: ['alpha', 'beta'] });
      const viaFloat = await client.embeddings.create({ model, input: ['alpha', 'beta'], encoding_format: 'float' });
      expect(viaBase64.data).toHaveLength(2);
      expect(viaBase64.data[0]?.embedding.length).toBeGreaterThan(0);
      expect(viaBase64.data[1]?.embedding).not.toEqual(viaBase64.data[0]?.embedding);
      // float32 over the wire in base64: equal to the float answer within float32 precision
      viaFloat.data[0]?.embedding.forEach((v, i) => expect(viaBase64.data[0]?.embedding[i]).toBeCloseTo(v, 5));
    }
  });

  it('genai SDK embedContent from gemini and openai providers', async () => {
    const ai = new GoogleGenAI({ apiKey: gateway.key, httpOptions: { baseUrl: gateway.proxyUrl } });
    for (const model of [MODELS.gemini, MODELS.openai]) {
      const res = await ai.models.embedContent({ model, contents: ['alpha', 'beta'] });
      expect(res.embeddings).toHaveLength(2);
      expect(res.embeddings?.[0]?.values?.length).toBeGreaterThan(0);
    }
  });

  it('embeddings from a provider without an embeddings API are a clear 400', async () => {
    const client = new OpenAI({ apiKey: gateway.key, baseURL: `${gateway.proxyUrl}/v1`, maxRetries: 0 });
    const error = await client.embeddings.create({ model: MODELS.anthropic, input: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).error).toMatchObject({ code: 'RAMPART_OPERATION_UNSUPPORTED' });
  });

  it('answers errors on Anthropic and Gemini routes in their own shapes', async () => {
    const anthropic = await fetch(`${gateway.proxyUrl}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': 'rk_live_wrong', 'anthropic-version': '2023-06-01' }, body: '{}' });
    expect(anthropic.status).toBe(401);
    expect(await anthropic.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error', code: 'RAMPART_AUTH_INVALID_KEY' } });
    const gemini = await fetch(`${gateway.proxyUrl}/v1beta/models/${MODELS.gemini}:generateContent`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-goog-api-key': gateway.key }, body: '{"contents": 3}' });
    expect(gemini.status).toBe(400);
    expect(await gemini.json()).toMatchObject({ error: { code: 400, status: 'INVALID_ARGUMENT', details: [{ reason: 'RAMPART_REQUEST_INVALID' }] } });
  });
});
