import type { FastifyInstance } from 'fastify';
import * as anthropic from '../formats/anthropic/index.ts';
import { handleChat } from './handle-chat.ts';
import { handleCountTokens } from './handle-count-tokens.ts';
import type { ProxyDeps } from './proxy-deps.ts';

/** Anthropic-format routes: Messages (stream and not) and token counting. */
export function registerAnthropicRoutes(app: FastifyInstance, deps: ProxyDeps): void {
  const format = { codec: anthropic.anthropicClientCodec, wireFormat: 'anthropic' } as const;
  app.post('/v1/messages', { config: { wireFormat: 'anthropic' } }, (request, reply) => handleChat(deps, format, {}, request, reply));
  app.post('/v1/messages/count_tokens', { config: { wireFormat: 'anthropic' } }, (request, reply) =>
    handleCountTokens(deps, () => anthropic.parseCountTokensRequest(request.body), (count) => anthropic.renderCountTokensResponse(count), request, reply),
  );
}
