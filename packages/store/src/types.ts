import type {
  EventKind, Instance, LogLine, InstanceStatus, Membership, Page, Phase, PavedEvent, ProductSummary, ProductVersion, Team, TeamRole, User,
} from '@paved/model';
import type { Environment, ScoreServicePort, Service, ServiceLifecycle } from '@paved/model';
import type { AuditCheckpoint, AuditEntry, AuditRecord } from '@paved/model';
import type { Approval, PolicyDecision, PolicyManifest } from '@paved/model';
import type { DeliveryEventCounts, DeliveryInboxDepth, DeliveryRecord, DeliveryRepository, DeliveryRules, DoraFacts, DoraFactsQuery, DrainedDeliveries } from './delivery-types.js';
import type { RolloutStore } from './rollout-types.js';

export type * from './delivery-types.js';
export type * from './product-evolution-types.js';
import type { ProductEvolutionStore } from './product-evolution-types.js';
export type * from './rollout-types.js';

/**
 * The store is the source of truth and the work queue (docs/architecture.md#the-store). One
 * interface, two dialects (SQLite by default, PostgreSQL when PAVED_DATABASE_URL is set); every
 * difference between them lives in the dialect adapter. Store functions return plain outcomes instead of
 * throwing for expected races ('changed' | 'unchanged' | 'lost-lease').
 *
 * Times: ISO strings in the domain types; `dueAt` / lease expiry are epoch milliseconds.
 *
 * Order: every listing has a total order, stated on its method. Where it is "creation order"
 * it is the store's insertion sequence (a `seq` column), never a timestamp: timestamps tie
 * within a millisecond and come from each process's own clock. Names compare in the database's
 * collation (PostgreSQL's may place `-` differently from SQLite's byte order).
 */

export type Dialect = 'sqlite' | 'postgres';

export interface StoreOptions {
  /** `postgres://…` for PostgreSQL; otherwise a SQLite file path (':memory:' for tests). */
  url: string;
  /** Clock for timestamps; tests pass a fake. */
  now?: () => number;
}

/** What the engine keeps per instance besides the domain fields. */
export interface EngineState {
  /** Intent recorded before a side effect: the driver call that may have started. */
  pendingAction: 'create' | 'update' | 'rotate' | 'revoke' | null;
  /** Name of the deletion step that may have started (engine and driver steps share this). */
  deletionStep: string | null;
  /** Consecutive failed attempts, for exponential backoff. Reset on success. */
  attempts: number;
  /** Epoch ms when the instance is next due for a reconcile (drift check or retry). */
  dueAt: number;
  /** The current credential: 0 until the first rotation. */
  rotation: number;
  /**
   * The credential asked for (requestRotation sets rotation + 1). Written by the engine only to
   * drop a request it cannot serve (a driver without rotation).
   */
  desiredRotation: number;
  /** The previous credential, issued and still working until `revokeAt`; null when none. */
  revokeRotation: number | null;
  /** Epoch ms when `revokeRotation` is revoked; null when none. */
  revokeAt: number | null;
}

/**
 * A worker of this process that takes instances as they are created (Store.claimOnCreate): a
 * request is inserted already leased to it, in its create's own transaction, so that its pass
 * starts with no claim of its own to wait for. `wants` is asked inside that transaction; when it
 * said yes, exactly one of `take` (after the commit) or `release` (the create failed) follows.
 */
export interface CreateClaimer {
  owner: string;
  leaseMs: number;
  wants(): boolean;
  /**
   * Asked inside the create's transaction once `wants` said yes: the first pass's intent, when
   * the worker can make it at once (synchronously) and would create without observing. The
   * create then records it with the instance (its status, its pending action, its generated
   * secrets, sealed), and hands the same object back to `take`; undefined: the create is as
   * without it, and the pass records its intent itself.
   */
  intentFor?(request: NewInstance & { id: string }): CreateIntent | undefined;
  take(claimed: ClaimedInstance, intent?: CreateIntent): void;
  release(): void;
}

/**
 * A new instance's first intent, recorded in its create's own transaction (CreateClaimer.intentFor):
 * what the first pass's intent write would record before its driver call.
 */
export interface CreateIntent {
  /** The working status (Provisioning) the pass would write. */
  status: InstanceStatus;
  pendingAction: 'create';
  /** The generated secrets, sealed as the secret store seals them (@paved/secrets); absent when the driver generates none. */
  secret?: { name: string; envelope: string; keyId: string };
}

/** An instance claimed by a worker, with the token that guards every write of this pass. */
export interface ClaimedInstance {
  instance: Instance;
  engine: EngineState;
  leaseToken: string;
  leaseExpiresAt: number;
  /**
   * Whether the secret store held any secret of the instance when it was claimed. Only a pass
   * holding its lease stores an instance's secrets, so `false` means the pass finds none but
   * those it stores itself, and need not read them (a read a pass on a new instance); absent
   * when not known.
   */
  secretsStored?: boolean;
}

export interface NewInstance {
  /** Chosen by the caller so the external name can embed it; a random UUID when omitted. */
  id?: string;
  teamId: string;
  name: string;
  product: string;
  productVersion: string;
  plan: string;
  inputs: Record<string, unknown>;
  externalName: string;
  target: string;
  createdBy: string;
  /** When set, the create fails with QuotaError if the team already has `max` live instances of this product and plan (composite parts included). */
  quota?: { max: number };
  /**
   * Further quotas the request counts against (a composite's parts, by their product and plan):
   * each fails the create when the team's instances of that product and plan plus `adding` would
   * pass `max`. Checked in the create's transaction, with `quota`.
   */
  quotas?: QuotaClaim[];
  /** An instance asked for outside a workload may still name its environment (policies see it). */
  environment?: string;
  /** Recorded in the `instance.requested` event (`paved history`): the interface and the policy decisions. */
  provenance?: RequestProvenance;
  /** Set when a requireApproval policy holds the request: the instance waits, untouched by the engine. */
  approval?: { id: string; approvers: string; decisions: PolicyDecision[] };
  /** Set when a workload (Score file) asks for the instance (migration 0004). */
  workload?: { serviceId: string; environment: string; resource: string; shared: boolean };
  /** Composition (migration 0006): the composite instance this one is a part of, and which include it is. */
  parent?: { id: string; part: string };
  /**
   * The product version the request was checked against, as its caller read it; in memory only,
   * never stored. A worker taking the create makes its first intent with it (CreateClaimer.intentFor)
   * instead of needing it read already: a first create after a start is then like every other.
   */
  productRead?: ProductVersion;
}

