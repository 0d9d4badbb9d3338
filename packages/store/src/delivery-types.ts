/**
 * Delivery events (migration 0011): normalised facts from GitHub, GitLab and the generic API,
 * as the store takes them, and what the DORA queries return. See docs/metrics/dora.md for what
 * each becomes; every time is epoch milliseconds.
 */

export type DeliverySource = 'github' | 'gitlab' | 'api';

/** A repository as a payload names it (or, host 'paved', a service's own events: path 'team/service'). */
export interface DeliveryRepositoryRef {
  /** Lowercase host, '' when unknown. */
  host: string;
  /** Lowercase path. */
  path: string;
  /** As spelled by the source. */
  name: string;
  defaultBranch?: string;
}

export interface DeliveryCommit {
  sha: string;
  at?: number;
  /** New to the repository with this push (GitHub `distinct`); true when the source does not say. */
  distinct: boolean;
}

/** A push of commits to a branch. */
export interface PushFact {
  kind: 'push';
  repo: DeliveryRepositoryRef;
  /** Branch name, without refs/heads/. */
  branch: string;
  before: string;
  after: string;
  pushedAt?: number;
  /** Oldest first. */
  commits: DeliveryCommit[];
}

/**
 * One status of a deployment. Several arrive per deployment, in any order: the one with the
 * latest `at` (then the highest `seq`) decides the deployment's result.
 */
export interface DeploymentStatusFact {
  kind: 'deployment-status';
  repo: DeliveryRepositoryRef;
  source: DeliverySource;
  /** The source's deployment id. */
  id: string;
  environment: string;
  sha?: string;
  ref?: string;
  /** When the deployment started (GitHub: the deployment's created_at). */
  startedAt?: number;
  /**
   * The status as normalised: success, failure, still under way (pending), or GitHub's
   * `inactive` (a newer deployment replaced this one: it succeeded if it ever had a success).
   */
  state: 'success' | 'failure' | 'pending' | 'inactive';
  at: number;
  /** Tie-breaker between statuses of the same time (GitHub's status id; 0 when none). */
  seq: number;
  /** Set by the generic API: this status replaces whatever was recorded, whatever its time. */
  replace?: boolean;
  /**
   * The team (id) that recorded it: set on every fact from the API (source 'api'). An API record
   * is only ever rewritten by the team that recorded it (migration 0027, docs/metrics/dora.md).
   */
  recordedBy?: string;
}

/** A change: a pull or merge request, or one recorded through the API. */
export interface ChangeFact {
  kind: 'change';
  repo: DeliveryRepositoryRef;
  source: DeliverySource;
  id: string;
  title?: string;
  /** The branch its commits were pushed to. */
  headBranch?: string;
  mergeSha?: string;
  state: 'open' | 'merged' | 'closed';
  openedAt?: number;
  mergedAt?: number;
  /** Given by the API; otherwise derived from the pushes to headBranch. */
  firstCommitAt?: number;
  /** The API's deployment id that shipped it. */
  deployment?: string;
  /** The event's own time: an older event never overwrites what a newer one recorded. */
  at: number;
  replace?: boolean;
  /** As DeploymentStatusFact's. */
  recordedBy?: string;
}

/** An issue (an incident when its labels say so), or an incident recorded through the API. */
export interface IssueFact {
  kind: 'issue';
  repo: DeliveryRepositoryRef;
  source: DeliverySource;
  id: string;
  title?: string;
  labels: string[];
  /** True for incidents recorded through the API, whatever their labels. */
  incident?: boolean;
  state: 'open' | 'closed' | 'deleted';
  createdAt: number;
  resolvedAt?: number;
  at: number;
  replace?: boolean;
  /** As DeploymentStatusFact's. */
  recordedBy?: string;
}

export type DeliveryFact = PushFact | DeploymentStatusFact | ChangeFact | IssueFact;

export interface DeliveryRecord {
  source: DeliverySource;
  /** The source's delivery id (X-GitHub-Delivery, X-Gitlab-Event-UUID): a second delivery with it changes nothing. */
  deliveryId?: string;
  /** The source's event name, for the record of deliveries. */
  event: string;
  facts: DeliveryFact[];
}

/** What one pass over the inbox did. */
export interface DrainedDeliveries {
  applied: number;
  failed: number;
}

export interface DeliveryInboxDepth {
  /** Deliveries accepted and not yet applied. */
  waiting: number;
  /** Deliveries whose facts could not be applied (each keeps its error). */
  failed: number;
  /** The ids of the oldest and newest waiting deliveries; null when none waits. */
  oldestWaiting: number | null;
  lastWaiting: number | null;
}

/** How facts are classified; from the platform's configuration (docs/metrics/dora.md). */
export interface DeliveryRules {
  isProduction(environment: string): boolean;
  isIncident(labels: readonly string[]): boolean;
  /** Identifies the rules (their patterns): when it changes, the store re-derives what depends on them. */
  fingerprint: string;
}

export interface DeliveryRepository extends DeliveryRepositoryRef {
  id: number;
}

export interface DeliveryEventCounts {
  repositoryId: number;
  /** Successful production deployments. */
  deployments: number;
  changes: number;
  incidents: number;
}

export interface DoraFactsQuery {
  /** The services measured, each with the repository ids it owns (a repository may be owned by several). */
  services: { key: string; repositoryIds: number[] }[];
  /** The window [fromMs, toMs). */
  fromMs: number;
  toMs: number;
  /** Intervals of constant UTC offset covering the window: a deployment's day is floor((t + offsetMs) / 1 day). */
  offsets: { fromMs: number; toMs: number; offsetMs: number }[];
  /** How many example deployments and incidents to return for data-quality problems. Default 10. */
  examples?: number;
}

export interface DoraFacts {
  /** Per local day with deployments: how many, and how many have no linked change. */
  days: { day: number; deployments: number; withoutChanges: number }[];
  /** Lead times of the changes shipped in the window, in minutes: each value with how many changes have it. */
  leadTimes: { minutes: number; count: number }[];
  /** The scope's incidents that bear on the window, each with the deployment counted against it (per service). */
  incidents: DoraIncidentFact[];
  /** Deployments of the window that finished while an incident of their service was open. */
  reworked: number;
  withoutChanges: { service: string; id: string; environment: string; finishedMs: number }[];
}

export interface DoraIncidentFact {
  service: string;
  /** Store id (the same incident appears once per service that owns its repository). */
  incidentId: number;
  id: string;
  createdMs: number;
  resolvedMs: number | null;
  /** The last successful production deployment of the service that finished before the incident; null if none. */
  deploymentId: number | null;
  deploymentShippedMs: number | null;
}
