/**
 * Shapes of the HTTP API's requests and responses (`/api/v1`), shared by the server (which
 * also declares them as TypeBox schemas for validation and OpenAPI) and the API client.
 *
 * The routes are not listed here: the OpenAPI document every server serves at
 * `/api/openapi.json`, generated from the route schemas, is their reference, and docs/api.md is
 * the guide (its table of routes is checked against the document by the server's tests).
 */
import type { Instance, Membership, Phase, ProductManifest, ProductSummary, ProductVersion, Team, TeamRole, TokenInfo, User } from './types.js';
import type { TemplateFile, TemplateSummary } from './catalog.js';
import type { LogLine } from './catalog.js';

export interface WhoAmI {
  user: User;
  memberships: Membership[];
  /** The token this request was made with: what it may do. */
  token: TokenInfo;
}

export interface CreateUserRequest {
  name: string;
  admin?: boolean;
}
export interface CreatedUser {
  user: User;
  /** Shown once; only its hash is stored. */
  token: string;
  tokenInfo: TokenInfo;
}

export interface UpdateUserRequest {
  disabled?: boolean;
}

export interface CreateTokenRequest {
  name: string;
  /** Days until the token stops working, 1 to 366. Default 90. */
  expiresInDays?: number;
  readOnly?: boolean;
  /** Limit the token to this one team (a CI token). */
  team?: string;
}

export interface IssuedToken {
  /** Shown once; only its hash is stored. */
  token: string;
  info: TokenInfo;
}

export interface CreateTeamRequest {
  name: string;
  title?: string;
  /** Platform admin only: a platform team publishes products. */
  platform?: boolean;
}

export interface UpdateTeamRequest {
  title?: string;
  platform?: boolean;
}

/** An instance as its product's owner team sees it across teams: health only, no inputs or outputs. */
export interface ProductInstance {
  team: string;
  name: string;
  version: string;
  plan: string;
  phase: Phase;
  /** The Ready condition's reason and message. */
  reason?: string;
  message?: string;
  createdAt: string;
  updatedAt: string;
}

export interface TransferProductRequest {
  /** The team that owns the product from now on. */
  owner: string;
}

export interface SetMembershipRequest {
  role: TeamRole;
}

export interface ProductDetail extends ProductSummary {
  manifest: ProductManifest;
  versions: string[];
}

export interface PublishResult {
  result: 'created' | 'unchanged';
  product: ProductVersion;
}

export interface CreateInstanceRequest {
  name: string;
  product: string;
  /** Defaults to the product's default plan. */
  plan?: string;
  /** Defaults to the latest published version. */
  version?: string;
  inputs?: Record<string, unknown>;
  /** The environment the instance serves (dev, prod…): policies judge by it. */
  environment?: string;
  /** Judge the request (policies, quotas) and say what would happen, creating nothing. */
  dryRun?: boolean;
}

export interface UpdateInstanceRequest {
  plan?: string;
  version?: string;
  inputs?: Record<string, unknown>;
  /** Judge the change (policies, quotas) and say what would happen, changing nothing. */
  dryRun?: boolean;
}

export interface Credentials {
  instance: string;
  team: string;
  /** Every output, secret ones included. */
  values: Record<string, string>;
}

/** RFC 9457 problem details as Paved sends them. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  errors?: { path: string; message: string }[];
}

export type { Instance, Team, ProductVersion };

// ---------------------------------------------------------------------------------------------
// Backstage interoperability (docs/backstage.md)

/** A Backstage catalog entity as parsed from catalog-info.yaml (kept loose: Backstage's own schema is open). */
export interface BackstageEntity {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; title?: string; description?: string; annotations?: Record<string, string>; [key: string]: unknown };
  spec?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface BackstageImportRequest {
  /** Entities already parsed from YAML (the CLI reads multi-document files). */
  entities: Record<string, unknown>[];
  /**
   * Entities of the same import sent in other requests (a large catalog goes in batches): they
   * resolve owners, systems, memberships and user owners, and are not imported by this request.
   */
  context?: Record<string, unknown>[];
  /** Report what would change without changing anything. */
  dryRun?: boolean;
}

/** Names of what an import created, updated or left alone; memberships as "team/user". */
export interface BackstageImportCounts {
  teams: string[];
  users: string[];
  memberships: string[];
  services: string[];
}

