// `rampart mock-upstream`: a faithful fake of the OpenAI, Anthropic and Gemini APIs with fault injection, for
// tests and benchmarks (real providers are unreachable here). Each API contributes routes from its own files.
//
// Endpoints (one server, one port; `apiKey` is checked in each API's own way when set):
//   OpenAI     Authorization: Bearer <key>
//     POST /v1/chat/completions        chat.completion, or chat.completion.chunk SSE + [DONE]
//     POST /v1/embeddings              {object:'list', data:[{embedding}]}; encoding_format float|base64, dimensions
//     GET  /v1/models, /v1/models/{id} (without anthropic-version / Google key headers)
//   Anthropic  x-api-key: <key> or Authorization: Bearer <key>; anthropic-version header required (400 without)
//     POST /v1/messages                Message, or named SSE events message_start … message_stop
//     POST /v1/messages/count_tokens   {input_tokens}
//     GET  /v1/models, /v1/models/{id} with anthropic-version: ModelInfo list {data, has_more, first_id, last_id}
//   Gemini     x-goog-api-key: <key> or ?key=<key> (missing: 403 PERMISSION_DENIED; wrong: 400 INVALID_ARGUMENT)
//     POST /v1beta/models/{m}:generateContent        GenerateContentResponse
//     POST /v1beta/models/{m}:streamGenerateContent  ?alt=sse: `data: <chunk>` CRLF-framed; else a JSON array
//     POST /v1beta/models/{m}:countTokens            {totalTokens}
//     POST /v1beta/models/{m}:embedContent           {embedding:{values}}; :batchEmbedContents {embeddings}
//     GET  /v1beta/models, /v1beta/models/{m}        (all of these also under /v1; list/get there need a Google key)
//   Observability (no auth, not recorded): GET/DELETE /__mock/requests (last 100), GET /__mock/stats.
//
// Replies: `Echo: <last user text>` with `[mock:…]` directives removed ("Hello from mock-upstream." when empty);
// usage counts tokenize() pieces. Tools are called when forced (OpenAI tool_choice required/named, Anthropic
// any/tool, Gemini mode ANY) or when the last user text says `call <name>`; thinking (Anthropic `thinking`,
// Gemini includeThoughts) adds `Thinking about: <text>` first. The model `does-not-exist` answers each API's 404.
// Embeddings: embeddingVector(text, dims), 8 dimensions unless the request asks (dimensions/outputDimensionality).
//
// Fault spec, from header `x-mock-fault: <spec>` and/or `[mock:<spec>]` in the last user text (embeddings: the
// last input text), the header winning; comma-separated items, later ones win. A "content chunk" is an OpenAI
// delta chunk, an Anthropic content_block_delta, or a Gemini response chunk (SSE event or JSON-array element).
//   latency=MS            delay before the response (headers included)
//   status=NNN            answer that status (400..599) in the API's error shape; with
//   retry-after=N         seconds (default 1 for 429): retry-after header (OpenAI, Anthropic) or RetryInfo (Gemini)
//   reset-after=N         stream: drop the connection after N content chunks; non-stream: drop before answering
//   stream-error=N[:NNN]  stream: after N content chunks, the API's in-stream error event, then a clean end
//                         (OpenAI `data: {error}` 500 server_error; Anthropic `event: error` 529 overloaded_error;
//                         Gemini `{error}` chunk 503 UNAVAILABLE; `:NNN` picks another status); non-stream: that
//                         error as the HTTP response
//   malformed             stream: a corrupt event after the first content chunk (framed as that API frames events)
//   drip=MS               stream: pause between events
//   hang                  stream: stall after the first event; non-stream: send headers, never the body
// A bad spec answers 400 naming the item. Client disconnects count in /__mock/stats `aborted`.
import type { AddressInfo } from 'node:net';
import { anthropicMessageRoutes } from './anthropic-messages.ts';
import { anthropicModelRoutes } from './anthropic-models.ts';
import { geminiRoutes } from './gemini-routes.ts';
import { openaiChatRoute } from './openai-chat.ts';
import { openaiEmbeddingsRoute } from './openai-embeddings.ts';
import { openaiFallback } from './openai-http.ts';
import { openaiModelRoutes } from './openai-models.ts';
import { Recorder, mockRoutes } from './recorder.ts';
import { createMockServer } from './server.ts';

export { countTokens, tokenize, replyText, thinkingText, toolArguments, DEFAULT_REPLY, MISSING_MODEL } from './reply.ts';
export { parseFaultSpec, FAULT_HEADER } from './faults.ts';
export type { Faults } from './faults.ts';
export { promptTokens } from './openai-chat-plan.ts';
export { OPENAI_MODELS } from './openai-models.ts';
export { ANTHROPIC_MODELS } from './anthropic-models.ts';
export { THINKING_SIGNATURE } from './anthropic-plan.ts';
export { GEMINI_MODELS } from './gemini-models.ts';
export { GEMINI_MALFORMED_EVENT } from './gemini-stream.ts';
export { embeddingVector, float32Base64, DEFAULT_EMBEDDING_DIMENSIONS } from './embeddings.ts';
export { MALFORMED_EVENT } from './sse.ts';
export type { RecordedRequest, MockStats } from './recorder.ts';

/** Options of startMockUpstream. */
export interface MockUpstreamOptions {
  /** Listen address; default 127.0.0.1. */
  host?: string;
  /** Listen port; default 9999; 0 picks a free port. */
  port?: number;
  /**
   * When set, API requests must carry this key the way each API sends it (OpenAI: bearer; Anthropic: x-api-key
   * or bearer; Gemini: x-goog-api-key or ?key=), else that API's auth error. /__mock/* never needs it.
   */
  apiKey?: string;
}

/** A running mock upstream. */
export interface MockUpstream {
  /** Base URL without /v1, e.g. http://127.0.0.1:9999. */
  url: string;
  port: number;
  /** Stops listening and cuts every open connection (hanging requests included). */
  close(): Promise<void>;
}

/** Starts the mock upstream and resolves once it listens. */
export async function startMockUpstream(options: MockUpstreamOptions = {}): Promise<MockUpstream> {
  const host = options.host ?? '127.0.0.1';
  const recorder = new Recorder();
  const server = createMockServer({
    // Chat completions first: it is the benchmark baseline, so it pays for no other route's pattern. Shared
    // paths (/v1/models) list the header-gated Anthropic and Gemini routes before OpenAI's catch-all ones.
    routes: [
      openaiChatRoute(options.apiKey),
      ...mockRoutes(recorder),
      ...anthropicMessageRoutes(options.apiKey),
      ...anthropicModelRoutes(options.apiKey),
      ...geminiRoutes(options.apiKey),
      openaiEmbeddingsRoute(options.apiKey),
      ...openaiModelRoutes(options.apiKey),
    ],
    recorder,
    fallback: openaiFallback,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 9999, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
