import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { type AuditEventInput, MemoryAuditLog } from '../audit/audit-log.ts';
import { type AuditFailurePolicy, auditGuardStep } from './audit-guard.ts';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** A memory audit log whose health the test switches. */
class SwitchableAudit extends MemoryAuditLog {
  up = true;
  override healthy(): boolean {
    return this.up;
  }
}

function build(audit: SwitchableAudit, policy: AuditFailurePolicy, failures: string[]): FastifyInstance {
  const instance = Fastify();
  instance.addHook('onRequest', auditGuardStep({ audit, policy, onFailure: (p) => failures.push(p), onRecovery: () => failures.push('recovered') }));
  instance.post('/v1/chat/completions', { config: { wireFormat: 'openai' } }, () => ({ ok: true }));
  instance.post('/v1/messages', { config: { wireFormat: 'anthropic' } }, () => ({ ok: true }));
  instance.post('/v1beta/models/*', { config: { wireFormat: 'gemini' } }, () => ({ ok: true }));
  instance.get('/healthz', { config: { public: true } }, () => ({ status: 'ok' }));
  app = instance;
  return instance;
}

describe('auditGuardStep', () => {
  it('passes everything while the sink is healthy', async () => {
    const instance = build(new SwitchableAudit(), 'block', []);
    expect((await instance.inject({ method: 'POST', url: '/v1/chat/completions', payload: {} })).statusCode).toBe(200);
  });

  it('block: 503 RAMPART_AUDIT_UNAVAILABLE in each wire format, health still answers, traffic resumes on recovery', async () => {
    const audit = new SwitchableAudit();
    const failures: string[] = [];
    const instance = build(audit, 'block', failures);
    audit.up = false;
    const openai = await instance.inject({ method: 'POST', url: '/v1/chat/completions', payload: {} });
    expect(openai.statusCode).toBe(503);
    expect(openai.json()).toMatchObject({ error: { code: 'RAMPART_AUDIT_UNAVAILABLE' } });
    const anthropic = await instance.inject({ method: 'POST', url: '/v1/messages', payload: {} });
    expect(anthropic.json()).toMatchObject({ type: 'error', error: { type: 'overloaded_error', code: 'RAMPART_AUDIT_UNAVAILABLE' } });
    const gemini = await instance.inject({ method: 'POST', url: '/v1beta/models/g:generateContent', payload: {} });
    expect(gemini.json()).toMatchObject({ error: { code: 503, status: 'UNAVAILABLE' } });
    expect((await instance.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect(failures).toEqual(['block']);
    audit.up = true;
    expect((await instance.inject({ method: 'POST', url: '/v1/chat/completions', payload: {} })).statusCode).toBe(200);
    expect(failures).toEqual(['block', 'recovered']);
  });

  it('continue-and-alert: serves requests and alerts once per failure period', async () => {
    const audit = new SwitchableAudit();
    const failures: string[] = [];
    const instance = build(audit, 'continue-and-alert', failures);
    audit.up = false;
    for (let i = 0; i < 3; i++) expect((await instance.inject({ method: 'POST', url: '/v1/chat/completions', payload: {} })).statusCode).toBe(200);
    expect(failures).toEqual(['continue-and-alert']);
    const alerts = audit.events.filter((e: AuditEventInput) => e.type === 'alert');
    expect(alerts).toHaveLength(1);
    audit.up = true;
    await instance.inject({ method: 'POST', url: '/v1/chat/completions', payload: {} });
    audit.up = false;
    await instance.inject({ method: 'POST', url: '/v1/chat/completions', payload: {} });
    expect(failures).toEqual(['continue-and-alert', 'recovered', 'continue-and-alert']);
  });

  it('refuses an unknown policy at boot', () => {
    expect(() => auditGuardStep({ audit: new SwitchableAudit(), policy: 'allow' as AuditFailurePolicy })).toThrow(/block or continue-and-alert/);
  });
});
