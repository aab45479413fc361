import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../canonical/format-error.ts';
import { decodeFloat32Base64, encodeFloat32Base64 } from './base64-floats.ts';
import { parseEmbeddingsRequest } from './parse-request.ts';
import { parseEmbeddingsResponse } from './parse-response.ts';
import { renderEmbeddingsRequest } from './render-request.ts';
import { renderEmbeddingsResponse } from './render-response.ts';

function paramOf(run: () => unknown): string | null {
  try {
    run();
  } catch (error) {
    if (error instanceof FormatError) return error.param;
    throw error;
  }
  throw new Error('expected a FormatError');
}

function onlyFormatErrors(run: () => unknown): void {
  try {
    run();
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
  }
}

describe('float32 base64', () => {
  it('encodes little-endian float32 bytes, as OpenAI does', () => {
    // 1.0f = 0x3F800000 → bytes 00 00 80 3F; -2.0f = 0xC0000000 → 00 00 00 C0.
    expect(encodeFloat32Base64([1, -2])).toBe(Buffer.from([0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0]).toString('base64'));
    expect(decodeFloat32Base64('AACAPwAAAMA=', 'x')).toStrictEqual([1, -2]);
    expect(encodeFloat32Base64([])).toBe('');
  });

  it('round-trips any finite vector at float32 precision', () => {
    fc.assert(
      fc.property(fc.array(fc.float({ noNaN: true, noDefaultInfinity: true })), (vector) => {
        expect(decodeFloat32Base64(encodeFloat32Base64(vector), 'x')).toStrictEqual(vector.map((v) => Math.fround(v)));
      }),
    );
  });

  it('refuses malformed base64, partial floats and non-finite values', () => {
    expect(paramOf(() => decodeFloat32Base64('not base64!', 'data[0].embedding'))).toBe('data[0].embedding');
    expect(paramOf(() => decodeFloat32Base64('AAA=', 'p'))).toBe('p');
    expect(paramOf(() => decodeFloat32Base64(Buffer.from(new Float32Array([Number.NaN]).buffer).toString('base64'), 'p'))).toBe('p');
  });
});

describe('parseEmbeddingsRequest', () => {
  it('parses a single string and a list, with every option', () => {
    expect(parseEmbeddingsRequest({ model: 'text-embedding-3-small', input: 'hello' })).toStrictEqual({ model: 'text-embedding-3-small', inputs: ['hello'] });
    expect(parseEmbeddingsRequest({ model: 'm', input: ['a', 'b'], dimensions: 256, encoding_format: 'base64', user: 'u' })).toStrictEqual({
      model: 'm',
      inputs: ['a', 'b'],
      dimensions: 256,
      encodingFormat: 'base64',
      user: 'u',
    });
    expect(parseEmbeddingsRequest({ model: 'm', input: 'x', dimensions: null, encoding_format: null, user: null })).toStrictEqual({ model: 'm', inputs: ['x'] });
  });

  it('refuses token arrays, empty inputs and unknown fields, naming the param', () => {
    const cases: [unknown, string | null][] = [
      ['text', null],
      [{ input: 'x' }, 'model'],
      [{ model: 'm' }, 'input'],
      [{ model: 'm', input: '' }, 'input'],
      [{ model: 'm', input: [] }, 'input'],
      [{ model: 'm', input: ['a', ''] }, 'input[1]'],
      [{ model: 'm', input: [1, 2, 3] }, 'input[0]'],
      [{ model: 'm', input: [[1, 2], [3]] }, 'input[0]'],
      [{ model: 'm', input: ['a', 7] }, 'input[1]'],
      [{ model: 'm', input: { text: 'x' } }, 'input'],
      [{ model: 'm', input: Array.from({ length: 2049 }, () => 'x') }, 'input'],
      [{ model: 'm', input: 'x', dimensions: 0 }, 'dimensions'],
      [{ model: 'm', input: 'x', encoding_format: 'int8' }, 'encoding_format'],
      [{ model: 'm', input: 'x', task_type: 'query' }, 'task_type'],
    ];
    for (const [body, param] of cases) expect(paramOf(() => parseEmbeddingsRequest(body)), JSON.stringify(body).slice(0, 80)).toBe(param);
  });

  it('says why token arrays are refused', () => {
    expect(() => parseEmbeddingsRequest({ model: 'm', input: [1, 2] })).toThrow(/cannot read another tokenizer/);
  });

  it('throws only FormatError on arbitrary JSON', () => {
    fc.assert(fc.property(fc.jsonValue(), (body) => onlyFormatErrors(() => parseEmbeddingsRequest(body))));
    fc.assert(fc.property(fc.jsonValue(), fc.jsonValue(), (input, dimensions) => onlyFormatErrors(() => parseEmbeddingsRequest({ model: 'm', input, dimensions }))));
  });
});

