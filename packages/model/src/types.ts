/** The vocabulary (docs/architecture.md#vocabulary) as TypeScript types, shared by every package. */
import type { InstanceDeprecation } from './versions/evolution.js';
import type { InstanceWorkloadRef } from './catalog.js';
import type { ConditionReason, ConditionType } from './conditions.js';

export type Lifecycle = 'experimental' | 'beta' | 'ga' | 'deprecated';
export const LIFECYCLES: readonly Lifecycle[] = ['experimental', 'beta', 'ga', 'deprecated'];

export type TeamRole = 'owner' | 'member' | 'viewer';
export const TEAM_ROLES: readonly TeamRole[] = ['owner', 'member', 'viewer'];

export interface User {
  id: string;
  name: string;
  /** Platform admin: may create teams and users, mark platform teams, move a product's ownership, act on every team. */
  admin: boolean;
  /** A disabled user's tokens stop working at once; nothing of theirs is deleted. */
  disabled: boolean;
  createdAt: string;
}

export interface Team {
  id: string;
  name: string;
  title: string;
  /**
   * A platform team publishes and evolves the products it owns and sees the health of their
   * instances across teams. Set by a platform admin; a developer team never publishes.
   */
  platform: boolean;
  /** The team this team belongs to (a Backstage Group's parent), when imported. */
  parent?: string;
  createdAt: string;
}

/**
 * What an API token may do beyond its user's own rights: never more, possibly less. A
 * read-only token only reads; a team token acts for one team and nothing else (CI).
 */
export interface TokenScope {
  readOnly: boolean;
  /** The only team the token may act for (a CI token); absent: every team of its user. */
  team?: string;
}

/** An API token as listed: never the token itself, never its hash. */
export interface TokenInfo {
  id: string;
  name: string;
  user: string;
  scope: TokenScope;
  createdAt: string;
  /** Absent: the token never expires (only the local admin token of `paved up`). */
  expiresAt?: string;
}

export interface Membership {
  teamId: string;
  teamName: string;
  userId: string;
  userName: string;
  role: TeamRole;
}

// ---------------------------------------------------------------------------------------------
// Products

export interface PlanSpec {
  default?: boolean;
  description?: string;
  /** Values merged over the requester's inputs' defaults and passed to the driver. */
  values?: Record<string, unknown>;
  quota?: { perTeam?: number };
  /** `paved rotate`: how long the previous credential keeps working (e.g. '1h'). */
  rotation?: { gracePeriod?: string };
}

export interface OutputSpec {
  description?: string;
  /** Secret outputs live only in the secret store and are revealed by an explicit call. */
  secret?: boolean;
  /** Composite products: the part output this one is taken from, "<part>.<output>". */
  from?: string;
}

/** One part of a composite product. */
export interface IncludeSpec {
  name: string;
  product: string;
  version?: string;
  plan?: string;
  inputs?: Record<string, unknown>;
  /** Parts this one needs first; deletion runs in the reverse order. */
  dependsOn?: string[];
}

export interface ProductManifest {
  apiVersion: 'paved.dev/v1alpha1';
  kind: 'Product';
  metadata: {
    name: string;
    title: string;
    owner: string;
    lifecycle: Lifecycle;
    tags?: string[];
  };
  spec: {
    version: string;
    description: string;
    /** What changed in this version, for the product's users (docs/product-versions.md#changelog). */
    changelog?: string;
    docs?: string;
    support?: { channel?: string; url?: string };
    driver: string;
    targets?: { selector?: Record<string, string> };
    /** JSON Schema (draft 2020-12 subset that Ajv supports) for what a requester may set. */
    inputs: Record<string, unknown>;
    plans: Record<string, PlanSpec>;
    outputs: Record<string, OutputSpec>;
    slo?: { timeToReady?: { p95?: string } };
    /** What the periodic drift check does when the resource changed behind Paved's back. */
    drift?: 'repair' | 'report';
    /** Contract checks (names the driver offers) run with the issued credentials before Ready. */
    checks?: string[];
    /** Every service gets an instance of this product in every environment without asking. */
    bakedIn?: boolean;
    /** Composition: parts provisioned together as one unit (driver `composite`). */
    includes?: IncludeSpec[];
    /** How Score files use it: further resource types it serves, and whether any output name is allowed. */
    score?: ScoreSpec;
  };
}

