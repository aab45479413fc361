import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import { type ErrorCode, RampartError } from '../errors/catalogue.ts';
import type { ClientKeyService, KeyRejection } from '../keys/client-keys.ts';
import type { ClientKeyRecord } from '../storage/ports.ts';
import { checkKeyScope, keyScopeError } from './key-scope.ts';
import { sendError } from './send-error.ts';

const codeByRejection: Record<KeyRejection, ErrorCode> = {
  missing: 'RAMPART_AUTH_MISSING_KEY',
  invalid: 'RAMPART_AUTH_INVALID_KEY',
  revoked: 'RAMPART_AUTH_KEY_REVOKED',
  expired: 'RAMPART_AUTH_KEY_EXPIRED',
  disabled: 'RAMPART_AUTH_KEY_DISABLED',
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

/** The request path without its query string: route scopes match paths, and `?key=` must never reach a message. */
export function requestPath(request: FastifyRequest): string {
  const url = request.raw.url ?? request.url;
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/**
 * The client address: `request.clientIp` as the trusted-proxy step decided it (pipeline/client-ip.ts), else, on an
 * instance without that step, Fastify's `request.ip` (the socket peer). Read structurally so this step works with
 * or without the decoration. '' (socket gone) is kept, not replaced: IP scopes refuse it, the safe way to fail.
 */
function clientIpOf(request: FastifyRequest): string {
  const decided: unknown = (request as { clientIp?: unknown }).clientIp;
  if (typeof decided === 'string') return decided;
  return typeof request.ip === 'string' ? request.ip : '';
}

/** A refused client key, as the audit hook hears of it: the reason and, when the key exists, whose it is. Never the key. */
export interface AuthRefusal {
  /** A KeyRejection, `query_key`, or `scope_<route|ip>`. */
  reason: string;
  key?: { id: string; prefix: string } | undefined;
}

/**
 * Pipeline step: fail closed. Every non-public route needs a valid, unrevoked, unexpired, enabled client key, and
 * the key's route and IP scopes must allow this request (model and provider scopes are checked after routing).
 * `onRefused` hears of every refusal and `onAccepted` of every success (audit events); neither may throw.
 */
export function clientAuthStep(options: {
  keys: ClientKeyService;
  allowQueryKey?: boolean;
  onRefused?: (request: FastifyRequest, refusal: AuthRefusal) => void;
  /** Hears of every request that passed (key valid and in scope); must not throw. */
  onAccepted?: (request: FastifyRequest) => void;
}): onRequestAsyncHookHandler {
  const { keys, allowQueryKey = false, onRefused, onAccepted } = options;
  const refused = async (request: FastifyRequest, reason: string, presented?: string, known?: ClientKeyRecord): Promise<void> => {
    if (onRefused === undefined) return;
    // A revoked, expired or disabled key exists: name it (id and display prefix). Only on this rare path is it looked up again.
    const key = known ?? (presented !== undefined && (reason === 'revoked' || reason === 'expired' || reason === 'disabled') ? await keys.identify(presented) : undefined);
    try {
      onRefused(request, { reason, key: key === undefined ? undefined : { id: key.id, prefix: key.prefix } });
    } catch (error: unknown) {
      request.log.error({ err: error }, 'client auth: onRefused failed');
    }
  };
  return async function clientAuth(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (request.routeOptions.config.public === true) return;
    let presented = extractClientKey(request.headers);
    const queryKey = queryKeyOf(request);
    if (queryKey !== undefined) {
      // A key in the URL ends up in access logs, proxies' logs and browser history: refused unless the operator opts in
      // (security.allowQueryKey, for Gemini clients that can only send ?key=).
      if (!allowQueryKey) {
        await refused(request, 'query_key');
        await sendError(request, reply, new RampartError('RAMPART_AUTH_QUERY_KEY_REFUSED'));
        return;
      }
      presented ??= queryKey;
    }
    const result = await keys.authenticate(presented);
    if (!result.ok) {
      await refused(request, result.reason, presented);
      reply.header('www-authenticate', 'Bearer realm="rampart"');
      await sendError(request, reply, new RampartError(codeByRejection[result.reason]));
      return;
    }
    // Set before the scope check, so the access log and audit name the key that was refused.
    request.clientKey = result.key;
    const violation = checkKeyScope(result.key, { route: requestPath(request), ip: clientIpOf(request) });
    if (violation) {
      await refused(request, `scope_${violation.scope}`, undefined, result.key);
      await sendError(request, reply, keyScopeError(violation));
      return;
    }
    onAccepted?.(request);
  };
}

/** The `key` query parameter (Google's API-key convention), if the URL has one. */
function queryKeyOf(request: FastifyRequest): string | undefined {
  const url = request.raw.url ?? '';
  const q = url.indexOf('?');
  if (q === -1) return undefined;
  return new URLSearchParams(url.slice(q + 1)).get('key') ?? undefined;
}
