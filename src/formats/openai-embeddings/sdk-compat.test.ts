// The official openai SDK against a fake server that parses its request with parseEmbeddingsRequest and answers with
// renderEmbeddingsResponse in the encoding the SDK asked for. The SDK asks for base64 by default and decodes it
// itself, so the byte layout is checked by the SDK's own decoder.
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import type { CanonicalEmbeddingRequest } from '../canonical/types.ts';
import { decodeFloat32Base64 } from './base64-floats.ts';
import { parseEmbeddingsRequest } from './parse-request.ts';
import { renderEmbeddingsResponse } from './render-response.ts';

const vectors = [
  [0.5, -0.25, 1.5, 0.1],
  [0, -1, 3.25, -0.3],
];

function fakeServer(): { client: OpenAI; seen: CanonicalEmbeddingRequest[] } {
  const seen: CanonicalEmbeddingRequest[] = [];
  const fetchStub = (_url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = parseEmbeddingsRequest(JSON.parse(typeof init?.body === 'string' ? init.body : 'null'));
    seen.push(request);
    const body = renderEmbeddingsResponse({ model: request.model, embeddings: vectors.slice(0, request.inputs.length), usage: { inputTokens: 7 } }, request.encodingFormat ?? 'float');
    return Promise.resolve(new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } }));
  };
  return { client: new OpenAI({ apiKey: 'test', baseURL: 'http://sdk.invalid/v1', fetch: fetchStub, maxRetries: 0 }), seen };
}

const float32 = (vector: number[]): number[] => vector.map((v) => Math.fround(v));

describe('openai SDK compatibility (embeddings)', () => {
  it('decodes the base64 answer to the default request into float32 vectors', async () => {
    const { client, seen } = fakeServer();
    const result = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'] });
    expect(seen[0]?.encodingFormat).toBe('base64');
    expect(result.data.map((entry) => entry.embedding)).toStrictEqual(vectors.map(float32));
    expect(result.data.map((entry) => entry.index)).toStrictEqual([0, 1]);
    expect(result.usage).toStrictEqual({ prompt_tokens: 7, total_tokens: 7 });
  });

  it('returns float arrays unchanged when the client asks for floats', async () => {
    const { client, seen } = fakeServer();
    const result = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'a', encoding_format: 'float', dimensions: 4 });
    expect(seen[0]).toStrictEqual({ model: 'text-embedding-3-small', inputs: ['a'], encodingFormat: 'float', dimensions: 4 });
    expect(result.data[0]?.embedding).toStrictEqual(vectors[0]);
  });

  it('returns base64 text untouched when the client asks for base64 explicitly', async () => {
    const { client } = fakeServer();
    const result = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'a', encoding_format: 'base64' });
    const text = result.data[0]?.embedding;
    expect(typeof text).toBe('string');
    expect(decodeFloat32Base64(text ?? '', 'embedding')).toStrictEqual(float32(vectors[0] ?? []));
  });
});
