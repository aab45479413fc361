import { FinishReason, GoogleGenAI } from '@google/genai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ECHO, type Gateway, MODELS, PROMPT, type ProviderType, TOOL_PROMPT, WEATHER_TOOL, startGateway } from './gateway.ts';

/** The official @google/genai SDK against every provider type, through Rampart. */
describe('conformance: @google/genai as client', () => {
  let gateway: Gateway;
  let ai: GoogleGenAI;
  beforeAll(async () => {
    gateway = await startGateway();
    ai = new GoogleGenAI({ apiKey: gateway.key, httpOptions: { baseUrl: gateway.proxyUrl } });
  });
  afterAll(async () => {
    await gateway?.stop();
  });

  const config = { tools: [{ functionDeclarations: [{ name: WEATHER_TOOL.name, description: WEATHER_TOOL.description, parametersJsonSchema: WEATHER_TOOL.parameters }] }] };

  for (const provider of Object.keys(MODELS) as ProviderType[]) {
    const model = MODELS[provider];
    describe(`→ ${provider} provider`, () => {
      it('text, non-stream', async () => {
        const res = await ai.models.generateContent({ model, contents: PROMPT });
        expect(res.text).toBe(ECHO);
        expect(res.candidates?.[0]?.finishReason).toBe(FinishReason.STOP);
        expect(res.usageMetadata?.promptTokenCount).toBeGreaterThan(0);
        expect(res.usageMetadata?.candidatesTokenCount).toBeGreaterThan(0);
      });

      it('text, stream', async () => {
        let text = '';
        let finish: FinishReason | undefined;
        let output = 0;
        for await (const chunk of await ai.models.generateContentStream({ model, contents: PROMPT })) {
          text += chunk.text ?? '';
          finish = chunk.candidates?.[0]?.finishReason ?? finish;
          output = chunk.usageMetadata?.candidatesTokenCount ?? output;
        }
        expect(text).toBe(ECHO);
        expect(finish).toBe(FinishReason.STOP);
        expect(output).toBeGreaterThan(0);
      });

      it('tool call, non-stream', async () => {
        const res = await ai.models.generateContent({ model, contents: TOOL_PROMPT, config });
        expect(res.functionCalls?.[0]?.name).toBe('get_weather');
        expect(res.functionCalls?.[0]?.args).toEqual({ city: 'test' });
      });

      it('tool call, stream', async () => {
        const calls = [];
        for await (const chunk of await ai.models.generateContentStream({ model, contents: TOOL_PROMPT, config })) calls.push(...(chunk.functionCalls ?? []));
        expect(calls.map((c) => [c.name, c.args])).toEqual([['get_weather', { city: 'test' }]]);
      });

      it('counts tokens', async () => {
        const res = await ai.models.countTokens({ model, contents: PROMPT });
        expect(res.totalTokens).toBeGreaterThan(0);
      });
    });
  }

  it('lists models in Gemini’s shape', async () => {
    const names: string[] = [];
    for await (const m of await ai.models.list()) names.push(m.name ?? '');
    expect(names.sort()).toEqual(Object.values(MODELS).map((id) => `models/${id}`).sort());
  });
});