export interface QuotaClaim {
  product: string;
  plan: string;
  max: number;
  adding: number;
}

/** Who asked, through which door, and what the policies said: kept with each change's event. */
export interface RequestProvenance {
  interface: string;
  decisions: PolicyDecision[];
}

export interface NewPolicyVersion {
  name: string;
  version: string;
  owner: string;
  manifest: PolicyManifest;
  digest: string;
  appliedBy: string;
}

export interface StoredPolicyVersion extends NewPolicyVersion {
  appliedAt: string;
}

/** A team's instance counts as policies see them (PolicyInput.usage). */
export interface InstanceUsage {
  team: number;
  product: number;
  plan: number;
  environment: number;
  inEnvironment: number;
}

/** Which instances a usage counts (Store.instanceUsage): a team's, by a product, a plan and an environment. */
export interface UsageFilter {
  teamId: string;
  product: string;
  plan: string;
  environment?: string;
}

/** What Store.readForGate is asked: a team's usage (`usage`), and the latest version of `usage.product` when `latestVersion`. */
export interface GateReadsRequest {
  usage: UsageFilter;
  latestVersion: boolean;
}

/** Store.readForGate's answers: each as its own read (latestProductVersion, instanceUsage, listPolicyVersions) answers it. */
export interface GateReads {
  /** Read only when asked (GateReadsRequest.latestVersion); undefined also for a product with no version. */
  latestVersion?: string;
  /** The usage the request asked for, and which. */
  usage: InstanceUsage;
  usageOf: UsageFilter;
  policyVersions: StoredPolicyVersion[];
}

export interface ApprovalFilter {
  state?: Approval['state'];
  /** Approvals these teams (by name) may decide, or asked for by these teams (ids); undefined both: all. */
  approverTeams?: string[];
  teamIds?: string[];
}

export interface ApprovalDecision {
  state: 'Approved' | 'Denied';
  by: string;
  reason?: string;
}

export interface InstanceFilter {
  /** Only these teams (undefined = all, for admins). */
  teamIds?: string[];
  product?: string;
  /** Only instances whose status is in this phase. */
  phase?: Phase;
  /** Composition: only instances that are not a part of a composite (parts are shown under their parent). */
  topLevel?: boolean;
  cursor?: string;
  limit?: number;
}

export interface StatusWrite {
  status: InstanceStatus;
  outputs?: Record<string, string>;
  observedGeneration?: number;
  engine: Partial<EngineState>;
  /** Events to append in the same transaction (only when something changed). */
  events?: NewEvent[];
  /**
   * The pass's last write: the lease ends in the same statement, as releaseLease would end it
   * just after (a spec change, delete or rotation asked for during the pass stays due now). It
   * saves each pass a write of its own; a crash between the two used to leave the lease to expire.
   */
  releaseLease?: boolean;
  /**
   * A watcher may be told the instance as this write commits it, with this secret of it
   * (InstanceChange.committed; the engine's Ready names its credentials): where the write is one
   * statement alone (PostgreSQL), that statement answers them, and a local watcher need not read them again.
   */
  shownWithSecret?: string;
  /**
   * The names in the secret `shownWithSecret` as this pass stored it before this write (the
   * credentials it issued): with the write's outputs, what a watcher would reveal once it commits,
   * so that a ReadyRider's event may name them (Store.rideOnReady). Absent: no rider is asked.
   */
  shownSecretKeys?: readonly string[];
}

/** What became of a rider's event (ReadyRider.settled). */
export type RideOutcome = 'appended' | 'not-appended' | 'unknown';

/**
 * An event a watcher in this process wants committed with an instance's Ready (Store.rideOnReady):
 * asked just before the write that could carry it is sent, in the same synchronous turn.
 */
export interface ReadyRider {
  /**
   * The event and the auth epoch it holds under, or undefined (it does not ride; asked once).
   * `keys`: the names the instance's outputs and StatusWrite.shownWithSecret's secret will hold
   * once the write commits (StatusWrite.shownSecretKeys), sorted.
   */
  ask(ready: { keys: readonly string[] }): { event: NewEvent; authEpoch: number } | undefined;
  /**
   * Told once, when `ask` gave an event: 'appended' (committed in the Ready's own statement, only
   * because the write changed the row and the auth epoch was still the one given), 'not-appended'
   * (nothing of it written), 'unknown' (the statement failed: it may have committed).
   */
  settled(outcome: RideOutcome): void;
}

export type WriteOutcome = 'changed' | 'unchanged' | 'lost-lease';

export interface NewEvent {
  kind: EventKind;
  teamId?: string;
  instanceId?: string;
  actor?: string;
  data?: Record<string, unknown>;
}

/** An instance and one of its secrets, as of one snapshot (Store.getInstanceWithSecret). */
export interface InstanceWithSecret {
  instance: Instance;
  secret: SecretEnvelopeRow | null;
}

/** An encrypted secret as the secret store hands it over: opaque bytes in base64. */
export interface SecretEnvelopeRow {
  ownerId: string;
  name: string;
  /** JSON of the envelope (key id, wrapped data key, iv, tag, ciphertext), never plaintext. */
  envelope: string;
  /** Id of the master key that wrapped the envelope's data key (its `kid`). */
  keyId: string;
  updatedAt: string;
}

/** Which master key seals new secrets (migration 0016): every process checks it before it writes one. */
export interface ActiveMasterKey {
  keyId: string;
  /** The key's version in the keyring (v1, v2, …). */
  version: number;
  activatedAt: string;
}

