import type { CanonicalEmbeddingRequest, CanonicalRequest, ContentPart, ImagePart, TextPart } from '../formats/canonical/types.ts';

// Everything the client controls that is sent upstream as text counts as prompt: instructions, message text, tool
// results, and also earlier assistant turns, tool-call arguments and tool descriptions, since a client can replay
// any of them verbatim — a WAF that skipped them would be evaded by moving the payload there. Base64 image data is
// skipped (not text); image URLs are kept because a URL can carry a token.

function partTexts(part: TextPart | ImagePart, out: string[]): void {
  if (part.type === 'text') out.push(part.text);
  else if (part.source.kind === 'url') out.push(part.source.url);
}

function contentTexts(part: ContentPart, out: string[]): void {
  switch (part.type) {
    case 'text':
    case 'image':
      partTexts(part, out);
      break;
    case 'tool_call':
      out.push(part.name, part.arguments);
      break;
    case 'tool_result':
      for (const inner of part.content) partTexts(inner, out);
      break;
    case 'thinking':
      out.push(part.text);
      break;
  }
}

/**
 * The prompt text of a chat or embeddings request, parts joined by newlines so a pattern cannot match across the
 * seam of two unrelated parts by accident.
 */
export function promptText(request: CanonicalRequest | CanonicalEmbeddingRequest): string {
  if ('inputs' in request) return request.inputs.join('\n');
  const out: string[] = [];
  for (const part of request.system) out.push(part.text);
  for (const message of request.messages) {
    for (const part of message.content) contentTexts(part, out);
  }
  for (const tool of request.tools ?? []) {
    out.push(tool.name);
    if (tool.description !== undefined) out.push(tool.description);
  }
  return out.join('\n');
}
