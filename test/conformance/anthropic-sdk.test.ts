import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ECHO, type Gateway, MODELS, PROMPT, type ProviderType, TOOL_PROMPT, WEATHER_TOOL, startGateway } from './gateway.ts';

/** The official @anthropic-ai/sdk against every provider type, through Rampart. */
describe('conformance: @anthropic-ai/sdk as client', () => {
  let gateway: Gateway;
  let client: Anthropic;
  beforeAll(async () => {
    gateway = await startGateway();
    client = new Anthropic({ apiKey: gateway.key, baseURL: gateway.proxyUrl, maxRetries: 0, timeout: 10_000 });
  });
  afterAll(async () => {
    await gateway?.stop();
  });

  const tools = [{ name: WEATHER_TOOL.name, description: WEATHER_TOOL.description, input_schema: { ...WEATHER_TOOL.parameters, required: ['city'] } }];
  const textOf = (message: Anthropic.Message) => message.content.map((b) => (b.type === 'text' ? b.text : '')).join('');

  for (const provider of Object.keys(MODELS) as ProviderType[]) {
    const model = MODELS[provider];
    describe(`→ ${provider} provider`, () => {
      it('text, non-stream', async () => {
        const message = await client.messages.create({ model, max_tokens: 256, messages: [{ role: 'user', content: PROMPT }] });
        expect(textOf(message)).toBe(ECHO);
        expect(message.stop_reason).toBe('end_turn');
        expect(message.usage.input_tokens).toBeGreaterThan(0);
        expect(message.usage.output_tokens).toBeGreaterThan(0);
      });

      it('text, stream', async () => {
        const stream = client.messages.stream({ model, max_tokens: 256, messages: [{ role: 'user', content: PROMPT }] });
        let deltas = '';
        stream.on('text', (t) => (deltas += t));
        const message = await stream.finalMessage();
        expect(deltas).toBe(ECHO);
        expect(textOf(message)).toBe(ECHO);
        expect(message.stop_reason).toBe('end_turn');
        expect(message.usage.output_tokens).toBeGreaterThan(0);
      });

      it('tool call, non-stream', async () => {
        const message = await client.messages.create({ model, max_tokens: 256, tools, messages: [{ role: 'user', content: TOOL_PROMPT }] });
        const use = message.content.find((b) => b.type === 'tool_use');
        expect(use?.type === 'tool_use' && use.name).toBe('get_weather');
        expect(use?.type === 'tool_use' && use.input).toEqual({ city: 'test' });
        expect(message.stop_reason).toBe('tool_use');
      });

      it('tool call, stream', async () => {
        const message = await client.messages.stream({ model, max_tokens: 256, tools, messages: [{ role: 'user', content: TOOL_PROMPT }] }).finalMessage();
        const use = message.content.find((b) => b.type === 'tool_use');
        expect(use?.type === 'tool_use' && use.name).toBe('get_weather');
        expect(use?.type === 'tool_use' && use.input).toEqual({ city: 'test' });
        expect(message.stop_reason).toBe('tool_use');
      });

      it('counts tokens', async () => {
        const count = await client.messages.countTokens({ model, messages: [{ role: 'user', content: PROMPT }] });
        expect(count.input_tokens).toBeGreaterThan(0);
      });
    });
  }
});
