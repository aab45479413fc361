import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

// Test helper (not used by the server): throwaway certificates made by the openssl CLI, so tests exercise real PEM
// files exactly as an operator would produce them.

const run = promisify(execFile);

/** A generated certificate/key pair on disk. */
export interface TestCertificate {
  certFile: string;
  keyFile: string;
  /** SHA-256 fingerprint as Node prints it (AA:BB:…), to recognise the certificate a server presented. */
  fingerprint256: string;
  cert: Buffer;
}

/** Options of makeCertificate. */
export interface MakeCertificateOptions {
  /** 'rsa' (default, 2048 bits), 'rsa1024' (too weak for OpenSSL's security level 2) or 'ec' (P-256). */
  keyType?: 'rsa' | 'rsa1024' | 'ec';
  days?: number;
  commonName?: string;
}

/** Writes `<name>.crt` and `<name>.key` (self-signed, SAN localhost + 127.0.0.1, serverAuth) into `dir`. */
export async function makeCertificate(dir: string, name: string, options: MakeCertificateOptions = {}): Promise<TestCertificate> {
  const certFile = path.join(dir, `${name}.crt`);
  const keyFile = path.join(dir, `${name}.key`);
  const keyType = options.keyType ?? 'rsa';
  const keyArgs =
    keyType === 'ec'
      ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1']
      : ['-newkey', keyType === 'rsa1024' ? 'rsa:1024' : 'rsa:2048'];
  await run('openssl', [
    'req', '-x509', ...keyArgs, '-nodes', '-sha256',
    '-keyout', keyFile, '-out', certFile,
    '-days', String(options.days ?? 90),
    '-subj', `/CN=${options.commonName ?? 'localhost'}`,
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-addext', 'extendedKeyUsage=serverAuth',
    '-addext', 'keyUsage=critical,digitalSignature,keyEncipherment',
  ]);
  const cert = await readFile(certFile);
  return { certFile, keyFile, cert, fingerprint256: new X509Certificate(cert).fingerprint256 };
}
