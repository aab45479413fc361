import { describe, expect, it } from 'vitest';
import { estimateRequestTokens, estimateTextTokens } from './estimate-tokens.ts';

describe('token estimates', () => {
  it('counts about four characters per token', () => {
    expect(estimateTextTokens('')).toBe(0);
    expect(estimateTextTokens('abcd')).toBe(1);
    expect(estimateTextTokens('abcde')).toBe(2);
  });

  it('adds system, messages, tool calls, tools and images', () => {
    const tokens = estimateRequestTokens({
      model: 'm',
      stream: false,
      system: [{ type: 'text', text: 'x'.repeat(40) }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'y'.repeat(40) }, { type: 'image', source: { kind: 'url', url: 'https://e/x.png' } }] },
        { role: 'assistant', content: [{ type: 'tool_call', id: 'c', name: 'abcd', arguments: '{}' }] },
      ],
      tools: [{ name: 'abcd', parameters: {} }],
    });
    // 40 + 40 + 'abcd{}' (6) + 'abcd{}' (6) = 92 chars → 23 tokens, plus one image
    expect(tokens).toBe(23 + 258);
  });
});
