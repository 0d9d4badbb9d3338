export { createServices, type Services, type ServicesDeps } from './services.js';
export { can, roleIn, teamFor, findTeam, type Principal, type TeamAccess } from './principal.js';
export { generateToken, hashToken, isWellFormedToken, TOKEN_PREFIX } from './tokens.js';
export { DefaultIdentityService, type IdentityService } from './identity-service.js';
export { AuthorizedIdentityService } from './authorized-identity-service.js';
export { DefaultTeamService, type TeamService } from './team-service.js';
export { AuthorizedTeamService } from './authorized-team-service.js';
export { DefaultCatalogService, summarize, type CatalogService, type CatalogDeps } from './catalog-service.js';
export { AuthorizedCatalogService } from './authorized-catalog-service.js';
export {
  DefaultInstanceService, type InstanceService, type InstanceServiceDeps, type InstanceWatchEvent, type PageRequest,
} from './instance-service.js';
export { AuthorizedInstanceService } from './authorized-instance-service.js';
export { selectTarget } from './target-selection.js';
export { DefaultTemplateService, type TemplateService, type TemplateServiceDeps } from './templates-service.js';
export { DefaultLogService, type LogService, type LogServiceDeps, type LogStreamName } from './logs-service.js';
export { AuthorizedLogService } from './logs-authorized-service.js';
export { pruneExpiredLogs, startLogRetention, DEFAULT_LOG_RETENTION_MS, LOG_PRUNE_INTERVAL_MS, type PruneResult } from './logs-retention.js';
export { AuthorizedBackstageService, DefaultBackstageService, type BackstageService } from './backstage-service.js';
export { planBackstageImport, type ImportPlan } from './backstage-import-plan.js';
export { exportBackstageEntities } from './backstage-export.js';
export { ServiceCatalogService, serviceNotFound } from './catalog-services.js';
export { EnvironmentService, findEnvironment } from './environments.js';
export { WorkloadService, type ApplyWorkload, type WorkloadServiceDeps } from './workloads.js';
export { planWorkload, type DesiredInstance, type PlannedWorkload, type WorkloadPlanInput } from './workload-planner.js';
