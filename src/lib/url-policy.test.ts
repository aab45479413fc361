import { describe, expect, it } from 'vitest';
import { PRIVATE_ADDRESS_PROBLEM, upstreamUrlProblem } from './url-policy.ts';

describe('upstreamUrlProblem', () => {
  it.each([
    'https://api.openai.com/v1',
    'http://example.com:8080/v1',
    'https://8.8.8.8/v1',
    'https://[2606:4700:4700::1111]/',
    'http://localhost.example.com/', // only the localhost TLD is reserved, not a label that happens to be "localhost"
    'https://notlocalhost/',
  ])('accepts %s', (url) => {
    expect(upstreamUrlProblem(url, false)).toBeUndefined();
  });

  it.each([
    ['http://127.0.0.1:8080/v1', 'loopback'],
    ['http://localhost:11434/v1', 'localhost'],
    ['http://LOCALHOST/', 'localhost, upper case'],
    ['http://localhost./', 'localhost, trailing dot'],
    ['http://ollama.localhost/', '*.localhost'],
    ['http://a.b.localhost./', '*.localhost, trailing dot'],
    ['http://169.254.169.254/latest/meta-data/', 'cloud metadata'],
    ['http://169.254.169.254./', 'cloud metadata, trailing dot'],
    ['http://10.0.0.5/', 'private'],
    ['http://192.168.1.10:8000/v1', 'private'],
    ['http://100.64.1.1/', 'CGNAT'],
    ['http://0.0.0.0/', 'unspecified'],
    ['http://0/', 'unspecified, one number'],
    ['http://2130706433/', 'loopback as one integer'],
    ['http://0x7f.1/', 'loopback in hex, short'],
    ['http://0177.0.0.1/', 'loopback in octal'],
    ['http://%31%32%37.0.0.1/', 'loopback percent-encoded'],
    ['http://[::1]:8080/', 'IPv6 loopback'],
    ['http://[::]/', 'IPv6 unspecified'],
    ['http://[::ffff:127.0.0.1]/', 'IPv4-mapped loopback'],
    ['http://[::ffff:169.254.169.254]/', 'IPv4-mapped metadata'],
    ['http://[fe80::1]/', 'IPv6 link-local'],
    ['http://[fd00::1]/', 'unique-local'],
    ['http://[64:ff9b::a9fe:a9fe]/', 'NAT64 of the metadata address'],
  ])('refuses %s (%s) unless allowPrivateNetwork', (url) => {
    expect(upstreamUrlProblem(url, false)).toBe(PRIVATE_ADDRESS_PROBLEM);
    expect(upstreamUrlProblem(url, true)).toBeUndefined();
  });

  it.each([
    ['ftp://example.com/', 'must be an http(s) URL, not ftp:'],
    ['file:///etc/passwd', 'must be an http(s) URL, not file:'],
    ['gopher://127.0.0.1:6379/_', 'must be an http(s) URL, not gopher:'],
    ['not a url', 'must be an http(s) URL'],
    ['http://1.2.3.4.5/', 'must be an http(s) URL'],
  ])('refuses %s: %s (even with allowPrivateNetwork)', (url, problem) => {
    expect(upstreamUrlProblem(url, false)).toBe(problem);
    expect(upstreamUrlProblem(url, true)).toBe(problem);
  });

  it('refuses credentials without echoing them', () => {
    for (const url of ['https://user:s3cret-pw@api.example.com/v1', 'https://s3cret-token@api.example.com/']) {
      const problem = upstreamUrlProblem(url, true);
      expect(problem).toBe('must not contain credentials (put them under credentials[].apiKey)');
      expect(problem).not.toContain('s3cret');
    }
  });

  it('does not echo the URL in the private-address message', () => {
    expect(upstreamUrlProblem('http://10.1.2.3/secret-path-token', false)).not.toMatch(/10\.1\.2\.3|secret-path-token/);
  });
});
