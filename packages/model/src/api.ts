/**
 * Shapes of the HTTP API's requests and responses (`/api/v1`), shared by the server (which
 * also declares them as TypeBox schemas for validation and OpenAPI) and the API client.
 *
 * Routes (all JSON, bearer token, errors as application/problem+json with `code`):
 *   GET    /healthz                                   liveness, no auth
 *   GET    /readyz                                    store reachable, no auth
 *   GET    /api/openapi.json                          OpenAPI 3.1, no auth
 *   GET    /api/v1/whoami                             → WhoAmI
 *   POST   /api/v1/users            CreateUserRequest → 201 CreatedUser      (platform admin)
 *   POST   /api/v1/users/{user}/tokens {name}         → 201 { token }        (admin or self)
 *   GET    /api/v1/teams                              → Page<Team> (mine; all for admins)
 *   POST   /api/v1/teams            CreateTeamRequest → 201 Team (admin; creator becomes owner)
 *   GET    /api/v1/teams/{team}                       → Team
 *   GET    /api/v1/teams/{team}/members               → Page<Membership>
 *   PUT    /api/v1/teams/{team}/members/{user}  {role} → Membership         (team owner or admin)
 *   GET    /api/v1/products                           → Page<ProductSummary>
 *   GET    /api/v1/products/{product}                 → ProductDetail (latest version)
 *   GET    /api/v1/products/{product}/versions/{version} → ProductVersion
 *   POST   /api/v1/products         ProductManifest   → 201|200 PublishResult (admin or owner team member)
 *   GET    /api/v1/teams/{team}/instances?cursor&limit → Page<Instance>
 *   POST   /api/v1/teams/{team}/instances  CreateInstanceRequest → 202 Instance
 *   GET    /api/v1/teams/{team}/instances/{instance}  → Instance
 *   PATCH  /api/v1/teams/{team}/instances/{instance}  UpdateInstanceRequest → 202 Instance
 *   DELETE /api/v1/teams/{team}/instances/{instance}  → 202 Instance (phase Deleting)
 *   POST   /api/v1/teams/{team}/instances/{instance}/credentials:reveal → Credentials (owner/member; audited)
 *   POST   /api/v1/teams/{team}/instances/{instance}/rotate → 202 Instance (owner/member; new credential,
 *          the previous one keeps working for the plan's rotation grace period, then is revoked)
 *   GET    /api/v1/teams/{team}/instances/{instance}/watch → text/event-stream of `status` events
 *          (data: Instance JSON; a final `deleted` event when the instance is gone)
 *   GET    /api/v1/teams/{team}/events?cursor&limit   → Page<PavedEvent>
 */
import type { Instance, Membership, ProductManifest, ProductSummary, ProductVersion, Team, TeamRole, User } from './types.js';

export interface WhoAmI {
  user: User;
  memberships: Membership[];
}

export interface CreateUserRequest {
  name: string;
  admin?: boolean;
}
export interface CreatedUser {
  user: User;
  /** Shown once; only its hash is stored. */
  token: string;
}

export interface CreateTeamRequest {
  name: string;
  title?: string;
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
}

export interface UpdateInstanceRequest {
  plan?: string;
  version?: string;
  inputs?: Record<string, unknown>;
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
