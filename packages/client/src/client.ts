import type {
  CreatedUser, CreateInstanceRequest, CreateTeamRequest, CreateTokenRequest, CreateUserRequest, Credentials, Instance, IssuedToken, Membership, Page,
  PavedEvent, Phase, ProductDetail, ProductInstance, ProductManifest, ProductSummary, ProductVersion, PublishResult, Team, TeamRole, TokenInfo,
  UpdateInstanceRequest, UpdateTeamRequest, UpdateUserRequest, User, WhoAmI,
} from '@paved/model';
import type { ApplyWorkloadRequest, CreateServiceRequest, Service, TemplateDetail, TemplateSummary, WorkloadPlan } from '@paved/model';
import type { BackstageExport, BackstageImportRequest, BackstageImportSummary } from '@paved/model';
import type { CreateEnvironmentRequest, Environment, SetWorkloadConfigRequest, UpdateEnvironmentRequest, UpdateServiceRequest, WorkloadConfig } from '@paved/model';
import { Transport, type FetchLike } from './transport.js';
import { createAndWaitForCredentials, createWatched, type CreateAndWaitOptions, type CreatedWatch, type CreateWatchedOptions } from './create-wait.js';
import { waitForCredentials, watchInstance, type ReadyCredentials, type WatchOptions } from './watch.js';
import type { AppendLogLinesRequest, LogPage, LogQuery, PruneLogsResult } from '@paved/model';
import type { DeviceLogin, DevicePoll, OidcInfo, UserIdentity } from '@paved/model';
import { followLogs, type FollowLogsOptions } from './follow-logs.js';
import type { AuditKey, AuditQuery, AuditRecord } from '@paved/model';
import { exportAuditLines, type AuditExportOptions } from './audit.js';
import { measuresClient, type MeasuresClient } from './measures.js';
import { productEvolutionClient, type ProductEvolutionClient } from './product-evolution.js';
import { rolloutsClient, type RolloutsClient } from './rollouts.js';
import { policiesClient, type PoliciesClient } from './policies.js';
import type {
  DeliveryRecorded, DoraMetrics, DoraQuery, RecordChangeRequest, RecordDeploymentRequest, RecordIncidentRequest, SetWebhookSecretRequest,
  WebhookSettings, WebhookSource,
} from '@paved/model';
import type { TargetHealth } from '@paved/model';

export interface ClientOptions {
  /** Base URL of the Paved server, e.g. http://127.0.0.1:7780. */
  url: string;
  /** API token sent as a bearer token. */
  token?: string;
  /** A fetch implementation; the global one by default. */
  fetch?: FetchLike;
  /** Who is calling, sent as the Paved-Client header for the audit log (`cli/0.1.0`); absent: a plain API client. */
  client?: string;
}

export interface PageOptions {
  cursor?: string;
  limit?: number;
  signal?: AbortSignal;
}

/** A page of a team's instances, of one product and in one phase when given. */
export interface InstanceListOptions extends PageOptions {
  product?: string;
  phase?: Phase;
}

export interface Health {
  status: string;
  [key: string]: unknown;
}

/**
 * One typed method per route of the HTTP API a person's tools call (the routes are in the
 * OpenAPI document, /api/openapi.json, and docs/api.md); not the drivers' callback route.
 */
