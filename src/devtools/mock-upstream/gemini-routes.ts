// The Gemini API's routes under /v1beta (the SDK's default) and /v1. On /v1 the model list and get share paths
// with OpenAI's, so there they only answer Google clients (key header or query, or x-goog-api-client).
import type { MockContext, Route } from './context.ts';
import { googleError } from './gemini-errors.ts';
import { handleEmbed } from './gemini-embed.ts';
import { handleCountTokens, handleGenerate } from './gemini-generate.ts';
import type { GeminiCall } from './gemini-http.ts';
import { isGoogleClient, sendGoogleError } from './gemini-http.ts';
import { handleGetModel, handleListModels } from './gemini-models.ts';
import { decodePathSegment } from './json.ts';

function methodNotFound(ctx: MockContext): void {
  sendGoogleError(ctx, googleError(404, 'Method not found.'));
}

function callModel(ctx: MockContext, match: RegExpExecArray, apiKey: string | undefined): Promise<void> | void {
  const call: GeminiCall = { version: match[1] ?? 'v1beta', model: decodePathSegment(match[2] ?? ''), method: match[3] ?? '' };
  switch (call.method) {
    case 'generateContent':
      return handleGenerate(ctx, apiKey, call, false);
    case 'streamGenerateContent':
      return handleGenerate(ctx, apiKey, call, true);
    case 'countTokens':
      return handleCountTokens(ctx, apiKey, call);
    case 'embedContent':
      return handleEmbed(ctx, apiKey, call, false);
    case 'batchEmbedContents':
      return handleEmbed(ctx, apiKey, call, true);
    default:
      return methodNotFound(ctx);
  }
}

/** The Gemini routes; `apiKey` as in MockUpstreamOptions (sent as x-goog-api-key or ?key=). */
export function geminiRoutes(apiKey: string | undefined): Route[] {
  const getModel = (ctx: MockContext, match: RegExpExecArray): Promise<void> =>
    handleGetModel(ctx, apiKey, decodePathSegment(match[2] ?? ''), match[1] ?? 'v1beta');
  return [
    { method: 'POST', pattern: /^\/(v1beta|v1)\/models\/([^/:]+):([A-Za-z]+)$/, handle: (ctx, match) => callModel(ctx, match, apiKey) },
    { method: 'GET', pattern: /^\/(v1beta)\/models$/, handle: (ctx) => handleListModels(ctx, apiKey) },
    { method: 'GET', pattern: /^\/(v1beta)\/models\/([^/:]+)$/, handle: getModel },
    { method: 'GET', pattern: /^\/(v1)\/models$/, when: isGoogleClient, handle: (ctx) => handleListModels(ctx, apiKey) },
    { method: 'GET', pattern: /^\/(v1)\/models\/([^/:]+)$/, when: isGoogleClient, handle: getModel },
    // Everything else under /v1beta is Google's, so unknown paths get Google's 404 rather than OpenAI's.
    { method: 'GET', pattern: /^\/v1beta\//, handle: methodNotFound },
    { method: 'POST', pattern: /^\/v1beta\//, handle: methodNotFound },
  ];
}
