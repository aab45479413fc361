import { X509Certificate, constants, createPrivateKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createSecureContext } from 'node:tls';
import { effectiveCiphers } from '../config/tls-schema.ts';
import type { TlsConfig } from '../config/tls-schema.ts';

// Turns a listener's `tls:` settings into the options of Node's https server (Fastify's `https` option, and
// `server.setSecureContext` on reload). Everything that can be checked before a client connects is checked here, so
// a bad pair fails at boot or keeps the old pair on reload, never per handshake. Messages name files by path and
// never include file contents: a key must not end up in a log line.

/** What loadTlsOptions and watchCertificates log; a pino Logger fits. */
export interface TlsLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** Options for `https.createServer` / Fastify's `https` / `Server#setSecureContext`. */
export interface TlsServerOptions {
  key: Buffer;
  cert: Buffer;
  ca?: Buffer;
  minVersion: 'TLSv1.2' | 'TLSv1.3';
  ciphers: string;
  /** Our order (strongest first) wins over the client's, so a client cannot talk the server down. */
  honorCipherOrder: true;
  secureOptions: number;
}

/** The certificate a TlsServerOptions carries, as public facts worth logging. */
export interface CertificateInfo {
  fingerprint256: string;
  subject: string;
  validFrom: Date;
  validTo: Date;
}

/** A certificate/key pair that cannot be served; the message names the setting and the file, never its contents. */
export class TlsSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TlsSetupError';
  }
}

/**
 * Client-initiated renegotiation costs the server a full handshake per request of the client (a cheap CPU DoS) and
 * is not needed by HTTP/1.1 clients; TLS 1.3 has no renegotiation at all.
 */
const SECURE_OPTIONS = constants.SSL_OP_NO_RENEGOTIATION;

/** Warn this long before a certificate expires. */
const EXPIRY_WARNING_MS = 14 * 24 * 3600 * 1000;

/** Absolute paths of the files a TLS config names, resolved against `baseDir` (the config file's folder). */
export function tlsFiles(config: TlsConfig, baseDir: string): { cert: string; key: string; ca?: string } {
  const resolve = (file: string): string => path.resolve(baseDir, file);
  return { cert: resolve(config.certFile), key: resolve(config.keyFile), ...(config.caFile === undefined ? {} : { ca: resolve(config.caFile) }) };
}

async function readSetting(setting: string, file: string, label: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new TlsSetupError(`${label}.${setting}: cannot read ${file}${typeof code === 'string' ? ` (${code})` : ''}`);
  }
}

/** Parses and cross-checks the pair; returns the leaf certificate's facts. */
function checkPair(cert: Buffer, key: Buffer, files: { cert: string; key: string }, label: string): CertificateInfo {
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(cert);
  } catch {
    throw new TlsSetupError(`${label}.certFile: ${files.cert} is not a PEM certificate`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    // Also the encrypted-key case: a passphrase would have to live next to the key, which protects nothing.
    throw new TlsSetupError(`${label}.keyFile: ${files.key} is not an unencrypted PEM private key`);
  }
  if (!leaf.checkPrivateKey(privateKey)) {
    throw new TlsSetupError(`${label}.keyFile: the key in ${files.key} does not belong to the certificate in ${files.cert}`);
  }
  return { fingerprint256: leaf.fingerprint256, subject: leaf.subject.replace(/\n/g, ', '), validFrom: leaf.validFromDate, validTo: leaf.validToDate };
}

/** Time-related problems worth a warning (not an error: refusing to start would turn an expiry into an outage). */
export function validityWarning(info: CertificateInfo, now: number): string | undefined {
  if (info.validTo.getTime() <= now) return `certificate expired on ${info.validTo.toISOString()}: clients will refuse it`;
  if (info.validFrom.getTime() > now) return `certificate is not valid before ${info.validFrom.toISOString()}: clients will refuse it`;
  const days = Math.floor((info.validTo.getTime() - now) / (24 * 3600 * 1000));
  if (info.validTo.getTime() - now < EXPIRY_WARNING_MS) return `certificate expires in ${days} day(s), on ${info.validTo.toISOString()}`;
  return undefined;
}

/** Options of loadTlsOptions. */
export interface LoadTlsOptions {
  /** Prefix of messages, the setting's path in the config: `server.proxy.tls`. */
  label?: string;
  /** Receives the expiry warnings; without it they are not reported. */
  log?: TlsLogger;
  /** Clock for the expiry check; Date.now by default. */
  now?: () => number;
}

/** Reads, checks and assembles the https options; also returns the certificate's public facts. */
export async function loadTlsMaterial(
  config: TlsConfig,
  baseDir: string,
  options: LoadTlsOptions = {},
): Promise<{ options: TlsServerOptions; certificate: CertificateInfo }> {
  const label = options.label ?? 'tls';
  const files = tlsFiles(config, baseDir);
  const [cert, key, ca] = await Promise.all([
    readSetting('certFile', files.cert, label),
    readSetting('keyFile', files.key, label),
    files.ca === undefined ? undefined : readSetting('caFile', files.ca, label),
  ]);
  const certificate = checkPair(cert, key, files, label);
  const serverOptions: TlsServerOptions = {
    key,
    cert,
    ...(ca === undefined ? {} : { ca }),
    minVersion: config.minVersion,
    ciphers: effectiveCiphers(config.ciphers),
    honorCipherOrder: true,
    secureOptions: SECURE_OPTIONS,
  };
  try {
    // What the server will do with these options anyway; doing it now turns OpenSSL's refusals (a 1024-bit RSA key,
    // an unparsable CA bundle) into a boot error instead of a failure inside Fastify.
    createSecureContext(serverOptions);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const reason = error instanceof Error ? (error.message.split('::').pop() ?? '') : '';
    throw new TlsSetupError(`${label}: OpenSSL refuses the certificate, key or CA bundle${typeof code === 'string' ? ` (${code}${reason === '' ? '' : `: ${reason}`})` : ''}`);
  }
  const warning = validityWarning(certificate, (options.now ?? Date.now)());
  if (warning !== undefined) options.log?.warn({ tls: label, file: files.cert, fingerprint256: certificate.fingerprint256 }, warning);
  return { options: serverOptions, certificate };
}

/** The https options for Fastify (`Fastify({ https: await loadTlsOptions(...) })`); throws TlsSetupError. */
export async function loadTlsOptions(config: TlsConfig, baseDir: string, options: LoadTlsOptions = {}): Promise<TlsServerOptions> {
  return (await loadTlsMaterial(config, baseDir, options)).options;
}
