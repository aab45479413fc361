/**
 * Micro-benchmark: CPU cost of translating one typical chat-with-tools request and its answer between wire formats
 * (pure functions, no I/O). For every client × provider pairing it measures
 *   request:  client JSON → canonical → provider JSON (incl. JSON.stringify of the result)
 *   response: provider JSON → canonical → client JSON
 *   stream:   20 provider SSE payloads → canonical events → client SSE text
 *
 *   npm run bench:translation -- [--iterations 20000]
 */
import { parseArgs } from 'node:util';
import { anthropicClientCodec, anthropicProviderCodec } from '../src/formats/anthropic/index.ts';
import type { ClientCodec, ProviderCodec } from '../src/formats/canonical/codec.ts';
import type { CanonicalRequest, CanonicalResponse, StreamEvent } from '../src/formats/canonical/types.ts';
import { geminiClientCodec, geminiProviderCodec } from '../src/formats/gemini/index.ts';
import { openAIChatClientCodec, openAIChatProviderCodec } from '../src/formats/openai-chat/index.ts';
import { openAIResponsesClientCodec } from '../src/formats/openai-responses/index.ts';

const { values } = parseArgs({ options: { iterations: { type: 'string', default: '20000' } } });
const iterations = Math.min(Math.max(Number(values.iterations), 100), 1_000_000);

const clients: Record<string, ClientCodec> = { 'openai-chat': openAIChatClientCodec, 'openai-responses': openAIResponsesClientCodec, anthropic: anthropicClientCodec, gemini: geminiClientCodec };
const providers: Record<string, ProviderCodec> = { 'openai-chat': openAIChatProviderCodec, anthropic: anthropicProviderCodec, gemini: geminiProviderCodec };

const tool = { name: 'get_weather', description: 'Current weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['c', 'f'] } }, required: ['city'] } };
/** A typical agent turn: system prompt, a few turns, one earlier tool round trip, two tools offered. */
const canonical: CanonicalRequest = {
  model: 'bench-model',
  stream: false,
  maxTokens: 1024,
  temperature: 0.3,
  system: [{ type: 'text', text: 'You are a helpful assistant. Answer briefly and use tools when they help.' }],
  messages: [
    { role: 'user', content: [{ type: 'text', text: 'What is the weather in Paris, and should I take an umbrella?' }] },
    { role: 'assistant', content: [{ type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }] },
    { role: 'tool', content: [{ type: 'tool_result', toolCallId: 'call_1', content: [{ type: 'text', text: '{"temp":14,"rain":0.7}' }] }] },
    { role: 'assistant', content: [{ type: 'text', text: 'It is 14°C with a 70% chance of rain: take an umbrella.' }] },
    { role: 'user', content: [{ type: 'text', text: 'And in Berlin tomorrow?' }] },
  ],
  tools: [tool, { ...tool, name: 'get_forecast', description: 'Forecast for a city and day' }],
  toolChoice: { type: 'auto' },
};
const answer: CanonicalResponse = {
  id: 'resp_bench',
  model: 'bench-model',
  created: 1_700_000_000,
  content: [{ type: 'text', text: 'Let me check.' }, { type: 'tool_call', id: 'call_2', name: 'get_forecast', arguments: '{"city":"Berlin","day":"tomorrow"}' }],
  finishReason: 'tool_calls',
  usage: { inputTokens: 412, outputTokens: 31 },
};
const events: StreamEvent[] = [
  { type: 'start', id: 'resp_bench', model: 'bench-model', created: 1_700_000_000 },
  ...'It will be cloudy with light rain in the afternoon , around 12 degrees .'.split(' ').map((w): StreamEvent => ({ type: 'text_delta', text: `${w} ` })),
  { type: 'finish', finishReason: 'stop' },
  { type: 'usage', usage: { inputTokens: 412, outputTokens: 20 } },
];

/** Renders canonical data into each format's wire form once, so every pairing starts from realistic input. */
function wireInputs(clientName: string, providerName: string) {
  const client = clients[clientName]!;
  const provider = providers[providerName]!;
  const clientRequest = roundTripClientRequest(clientName);
  const providerResponse = providerResponseBody(providerName);
  const streamRenderer = providerStreamText(providerName);
  return { client, provider, clientRequest, providerResponse, streamRenderer };
}

function roundTripClientRequest(name: string): unknown {
  // Each client format's own request for the canonical turn: render it as that format's provider would see it.
  const asProvider = providers[name === 'openai-responses' ? 'openai-chat' : name];
  if (name === 'openai-responses') {
    return { model: 'bench-model', instructions: 'You are a helpful assistant. Answer briefly and use tools when they help.', input: 'And in Berlin tomorrow?', tools: [{ type: 'function', ...tool, strict: false }], max_output_tokens: 1024 };
  }
  return asProvider!.renderRequest(canonical);
}

function providerResponseBody(name: string): unknown {
  // The provider's answer as its wire JSON: rendered by the client codec of the same format.
  const codec = name === 'openai-chat' ? clients['openai-chat']! : clients[name]!;
  return JSON.parse(JSON.stringify(codec.renderResponse(answer)));
}

function providerStreamText(name: string): { data: string; event?: string }[] {
  const codec = clients[name]!;
  const renderer = codec.createStreamRenderer({ ...canonical, stream: true }, { model: 'bench-model', stream: true, streamFraming: 'sse' });
  let text = '';
  for (const e of events) text += renderer.render(e);
  text += renderer.end();
  const out: { data: string; event?: string }[] = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    const data = block.split(/\r?\n/).filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n');
    const event = /^event: ?(.*)$/m.exec(block)?.[1];
    if (data !== '' && data !== '[DONE]') out.push(event === undefined ? { data } : { data, event });
  }
  return out;
}

/** Keeps the stream output observable so the JIT cannot drop the work. */
let sink = 0;

function time(fn: () => void): number {
  for (let i = 0; i < Math.min(2000, iterations); i++) fn();
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn();
  return Number(process.hrtime.bigint() - start) / iterations / 1000;
}

console.log(`translation cost per call, µs (${iterations} iterations, ${process.version})\n`);
console.log('| client ← provider | request | response | stream (20 events) |');
console.log('|---|---|---|---|');
for (const clientName of Object.keys(clients)) {
  for (const providerName of Object.keys(providers)) {
    const { client, provider, clientRequest, providerResponse, streamRenderer } = wireInputs(clientName, providerName);
    const context = clientName === 'gemini' ? { model: 'bench-model', stream: false } : {};
    const request = time(() => JSON.stringify(provider.renderRequest(client.parseRequest(clientRequest, context))));
    const response = time(() => JSON.stringify(client.renderResponse(provider.parseResponse(providerResponse))));
    const streamRequest = client.parseRequest(clientRequest, context);
    const stream = time(() => {
      const parser = provider.createStreamParser();
      const renderer = client.createStreamRenderer(streamRequest, { ...context, streamFraming: 'sse' });
      let out = '';
      for (const e of streamRenderer) for (const ev of parser.push(e.data, e.event)) out += renderer.render(ev);
      for (const ev of parser.end()) out += renderer.render(ev);
      out += renderer.end();
      sink += out.length;
    });
    console.log(`| ${clientName} ← ${providerName} | ${request.toFixed(1)} | ${response.toFixed(1)} | ${stream.toFixed(1)} |`);
  }
}

if (sink === 0) console.log('(no stream output?)');
