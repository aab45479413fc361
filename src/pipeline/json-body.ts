import type { FastifyInstance } from 'fastify';
import { type BodyLimits, jsonBodyParser } from './validate-body.ts';

/**
 * JSON body parsing on raw bytes (validate-body.ts): invalid UTF-8 is refused instead of silently replaced, nesting
 * depth is checked in a linear scan before parsing, long strings are capped, and secure-json-parse refuses
 * `__proto__` / `constructor.prototype` keys. Only JSON content types are accepted (others: 415).
 */
export function installJsonBodyParser(app: FastifyInstance, limits: BodyLimits): void {
  app.removeAllContentTypeParsers();
  const parse = jsonBodyParser(limits);
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, parse);
  app.addContentTypeParser(/^application\/[a-z0-9.-]+\+json$/, { parseAs: 'buffer' }, parse);
}
