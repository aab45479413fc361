import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_REPLY, countTokens, findCalledTools, limitTokens, replyText, tokenize, toolArguments } from './reply.ts';

describe('tokenize / countTokens', () => {
  it('splits words with their leading space and punctuation on its own', () => {
    expect(tokenize('Echo: Hello there, world!')).toEqual(['Echo', ':', ' Hello', ' there', ',', ' world', '!']);
    expect(countTokens('Echo: Hello there, world!')).toBe(7);
    expect(countTokens('')).toBe(0);
    expect(tokenize('  trailing  ')).toEqual(['  trailing', '  ']);
  });

  it('pieces always join back to the input and countTokens agrees with tokenize', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (text) => {
        const pieces = tokenize(text);
        expect(pieces.join('')).toBe(text);
        expect(countTokens(text)).toBe(pieces.length);
      }),
    );
  });
});

describe('replyText / limitTokens', () => {
  it('echoes the text without fault directives, or greets when there is none', () => {
    expect(replyText('hi [mock:latency=5] there')).toBe('Echo: hi  there');
    expect(replyText('[mock:drip=1]')).toBe(DEFAULT_REPLY);
    expect(replyText(undefined)).toBe(DEFAULT_REPLY);
  });

  it('cuts to maxTokens and says so', () => {
    expect(limitTokens('Echo: a b c', 3)).toEqual({ pieces: ['Echo', ':', ' a'], truncated: true });
    expect(limitTokens('Echo: a', 3)).toEqual({ pieces: ['Echo', ':', ' a'], truncated: false });
    expect(limitTokens('Echo: a', undefined).truncated).toBe(false);
  });
});

describe('findCalledTools', () => {
  it('finds `call <name>` mentions in order, on whole names only', () => {
    expect(findCalledTools('call b then call a', ['a', 'b'])).toEqual(['b', 'a']);
    expect(findCalledTools('call get_weather_now', ['get_weather'])).toEqual([]);
    expect(findCalledTools('recall a', ['a'])).toEqual([]);
    expect(findCalledTools('please call x.y', ['x.y'])).toEqual(['x.y']);
  });
});

describe('toolArguments', () => {
  it('fills required properties deterministically', () => {
    const schema = {
      type: 'object',
      properties: {
        city: { type: 'string' },
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
        days: { type: 'integer' },
        optional: { type: 'string' },
        nested: { type: 'object', properties: { flag: { type: ['boolean', 'null'] } }, required: ['flag'] },
      },
      required: ['city', 'unit', 'days', 'nested'],
    };
    expect(JSON.parse(toolArguments(schema))).toEqual({ city: 'test', unit: 'celsius', days: 1, nested: { flag: true } });
  });

  it('gives {} without a usable schema', () => {
    expect(toolArguments(undefined)).toBe('{}');
    expect(toolArguments({ type: 'object', properties: { a: { type: 'string' } } })).toBe('{}');
  });
});
