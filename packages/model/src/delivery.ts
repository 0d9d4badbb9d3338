/**
 * Delivery events (deployments, changes, incidents) and the DORA delivery metrics computed from
 * them (docs/metrics/dora.md). Shared by the server, the API client and the CLI.
 *
 *   POST /api/v1/webhooks/github | /api/v1/webhooks/gitlab      signed deliveries (no bearer token)
 *   POST /api/v1/teams/{team}/services/{service}/deployments    RecordDeploymentRequest → DeliveryRecorded
 *   POST /api/v1/teams/{team}/services/{service}/changes        RecordChangeRequest → DeliveryRecorded
 *   POST /api/v1/teams/{team}/services/{service}/incidents      RecordIncidentRequest → DeliveryRecorded
 *   GET  /api/v1/metrics/dora?from&to[&team[&service]]          → DoraMetrics
 *   GET  /api/v1/admin/webhooks                                 → WebhookSettings[] (platform admin)
 *   PUT  /api/v1/admin/webhooks/{source}/secret  SetWebhookSecretRequest → WebhookSettings (platform admin)
 */

/** The sources that send webhooks to Paved. */
export type WebhookSource = 'github' | 'gitlab';
export const WEBHOOK_SOURCES: readonly WebhookSource[] = ['github', 'gitlab'];

/**
 * What a webhook delivery came to: queued (accepted, durably stored, applied shortly after; a
 * DORA metrics read waits for every delivery accepted before it), a redelivery of one already
 * accepted, or not a delivery event Paved uses.
 */
export interface WebhookOutcome {
  outcome: 'queued' | 'duplicate' | 'ignored';
  /** For `ignored`: why (e.g. "ping", "a deployment event alone carries no outcome"). */
  reason?: string;
}

export interface RecordDeploymentRequest {
  /** Your CI system's id for the deployment; your team recording the same id again replaces it (another team's is refused, 409). */
  id: string;
  /** Environment name; it counts as production when it matches the configured pattern (default `(?i)prod`). */
  environment: string;
  /** Default `success`. */
  status?: 'success' | 'failure';
  /** ISO 8601 with a UTC offset. Default: `finishedAt`. */
  startedAt?: string;
  /** ISO 8601 with a UTC offset. */
  finishedAt: string;
  /** The deployed commit: links the changes whose commits lie between the previous production deployment and this one. */
  commitSha?: string;
  ref?: string;
}

export interface RecordChangeRequest {
  /** Your id for the change (a pull request number, a ticket); your team recording it again replaces it. */
  id: string;
  title?: string;
  /** The commit that brought the change onto the deployed branch (a merge or squash commit). */
  commitSha?: string;
  /** When the change's first commit was authored. */
  firstCommitAt?: string;
  /** When the change was proposed (a pull request opened). */
  openedAt?: string;
  /** When it was merged. */
  mergedAt: string;
  /** The id of the deployment that shipped it (recorded with `paved events deployment`), when known. */
  deployment?: string;
}

export interface RecordIncidentRequest {
  /** Your pager's id for the incident; your team recording it again replaces it. */
  id: string;
  title?: string;
  createdAt: string;
  /** Absent while the incident is open. */
  resolvedAt?: string;
}

export interface DeliveryRecorded {
  kind: 'deployment' | 'change' | 'incident';
  id: string;
  team: string;
  service: string;
}

export interface WebhookSettings {
  source: WebhookSource;
  /** Where the secret in force comes from: set at runtime by an admin, the environment, or nowhere (every delivery is refused). */
  origin: 'runtime' | 'environment' | 'none';
  updatedAt?: string;
  /** Until when the secret in force before the last change is still accepted. */
  previousValidUntil?: string;
}

export interface SetWebhookSecretRequest {
  secret: string;
  /** Seconds the previous secret stays valid, so deliveries signed with it are not lost while the source is updated. Default 3600; 0 ends it now. */
  previousValidForSeconds?: number;
}

// ------------------------------------------------------------------------------------------
// DORA metrics

/** Performance levels of the DORA 2023 benchmarks, as Apache DevLake applies them. */
export type DoraLevel = 'elite' | 'high' | 'medium' | 'low';

export interface DoraQuery {
  /** First day, YYYY-MM-DD, included whole. */
  from: string;
  /** Last day, YYYY-MM-DD, included whole. */
  to: string;
  /** Only this team's services (or, with `service`, that service of the team). */
  team?: string;
  service?: string;
}

export interface DoraMetrics {
  scope: {
    kind: 'service' | 'team' | 'organisation' | 'your-teams';
    team?: string;
    service?: string;
    /** The services measured, as team/service. */
    services: string[];
  };
  window: { from: string; to: string; timeZone: string; days: number; weeks: number; months: number };
  benchmark: string;
  /** Successful production deployments that finished in the window. */
  deployments: number;
  deploymentFrequency: {
    /** Distinct days with a deployment. */
    deploymentDays: number;
    /** Lower median over the window's weeks (Monday to Sunday, partial weeks included) of deployment days per week. */
    medianDeploymentDaysPerWeek: number;
    /** Lower median over the window's calendar months of deployment days per month. */
    medianDeploymentDaysPerMonth: number;
    level: DoraLevel;
  };
  leadTime: {
    /** Changes (merged pull requests) shipped by the window's deployments. */
    changes: number;
    /** Lower median, in minutes, of first commit → deployed; null without changes. */
    medianMinutes: number | null;
    level: DoraLevel | null;
  };
  changeFailureRate: {
    /** Deployments of the window with at least one incident counted against them. */
    failed: number;
    deployments: number;
    /** failed / deployments; null without deployments. */
    rate: number | null;
    level: DoraLevel | null;
  };
  failedDeploymentRecoveryTime: {
    /** Incidents resolved in the window whose deployment finished in the window. */
    incidents: number;
    /** Lower median, in whole minutes, of the failed deployment's finish → the incident's resolution. */
    medianMinutes: number | null;
    level: DoraLevel | null;
  };
  reworkRate: {
    /** Deployments of the window that finished while an incident of the same service was open. */
    reworked: number;
    deployments: number;
    rate: number | null;
    /** Always null: DORA publishes no performance levels for rework rate. */
    level: null;
  };
  dataQuality: DoraDataQuality;
}

export interface DoraDataQuality {
  /** Deployments of the window to which no change could be linked (lead time cannot see them). */
  deploymentsWithoutChanges: { count: number; examples: DoraDeploymentRef[] };
  /** Incidents of the scope with no production deployment before them (they cannot count in the change failure rate). */
  incidentsWithoutDeployment: { count: number; examples: DoraIncidentRef[] };
  /**
   * Incidents in repositories no service claims (so attached to no service). Only in an
   * organisation-wide report (platform admins).
   */
  incidentsWithoutService?: { count: number };
  /** Repositories that sent events but no service claims (`paved services create NAME --repo URL`); organisation-wide reports only. */
  unclaimedRepositories?: { repository: string; deployments: number; changes: number; incidents: number }[];
  /** One sentence per problem found, for people. */
  problems: string[];
}

export interface DoraDeploymentRef {
  service: string;
  id: string;
  environment: string;
  finishedAt: string;
}

export interface DoraIncidentRef {
  service: string;
  id: string;
  createdAt: string;
}
