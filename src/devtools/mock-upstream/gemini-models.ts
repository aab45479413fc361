// GET models and models/{model} of the Gemini API: a fixed catalogue in the shape of its Model resource, with
// pageSize / pageToken paging.
import type { MockContext } from './context.ts';
import { FAULT_HEADER, requestCredential, applyPreResponseFaults, resolveFaults } from './faults.ts';
import { googleError, invalidArgument, invalidFaultSpec } from './gemini-errors.ts';
import { checkGoogleKey, geminiFaultRenderer, sendGeminiJson, sendGoogleError } from './gemini-http.ts';
import { queryParam } from './json.ts';

/** One entry of the model list, as the Gemini API returns it. */
export interface GeminiModel {
  name: string;
  version: string;
  displayName: string;
  description: string;
  inputTokenLimit: number;
  outputTokenLimit: number;
  supportedGenerationMethods: string[];
  temperature?: number;
  topP?: number;
  topK?: number;
  maxTemperature?: number;
  thinking?: boolean;
}

const GENERATE = ['generateContent', 'countTokens', 'createCachedContent', 'batchGenerateContent'];
const EMBED = ['embedContent', 'countTextTokens', 'countTokens', 'asyncBatchEmbedContent'];

function chat(id: string, displayName: string, thinking: boolean): GeminiModel {
  return {
    name: `models/${id}`,
    version: '001',
    displayName,
    description: `${displayName} (mock-upstream: deterministic echo replies).`,
    inputTokenLimit: 1_048_576,
    outputTokenLimit: thinking ? 65_536 : 8_192,
    supportedGenerationMethods: GENERATE,
    temperature: 1,
    topP: 0.95,
    topK: 64,
    maxTemperature: 2,
    ...(thinking ? { thinking: true } : {}),
  };
}

/** The models the fake lists (generateContent also accepts any other name except `does-not-exist`). */
export const GEMINI_MODELS: readonly GeminiModel[] = [
  chat('gemini-2.5-flash', 'Gemini 2.5 Flash', true),
  chat('gemini-2.5-pro', 'Gemini 2.5 Pro', true),
  chat('gemini-2.5-flash-lite', 'Gemini 2.5 Flash-Lite', true),
  chat('gemini-2.0-flash', 'Gemini 2.0 Flash', false),
  {
    name: 'models/gemini-embedding-001',
    version: '001',
    displayName: 'Gemini Embedding 001',
    description: 'Obtain a distributed representation of a text (mock-upstream: deterministic vectors).',
    inputTokenLimit: 2048,
    outputTokenLimit: 1,
    supportedGenerationMethods: EMBED,
  },
];

async function withFaults(ctx: MockContext, apiKey: string | undefined, answer: () => void): Promise<void> {
  if (!checkGoogleKey(ctx, apiKey)) return;
  const parsed = resolveFaults(ctx.req.headers[FAULT_HEADER], undefined, requestCredential(ctx.req));
  if (!parsed.ok) {
    sendGoogleError(ctx, invalidFaultSpec(parsed.item, parsed.reason));
    return;
  }
  if (await applyPreResponseFaults(ctx, parsed.faults, false, geminiFaultRenderer('gemini-2.5-flash'))) return;
  answer();
}

/** GET models: one page of the catalogue (pageSize default 50, at most 1000; pageToken as returned). */
export function handleListModels(ctx: MockContext, apiKey: string | undefined): Promise<void> {
  return withFaults(ctx, apiKey, () => {
    const sizeText = queryParam(ctx.req.url, 'pageSize') ?? '50';
    const size = /^\d{1,6}$/.test(sizeText) ? Math.min(Number(sizeText) || 50, 1000) : NaN;
    const token = queryParam(ctx.req.url, 'pageToken') ?? '';
    // Page tokens are opaque to clients; this one is the base64 of the next offset.
    const offset = token === '' ? 0 : Number(Buffer.from(token, 'base64').toString('utf8'));
    if (Number.isNaN(size) || !Number.isInteger(offset) || offset < 0) {
      sendGoogleError(ctx, invalidArgument('Invalid pageSize or pageToken.'));
      return;
    }
    const models = GEMINI_MODELS.slice(offset, offset + size);
    const next = offset + models.length;
    sendGeminiJson(ctx, next < GEMINI_MODELS.length ? { models, nextPageToken: Buffer.from(String(next)).toString('base64') } : { models });
  });
}

/** GET models/{model}: the model, or 404 NOT_FOUND. */
export function handleGetModel(ctx: MockContext, apiKey: string | undefined, model: string, version: string): Promise<void> {
  return withFaults(ctx, apiKey, () => {
    const found = GEMINI_MODELS.find((m) => m.name === `models/${model}`);
    if (found) sendGeminiJson(ctx, found);
    else sendGoogleError(ctx, googleError(404, `Model is not found: models/${model} for api version ${version}`));
  });
}
