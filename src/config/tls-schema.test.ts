import { describe, expect, it } from 'vitest';
import { DEFAULT_TLS12_CIPHERS, DEFAULT_TLS13_SUITES, FORCED_EXCLUSIONS, cipherListProblem, effectiveCiphers, tlsSchema } from './tls-schema.ts';

const files = { certFile: 'tls/cert.pem', keyFile: 'tls/key.pem' };

function cipherIssues(ciphers: string, minVersion?: string): { path: PropertyKey[]; message: string }[] {
  const result = tlsSchema.safeParse({ ...files, ciphers, ...(minVersion === undefined ? {} : { minVersion }) });
  if (result.success) throw new Error(`expected ${ciphers} to be refused`);
  return result.error.issues.map(({ path, message }) => ({ path, message }));
}

describe('tlsSchema', () => {
  it('is optional (plain HTTP) and applies the safe defaults', () => {
    expect(tlsSchema.parse(undefined)).toBeUndefined();
    expect(tlsSchema.parse(files)).toEqual({ ...files, minVersion: 'TLSv1.2', reloadOnChange: true });
  });

  it('needs both files and refuses unknown fields, old versions and empty paths', () => {
    expect(tlsSchema.safeParse({ certFile: 'c.pem' }).success).toBe(false);
    expect(tlsSchema.safeParse({ ...files, certfile: 'x' }).success).toBe(false);
    expect(tlsSchema.safeParse({ ...files, keyFile: '' }).success).toBe(false);
    for (const minVersion of ['TLSv1', 'TLSv1.1', 'SSLv3', 'tlsv1.2']) {
      expect(tlsSchema.safeParse({ ...files, minVersion }).success, minVersion).toBe(false);
    }
    expect(tlsSchema.parse({ ...files, minVersion: 'TLSv1.3', caFile: 'ca.pem', reloadOnChange: false })).toMatchObject({
      minVersion: 'TLSv1.3',
      caFile: 'ca.pem',
      reloadOnChange: false,
    });
  });

  // Each row enables a refused class by an alias, a concrete suite name or a combination.
  const refused: [string, RegExp][] = [
    ['aNULL', /anonymous/],
    ['ECDHE-RSA-AES128-GCM-SHA256:ADH-AES128-GCM-SHA256', /anonymous/],
    ['AECDH-AES128-SHA', /anonymous/],
    ['HIGH:COMPLEMENTOFDEFAULT', /anonymous/],
    ['eNULL', /no encryption/],
    ['NULL-SHA256', /no encryption/],
    ['ECDHE-RSA-NULL-SHA', /no encryption/],
    ['COMPLEMENTOFALL', /no encryption/],
    ['TLS_SHA256_SHA256', /integrity-only/],
    ['EXPORT', /export/],
    ['EXP-RC4-MD5', /export/],
    ['EXP1024-DES-CBC-SHA', /export/],
    ['RC4', /RC4/],
    ['RC4-SHA', /RC4/],
    ['ECDHE+RC4', /RC4/],
    ['3DES', /DES/],
    ['DES-CBC3-SHA', /DES/],
    ['ECDHE-RSA-DES-CBC3-SHA', /DES/],
    ['DES', /DES/],
    ['MD5', /MD5/],
    ['LOW', /low-strength/],
    ['ECDHE-RSA-AES128-GCM-SHA256 RC4-SHA', /RC4/],
    ['ECDHE-RSA-AES128-GCM-SHA256,MD5', /MD5/],
  ];
  it.each(refused)('refuses %s by name', (ciphers, reason) => {
    const issues = cipherIssues(ciphers);
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toEqual(['ciphers']);
    expect(issues[0]?.message).toMatch(reason);
    expect(issues[0]?.message).toMatch(/refuses$/);
  });

  it('does not quote the list (it may come from an environment variable)', () => {
    const text = JSON.stringify([...cipherIssues('ECDHE-ECDSA-AES128-GCM-SHA256:RC4-SHA'), ...cipherIssues('NOT-A-CIPHER')]);
    for (const item of ['ECDHE-ECDSA', 'RC4-SHA', 'NOT-A-CIPHER']) expect(text).not.toContain(item);
  });

  it.each(['@SECLEVEL=0', '@SECLEVEL=1', 'ECDHE+AESGCM:@SECLEVEL=0', '@seclevel=1:HIGH', '@SECLEVEL=', '@SECLEVEL=x'])(
    'refuses %s',
    (ciphers) => {
      expect(cipherIssues(ciphers)[0]?.message).toMatch(/@SECLEVEL must be 2 to 5/);
    },
  );

  it('accepts exclusions of the refused classes, strong aggregates and higher security levels', () => {
    for (const ciphers of [
      'ECDHE+AESGCM:!aNULL:!eNULL:!MD5:-RC4:!3DES',
      'ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384',
      'HIGH:@STRENGTH',
      'ECDHE+CHACHA20:@SECLEVEL=3',
      // ALL includes anonymous suites; the appended exclusions remove them, so the operator's word is enough.
      'ALL',
    ]) {
      expect(tlsSchema.safeParse({ ...files, ciphers }).success, ciphers).toBe(true);
    }
  });

  it('refuses a list that resolves to no cipher suite', () => {
    expect(cipherIssues('NOT-A-CIPHER')[0]?.message).toMatch(/matches no cipher suite/);
    expect(cipherIssues('ECDHE+AESGCM:!ECDHE')[0]?.message).toMatch(/matches no cipher suite/);
    expect(cipherIssues('!ECDHE:-RSA')[0]?.message).toMatch(/enables no cipher suite/);
    expect(cipherIssues(' : , ')[0]?.message).toMatch(/at least one/);
  });

  it('refuses TLS 1.3-only lists unless minVersion is TLSv1.3', () => {
    expect(cipherIssues('TLS_AES_256_GCM_SHA384')[0]?.message).toMatch(/only TLS 1.3 suites.*minVersion: TLSv1.3/);
    expect(tlsSchema.safeParse({ ...files, minVersion: 'TLSv1.3', ciphers: 'TLS_AES_256_GCM_SHA384' }).success).toBe(true);
    expect(cipherIssues('TLS_NOT_A_SUITE', 'TLSv1.3')[0]?.message).toMatch(/matches no cipher suite/);
    expect(cipherIssues('ECDHE+AESGCM:@NOPE')[0]?.message).toMatch(/not a valid OpenSSL cipher list/);
  });
});

