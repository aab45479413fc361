import fc from 'fast-check';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { RampartError } from '../errors/catalogue.ts';
import { errorHandler } from './error-handler.ts';
import { jsonBodyParser, maxTokensCeiling, validateBody } from './validate-body.ts';

const LIMITS = { maxDepth: 64, maxStringLength: 1000 };

/** The RampartError thrown by `run`, or a test failure when it does not throw one. */
function refusal(run: () => unknown): RampartError {
  try {
    run();
  } catch (error) {
    if (error instanceof RampartError) return error;
    throw new Error(`expected a RampartError, got ${String(error)}`, { cause: error });
  }
  throw new Error('expected a refusal');
}

const body = (text: string): Buffer => Buffer.from(text, 'utf8');
const deepArrays = (n: number): string => '['.repeat(n) + ']'.repeat(n);
const deepObjects = (n: number): string => '{"a":'.repeat(n) + '1' + '}'.repeat(n);

/** Nesting depth of a parsed value, without recursion (the oracle for the byte scan). */
function depthOf(root: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[root, 0]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop() as [unknown, number];
    if (typeof value !== 'object' || value === null) continue;
    max = Math.max(max, depth + 1);
    for (const child of Object.values(value)) stack.push([child, depth + 1]);
  }
  return max;
}

describe('validateBody: depth', () => {
  it.each([
    ['arrays', deepArrays(10_000)],
    ['objects', deepObjects(10_000)],
    ['a million arrays (would overflow any recursive walk)', deepArrays(1_000_000)],
  ])('refuses 10,000+-deep %s quickly with RAMPART_REQUEST_TOO_DEEP', (_name, text) => {
    const started = performance.now();
    const error = refusal(() => validateBody(body(text), LIMITS));
    expect(error.code).toBe('RAMPART_REQUEST_TOO_DEEP');
    expect(error.status).toBe(400);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('refuses before parsing: an unterminated deep body is TOO_DEEP, not INVALID_JSON', () => {
    expect(refusal(() => validateBody(body('['.repeat(100_000)), LIMITS)).code).toBe('RAMPART_REQUEST_TOO_DEEP');
  });

  it('the byte scan alone refuses one level over the cap (unparseable bodies, so nothing after it can help)', () => {
    expect(refusal(() => validateBody(body('['.repeat(64)), LIMITS)).code).toBe('RAMPART_REQUEST_INVALID_JSON');
    expect(refusal(() => validateBody(body('['.repeat(65)), LIMITS)).code).toBe('RAMPART_REQUEST_TOO_DEEP');
  });

  it('accepts depth exactly at the cap and refuses one more', () => {
    expect(validateBody(body(deepArrays(64)), LIMITS)).toBeInstanceOf(Array);
    expect(validateBody(body(deepObjects(64)), LIMITS)).toHaveProperty('a');
    expect(refusal(() => validateBody(body(deepArrays(65)), LIMITS)).code).toBe('RAMPART_REQUEST_TOO_DEEP');
    expect(refusal(() => validateBody(body(deepObjects(65)), LIMITS)).code).toBe('RAMPART_REQUEST_TOO_DEEP');
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    const text = JSON.stringify({ a: `"${'['.repeat(100)}`, b: '{'.repeat(100) });
    expect(validateBody(body(text), { ...LIMITS, maxDepth: 2 })).toEqual(JSON.parse(text));
  });

  it('counts brackets after an escaped backslash that ends a string', () => {
    // "\\" is a complete string; a scanner that treated \" as the escape would miss the nesting that follows.
    const text = `["\\\\", ${deepArrays(10)}]`;
    expect(refusal(() => validateBody(body(text), { ...LIMITS, maxDepth: 5 })).code).toBe('RAMPART_REQUEST_TOO_DEEP');
  });
});

describe('validateBody: UTF-8', () => {
  const inString = (bytes: number[]): Buffer => Buffer.concat([body('{"text":"'), Buffer.from(bytes), body('"}')]);

  it.each([
    ['an overlong "/" (C0 AF)', [0xc0, 0xaf]],
    ['an overlong 3-byte "/" (E0 80 AF)', [0xe0, 0x80, 0xaf]],
    ['an overlong 4-byte "/" (F0 80 80 AF)', [0xf0, 0x80, 0x80, 0xaf]],
    ['an encoded lone high surrogate (ED A0 80)', [0xed, 0xa0, 0x80]],
    ['an encoded lone low surrogate (ED BF BF)', [0xed, 0xbf, 0xbf]],
    ['a truncated 3-byte sequence (E2 82)', [0xe2, 0x82]],
    ['a truncated 4-byte sequence (F0 9F 98)', [0xf0, 0x9f, 0x98]],
    ['a stray continuation byte (80)', [0x80]],
    ['an invalid byte (FF)', [0xff]],
    ['a code point above U+10FFFF (F4 90 80 80)', [0xf4, 0x90, 0x80, 0x80]],
  ])('refuses %s', (_name, bytes) => {
    expect(refusal(() => validateBody(inString(bytes), LIMITS)).code).toBe('RAMPART_REQUEST_INVALID_UTF8');
  });

  it('refuses a body truncated inside a multi-byte character', () => {
    const full = body('{"text":"€"}');
    expect(refusal(() => validateBody(full.subarray(0, full.indexOf(0xe2) + 2), LIMITS)).code).toBe('RAMPART_REQUEST_INVALID_UTF8');
  });

  it('refuses an unpaired surrogate escape and names the field', () => {
    const error = refusal(() => validateBody(body('{"messages":[{"content":"x\\ud800"}]}'), LIMITS));
    expect(error.code).toBe('RAMPART_REQUEST_INVALID_UTF8');
    expect(error.param).toBe('messages[0].content');
  });

  it('accepts multi-byte text, paired surrogate escapes and a leading BOM', () => {
    expect(validateBody(body('{"t":"héllo €𝄞 😀 \\ud83d\\ude00"}'), LIMITS)).toEqual({ t: 'héllo €𝄞 😀 😀' });
    expect(validateBody(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body('{"a":1}')]), LIMITS)).toEqual({ a: 1 });
  });
});