/** A secret write refused because its envelope is sealed with a master key that is no longer the active one. */
export type SecretWriteOutcome = 'written' | 'stale-key';

export type InstanceChangeListener = (change: InstanceChangeTold) => void;

/** A change as onInstanceChange tells it. */
export interface InstanceChangeTold {
  instanceId: string;
  teamId: string;
  /**
   * The instance as this change committed it, with the secret `secretName` as of the same
   * snapshot (StatusWrite.shownWithSecret): only when the write's own statement answered them and
   * no other change was told between sending it and its answer, so nothing committed after it
   * can have been told before it (ChangeFeed.told). A listener that would read the instance
   * again for this change may take it instead.
   */
  committed?: InstanceWithSecret & { secretName: string };
}

// ------------------------------------------------------------------------------------------
// Logs (migration 0005): a log stream per (team, service, environment), stored in the store
// itself. See docs/workloads.md "Logs" for why.

/** Which log stream: a service of a team in one environment. */
export interface LogStreamRef {
  teamId: string;
  service: string;
  environment: string;
}

export interface LogBatch extends LogStreamRef {
  lines: { at: string; stream: 'stdout' | 'stderr'; line: string }[];
}

export interface LogLineFilter extends LogStreamRef {
  /** Only lines after this seq (the cursor). */
  sinceSeq?: number;
  /** Only lines at or after this ISO time. */
  sinceAt?: string;
  /** Case-sensitive substring the line must contain. */
  grep?: string;
  /** Most lines to return (default 100, at most 1000). */
  limit?: number;
}

export interface LogLinePage {
  /** Oldest first. */
  items: LogLine[];
  /**
   * Set when more lines may follow: pass it as `sinceSeq` to continue. With `grep` it can be
   * set while `items` is short: a listing reads a bounded number of rows per call.
   */
  nextSeq?: number;
  /** The seq of the last row read, matching or not (else `sinceSeq`, else 0): where a follower resumes. */
  readTo: number;
}

export type LogAppendListener = (appended: LogStreamRef & { lastSeq: number }) => void;

// ------------------------------------------------------------------------------------------
// Services, environments and workloads (migration 0004)

export interface NewService {
  teamId: string;
  name: string;
  description: string;
  repositoryUrl?: string;
  lifecycle: ServiceLifecycle;
  system?: string;
  /** Backstage component type (service, website, library…), when imported. */
  type?: string;
}

export type ServiceChanges = Partial<Pick<NewService, 'description' | 'repositoryUrl' | 'lifecycle' | 'system' | 'type'>>;

export type NewEnvironment = Omit<Environment, 'createdAt' | 'variables'> & { variables?: Record<string, string> };

/**
 * A service's workload in one environment: what its last apply named (to know when a shared
 * resource is unused) and published (its ports, which other workloads reach), and the
 * service's own config values there (migration 0017).
 */
export interface WorkloadRecord {
  serviceId: string;
  /** The service's name. */
  service: string;
  environment: string;
  sharedIds: string[];
  /** The ports its last apply published; undefined when it was configured but never applied there. */
  ports?: Record<string, ScoreServicePort>;
  config: Record<string, string>;
}

// ------------------------------------------------------------------------------------------
// Measures (migrations 0013 and 0014): the platform's own product analytics. Every figure is an
// aggregate computed in SQL over indexed columns; docs/metrics/README.md defines each one.

/** A half-open window of epoch ms: `since` <= t < `until`. */
export interface MeasureWindow {
  since: number;
  until: number;
}

/** Which requests a measure is about (undefined: all). */
export interface MeasureScope {
  products?: string[];
  teamIds?: string[];
}

/** Requests of one product version made in a window, by how each first ended. */
export interface RequestOutcomeRow {
  product: string;
  version: string;
  requested: number;
  ready: number;
  failed: number;
  abandoned: number;
}

/** Nearest-rank percentiles of request → first Ready (ms); `version` absent for a whole product. */
export interface TimeToReadyRow {
  product: string;
  version?: string;
  count: number;
  p50Ms: number;
  p95Ms: number;
}

/** Live (not being deleted) top-level instances now; `version` absent for a whole product. */
export interface LiveInstancesRow {
  product: string;
  version?: string;
  instances: number;
  teams: number;
}

/** A team's first request that reached Ready, and when the team was created. */
export interface FirstReadyRow {
  teamId: string;
  teamCreatedAt: string;
  firstReadyAt: number;
}

/** Catalogued services existing at `at`, and how many of them had a live instance from Paved then. */
export interface AdoptionRow {
  at: number;
  services: number;
  adopted: number;
}

/** Interventions on one team's requests in one week (epoch ms of its Monday), of one kind. */
export interface InterventionCountRow {
  teamName: string;
  weekStart: number;
  kind: string;
  count: number;
}

/** Requests that first reached Ready in one week, and how many without an intervention before. */
export interface UnassistedRow {
  weekStart: number;
  ready: number;
  unassisted: number;
}

export interface NewIntervention {
  /** The instance acted on; the intervention is recorded against its request (a composite's part: its composite). */
  instanceId: string;
  kind: string;
  actor?: string;
  note?: string;
}

export interface StoredIntervention {
  id: string;
  seq: number;
  at: number;
  teamId: string;
  teamName: string;
  product: string;
  instanceId: string;
  instanceName: string;
  kind: string;
  actor?: string;
  note: string;
}

export interface NewFeedback {
  product: string;
  version?: string;
  userId: string;
  teamId?: string;
  instanceId?: string;
  score: number;
  comment: string;
}

export interface StoredFeedback extends NewFeedback {
  id: string;
  at: number;
  /** The name of `teamId`'s team, when set. */
  teamName?: string;
}

/** Responses of one score in one week (epoch ms of its Monday). */
export interface SatisfactionRow {
  weekStart: number;
  score: number;
  count: number;
}

/** An API token as stored, without its hash. */
export interface StoredToken {
  id: string;
  userId: string;
  name: string;
  createdAt: string;
  expiresAt?: string;
  readOnly: boolean;
  /** The only team the token may act for. */
  teamId?: string;
  /** 'api': created by a user or admin; 'oidc': a sign-in session (docs/sign-in.md). */
  source: TokenSource;
}

