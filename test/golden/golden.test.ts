import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ClientRequestContext } from '../../src/formats/canonical/codec.ts';
import { FormatError } from '../../src/formats/canonical/format-error.ts';
import type { CanonicalRequest } from '../../src/formats/canonical/types.ts';
import { createSseParser } from '../../src/formats/sse/parser.ts';
import { clientCodecs, providerCodecs } from './codecs.ts';

/**
 * One runner for every golden case. A folder `<client>-to-<provider>` holds cases for one pairing:
 *  - kind "request":  input = client request body → expected = body sent to the provider
 *  - kind "response": input = provider response body → expected = body the client receives
 *  - kind "stream":   input = provider SSE events [{event?, data}] → expected = client SSE events [{event?, data}]
 *                     (data JSON-parsed when it is JSON); `request` (optional) is the client request that asked.
 *                     With `context.streamFraming: "json-array"` (Gemini's streamGenerateContent without `alt=sse`)
 *                     the client output is one JSON array written incrementally: it is decoded with JSON.parse as a
 *                     whole, and `expected` is that array of chunk objects. Either way the renderer's content type
 *                     must match the framing (application/json for the array, text/event-stream for SSE).
 *  - `context` (optional): what a client request carries outside its body (Gemini: model and stream in the URL, and
 *                     the stream framing); passed to the client codec's parseRequest and createStreamRenderer.
 *  - `error` instead of `expected`: translation must fail with FormatError (param and a message pattern).
 */
interface SseCase {
  event?: string;
  data: string;
}
interface GoldenCase {
  description: string;
  kind: 'request' | 'response' | 'stream';
  context?: ClientRequestContext;
  request?: unknown;
  input: unknown;
  expected?: unknown;
  error?: { param?: string | null; message: string };
}

const ROOT = import.meta.dirname;
const folders = readdirSync(ROOT, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

function decodeSse(text: string): { event?: string; data: unknown }[] {
  const parser = createSseParser();
  return [...parser.push(text), ...parser.end()].map((e) => {
    let data: unknown = e.data;
    try {
      data = JSON.parse(e.data);
    } catch {
      // not JSON (e.g. [DONE]): compared as text
    }
    return e.event === undefined ? { data } : { event: e.event, data };
  });
}

function run(pair: string, c: GoldenCase): unknown {
  const [clientName, providerName] = pair.split('-to-') as [string, string];
  const client = clientCodecs[clientName];
  const provider = providerCodecs[providerName];
  if (!client || !provider) throw new Error(`no codec for ${pair}`);
  switch (c.kind) {
    case 'request':
      return provider.renderRequest(client.parseRequest(c.input, c.context));
    case 'response':
      return client.renderResponse(provider.parseResponse(c.input));
    case 'stream': {
      const request: CanonicalRequest = c.request === undefined ? { model: 'm', system: [], messages: [], stream: true } : client.parseRequest(c.request, c.context);
      const parser = provider.createStreamParser();
      const renderer = client.createStreamRenderer(request, c.context);
      let out = '';
      for (const e of c.input as SseCase[]) for (const event of parser.push(e.data, e.event)) out += renderer.render(event);
      for (const event of parser.end()) out += renderer.render(event);
      out += renderer.end();
      if (c.context?.streamFraming === 'json-array') {
        expect(renderer.contentType).toMatch(/^application\/json/);
        return JSON.parse(out) as unknown;
      }
      expect(renderer.contentType).toMatch(/^text\/event-stream/);
      return decodeSse(out);
    }
  }
}

describe('golden translation cases', () => {
  it('has cases', () => {
    expect(folders.length).toBeGreaterThan(0);
  });
  for (const pair of folders) {
    const files = readdirSync(path.join(ROOT, pair)).filter((f) => f.endsWith('.json')).sort();
    describe(pair, () => {
      for (const file of files) {
        const c = JSON.parse(readFileSync(path.join(ROOT, pair, file), 'utf8')) as GoldenCase;
        it(`${file}: ${c.description}`, () => {
          if (c.error) {
            let thrown: unknown;
            try {
              run(pair, c);
            } catch (error) {
              thrown = error;
            }
            expect(thrown).toBeInstanceOf(FormatError);
            expect((thrown as FormatError).message).toMatch(new RegExp(c.error.message));
            if (c.error.param !== undefined) expect((thrown as FormatError).param).toBe(c.error.param);
            return;
          }
          expect(run(pair, c)).toEqual(c.expected);
        });
      }
    });
  }
});