export interface BackstageImportSummary {
  dryRun: boolean;
  created: BackstageImportCounts;
  updated: BackstageImportCounts;
  unchanged: BackstageImportCounts;
  /** Entities (or relations) not imported, with why. `entity` is a Backstage entity ref. */
  skipped: { entity: string; reason: string }[];
  /** Entities whose Backstage name is not a Paved name and was normalised. */
  renamed: { entity: string; from: string; to: string }[];
  /** Things worth knowing that did not stop the import (lifecycle mapped, hierarchy flattened…). */
  notes: { entity: string; message: string }[];
  /** Resources Paved could provision: request them as this product for this team. */
  suggestions: { entity: string; product: string; team: string }[];
  /** dependsOn relations found between components and resources (reported, not stored). */
  dependencies: { from: string; to: string }[];
  /** Components owned by a user (`owner: user:guest`), imported into that user's team. */
  ownersMapped: { entity: string; user: string; team: string }[];
}

export interface BackstageExport {
  entities: BackstageEntity[];
}

// ---------------------------------------------------------------------------------------------
// Golden-path templates (docs/golden-paths.md)

/** A value a template asks for besides the built-in service, team and port (`paved init --set name=value`). */
export interface TemplateParameter {
  name: string;
  description: string;
  default?: string;
}

/** A template as `paved init` needs it: its files unrendered, so the CLI substitutes the values. */
export interface TemplateDetail {
  summary: TemplateSummary;
  parameters: TemplateParameter[];
  files: TemplateFile[];
}

// ------------------------------------------------------------------------------------------
// Services, environments and workloads

export interface CreateServiceRequest {
  name: string;
  description?: string;
  repositoryUrl?: string;
  lifecycle?: import('./catalog.js').ServiceLifecycle;
  system?: string;
}

export type UpdateServiceRequest = Partial<Omit<CreateServiceRequest, 'name'>>;

export interface CreateEnvironmentRequest {
  name: string;
  description?: string;
  targetSelector?: Record<string, string>;
  policies?: import('./catalog.js').EnvironmentPolicies;
  /** What every service's Score `environment` resource sees here (not secret). */
  variables?: Record<string, string>;
}

export type UpdateEnvironmentRequest = Partial<Omit<CreateEnvironmentRequest, 'name'>>;

/** A service's own config values in one environment, replacing what it had. */
export interface SetWorkloadConfigRequest {
  values: Record<string, string>;
}

/** A Score workload document (score.dev/v1b1) as JSON; the server validates it again. */
export interface ApplyWorkloadRequest {
  score: Record<string, unknown>;
  /** Plan only: nothing is written (`paved plan`). */
  dryRun?: boolean;
}

// ------------------------------------------------------------------------------------------
// Logs (docs/workloads.md "Logs")

export interface ShippedLogLine {
  /** ISO 8601; the server's receive time when absent. */
  at?: string;
  stream: 'stdout' | 'stderr';
  /** Cut at 16 KiB. */
  line: string;
}

export interface AppendLogLinesRequest {
  lines: ShippedLogLine[];
}

export interface LogQuery {
  /** A duration back from now (30s, 10m, 2h, 7d) or an ISO 8601 time. */
  since?: string;
  /** Case-sensitive literal substring. */
  grep?: string;
  /** A line's seq: only lines after it. */
  cursor?: string;
  limit?: number;
}

export interface LogPage {
  items: LogLine[];
  /** Present when more lines may follow now; pass as `cursor`. */
  nextCursor?: string;
}

export interface PruneLogsResult {
  deleted: number;
  streams: number;
}

// --- Sign-in with an identity provider (docs/sign-in.md) ---

/** GET /api/v1/auth/oidc: the provider Paved signs people in with. */
export interface OidcInfo {
  issuer: string;
  /** Whether the provider offers the device flow. */
  deviceFlow: boolean;
}

/** POST /api/v1/auth/oidc/device: a device sign-in started for the CLI. */
export interface DeviceLogin {
  /** Secret: poll with it. */
  loginId: string;
  userCode: string;
  verificationUri: string;
  verificationUriComplete?: string;
  expiresIn: number;
  interval: number;
}

/** POST /api/v1/auth/oidc/device/token: still waiting (poll again after `interval` seconds), or signed in. */
export type DevicePoll =
  | { status: 'pending' | 'slow_down'; interval: number }
  | { status: 'signed-in'; token: string; info: TokenInfo };

/** PUT /api/v1/users/{user}/identity: the IdP subject a user is linked to. */
export interface UserIdentity {
  user: string;
  issuer: string;
  subject: string;
}
