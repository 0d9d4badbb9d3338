import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Driver, Target } from '@paved/driver-api';
import type { SecretStore } from '@paved/secrets';
import type { Store } from '@paved/store';
import { createServices } from './services.js';
import { AuditChain, type AuditSigner } from './audit/chain.js';
import { operationRecorder, recordRequests, streamedRecorder } from './audit/recorder.js';
import { auditRoutes } from './audit/routes.js';
import { bearerAuth, reauthenticator } from './http/auth.js';
import { readsAsOneQuestion } from './http/one-question.js';
import { isLoggerInstance, lazyRequestLogger, loggerOptions, logRequest } from './http/logging.js';
import { DEFAULT_RATE_LIMITS, rateLimits, type RateLimits } from './http/rate-limits.js';
import { securityHeaders } from './http/security-headers.js';
import { DEFAULT_STREAMS_PER_USER, StreamSlots } from './http/stream-slots.js';
import { handleError, handleFrameworkError, handleRouteNotFound } from './http/problems.js';
import { refuseNulInUrl, useGuardedJsonParser } from './http/input-guards.js';
import { lazySerializerFactory, lazyValidatorCompiler } from './http/lazy-compilers.js';
import { backstageRoutes } from './backstage/routes.js';
import { callbackRoutes } from './callbacks/routes.js';
import { environmentRoutes } from './catalog/environments/routes.js';
import { serviceRoutes } from './catalog/services/routes.js';
import { teamRoutes } from './catalog/teams/routes.js';
import { healthRoutes } from './health/routes.js';
import { userRoutes } from './identity/routes.js';
import { SessionCookies } from './identity/oidc/cookies.js';
import { oidcRoutes, sessionRoutes } from './identity/oidc/routes.js';
import type { OidcSettings } from './identity/oidc/settings.js';
import { instanceRoutes } from './instances/routes.js';
import { logRoutes } from './logs/routes.js';
import { productRoutes } from './products/routes.js';
import { productEvolutionRoutes } from './product-evolution/routes.js';
import { templateRoutes } from './templates/routes.js';
import { workloadRoutes } from './workloads/routes.js';
import { feedbackRoutes } from './feedback/routes.js';
import { adoptionRoutes } from './metrics/adoption/routes.js';
import { interventionRoutes } from './metrics/interventions/routes.js';
import { productMeasuresRoutes } from './metrics/products/routes.js';
import { countHttpRequests } from './metrics/prometheus/http-metrics.js';
import type { PlatformMetrics } from './metrics/prometheus/platform-metrics.js';
import { deliveryRoutes, webhookRoutes } from './delivery/routes.js';
import { DEFAULT_DELIVERY_SETTINGS, deliveryRules } from './delivery/settings.js';
import { doraRoutes } from './metrics/dora/routes.js';
import { rolloutRoutes } from './rollouts/routes.js';
import { policyRoutes } from './policies/routes.js';
import { approvalRoutes } from './approvals/routes.js';
import { historyRoutes } from './provenance/routes.js';
import { portalRoutes } from './portal/routes.js';
import { targetRoutes } from './targets/routes.js';
import type { DeliveryConfig } from './services.js';

