import type { FastifyInstance } from 'fastify';
import { openAIChatClient } from './client-formats/openai-chat-client.ts';
import { type ProxyDeps, handleProxyRequest } from './handle-proxy-request.ts';

/** OpenAI-format client routes: `POST /v1/chat/completions`, `GET /v1/models`. */
export function registerOpenAIRoutes(app: FastifyInstance, deps: ProxyDeps): void {
  const listed = Math.floor(Date.now() / 1000);
  app.post('/v1/chat/completions', { config: { wireFormat: 'openai' } }, (request, reply) =>
    handleProxyRequest(deps, openAIChatClient, request, reply),
  );
  // The model list is what this gateway can route, not what some upstream happens to offer.
  app.get('/v1/models', { config: { wireFormat: 'openai' } }, () => ({
    object: 'list',
    data: deps.router.models().map((m) => ({ id: m.id, object: 'model', created: listed, owned_by: m.providerId })),
  }));
}