describe('validateBody: strings', () => {
  const limits = { maxDepth: 64, maxStringLength: 10 };

  it('accepts a string exactly at the cap and refuses one longer, naming its path', () => {
    expect(validateBody(body('{"messages":[{"content":"0123456789"}]}'), limits)).toBeTruthy();
    const error = refusal(() => validateBody(body('{"messages":[{"role":"user"},{"content":"0123456789x"}]}'), limits));
    expect(error.code).toBe('RAMPART_REQUEST_STRING_TOO_LONG');
    expect(error.param).toBe('messages[1].content');
  });

  it('refuses an over-long key, and quotes keys that are not identifiers', () => {
    expect(refusal(() => validateBody(body('{"kkkkkkkkkkk":1}'), limits)).param).toBe('kkkkkkkkkkk');
    const error = refusal(() => validateBody(body('{"a b":["0123456789x"]}'), limits));
    expect([error.code, error.param]).toEqual(['RAMPART_REQUEST_STRING_TOO_LONG', '["a b"][0]']);
  });

  it('refuses an over-long top-level string without a param', () => {
    const error = refusal(() => validateBody(body('"0123456789x"'), limits));
    expect([error.code, error.param]).toEqual(['RAMPART_REQUEST_STRING_TOO_LONG', null]);
  });
});

describe('validateBody: JSON and prototype poisoning', () => {
  it.each([
    ['__proto__', '{"a":1,"__proto__":{"isAdmin":true}}'],
    ['a nested __proto__', '{"messages":[{"__proto__":{"x":1}}]}'],
    ['an escaped __proto__', '{"\\u005f_proto__":{"x":1}}'],
    ['constructor.prototype', '{"constructor":{"prototype":{"x":1}}}'],
  ])('refuses %s with RAMPART_REQUEST_PROTO_POISONING', (_name, text) => {
    expect(refusal(() => validateBody(body(text), LIMITS)).code).toBe('RAMPART_REQUEST_PROTO_POISONING');
  });

  it('accepts a harmless "constructor" key', () => {
    expect(validateBody(body('{"constructor":{"name":"x"}}'), LIMITS)).toEqual({ constructor: { name: 'x' } });
  });

  it.each([
    ['empty', ''],
    ['whitespace', ' \n\t'],
    ['broken', '{"a":'],
  ])('refuses %s bodies with RAMPART_REQUEST_INVALID_JSON', (_name, text) => {
    expect(refusal(() => validateBody(body(text), LIMITS)).code).toBe('RAMPART_REQUEST_INVALID_JSON');
  });
});