describe('cipherListProblem', () => {
  it('looks only at items that enable something', () => {
    expect(cipherListProblem('!RC4:-DES:+MD5:ECDHE+AESGCM')).toBeUndefined();
    expect(cipherListProblem('ECDHE+AESGCM:RC4')).toMatch(/RC4/);
  });
});

describe('effectiveCiphers', () => {
  it('defaults to ECDHE + AEAD for TLS 1.2 and Node\'s TLS 1.3 suites', () => {
    const list = effectiveCiphers(undefined).split(':');
    expect(DEFAULT_TLS13_SUITES.split(':')).toEqual(['TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_GCM_SHA256']);
    for (const name of list.filter((item) => !item.startsWith('TLS_'))) expect(name).toMatch(/^ECDHE-(?:ECDSA|RSA)-(?:AES\d+-GCM-SHA\d+|CHACHA20-POLY1305)$/);
    expect(list).toHaveLength(DEFAULT_TLS12_CIPHERS.split(':').length + 3);
  });

  it('keeps Node\'s TLS 1.3 suites, normalises separators and appends the exclusions', () => {
    expect(effectiveCiphers('ECDHE+AESGCM ALL')).toBe(`${DEFAULT_TLS13_SUITES}:ECDHE+AESGCM:ALL:${FORCED_EXCLUSIONS}`);
    expect(effectiveCiphers('TLS_AES_128_GCM_SHA256,ECDHE+AESGCM')).toBe(`TLS_AES_128_GCM_SHA256:ECDHE+AESGCM:${FORCED_EXCLUSIONS}`);
    expect(effectiveCiphers('TLS_AES_128_GCM_SHA256')).toBe('TLS_AES_128_GCM_SHA256');
  });
});
