import type { FastifyInstance, FastifyRequest } from 'fastify';
import { RampartError } from '../errors/catalogue.ts';
import { type BodyLimits, jsonBodyParser } from './validate-body.ts';

/**
 * JSON body parsing on raw bytes (validate-body.ts): invalid UTF-8 is refused instead of silently replaced, nesting
 * depth is checked in a linear scan before parsing, long strings are capped, and secure-json-parse refuses
 * `__proto__` / `constructor.prototype` keys. Only JSON content types are accepted (others: 415).
 */
export function installJsonBodyParser(app: FastifyInstance, limits: BodyLimits, onRefused?: (request: FastifyRequest, error: RampartError) => void): void {
  app.removeAllContentTypeParsers();
  const strict = jsonBodyParser(limits);
  // `onRefused` (audit events) hears of each refused body; it must not throw, and the refusal stands either way.
  const parse: typeof strict =
    onRefused === undefined
      ? strict
      : (request, body, done) =>
          strict(request, body, (error, value) => {
            if (error instanceof RampartError) {
              try {
                onRefused(request, error);
              } catch (hookError: unknown) {
                request.log.error({ err: hookError }, 'json body: onRefused failed');
              }
            }
            done(error, value);
          });
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, parse);
  app.addContentTypeParser(/^application\/[a-z0-9.-]+\+json$/, { parseAs: 'buffer' }, parse);
}
