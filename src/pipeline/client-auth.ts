import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import { type ErrorCode, RampartError } from '../errors/catalogue.ts';
import type { ClientKeyService, KeyRejection } from '../keys/client-keys.ts';
import { sendError } from './send-error.ts';

const codeByRejection: Record<KeyRejection, ErrorCode> = {
  missing: 'RAMPART_AUTH_MISSING_KEY',
  invalid: 'RAMPART_AUTH_INVALID_KEY',
  revoked: 'RAMPART_AUTH_KEY_REVOKED',
  no_keys: 'RAMPART_AUTH_NO_KEYS',
};

/** The client key from the headers each SDK uses: OpenAI (Bearer), Anthropic (x-api-key), Gemini (x-goog-api-key). */
export function extractClientKey(headers: IncomingHttpHeaders): string | undefined {
  const authorization = headers.authorization;
  const bearer = authorization === undefined ? null : /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
  if (bearer?.[1] !== undefined) return bearer[1];
  const apiKey = headers['x-api-key'] ?? headers['x-goog-api-key'];
  if (typeof apiKey === 'string') return apiKey.trim();
  // An Authorization header that is not a bearer token is a wrong credential, not a missing one.
  return authorization;
}

/** Pipeline step: fail closed. Every non-public route needs a valid, unrevoked client key. */
export function clientAuthStep(options: { keys: ClientKeyService }): onRequestAsyncHookHandler {
  const { keys } = options;
  return async function clientAuth(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (request.routeOptions.config.public === true) return;
    const result = await keys.authenticate(extractClientKey(request.headers));
    if (result.ok) {
      request.clientKey = result.key;
      return;
    }
    reply.header('www-authenticate', 'Bearer realm="rampart"');
    await sendError(request, reply, new RampartError(codeByRejection[result.reason]));
  };
}
