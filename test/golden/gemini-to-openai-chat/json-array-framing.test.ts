// Golden cases for Gemini's JSON-array stream framing (streamGenerateContent without `alt=sse`). The shared runner
// (../golden.test.ts) decodes every stream as SSE, which cannot read a JSON array, so these cases live in
// `json-array/` and are run here: the whole client output must be one JSON array equal to `expected`.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ClientRequestContext } from '../../../src/formats/canonical/codec.ts';
import { geminiClientCodec } from '../../../src/formats/gemini/index.ts';
import { openAIChatProviderCodec } from '../../../src/formats/openai-chat/index.ts';

interface JsonArrayCase {
  description: string;
  kind: 'stream';
  context: ClientRequestContext;
  request: unknown;
  input: { data: string }[];
  expected: unknown[];
}

const DIR = path.join(import.meta.dirname, 'json-array');
const files = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();

describe('golden gemini-to-openai-chat, JSON-array framing', () => {
  it('has cases', () => {
    expect(files.length).toBeGreaterThan(0);
  });
  for (const file of files) {
    const c = JSON.parse(readFileSync(path.join(DIR, file), 'utf8')) as JsonArrayCase;
    it(`${file}: ${c.description}`, () => {
      expect(c.context.streamFraming).toBe('json-array');
      const request = geminiClientCodec.parseRequest(c.request, c.context);
      const parser = openAIChatProviderCodec.createStreamParser();
      const renderer = geminiClientCodec.createStreamRenderer(request, c.context);
      let out = '';
      for (const e of c.input) for (const event of parser.push(e.data)) out += renderer.render(event);
      for (const event of parser.end()) out += renderer.render(event);
      out += renderer.end();
      expect(renderer.contentType).toMatch(/^application\/json/);
      expect(JSON.parse(out)).toEqual(c.expected);
    });
  }
});
