import { type LevelWithSilent, type Logger, pino } from 'pino';
import { CENSOR, SECRET_FIELDS, censorField, scrub, scrubString } from './redact.ts';

/**
 * pino redact paths: the secret field names at the top level only. pino's own wildcard paths (`*.token`) cost
 * several microseconds per line each level deep (measured: ~50 µs a line for four levels of these names), so
 * nested fields are left to `scrub` in the log formatter, which walks any depth for about a microsecond. These
 * paths still matter for objects interpolated into a message (`log.info('%o', obj)`), which the formatter never sees.
 */
export const REDACT_PATHS: readonly string[] = SECRET_FIELDS.map((name) => (/^[A-Za-z_$][\w$]*$/.test(name) ? name : `["${name}"]`));

/** Fastify's request, as much of it as a log line may show: never headers, never the query string. */
function requestSerializer(request: { id?: unknown; method?: unknown; url?: unknown }): Record<string, unknown> {
  const url = typeof request.url === 'string' ? request.url : '';
  const q = url.indexOf('?');
  return { id: request.id, method: request.method, path: q === -1 ? url : url.slice(0, q) };
}

/**
 * The process logger: JSON lines (stdout by default), secrets redacted at every depth. Redaction is a safety net:
 * code should not log secrets in the first place, and a canary test checks that it does not.
 */
export function createLogger(level: LevelWithSilent, destination?: NodeJS.WritableStream): Logger {
  const options = {
    level,
    base: { pid: process.pid },
    redact: {
      paths: [...REDACT_PATHS],
      censor: (value: unknown, path: string[]) => censorField(path[path.length - 1] ?? '', value),
    },
    formatters: { log: (object: Record<string, unknown>) => scrub(object) },
    serializers: {
      // The formatter already turned errors into scrubbed plain objects; this catches one logged some other way.
      err: (error: unknown) => scrub(error),
      req: requestSerializer,
      res: (reply: { statusCode?: unknown }) => ({ statusCode: reply.statusCode }),
    },
    hooks: {
      // Messages are free text: blank `?key=` values and `Bearer …` credentials quoted in them, and scrub objects
      // interpolated into them (`%o`); the first argument, when an object, is the formatter's to scrub.
      logMethod(this: Logger, args: unknown[], method: (...a: unknown[]) => void) {
        // `log.error(err)`: pino would take the message from the raw error; hand it over the formatter's way.
        const first = args[0];
        if (first instanceof Error && typeof args[1] !== 'string') args.splice(0, 1, { err: first }, first.message);
        for (let i = 0; i < args.length; i++) {
          const arg = args[i];
          if (typeof arg === 'string') args[i] = scrubString(arg);
          else if (i > 0 && typeof arg === 'object' && arg !== null) args[i] = scrub(arg);
        }
        method.apply(this, args);
      },
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

export { CENSOR };
