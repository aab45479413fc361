import { describe, expect, it } from 'vitest';
import { createPkce, createState, pkceChallenge, stateMatches } from './pkce.ts';

describe('PKCE (RFC 7636)', () => {
  it('matches the S256 example of RFC 7636 appendix B', () => {
    // The appendix's 32 random octets, their base64url verifier, and its challenge.
    const octets = [116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121];
    const verifier = Buffer.from(octets).toString('base64url');
    expect(verifier).toBe('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk');
    expect(pkceChallenge(verifier)).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('creates 43-character unreserved verifiers from 32 random bytes, each different, with their S256 challenge', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const pair = createPkce();
      expect(pair.verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(pair.verifier, 'base64url')).toHaveLength(32);
      expect(pair.challenge).toBe(pkceChallenge(pair.verifier));
      expect(pair.method).toBe('S256');
      seen.add(pair.verifier);
    }
    expect(seen.size).toBe(50);
  });
});

describe('state', () => {
  it('is random and url-safe', () => {
    const a = createState();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(createState()).not.toBe(a);
  });

  it('matches only the same value; a missing, empty or different state is refused', () => {
    const state = createState();
    expect(stateMatches(state, state)).toBe(true);
    expect(stateMatches(state, `${state}x`)).toBe(false);
    expect(stateMatches(state, state.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')))).toBe(false);
    expect(stateMatches(state, undefined)).toBe(false);
    expect(stateMatches(state, null)).toBe(false);
    expect(stateMatches(state, '')).toBe(false);
    expect(stateMatches('', '')).toBe(false);
  });
});
