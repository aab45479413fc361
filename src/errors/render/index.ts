import type { RampartError } from '../catalogue.ts';
import { renderAnthropicError } from './anthropic.ts';
import { renderGeminiError } from './gemini.ts';
import { renderOpenAIError } from './openai.ts';

/** The wire formats clients speak; errors are rendered in the caller's one. */
export type WireFormat = 'openai' | 'anthropic' | 'gemini';

/** The error body for `format`, carrying the stable code and the request id. */
export function renderErrorBody(format: WireFormat, error: RampartError, requestId: string): unknown {
  switch (format) {
    case 'anthropic':
      return renderAnthropicError(error, requestId);
    case 'gemini':
      return renderGeminiError(error, requestId);
    default:
      return renderOpenAIError(error, requestId);
  }
}
