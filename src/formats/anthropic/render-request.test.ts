import { describe, expect, it } from 'vitest';
import { FormatError } from '../canonical/format-error.ts';
import type { CanonicalRequest } from '../canonical/types.ts';
import { renderCountTokensRequest } from './count-tokens.ts';
import { parseMessagesRequest } from './parse-request.ts';
import { renderMessagesRequest } from './render-request.ts';

const hi: CanonicalRequest['messages'][number] = { role: 'user', content: [{ type: 'text', text: 'Hi' }] };
const req = (over: Partial<CanonicalRequest> = {}): CanonicalRequest => ({ model: 'claude-x', system: [], messages: [hi], stream: false, ...over });

function paramOf(request: CanonicalRequest): string | null {
  try {
    renderMessagesRequest(request);
  } catch (error) {
    if (error instanceof FormatError) return error.param;
    throw error;
  }
  throw new Error('expected a FormatError');
}

describe('renderMessagesRequest', () => {
  it('renders a minimal request with the default max_tokens', () => {
    expect(renderMessagesRequest(req())).toStrictEqual({ model: 'claude-x', max_tokens: 4096, messages: [{ role: 'user', content: 'Hi' }] });
  });

  it('merges same-role turns, sends tool turns as user turns with results first, and drops what Anthropic refuses', () => {
    const body = renderMessagesRequest(
      req({
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'a' }] },
          { role: 'user', content: [{ type: 'text', text: '' }, { type: 'text', text: 'b' }] },
          {
            role: 'assistant',
            content: [
              { type: 'thinking', text: 'from another provider' },
              { type: 'text', text: 'calling' },
              { type: 'tool_call', id: 'functions.f:0', name: 'f', arguments: '' },
            ],
          },
          { role: 'user', content: [{ type: 'text', text: 'also' }] },
          { role: 'tool', content: [{ type: 'tool_result', toolCallId: 'functions.f:0', content: [{ type: 'text', text: 'r' }, { type: 'image', source: { kind: 'url', url: 'https://i.test/x.png' } }], isError: true }] },
        ],
      }),
    );
    expect(body.messages).toStrictEqual([
      { role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'calling' }, { type: 'tool_use', id: 'functions_f_0', name: 'f', input: {} }] },
      {
        role: 'user',
        content: [
          {
            type: 'tool_result',
            tool_use_id: 'functions_f_0',
            content: [{ type: 'text', text: 'r' }, { type: 'image', source: { type: 'url', url: 'https://i.test/x.png' } }],
            is_error: true,
          },
          { type: 'text', text: 'also' },
        ],
      },
    ]);
  });

  it('drops a turn that is left empty', () => {
    const body = renderMessagesRequest(req({ messages: [hi, { role: 'assistant', content: [{ type: 'thinking', text: 'unsigned' }] }, hi] }));
    expect(body.messages).toStrictEqual([{ role: 'user', content: [{ type: 'text', text: 'Hi' }, { type: 'text', text: 'Hi' }] }]);
  });

  it('re-applies cache breakpoints and redacted thinking by canonical position, after merging', () => {
    const request = parseMessagesRequest({
      model: 'claude-x',
      max_tokens: 100,
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'one', cache_control: { type: 'ephemeral' } }] },
        { role: 'user', content: [{ type: 'text', text: 'two', cache_control: { type: 'ephemeral', ttl: '1h' } }] },
        { role: 'assistant', content: [{ type: 'text', text: 'x' }, { type: 'redacted_thinking', data: 'R1' }] },
        { role: 'user', content: 'go' },
      ],
    });
    expect(renderMessagesRequest(request).messages).toStrictEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'one', cache_control: { type: 'ephemeral' } },
          { type: 'text', text: 'two', cache_control: { type: 'ephemeral', ttl: '1h' } },
        ],
      },
      { role: 'assistant', content: [{ type: 'text', text: 'x' }, { type: 'redacted_thinking', data: 'R1' }] },
      { role: 'user', content: 'go' },
    ]);
  });

  it('folds mid-conversation system messages into the system prompt', () => {
    const body = renderMessagesRequest(req({ system: [{ type: 'text', text: 'A' }], messages: [hi, { role: 'system', content: [{ type: 'text', text: 'B' }] }] }));
    expect(body.system).toStrictEqual([{ type: 'text', text: 'A' }, { type: 'text', text: 'B' }]);
    expect(body.messages).toStrictEqual([{ role: 'user', content: 'Hi' }]);
  });

  describe('thinking', () => {
    it.each([
      [{ effort: 'minimal' as const }, undefined, 1024 + 4096, 1024],
      [{ effort: 'high' as const }, 20000, 20000, 16384],
      [{ effort: 'medium' as const }, 5000, 5000, 4999],
      [{ budgetTokens: 300 }, undefined, 1024 + 4096, 1024],
      [{ budgetTokens: 3000, effort: 'low' as const }, 8000, 8000, 3000],
    ])('reasoning %j with max_tokens %s → max_tokens %i, budget %i', (reasoning, maxTokens, wireMax, budget) => {
      const body = renderMessagesRequest(req({ reasoning, ...(maxTokens === undefined ? {} : { maxTokens }) }));
      expect(body.max_tokens).toBe(wireMax);
      expect(body.thinking).toStrictEqual({ type: 'enabled', budget_tokens: budget });
    });

    it('sends a zero budget as disabled thinking', () => {
      expect(renderMessagesRequest(req({ reasoning: { budgetTokens: 0 }, maxTokens: 50 })).thinking).toStrictEqual({ type: 'disabled' });
    });

    it('refuses reasoning under a cap with no room for the minimum budget', () => {
      expect(paramOf(req({ reasoning: { effort: 'low' }, maxTokens: 1024 }))).toBe('max_tokens');
    });

    it('keeps the display option of an Anthropic client', () => {
      const request = parseMessagesRequest({ model: 'm', max_tokens: 5000, messages: [{ role: 'user', content: 'x' }], thinking: { type: 'enabled', budget_tokens: 2000, display: 'omitted' } });
      expect(renderMessagesRequest(request).thinking).toStrictEqual({ type: 'enabled', budget_tokens: 2000, display: 'omitted' });
    });
  });

  it('renders tools, a choice with parallel calls disabled, and an auto choice only to carry that flag', () => {
    const tools = [{ name: 'f', parameters: {} }];
    expect(renderMessagesRequest(req({ tools, parallelToolCalls: false }))).toMatchObject({
      tools: [{ name: 'f', input_schema: { type: 'object' } }],
      tool_choice: { type: 'auto', disable_parallel_tool_use: true },
    });
    expect(renderMessagesRequest(req({ tools, toolChoice: { type: 'none' }, parallelToolCalls: false })).tool_choice).toStrictEqual({ type: 'none' });
    expect(renderMessagesRequest(req({ tools, parallelToolCalls: true })).tool_choice).toBeUndefined();
    expect(renderMessagesRequest(req({ toolChoice: { type: 'required' } })).tool_choice).toBeUndefined();
  });

  it('refuses what Anthropic cannot express', () => {
    expect(paramOf(req({ temperature: 1.2 }))).toBe('temperature');
    expect(paramOf(req({ responseFormat: { type: 'json_object' } }))).toBe('response_format');
    expect(paramOf(req({ messages: [{ role: 'assistant', content: [{ type: 'tool_call', id: 'a', name: 'f', arguments: '"x"' }] }] }))).toBe('messages.0.content.0.arguments');
  });

  it('ignores response_format text and passes top_k', () => {
    expect(renderMessagesRequest(req({ responseFormat: { type: 'text' }, topK: 5 }))).toStrictEqual({ model: 'claude-x', max_tokens: 4096, messages: [{ role: 'user', content: 'Hi' }], top_k: 5 });
  });
});

