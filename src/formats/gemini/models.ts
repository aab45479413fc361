/**
 * `GET /v1beta/models` (ai.google.dev/api/models#method:-models.list): the models Rampart routes, as Gemini
 * `Model` resources.
 */
import type { CanonicalModel } from '../canonical/types.ts';

/** One Gemini `Model` resource as Rampart lists it. */
export interface GeminiModel {
  name: string;
  version: string;
  displayName: string;
  description: string;
  inputTokenLimit: number;
  outputTokenLimit: number;
  supportedGenerationMethods: string[];
}

/**
 * Rampart does not know an upstream model's real limits; clients use these fields to budget context, so the values
 * of the current Gemini family (1,048,576 in, 65,536 out) stand in rather than zeros that would stop them.
 */
const INPUT_TOKEN_LIMIT = 1_048_576;
const OUTPUT_TOKEN_LIMIT = 65_536;

/** Embedding models by Google's naming (`text-embedding-004`, `gemini-embedding-001`, …). */
const EMBEDDING_MODEL = /embed/i;

/** Render the model list. Methods follow what Rampart routes for the model kind. */
export function renderModelList(models: readonly CanonicalModel[]): { models: GeminiModel[] } {
  return {
    models: models.map((model) => {
      const embedding = EMBEDDING_MODEL.test(model.id);
      return {
        name: `models/${model.id}`,
        version: '001',
        displayName: model.displayName ?? model.id,
        description: `${model.displayName ?? model.id}, served through Rampart by provider ${model.ownedBy}.`,
        inputTokenLimit: embedding ? 2048 : INPUT_TOKEN_LIMIT,
        outputTokenLimit: embedding ? 1 : OUTPUT_TOKEN_LIMIT,
        supportedGenerationMethods: embedding ? ['embedContent', 'batchEmbedContents'] : ['generateContent', 'streamGenerateContent', 'countTokens'],
      };
    }),
  };
}