export interface AppDeps {
  store: Store;
  secrets: SecretStore;
  targets: Target[];
  drivers: Record<string, Driver>;
  /**
   * Logger options (Fastify builds a pino logger with the Authorization header redacted), or
   * the process's own pino logger, used as it is; false or absent: no request logs.
   */
  logger?: FastifyServerOptions['logger'] | FastifyBaseLogger | false;
  /** Paved's version, reported by /healthz and the OpenAPI document. */
  version: string;
  /** Largest accepted request body in bytes. Default 1 MiB. */
  bodyLimit?: number;
  /** Golden-path templates folder (PAVED_TEMPLATES_DIR); absent: no templates are offered. */
  templatesDir?: string;
  /** Period of the `: keepalive` comment on idle watch streams. Default 15 s. */
  watchKeepaliveMs?: number;
  /** The clock of time checks (token expiry); tests pass a fake. Default Date.now. */
  now?: () => number;
  /** Sign-in with an identity provider (docs/sign-in.md); absent: off, API tokens only. */
  oidc?: OidcSettings;
  /** Signs the audit log (createAuditSigner(master key)): docs/audit.md. */
  auditSigner: AuditSigner;
  /**
   * Whom to believe about the client address (X-Forwarded-For), as Fastify's trustProxy: false
   * (default: the connection's address), true, a number of hops, or addresses/CIDRs.
   */
  trustProxy?: boolean | number | string;
  /** Requests per token, failed sign-ins and sign-ins started per address (PAVED_RATE_LIMIT, PAVED_AUTH_FAILURE_LIMIT, PAVED_SIGN_IN_START_LIMIT). */
  rateLimits?: Partial<RateLimits>;
  /** Open watch and log-follow streams per user (PAVED_STREAMS_PER_USER). Default 20. */
  streamsPerUser?: number;
  /** Certificate and key (PEM): the API is served over HTTPS, with HSTS. Absent: plain HTTP. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** This process's Prometheus metrics: every answered request is counted there. Absent: not counted. */
  metrics?: PlatformMetrics;
  /** Delivery events and DORA metrics: patterns, time zone, webhook secrets (docs/metrics/dora.md). */
  delivery?: DeliveryConfig;
  /** The web portal's built files (packages/portal/dist); absent: no portal, the API only. */
  portalDir?: string;
}