export type TokenSource = 'api' | 'oidc';

export interface NewToken {
  userId: string;
  name: string;
  /** sha256 of the token; the token itself is never stored. */
  hash: string;
  expiresAt?: string;
  readOnly?: boolean;
  teamId?: string;
  /** Default 'api'. */
  source?: TokenSource;
}

/** An identity provider's user: the issuer and the subject (`sub`) it gives them. */
export interface SignInIdentity {
  issuer: string;
  subject: string;
}

/** What syncMemberships did, per team. `keptLocal`: teams the IdP names where a membership set in Paved stands. */
export interface MembershipSync {
  added: { teamId: string; teamName: string; role: TeamRole }[];
  changed: { teamId: string; teamName: string; role: TeamRole }[];
  removed: { teamId: string; teamName: string; role: TeamRole }[];
  keptLocal: { teamId: string; teamName: string; role: TeamRole }[];
}

/** A sign-in under way: `id` is the SHA-256 of its handle, never the handle. */
export interface PendingLogin {
  id: string;
  kind: string;
  data: Record<string, unknown>;
  /** Epoch ms. */
  expiresAt: number;
}

/** Everything authentication needs about a token's holder, in one read. */
export interface StoredPrincipal {
  user: User;
  memberships: Membership[];
  /** The ids of the user's teams that are platform teams. */
  platformTeamIds: string[];
  token: StoredToken;
}

// ------------------------------------------------------------------------------------------
// The audit log (migration 0009, docs/audit.md)

/** A record's place in the chain, handed to the sealer under the chain's lock. */
export interface AuditPlace {
  seq: number;
  prevHash: string;
  entry: AuditEntry;
}

/**
 * Hashes and signs a record at its place (the server's, which holds the key). Called inside
 * the append's transaction: it must not wait on anything.
 */
export type AuditSealer = (place: AuditPlace) => { hash: string; keyId: string; signature: string };

export interface AuditRecordFilter {
  /** ISO time: records at or after it. */
  since?: string;
  /** ISO time: records before it. */
  until?: string;
  actor?: string;
  action?: string;
  /** Only records of these teams (undefined: every record). */
  teams?: string[];
  cursor?: string;
  limit?: number;
}

export interface Store extends ProductEvolutionStore, RolloutStore {
  readonly dialect: Dialect;
  /** Runs pending migrations. Idempotent; safe to call from several processes at once. */
  migrate(): Promise<void>;
  close(): Promise<void>;
  /** Cheap round trip for /readyz. */
  ping(): Promise<void>;
  /**
   * Runs `fn` as one question (an API request that only reads): the kept reads within it
   * (authEpoch, a team's page, an instance by name) share one change counter, taken at the
   * first of them, instead of one each; a write of this process since makes the next take it
   * afresh (unchanged-reads.ts). Every read within is as new as the question (the counter is
   * taken after it was asked), never older; a change committed elsewhere while it runs is for
   * the next question. Where the counter is read at once (SQLite) the question lasts while `fn`
   * runs synchronously; a read after an await takes its own counter, as new or newer.
   */
  asOneQuestion<T>(fn: () => T): T;
  /**
   * Runs `fn` as one question once it may share its change counter with the questions asked in
   * the same turn of the event loop: on SQLite those asked while the loop reads the requests
   * that arrived are run right after, together, under one counter taken after all of them were
   * asked (one read of the WAL-index header for all); on PostgreSQL the same, run once the
   * snapshot asked for after all of them has arrived (one round trip for all), so their kept
   * reads are answered without a promise. For a read request's whole synchronous path
   * (http/one-question.ts); a read after an await of it takes a counter of its own.
   */
  asOneQuestionOnceArrived(fn: () => void): void;

  // identity
  createUser(input: { name: string; admin: boolean }): Promise<User>;
  /** Many users in one transaction (an import): all or none; ConflictError `user_exists` when one exists. */
  createUsers(inputs: readonly { name: string; admin: boolean }[]): Promise<User[]>;
  getUser(idOrName: { id: string } | { name: string }): Promise<User | undefined>;
  /** By name. */
  listUsers(): Promise<User[]>;
  /** Sets `disabled`; undefined when there is no such user. */
  updateUser(id: string, change: { disabled?: boolean }): Promise<User | undefined>;
  createToken(input: NewToken): Promise<StoredToken>;
  /** A user's tokens, oldest first; never their hashes. */
  listTokens(userId: string): Promise<StoredToken[]>;
  /** Deletes one of the user's tokens; false when it has no such token. Effective for the next request. */
  deleteToken(userId: string, tokenId: string): Promise<boolean>;
  /** Finds the user of a token by the token's sha256 hash. */
  findUserByTokenHash(hash: string): Promise<User | undefined>;
  /**
   * The user behind a token hash, the token, and the user's memberships (by team name), in one
   * query. Expired tokens and disabled users are returned as they are.
   */
  findPrincipalByTokenHash(hash: string): Promise<StoredPrincipal | undefined>;
  /**
   * A number that changes (in the same transaction) whenever a token, user, membership or team
   * changes or goes (migration 0022's triggers), or a product deprecation is set, changed or
   * removed (0024): a principal, team or deprecation found while it read N is still right while
   * it reads N. One primary-key read, for the server's cache of verified tokens; on SQLite none
   * while the database is unchanged (unchanged-reads.ts: any change is seen by the next call).
   */
  authEpoch(): Promise<number>;
  /**
   * authEpoch's answer without a promise when it is known now: kept, and the database unchanged
   * since (on SQLite always checked; on PostgreSQL once the request's change counter has arrived).
   * undefined when it is not: then ask authEpoch. The same check, without the wait.
   */
  keptAuthEpoch(): number | undefined;
  createTeam(input: { name: string; title: string; platform?: boolean }): Promise<Team>;
  /**
   * Many teams (not platform teams) in one transaction with multi-row inserts (a Backstage
   * import holds hundreds): all or none; ConflictError `team_exists` when one name is taken.
   */
  createTeams(inputs: readonly { name: string; title: string; parent?: string }[]): Promise<Team[]>;
  getTeam(idOrName: { id: string } | { name: string }): Promise<Team | undefined>;
  /** Changes a team's title or platform flag; undefined when there is no such team. */
  updateTeam(id: string, change: { title?: string; platform?: boolean; parent?: string }): Promise<Team | undefined>;
  /** Every team, or the teams `userId` belongs to; by name. */
  listTeams(filter?: { userId?: string }): Promise<Team[]>;
  /** Adds or changes a membership (upsert). */
  setMembership(input: { teamId: string; userId: string; role: TeamRole }): Promise<void>;
  /** Adds memberships in one transaction; one that exists is left as it is (its role is not changed). */
  addMemberships(list: readonly { teamId: string; userId: string; role: TeamRole }[]): Promise<void>;
  /** Removes a membership; false when there was none. */
  removeMembership(teamId: string, userId: string): Promise<boolean>;
  /** By team name, then user name. */
  listMemberships(filter: { userId?: string; teamId?: string }): Promise<Membership[]>;

