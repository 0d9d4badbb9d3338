import type { Driver, Target } from '@paved/driver-api';
import type { SecretStore } from '@paved/secrets';
import type { Store } from '@paved/store';
import { AuthorizedAuditService } from './audit/authorized.js';
import type { AuditChain } from './audit/chain.js';
import { createAuditLog } from './audit/log.js';
import { DefaultAuditService, type AuditService } from './audit/service.js';
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
import { AuthorizedOidcService } from './identity/oidc/authorized.js';
import { DefaultOidcService, type OidcService } from './identity/oidc/service.js';
import type { OidcSettings } from './identity/oidc/settings.js';
import { AuthorizedInstanceService } from './instances/authorized.js';
import { DefaultInstanceService, type InstanceService } from './instances/service.js';
import { AuthorizedLogService } from './logs/authorized.js';
import { DefaultLogService, type LogService } from './logs/service.js';
import { AuthorizedProductService } from './products/authorized.js';
import { AuthorizedProductEvolutionService } from './product-evolution/authorized.js';
import { DeprecationAwareInstanceService } from './product-evolution/deprecation-aware-instances.js';
import { HoldAwareInstanceService } from './rollouts/hold-aware-instances.js';
import { DefaultProductEvolutionService, type ProductEvolutionService } from './product-evolution/service.js';
import { DefaultProductService, type ProductService } from './products/service.js';
import { DefaultTemplateService, type TemplateService } from './templates/service.js';
import { AuthorizedDeliveryService } from './delivery/authorized.js';
import { DeliveryInbox } from './delivery/inbox.js';
import { DefaultDeliveryService, type DeliveryService } from './delivery/service.js';
import { DEFAULT_DELIVERY_SETTINGS, deliveryRules, type DeliverySettings } from './delivery/settings.js';
import { WebhookSecrets } from './delivery/webhook-secrets.js';
import { AuthorizedDoraService } from './metrics/dora/authorized.js';
import { DefaultDoraService, type DoraService } from './metrics/dora/service.js';
import { AuthorizedWorkloadService } from './workloads/authorized.js';
import { DefaultWorkloadService, type WorkloadService } from './workloads/service.js';
import { AuthorizedFeedbackService } from './feedback/authorized.js';
import { DefaultFeedbackService, type FeedbackService } from './feedback/service.js';
import { AuthorizedAdoptionService } from './metrics/adoption/authorized.js';
import { DefaultAdoptionService, type AdoptionService } from './metrics/adoption/service.js';
import { AuthorizedInterventionService } from './metrics/interventions/authorized.js';
import { DefaultInterventionService, type InterventionService } from './metrics/interventions/service.js';
import { AuthorizedRolloutService } from './rollouts/authorized.js';
import { DefaultRolloutService, type RolloutService } from './rollouts/service.js';
import { AuthorizedProductMeasuresService } from './metrics/products/authorized.js';
import { AuthorizedPolicyService } from './policies/authorized.js';
import { PolicyGate } from './policies/gate.js';
import { DefaultPolicyService, type PolicyService } from './policies/service.js';
import { AuthorizedApprovalService } from './approvals/authorized.js';
import { DefaultApprovalService, type ApprovalService } from './approvals/service.js';
import { HistoryService } from './provenance/service.js';
import { DefaultProductMeasuresService, type ProductMeasuresService } from './metrics/products/service.js';
import { AuthorizedTargetService } from './targets/authorized.js';
import { DefaultTargetService, type TargetService } from './targets/service.js';

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
  /** A pass of the webhook inbox's drainer failed (the store unreachable, say); it runs again on the next delivery or poll. */
  onInboxError?: (error: unknown) => void;
  /** The clock of time checks (token expiry) and of the measures' windows. Default Date.now. */
  now?: () => number;
  /** Sign-in with an identity provider (PAVED_OIDC_*); absent: off. */
  oidc?: OidcSettings;
  /** The audit chain (docs/audit.md): read by the audit capability, appended to by identity. */
  auditChain: AuditChain;
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
  productEvolution: ProductEvolutionService;
  instances: InstanceService;
  workloads: WorkloadService;
  logs: LogService;
  backstage: BackstageService;
  templates: TemplateService;
  oidc: OidcService;
  audit: AuditService;
  productMeasures: ProductMeasuresService;
  adoption: AdoptionService;
  interventions: InterventionService;
  feedback: FeedbackService;
  delivery: DeliveryService;
  /** Webhook deliveries accepted and waiting to be applied; buildApp starts and stops its drainer. */
  deliveryInbox: DeliveryInbox;
  dora: DoraService;
  rollouts: RolloutService;
  policies: PolicyService;
  approvals: ApprovalService;
  history: HistoryService;
  targets: TargetService;
}

