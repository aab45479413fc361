import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController, type RawServerDefault } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Logger } from 'pino';
import type { RampartConfig } from './config/schema.ts';
import type { ClientKeyService } from './keys/client-keys.ts';
import { requestId } from './lib/ids.ts';
import { MaintenanceState } from './pipeline/maintenance.ts';
import { installProxyPipeline } from './pipeline/pipeline.ts';
import { wafStep } from './pipeline/waf.ts';
import { securityAuditHooks } from './pipeline/security-audit.ts';
import type { AuditLog } from './audit/audit-log.ts';
import type { IpBlockView } from './alerts/ip-block-list.ts';
import type { UsageRecorder } from './usage/usage-recorder.ts';
import { registerHealthRoutes } from './proxy/health-routes.ts';
import { registerAnthropicRoutes } from './proxy/anthropic-routes.ts';
import { registerGeminiRoutes } from './proxy/gemini-routes.ts';
import { registerOpenAIRoutes } from './proxy/openai-routes.ts';
import type { MonthlyQuota } from './limits/monthly-quota.ts';
import { ProviderLimits } from './limits/provider-limits.ts';
import type { CooldownTracker } from './routing/cooldowns.ts';
import { Router } from './routing/router.ts';
import type { TlsServerOptions } from './server/tls.ts';
import { UpstreamClient } from './upstream/upstream-client.ts';
import type { AccessTokenSource } from './oauth/token-refresher.ts';
import { type ObservabilityParts, type SideListeners, buildSideListeners, createHealth, createMetrics } from './app-observability.ts';
import type { VaultState } from './health/health-sources.ts';
import { ObservedUpstreamClient } from './proxy/proxy-observer.ts';

/** Everything buildApp needs, created by the caller (main.ts or a test): no hidden globals. */
export interface AppDeps {
  config: RampartConfig;
  keys: ClientKeyService;
  /** Credential cooldowns, loaded from storage by the caller. */
  cooldowns: CooldownTracker;
  /** Monthly token quotas per client key. */
  quota: MonthlyQuota;
  log: Logger;
  /** HTTPS options of the proxy listener (loadTlsOptions); plain HTTP when absent. */
  proxyTls?: TlsServerOptions;
  /** Where security events and provider requests are audited (the audit writer; MemoryAuditLog in tests). */
  audit?: AuditLog;
  /** Usage accounting: one record per proxied request. */
  usage?: UsageRecorder;
  /** Temporary IP blocks (alerts/ip-block-list.ts), refused with 403 RAMPART_IP_BLOCKED. */
  blocks?: IpBlockView;
  /** Fresh access tokens for OAuth credentials in the pools (oauth/token-refresher.ts). */
  oauthTokens?: AccessTokenSource;
  /** A real database write for /readyz and /api/health (Storage.checkWritable); absent → reported as failing. */
  dbWritable?: () => Promise<void>;
  /** The vault's state for health reports; absent → unlocked. */
  vaultState?: () => VaultState;
  /** How many IP addresses are blocked now (the rampart_blocked_ips gauge); absent → 0. */
  blockedIpCount?: () => number;
  /** HTTPS options of the metrics and dashboard listeners; plain HTTP when absent. */
  metricsTls?: TlsServerOptions;
  dashboardTls?: TlsServerOptions;
}

/** The assembled application: its listeners (not yet listening) and what must be closed on shutdown. */
export interface App {
  proxy: FastifyInstance;
  /** Maintenance mode, switchable at run time (management API). */
  maintenance: MaintenanceState;
  /** The proxy's https server when it has TLS, for certificate reloads (setSecureContext). */
  proxyTlsServer?: HttpsServer;
  /** Model → provider → credential routing; main.ts feeds vault credentials into its pools. */
  router: Router;
  /** The metrics and dashboard listeners (not yet listening), absent when switched off. */
  side: SideListeners;
  close(): Promise<void>;
}