describe('renderCountTokensRequest', () => {
  it('keeps only the fields count_tokens accepts', () => {
    const body = renderCountTokensRequest(
      req({ stream: true, maxTokens: 10, temperature: 0.5, stop: ['x'], user: 'u', system: [{ type: 'text', text: 'S' }], tools: [{ name: 'f', parameters: { type: 'object' } }], reasoning: { budgetTokens: 2048 } }),
    );
    expect(body).toStrictEqual({
      model: 'claude-x',
      messages: [{ role: 'user', content: 'Hi' }],
      system: 'S',
      tools: [{ name: 'f', input_schema: { type: 'object' } }],
      thinking: { type: 'enabled', budget_tokens: 2048 },
    });
  });
});

describe('thinking compatibility (regression: Anthropic refuses these combinations with a 400)', () => {
  const base = { model: 'claude', system: [], stream: false, messages: [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'hi' }] }], reasoning: { budgetTokens: 2048 } };
  const tool = { name: 't', parameters: { type: 'object' } };
  it('refuses thinking with a forced tool choice, temperature or top_k', () => {
    expect(() => renderMessagesRequest({ ...base, tools: [tool], toolChoice: { type: 'required' } })).toThrow(/forced tool choice/);
    expect(() => renderMessagesRequest({ ...base, temperature: 0.2 })).toThrow(/temperature/);
    expect(() => renderMessagesRequest({ ...base, topK: 5 })).toThrow(/top_k/);
  });
  it('allows thinking with tool_choice auto and temperature 1', () => {
    expect(renderMessagesRequest({ ...base, tools: [tool], toolChoice: { type: 'auto' }, temperature: 1 })).toMatchObject({ thinking: { type: 'enabled', budget_tokens: 2048 } });
  });
});