describe('renderEmbeddingsRequest', () => {
  it('always asks the upstream for float arrays and leaves out what OpenAI has no field for', () => {
    expect(renderEmbeddingsRequest({ model: 'm', inputs: ['a'], encodingFormat: 'base64', taskType: 'RETRIEVAL_QUERY' })).toStrictEqual({ model: 'm', input: ['a'], encoding_format: 'float' });
    expect(renderEmbeddingsRequest({ model: 'm', inputs: ['a', 'b'], dimensions: 64, user: 'u' })).toStrictEqual({ model: 'm', input: ['a', 'b'], encoding_format: 'float', dimensions: 64, user: 'u' });
  });
});

describe('parseEmbeddingsResponse', () => {
  const upstream = {
    object: 'list',
    data: [
      { object: 'embedding', index: 1, embedding: [0.5, 0.25] },
      { object: 'embedding', index: 0, embedding: 'AACAPwAAAMA=' },
    ],
    model: 'text-embedding-3-small',
    usage: { prompt_tokens: 8, total_tokens: 8 },
  };

  it('orders vectors by index and decodes base64 ones', () => {
    expect(parseEmbeddingsResponse(upstream)).toStrictEqual({ model: 'text-embedding-3-small', embeddings: [[1, -2], [0.5, 0.25]], usage: { inputTokens: 8 } });
  });

  it('keeps positions when a server omits index, and usage when it omits usage', () => {
    expect(parseEmbeddingsResponse({ data: [{ embedding: [1] }, { embedding: [2] }], model: 'm' })).toStrictEqual({ model: 'm', embeddings: [[1], [2]] });
  });

  it('refuses malformed answers, naming the param', () => {
    const cases: [unknown, string | null][] = [
      [null, null],
      [{ model: 'm' }, 'data'],
      [{ data: [{ index: 0, embedding: [1] }] }, 'model'],
      [{ data: [{ index: 0, embedding: [1] }, { index: 0, embedding: [2] }], model: 'm' }, 'data[1].index'],
      [{ data: [{ index: 3, embedding: [1] }], model: 'm' }, 'data[0].index'],
      [{ data: [{ index: 0, embedding: [1, 'x'] }], model: 'm' }, 'data[0].embedding[1]'],
      [{ data: [{ index: 0, embedding: '!!' }], model: 'm' }, 'data[0].embedding'],
      [{ data: [], model: 'm', usage: { prompt_tokens: -1 } }, 'usage.prompt_tokens'],
    ];
    for (const [body, param] of cases) expect(paramOf(() => parseEmbeddingsResponse(body)), JSON.stringify(body)).toBe(param);
  });

  it('throws only FormatError on arbitrary JSON', () => {
    fc.assert(fc.property(fc.jsonValue(), (body) => onlyFormatErrors(() => parseEmbeddingsResponse(body))));
    fc.assert(fc.property(fc.array(fc.record({ index: fc.jsonValue(), embedding: fc.jsonValue() })), (data) => onlyFormatErrors(() => parseEmbeddingsResponse({ data, model: 'm' }))));
  });
});

describe('renderEmbeddingsResponse', () => {
  const response = { model: 'text-embedding-3-small', embeddings: [[1, -2], [0.5]], usage: { inputTokens: 5 } };

  it('renders float arrays by default', () => {
    expect(renderEmbeddingsResponse(response)).toStrictEqual({
      object: 'list',
      data: [
        { object: 'embedding', index: 0, embedding: [1, -2] },
        { object: 'embedding', index: 1, embedding: [0.5] },
      ],
      model: 'text-embedding-3-small',
      usage: { prompt_tokens: 5, total_tokens: 5 },
    });
  });

  it('renders base64 float32 text when asked, and zero usage when the upstream reported none', () => {
    expect(renderEmbeddingsResponse({ model: 'm', embeddings: [[1, -2]] }, 'base64')).toStrictEqual({
      object: 'list',
      data: [{ object: 'embedding', index: 0, embedding: 'AACAPwAAAMA=' }],
      model: 'm',
      usage: { prompt_tokens: 0, total_tokens: 0 },
    });
  });
});
