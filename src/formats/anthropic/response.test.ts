import { describe, expect, it } from 'vitest';
import { FormatError } from '../canonical/format-error.ts';
import type { CanonicalResponse } from '../canonical/types.ts';
import { parseCountTokensResponse, renderCountTokensResponse } from './count-tokens.ts';
import { renderModelList } from './models.ts';
import { parseMessagesResponse } from './parse-response.ts';
import { renderMessagesResponse } from './render-response.ts';

const message = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: 'msg_1',
  type: 'message',
  role: 'assistant',
  model: 'claude-x',
  content: [{ type: 'text', text: 'Hi' }],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: { input_tokens: 10, output_tokens: 5 },
  ...over,
});

describe('parseMessagesResponse', () => {
  it('adds cache reads and writes into canonical input tokens and reads thinking tokens', () => {
    const response = parseMessagesResponse(
      message({ usage: { input_tokens: 10, cache_creation_input_tokens: 20, cache_read_input_tokens: 30, output_tokens: 7, output_tokens_details: { thinking_tokens: 4 } } }),
    );
    expect(response.usage).toStrictEqual({ inputTokens: 60, outputTokens: 7, cachedInputTokens: 30, cacheWriteInputTokens: 20, reasoningTokens: 4 });
    expect(response.created).toBe(0);
  });

  it.each([
    ['end_turn', 'stop', undefined],
    ['stop_sequence', 'stop', 'stop_sequence'],
    ['pause_turn', 'stop', 'pause_turn'],
    ['max_tokens', 'length', undefined],
    ['model_context_window_exceeded', 'length', 'model_context_window_exceeded'],
    ['tool_use', 'tool_calls', undefined],
    ['refusal', 'content_filter', undefined],
    ['something_new', 'stop', 'something_new'],
  ])('maps stop_reason %s to %s, keeping the original when it says more', (stop, finish, kept) => {
    const response = parseMessagesResponse(message({ stop_reason: stop }));
    expect(response.finishReason).toBe(finish);
    expect(response.extensions?.anthropic?.stopReason).toBe(kept);
  });

  it('infers the finish reason when stop_reason is null', () => {
    const response = parseMessagesResponse(message({ stop_reason: null, content: [{ type: 'tool_use', id: 't', name: 'f', input: {} }] }));
    expect(response.finishReason).toBe('tool_calls');
  });

  it.each([
    [null, null],
    [message({ type: 'error' }), 'type'],
    [message({ content: 'Hi' }), 'content'],
    [message({ content: [{ type: 'server_tool_use', id: 's', name: 'web_search', input: {} }] }), 'content.0.type'],
    [message({ content: [{ type: 'tool_use', id: 't', name: 'f', input: 'x' }] }), 'content.0.input'],
    [message({ usage: { input_tokens: -1, output_tokens: 1 } }), 'usage.input_tokens'],
    [message({ usage: { output_tokens: 1 } }), 'usage.input_tokens'],
  ])('refuses a malformed Message at %#', (body, param) => {
    let thrown: unknown;
    try {
      parseMessagesResponse(body);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(FormatError);
    expect((thrown as FormatError).param).toBe(param);
  });
});

describe('renderMessagesResponse', () => {
  const canonical: CanonicalResponse = {
    id: 'chatcmpl-1',
    model: 'gpt-4o',
    created: 1,
    content: [
      { type: 'thinking', text: 't' },
      { type: 'text', text: 'a' },
      { type: 'tool_call', id: 'call_1', name: 'f', arguments: '{"x":1}' },
    ],
    finishReason: 'tool_calls',
    usage: { inputTokens: 100, outputTokens: 9, cachedInputTokens: 60, cacheWriteInputTokens: 10 },
  };

  it('renders the exact Message shape, subtracting cache counts from input_tokens', () => {
    expect(renderMessagesResponse(canonical)).toStrictEqual({
      id: 'chatcmpl-1',
      type: 'message',
      role: 'assistant',
      model: 'gpt-4o',
      content: [
        { type: 'thinking', thinking: 't', signature: '' },
        { type: 'text', text: 'a' },
        { type: 'tool_use', id: 'call_1', name: 'f', input: { x: 1 } },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 30, output_tokens: 9, cache_creation_input_tokens: 10, cache_read_input_tokens: 60 },
    });
  });

  it.each([
    ['stop', 'end_turn'],
    ['length', 'max_tokens'],
    ['content_filter', 'refusal'],
    ['error', 'end_turn'],
  ] as const)('renders finish %s as %s, with zero usage when none was reported', (finish, stop) => {
    const body = renderMessagesResponse({ ...canonical, content: [], finishReason: finish, usage: undefined });
    expect(body.stop_reason).toBe(stop);
    expect(body.usage).toStrictEqual({ input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });
  });

  it('never sends a negative input count for inconsistent usage', () => {
    expect(renderMessagesResponse({ ...canonical, usage: { inputTokens: 5, outputTokens: 1, cachedInputTokens: 9 } }).usage.input_tokens).toBe(0);
  });

  it('refuses tool arguments that are not a JSON object', () => {
    expect(() => renderMessagesResponse({ ...canonical, content: [{ type: 'tool_call', id: 'c', name: 'f', arguments: '[]' }] })).toThrow(FormatError);
  });

  it('round-trips an Anthropic Message with redacted thinking at the end', () => {
    const body = message({
      content: [
        { type: 'text', text: 'x' },
        { type: 'redacted_thinking', data: 'R' },
      ],
      usage: { input_tokens: 1, output_tokens: 2, cache_creation_input_tokens: 3, cache_read_input_tokens: 4 },
    });
    expect(renderMessagesResponse(parseMessagesResponse(body))).toStrictEqual(body);
  });
});

describe('count tokens and models', () => {
  it('converts token counts both ways', () => {
    expect(parseCountTokensResponse({ input_tokens: 2095 })).toStrictEqual({ inputTokens: 2095 });
    expect(renderCountTokensResponse({ inputTokens: 7 })).toStrictEqual({ input_tokens: 7 });
    expect(() => parseCountTokensResponse({ input_tokens: '1' })).toThrow(FormatError);
  });

  it('renders a one-page model list with RFC 3339 dates', () => {
    expect(
      renderModelList([
        { id: 'claude-sonnet-4-5', ownedBy: 'anthropic', created: 1759104000, displayName: 'Claude Sonnet 4.5' },
        { id: 'gpt-4o', ownedBy: 'openai', created: Number.NaN },
      ]),
    ).toStrictEqual({
      data: [
        { type: 'model', id: 'claude-sonnet-4-5', display_name: 'Claude Sonnet 4.5', created_at: '2025-09-29T00:00:00Z' },
        { type: 'model', id: 'gpt-4o', display_name: 'gpt-4o', created_at: '1970-01-01T00:00:00Z' },
      ],
      has_more: false,
      first_id: 'claude-sonnet-4-5',
      last_id: 'gpt-4o',
    });
    expect(renderModelList([])).toStrictEqual({ data: [], has_more: false, first_id: null, last_id: null });
  });
});
