import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

/** Sends a complete JSON response with an exact content-length (keeps keep-alive connections cheap); `headers` may override the content-type. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: OutgoingHttpHeaders = {}): void {
  if (res.headersSent || res.destroyed) return;
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    ...headers,
    'content-length': Buffer.byteLength(payload),
  });
  res.end(payload);
}
