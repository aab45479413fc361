import { describe, expect, it } from 'vitest';
import { MemoryAuditLog } from '../audit/audit-log.ts';
import type { CredentialVault, NewCredential, StoredCredential } from './credential-vault.ts';
import { CredentialService } from './credential-service.ts';

/** Records what reached the vault. */
function fakeVault() {
  const stored = new Map<string, StoredCredential>();
  const added: NewCredential[] = [];
  const vault: Pick<CredentialVault, 'add' | 'get' | 'remove'> = {
    add: (input) => {
      added.push(input);
      const now = new Date();
      const record: StoredCredential = { id: input.id ?? 'gen', providerId: input.providerId, kind: input.secret.kind, label: input.label ?? null, meta: {}, keyVersion: 1, createdAt: now, updatedAt: now };
      stored.set(record.id, record);
      return Promise.resolve(record);
    },
    get: (id) => Promise.resolve(stored.get(id)),
    remove: (id) => Promise.resolve(stored.delete(id)),
  };
  return { vault, stored, added };
}

const providers = new Map([
  ['openai', ['openai#0']],
  ['claude', ['claude-main']],
]);

describe('CredentialService', () => {
  it('adds an API key to a configured provider and audits it durably with a fingerprint, never the key', async () => {
    const { vault, added } = fakeVault();
    const audit = new MemoryAuditLog();
    const service = new CredentialService(vault, { providers, audit, actor: 'cli' });
    const credential = await service.addApiKey({ providerId: 'openai', apiKey: 'sk-live-123', label: 'team' });
    expect(credential.id).toMatch(/^cred_[0-9a-f]{18}$/);
    expect(added[0]).toMatchObject({ id: credential.id, providerId: 'openai', label: 'team', secret: { kind: 'api_key', apiKey: 'sk-live-123' } });
    expect(audit.events).toEqual([
      { type: 'credential_added', actor: 'cli', outcome: 'success', details: { credentialId: credential.id, providerId: 'openai', kind: 'api_key', label: 'team', fingerprint: 'fp:11' } },
    ]);
    expect(JSON.stringify(audit.events)).not.toContain('sk-live-123');
    expect(await service.remove(credential.id)).toBe(true);
    expect(audit.events.at(-1)).toMatchObject({ type: 'credential_removed', outcome: 'success', details: { credentialId: credential.id, providerId: 'openai' } });
    expect(await service.remove(credential.id)).toBe(false);
    expect(audit.events).toHaveLength(2);
  });

  it('refuses unknown providers, ids used by config credentials and existing ids', async () => {
    const { vault } = fakeVault();
    const service = new CredentialService(vault, { providers });
    await expect(service.addApiKey({ providerId: 'nope', apiKey: 'k' })).rejects.toThrow('no provider "nope" in the config (configured: openai, claude)');
    await expect(service.addApiKey({ providerId: 'openai', apiKey: 'k', id: 'claude-main' })).rejects.toThrow('credential id "claude-main" is already used by a config credential of provider "claude"');
    await service.addApiKey({ providerId: 'openai', apiKey: 'k', id: 'mine' });
    await expect(service.addApiKey({ providerId: 'openai', apiKey: 'k', id: 'mine' })).rejects.toThrow('a credential with id "mine" already exists');
    await expect(service.addApiKey({ providerId: 'openai', apiKey: 'k', id: 'bad id!' })).rejects.toThrow(/credential id must be/);
  });

  it('refuses the change when the audit log cannot take it', async () => {
    const { vault, stored } = fakeVault();
    const audit = new MemoryAuditLog();
    audit.recordDurable = () => Promise.reject(new Error('the audit log cannot be written; the action was refused'));
    const service = new CredentialService(vault, { providers, audit });
    await expect(service.addApiKey({ providerId: 'openai', apiKey: 'k', id: 'x' })).rejects.toThrow(/action was refused/);
    expect(stored.size).toBe(0);
    stored.set('y', { id: 'y', providerId: 'openai', kind: 'api_key', label: null, meta: {}, keyVersion: 1, createdAt: new Date(), updatedAt: new Date() });
    await expect(service.remove('y')).rejects.toThrow(/action was refused/);
    expect(stored.has('y')).toBe(true);
  });
});
