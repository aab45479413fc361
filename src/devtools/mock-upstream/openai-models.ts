// GET /v1/models and /v1/models/{id}: a fixed catalogue in the shape of OpenAI's Model object.
import type { Route } from './context.ts';
import { FAULT_HEADER, requestCredential, applyPreResponseFaults, resolveFaults } from './faults.ts';
import { invalidFaultSpec, openaiError } from './openai-errors.ts';
import { checkBearer, openaiFaultRenderer, sendOpenAIError, sendOpenAIJson } from './openai-http.ts';

/** One entry of the model list, as OpenAI returns it. */
export interface OpenAIModel {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

/** The models the fake lists (chat completions also accept any other name except `does-not-exist`). */
export const OPENAI_MODELS: readonly OpenAIModel[] = [
  { id: 'gpt-4o-mini', object: 'model', created: 1721172741, owned_by: 'system' },
  { id: 'gpt-4o', object: 'model', created: 1715367049, owned_by: 'system' },
  { id: 'gpt-4.1', object: 'model', created: 1744316542, owned_by: 'system' },
  { id: 'gpt-4.1-mini', object: 'model', created: 1744318173, owned_by: 'system' },
  { id: 'o3-mini', object: 'model', created: 1737146383, owned_by: 'system' },
  { id: 'gpt-3.5-turbo', object: 'model', created: 1677610602, owned_by: 'openai' },
  { id: 'text-embedding-3-small', object: 'model', created: 1705948997, owned_by: 'system' },
];

function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // Malformed %-escapes: look the raw text up, which then 404s like any unknown id.
  }
}

/** The model routes; `apiKey` as in MockUpstreamOptions. Header faults apply here too. */
export function openaiModelRoutes(apiKey: string | undefined): Route[] {
  const withFaults = async (ctx: Parameters<Route['handle']>[0], model: string, answer: () => void): Promise<void> => {
    if (!checkBearer(ctx, apiKey)) return;
    const parsed = resolveFaults(ctx.req.headers[FAULT_HEADER], undefined, requestCredential(ctx.req));
    if (!parsed.ok) {
      sendOpenAIError(ctx, invalidFaultSpec(parsed.item, parsed.reason));
      return;
    }
    if (await applyPreResponseFaults(ctx, parsed.faults, false, openaiFaultRenderer(model))) return;
    answer();
  };
  return [
    {
      method: 'GET',
      pattern: /^\/v1\/models$/,
      handle: (ctx) => withFaults(ctx, 'gpt-4o-mini', () => sendOpenAIJson(ctx, { object: 'list', data: OPENAI_MODELS })),
    },
    {
      method: 'GET',
      pattern: /^\/v1\/models\/([^/]+)$/,
      handle: (ctx, match) => {
        const id = decodePathSegment(match[1] ?? '');
        return withFaults(ctx, id, () => {
          const model = OPENAI_MODELS.find((m) => m.id === id);
          if (model) sendOpenAIJson(ctx, model);
          else sendOpenAIError(ctx, openaiError(404, `The model '${id}' does not exist`, { param: 'model', code: 'model_not_found' }));
        });
      },
    },
  ];
}
