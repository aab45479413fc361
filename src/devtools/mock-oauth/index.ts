// `rampart mock-oauth`: a fake OAuth 2.0 authorization server (authorization code + PKCE S256, refresh with
// rotation) standing in for Claude's, OpenAI's and Google's, for tests and for trying `rampart login` offline.
//
//   GET  /authorize      checks response_type=code, client_id, a loopback http redirect_uri, code_challenge with
//                        method S256, then redirects at once (consent simulated) to redirect_uri?code=…&state=…;
//                        `deny=1` in the query redirects with error=access_denied instead
//   POST /token          JSON or form body. authorization_code: single-use code (reuse → invalid_grant and the
//                        tokens it gave are revoked), same client_id and redirect_uri, SHA-256(code_verifier) must
//                        equal the challenge. refresh_token: the current refresh token only; rotated on every use.
//                        Answers access_token, token_type, expires_in, refresh_token, scope, plus id_token when the
//                        scope asks for openid/email (OpenAI, Google) or account/organization for `user:profile`
//                        (Anthropic). Tokens start with mock-at- / mock-rt- so tests can grep for them.
//   Faults for /token (refresh grant; expires_in for every grant), from POST /__mock/faults (JSON), the token URL's
//   query, or header x-mock-oauth-fault (`delay=MS,fail=invalid_grant|server_error,expires_in=S`); later wins.
//   GET /__mock/stats (counters), GET /__mock/tokens (issued tokens), POST|DELETE /__mock/faults.
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { isLoopbackHost } from '../../config/loopback.ts';
import { sendJson } from '../mock-upstream/respond.ts';
import { MockOAuthState, type TokenFaults } from './oauth-state.ts';

export { MOCK_ACCOUNT_EMAIL } from './oauth-state.ts';
export type { MockOAuthStats, TokenFaults } from './oauth-state.ts';

/** Options of startMockOAuth. */
export interface MockOAuthOptions {
  host?: string;
  /** Default 9998; 0 picks a free port. */
  port?: number;
  /** Accept only this client id (default: any). */
  clientId?: string;
}

/** A running fake authorization server. */
export interface MockOAuth {
  url: string;
  port: number;
  state: MockOAuthState;
  close(): Promise<void>;
}

const MAX_BODY = 64 * 1024;
export const FAULT_HEADER = 'x-mock-oauth-fault';

/** Reads `delay=MS,fail=…,expires_in=S` (header) or the same names from a query; unknown items are ignored. */
export function parseFaults(entries: Iterable<[string, string]>): TokenFaults {
  const faults: TokenFaults = {};
  for (const [name, value] of entries) {
    if (name === 'delay' && /^\d{1,6}$/.test(value)) faults.delayMs = Number(value);
    if (name === 'fail' && (value === 'invalid_grant' || value === 'server_error')) faults.fail = value;
    if (name === 'expires_in' && /^\d{1,7}$/.test(value)) faults.expiresIn = Number(value);
  }
  return faults;
}

function headerFaults(value: string | string[] | undefined): TokenFaults {
  if (typeof value !== 'string') return {};
  return parseFaults(value.split(',').map((item) => item.trim().split('=', 2) as [string, string]));
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown> | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return 'too-large';
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if ((req.headers['content-type'] ?? '').includes('application/json')) {
    try {
      const value: unknown = JSON.parse(text);
      return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(text));
}

const str = (value: unknown): string => (typeof value === 'string' ? value : '');

function authorize(state: MockOAuthState, url: URL, res: ServerResponse): void {
  const q = url.searchParams;
  const redirect = URL.parse(q.get('redirect_uri') ?? '');
  // Never an open redirect, even in a test tool: only back to this machine.
  if (redirect === null || redirect.protocol !== 'http:' || !isLoopbackHost(redirect.hostname)) {
    sendJson(res, 400, { error: 'invalid_request', error_description: 'redirect_uri must be an http loopback URL' });
    return;
  }
  const back = new URL(redirect);
  const returned = q.get('state');
  if (returned !== null) back.searchParams.set('state', returned);
  const clientId = q.get('client_id') ?? '';
  const challenge = q.get('code_challenge') ?? '';
  if (q.get('deny') === '1') back.searchParams.set('error', 'access_denied');
  else if (q.get('response_type') !== 'code') back.searchParams.set('error', 'unsupported_response_type');
  else if (!state.clientAllowed(clientId)) back.searchParams.set('error', 'unauthorized_client');
  else if (q.get('code_challenge_method') !== 'S256' || !/^[A-Za-z0-9_-]{43,128}$/.test(challenge)) back.searchParams.set('error', 'invalid_request');
  else back.searchParams.set('code', state.issueCode({ clientId, redirectUri: q.get('redirect_uri') ?? '', challenge, scope: q.get('scope') ?? '' }));
  res.writeHead(302, { location: back.toString(), 'cache-control': 'no-store' }).end();
}

async function token(state: MockOAuthState, url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req);
  if (body === 'too-large') {
    sendJson(res, 413, { error: 'invalid_request' });
    return;
  }
  const faults: TokenFaults = { ...state.faults, ...parseFaults(url.searchParams), ...headerFaults(req.headers[FAULT_HEADER]) };
  const grantType = str(body.grant_type);
  const clientId = str(body.client_id);
  let result;
  if (grantType === 'authorization_code') {
    result = state.exchangeCode({ code: str(body.code), clientId, redirectUri: str(body.redirect_uri), verifier: str(body.code_verifier) }, faults);
  } else if (grantType === 'refresh_token') {
    state.stats.refreshes++;
    if (faults.delayMs !== undefined) await sleep(faults.delayMs);
    if (faults.fail !== undefined) {
      state.stats.refreshFailures++;
      sendJson(res, faults.fail === 'server_error' ? 500 : 400, { error: faults.fail });
      return;
    }
    result = state.refresh({ refreshToken: str(body.refresh_token), clientId }, faults);
  } else {
    result = 'unsupported_grant_type' as const;
  }
  if (typeof result === 'string') sendJson(res, result === 'invalid_client' ? 401 : 400, { error: result }, { 'cache-control': 'no-store' });
  else sendJson(res, 200, result, { 'cache-control': 'no-store', pragma: 'no-cache' });
}

async function handle(state: MockOAuthState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const route = `${req.method ?? 'GET'} ${url.pathname}`;
  switch (route) {
    case 'GET /authorize':
      return authorize(state, url, res);
    case 'POST /token':
      return token(state, url, req, res);
    case 'GET /__mock/stats':
      return sendJson(res, 200, state.stats);
    case 'GET /__mock/tokens':
      return sendJson(res, 200, state.issued());
    case 'POST /__mock/faults': {
      const body = await readBody(req);
      state.faults = body === 'too-large' ? {} : parseFaults(Object.entries(body).map(([k, v]) => [k, String(v)]));
      return sendJson(res, 200, state.faults);
    }
    case 'DELETE /__mock/faults':
      state.faults = {};
      res.writeHead(204).end();
      return;
    default:
      sendJson(res, 404, { error: 'not_found' });
  }
}

/** Starts the fake authorization server and resolves once it listens. */
export async function startMockOAuth(options: MockOAuthOptions = {}): Promise<MockOAuth> {
  const host = options.host ?? '127.0.0.1';
  const state = new MockOAuthState(options.clientId);
  const server = createServer((req, res) => {
    handle(state, req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, { error: 'server_error' });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 9998, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    state,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