export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/**
 * The HTTP API as a tree of encapsulated plugins, one per capability, over the domain services
 * (docs/architecture.md#the-server): public health and OpenAPI routes at the root, every other
 * /api/v1 route behind the bearer hook. Building is separate from listening, so tests use
 * `app.inject()`. This module knows the capabilities, never a concrete driver: those arrive in
 * `deps.drivers` from the composition root (@paved/platform).
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    ...(isLoggerInstance(deps.logger) ? { loggerInstance: deps.logger } : { logger: loggerOptions(deps.logger) }),
    ...(deps.tls ? { https: { cert: deps.tls.cert, key: deps.tls.key } } : {}),
    bodyLimit: deps.bodyLimit ?? DEFAULT_BODY_LIMIT,
    // Request ids (which tie a 500 to its log line) are ours, never taken from a caller's header,
    // and unique across processes and restarts: audit records of one request share it.
    requestIdHeader: false,
    genReqId: () => randomUUID(),
    trustProxy: typeof deps.trustProxy === 'number' ? hopsOf(deps.trustProxy) : deps.trustProxy ?? false,
    // Fastify would log each URL with its query string, where a client may have put a token: logRequest logs the path.
    logController: new LogController({ disableRequestLogging: true }),
    // A request's child logger is made when it writes a line, not for every request.
    ...(deps.logger ? { childLoggerFactory: lazyRequestLogger } : {}),
    frameworkErrors: handleFrameworkError,
    schemaController: { compilersFactory: { buildSerializer: lazySerializerFactory() } },
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as FastifyInstance;

  app.addHook('onResponse', logRequest);
  await securityHeaders(app, { tls: deps.tls !== undefined });
  const limiters = rateLimits({ ...DEFAULT_RATE_LIMITS, ...deps.rateLimits });
  const slots = new StreamSlots(deps.streamsPerUser ?? DEFAULT_STREAMS_PER_USER);
  app.setValidatorCompiler(lazyValidatorCompiler);
  app.setErrorHandler(handleError);
  app.setNotFoundHandler(handleRouteNotFound);
  // JSON only: a text/plain body is refused (415) rather than validated as a string.
  app.removeContentTypeParser(['text/plain']);
  // A body nested too deep, or a NUL character anywhere, is refused before any validator sees it.
  useGuardedJsonParser(app);
  app.addHook('preValidation', refuseNulInUrl);
  app.decorateRequest('principal', null);
  if (deps.metrics) countHttpRequests(app as unknown as FastifyInstance, deps.metrics);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Paved API',
        version: deps.version,
        description: 'Self-service infrastructure products. Errors are RFC 9457 problems (application/problem+json) with a stable `code`; see docs/errors.md.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API token: pvd_…' } } },
      security: [{ bearer: [] }],
      tags: ['health', 'users', 'teams', 'products', 'instances', 'events', 'templates', 'backstage', 'logs', 'environments', 'services', 'workloads', 'callbacks', 'sign-in', 'audit', 'webhooks', 'delivery', 'metrics', 'feedback', 'rollouts', 'policies', 'approvals', 'targets'].map((name) => ({ name })),
    },
  });

  const now = deps.now ?? Date.now;
  const auditChain = new AuditChain(deps.store, deps.auditSigner, now);
  const services = createServices({
    ...deps, auditChain,
    onTemplateProblem: (problem) => app.log.warn({ problem }, 'template skipped'),
    onInboxError: (error) => app.log.error({ err: error }, 'webhook inbox: queued deliveries not applied (a failed pass is retried on the next delivery or poll; a failed delivery keeps its error)'),
  });
  // Facts derived with other patterns (production environments, incident labels) are re-derived before any is served.
  await deps.store.applyDeliveryRules(deliveryRules(deps.delivery?.settings ?? DEFAULT_DELIVERY_SETTINGS));
  // Webhook deliveries accepted and not yet applied (this process's or one that stopped) are applied in the background.
  services.deliveryInbox.start();
  app.addHook('onClose', async () => services.deliveryInbox.stop());
  readsAsOneQuestion(app as unknown as FastifyInstance, deps.store);
  // Before any route: changes are recorded.
  recordRequests(app as unknown as FastifyInstance, { chain: auditChain, now });

  await app.register(healthRoutes, { store: deps.store, version: deps.version });
  // Signed by the driver's automation, not by a bearer token.
  await app.register(callbackRoutes, { prefix: '/api/v1', store: deps.store, targets: deps.targets, drivers: deps.drivers });
  // Signed by GitHub or GitLab, not by a bearer token.
  await app.register(webhookRoutes, { prefix: '/api/v1', services });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  if (deps.portalDir) await app.register(portalRoutes, { dir: deps.portalDir });
  // Signing in authenticates the person through the identity provider, not a bearer token.
  const cookies = new SessionCookies(deps.oidc?.redirectUri);
  await app.register(oidcRoutes, { prefix: '/api/v1/auth/oidc', services, cookies, signInStart: limiters.signInStart });

  // The streaming routes share one count of each user's open streams.
  const streaming = { slots, ...(deps.watchKeepaliveMs ? { keepaliveMs: deps.watchKeepaliveMs } : {}) };
  await app.register(async (v1) => {
    v1.addHook('onRequest', bearerAuth(services.identity, limiters.authFailures, cookies));
    // After authentication: the limit is per token.
    v1.addHook('onRequest', limiters.perToken);
    await v1.register(userRoutes, { services });
    await v1.register(sessionRoutes, { services, cookies });
    await v1.register(teamRoutes, { services });
    await v1.register(environmentRoutes, { services });
    await v1.register(serviceRoutes, { services });
    await v1.register(productRoutes, { services });
    await v1.register(productEvolutionRoutes, { services });
    const reauthenticate = reauthenticator(services.identity, cookies);
    await v1.register(instanceRoutes, { services, ...streaming, reauthenticate, record: operationRecorder(auditChain), recordStreamed: streamedRecorder(auditChain) });
    await v1.register(workloadRoutes, { services });
    await v1.register(logRoutes, { services, ...streaming, reauthenticate });
    await v1.register(templateRoutes, { services });
    await v1.register(backstageRoutes, { services });
    await v1.register(auditRoutes, { services });
    await v1.register(productMeasuresRoutes, { services });
    await v1.register(adoptionRoutes, { services });
    await v1.register(interventionRoutes, { services });
    await v1.register(feedbackRoutes, { services });
    await v1.register(deliveryRoutes, { services });
    await v1.register(doraRoutes, { services });
    await v1.register(rolloutRoutes, { services });
    await v1.register(policyRoutes, { services });
    await v1.register(approvalRoutes, { services });
    await v1.register(historyRoutes, { services });
    await v1.register(targetRoutes, { services });
  }, { prefix: '/api/v1' });

  await app.ready();
  return app;
}

/** trustProxy as a number of hops (Fastify takes it at run time, its types do not). */
function hopsOf(hops: number): (address: string, hop: number) => boolean {
  return (_address, hop) => hop < hops;
}
