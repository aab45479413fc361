import type { FastifyInstance } from 'fastify';
import sjson from 'secure-json-parse';
import { RampartError } from '../errors/catalogue.ts';

/**
 * JSON body parsing: secure-json-parse refuses `__proto__` and `constructor.prototype` keys (prototype poisoning)
 * with an error instead of silently dropping them, so a crafted body is visible as a 400. Only JSON is accepted.
 */
export function installJsonBodyParser(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  const parse = (_request: unknown, body: string | Buffer, done: (error: Error | null, value?: unknown) => void): void => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(new RampartError('RAMPART_REQUEST_INVALID_JSON', { message: 'The request body is empty; send a JSON object.' }));
      return;
    }
    try {
      done(null, sjson.parse(text, null, { protoAction: 'error', constructorAction: 'error' }));
    } catch (error) {
      const poisoned = error instanceof SyntaxError && /prototype/i.test(error.message);
      done(new RampartError(poisoned ? 'RAMPART_REQUEST_PROTO_POISONING' : 'RAMPART_REQUEST_INVALID_JSON'));
    }
  };
  app.addContentTypeParser('application/json', { parseAs: 'string' }, parse);
  app.addContentTypeParser(/^application\/[a-z0-9.-]+\+json$/, { parseAs: 'string' }, parse);
}