export interface PavedClient extends LogsClient, SignInClient, AuditClient, MeasuresClient, DeliveryClient, TargetsClient, ProductEvolutionClient, RolloutsClient, PoliciesClient {
  readonly url: string;
  health(): Promise<Health>;
  whoami(): Promise<WhoAmI>;
  createUser(request: CreateUserRequest): Promise<CreatedUser>;
  listUsers(): Promise<{ items: User[] }>;
  updateUser(user: string, request: UpdateUserRequest): Promise<User>;
  listTokens(user: string): Promise<{ items: TokenInfo[] }>;
  createToken(user: string, request: CreateTokenRequest): Promise<IssuedToken>;
  revokeToken(user: string, tokenId: string): Promise<void>;
  listTeams(options?: PageOptions): Promise<Page<Team>>;
  createTeam(request: CreateTeamRequest): Promise<Team>;
  getTeam(team: string): Promise<Team>;
  updateTeam(team: string, request: UpdateTeamRequest): Promise<Team>;
  removeMember(team: string, user: string): Promise<void>;
  listMembers(team: string, options?: PageOptions): Promise<Page<Membership>>;
  setMembership(team: string, user: string, role: TeamRole): Promise<Membership>;
  listProducts(options?: PageOptions): Promise<Page<ProductSummary>>;
  getProduct(product: string): Promise<ProductDetail>;
  getProductVersion(product: string, version: string): Promise<ProductVersion>;
  publishProduct(manifest: ProductManifest): Promise<PublishResult>;
  transferProduct(product: string, owner: string): Promise<ProductDetail>;
  listProductInstances(product: string, options?: PageOptions): Promise<Page<ProductInstance>>;
  listInstances(team: string, options?: InstanceListOptions): Promise<Page<Instance>>;
  /** Every instance of a team (of one product, in one phase when given), following cursors page by page. */
  iterateInstances(team: string, options?: Omit<InstanceListOptions, 'cursor'>): AsyncIterableIterator<Instance>;
  createInstance(team: string, request: CreateInstanceRequest): Promise<Instance>;
  getInstance(team: string, name: string): Promise<Instance>;
  updateInstance(team: string, name: string, request: UpdateInstanceRequest): Promise<Instance>;
  deleteInstance(team: string, name: string): Promise<Instance>;
  /** Every output, secret ones included. The server audits each call. */
  revealCredentials(team: string, name: string): Promise<Credentials>;
  /** Asks for a new credential; the previous one works for the plan's grace period, then is revoked. */
  rotateInstance(team: string, name: string): Promise<Instance>;
  /** Asks the engine to reconcile now, with the failure backoff reset (e.g. after fixing a cause). */
  reconcileInstance(team: string, name: string): Promise<Instance>;
  listEvents(team: string, options?: PageOptions): Promise<Page<PavedEvent>>;
  /** Follows the live status stream until the instance is deleted or `signal` aborts. */
  watchInstance(team: string, name: string, options: WatchOptions): Promise<void>;
  /**
   * Waits until the instance is Ready and returns it with its credentials, revealed on the
   * status stream (audited like revealCredentials): no request after Ready. Failed is a
   * DriverError; deleted a NotFoundError.
   */
  waitForCredentials(team: string, name: string, options?: { signal?: AbortSignal }): Promise<ReadyCredentials>;
  /**
   * Creates an instance and follows it in one request: the create answers with its status
   * stream (`?wait=ready`), or, from a server older than that, with JSON, and the watch stream
   * follows (create-wait.ts). A refused create is the usual error.
   */
  createWatched(team: string, request: CreateInstanceRequest, options?: CreateWatchedOptions): Promise<CreatedWatch>;
  /**
   * createInstance then waitForCredentials in one request where the server offers it: the
   * create's status stream reveals the credentials with the Ready status (audited as
   * revealCredentials); the two requests from an older server.
   */
  createAndWaitForCredentials(team: string, request: CreateInstanceRequest, options?: CreateAndWaitOptions): Promise<ReadyCredentials>;

  // services, environments and workloads (docs/workloads.md)
  listEnvironments(): Promise<Environment[]>;
  getEnvironment(name: string): Promise<Environment>;
  createEnvironment(request: CreateEnvironmentRequest): Promise<Environment>;
  updateEnvironment(name: string, request: UpdateEnvironmentRequest): Promise<Environment>;
  /** Every team's services (the catalog). */
  listAllServices(options?: PageOptions): Promise<Page<Service>>;
  listServices(team: string, options?: PageOptions): Promise<Page<Service>>;
  // createService and applyWorkload: declared below with paved init's section (same routes).
  getService(team: string, name: string): Promise<Service>;
  updateService(team: string, name: string, request: UpdateServiceRequest): Promise<Service>;
  deleteService(team: string, name: string): Promise<void>;
  listWorkloadInstances(team: string, service: string, environment: string): Promise<Page<Instance>>;
  /** A service's own config values in an environment (its Score `environment` resource's outputs, over the environment's variables). */
  getWorkloadConfig(team: string, service: string, environment: string): Promise<WorkloadConfig>;
  setWorkloadConfig(team: string, service: string, environment: string, request: SetWorkloadConfigRequest): Promise<WorkloadConfig>;

  // --- Backstage interoperability (docs/backstage.md) ---
  /** Imports Backstage entities into teams, users and services (platform admins); dryRun changes nothing. */
  importBackstage(request: BackstageImportRequest): Promise<BackstageImportSummary>;
  /** The services and instances the caller can see, as Backstage entities. */
  exportBackstage(): Promise<BackstageExport>;

