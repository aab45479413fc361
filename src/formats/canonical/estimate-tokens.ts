import type { CanonicalRequest, ContentPart } from './types.ts';

/** Rough tokens for a text: about four characters per token for English-like text (OpenAI's rule of thumb). */
export function estimateTextTokens(text: string): number {
  return estimateCharTokens(text.length);
}

/** Rough tokens for a number of characters, by the same rule (for output counted as it streams). */
export function estimateCharTokens(chars: number): number {
  return Math.ceil(chars / 4);
}

function partText(part: ContentPart): string {
  switch (part.type) {
    case 'text':
    case 'thinking':
      return part.text;
    case 'tool_call':
      return part.name + part.arguments;
    case 'tool_result':
      return part.content.map(partText).join('');
    case 'image':
      return '';
  }
}

/** Flat per-image cost used when a provider cannot count for us (roughly a 512×512 tile). */
const IMAGE_TOKENS = 258;

/**
 * An estimate of a request's input tokens, for providers without a counting endpoint and for streams cut before
 * their usage arrived. Not exact: callers label it an estimate.
 */
export function estimateRequestTokens(request: CanonicalRequest): number {
  let text = request.system.map((p) => p.text).join('\n');
  let images = 0;
  for (const message of request.messages) {
    for (const part of message.content) {
      text += partText(part);
      if (part.type === 'image') images++;
    }
  }
  for (const tool of request.tools ?? []) text += tool.name + (tool.description ?? '') + JSON.stringify(tool.parameters);
  return estimateTextTokens(text) + images * IMAGE_TOKENS;
}
