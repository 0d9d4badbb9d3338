import type { Generated } from '#kysely';
import type { ProductDeprecationsTable, ProductRequestsTable, ProductRequestVotesTable, ProductRoadmapTable } from './schema-product-evolution.js';

/**
 * The tables as Kysely sees them. Only types both dialects agree on: text (JSON is stored as
 * text), integers (booleans are 0/1, times used for scheduling are epoch ms) and ISO strings
 * for human-facing times. The dialect adapter normalises PostgreSQL's bigint strings to numbers.
 */

export interface UsersTable {
  id: string;
  name: string;
  admin: number;
  disabled: Generated<number>;
  created_at: string;
}

export interface TokensTable {
  id: string;
  user_id: string;
  name: string;
  /** sha256 of the token; the token itself is never stored. */
  hash: string;
  created_at: string;
  /** ISO time after which the token no longer authenticates; null: never expires. */
  expires_at: string | null;
  read_only: Generated<number>;
  /** The only team a CI token may act for; null: every team of its user. */
  team_id: string | null;
  /** 'api' (created by a user or admin) or 'oidc' (a sign-in session; migration 0010). */
  source: Generated<string>;
}

export interface TeamsTable {
  id: string;
  name: string;
  title: string;
  platform: Generated<number>;
  /** The parent team's name (a Backstage Group's spec.parent; migration 0021). */
  parent: string | null;
  created_at: string;
}

/** Who owns each product: the team (by name) whose members may publish its next version. */
export interface ProductsTable {
  name: string;
  owner: string;
  created_at: string;
}

export interface MembershipsTable {
  team_id: string;
  user_id: string;
  role: string;
  /** 'local' (set in Paved) or 'oidc' (from the IdP's groups at sign-in; migration 0010). */
  source: Generated<string>;
}

export interface ProductVersionsTable {
  name: string;
  version: string;
  manifest: string;
  digest: string;
  published_at: string;
}

export interface InstancesTable {
  /** Insertion order (migration 0007): the order and cursor of instance listings. */
  seq: Generated<number>;
  id: string;
  team_id: string;
  name: string;
  product: string;
  product_version: string;
  plan: string;
  inputs: string;
  external_name: string;
  target: string;
  generation: number;
  observed_generation: number;
  deletion_requested: number;
  status: string;
  outputs: string;
  status_hash: string;
  created_by: string;
  created_at: string;
  updated_at: string;
  // engine state
  pending_action: string | null;
  deletion_step: string | null;
  attempts: number;
  due_at: number;
  lease_owner: string | null;
  lease_token: string | null;
  lease_expires_at: number | null;
  claimed_generation: number;
  // credential rotation (migration 0003)
  rotation: number;
  desired_rotation: number;
  claimed_desired_rotation: number;
  revoke_rotation: number | null;
  revoke_at: number | null;
  // workload (migration 0004): set when a Score file asked for the instance
  service_id: string | null;
  environment: string | null;
  resource: string | null;
  shared: number;
  // composition (migration 0006): set on a part of a composite instance
  parent_id: string | null;
  part: string | null;
}

export interface SecretsTable {
  owner_id: string;
  name: string;
  envelope: string;
  updated_at: string;
  // migration 0016: the master key that wraps the envelope's data key
  key_id: string | null;
}

/** One row (id 1) once a master key is registered: the key that seals new secrets (migration 0016). */
export interface KeyringTable {
  id: number;
  active_key_id: string;
  active_version: number;
  activated_at: string;
}

export interface EventsTable {
  /** Insertion order; the cursor of event listings. */
  seq: Generated<number>;
  id: string;
  at: string;
  kind: string;
  team_id: string | null;
  instance_id: string | null;
  actor: string | null;
  data: string;
}

/** One line of a service's log stream in one environment (migration 0005). */
export interface LogLinesTable {
  /** Insertion order: the cursor of listings and of --follow. */
  seq: Generated<number>;
  team_id: string;
  service: string;
  environment: string;
  /** ISO 8601 (UTC, fixed width), so text order is time order and pruning is one indexed range. */
  at: string;
  stream: string;
  line: string;
}

/** The catalog's services (migration 0004). */
export interface ServicesTable {
  id: string;
  team_id: string;
  name: string;
  description: string;
  repository_url: string | null;
  lifecycle: string;
  system: string | null;
  /** Backstage component type: service, website, library… (migration 0021). */
  component_type: string | null;
  created_at: string;
  updated_at: string;
}

