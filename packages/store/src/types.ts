import type {
  EventKind, Instance, InstanceStatus, Membership, Page, PavedEvent, ProductSummary, ProductVersion, Team, TeamRole, User,
} from '@paved/model';

/**
 * The store is the source of truth and the work queue (DESIGN.md). One interface, two
 * dialects (SQLite by default, PostgreSQL when PAVED_DATABASE_URL is set); every difference
 * between them lives in the dialect adapter. Store functions return plain outcomes instead of
 * throwing for expected races ('changed' | 'unchanged' | 'lost-lease').
 *
 * Times: ISO strings in the domain types; `dueAt` / lease expiry are epoch milliseconds.
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

/** An instance claimed by a worker, with the token that guards every write of this pass. */
export interface ClaimedInstance {
  instance: Instance;
  engine: EngineState;
  leaseToken: string;
  leaseExpiresAt: number;
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
  /** When set, the create fails with QuotaError if the team already has `max` live instances of this product and plan. */
  quota?: { max: number };
}

export interface InstanceFilter {
  /** Only these teams (undefined = all, for admins). */
  teamIds?: string[];
  product?: string;
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
}

export type WriteOutcome = 'changed' | 'unchanged' | 'lost-lease';

export interface NewEvent {
  kind: EventKind;
  teamId?: string;
  instanceId?: string;
  actor?: string;
  data?: Record<string, unknown>;
}

/** An encrypted secret as the secret store hands it over: opaque bytes in base64. */
export interface SecretEnvelopeRow {
  ownerId: string;
  name: string;
  /** JSON of the envelope (key id, wrapped data key, iv, tag, ciphertext), never plaintext. */
  envelope: string;
  updatedAt: string;
}

export type InstanceChangeListener = (change: { instanceId: string; teamId: string }) => void;

export interface Store {
  readonly dialect: Dialect;
  /** Runs pending migrations. Idempotent; safe to call from several processes at once. */
  migrate(): Promise<void>;
  close(): Promise<void>;
  /** Cheap round trip for /readyz. */
  ping(): Promise<void>;

  // identity
  createUser(input: { name: string; admin: boolean }): Promise<User>;
  getUser(idOrName: { id: string } | { name: string }): Promise<User | undefined>;
  listUsers(): Promise<User[]>;
  createToken(input: { userId: string; name: string; hash: string }): Promise<{ id: string }>;
  /** Finds the user of a token by the token's sha256 hash. */
  findUserByTokenHash(hash: string): Promise<User | undefined>;
  createTeam(input: { name: string; title: string }): Promise<Team>;
  getTeam(idOrName: { id: string } | { name: string }): Promise<Team | undefined>;
  listTeams(filter?: { userId?: string }): Promise<Team[]>;
  /** Adds or changes a membership (upsert). */
  setMembership(input: { teamId: string; userId: string; role: TeamRole }): Promise<void>;
  listMemberships(filter: { userId?: string; teamId?: string }): Promise<Membership[]>;

  // products
  /** 'created' for a new version, 'unchanged' for the same digest; ConflictError if the version exists with another digest. */
  publishProductVersion(version: Omit<ProductVersion, 'publishedAt'>): Promise<'created' | 'unchanged'>;
  /** The given version, or the highest semver version when `version` is omitted. */
  getProductVersion(name: string, version?: string): Promise<ProductVersion | undefined>;
  listProductVersions(name: string): Promise<ProductVersion[]>;
  listProducts(): Promise<ProductSummary[]>;

  // instances
  /** ConflictError (code instance_exists) when the team already has an instance with that name. */
  createInstance(input: NewInstance): Promise<Instance>;
  getInstance(id: string): Promise<Instance | undefined>;
  getInstanceByName(teamId: string, name: string): Promise<Instance | undefined>;
  listInstances(filter: InstanceFilter): Promise<Page<Instance>>;
  countInstances(filter: { teamId?: string; product?: string; plan?: string }): Promise<number>;
  /** Changes the desired spec: bumps generation and makes the instance due now. */
  updateInstanceSpec(id: string, spec: { plan?: string; productVersion?: string; inputs?: Record<string, unknown> }, actor: string): Promise<Instance>;
  /** Marks for deletion, bumps generation and makes it due now. Idempotent. */
  requestDeletion(id: string, actor: string): Promise<Instance>;
  /** Makes the instance due now (e.g. `paved reconcile`). */
  touch(id: string): Promise<void>;
  /**
   * Asks for a new credential (`paved rotate`): desiredRotation = rotation + 1, due now, event
   * `credentials.rotation-requested`. Asking while one is already asked for changes nothing.
   * ConflictError `instance_deleting` when being deleted, `instance_not_ready` unless Ready.
   */
  requestRotation(id: string, actor: string): Promise<Instance>;

  // engine
  /**
   * Claims up to `limit` due instances (dueAt <= now and no live lease) for `owner` for
   * `leaseMs`. On PostgreSQL uses FOR UPDATE SKIP LOCKED; never hands one instance to two owners.
   */
  claimDue(input: { owner: string; leaseMs: number; limit: number }): Promise<ClaimedInstance[]>;
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
  putSecret(row: Omit<SecretEnvelopeRow, 'updatedAt'>): Promise<void>;
  getSecret(ownerId: string, name: string): Promise<SecretEnvelopeRow | undefined>;
  deleteSecrets(ownerId: string): Promise<void>;
  /** Deletes one secret of an owner (a retired credential's generated values). Idempotent. */
  deleteSecret(ownerId: string, name: string): Promise<void>;

  // events
  appendEvent(event: NewEvent): Promise<PavedEvent>;
  listEvents(filter: { teamId?: string; instanceId?: string; kinds?: EventKind[]; cursor?: string; limit?: number }): Promise<Page<PavedEvent>>;

  /**
   * Called after any write that changes an instance, in this process and (on PostgreSQL,
   * through LISTEN/NOTIFY) in every other process on the same database. Returns unsubscribe.
   */
  onInstanceChange(listener: InstanceChangeListener): () => void;
}
