import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RampartError, catalogue } from './catalogue.ts';
import { renderErrorsDoc } from './errors-doc.ts';
import { renderOpenAIError } from './render/openai.ts';

describe('error catalogue', () => {
  it('documents every code in docs/errors.md with its status, and the file is not stale', async () => {
    const doc = await readFile(path.resolve(import.meta.dirname, '../../docs/errors.md'), 'utf8');
    for (const [code, entry] of Object.entries(catalogue)) {
      expect(doc, code).toMatch(new RegExp(`\\| \`${code}\` \\| ${entry.status} \\|`));
    }
    expect(doc).toBe(renderErrorsDoc());
  });

  it('uses only client or gateway statuses, and 5xx codes are marked retryable except internal and stream errors', () => {
    for (const [code, entry] of Object.entries(catalogue)) {
      expect(entry.status, code).toBeGreaterThanOrEqual(400);
      // Not retryable although 5xx: a bug, a stream already under way, an address the config forbids, a redirect.
      const fatal = ['RAMPART_INTERNAL', 'RAMPART_UPSTREAM_STREAM_INTERRUPTED', 'RAMPART_UPSTREAM_FORBIDDEN_ADDRESS', 'RAMPART_UPSTREAM_REDIRECT'];
      if (entry.status >= 500 && !fatal.includes(code)) expect(entry.retryable, code).toBe(true);
    }
  });

  it('renders the OpenAI error shape with code, param and request id', () => {
    const error = new RampartError('RAMPART_REQUEST_INVALID', { message: 'messages must be an array', param: 'messages' });
    expect(renderOpenAIError(error, 'req_1')).toEqual({
      error: { message: 'messages must be an array', type: 'invalid_request_error', param: 'messages', code: 'RAMPART_REQUEST_INVALID', request_id: 'req_1' },
    });
    expect(new RampartError('RAMPART_UPSTREAM_RATE_LIMITED', { retryAfterSeconds: 3 }).status).toBe(429);
  });
});