/**
 * Builds each capability's service and wraps it in its authorization (`authorized.ts` beside
 * it): the routes only ever see the wrapped one.
 */
export function createServices(deps: ServicesDeps): Services {
  const { store, secrets, targets, auditChain } = deps;
  const now = deps.now ?? Date.now;
  const measured = { store, now };
  const gate = new PolicyGate(store);
  const instances = new AuthorizedInstanceService(
    new HoldAwareInstanceService(new DeprecationAwareInstanceService(new DefaultInstanceService({ store, secrets, targets, drivers: deps.drivers, gate }), { store, now }), store),
    store,
  );
  const interventions = new DefaultInterventionService(measured);
  return {
    identity: new AuthorizedIdentityService(new DefaultIdentityService({ store, audit: createAuditLog(auditChain), now })),
    teams: new AuthorizedTeamService(new DefaultTeamService(store), store),
    services: new AuthorizedServiceCatalog(new DefaultServiceCatalog(store), store),
    environments: new AuthorizedEnvironmentService(new DefaultEnvironmentService(store)),
    products: new AuthorizedProductService(new DefaultProductService({ store, driverNames: Object.keys(deps.drivers), driverChecks: checksByDriver(deps.drivers) }), store),
    productEvolution: new AuthorizedProductEvolutionService(new DefaultProductEvolutionService({ store, now }), store),
    instances,
    workloads: new AuthorizedWorkloadService(new DefaultWorkloadService({ store, targets, now, gate }), store),
    logs: new AuthorizedLogService(new DefaultLogService({ store }), store),
    backstage: new AuthorizedBackstageService(new DefaultBackstageService(store)),
    oidc: new AuthorizedOidcService(new DefaultOidcService({ store, audit: createAuditLog(auditChain), ...(deps.oidc ? { settings: deps.oidc } : {}), ...(deps.now ? { now: deps.now } : {}) })),
    templates: new DefaultTemplateService({ dir: deps.templatesDir, ...(deps.onTemplateProblem ? { onProblem: deps.onTemplateProblem } : {}) }),
    audit: new AuthorizedAuditService(new DefaultAuditService({ store, chain: auditChain, now }), store),
    productMeasures: new AuthorizedProductMeasuresService(new DefaultProductMeasuresService(measured), store),
    adoption: new AuthorizedAdoptionService(new DefaultAdoptionService(measured), store),
    interventions: new AuthorizedInterventionService(interventions, store),
    policies: new AuthorizedPolicyService(new DefaultPolicyService(store), store),
    // Deciding is authorized by the approval service; the intervention is recorded as the approver.
    approvals: new AuthorizedApprovalService(new DefaultApprovalService({ store, interventions }), store),
    history: new HistoryService({ store, instances }),
    feedback: new AuthorizedFeedbackService(new DefaultFeedbackService(measured), store),
    ...deliveryServices(deps),
    rollouts: new AuthorizedRolloutService(new DefaultRolloutService(store, gate), store),
    targets: new AuthorizedTargetService(new DefaultTargetService({ targets, drivers: deps.drivers })),
  };
}

function deliveryServices(deps: ServicesDeps): Pick<Services, 'delivery' | 'deliveryInbox' | 'dora'> {
  const { store } = deps;
  const now = deps.now ?? Date.now;
  const settings = deps.delivery?.settings ?? DEFAULT_DELIVERY_SETTINGS;
  const fromEnvironment = {
    ...(deps.delivery?.githubWebhookSecret ? { github: deps.delivery.githubWebhookSecret } : {}),
    ...(deps.delivery?.gitlabWebhookToken ? { gitlab: deps.delivery.gitlabWebhookToken } : {}),
  };
  const secrets = new WebhookSecrets(deps.secrets, fromEnvironment, now);
  const rules = deliveryRules(settings);
  const inbox = new DeliveryInbox({ store, rules, ...(deps.onInboxError ? { onError: deps.onInboxError } : {}) });
  return {
    delivery: new AuthorizedDeliveryService(new DefaultDeliveryService({ store, rules, secrets, inbox, now }), store),
    deliveryInbox: inbox,
    // Read-your-writes: every delivery accepted before the read is applied before it.
    dora: new AuthorizedDoraService(new DefaultDoraService({ store, timeZone: settings.timeZone, settle: () => inbox.settle() }), store),
  };
}

function checksByDriver(drivers: Readonly<Record<string, Driver>>): Record<string, string[]> {
  return Object.fromEntries(Object.entries(drivers).map(([name, driver]) => [name, (driver.checks ?? []).map((check) => check.name)]));
}