export interface EnvironmentsTable {
  name: string;
  description: string;
  /** JSON object of target labels. */
  target_selector: string;
  /** JSON EnvironmentPolicies. */
  policies: string;
  /** JSON object of name → value (migration 0017): what every service's `environment` resource sees. */
  variables: Generated<string>;
  created_at: string;
}

/** A service's last applied workload in one environment: the shared resource ids it names. */
export interface WorkloadsTable {
  service_id: string;
  environment: string;
  /** JSON array of ids. */
  shared_ids: string;
  /** JSON Score service.ports of the last apply; NULL before the first apply (migration 0017). */
  ports: string | null;
  /** JSON object of the service's own config values in this environment (migration 0017). */
  config: Generated<string>;
  updated_at: string;
}

/**
 * The audit log (migration 0009): one row per record of the chain (docs/audit.md). JSON columns
 * hold exactly what was hashed: null when the record has no such part.
 */
export interface AuditLogTable {
  seq: number;
  at: string;
  stage: string;
  request_id: string | null;
  actor: string;
  token_id: string | null;
  action: string;
  team: string | null;
  /** JSON object. */
  target: string | null;
  result: string | null;
  status: number | null;
  code: string | null;
  /** JSON AuditSource. */
  source: string | null;
  /** JSON object. */
  summary: string | null;
  prev_hash: string;
  hash: string;
  key_id: string;
  signature: string;
}

/** The chain's head: one row (id 1), locked by every append so appends are serialised. */
export interface AuditHeadTable {
  id: number;
  seq: number;
  hash: string;
}

export interface AuditCheckpointsTable {
  seq: number;
  hash: string;
  at: string;
  key_id: string;
  signature: string;
}

/** The IdP subject a signed-in user is (migration 0010): one per user, one user per subject. */
export interface UserIdentitiesTable {
  user_id: string;
  issuer: string;
  subject: string;
  created_at: string;
}

/** A sign-in under way (migration 0010), keyed by the SHA-256 of its handle (state, device login id, hand-off code). */
export interface OidcLoginsTable {
  id: string;
  kind: string;
  /** JSON of what the kind needs (nonce, PKCE verifier, device code…). */
  data: string;
  /** Epoch ms after which the login is void. */
  expires_at: number;
}

/**
 * One row per instance ever requested (migration 0013): when it was asked for and when it first
 * reached each outcome, in epoch ms. Written with the instance's events, in their transaction,
 * and kept after the instance is forgotten, so the platform's measures are sums over indexed
 * columns rather than replays of the event log (docs/metrics/).
 */
export interface InstanceRequestsTable {
  instance_id: string;
  team_id: string;
  product: string;
  /** The version asked for at request time. */
  product_version: string;
  /** The catalogued service whose workload asked for it; null for an instance asked for by hand. */
  service_id: string | null;
  /** Set on a part of a composite: the composite's id. Parts are not requests of their own. */
  parent_id: string | null;
  requested_at: number;
  ready_at: number | null;
  failed_at: number | null;
  delete_requested_at: number | null;
  deleted_at: number | null;
}

/** A person from outside a team had to act for one of its requests (migration 0013). */
export interface InterventionsTable {
  seq: Generated<number>;
  id: string;
  /** Epoch ms. */
  at: number;
  /** The requesting team. */
  team_id: string;
  product: string;
  /** The request (top-level instance) it was for. */
  instance_id: string;
  /** The instance's name when it happened (the row outlives the instance). */
  instance_name: string;
  kind: string;
  /** The user's name; null when recorded by the platform itself. */
  actor: string | null;
  /** A help request's message, or what a manual fix or approval was about. */
  note: string;
}

/** When each catalogued service existed (migration 0013): adoption over time needs the deleted ones too. */
export interface ServiceLifetimesTable {
  service_id: string;
  team_id: string;
  created_at: number;
  deleted_at: number | null;
}

/** Every applied version of every policy (migration 0019). */
export interface PolicyVersionsTable {
  name: string;
  version: string;
  /** The platform team that owns the policy (metadata.owner of its first version). */
  owner: string;
  manifest: string;
  digest: string;
  applied_by: string;
  applied_at: string;
}

/** A request held by a requireApproval policy (migration 0019). */
export interface ApprovalsTable {
  seq: Generated<number>;
  id: string;
  instance_id: string;
  team_id: string;
  instance_name: string;
  /** The team whose members may decide. */
  approver_team: string;
  /** JSON: the policy decisions that asked for approval. */
  decisions: string;
  requested_by: string;
  requested_at: string;
  /** Waiting | Approved | Denied */
  state: string;
  decided_by: string | null;
  decided_at: string | null;
  reason: string | null;
}

