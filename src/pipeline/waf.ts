import type { FastifyRequest } from 'fastify';
import type { WafConfig } from '../config/waf-schema.ts';
import { RampartError } from '../errors/catalogue.ts';
import type { CanonicalEmbeddingRequest, CanonicalRequest } from '../formats/canonical/types.ts';
import { type Waf, type WafInput, createWaf } from '../waf/create-waf.ts';
import { promptText } from '../waf/prompt-text.ts';
import { routePath } from '../waf/route-glob.ts';
import './fastify-types.ts';

/** What a detection or block is reported with: never the matched text, which is typically a secret. */
export interface WafEventContext {
  route: string;
  model: string;
  keyId: string | null;
  /** The request and client address, for audit events (absent when the check runs outside a request). */
  requestId?: string;
  ip?: string;
}

/** Where WAF outcomes go (audit events, metrics); wired by the app. */
export interface WafHooks {
  /** Called once per rule that matched in detect mode (also for those seen before a block). */
  onDetect: (ruleId: string, context: WafEventContext) => void;
  /** Called before the 403 is thrown. */
  onBlock?: (ruleId: string, context: WafEventContext) => void;
}

/**
 * Runs the WAF on one request: reports detections, and throws RAMPART_WAF_BLOCKED naming the rule id (and nothing
 * of what matched) when a rule blocks.
 */
export function wafCheck(waf: Waf, input: WafInput, hooks: WafHooks, where?: { requestId: string; ip: string }): void {
  const verdict = waf.inspect(input);
  if (verdict.action === 'allow') return;
  // The path only: a query string may carry a credential (Gemini's ?key=).
  const context: WafEventContext = { route: routePath(input.route), model: input.model, keyId: input.keyId ?? null, ...where };
  for (const ruleId of verdict.detected) hooks.onDetect(ruleId, context);
  if (verdict.action === 'block') {
    hooks.onBlock?.(verdict.ruleId, context);
    throw new RampartError('RAMPART_WAF_BLOCKED', { message: `Blocked by rule ${verdict.ruleId}.` });
  }
}

/** A WAF check bound to a request, called by the route handler once the body is parsed into a canonical request. */
export type WafStep = (request: FastifyRequest, canonical: CanonicalRequest | CanonicalEmbeddingRequest) => void;

/**
 * Pipeline step factory: compiles the rules now (a bad rule throws WafConfigError at boot), then checks each
 * request's prompt text, model and headers. The route is the request path, so globs see e.g. the Gemini model in
 * `/v1beta/models/<model>:generateContent`.
 */
export function wafStep(options: { config: WafConfig } & WafHooks): WafStep {
  const { config, ...hooks } = options;
  const waf = createWaf(config);
  // Nothing can match: skip building the prompt text of every request.
  if (config.mode === 'off' && config.perKeyMode === undefined) return () => undefined;
  return (request, canonical) => {
    wafCheck(
      waf,
      {
        route: routePath(request.url),
        model: canonical.model,
        headers: request.headers,
        promptText: promptText(canonical),
        keyId: request.clientKey?.id ?? null,
      },
      hooks,
      { requestId: request.id, ip: request.clientIp },
    );
  };
}
