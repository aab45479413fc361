import type { WireFormat } from '../errors/render/index.ts';
import type { ClientKeyRecord } from '../storage/ports.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated client key; null until client-auth ran, and on public routes. */
    clientKey: ClientKeyRecord | null;
    /** The provider of the last upstream attempt (proxy routes); null until one ran. Request metrics read it. */
    routedProvider: string | null;
  }
  interface FastifyContextConfig {
    /** The wire format of the route, so errors answer in the caller's shape; 'auto' decides per request. */
    wireFormat?: WireFormat | 'auto';
    /** Public routes (health) skip client-key auth. */
    public?: boolean;
  }
}