/** A person's 1–5 score of a product, with an optional comment (migration 0014). */
export interface FeedbackTable {
  seq: Generated<number>;
  id: string;
  /** Epoch ms. */
  at: number;
  product: string;
  product_version: string | null;
  user_id: string;
  /** The team of the instance it is about; null for feedback on the product alone. */
  team_id: string | null;
  instance_id: string | null;
  score: number;
  comment: string;
}

// ------------------------------------------------------------------------------------------
// Delivery events (migration 0011): facts from webhooks and the generic API, from which the DORA
// metrics are computed. Times are epoch milliseconds (bigint): the metric queries do arithmetic
// on them (day buckets, lead-time minutes) the same way on both dialects.

/** Every repository (or Paved service, for events recorded through the API) that sent events. */
export interface DeliveryRepositoriesTable {
  id: Generated<number>;
  /** Lowercase host ('github.com'), '' when the payload named none, 'paved' for a service's own events. */
  host: string;
  /** Lowercase path: 'acme/payments-api', 'group/sub/project', or 'team/service' for host 'paved'. */
  path: string;
  /** As the source spelled it, for people. */
  name: string;
  default_branch: string | null;
  created_at: string;
}

/** Environment names seen on deployments, with whether they count as production (the configured pattern). */
export interface DeliveryEnvironmentsTable {
  id: Generated<number>;
  name: string;
  production: number;
}

export interface DeliveryDeploymentsTable {
  id: Generated<number>;
  repo_id: number;
  /** 'github' | 'gitlab' | 'api' */
  source: string;
  external_id: string;
  environment_id: number;
  sha: string | null;
  ref: string | null;
  started_ms: number | null;
  /** The latest status by the source's own time (never arrival order), its time and its tie-breaker. */
  status: string;
  status_ms: number;
  status_seq: number;
  /** Time of the latest `success` status. */
  success_ms: number | null;
  /** 'success' | 'failure' | 'pending' */
  result: string;
  finished_ms: number | null;
  /** finished_ms when this is a successful production deployment (what every metric counts), else null. */
  shipped_ms: number | null;
  /** Changes linked to this deployment (kept in step by the linker). */
  changes: Generated<number>;
  /** The commit where the walk back through the pushes found no push: relinked when that push arrives. */
  gap_sha: string | null;
  /**
   * The team (id) that recorded it through the API (migration 0027): only that team's API calls
   * rewrite it. Null for webhook records, and for API records whose team 0027 could not tell
   * (the first team to record the same id again takes them).
   */
  recorded_by: string | null;
}

export interface DeliveryPushesTable {
  id: Generated<number>;
  repo_id: number;
  /** Branch name without refs/heads/. */
  ref: string;
  before_sha: string;
  after_sha: string;
  pushed_ms: number | null;
}

/** The commits of a push, oldest first, as the source listed them. */
export interface DeliveryPushCommitsTable {
  push_id: number;
  repo_id: number;
  position: number;
  sha: string;
  at_ms: number | null;
  /** GitHub's `distinct`: new to the repository with this push (GitLab: always 1). */
  is_distinct: number;
}

/** Which commits each successful production deployment shipped (between it and the previous one). */
export interface DeliveryDeploymentCommitsTable {
  deployment_id: number;
  repo_id: number;
  sha: string;
}

/** A change: a pull/merge request, or a change recorded through the API. */
export interface DeliveryChangesTable {
  id: Generated<number>;
  repo_id: number;
  source: string;
  external_id: string;
  title: string | null;
  head_ref: string | null;
  merge_sha: string | null;
  /** 'open' | 'merged' | 'closed' */
  state: string;
  opened_ms: number | null;
  merged_ms: number | null;
  /** From the API, or the earliest distinct commit pushed to head_ref before the merge. */
  first_commit_ms: number | null;
  /** 1 when first_commit_ms was given (API) rather than derived from pushes. */
  first_commit_given: number;
  /** The event time of the last update applied: an older event never overwrites a newer one. */
  updated_ms: number;
  /** The deployment that shipped it: named by the API (deployment_ref), or found through its merge commit. */
  deployment_id: number | null;
  deployment_ref: string | null;
  /** The shipping deployment's shipped_ms, and the lead time it makes (kept by the linker). */
  shipped_ms: number | null;
  lead_minutes: number | null;
  /** As delivery_deployments.recorded_by. */
  recorded_by: string | null;
}

