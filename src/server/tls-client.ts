import { type ConnectionOptions, connect } from 'node:tls';

// Test helper (not used by the server): one TLS handshake against a local listener, reporting what was negotiated
// or why it failed, so tests can assert on both without caring which side raised the alert.

/** What a handshake negotiated, or the client-side error code when it failed. */
export type HandshakeResult =
  | { ok: true; protocol: string | null; cipher: string; fingerprint256: string }
  | { ok: false; code: string };

/** Connects to 127.0.0.1:`port` (SNI localhost), completes one handshake and closes. Never throws. */
export function handshake(port: number, options: ConnectionOptions = {}): Promise<HandshakeResult> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false, ...options });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ ok: false, code: 'TIMEOUT' });
    }, 5_000);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const result: HandshakeResult = {
        ok: true,
        protocol: socket.getProtocol(),
        cipher: socket.getCipher().name,
        fingerprint256: socket.getPeerX509Certificate()?.fingerprint256 ?? '',
      };
      socket.end();
      resolve(result);
    });
    socket.once('error', (error: Error & { code?: string }) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ ok: false, code: error.code ?? error.message });
    });
  });
}

/** Client settings that can still speak what OpenSSL 3 disables by default (TLS 1.0/1.1, SHA-1, kRSA). */
export const LEGACY_CLIENT: ConnectionOptions = { ciphers: 'ALL:@SECLEVEL=0' };
