// models/{model}:embedContent → {embedding:{values}} and :batchEmbedContents → {embeddings:[{values}]}, with the
// same deterministic vectors as OpenAI's /v1/embeddings (outputDimensionality honoured).
import type { MockContext } from './context.ts';
import { DEFAULT_EMBEDDING_DIMENSIONS, MAX_EMBEDDING_DIMENSIONS, embeddingVector } from './embeddings.ts';
import { applyPreResponseFaults } from './faults.ts';
import type { GoogleError } from './gemini-errors.ts';
import { invalidArgument, isGoogleError } from './gemini-errors.ts';
import type { GeminiCall } from './gemini-http.ts';
import { acceptGemini, geminiFaultRenderer, sendGeminiJson, sendGoogleError } from './gemini-http.ts';
import { partsText } from './gemini-request.ts';
import { isInteger, isRecord, show } from './json.ts';
import { stripDirectives } from './reply.ts';

function embedOne(request: unknown, at: string): { values: number[] } | GoogleError {
  if (!isRecord(request)) return invalidArgument(`Invalid value at '${at}' (type.googleapis.com/google.ai.generativelanguage.v1beta.EmbedContentRequest), ${show(request)}`);
  const content = request['content'];
  if (!isRecord(content)) return invalidArgument(`* ${at}.content: content is not specified\n`);
  if (!Array.isArray(content['parts']) || content['parts'].length === 0) return invalidArgument(`* ${at}.content.parts: contents.parts must not be empty.\n`);
  const size = request['outputDimensionality'] ?? DEFAULT_EMBEDDING_DIMENSIONS;
  if (!isInteger(size)) return invalidArgument(`Invalid value at 'output_dimensionality' (TYPE_INT32), ${show(size)}`);
  if (size < 1 || size > MAX_EMBEDDING_DIMENSIONS) {
    return invalidArgument(`* ${at}.output_dimensionality: Output dimensionality must be between 1 and ${MAX_EMBEDDING_DIMENSIONS}, got ${size}.\n`);
  }
  return { values: embeddingVector(stripDirectives(partsText(content)), size) };
}

function lastRequestText(body: unknown): string | undefined {
  if (!isRecord(body)) return undefined;
  if (isRecord(body['content'])) return partsText(body['content']);
  const requests = body['requests'];
  const last: unknown = Array.isArray(requests) ? requests.at(-1) : undefined;
  return isRecord(last) ? partsText(last['content']) : undefined;
}

/** Handles embedContent (`batch` false) or batchEmbedContents. */
export async function handleEmbed(ctx: MockContext, apiKey: string | undefined, call: GeminiCall, batch: boolean): Promise<void> {
  const accepted = acceptGemini(ctx, apiKey, call, lastRequestText);
  if (accepted === undefined) return;
  const { body } = accepted;
  let answer: Record<string, unknown>;
  if (batch) {
    const requests = isRecord(body) ? body['requests'] : undefined;
    if (!Array.isArray(requests) || requests.length === 0) {
      sendGoogleError(ctx, invalidArgument('* BatchEmbedContentsRequest.requests: requests is not specified\n'));
      return;
    }
    const embeddings: { values: number[] }[] = [];
    for (const [i, request] of (requests as unknown[]).entries()) {
      const embedding = embedOne(request, `BatchEmbedContentsRequest.requests[${i}]`);
      if (isGoogleError(embedding)) {
        sendGoogleError(ctx, embedding);
        return;
      }
      embeddings.push(embedding);
    }
    answer = { embeddings };
  } else {
    const embedding = embedOne(body, 'EmbedContentRequest');
    if (isGoogleError(embedding)) {
      sendGoogleError(ctx, embedding);
      return;
    }
    answer = { embedding };
  }
  if (await applyPreResponseFaults(ctx, accepted.faults, false, geminiFaultRenderer(call.model))) return;
  sendGeminiJson(ctx, answer);
}
