import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './load.ts';

const parse = (yaml: string) => parseConfig(yaml, { env: {} }).config;
const errorOf = (yaml: string): string => {
  try {
    parse(yaml);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected a ConfigError');
};

describe('server.metrics / server.dashboard switches', () => {
  it('are on by default, on loopback, at 9090 and 3000', () => {
    const { server } = parse('{}');
    expect(server.metrics).toMatchObject({ enabled: true, host: '127.0.0.1', port: 9090 });
    expect(server.dashboard).toMatchObject({ enabled: true, host: '127.0.0.1', port: 3000 });
  });

  it('switch off, and the proxy cannot be switched off', () => {
    const { server } = parse('server: { metrics: { enabled: false }, dashboard: { enabled: false, port: 0 } }');
    expect(server.metrics.enabled).toBe(false);
    expect(server.dashboard).toMatchObject({ enabled: false, port: 0 });
    expect(errorOf('server: { proxy: { enabled: false } }')).toMatch(/server\.proxy/);
  });

  it('a listener that is off is not checked for public binds or port clashes; one that is on is', () => {
    expect(() => parse('server: { metrics: { enabled: false, host: 0.0.0.0, port: 8317 } }')).not.toThrow();
    expect(errorOf('server: { metrics: { host: 0.0.0.0 } }')).toMatch(/server\.metrics\.host.*non-loopback/);
    expect(errorOf('server: { metrics: { port: 8317 } }')).toMatch(/server\.metrics\.port.*same host and port as server\.proxy/);
  });

  it('port 0 (a free port) is allowed for every listener at once', () => {
    const { server } = parse('server: { proxy: { port: 0 }, metrics: { port: 0 }, dashboard: { port: 0 } }');
    expect([server.proxy.port, server.metrics.port, server.dashboard.port]).toEqual([0, 0, 0]);
  });
});
