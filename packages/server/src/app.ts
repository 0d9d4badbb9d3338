import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import { TypeBoxValidatorCompiler, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Driver, Target } from '@paved/driver-api';
import type { SecretStore } from '@paved/secrets';
import type { Store } from '@paved/store';
import { createServices } from './services.js';
import { bearerAuth } from './http/auth.js';
import { isLoggerInstance, loggerOptions } from './http/logging.js';
import { handleError, handleRouteNotFound } from './http/problems.js';
import { backstageRoutes } from './backstage/routes.js';
import { callbackRoutes } from './callbacks/routes.js';
import { environmentRoutes } from './catalog/environments/routes.js';
import { serviceRoutes } from './catalog/services/routes.js';
import { teamRoutes } from './catalog/teams/routes.js';
import { healthRoutes } from './health/routes.js';
import { userRoutes } from './identity/routes.js';
import { instanceRoutes } from './instances/routes.js';
import { logRoutes } from './logs/routes.js';
import { productRoutes } from './products/routes.js';
import { templateRoutes } from './templates/routes.js';
import { workloadRoutes } from './workloads/routes.js';
import { deliveryRoutes, webhookRoutes } from './delivery/routes.js';
import { DEFAULT_DELIVERY_SETTINGS, deliveryRules } from './delivery/settings.js';
import { doraRoutes } from './metrics/dora/routes.js';
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
  /** Delivery events and DORA metrics: patterns, time zone, webhook secrets (docs/metrics/dora.md). */
  delivery?: DeliveryConfig;
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
    bodyLimit: deps.bodyLimit ?? DEFAULT_BODY_LIMIT,
    // Request ids (which tie a 500 to its log line) are ours, never taken from a caller's header.
    requestIdHeader: false,
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  app.setErrorHandler(handleError);
  app.setNotFoundHandler(handleRouteNotFound);
  // JSON only: a text/plain body is refused (415) rather than validated as a string.
  app.removeContentTypeParser(['text/plain']);
  app.decorateRequest('principal', null);

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
      tags: ['health', 'users', 'teams', 'products', 'instances', 'events', 'templates', 'backstage', 'logs', 'environments', 'services', 'workloads', 'callbacks', 'webhooks', 'delivery', 'metrics'].map((name) => ({ name })),
    },
  });

  const services = createServices({ ...deps, onTemplateProblem: (problem) => app.log.warn({ problem }, 'template skipped') });
  // Facts derived with other patterns (production environments, incident labels) are re-derived before any is served.
  await deps.store.applyDeliveryRules(deliveryRules(deps.delivery?.settings ?? DEFAULT_DELIVERY_SETTINGS));

  await app.register(healthRoutes, { store: deps.store, version: deps.version });
  // Signed by the driver's automation, not by a bearer token.
  await app.register(callbackRoutes, { prefix: '/api/v1', store: deps.store, targets: deps.targets, drivers: deps.drivers });
  // Signed by GitHub or GitLab, not by a bearer token.
  await app.register(webhookRoutes, { prefix: '/api/v1', services });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  const keepalive = deps.watchKeepaliveMs ? { keepaliveMs: deps.watchKeepaliveMs } : {};
  await app.register(async (v1) => {
    v1.addHook('onRequest', bearerAuth(services.identity));
    await v1.register(userRoutes, { services });
    await v1.register(teamRoutes, { services });
    await v1.register(environmentRoutes, { services });
    await v1.register(serviceRoutes, { services });
    await v1.register(productRoutes, { services });
    await v1.register(instanceRoutes, { services, ...keepalive });
    await v1.register(workloadRoutes, { services });
    await v1.register(logRoutes, { services, ...keepalive });
    await v1.register(templateRoutes, { services });
    await v1.register(backstageRoutes, { services });
    await v1.register(deliveryRoutes, { services });
    await v1.register(doraRoutes, { services });
  }, { prefix: '/api/v1' });

  await app.ready();
  return app as unknown as FastifyInstance;
}
