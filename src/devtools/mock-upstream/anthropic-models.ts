// GET /v1/models and /v1/models/{id} for Anthropic clients (told apart by their anthropic-version header): a
// fixed catalogue in the ModelInfo shape, with the API's cursor pagination (limit, after_id, before_id).
import { invalidRequest, modelNotFound } from './anthropic-errors.ts';
import { anthropicFaultRenderer, anthropicResponder, checkAnthropicAccess, hasAnthropicVersion } from './anthropic-http.ts';
import type { AnthropicResponder } from './anthropic-http.ts';
import type { MockContext, Route } from './context.ts';
import { FAULT_HEADER, requestCredential, applyPreResponseFaults, resolveFaults } from './faults.ts';
import { decodePathSegment, queryParam } from './json.ts';

/** One entry of the model list, as Anthropic returns it. */
export interface AnthropicModel {
  type: 'model';
  id: string;
  display_name: string;
  created_at: string;
}

const model = (id: string, display_name: string, created_at: string): AnthropicModel => ({ type: 'model', id, display_name, created_at });

/** The models the fake lists, newest first as the API orders them (messages accept any other name too). */
export const ANTHROPIC_MODELS: readonly AnthropicModel[] = [
  model('claude-haiku-4-5-20251001', 'Claude Haiku 4.5', '2025-10-15T00:00:00Z'),
  model('claude-sonnet-4-5-20250929', 'Claude Sonnet 4.5', '2025-09-29T00:00:00Z'),
  model('claude-opus-4-1-20250805', 'Claude Opus 4.1', '2025-08-05T00:00:00Z'),
  model('claude-opus-4-20250514', 'Claude Opus 4', '2025-05-22T00:00:00Z'),
  model('claude-sonnet-4-20250514', 'Claude Sonnet 4', '2025-05-22T00:00:00Z'),
  model('claude-3-5-haiku-20241022', 'Claude Haiku 3.5', '2024-10-22T00:00:00Z'),
];

function listPage(ctx: MockContext, api: AnthropicResponder): void {
  const url = ctx.req.url;
  const limitText = queryParam(url, 'limit') ?? '20';
  const limit = /^\d{1,4}$/.test(limitText) ? Number(limitText) : NaN;
  if (!(limit >= 1 && limit <= 1000)) {
    api.error(invalidRequest('limit: Input should be greater than or equal to 1 and less than or equal to 1000'));
    return;
  }
  const afterId = queryParam(url, 'after_id');
  const beforeId = queryParam(url, 'before_id');
  const indexOf = (id: string): number => ANTHROPIC_MODELS.findIndex((m) => m.id === id);
  let start = 0;
  let end = ANTHROPIC_MODELS.length;
  if (afterId !== undefined) start = indexOf(afterId) + 1;
  if (beforeId !== undefined) {
    end = Math.max(indexOf(beforeId), 0);
    start = Math.max(end - limit, 0);
  }
  const data = ANTHROPIC_MODELS.slice(start, Math.min(end, start + limit));
  const hasMore = beforeId !== undefined ? start > 0 : start + data.length < end;
  api.json({ data, has_more: hasMore, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null });
}

/** The Anthropic model routes; they only answer requests that carry `anthropic-version`. */
export function anthropicModelRoutes(apiKey: string | undefined): Route[] {
  const withFaults = async (ctx: MockContext, modelId: string, answer: (api: AnthropicResponder) => void): Promise<void> => {
    const api = anthropicResponder(ctx);
    if (!checkAnthropicAccess(ctx, api, apiKey)) return;
    const parsed = resolveFaults(ctx.req.headers[FAULT_HEADER], undefined, requestCredential(ctx.req));
    if (!parsed.ok) {
      api.error(invalidRequest(`Invalid mock fault item '${parsed.item}': ${parsed.reason}.`));
      return;
    }
    if (await applyPreResponseFaults(ctx, parsed.faults, false, anthropicFaultRenderer(api, modelId))) return;
    answer(api);
  };
  return [
    { method: 'GET', pattern: /^\/v1\/models$/, when: hasAnthropicVersion, handle: (ctx) => withFaults(ctx, 'claude-sonnet-4-5', (api) => listPage(ctx, api)) },
    {
      method: 'GET',
      pattern: /^\/v1\/models\/([^/]+)$/,
      when: hasAnthropicVersion,
      handle: (ctx, match) => {
        const id = decodePathSegment(match[1] ?? '');
        return withFaults(ctx, id, (api) => {
          const found = ANTHROPIC_MODELS.find((m) => m.id === id);
          if (found) api.json(found);
          else api.error(modelNotFound(id));
        });
      },
    },
  ];
}
