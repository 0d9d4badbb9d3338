import type { PolicyDecision, QuotaCheck } from './policies/index.js';
/**
 * Services, environments and workloads (issue: Score files, plan/apply, composition, logging,
 * golden paths, Backstage). Shared by store, server, client and CLI.
 */

export type ServiceLifecycle = 'experimental' | 'production' | 'deprecated';
export const SERVICE_LIFECYCLES: readonly ServiceLifecycle[] = ['experimental', 'production', 'deprecated'];

/** A developer team's workload, in the catalog. */
export interface Service {
  id: string;
  teamId: string;
  teamName: string;
  name: string;
  description: string;
  repositoryUrl?: string;
  lifecycle: ServiceLifecycle;
  /** Backstage System it belongs to, when imported or set. */
  system?: string;
  /** Backstage component type (service, website, library…), when imported; the export writes `service` otherwise. */
  type?: string;
  createdAt: string;
  updatedAt: string;
}

/**
 * An environment (dev, staging, prod by default; platform admins add more). Each has its own
 * target selection (labels added to every product's selector when provisioning for it) and
 * policies.
 */
export interface Environment {
  name: string;
  description: string;
  /** Extra target labels required in this environment, e.g. { tier: production }. */
  targetSelector: Record<string, string>;
  policies: EnvironmentPolicies;
  /**
   * Values every service's Score `environment` resource sees here (`${resources.env.NAME}`),
   * set by platform admins; a service's own config overrides them. Not secret: anyone signed in
   * reads environments.
   */
  variables: Record<string, string>;
  createdAt: string;
}

export interface EnvironmentPolicies {
  /** When set, only these plans may be used in this environment (per product name, or '*' for all). */
  allowedPlans?: Record<string, string[]>;
  /** Products that may not be used here. */
  deniedProducts?: string[];
}

export const DEFAULT_ENVIRONMENTS: readonly { name: string; description: string }[] = [
  { name: 'dev', description: 'Development: for building and trying things out.' },
  { name: 'staging', description: 'Staging: production-like, for release checks.' },
  { name: 'prod', description: 'Production.' },
];

/** Where an instance belongs when a workload (Score file) asked for it. */
export interface InstanceWorkloadRef {
  service: string;
  environment: string;
  /** The Score resource name (or shared `id`) that asked for it. */
  resource: string;
  /** True when the Score resource had an `id`: shared between workloads, deleted only when no workload names it. */
  shared: boolean;
}

// ------------------------------------------------------------------------------------------
// Workload plan/apply

export type WorkloadChangeAction = 'create' | 'update' | 'delete' | 'unchanged';

export interface WorkloadChange {
  action: WorkloadChangeAction;
  /** Score resource name (or shared id). */
  resource: string;
  /** Instance name in the team. */
  instance: string;
  product: string;
  plan: string;
  /** Human-readable reasons for update (e.g. 'plan small → large'). */
  details: string[];
  /** For a create or update: what the policies and quotas make of it (docs/policies.md). */
  outcome?: 'allowed' | 'denied' | 'awaitingApproval';
  policies?: PolicyDecision[];
  quotas?: QuotaCheck[];
}

export interface WorkloadPlan {
  service: string;
  environment: string;
  team: string;
  changes: WorkloadChange[];
  /** True when the plan was carried out (apply), false for `paved plan`. */
  applied: boolean;
  /** One line each: what was left out and why (e.g. a baked-in product with no target). */
  notes?: string[];
}

/**
 * A service's own config values in one environment: what its Score `environment` resource
 * (`${resources.env.NAME}`) gives, over the environment's variables. Not secret.
 */
export interface WorkloadConfig {
  service: string;
  environment: string;
  values: Record<string, string>;
}

// ------------------------------------------------------------------------------------------
// Logs

export interface LogLine {
  /** Monotonic per store; used as the cursor for --follow. */
  seq: number;
  at: string;
  service: string;
  environment: string;
  stream: 'stdout' | 'stderr';
  line: string;
}

// ------------------------------------------------------------------------------------------
// Golden path templates

export interface TemplateSummary {
  name: string;
  title: string;
  description: string;
  /** Products the template's score.yaml asks for. */
  resources: string[];
}

export interface TemplateFile {
  path: string;
  content: string;
  executable?: boolean;
}