  // sign-in with an identity provider (docs/sign-in.md)
  findUserByIdentity(identity: SignInIdentity): Promise<User | undefined>;
  getIdentity(userId: string): Promise<SignInIdentity | undefined>;
  /** Creates a user linked to `identity`, both or neither; ConflictError user_exists when the name (or the identity) is taken. */
  createLinkedUser(input: { name: string; admin: boolean; identity: SignInIdentity }): Promise<User>;
  /** Links an existing user to an IdP subject; ConflictError identity_linked when either is linked already. */
  linkIdentity(userId: string, identity: SignInIdentity): Promise<void>;
  /** Makes the user's IdP-derived memberships exactly `desired`, in one transaction; memberships set in Paved are kept. */
  syncMemberships(userId: string, desired: readonly { teamId: string; role: TeamRole }[]): Promise<MembershipSync>;
  setUserAdmin(userId: string, admin: boolean): Promise<User | undefined>;
  /** Deletes the user's tokens of `source` that expired by `before` (ISO); returns how many. */
  deleteExpiredTokens(userId: string, source: TokenSource, before: string): Promise<number>;
  /** Records a login under way (and drops expired ones). */
  putLogin(login: PendingLogin): Promise<void>;
  /** An unexpired login of `kind`, not consumed. */
  getLogin(id: string, kind: string): Promise<PendingLogin | undefined>;
  updateLogin(id: string, data: Record<string, unknown>): Promise<void>;
  /** Consumes an unexpired login of `kind`: only one caller ever gets it. */
  takeLogin(id: string, kind: string): Promise<PendingLogin | undefined>;

  // products
  /**
   * 'created' for a new version, 'unchanged' for the same digest; ConflictError if the version
   * exists with another digest (product_version_exists), or if the product is owned by another
   * team than the manifest's `metadata.owner` (product_owner_conflict). The first version
   * records its owner.
   */
  publishProductVersion(version: Omit<ProductVersion, 'publishedAt'>): Promise<'created' | 'unchanged'>;
  /** The name of the team that owns a product; undefined when there is no such product. */
  getProductOwner(name: string): Promise<string | undefined>;
  /** Moves a product to another owner team (by name); NotFoundError when there is no such product. */
  transferProduct(name: string, owner: string): Promise<void>;
  /** The given version, or the latest (the highest release; see latestVersionOf) when `version` is omitted. */
  getProductVersion(name: string, version?: string): Promise<ProductVersion | undefined>;
  /** The latest version of a product (the highest release, a pre-release only when it has no release), without reading its manifest; undefined if none. */
  latestProductVersion(name: string): Promise<string | undefined>;
  /** Oldest to newest by semver precedence; versions differing only in build metadata by their text. */
  listProductVersions(name: string): Promise<ProductVersion[]>;
  /** One summary per product, from its latest version's manifest; by name. */
  listProducts(): Promise<ProductSummary[]>;

  // instances
  /** ConflictError (code instance_exists) when the team already has an instance with that name. */
  createInstance(input: NewInstance): Promise<Instance>;
  /**
   * Many requests in one transaction (a workload's resources, an import, a benchmark), in order:
   * each is checked as createInstance checks it (its team, its name, its quotas, counting the
   * batch's requests before it) and is created whole or not at all; one refused does not stop
   * the others. One outcome per request, in the order given.
   */
  createInstances(inputs: readonly NewInstance[]): Promise<PromiseSettledResult<Instance>[]>;
  getInstance(id: string): Promise<Instance | undefined>;
  /**
   * getInstance with the instance's secret `secretName` (null when it has none), read in one
   * statement, so under one snapshot: what a watch that will reveal the credentials re-reads.
   */
  getInstanceWithSecret(id: string, secretName: string): Promise<InstanceWithSecret | undefined>;
  getInstanceByName(teamId: string, name: string): Promise<Instance | undefined>;
  /** In creation order (oldest first); the cursor is the last item's place in that order. */
  /** A page of one team (and no topLevel) is frozen: answered again while the database is unchanged (unchanged-reads.ts). */
  listInstances(filter: InstanceFilter): Promise<Page<Instance>>;
  /** listInstances's page of one team without a promise when it is kept and the database unchanged (as keptAuthEpoch); undefined otherwise. */
  keptInstancePage(filter: InstanceFilter): Page<Instance> | undefined;
  countInstances(filter: { teamId?: string; product?: string; plan?: string }): Promise<number>;
  /** Changes the desired spec: bumps generation and makes the instance due now. */
  updateInstanceSpec(id: string, spec: { plan?: string; productVersion?: string; inputs?: Record<string, unknown> }, actor: string, provenance?: RequestProvenance): Promise<Instance>;
  /** Marks for deletion, bumps generation and makes it due now. Idempotent. */
  requestDeletion(id: string, actor: string): Promise<Instance>;
  /**
   * Makes the instance due now and nothing else: no event, the backoff untouched (a driver's
   * callback, a composite woken by its parts). A person asking uses requestReconcile.
   */
  touch(id: string): Promise<void>;
  /**
   * `paved reconcile`: due now with the failure count reset (the next failure waits the shortest
   * backoff), a Failed instance shown as Provisioning (Deleting when being deleted) until the
   * engine's next result, and event `instance.reconcile-requested` naming `actor`.
   */
  requestReconcile(id: string, actor: string): Promise<Instance>;
  /**
   * Asks for a new credential (`paved rotate`): desiredRotation = rotation + 1, due now, event
   * `credentials.rotation-requested`. Asking while one is already asked for changes nothing.
   * ConflictError `instance_deleting` when being deleted, `instance_not_ready` unless Ready.
   */
  requestRotation(id: string, actor: string): Promise<Instance>;