/** `spec.score` of a product manifest (docs/workloads.md#types-a-platform-maps). */
export interface ScoreSpec {
  /** Score resource types this product serves besides its own name, e.g. ['mongodb']. */
  types?: string[];
  /** Placeholders may name any output: the instance's outputs are whatever its driver returns. */
  openOutputs?: boolean;
}

/** An immutable published snapshot of a product manifest. */
export interface ProductVersion {
  name: string;
  version: string;
  manifest: ProductManifest;
  /** sha256 of the canonical JSON of the manifest: re-applying an identical manifest is a no-op. */
  digest: string;
  publishedAt: string;
}

export interface ProductSummary {
  name: string;
  title: string;
  owner: string;
  lifecycle: Lifecycle;
  latestVersion: string;
  description: string;
  driver: string;
  plans: string[];
  /** The manifest's `metadata.tags` (empty when it has none): what the catalog filters by. */
  tags: string[];
  /** In the catalog listing: set when the whole product is deprecated (docs/product-versions.md#deprecation). */
  deprecation?: { date: string; reason: string };
  /** In the catalog listing: the versions deprecated one by one, by version text; absent when none is. */
  deprecatedVersions?: { version: string; date: string }[];
}

// ---------------------------------------------------------------------------------------------
// Instances

/**
 * AwaitingApproval: a requireApproval policy holds the request until a member of the approving
 * team decides (the engine does not touch it meanwhile); Denied: they refused it, `status.approval`
 * says who and why. Both come before any provisioning (docs/policies.md#approvals).
 */
export type Phase = 'AwaitingApproval' | 'Denied' | 'Pending' | 'Provisioning' | 'Ready' | 'Failed' | 'Deleting';
export const PHASES: readonly Phase[] = ['AwaitingApproval', 'Denied', 'Pending', 'Provisioning', 'Ready', 'Failed', 'Deleting'];

/**
 * A condition in the style of Kubernetes/Crossplane: `reason` is a stable CamelCase word for
 * machines, from the closed list in conditions.ts; `message` is one line for people saying what
 * is wrong and what to do. Messages are deterministic (no timestamps), so an unchanged state
 * does not produce a write.
 */
export interface Condition {
  type: ConditionType;
  status: 'True' | 'False' | 'Unknown';
  reason: ConditionReason;
  message: string;
  lastTransitionAt: string;
}

export interface InstanceStatus {
  phase: Phase;
  conditions: Condition[];
  /** The underlying error of the last failure, for operators (never contains a secret). */
  lastError?: string;
  readyAt?: string;
  /** Results of the last contract-check run, in the product's order (absent: the product declares none). */
  checks?: CheckResult[];
  /** Set while a request waits for approval, and after the decision (docs/policies.md#approvals). */
  approval?: InstanceApproval;
}

/** The approval an instance's request waited for: who may decide, and what they decided. */
export interface InstanceApproval {
  id: string;
  state: 'Waiting' | 'Approved' | 'Denied';
  /** The team whose owners and members may decide (never the requester). */
  approvers: string;
  /** The policies that asked for it. */
  policies: string[];
  decidedBy?: string;
  reason?: string;
}

/** One contract check's outcome; `message` is one line and never holds a secret. */
export interface CheckResult {
  name: string;
  passed: boolean;
  message: string;
}

/** Where the instance's credentials stand (`paved rotate`). */
export interface InstanceCredentials {
  /** The current credential: 0 until the first rotation, then 1, 2, … */
  rotation: number;
  /** A rotation was requested and the new credential is not issued yet. */
  rotating: boolean;
  /** When the previous credential stops working (ISO time); absent when none is pending revocation. */
  previousRevokeAt?: string;
}