  // --- Golden-path templates (paved init; docs/golden-paths.md) ---
  listTemplates(): Promise<TemplateSummary[]>;
  /** A template with its files unrendered: the caller substitutes the values. */
  getTemplate(name: string): Promise<TemplateDetail>;
  createService(team: string, request: CreateServiceRequest): Promise<Service>;
  /** Plans (dryRun) or applies a Score workload to the service's instances in an environment. */
  applyWorkload(team: string, service: string, environment: string, request: ApplyWorkloadRequest): Promise<WorkloadPlan>;
}

// --- Sign-in with an identity provider (docs/sign-in.md) ---
export interface SignInClient {
  /** The provider this Paved signs people in with (oidc_not_configured when none). */
  oidcInfo(): Promise<OidcInfo>;
  /** Where a browser starts signing in; with `handoff`, the sign-in ends at the CLI's 127.0.0.1 port. */
  oidcLoginUrl(handoff?: { port: number; challenge: string }): string;
  redeemHandoff(code: string, verifier: string): Promise<IssuedToken>;
  startDeviceLogin(): Promise<DeviceLogin>;
  pollDeviceLogin(loginId: string): Promise<DevicePoll>;
  /** Links a user to their subject at the provider (platform admins). */
  linkUserIdentity(user: string, subject: string): Promise<UserIdentity>;
  /** Ends the sign-in session in use (token_not_session for an API token). */
  logout(): Promise<void>;
}

// --- Logs (docs/workloads.md "Logs"): a service's log stream in one environment ---
export interface LogsClient {
  appendLogLines(team: string, service: string, environment: string, request: AppendLogLinesRequest, options?: { signal?: AbortSignal }): Promise<{ appended: number }>;
  listLogLines(team: string, service: string, environment: string, query?: LogQuery & { signal?: AbortSignal }): Promise<LogPage>;
  /** Delivers lines as they arrive until `signal` aborts. */
  followLogs(team: string, service: string, environment: string, options: FollowLogsOptions): Promise<void>;
  /** Runs log retention now (platform admins). */
  pruneLogs(): Promise<PruneLogsResult>;
}

// --- The audit log (docs/audit.md) ---
export interface AuditClient {
  /** Newest first, one line per request (platform admins; team owners with `team`). */
  listAudit(query?: AuditQuery & { signal?: AbortSignal }): Promise<Page<AuditRecord>>;
  /** The export's JSON lines as they stream, oldest first (header, checkpoints, records, head checkpoint). */
  exportAudit(options?: AuditExportOptions): AsyncIterable<string>;
  /** The public keys the audit log is signed with. */
  listAuditKeys(): Promise<{ items: AuditKey[] }>;
}

// --- Delivery events and DORA metrics (docs/metrics/dora.md) ---
export interface DeliveryClient {
  recordDeployment(team: string, service: string, request: RecordDeploymentRequest): Promise<DeliveryRecorded>;
  recordChange(team: string, service: string, request: RecordChangeRequest): Promise<DeliveryRecorded>;
  recordIncident(team: string, service: string, request: RecordIncidentRequest): Promise<DeliveryRecorded>;
  /** A service's (team and service), a team's (team), or every service you may see (neither). */
  doraMetrics(query: DoraQuery): Promise<DoraMetrics>;
  /** Where each webhook source's secret comes from (platform admins). */
  webhookSettings(): Promise<WebhookSettings[]>;
  setWebhookSecret(source: WebhookSource, request: SetWebhookSecretRequest): Promise<WebhookSettings>;
}

// --- Targets (platform admins) ---
export interface TargetsClient {
  /** Every configured target and its driver's preflight, never its config (platform admins). */
  listTargets(): Promise<{ items: TargetHealth[] }>;
}

const seg = encodeURIComponent;
const teamPath = (team: string) => `/api/v1/teams/${seg(team)}`;
const instancePath = (team: string, name: string) => `${teamPath(team)}/instances/${seg(name)}`;
const pageQuery = (options: PageOptions = {}) => ({ cursor: options.cursor, limit: options.limit });
const logsPath = (team: string, service: string, environment: string) => `${teamPath(team)}/services/${seg(service)}/environments/${seg(environment)}/logs`;

