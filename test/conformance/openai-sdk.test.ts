import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ECHO, type Gateway, MODELS, PROMPT, type ProviderType, TOOL_PROMPT, WEATHER_TOOL, startGateway } from './gateway.ts';

/** The official openai SDK (Chat Completions and Responses) against every provider type, through Rampart. */
describe('conformance: openai SDK as client', () => {
  let gateway: Gateway;
  let client: OpenAI;
  beforeAll(async () => {
    gateway = await startGateway();
    client = new OpenAI({ apiKey: gateway.key, baseURL: `${gateway.proxyUrl}/v1`, maxRetries: 0, timeout: 10_000 });
  });
  afterAll(async () => {
    await gateway?.stop();
  });

  const tools = [{ type: 'function' as const, function: { ...WEATHER_TOOL, parameters: { ...WEATHER_TOOL.parameters } } }];

  for (const provider of Object.keys(MODELS) as ProviderType[]) {
    const model = MODELS[provider];
    describe(`→ ${provider} provider`, () => {
      it('chat: text, non-stream', async () => {
        const res = await client.chat.completions.create({ model, messages: [{ role: 'user', content: PROMPT }] });
        expect(res.choices[0]?.message.content).toBe(ECHO);
        expect(res.choices[0]?.finish_reason).toBe('stop');
        expect(res.usage?.prompt_tokens).toBeGreaterThan(0);
        expect(res.usage?.completion_tokens).toBeGreaterThan(0);
      });

      it('chat: text, stream with usage', async () => {
        const stream = await client.chat.completions.create({ model, stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: PROMPT }] });
        let text = '';
        let finish: string | null = null;
        let usage: OpenAI.CompletionUsage | undefined;
        for await (const chunk of stream) {
          text += chunk.choices[0]?.delta.content ?? '';
          finish = chunk.choices[0]?.finish_reason ?? finish;
          usage = chunk.usage ?? usage;
        }
        expect(text).toBe(ECHO);
        expect(finish).toBe('stop');
        expect(usage?.completion_tokens).toBeGreaterThan(0);
      });

      it('chat: tool call, non-stream', async () => {
        const res = await client.chat.completions.create({ model, tools, messages: [{ role: 'user', content: TOOL_PROMPT }] });
        const call = res.choices[0]?.message.tool_calls?.[0];
        expect(call?.type === 'function' && call.function.name).toBe('get_weather');
        expect(call?.type === 'function' && JSON.parse(call.function.arguments)).toEqual({ city: 'test' });
        expect(res.choices[0]?.finish_reason).toBe('tool_calls');
      });

      it('chat: tool call, stream', async () => {
        const runner = client.chat.completions.stream({ model, tools, messages: [{ role: 'user', content: TOOL_PROMPT }] });
        const final = await runner.finalChatCompletion();
        const call = final.choices[0]?.message.tool_calls?.[0];
        expect(call?.type === 'function' && call.function.name).toBe('get_weather');
        expect(call?.type === 'function' && JSON.parse(call.function.arguments)).toEqual({ city: 'test' });
        expect(final.choices[0]?.finish_reason).toBe('tool_calls');
      });

      it('responses: text, non-stream and stream', async () => {
        const res = await client.responses.create({ model, input: PROMPT });
        expect(res.output_text).toBe(ECHO);
        expect(res.status).toBe('completed');
        expect(res.usage?.output_tokens).toBeGreaterThan(0);
        const stream = client.responses.stream({ model, input: PROMPT });
        let deltas = '';
        stream.on('response.output_text.delta', (e) => (deltas += e.delta));
        const final = await stream.finalResponse();
        expect(deltas).toBe(ECHO);
        expect(final.output_text).toBe(ECHO);
        expect(final.usage?.output_tokens).toBeGreaterThan(0);
      });

      it('responses: tool call', async () => {
        const res = await client.responses.create({ model, input: TOOL_PROMPT, tools: [{ type: 'function', ...WEATHER_TOOL, parameters: { ...WEATHER_TOOL.parameters }, strict: false }] });
        const call = res.output.find((item) => item.type === 'function_call');
        expect(call?.type === 'function_call' && call.name).toBe('get_weather');
        expect(call?.type === 'function_call' && JSON.parse(call.arguments)).toEqual({ city: 'test' });
      });
    });
  }
});
