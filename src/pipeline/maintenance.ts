import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { RampartError } from '../errors/catalogue.ts';
import { sendError } from './send-error.ts';

/** What the maintenance step reads per request; functions, so a toggle takes effect on the next request. */
export interface MaintenanceView {
  enabled(): boolean;
  message(): string;
}

/** Maintenance mode, mutable at run time: config sets it at boot, the management API toggles it, health reads it. */
export class MaintenanceState implements MaintenanceView {
  #enabled: boolean;
  #message: string;

  constructor(initial: { enabled: boolean; message: string }) {
    this.#enabled = initial.enabled;
    this.#message = MaintenanceState.#checked(initial.message);
  }

  enabled(): boolean {
    return this.#enabled;
  }

  message(): string {
    return this.#message;
  }

  /** Switches maintenance on or off; a new message replaces the old one, an omitted one keeps it. */
  set(enabled: boolean, message?: string): void {
    if (message !== undefined) this.#message = MaintenanceState.#checked(message);
    this.#enabled = enabled;
  }

  static #checked(message: string): string {
    if (message.length === 0) throw new Error('maintenance message must not be empty');
    return message;
  }
}

/**
 * Pipeline step: while maintenance is on, every non-public route answers 503 RAMPART_MAINTENANCE with the
 * configured message in the route's error shape. Public routes (health) keep answering so probes can report it.
 */
export function maintenanceStep(state: MaintenanceView): onRequestHookHandler {
  return function maintenance(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
    if (request.routeOptions.config.public === true || !state.enabled()) {
      done();
      return;
    }
    sendError(request, reply, new RampartError('RAMPART_MAINTENANCE', { message: state.message() }));
  };
}
