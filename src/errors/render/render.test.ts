import { describe, expect, it } from 'vitest';
import { RampartError } from '../catalogue.ts';
import { renderErrorBody } from './index.ts';

describe('error renderers', () => {
  const limited = new RampartError('RAMPART_UPSTREAM_RATE_LIMITED');
  const bad = new RampartError('RAMPART_REQUEST_INVALID', { message: 'bad field', param: 'messages' });

  it('renders Anthropic’s shape', () => {
    expect(renderErrorBody('anthropic', limited, 'req_a')).toEqual({
      type: 'error',
      error: { type: 'rate_limit_error', message: limited.message, code: 'RAMPART_UPSTREAM_RATE_LIMITED' },
      request_id: 'req_a',
    });
    expect(renderErrorBody('anthropic', new RampartError('RAMPART_UPSTREAM_UNAVAILABLE'), 'r')).toMatchObject({ error: { type: 'overloaded_error' } });
  });

  it('renders Google’s shape with status names', () => {
    expect(renderErrorBody('gemini', bad, 'req_g')).toEqual({
      error: {
        code: 400,
        message: 'bad field',
        status: 'INVALID_ARGUMENT',
        details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'RAMPART_REQUEST_INVALID', domain: 'rampart', metadata: { request_id: 'req_g' } }],
      },
    });
    expect(renderErrorBody('gemini', limited, 'r')).toMatchObject({ error: { code: 429, status: 'RESOURCE_EXHAUSTED' } });
    expect(renderErrorBody('gemini', new RampartError('RAMPART_AUTH_INVALID_KEY'), 'r')).toMatchObject({ error: { code: 401, status: 'UNAUTHENTICATED' } });
  });

  it('renders OpenAI’s shape by default', () => {
    expect(renderErrorBody('openai', bad, 'req_o')).toMatchObject({ error: { code: 'RAMPART_REQUEST_INVALID', param: 'messages', request_id: 'req_o' } });
  });
});
