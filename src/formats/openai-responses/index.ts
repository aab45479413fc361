// Placeholder until the Responses translators land; replaced wholesale by them.
import type { ClientCodec } from '../canonical/codec.ts';

const missing = (): never => {
  throw new Error('openai-responses codec not implemented yet');
};
export const openAIResponsesClientCodec: ClientCodec = { parseRequest: missing, renderResponse: missing, createStreamRenderer: missing };
