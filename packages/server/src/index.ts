/**
 * @paved/server: the HTTP API and the domain services behind it, one folder per capability
 * (README.md). It receives its store, secrets, targets and drivers from the composition root
 * (@paved/platform) and knows no concrete driver.
 */
export { buildApp, DEFAULT_BODY_LIMIT, type AppDeps } from './app.js';
export { createServices, type Services, type ServicesDeps } from './services.js';
export { rolloutPolicyCheck } from './rollouts/upgrade-policies.js';
export { can, findTeam, roleIn, teamFor, type Principal, type TeamAccess } from './access/principal.js';
export { generateToken, hashToken, isWellFormedToken, TOKEN_PREFIX } from './identity/tokens.js';
export { issueToken, DefaultIdentityService, TOKEN_DEFAULT_DAYS, TOKEN_MAX_DAYS } from './identity/service.js';
export { startLogRetention, pruneExpiredLogs, DEFAULT_LOG_RETENTION_MS, LOG_PRUNE_INTERVAL_MS, type PruneResult } from './logs/retention.js';
export { PROBLEM_CONTENT_TYPE, PROBLEM_TYPE_BASE, problemParts, toProblem } from './http/problems.js';
export { isLoggerInstance, loggerOptions } from './http/logging.js';
export {
  DEFAULT_GROUP_PATTERN, DEFAULT_SESSION_TTL_MS, MAX_SESSION_TTL_MS, isLoopbackUrl, parseGroupPattern, type OidcSettings,
} from './identity/oidc/settings.js';
export { AuditChain, createAuditSigner, type AuditSigner } from './audit/chain.js';
export { createAuditLog, type AuditLog, type AuditLogEntry } from './audit/log.js';
export { startAuditCheckpoints, AUDIT_CHECKPOINT_INTERVAL_MS } from './audit/checkpoints.js';
// The Prometheus registry and its endpoint are @paved/server/prometheus, loaded only where
// metrics are configured: prom-client is ~100 KB of source an idle `paved up` need not hold.
export type { PlatformMetrics, PlatformMetricsOptions } from './metrics/prometheus/platform-metrics.js';
export type { MetricsEndpoint } from './metrics/prometheus/endpoint.js';
export { compilePattern, isTimeZone, DEFAULT_DELIVERY_SETTINGS, type DeliverySettings } from './delivery/settings.js';
export type { DeliveryConfig } from './services.js';