  // policies and approvals (migration 0019, docs/policies.md)
  /** 'created' or 'unchanged'; ConflictError policy_version_exists / policy_owner_conflict. */
  putPolicyVersion(input: NewPolicyVersion): Promise<'created' | 'unchanged'>;
  /** Every applied version of every policy (or of `name`), by name. */
  listPolicyVersions(name?: string): Promise<StoredPolicyVersion[]>;
  /** The team's instance counts as policies see them, composite parts included. */
  instanceUsage(filter: UsageFilter): Promise<InstanceUsage>;
  /**
   * What a request is judged with (server/src/policies/gate.ts) and, when asked, its product's
   * latest version, read together: on PostgreSQL on one connection, pipelined, one round trip
   * instead of one a read (DialectAdapter.readTogether). Each read as its own method answers it,
   * under its own snapshot, taken after the call.
   */
  readForGate(request: GateReadsRequest): Promise<GateReads>;
  getApproval(id: string): Promise<Approval | undefined>;
  listApprovals(filter: ApprovalFilter): Promise<Approval[]>;
  /** Decides a Waiting approval and moves its instance (Pending and due now, or Denied); ConflictError approval_decided. */
  decideApproval(id: string, decision: ApprovalDecision): Promise<Approval>;

  // engine
  /**
   * Claims up to `limit` due instances (dueAt <= now and no live lease) for `owner` for
   * `leaseMs`, earliest due first (ties in creation order). On PostgreSQL uses FOR UPDATE SKIP
   * LOCKED; never hands one instance to two owners.
   */
  claimDue(input: { owner: string; leaseMs: number; limit: number }): Promise<ClaimedInstance[]>;
  /**
   * Instances created through this store object from now on, due at once (not held for
   * approval), are leased to `claimer` when it wants them, as claimDue would lease them, in the
   * create's transaction. Returns the function that stops it. Other workers (other processes)
   * see them leased, as any claimed instance.
   */
  claimOnCreate(claimer: CreateClaimer): () => void;
  /** Extends a lease; 'lost-lease' when another owner took it. */
  renewLease(id: string, leaseToken: string, leaseMs: number): Promise<'changed' | 'lost-lease'>;
  /** Writes intent or progress (EngineState only) under the lease. */
  recordEngineState(id: string, leaseToken: string, engine: Partial<EngineState>): Promise<WriteOutcome>;
  /** Writes status/outputs/engine state under the lease; skips the write when nothing changed. */
  recordStatus(id: string, leaseToken: string, write: StatusWrite): Promise<WriteOutcome>;
  /** Ends the lease (keeps dueAt as recorded). */
  releaseLease(id: string, leaseToken: string): Promise<void>;
  /** Deletes the instance row and its secrets, and appends `instance.deleted`, under the lease. */
  forgetInstance(id: string, leaseToken: string): Promise<WriteOutcome>;
  /** Epoch ms of the earliest dueAt among unleased instances, for the worker's sleep. */
  nextDueAt(): Promise<number | undefined>;

  // secrets (already encrypted by @paved/secrets)
  /**
   * Writes an envelope, unless a master key is active and `keyId` is not it ('stale-key': the
   * keys were rotated; seal again with the active key). The check and the write are one
   * transaction that excludes `activateMasterKey`, so once a rotation has switched keys no
   * envelope under the old key can land behind its re-wrap.
   */
  putSecret(row: Omit<SecretEnvelopeRow, 'updatedAt'>, options?: WriteOptions): Promise<SecretWriteOutcome>;
  getSecret(ownerId: string, name: string): Promise<SecretEnvelopeRow | undefined>;
  deleteSecrets(ownerId: string): Promise<void>;
  /** Deletes one secret of an owner (a retired credential's generated values). Idempotent. */
  deleteSecret(ownerId: string, name: string): Promise<void>;
  /**
   * A consistent copy of the whole store in the file `path` while others keep writing (SQLite's
   * online backup API); InputError `backup_unsupported_store` on PostgreSQL (use pg_dump there).
   */
  snapshot(path: string): Promise<void>;
  /** The master key that seals new secrets; undefined until one was registered. */
  activeMasterKey(): Promise<ActiveMasterKey | undefined>;
  /**
   * Makes `next` the active master key if the active one is still `expectedKeyId` (undefined:
   * none yet); false when another process changed it first. Waits for secret writes in flight.
   */
  activateMasterKey(next: { keyId: string; version: number }, expectedKeyId: string | undefined): Promise<boolean>;
  /** Up to `limit` secrets not sealed with `keyId`, in (owner, name) order after `after`: a re-wrap's worklist. */
  secretsNotSealedWith(keyId: string, options: { after?: { ownerId: string; name: string }; limit: number }): Promise<SecretEnvelopeRow[]>;
  /**
   * Replaces one envelope with its re-wrapped form if it still is `previousEnvelope` and `keyId`
   * is the active key; 'stale-key' when it is not, false when the secret changed or went away.
   */
  rewrapSecret(row: { ownerId: string; name: string; keyId: string; envelope: string }, previousEnvelope: string): Promise<boolean | 'stale-key'>;
  /** How many secrets each master key seals, by key id. */
  countSecretsByKey(): Promise<Record<string, number>>;