/** Wires the proxy listener: pipeline first, then routes. The one place where the parts meet. */
export function buildApp(deps: AppDeps): App {
  const { config, log } = deps;
  const parts: ObservabilityParts = { ...deps, router: () => router };
  // With metrics on, the upstream client carries the observer the call helpers report to (proxy/proxy-observer.ts).
  const metrics = createMetrics(parts);
  const upstream = metrics === undefined ? new UpstreamClient() : new ObservedUpstreamClient(metrics);
  const router = new Router(config.providers, config.routing.fallbacks);
  const serverTimeouts = { headersTimeout: config.limits.headersTimeoutMs, connectionsCheckingInterval: 1_000 };
  // The pino logger is passed as Fastify's base logger type so every plugin and route sees one instance type.
  const options = {
    loggerInstance: log,
    // Rampart writes its own access line (pipeline/access-log.ts): path only, no headers, hijacked streams included.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: () => requestId(),
    requestIdHeader: false as const,
    bodyLimit: config.limits.maxBodyBytes,
    onProtoPoisoning: 'error' as const,
    onConstructorPoisoning: 'error' as const,
    return503OnClosing: true,
    forceCloseConnections: 'idle' as const,
    keepAliveTimeout: config.limits.keepAliveTimeoutMs,
    requestTimeout: config.limits.requestTimeoutMs,
    connectionTimeout: config.limits.idleSocketTimeoutMs,
  };
  // Node checks header/request deadlines on this interval (30 s by default): check often enough that a slowloris
  // connection is closed close to its deadline. Fastify passes `http` to http.createServer only, so with TLS the same
  // settings ride in `https` (https.createServer takes http.Server options too).
  const httpsProxy =
    deps.proxyTls === undefined
      ? undefined
      : Fastify<HttpsServer, IncomingMessage, ServerResponse, FastifyBaseLogger>({ ...options, https: { ...deps.proxyTls, ...serverTimeouts } });
  const proxy: FastifyInstance =
    httpsProxy === undefined
      ? Fastify<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger>({ ...options, http: serverTimeouts })
      : httpsProxy;
  proxy.server.maxConnections = config.limits.maxConnections;
  const maintenance = new MaintenanceState(config.security.maintenance);
  installProxyPipeline(proxy, {
    keys: deps.keys,
    log,
    accessLog: config.logging.accessLog,
    security: config.security,
    maintenance,
    rateLimits: config.rateLimits,
    bodyLimits: { maxDepth: config.validation.maxJsonDepth, maxStringLength: config.validation.maxStringLength },
    maxConcurrentPerKey: config.limits.maxConcurrentPerKey,
    audit: deps.audit,
    auditFailurePolicy: config.audit.onFailure.proxy,
    blocks: deps.blocks,
    requestMetrics: metrics,
  });
  const wafAudit = securityAuditHooks(deps.audit);
  const waf = wafStep({
    config: config.waf,
    onDetect: (ruleId, context) => {
      log.warn({ ruleId, route: context.route, keyId: context.keyId }, 'WAF rule matched (detect)');
      wafAudit.wafDetect(ruleId, context);
    },
    onBlock: (ruleId, context) => {
      log.warn({ ruleId, route: context.route, keyId: context.keyId }, 'WAF rule blocked a request');
      wafAudit.wafBlock(ruleId, context);
    },
  });
  const health = createHealth(parts, maintenance);
  registerHealthRoutes(proxy, maintenance, health);
  const { retries, retryJitterMs, sessionAffinityHeader } = config.routing;
  const providerLimits = new ProviderLimits({
    defaults: config.rateLimits.providerDefaults,
    providers: Object.fromEntries(config.providers.map((p) => [p.id, { rpm: p.rpm, tpm: p.tpm }])),
  });
  const proxyDeps = { router, upstream, cooldowns: deps.cooldowns, routing: { retries, retryJitterMs, sessionAffinityHeader }, waf, validation: config.validation, quota: deps.quota, providerLimits, ...(deps.oauthTokens === undefined ? {} : { oauthTokens: deps.oauthTokens }), ...(deps.usage === undefined ? {} : { usage: deps.usage }) };
  registerOpenAIRoutes(proxy, proxyDeps);
  registerAnthropicRoutes(proxy, proxyDeps);
  registerGeminiRoutes(proxy, proxyDeps);
  const side = buildSideListeners(parts, metrics, health);
  return {
    proxy,
    maintenance,
    router,
    side,
    ...(httpsProxy === undefined ? {} : { proxyTlsServer: httpsProxy.server }),
    async close() {
      await proxy.close();
      await side.close();
      await upstream.close();
    },
  };
}
