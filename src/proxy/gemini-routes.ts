import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RampartError } from '../errors/catalogue.ts';
import type { ClientRequestContext } from '../formats/canonical/codec.ts';
import * as gemini from '../formats/gemini/index.ts';
import { handleChat } from './handle-chat.ts';
import { handleCountTokens } from './handle-count-tokens.ts';
import { handleEmbeddings } from './handle-embeddings.ts';
import { listModels } from './model-list.ts';
import type { ProxyDeps } from './proxy-deps.ts';

/** `<model>:<method>` as Google's REST paths write it (the model may itself contain dots and dashes, not colons). */
function splitModelMethod(tail: string): { model: string; method: string } {
  const at = tail.lastIndexOf(':');
  if (at <= 0) throw new RampartError('RAMPART_ROUTE_NOT_FOUND');
  return { model: tail.slice(0, at), method: tail.slice(at + 1) };
}

/**
 * Gemini-format routes under `/v1beta/models/...` and, for newer @google/genai versions, the same under
 * `/v1/models/...`: generateContent, streamGenerateContent (SSE with `alt=sse`, a JSON array otherwise),
 * countTokens, embedContent, batchEmbedContents; and the model list.
 */
export function registerGeminiRoutes(app: FastifyInstance, deps: ProxyDeps): void {
  const listed = Math.floor(Date.now() / 1000);
  const format = { codec: gemini.geminiClientCodec, wireFormat: 'gemini' } as const;

  const dispatch = async (request: FastifyRequest<{ Params: { '*': string }; Querystring: { alt?: string } }>, reply: FastifyReply): Promise<void> => {
    const { model, method } = splitModelMethod(request.params['*']);
    const context: ClientRequestContext = { model, stream: method === 'streamGenerateContent', streamFraming: request.query.alt === 'sse' ? 'sse' : 'json-array' };
    switch (method) {
      case 'generateContent':
      case 'streamGenerateContent':
        return handleChat(deps, format, context, request, reply);
      case 'countTokens':
        return handleCountTokens(deps, () => gemini.parseCountTokensRequest(request.body, context), (count) => gemini.renderCountTokensResponse(count), request, reply);
      case 'embedContent':
        return handleEmbeddings(deps, () => gemini.parseEmbedContentRequest(request.body, context), (res) => gemini.renderEmbedContentResponse(res), request, reply);
      case 'batchEmbedContents':
        return handleEmbeddings(deps, () => gemini.parseBatchEmbedContentsRequest(request.body, context), (res) => gemini.renderBatchEmbedContentsResponse(res), request, reply);
      default:
        throw new RampartError('RAMPART_ROUTE_NOT_FOUND', { message: `Unknown method "${method.slice(0, 40)}".` });
    }
  };

  for (const prefix of ['/v1beta/models/', '/v1/models/']) {
    app.post<{ Params: { '*': string }; Querystring: { alt?: string } }>(`${prefix}*`, { config: { wireFormat: 'gemini' } }, dispatch);
  }
  app.get('/v1beta/models', { config: { wireFormat: 'gemini' } }, () => gemini.renderModelList(listModels(deps.router, listed)));
  app.get<{ Params: { '*': string } }>('/v1beta/models/*', { config: { wireFormat: 'gemini' } }, (request) => {
    const id = request.params['*'].replace(/^models\//, '');
    const model = listModels(deps.router, listed).find((m) => m.id === id);
    if (!model) throw new RampartError('RAMPART_MODEL_NOT_FOUND', { param: 'model' });
    return (gemini.renderModelList([model]) as { models: unknown[] }).models[0];
  });
}