describe('validateBody: properties', () => {
  it('random JSON: returns what JSON.parse returns, or refuses with a RampartError only', () => {
    fc.assert(
      fc.property(fc.json({ maxDepth: 12 }), fc.integer({ min: 2, max: 8 }), fc.integer({ min: 1, max: 40 }), (text, maxDepth, maxStringLength) => {
        let result: unknown;
        try {
          result = validateBody(body(text), { maxDepth, maxStringLength });
        } catch (error) {
          expect(error).toBeInstanceOf(RampartError);
          return;
        }
        expect(result).toEqual(JSON.parse(text));
      }),
      { numRuns: 500 },
    );
  });

  it('random bytes and mutated JSON never throw anything but a RampartError', () => {
    const mutated = fc
      .tuple(fc.json(), fc.uint8Array({ maxLength: 8 }), fc.nat())
      .map(([text, bytes, at]) => {
        const raw = body(text);
        const cut = at % (raw.length + 1);
        return Buffer.concat([raw.subarray(0, cut), bytes, raw.subarray(cut)]);
      });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)), mutated), (raw) => {
        try {
          validateBody(raw, LIMITS);
        } catch (error) {
          expect(error).toBeInstanceOf(RampartError);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('the byte scan refuses exactly the values deeper than the cap, whatever their strings contain', () => {
    const awkward = fc.string({ unit: fc.constantFrom('[', ']', '{', '}', '"', '\\', 'a', ' ') });
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, awkward, fc.array(tie('node'), { maxLength: 3 }), fc.dictionary(awkward, tie('node'), { maxKeys: 3 })),
    })).node;
    fc.assert(
      fc.property(value, fc.integer({ min: 2, max: 6 }), (root, maxDepth) => {
        const text = JSON.stringify(root);
        let code: string | undefined;
        try {
          validateBody(body(text), { maxDepth, maxStringLength: 1_000_000 });
        } catch (error) {
          code = error instanceof RampartError ? error.code : 'not a RampartError';
        }
        expect(code === 'RAMPART_REQUEST_TOO_DEEP').toBe(depthOf(root) > maxDepth);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('jsonBodyParser in Fastify', () => {
  async function app() {
    const instance = Fastify();
    instance.removeAllContentTypeParsers();
    instance.addContentTypeParser('application/json', { parseAs: 'buffer' }, jsonBodyParser(LIMITS));
    instance.setErrorHandler(errorHandler);
    instance.post('/echo', (request) => ({ got: request.body }));
    await instance.ready();
    return instance;
  }

  it.each([
    ['a 10,000-deep body', body(deepArrays(10_000)), 'RAMPART_REQUEST_TOO_DEEP'],
    ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc0, 0xaf, 0x22, 0x7d]), 'RAMPART_REQUEST_INVALID_UTF8'],
    ['proto poisoning', body('{"__proto__":{"x":1}}'), 'RAMPART_REQUEST_PROTO_POISONING'],
  ])('answers %s with a 400 and its code, not a 500', async (_name, payload, code) => {
    const instance = await app();
    const response = await instance.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload });
    expect(response.statusCode).toBe(400);
    expect(response.json<{ error: { code: string } }>().error.code).toBe(code);
    await instance.close();
  });

  it('passes a valid body through', async () => {
    const instance = await app();
    const response = await instance.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload: '{"a":[1,"€"]}' });
    expect(response.json()).toEqual({ got: { a: [1, '€'] } });
    await instance.close();
  });

  it('refuses bad limits when built', () => {
    expect(() => jsonBodyParser({ maxDepth: 0, maxStringLength: 10 })).toThrow(/maxDepth/);
    expect(() => jsonBodyParser({ maxDepth: 10, maxStringLength: Number.NaN })).toThrow(/maxStringLength/);
  });
});

describe('maxTokensCeiling', () => {
  it('lets a request at or under every ceiling through unchanged', () => {
    expect(maxTokensCeiling(1000, { global: 4000, key: 2000, model: 1000 })).toBe(1000);
    expect(maxTokensCeiling(5, {})).toBe(5);
    expect(maxTokensCeiling(undefined, {})).toBeUndefined();
  });

  it.each([
    [{ global: 4000 }, "the gateway ceiling of 4000"],
    [{ global: 4000, key: 2000 }, "this API key's ceiling of 2000"],
    [{ global: 4000, key: 3000, model: 1000 }, "this model's ceiling of 1000"],
  ])('refuses above the lowest ceiling and names it (%o)', (ceilings, named) => {
    const error = refusal(() => maxTokensCeiling(4001, ceilings));
    expect(error.code).toBe('RAMPART_MAX_TOKENS_EXCEEDED');
    expect(error.message).toContain(named);
    expect(error.param).toBe('max_tokens');
  });

  it('uses the wire format\'s field name in the error', () => {
    expect(refusal(() => maxTokensCeiling(10, { model: 5 }, 'max_output_tokens')).param).toBe('max_output_tokens');
  });

  it('applies the lowest ceiling when the client sent no max_tokens, so omitting it cannot bypass the cap', () => {
    expect(maxTokensCeiling(undefined, { global: 4000, model: 1000 })).toBe(1000);
  });
});