  // events
  appendEvent(event: NewEvent): Promise<PavedEvent>;
  /**
   * appendEvent, only while the auth epoch (authEpoch) is still `epoch`: read by the append's own
   * statement, so a token revoked, a user disabled or a membership removed that committed before
   * it is seen. Undefined, and nothing written, when the epoch has moved. A verification and its
   * audited act in one round trip (the watch stream's reveal, server/src/instances/stream-reveal.ts).
   */
  appendEventWhileAuthEpoch(event: NewEvent, epoch: number): Promise<PavedEvent | undefined>;
  /**
   * `rider`'s event is asked for by this process's next write of the instance's first Ready that
   * is one statement alone (PostgreSQL's writeAlone, StatusWrite.shownSecretKeys given), and
   * appended in that statement, after `instance.ready`, while the auth epoch is still the one it
   * gives: one commit for both. Any other Ready (another process's, a shared transaction) asks
   * nothing. Asked at most once; returns the function that withdraws it. Absent where no Ready
   * is one statement alone (SQLite): never asked.
   */
  rideOnReady?(instanceId: string, rider: ReadyRider): () => void;
  /** Many events in one transaction, in order. */
  appendEvents(events: readonly NewEvent[]): Promise<void>;
  /** In the order they were appended (oldest first). */
  listEvents(filter: { teamId?: string; instanceId?: string; kinds?: EventKind[]; cursor?: string; limit?: number }): Promise<Page<PavedEvent>>;

  /**
   * Called after any write that changes an instance, in this process and (on PostgreSQL,
   * through LISTEN/NOTIFY) in every other process on the same database. Returns unsubscribe.
   */
  onInstanceChange(listener: InstanceChangeListener): () => void;

  // services, environments and workloads (migration 0004)
  /** ConflictError `service_exists` when the team has a service of that name. */
  createService(input: NewService): Promise<Service>;
  /** Many services in one transaction (a catalog import): all or none; ConflictError `service_exists` when one exists. */
  createServices(inputs: readonly NewService[]): Promise<void>;
  getService(teamId: string, name: string): Promise<Service | undefined>;
  /** Every team's services (teamIds undefined) or some teams', by team name then service name. */
  listServices(filter?: { teamIds?: string[]; cursor?: string; limit?: number }): Promise<Page<Service>>;
  updateService(id: string, changes: ServiceChanges): Promise<Service>;
  /** ConflictError `service_has_instances` while any instance belongs to the service. */
  deleteService(id: string): Promise<void>;
  /** ConflictError `environment_exists` for a taken name. */
  createEnvironment(input: NewEnvironment): Promise<Environment>;
  getEnvironment(name: string): Promise<Environment | undefined>;
  /** Oldest first; environments created in the same millisecond (the three seeded ones) by name. */
  listEnvironments(): Promise<Environment[]>;
  updateEnvironment(name: string, changes: Partial<Omit<NewEnvironment, 'name'>>): Promise<Environment>;
  /** Instances whose workload is (service, environment), shared ones it created included; in creation order. */
  listWorkloadInstances(serviceId: string, environment: string): Promise<Instance[]>;
  /** Records (upserts) what the service's last apply in `environment` named and published; keeps its config. */
  putWorkload(record: Pick<WorkloadRecord, 'serviceId' | 'environment' | 'sharedIds' | 'ports'>): Promise<void>;
  /** Sets the service's own config values in `environment` (creating its record before a first apply). */
  putWorkloadConfig(record: Pick<WorkloadRecord, 'serviceId' | 'environment' | 'config'>): Promise<void>;
  /** The service's record in one environment, if it was applied or configured there. */
  getWorkload(serviceId: string, environment: string): Promise<WorkloadRecord | undefined>;
  /** Every workload record of a team's services in one environment, by service name. */
  listWorkloads(filter: { teamId: string; environment: string }): Promise<WorkloadRecord[]>;

  // logs (migration 0005)
  /** Appends lines to one stream in one transaction (lines cut at 16 KiB); InputError naming `lines` past 1000 lines. */
  appendLogLines(batch: LogBatch): Promise<{ appended: number; lastSeq?: number }>;
  /** In the order they were appended (`seq`, oldest first). */
  listLogLines(filter: LogLineFilter): Promise<LogLinePage>;
  /** Deletes lines older than `olderThan` (ISO), in one stream or, without a stream, everywhere; returns how many. */
  pruneLogLines(filter: Partial<LogStreamRef> & { olderThan: string }): Promise<number>;
  /** Every stream that has at least one line (for retention), by team id, service, environment. */
  listLogStreams(): Promise<LogStreamRef[]>;
  /** The seq of the stream's newest line, 0 when it has none (where a follow without a cursor starts). */
  lastLogSeq(stream: LogStreamRef): Promise<number>;
  /**
   * Called after lines are appended through this Store object (this process only: followers in
   * other processes poll, see the server's log service). Returns unsubscribe.
   */
  onLogLines(listener: LogAppendListener): () => void;

  // audit log (migration 0009)
  /**
   * Appends a record to the audit chain: the next seq and the head's hash are read under a lock
   * that serialises every append (SQLite's write lock; the audit_head row FOR UPDATE on
   * PostgreSQL), `seal` hashes and signs, and record and head commit together. `at` is the store's clock.
   */
  appendAuditRecord(entry: Omit<AuditEntry, 'at'>, seal: AuditSealer, options?: WriteOptions): Promise<AuditRecord>;
  /**
   * Newest first. A `received` record whose `completed` record exists is left out: the listing
   * shows one line per request (the export has both).
   */
  listAuditRecords(filter: AuditRecordFilter): Promise<Page<AuditRecord>>;
  /** Oldest first, after `afterSeq`, at most `limit`: what an export streams, page by page. */
  readAuditRecords(filter: { afterSeq: number; limit: number; team?: string }): Promise<AuditRecord[]>;
  /** The seq and hash of the chain's last record (seq 0 and the genesis hash when empty). */
  auditHead(): Promise<{ seq: number; hash: string }>;
  /** Stores a checkpoint; false when one for that seq exists already. */
  putAuditCheckpoint(checkpoint: AuditCheckpoint): Promise<boolean>;
  /** Every stored checkpoint, oldest first. */
  listAuditCheckpoints(): Promise<AuditCheckpoint[]>;

