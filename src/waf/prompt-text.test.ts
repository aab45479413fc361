import { describe, expect, it } from 'vitest';
import type { CanonicalRequest } from '../formats/canonical/types.ts';
import { promptText } from './prompt-text.ts';

const request: CanonicalRequest = {
  model: 'gpt-4o',
  stream: false,
  system: [{ type: 'text', text: 'SYSTEM-1' }, { type: 'text', text: 'SYSTEM-2' }],
  messages: [
    {
      role: 'user',
      content: [
        { type: 'text', text: 'USER-TEXT' },
        { type: 'image', source: { kind: 'url', url: 'https://img.example/IMAGE-URL.png' } },
        { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'BASE64-DATA' } },
      ],
    },
    {
      role: 'assistant',
      content: [
        { type: 'thinking', text: 'THINKING' },
        { type: 'text', text: 'ASSISTANT-TEXT' },
        { type: 'tool_call', id: 'call_1', name: 'TOOL-NAME-CALLED', arguments: '{"q":"TOOL-ARGS"}' },
      ],
    },
    { role: 'tool', content: [{ type: 'tool_result', toolCallId: 'call_1', content: [{ type: 'text', text: 'TOOL-RESULT' }] }] },
  ],
  tools: [{ name: 'TOOL-DEF', description: 'TOOL-DESCRIPTION', parameters: { type: 'object' } }],
};

describe('promptText', () => {
  it('collects every client-controlled text, in order', () => {
    const text = promptText(request);
    const expected = [
      'SYSTEM-1', 'SYSTEM-2', 'USER-TEXT', 'IMAGE-URL', 'THINKING', 'ASSISTANT-TEXT',
      'TOOL-NAME-CALLED', 'TOOL-ARGS', 'TOOL-RESULT', 'TOOL-DEF', 'TOOL-DESCRIPTION',
    ];
    const positions = expected.map((marker) => text.indexOf(marker));
    expect(positions.every((at) => at >= 0)).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });

  it('skips base64 image data', () => {
    expect(promptText(request)).not.toContain('BASE64-DATA');
  });

  it('separates parts so a pattern cannot span two of them', () => {
    expect(promptText(request)).toContain('SYSTEM-1\nSYSTEM-2');
  });

  it('reads the inputs of an embeddings request', () => {
    expect(promptText({ model: 'text-embedding-3-small', inputs: ['first', 'second'] })).toBe('first\nsecond');
  });
});
