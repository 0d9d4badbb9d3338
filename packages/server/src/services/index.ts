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