export interface Instance {
  id: string;
  teamId: string;
  teamName: string;
  name: string;
  product: string;
  productVersion: string;
  plan: string;
  /** The requester's inputs, validated against the product version's input schema. */
  inputs: Record<string, unknown>;
  /** Deterministic name of the resource on the target, chosen once at creation. */
  externalName: string;
  target: string;
  generation: number;
  observedGeneration: number;
  deletionRequested: boolean;
  status: InstanceStatus;
  /** Non-secret outputs (host, port, database, username...). Secret ones are in the secret store. */
  outputs: Record<string, string>;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  /** Credential rotation state. */
  credentials: InstanceCredentials;
  /** Set when a workload (Score file) asked for this instance: its service, environment and resource. */
  workload?: InstanceWorkloadRef;
  /** Composition (migration 0006): set on a part of a composite instance; the part is managed through its parent. */
  parent?: InstanceParentRef;
  /** Composition: the parts of a composite instance, when the API was asked for one instance (get). */
  parts?: InstancePart[];
  /** Set when its product version (or product) is deprecated (docs/product-versions.md#deprecation). */
  deprecation?: InstanceDeprecation;
  /** Set while the instance is held on its version (`paved hold`): rollouts skip it. */
  hold?: { reason: string; heldBy: string; heldAt: string };
  /** The environment the instance serves: its workload's, or the one named when it was asked for (policies see it). */
  environment?: string;
}

/** The composite instance a part belongs to, and which of its `spec.includes` the part is. */
export interface InstanceParentRef {
  id: string;
  name: string;
  part: string;
}

/** One part of a composite instance, as shown with its parent. */
export interface InstancePart {
  /** The include's name in the composite product (db, key…). */
  part: string;
  /** The part's own instance name (`<parent>-<part>`). */
  name: string;
  product: string;
  productVersion: string;
  plan: string;
  phase: Phase;
}

// ---------------------------------------------------------------------------------------------
// Events

export type EventKind =
  | 'instance.requested'
  | 'instance.updated'
  | 'instance.ready'
  | 'instance.failed'
  | 'instance.drifted'
  | 'instance.repaired'
  | 'instance.delete-requested'
  | 'instance.deleted'
  /** `paved reconcile`: someone asked for a pass now, with the failure backoff reset. */
  | 'instance.reconcile-requested'
  /** A requireApproval policy held the request; data names the approval and the approving team. */
  | 'instance.approval-requested'
  | 'instance.approved'
  | 'instance.denied'
  /** A webhook automation reported the end of an asynchronous request (driver webhook). */
  | 'instance.callback-received'
  /** Moved to another version of its product (`paved upgrade` or a rollout): data `from`, `to`, and `rollout` when one did it. */
  | 'instance.upgraded'
  /** A rollout moved a failed instance back to the version it ran before: data `from`, `to`, `rollout`. */
  | 'instance.rolled-back'
  /** `paved hold`: rollouts skip the instance (data `reason`); `paved unhold` lifts it. */
  | 'instance.held'
  | 'instance.unheld'
  /** A fleet rollout of a product (docs/rollouts.md): started, paused, resumed, halted, completed. */
  | 'rollout.started'
  | 'rollout.paused'
  | 'rollout.resumed'
  | 'rollout.halted'
  | 'rollout.completed'
  | 'credentials.revealed'
  /** `paved rotate`: a new credential was asked for. */
  | 'credentials.rotation-requested'
  /** The new credential is issued; the previous one works until its revocation. */
  | 'credentials.rotated'
  /** The previous credential was removed after the grace period. */
  | 'credentials.revoked'
  | 'product.published'
  /** A platform admin moved a product to another owner team. */
  | 'product.transferred'
  /** A version, or the whole product (no `version` in data), was deprecated with a date (docs/product-versions.md). */
  | 'product.deprecated'
  /** A deprecation was withdrawn. */
  | 'product.undeprecated'
  | 'team.created'
  /** Title or platform flag changed. */
  | 'team.updated'
  | 'team.member-added'
  | 'team.member-removed'
  | 'user.created'
  | 'user.disabled'
  | 'user.enabled'
  /** Signed in with the identity provider (docs/sign-in.md): how, which subject, the teams and admin flag it gave. */
  | 'user.signed-in'
  /** A platform admin linked a user to an identity provider subject. */
  | 'user.linked'
  /** An API token was issued (to whom, by whom, with what scope and expiry; never the token). */
  | 'token.issued'
  | 'token.revoked';

export interface PavedEvent {
  id: string;
  at: string;
  kind: EventKind;
  teamId?: string;
  instanceId?: string;
  actor?: string;
  data: Record<string, unknown>;
}

/** One page of a listing; `nextCursor` is absent on the last page. */
export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

/** Which page of a listing to read: the cursor of the previous page, and how many items at most. */
export interface PageRequest {
  cursor?: string;
  limit?: number;
}
