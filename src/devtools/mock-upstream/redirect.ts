// The `redirect` fault: an upstream that answers with a redirect, to prove Rampart does not follow it. The default
// target is the cloud metadata service, the classic destination of an SSRF through a followed redirect. The mock
// only names the target in a header; it never connects anywhere itself.
import type { MockContext } from './context.ts';

/** Where `redirect` without a value points. */
export const DEFAULT_REDIRECT_LOCATION = 'http://169.254.169.254/latest/meta-data/';

/** 307 keeps the method and body (RFC 9110 §15.4.8), so a client that follows it would re-send the whole request. */
export const REDIRECT_STATUS = 307;

/** The target of `redirect[=URL]`: an absolute http(s) URL, the default without a value, undefined when invalid. */
export function parseRedirectTarget(value: string | undefined): string | undefined {
  if (value === undefined) return DEFAULT_REDIRECT_LOCATION;
  const url = URL.parse(value);
  if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:')) return undefined;
  return url.href;
}

/** Answers `307` with `location: <target>` and a short body, as real servers do. */
export function sendRedirect(ctx: MockContext, location: string): void {
  if (ctx.res.headersSent || ctx.res.destroyed) return;
  const body = `Redirecting to ${location}\n`;
  ctx.res.writeHead(REDIRECT_STATUS, { location, 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  ctx.res.end(body);
}
