// Deterministic vectors, and POST /v1/embeddings seen raw and through the openai SDK (which asks for base64).
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddingVector, float32Base64 } from './embeddings.ts';
import type { MockUpstream } from './index.ts';
import { countTokens, startMockUpstream } from './index.ts';
import { postJson } from './test-support.ts';

const KEY = 'sk-test-embed-0123456789';
const AUTH = { authorization: `Bearer ${KEY}` };
let mock: MockUpstream;
let client: OpenAI;

const norm = (values: readonly number[]): number => Math.sqrt(values.reduce((sum, v) => sum + v * v, 0));
const decode = (base64: string): number[] => {
  const buffer = Buffer.from(base64, 'base64');
  return Array.from({ length: buffer.length / 4 }, (_, i) => buffer.readFloatLE(i * 4));
};
const embed = (payload: unknown, headers: Record<string, string> = AUTH): Promise<Response> => postJson(mock.url, '/v1/embeddings', payload, headers);
type EmbeddingList = { object: string; data: { object: string; index: number; embedding: number[] | string }[]; model: string; usage: { prompt_tokens: number; total_tokens: number } };

beforeAll(async () => {
  mock = await startMockUpstream({ port: 0, apiKey: KEY });
  client = new OpenAI({ apiKey: KEY, baseURL: `${mock.url}/v1`, maxRetries: 0, logLevel: 'off' });
});
afterAll(() => mock.close());

describe('embeddingVector', () => {
  it('is deterministic, unit length, float32, and text-dependent', () => {
    const a = embeddingVector('hello');
    expect(a).toHaveLength(8);
    expect(embeddingVector('hello')).toEqual(a);
    expect(embeddingVector('hellp')).not.toEqual(a);
    expect(norm(a)).toBeCloseTo(1, 5);
    for (const value of a) expect(Math.fround(value)).toBe(value);
    expect(embeddingVector('hello', 3000)).toHaveLength(3000);
  });

  it('shortens as a renormalised prefix, and base64 carries exactly the same float32 values', () => {
    const long = embeddingVector('prefix', 64);
    const short = embeddingVector('prefix', 4);
    const scale = norm(long.slice(0, 4));
    short.forEach((value, i) => expect(value).toBeCloseTo((long[i] ?? 0) / scale, 6));
    expect(decode(float32Base64(long))).toEqual(long);
  });
});

describe('POST /v1/embeddings', () => {
  it('answers float vectors with index, model and token usage', async () => {
    const res = await embed({ model: 'text-embedding-3-small', input: ['Hello world', 'second input'], encoding_format: 'float' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toMatch(/^req_/);
    expect(await res.json()).toEqual({
      object: 'list',
      data: [
        { object: 'embedding', index: 0, embedding: embeddingVector('Hello world') },
        { object: 'embedding', index: 1, embedding: embeddingVector('second input') },
      ],
      model: 'text-embedding-3-small',
      usage: { prompt_tokens: countTokens('Hello world') + countTokens('second input'), total_tokens: countTokens('Hello world') + countTokens('second input') },
    });
  });

  it('encodes base64 (little-endian float32) and honours dimensions; token-id inputs count their length', async () => {
    const base64 = (await (await embed({ model: 'text-embedding-3-large', input: 'x', encoding_format: 'base64', dimensions: 5 })).json()) as EmbeddingList;
    const encoded = base64.data[0]?.embedding;
    expect(typeof encoded).toBe('string');
    expect(decode(encoded as string)).toEqual(embeddingVector('x', 5));
    const tokens = (await (await embed({ model: 'text-embedding-3-small', input: [[1, 2, 3], [4]] })).json()) as EmbeddingList;
    expect(tokens.usage.prompt_tokens).toBe(4);
    expect(tokens.data[0]?.embedding).toEqual(embeddingVector('[1,2,3]'));
  });

  it.each([
    ['no input', { model: 'text-embedding-3-small' }, 'input', 'missing_required_parameter'],
    ['empty string', { model: 'text-embedding-3-small', input: '' }, null, null],
    ['mixed array', { model: 'text-embedding-3-small', input: ['ok', 5] }, null, null],
    ['bad encoding', { model: 'text-embedding-3-small', input: 'x', encoding_format: 'hex' }, 'encoding_format', 'invalid_value'],
    ['dimensions 0', { model: 'text-embedding-3-small', input: 'x', dimensions: 0 }, 'dimensions', 'invalid_value'],
    ['dimensions on ada-002', { model: 'text-embedding-ada-002', input: 'x', dimensions: 8 }, null, null],
  ])('400 for %s', async (_name, payload, param, code) => {
    const res = await embed(payload);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: Record<string, unknown> }).error).toMatchObject({ type: 'invalid_request_error', param, code });
  });

  it('applies auth, the 404 model and faults like every OpenAI route', async () => {
    expect((await embed({ model: 'text-embedding-3-small', input: 'x' }, {})).status).toBe(401);
    expect((await embed({ model: 'does-not-exist', input: 'x' })).status).toBe(404);
    const limited = await embed({ model: 'text-embedding-3-small', input: 'x' }, { ...AUTH, 'x-mock-fault': 'status=429,retry-after=2' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    // Directives in the input are honoured and stripped, so the vector is the clean text's.
    const directive = (await (await embed({ model: 'text-embedding-3-small', input: 'clean[mock:latency=1]' })).json()) as EmbeddingList;
    expect(directive.data[0]?.embedding).toEqual(embeddingVector('clean'));
  });
});

describe('openai SDK embeddings.create', () => {
  it('asks for base64 by default and decodes to the same numbers as an explicit float request', async () => {
    await fetch(`${mock.url}/__mock/requests`, { method: 'DELETE' });
    const byDefault = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'The quick brown fox' });
    const recorded = ((await (await fetch(`${mock.url}/__mock/requests`)).json()) as { body: { encoding_format: string } }[])[0];
    expect(recorded?.body.encoding_format).toBe('base64');
    const explicit = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'The quick brown fox', encoding_format: 'float' });
    expect(Array.from(byDefault.data[0]?.embedding ?? [])).toEqual(embeddingVector('The quick brown fox'));
    expect(explicit.data[0]?.embedding).toEqual(embeddingVector('The quick brown fox'));
    expect(byDefault.usage.prompt_tokens).toBe(countTokens('The quick brown fox'));
  });

  it('honours dimensions and raises typed errors', async () => {
    const short = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'], dimensions: 3 });
    expect(short.data.map((d) => Array.from(d.embedding))).toEqual([embeddingVector('a', 3), embeddingVector('b', 3)]);
    await expect(client.embeddings.create({ model: 'text-embedding-3-small', input: 'x' }, { headers: { 'x-mock-fault': 'status=429' } })).rejects.toBeInstanceOf(OpenAI.RateLimitError);
    await expect(client.embeddings.create({ model: 'does-not-exist', input: 'x' })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });
});
