import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { securitySchema } from '../config/security-schema.ts';
import { MaintenanceState, maintenanceStep } from './maintenance.ts';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

function build(state: MaintenanceState): FastifyInstance {
  const instance = Fastify();
  instance.addHook('onRequest', maintenanceStep(state));
  instance.post('/v1/chat/completions', { config: { wireFormat: 'openai' } }, () => ({ ok: true }));
  instance.post('/v1/messages', { config: { wireFormat: 'anthropic' } }, () => ({ ok: true }));
  instance.post('/v1beta/models/*', { config: { wireFormat: 'gemini' } }, () => ({ ok: true }));
  // Health reads the same state, as the real health routes will.
  instance.get('/healthz', { config: { public: true } }, () => ({ status: state.enabled() ? 'maintenance' : 'ok' }));
  app = instance;
  return instance;
}

describe('maintenanceStep', () => {
  it('passes everything through while off', async () => {
    const instance = build(new MaintenanceState({ enabled: false, message: 'down' }));
    expect((await instance.inject({ method: 'POST', url: '/v1/chat/completions', payload: {} })).statusCode).toBe(200);
  });

  it('answers 503 RAMPART_MAINTENANCE with the configured message in each route’s error shape', async () => {
    const instance = build(new MaintenanceState({ enabled: true, message: 'Back at 14:00 UTC.' }));
    const openai = await instance.inject({ method: 'POST', url: '/v1/chat/completions', payload: {} });
    expect(openai.statusCode).toBe(503);
    expect(openai.json()).toMatchObject({ error: { code: 'RAMPART_MAINTENANCE', message: 'Back at 14:00 UTC.', type: 'server_error' } });
    const anthropic = await instance.inject({ method: 'POST', url: '/v1/messages', payload: {} });
    expect(anthropic.statusCode).toBe(503);
    expect(anthropic.json()).toMatchObject({ type: 'error', error: { type: 'overloaded_error', code: 'RAMPART_MAINTENANCE', message: 'Back at 14:00 UTC.' } });
    const gemini = await instance.inject({ method: 'POST', url: '/v1beta/models/gemini-pro:generateContent', payload: {} });
    expect(gemini.statusCode).toBe(503);
    expect(gemini.json()).toMatchObject({ error: { code: 503, status: 'UNAVAILABLE', message: 'Back at 14:00 UTC.' } });
  });

  it('leaves public (health) routes answering, and they can report the mode', async () => {
    const instance = build(new MaintenanceState({ enabled: true, message: 'down' }));
    const health = await instance.inject({ url: '/healthz' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({ status: 'maintenance' });
  });

  it('blocks unknown routes too, since only public routes are exempt', async () => {
    const instance = build(new MaintenanceState({ enabled: true, message: 'down' }));
    expect((await instance.inject({ url: '/v1/nothing' })).statusCode).toBe(503);
  });

  it('follows a toggle at run time, keeping or replacing the message', async () => {
    const state = new MaintenanceState({ enabled: false, message: 'first' });
    const instance = build(state);
    const call = () => instance.inject({ method: 'POST', url: '/v1/chat/completions', payload: {} });
    state.set(true);
    expect((await call()).json()).toMatchObject({ error: { message: 'first' } });
    state.set(true, 'second');
    expect((await call()).json()).toMatchObject({ error: { message: 'second' } });
    state.set(false);
    expect((await call()).statusCode).toBe(200);
  });

  it('starts from the config defaults', async () => {
    const state = new MaintenanceState({ ...securitySchema.parse(undefined).maintenance, enabled: true });
    const response = await build(state).inject({ method: 'POST', url: '/v1/chat/completions', payload: {} });
    expect(response.json()).toMatchObject({ error: { message: 'Rampart is under maintenance; try again later.' } });
  });

  it('refuses an empty message', () => {
    expect(() => new MaintenanceState({ enabled: true, message: '' })).toThrow(/empty/);
    expect(() => new MaintenanceState({ enabled: false, message: 'x' }).set(true, '')).toThrow(/empty/);
  });
});