  // composition (migration 0006)
  /** The parts of a composite instance (instances whose parent is `parentId`), in creation order. */
  listInstanceParts(parentId: string): Promise<Instance[]>;
  /**
   * An instance by name with its parts (none unless it is a composite), the parts read only when
   * there are some. Frozen: answered again while the database is unchanged (unchanged-reads.ts).
   */
  getInstanceWithParts(teamId: string, name: string): Promise<{ instance: Instance; parts: Instance[] } | undefined>;
  /** getInstanceWithParts's answer without a promise when it is kept and the database unchanged (as keptAuthEpoch); undefined otherwise, an unknown name included. */
  keptInstanceWithParts(teamId: string, name: string): { instance: Instance; parts: Instance[] } | undefined;

  // measures (migration 0013): parts of composites are never requests of their own
  /** Requests made in the window, per product and version, by first outcome. By product, then version. */
  requestOutcomes(window: MeasureWindow, scope?: MeasureScope): Promise<RequestOutcomeRow[]>;
  /** p50/p95 of request → first Ready over the window's requests that reached Ready; per product, or per product and version. */
  timeToReady(window: MeasureWindow, by: 'product' | 'version', scope?: MeasureScope): Promise<TimeToReadyRow[]>;
  /** Live instances and adopting teams now, per product, or per product and version. */
  liveInstances(by: 'product' | 'version', scope?: MeasureScope): Promise<LiveInstancesRow[]>;
  /** Each team's first request that reached Ready (of `scope`'s products), with the team's creation time; by team id. */
  firstReadyByTeam(scope?: MeasureScope): Promise<FirstReadyRow[]>;
  /** Adoption at each cut-off (epoch ms), in the order given. */
  adoptionAt(cutoffs: number[], scope?: Pick<MeasureScope, 'teamIds'>): Promise<AdoptionRow[]>;
  /** Interventions in the window per requesting team, week and kind; by week, then team name, then kind. */
  interventionCounts(window: MeasureWindow, scope?: MeasureScope): Promise<InterventionCountRow[]>;
  /** Per week of first Ready in the window: requests that reached Ready, and those with no intervention before; by week. */
  unassistedReady(window: MeasureWindow, scope?: MeasureScope): Promise<UnassistedRow[]>;
  /**
   * Records an intervention against the request of `instanceId` (its team and product; a part's
   * composite). NotFoundError `instance_not_found` when the instance was never requested.
   */
  recordIntervention(input: NewIntervention): Promise<StoredIntervention>;
  /** One product's interventions of the given kinds, newest first (the cursor continues to older ones). */
  listInterventions(filter: { product: string; kinds: string[]; cursor?: string; limit?: number }): Promise<Page<StoredIntervention>>;
  /** Instances due now and not leased (waiting for a worker), and those under a live lease (being reconciled). */
  queueDepth(): Promise<{ due: number; leased: number }>;

  // feedback (migration 0014)
  /** ConflictError `feedback_exists` when the user already gave feedback on that instance. */
  recordFeedback(input: NewFeedback): Promise<StoredFeedback>;
  /** Responses per week and score for one product in the window; by week, then score. */
  satisfaction(product: string, window: MeasureWindow): Promise<SatisfactionRow[]>;
  /** One product's feedback with a comment, newest first. */
  listFeedbackComments(filter: { product: string; cursor?: string; limit?: number }): Promise<Page<StoredFeedback>>;

  // delivery events (migration 0011)
  /**
   * Applies a delivery's facts in one transaction, after recording its delivery id: 'duplicate'
   * (nothing applied) when that id was recorded before. Facts are applied by their own times,
   * so deliveries may arrive in any order; links between deployments and changes are kept.
   */
  recordDelivery(delivery: DeliveryRecord, rules: DeliveryRules): Promise<'recorded' | 'duplicate'>;
  /**
   * Accepts a webhook delivery without applying it (migration 0023): records its delivery id
   * ('duplicate', nothing queued, when that id was seen before) and puts its facts in the inbox,
   * durably, in a transaction shared with the deliveries that arrive together.
   */
  queueDelivery(delivery: DeliveryRecord): Promise<'queued' | 'duplicate'>;
  /**
   * Applies up to `limit` of the oldest waiting deliveries (with ids up to `upTo`, when given)
   * as recordDelivery would, in one transaction that also removes them from the inbox: each is
   * applied exactly once, even across a crash. On PostgreSQL rows another process is applying
   * are skipped. A delivery whose facts fail keeps its error in the inbox and is not retried.
   */
  applyQueuedDeliveries(rules: DeliveryRules, options: { limit: number; upTo?: number }): Promise<DrainedDeliveries>;
  /** How many deliveries wait in the inbox, how many failed, and the id of the newest waiting one. */
  deliveryInboxDepth(): Promise<DeliveryInboxDepth>;
  /**
   * Re-derives what depends on the rules (production environments, incident issues, and so the
   * links) when their fingerprint differs from the one recorded; call at start. True when it did.
   */
  applyDeliveryRules(rules: DeliveryRules): Promise<boolean>;
  /** Every repository that sent events (a small table: one row per repository). */
  listDeliveryRepositories(): Promise<DeliveryRepository[]>;
  /** How many deployments, changes and incidents each of these repositories has. */
  countDeliveryEvents(repositoryIds: readonly number[]): Promise<DeliveryEventCounts[]>;
  /** The facts the DORA metrics are computed from, aggregated in the database. */
  doraFacts(query: DoraFactsQuery): Promise<DoraFacts>;
}

/** How a write commits, where the caller knows more than the store (PostgreSQL; SQLite's commits never wait for a flush). */
export interface WriteOptions {
  /**
   * The write is flushed by a later commit on its path (dialect/flushed-later.ts says when a
   * write may be): its commit does not wait for PostgreSQL's WAL flush, unless it shares that
   * commit with a write that is not marked.
   */
  flushedLater?: boolean;
}
