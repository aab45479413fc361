import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startCallbackListener } from './callback-listener.ts';
import { OAuthError } from './oauth-error.ts';

/** Whether a TCP connection to 127.0.0.1:port is accepted. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const options = { port: 0, path: '/callback', expectedState: 'the-state', timeoutMs: 5_000 };

describe('callback listener', () => {
  it('binds 127.0.0.1 only', async () => {
    const listener = await startCallbackListener(options);
    try {
      expect(listener.address).toBe('127.0.0.1');
      expect(await accepts(listener.port)).toBe(true);
    } finally {
      await listener.close();
    }
  });

  it('serves only the callback path, answers a small page, then closes after that one use', async () => {
    const listener = await startCallbackListener(options);
    const base = `http://127.0.0.1:${listener.port}`;
    const other = await fetch(`${base}/somewhere?code=x&state=the-state`);
    expect(other.status).toBe(404);
    await other.text();
    const answer = await fetch(`${base}/callback?code=abc&state=the-state`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toContain('text/html');
    expect(answer.headers.get('content-security-policy')).toBe("default-src 'none'");
    expect(await answer.text()).toContain('Login complete');
    await expect(listener.result).resolves.toEqual({ code: 'abc' });
    await listener.closed;
    expect(await accepts(listener.port)).toBe(false);
  });

  it('refuses a callback with the wrong state and ends the login', async () => {
    const listener = await startCallbackListener(options);
    const answer = await fetch(`http://127.0.0.1:${listener.port}/callback?code=abc&state=forged`);
    expect(answer.status).toBe(400);
    expect(await answer.text()).not.toContain('abc');
    const error = await listener.result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OAuthError);
    expect((error as OAuthError).reason).toBe('state_mismatch');
    await listener.closed;
    expect(await accepts(listener.port)).toBe(false);
  });

  it('closes after the timeout without a callback', async () => {
    const listener = await startCallbackListener({ ...options, timeoutMs: 150 });
    const error = await listener.result.catch((e: unknown) => e);
    expect((error as OAuthError).reason).toBe('callback_timeout');
    await listener.closed;
    expect(await accepts(listener.port)).toBe(false);
  });

  it('fails clearly when the port is taken', async () => {
    const first = await startCallbackListener(options);
    try {
      await expect(startCallbackListener({ ...options, port: first.port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      await first.close();
    }
  });
});
