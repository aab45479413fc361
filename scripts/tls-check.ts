/**
 * Serves Rampart's TLS settings on 127.0.0.1 so a scanner can grade them (issue: "no testssl finding at LOW or above").
 *
 *   node scripts/tls-check.ts                 # prints the port, serves until Ctrl-C
 *   node scripts/tls-check.ts --testssl       # also runs Debian's `testssl`, summarises, exits 1 on a config finding
 *   node scripts/tls-check.ts --cert c.pem --key k.pem [--ciphers LIST] [--min-version TLSv1.3]
 *
 * Without --cert/--key a throwaway self-signed certificate (RSA 2048, 90 days, SAN 127.0.0.1) is made with openssl.
 * Findings about that certificate (untrusted chain, no OCSP/CRL URI) are reported apart: they grade the test
 * certificate, not the configuration. The listener sends the same security headers as Rampart's proxy listener.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Fastify from 'fastify';
import { tlsSchema } from '../src/config/tls-schema.ts';
import { securityHeadersStep } from '../src/pipeline/security-headers.ts';
import { makeCertificate } from '../src/server/test-certificates.ts';
import { loadTlsOptions } from '../src/server/tls.ts';

const SEVERITIES = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
// testssl ids that grade the certificate itself (trust, revocation info, CAA), not the TLS configuration.
const CERTIFICATE_FINDING = /^(?:cert_|OCSP_stapling$|DNS_CAArecord$|chain_of_trust)/;

interface Finding {
  id: string;
  severity: string;
  finding: string;
}

const { values } = parseArgs({
  options: {
    cert: { type: 'string' },
    key: { type: 'string' },
    ciphers: { type: 'string' },
    'min-version': { type: 'string' },
    testssl: { type: 'boolean', default: false },
  },
});

const scratch = await mkdtemp(path.join(tmpdir(), 'rampart-tls-check-'));
let certFile = values.cert;
let keyFile = values.key;
if (certFile === undefined || keyFile === undefined) {
  const made = await makeCertificate(scratch, 'server');
  certFile = made.certFile;
  keyFile = made.keyFile;
}
const config = tlsSchema.parse({
  certFile,
  keyFile,
  ...(values.ciphers === undefined ? {} : { ciphers: values.ciphers }),
  ...(values['min-version'] === undefined ? {} : { minVersion: values['min-version'] }),
});
if (config === undefined) throw new Error('unreachable: certFile and keyFile are set');

const app = Fastify({ https: await loadTlsOptions(config, process.cwd()) });
app.addHook('onRequest', securityHeadersStep({ hsts: 'auto' }));
app.get('/', () => ({ ok: true }));
await app.listen({ host: '127.0.0.1', port: 0 });
const { port } = app.server.address() as AddressInfo;
console.log(`tls-check listening on https://127.0.0.1:${port}`);

async function stop(): Promise<void> {
  await app.close();
  await rm(scratch, { recursive: true, force: true });
}

if (!values.testssl) {
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
} else {
  const jsonFile = path.join(scratch, 'testssl.json');
  const args = ['--quiet', '--color', '0', '--warnings', 'batch', '--severity', 'LOW', '--jsonfile', jsonFile, `127.0.0.1:${port}`];
  console.log(`$ testssl ${args.join(' ')}`);
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn('testssl', args, { stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', resolve);
  });
  const findings = (JSON.parse(await readFile(jsonFile, 'utf8')) as Finding[]).filter((f) => (SEVERITIES as readonly string[]).includes(f.severity));
  const config = findings.filter((f) => !CERTIFICATE_FINDING.test(f.id));
  const certificate = findings.filter((f) => CERTIFICATE_FINDING.test(f.id));
  const count = (list: Finding[]): string => SEVERITIES.map((s) => `${s} ${list.filter((f) => f.severity === s).length}`).join(', ');
  console.log(`\ntestssl exit code ${code}`);
  console.log(`configuration findings (LOW or above): ${config.length} (${count(config)})`);
  for (const f of config) console.log(`  ${f.severity} ${f.id}: ${f.finding}`);
  console.log(`test-certificate findings (LOW or above): ${certificate.length} (${count(certificate)})`);
  for (const f of certificate) console.log(`  ${f.severity} ${f.id}: ${f.finding}`);
  await stop();
  process.exitCode = config.length === 0 ? 0 : 1;
}