export function createClient(options: ClientOptions): PavedClient {
  const http = new Transport(options);
  const get = <T>(path: string, o: PageOptions = {}) => http.json<T>('GET', path, { query: pageQuery(o), signal: o.signal });

  const client: PavedClient = {
    url: http.baseUrl,
    health: () => http.json('GET', '/healthz'),
    whoami: () => http.json('GET', '/api/v1/whoami'),
    createUser: (request) => http.json('POST', '/api/v1/users', { body: request }),
    listUsers: () => http.json('GET', '/api/v1/users'),
    updateUser: (user, request) => http.json('PATCH', `/api/v1/users/${seg(user)}`, { body: request }),
    listTokens: (user) => http.json('GET', `/api/v1/users/${seg(user)}/tokens`),
    createToken: (user, request) => http.json('POST', `/api/v1/users/${seg(user)}/tokens`, { body: request }),
    revokeToken: async (user, tokenId) => {
      await http.json('DELETE', `/api/v1/users/${seg(user)}/tokens/${seg(tokenId)}`);
    },
    listTeams: (o) => get('/api/v1/teams', o),
    createTeam: (request) => http.json('POST', '/api/v1/teams', { body: request }),
    getTeam: (team) => http.json('GET', teamPath(team)),
    updateTeam: (team, request) => http.json('PATCH', teamPath(team), { body: request }),
    removeMember: async (team, user) => {
      await http.json('DELETE', `${teamPath(team)}/members/${seg(user)}`);
    },
    listMembers: (team, o) => get(`${teamPath(team)}/members`, o),
    setMembership: (team, user, role) => http.json('PUT', `${teamPath(team)}/members/${seg(user)}`, { body: { role } }),
    listProducts: (o) => get('/api/v1/products', o),
    getProduct: (product) => http.json('GET', `/api/v1/products/${seg(product)}`),
    getProductVersion: (product, version) => http.json('GET', `/api/v1/products/${seg(product)}/versions/${seg(version)}`),
    publishProduct: (manifest) => http.json('POST', '/api/v1/products', { body: manifest }),
    transferProduct: (product, owner) => http.json('PUT', `/api/v1/products/${seg(product)}/owner`, { body: { owner } }),
    listProductInstances: (product, o) => get(`/api/v1/products/${seg(product)}/instances`, o),
    listInstances: (team, o = {}) => http.json('GET', `${teamPath(team)}/instances`, { query: { ...pageQuery(o), product: o.product, phase: o.phase }, signal: o.signal }),
    async *iterateInstances(team, o = {}) {
      let cursor: string | undefined;
      do {
        const page = await client.listInstances(team, { ...o, cursor });
        yield* page.items;
        cursor = page.nextCursor;
      } while (cursor);
    },
    createInstance: (team, request) => http.json('POST', `${teamPath(team)}/instances`, { body: request }),
    getInstance: (team, name) => http.json('GET', instancePath(team, name)),
    updateInstance: (team, name, request) => http.json('PATCH', instancePath(team, name), { body: request }),
    deleteInstance: (team, name) => http.json('DELETE', instancePath(team, name)),
    revealCredentials: (team, name) => http.json('POST', `${instancePath(team, name)}/credentials:reveal`, { body: {} }),
    rotateInstance: (team, name) => http.json('POST', `${instancePath(team, name)}/rotate`, { body: {} }),
    reconcileInstance: (team, name) => http.json('POST', `${instancePath(team, name)}/reconcile`, { body: {} }),
    listEvents: (team, o) => get(`${teamPath(team)}/events`, o),
    watchInstance: (team, name, o) => watchInstance(http, team, name, o),
    waitForCredentials: (team, name, o) => waitForCredentials(http, team, name, () => client.revealCredentials(team, name), o),
    createWatched: (team, request, o) => createWatched(http, team, request, o),
    createAndWaitForCredentials: (team, request, o) => createAndWaitForCredentials(http, team, request, () => client.revealCredentials(team, request.name), o),
    listEnvironments: () => http.json('GET', '/api/v1/environments'),
    getEnvironment: (name) => http.json('GET', `/api/v1/environments/${seg(name)}`),
    createEnvironment: (request) => http.json('POST', '/api/v1/environments', { body: request }),
    updateEnvironment: (name, request) => http.json('PUT', `/api/v1/environments/${seg(name)}`, { body: request }),
    listAllServices: (o) => get('/api/v1/services', o),
    listServices: (team, o) => get(`${teamPath(team)}/services`, o),
    getService: (team, name) => http.json('GET', `${teamPath(team)}/services/${seg(name)}`),
    updateService: (team, name, request) => http.json('PATCH', `${teamPath(team)}/services/${seg(name)}`, { body: request }),
    deleteService: async (team, name) => {
      await http.json('DELETE', `${teamPath(team)}/services/${seg(name)}`);
    },
    listWorkloadInstances: (team, service, environment) => http.json('GET', `${teamPath(team)}/services/${seg(service)}/environments/${seg(environment)}/instances`),
    getWorkloadConfig: (team, service, environment) => http.json('GET', `${teamPath(team)}/services/${seg(service)}/environments/${seg(environment)}/config`),
    setWorkloadConfig: (team, service, environment, request) => http.json('PUT', `${teamPath(team)}/services/${seg(service)}/environments/${seg(environment)}/config`, { body: request }),
    // Backstage interoperability
    importBackstage: (request) => http.json('POST', '/api/v1/backstage/import', { body: request }),
    exportBackstage: () => http.json('GET', '/api/v1/backstage/export'),
    // Golden-path templates
    listTemplates: () => http.json('GET', '/api/v1/templates'),
    getTemplate: (name) => http.json('GET', `/api/v1/templates/${seg(name)}`),
    createService: (team, request) => http.json('POST', `${teamPath(team)}/services`, { body: request }),
    applyWorkload: (team, service, environment, request) => http.json(
      'POST', `${teamPath(team)}/services/${seg(service)}/environments/${seg(environment)}/workload`, { body: request },
    ),
    // Logs
    appendLogLines: (team, service, environment, request, o = {}) => http.json('POST', logsPath(team, service, environment), { body: request, signal: o.signal }),
    listLogLines: (team, service, environment, q = {}) => http.json('GET', logsPath(team, service, environment), {
      query: { since: q.since, grep: q.grep, cursor: q.cursor, limit: q.limit }, signal: q.signal,
    }),
    followLogs: (team, service, environment, o) => followLogs(http, logsPath(team, service, environment), o),
    pruneLogs: () => http.json('POST', '/api/v1/admin/logs:prune', { body: {} }),
    // Sign-in
    oidcInfo: () => http.json('GET', '/api/v1/auth/oidc'),
    oidcLoginUrl: (handoff) => http.urlFor('/api/v1/auth/oidc/login', handoff ? { port: handoff.port, challenge: handoff.challenge } : {}),
    redeemHandoff: (code, verifier) => http.json('POST', '/api/v1/auth/oidc/handoff', { body: { code, verifier } }),
    startDeviceLogin: () => http.json('POST', '/api/v1/auth/oidc/device', { body: {} }),
    pollDeviceLogin: (loginId) => http.json('POST', '/api/v1/auth/oidc/device/token', { body: { loginId } }),
    linkUserIdentity: (user, subject) => http.json('PUT', `/api/v1/users/${seg(user)}/identity`, { body: { subject } }),
    logout: async () => {
      await http.json('POST', '/api/v1/auth/logout', { body: {} });
    },
    // The audit log
    listAudit: ({ signal, ...q } = {}) => http.json('GET', '/api/v1/audit', {
      query: { since: q.since, until: q.until, actor: q.actor, action: q.action, team: q.team, cursor: q.cursor, limit: q.limit }, signal,
    }),
    exportAudit: (o) => exportAuditLines(http, o),
    listAuditKeys: () => http.json('GET', '/api/v1/audit/keys'),
    // The platform's measures, feedback and help requests
    ...measuresClient(http),
    ...productEvolutionClient(http),
    // Upgrades, holds and fleet rollouts
    ...rolloutsClient(http),
    // Policies, approvals, dry runs and history
    ...policiesClient(http),
    // Delivery events and DORA metrics
    recordDeployment: (team, service, request) => http.json('POST', `${teamPath(team)}/services/${seg(service)}/deployments`, { body: request }),
    recordChange: (team, service, request) => http.json('POST', `${teamPath(team)}/services/${seg(service)}/changes`, { body: request }),
    recordIncident: (team, service, request) => http.json('POST', `${teamPath(team)}/services/${seg(service)}/incidents`, { body: request }),
    doraMetrics: (q) => http.json('GET', '/api/v1/metrics/dora', { query: { from: q.from, to: q.to, team: q.team, service: q.service } }),
    webhookSettings: () => http.json('GET', '/api/v1/admin/webhooks'),
    setWebhookSecret: (source, request) => http.json('PUT', `/api/v1/admin/webhooks/${seg(source)}/secret`, { body: request }),
    listTargets: () => http.json('GET', '/api/v1/admin/targets'),
  };
  return client;
}
