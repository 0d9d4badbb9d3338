import type { Driver, Target } from '@paved/driver-api';
import type { SecretStore } from '@paved/secrets';
import type { Store } from '@paved/store';
import { AuthorizedCatalogService } from './authorized-catalog-service.js';
import { AuthorizedIdentityService } from './authorized-identity-service.js';
import { AuthorizedInstanceService } from './authorized-instance-service.js';
import { AuthorizedTeamService } from './authorized-team-service.js';
import { DefaultCatalogService, type CatalogService } from './catalog-service.js';
import { DefaultIdentityService, type IdentityService } from './identity-service.js';
import { DefaultInstanceService, type InstanceService } from './instance-service.js';
import { DefaultTeamService, type TeamService } from './team-service.js';
import { ServiceCatalogService } from './catalog-services.js';
import { EnvironmentService } from './environments.js';
import { WorkloadService } from './workloads.js';
import { AuthorizedBackstageService, DefaultBackstageService, type BackstageService } from './backstage-service.js';
import { AuthorizedLogService } from './logs-authorized-service.js';
import { DefaultLogService, type LogService } from './logs-service.js';
import { DefaultTemplateService, type TemplateService } from './templates-service.js';
import { defaultTemplatesDir } from '../config.js';

export interface ServicesDeps {
  store: Store;
  secrets: SecretStore;
  targets: readonly Target[];
  /**
   * The drivers this platform runs: a product must name one of them and only checks it offers,
   * and `rotate` is refused up front for a driver that cannot rotate.
   */
  drivers: Readonly<Record<string, Driver>>;
  /** Golden-path templates folder (PAVED_TEMPLATES_DIR); default: this repository's templates/. */
  templatesDir?: string;
  /** Told once about each template that fails to load (the API logs it as a warning). */
  onTemplateProblem?: (problem: string) => void;
}

export interface Services {
  identity: IdentityService;
  teams: TeamService;
  catalog: CatalogService;
  instances: InstanceService;
  templates: TemplateService;
  services: ServiceCatalogService;
  environments: EnvironmentService;
  workloads: WorkloadService;
  backstage: BackstageService;
  logs: LogService;
}

/** The domain services with authorization applied, as the API uses them. */
export function createServices(deps: ServicesDeps): Services {
  const { store, secrets, targets } = deps;
  return {
    identity: new AuthorizedIdentityService(new DefaultIdentityService(store)),
    teams: new AuthorizedTeamService(new DefaultTeamService(store), store),
    catalog: new AuthorizedCatalogService(new DefaultCatalogService({ store, driverNames: Object.keys(deps.drivers), driverChecks: checksByDriver(deps.drivers) }), store),
    instances: new AuthorizedInstanceService(new DefaultInstanceService({ store, secrets, targets, drivers: deps.drivers }), store),
    services: new ServiceCatalogService(store),
    environments: new EnvironmentService(store),
    workloads: new WorkloadService({ store, targets }),
    logs: new AuthorizedLogService(new DefaultLogService({ store }), store),
    backstage: new AuthorizedBackstageService(new DefaultBackstageService(store)),
    templates: new DefaultTemplateService({ dir: deps.templatesDir ?? defaultTemplatesDir(), ...(deps.onTemplateProblem ? { onProblem: deps.onTemplateProblem } : {}) }),
  };
}

function checksByDriver(drivers: Readonly<Record<string, Driver>>): Record<string, string[]> {
  return Object.fromEntries(Object.entries(drivers).map(([name, driver]) => [name, (driver.checks ?? []).map((check) => check.name)]));
}
