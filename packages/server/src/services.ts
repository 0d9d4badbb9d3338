import type { Driver, Target } from '@paved/driver-api';
import type { SecretStore } from '@paved/secrets';
import type { Store } from '@paved/store';
import { AuthorizedBackstageService } from './backstage/authorized.js';
import { DefaultBackstageService, type BackstageService } from './backstage/service.js';
import { AuthorizedEnvironmentService } from './catalog/environments/authorized.js';
import { DefaultEnvironmentService, type EnvironmentService } from './catalog/environments/service.js';
import { AuthorizedServiceCatalog } from './catalog/services/authorized.js';
import { DefaultServiceCatalog, type ServiceCatalog } from './catalog/services/service.js';
import { AuthorizedTeamService } from './catalog/teams/authorized.js';
import { DefaultTeamService, type TeamService } from './catalog/teams/service.js';
import { AuthorizedIdentityService } from './identity/authorized.js';
import { DefaultIdentityService, type IdentityService } from './identity/service.js';
import { AuthorizedInstanceService } from './instances/authorized.js';
import { DefaultInstanceService, type InstanceService } from './instances/service.js';
import { AuthorizedLogService } from './logs/authorized.js';
import { DefaultLogService, type LogService } from './logs/service.js';
import { AuthorizedProductService } from './products/authorized.js';
import { DefaultProductService, type ProductService } from './products/service.js';
import { DefaultTemplateService, type TemplateService } from './templates/service.js';
import { AuthorizedDeliveryService } from './delivery/authorized.js';
import { DefaultDeliveryService, type DeliveryService } from './delivery/service.js';
import { DEFAULT_DELIVERY_SETTINGS, deliveryRules, type DeliverySettings } from './delivery/settings.js';
import { WebhookSecrets } from './delivery/webhook-secrets.js';
import { AuthorizedDoraService } from './metrics/dora/authorized.js';
import { DefaultDoraService, type DoraService } from './metrics/dora/service.js';
import { AuthorizedWorkloadService } from './workloads/authorized.js';
import { DefaultWorkloadService, type WorkloadService } from './workloads/service.js';

export interface ServicesDeps {
  store: Store;
  secrets: SecretStore;
  targets: readonly Target[];
  /**
   * The drivers this platform runs: a product must name one of them and only checks it offers,
   * and `rotate` is refused up front for a driver that cannot rotate.
   */
  drivers: Readonly<Record<string, Driver>>;
  /** Golden-path templates folder (PAVED_TEMPLATES_DIR); absent: no templates are offered. */
  templatesDir?: string;
  /** Told once about each template that fails to load (the API logs it as a warning). */
  onTemplateProblem?: (problem: string) => void;
  /** The clock of time checks (token expiry). Default Date.now. */
  now?: () => number;
  /** Delivery events and DORA metrics (docs/metrics/dora.md): patterns, time zone, webhook secrets from the environment. */
  delivery?: DeliveryConfig;
}

export interface DeliveryConfig {
  settings?: DeliverySettings;
  /** PAVED_GITHUB_WEBHOOK_SECRET: used until a platform admin sets one at runtime. */
  githubWebhookSecret?: string;
  /** PAVED_GITLAB_WEBHOOK_TOKEN: likewise. */
  gitlabWebhookToken?: string;
}

/** Every capability's service, authorization applied: what the routes call. */
export interface Services {
  identity: IdentityService;
  teams: TeamService;
  services: ServiceCatalog;
  environments: EnvironmentService;
  products: ProductService;
  instances: InstanceService;
  workloads: WorkloadService;
  logs: LogService;
  backstage: BackstageService;
  templates: TemplateService;
  delivery: DeliveryService;
  dora: DoraService;
}

/**
 * Builds each capability's service and wraps it in its authorization (`authorized.ts` beside
 * it): the routes only ever see the wrapped one.
 */
export function createServices(deps: ServicesDeps): Services {
  const { store, secrets, targets } = deps;
  return {
    identity: new AuthorizedIdentityService(new DefaultIdentityService({ store, ...(deps.now ? { now: deps.now } : {}) })),
    teams: new AuthorizedTeamService(new DefaultTeamService(store), store),
    services: new AuthorizedServiceCatalog(new DefaultServiceCatalog(store), store),
    environments: new AuthorizedEnvironmentService(new DefaultEnvironmentService(store)),
    products: new AuthorizedProductService(new DefaultProductService({ store, driverNames: Object.keys(deps.drivers), driverChecks: checksByDriver(deps.drivers) }), store),
    instances: new AuthorizedInstanceService(new DefaultInstanceService({ store, secrets, targets, drivers: deps.drivers }), store),
    workloads: new AuthorizedWorkloadService(new DefaultWorkloadService({ store, targets }), store),
    logs: new AuthorizedLogService(new DefaultLogService({ store }), store),
    backstage: new AuthorizedBackstageService(new DefaultBackstageService(store)),
    templates: new DefaultTemplateService({ dir: deps.templatesDir, ...(deps.onTemplateProblem ? { onProblem: deps.onTemplateProblem } : {}) }),
    ...deliveryServices(deps),
  };
}

function deliveryServices(deps: ServicesDeps): Pick<Services, 'delivery' | 'dora'> {
  const { store } = deps;
  const now = deps.now ?? Date.now;
  const settings = deps.delivery?.settings ?? DEFAULT_DELIVERY_SETTINGS;
  const fromEnvironment = {
    ...(deps.delivery?.githubWebhookSecret ? { github: deps.delivery.githubWebhookSecret } : {}),
    ...(deps.delivery?.gitlabWebhookToken ? { gitlab: deps.delivery.gitlabWebhookToken } : {}),
  };
  const secrets = new WebhookSecrets(deps.secrets, fromEnvironment, now);
  return {
    delivery: new AuthorizedDeliveryService(new DefaultDeliveryService({ store, rules: deliveryRules(settings), secrets, now }), store),
    dora: new AuthorizedDoraService(new DefaultDoraService({ store, timeZone: settings.timeZone }), store),
  };
}

function checksByDriver(drivers: Readonly<Record<string, Driver>>): Record<string, string[]> {
  return Object.fromEntries(Object.entries(drivers).map(([name, driver]) => [name, (driver.checks ?? []).map((check) => check.name)]));
}