/** Issues (incidents when a label matches the configured pattern) and incidents recorded through the API. */
export interface DeliveryIssuesTable {
  id: Generated<number>;
  repo_id: number;
  source: string;
  external_id: string;
  title: string | null;
  /** JSON array of label names. */
  labels: string;
  incident: number;
  /** 'open' | 'closed' | 'deleted' */
  state: string;
  created_ms: number;
  resolved_ms: number | null;
  updated_ms: number;
  /** As delivery_deployments.recorded_by. */
  recorded_by: string | null;
}

/** Webhook deliveries seen, by the source's delivery id: a redelivery is recognised and not applied twice. */
export interface DeliveryDeliveriesTable {
  source: string;
  delivery_id: string;
  event: string;
  received_at: string;
}

/** Webhook deliveries acknowledged and not yet applied (migration 0023), oldest first by id. */
export interface DeliveryInboxTable {
  id: Generated<number>;
  source: string;
  event: string;
  /** The delivery's DeliveryFact[] as JSON. */
  facts: string;
  received_at: string;
  /** Why its facts could not be applied; null while it waits. */
  error: string | null;
}

/** Settings the derived columns were computed with (the patterns); changing one re-derives them. */
export interface DeliverySettingsTable {
  name: string;
  value: string;
}

/** Migration 0020 (docs/rollouts.md). */
export interface InstanceHoldsTable {
  instance_id: string;
  reason: string;
  held_by: string;
  held_at: string;
}

export interface RolloutsTable {
  seq: Generated<number>;
  id: string;
  product: string;
  live_product: string | null;
  to_version: string;
  state: string;
  settings: string;
  wave: number;
  waves: number;
  stage: string;
  soak_started_at: number | null;
  message: string;
  created_by: string;
  created_at: string;
  updated_at: string;
  due_at: number | null;
  lease_owner: string | null;
  lease_token: string | null;
  lease_expires_at: number | null;
}

export interface RolloutTargetsTable {
  rollout_id: string;
  position: number;
  instance_id: string;
  team_name: string;
  instance_name: string;
  from_version: string;
  wave: number;
  state: string;
  message: string;
  /** Epoch ms of the last state change (a wave's ready deadline counts from it). */
  changed_at: number;
}

/** One row (id 1): see migration 0022 and Store.authEpoch. */
export interface AuthEpochTable {
  id: number;
  epoch: number | string;
}

export interface Database {
  instance_holds: InstanceHoldsTable;
  rollouts: RolloutsTable;
  rollout_targets: RolloutTargetsTable;
  auth_epoch: AuthEpochTable;
  users: UsersTable;
  tokens: TokensTable;
  teams: TeamsTable;
  memberships: MembershipsTable;
  products: ProductsTable;
  product_versions: ProductVersionsTable;
  instances: InstancesTable;
  services: ServicesTable;
  environments: EnvironmentsTable;
  workloads: WorkloadsTable;
  secrets: SecretsTable;
  keyring: KeyringTable;
  events: EventsTable;
  log_lines: LogLinesTable;
  user_identities: UserIdentitiesTable;
  oidc_logins: OidcLoginsTable;
  audit_log: AuditLogTable;
  audit_head: AuditHeadTable;
  audit_checkpoints: AuditCheckpointsTable;
  instance_requests: InstanceRequestsTable;
  interventions: InterventionsTable;
  service_lifetimes: ServiceLifetimesTable;
  feedback: FeedbackTable;
  policy_versions: PolicyVersionsTable;
  approvals: ApprovalsTable;
  delivery_repositories: DeliveryRepositoriesTable;
  delivery_environments: DeliveryEnvironmentsTable;
  delivery_deployments: DeliveryDeploymentsTable;
  delivery_pushes: DeliveryPushesTable;
  delivery_push_commits: DeliveryPushCommitsTable;
  delivery_deployment_commits: DeliveryDeploymentCommitsTable;
  delivery_changes: DeliveryChangesTable;
  delivery_issues: DeliveryIssuesTable;
  delivery_deliveries: DeliveryDeliveriesTable;
  delivery_inbox: DeliveryInboxTable;
  delivery_settings: DeliverySettingsTable;
  product_deprecations: ProductDeprecationsTable;
  product_roadmap: ProductRoadmapTable;
  product_requests: ProductRequestsTable;
  product_request_votes: ProductRequestVotesTable;
}
