import type { RampartError } from '../catalogue.ts';
import { renderOpenAIError } from './openai.ts';

/** The wire formats clients speak; errors are rendered in the caller's one. */
export type WireFormat = 'openai' | 'anthropic' | 'gemini';

/** The error body for `format`. Anthropic and Gemini renderers join with their routes. */
export function renderErrorBody(_format: WireFormat, error: RampartError, requestId: string): unknown {
  return renderOpenAIError(error, requestId);
}
