import type { FastifyInstance } from 'fastify';
import { RampartError } from '../errors/catalogue.ts';
import * as anthropic from '../formats/anthropic/index.ts';
import * as gemini from '../formats/gemini/index.ts';
import { openAIChatClientCodec } from '../formats/openai-chat/index.ts';
import { parseEmbeddingsRequest, renderEmbeddingsResponse } from '../formats/openai-embeddings/index.ts';
import { openAIResponsesClientCodec } from '../formats/openai-responses/index.ts';
import { wireFormatOf } from '../pipeline/wire-format.ts';
import { handleChat } from './handle-chat.ts';
import { handleEmbeddings } from './handle-embeddings.ts';
import { listModels, renderOpenAIModel } from './model-list.ts';
import type { ProxyDeps } from './proxy-deps.ts';

/**
 * OpenAI-format routes. `GET /v1/models` is shared by all three SDKs: Anthropic's sends `anthropic-version` and
 * Google's (newer @google/genai) sends `x-goog-api-key`; each gets the list in its own shape.
 */
export function registerOpenAIRoutes(app: FastifyInstance, deps: ProxyDeps): void {
  const listed = Math.floor(Date.now() / 1000);
  const chat = { codec: openAIChatClientCodec, wireFormat: 'openai' } as const;
  const responses = { codec: openAIResponsesClientCodec, wireFormat: 'openai' } as const;

  app.post('/v1/chat/completions', { config: { wireFormat: 'openai' } }, (request, reply) => handleChat(deps, chat, {}, request, reply));
  app.post('/v1/responses', { config: { wireFormat: 'openai' } }, (request, reply) => handleChat(deps, responses, {}, request, reply));
  app.post('/v1/embeddings', { config: { wireFormat: 'openai' } }, (request, reply) =>
    handleEmbeddings(deps, () => parseEmbeddingsRequest(request.body), (res, req) => renderEmbeddingsResponse(res, req.encodingFormat ?? 'float'), request, reply),
  );

  app.get('/v1/models', { config: { wireFormat: 'auto' } }, (request) => {
    const models = listModels(deps.router, listed);
    switch (wireFormatOf(request)) {
      case 'anthropic':
        return anthropic.renderModelList(models);
      case 'gemini':
        return gemini.renderModelList(models);
      default:
        return { object: 'list', data: models.map(renderOpenAIModel) };
    }
  });

  app.get<{ Params: { id: string } }>('/v1/models/:id', { config: { wireFormat: 'auto' } }, (request) => {
    const model = listModels(deps.router, listed).find((m) => m.id === request.params.id.replace(/^models\//, ''));
    if (!model) throw new RampartError('RAMPART_MODEL_NOT_FOUND', { param: 'model' });
    switch (wireFormatOf(request)) {
      case 'anthropic':
        return (anthropic.renderModelList([model]) as { data: unknown[] }).data[0];
      case 'gemini':
        return (gemini.renderModelList([model]) as { models: unknown[] }).models[0];
      default:
        return renderOpenAIModel(model);
    }
  });
}
