import { pino, type Logger, type LevelWithSilent } from 'pino';

/**
 * Fields that may carry a secret wherever they appear in a log object. Redaction is a safety net: code should not
 * log secrets in the first place (and a canary test checks that it does not).
 */
export const REDACT_PATHS = [
  'authorization',
  'apiKey',
  'key',
  'password',
  'token',
  '*.authorization',
  '*.apiKey',
  '*.key',
  '*.password',
  '*.token',
  'headers.authorization',
  'headers["x-api-key"]',
  'headers["x-goog-api-key"]',
  'headers.cookie',
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers["x-goog-api-key"]',
  'req.headers.cookie',
];

/** The process logger: JSON lines on stdout, secrets redacted. */
export function createLogger(level: LevelWithSilent, destination?: NodeJS.WritableStream): Logger {
  const options = { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { pid: process.pid } };
  return destination ? pino(options, destination) : pino(options);
}
