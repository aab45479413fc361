// `rampart mock-upstream`: a faithful fake of the OpenAI API with fault injection, for tests and benchmarks.
// Each faked API contributes routes (openai-*.ts today; Anthropic and Gemini join as sibling files).
import type { AddressInfo } from 'node:net';
import { openaiChatRoute } from './openai-chat.ts';
import { openaiFallback } from './openai-http.ts';
import { openaiModelRoutes } from './openai-models.ts';
import { Recorder, mockRoutes } from './recorder.ts';
import { createMockServer } from './server.ts';

export { countTokens, tokenize, replyText, toolArguments, DEFAULT_REPLY } from './reply.ts';
export { parseFaultSpec, FAULT_HEADER } from './faults.ts';
export type { Faults } from './faults.ts';
export { promptTokens } from './openai-chat-plan.ts';
export { OPENAI_MODELS } from './openai-models.ts';
export { MALFORMED_EVENT } from './sse.ts';
export type { RecordedRequest, MockStats } from './recorder.ts';

/** Options of startMockUpstream. */
export interface MockUpstreamOptions {
  /** Listen address; default 127.0.0.1. */
  host?: string;
  /** Listen port; default 9999; 0 picks a free port. */
  port?: number;
  /** When set, API requests must carry `Authorization: Bearer <apiKey>` (401 otherwise). /__mock/* never needs it. */
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
    routes: [...mockRoutes(recorder), ...openaiModelRoutes(options.apiKey), openaiChatRoute(options.apiKey)],
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
