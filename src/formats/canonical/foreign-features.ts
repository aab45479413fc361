import { FormatError } from './format-error.ts';
import type { CanonicalRequest, Extensions } from './types.ts';

/**
 * Format-only request fields (kept in `extensions.<format>`) whose loss would change the answer, not merely drop a
 * hint: a built-in tool that would not run, logprobs the client expects back, a sampling penalty. Sending them to a
 * provider of another format must fail with a 400 naming the field, never silently drop them. Hints (cache
 * breakpoints, service tiers, metadata, seeds) are not listed: losing them changes nothing the client can rely on.
 */
const MEANINGFUL: { [K in keyof Extensions]-?: { field: string; wire: string }[] } = {
  openaiChat: [
    { field: 'logprobs', wire: 'logprobs' },
    { field: 'top_logprobs', wire: 'top_logprobs' },
    { field: 'logit_bias', wire: 'logit_bias' },
    { field: 'presence_penalty', wire: 'presence_penalty' },
    { field: 'frequency_penalty', wire: 'frequency_penalty' },
    { field: 'prediction', wire: 'prediction' },
    { field: 'audio', wire: 'audio' },
    { field: 'modalities', wire: 'modalities' },
    { field: 'web_search_options', wire: 'web_search_options' },
  ],
  gemini: [
    { field: 'tools', wire: 'tools (built-in tools such as googleSearch or codeExecution)' },
    { field: 'cachedContent', wire: 'cachedContent' },
  ],
  anthropic: [],
  openaiResponses: [{ field: 'top_logprobs', wire: 'top_logprobs' }],
};

/**
 * Throws a FormatError when `request` carries a meaningful field of another wire format than `provider`'s.
 * Called by every provider renderer before it writes the request.
 */
export function assertNoForeignFeatures(request: CanonicalRequest, provider: keyof Extensions): void {
  const extensions = request.extensions;
  if (!extensions) return;
  for (const format of Object.keys(MEANINGFUL) as (keyof Extensions)[]) {
    if (format === provider) continue;
    const carried = extensions[format];
    if (!carried) continue;
    for (const { field, wire } of MEANINGFUL[format]) {
      const value = carried[field];
      // 0, false and null are every field's 'off' value: nothing is lost by not sending them.
      if (value !== undefined && value !== null && value !== false && value !== 0) {
        throw new FormatError(`${wire} cannot be honoured by the provider serving this model (it speaks another API)`, field);
      }
    }
  }
}
