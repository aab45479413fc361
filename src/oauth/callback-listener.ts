import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CALLBACK_BIND_HOST } from '../config/oauth-schema.ts';
import { type CallbackParams, checkCallback } from './callback-params.ts';
import { OAuthError } from './oauth-error.ts';

/** Where and how long one login's callback listener waits. */
export interface CallbackListenerOptions {
  /** The provider's registered port; 0 picks a free one (tests). */
  port: number;
  /** The only path served, e.g. `/callback`. */
  path: string;
  /** The login's `state`; a callback with any other state ends the login. */
  expectedState: string;
  /** The listener closes (and the login fails) after this long without a callback. */
  timeoutMs: number;
}

/** A running callback listener, alive until its one callback or its timeout. */
export interface CallbackListener {
  /** Always 127.0.0.1. */
  address: string;
  port: number;
  /** Resolves with the authorization code of the first callback; rejects on a bad callback, timeout or cancel. */
  result: Promise<{ code: string }>;
  /** Stops waiting (the login fails) and closes the listener; resolves once it is closed. */
  close(): Promise<void>;
  /** Resolves when the listener has closed, whatever closed it. */
  closed: Promise<void>;
}

const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  connection: 'close',
};

function page(title: string, text: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Rampart: ${title}</title></head><body><h1>${title}</h1><p>${text}</p></body></html>`;
}

/**
 * Starts the loopback listener of one browser login (RFC 8252 §7.3). It binds 127.0.0.1 only — never a wildcard or a
 * public address, whatever the config says — serves only the callback path, takes exactly one callback and closes.
 */
export async function startCallbackListener(options: CallbackListenerOptions): Promise<CallbackListener> {
  let settle: { resolve(value: { code: string }): void; reject(error: Error): void } | undefined;
  const result = new Promise<{ code: string }>((resolve, reject) => (settle = { resolve, reject }));
  // The caller may stop listening before awaiting: a rejection must never surface as unhandled.
  result.catch(() => undefined);
  let finished = false;
  const server: Server = createServer((req, res) => handle(req, res));
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;
  // Set once listening; `finish` (defined first) clears it.
  const deadline: { timer?: NodeJS.Timeout } = {};
  const closed = new Promise<void>((resolve) => server.once('close', () => resolve()));

  const finish = (outcome: { code: string } | Error): void => {
    if (finished) return;
    finished = true;
    clearTimeout(deadline.timer);
    if (outcome instanceof Error) settle?.reject(outcome);
    else settle?.resolve(outcome);
    server.close();
    // Keep-alive sockets of the browser would hold the port; the answer has been flushed (or was never due).
    setImmediate(() => server.closeAllConnections());
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = URL.parse(req.url ?? '/', 'http://127.0.0.1');
    if (finished || url === null || url.pathname !== options.path || req.method !== 'GET') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' }).end('Not found\n');
      return;
    }
    const checked = checkCallback(callbackParams(url), options.expectedState);
    if (checked instanceof OAuthError) {
      res.writeHead(400, PAGE_HEADERS).end(page('Login failed', `${checked.message}. Go back to the terminal and start the login again.`));
    } else {
      res.writeHead(200, PAGE_HEADERS).end(page('Login complete', 'Rampart received the authorization. You can close this tab.'));
    }
    res.once('finish', () => finish(checked));
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: CALLBACK_BIND_HOST, port: options.port, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  deadline.timer = setTimeout(() => finish(new OAuthError('callback_timeout', `no login callback arrived within ${Math.round(options.timeoutMs / 1000)} s`)), options.timeoutMs);
  deadline.timer.unref();
  const address = server.address() as AddressInfo;
  return {
    address: address.address,
    port: address.port,
    result,
    closed,
    close() {
      finish(new OAuthError('cancelled', 'the login was cancelled'));
      return closed;
    },
  };
}

function callbackParams(url: URL): CallbackParams {
  const get = (name: string): string | undefined => url.searchParams.get(name) ?? undefined;
  return { code: get('code'), state: get('state'), error: get('error') };
}
