import type {
  CreatedUser, CreateInstanceRequest, CreateTeamRequest, CreateUserRequest, Credentials, Instance, Membership, Page,
  PavedEvent, ProductDetail, ProductManifest, ProductSummary, ProductVersion, PublishResult, Team, TeamRole,
  UpdateInstanceRequest, WhoAmI,
} from '@paved/model';
import { Transport, type FetchLike } from './transport.js';
import { watchInstance, type WatchOptions } from './watch.js';

export interface ClientOptions {
  /** Base URL of the Paved server, e.g. http://127.0.0.1:7780. */
  url: string;
  /** API token sent as a bearer token. */
  token?: string;
  /** A fetch implementation; the global one by default. */
  fetch?: FetchLike;
}

export interface PageOptions {
  cursor?: string;
  limit?: number;
  signal?: AbortSignal;
}

export interface Health {
  status: string;
  [key: string]: unknown;
}

/** One typed method per route of the HTTP API (packages/model/src/api.ts). */
export interface PavedClient {
  readonly url: string;
  health(): Promise<Health>;
  whoami(): Promise<WhoAmI>;
  createUser(request: CreateUserRequest): Promise<CreatedUser>;
  createToken(user: string, name: string): Promise<{ token: string }>;
  listTeams(options?: PageOptions): Promise<Page<Team>>;
  createTeam(request: CreateTeamRequest): Promise<Team>;
  getTeam(team: string): Promise<Team>;
  listMembers(team: string, options?: PageOptions): Promise<Page<Membership>>;
  setMembership(team: string, user: string, role: TeamRole): Promise<Membership>;
  listProducts(options?: PageOptions): Promise<Page<ProductSummary>>;
  getProduct(product: string): Promise<ProductDetail>;
  getProductVersion(product: string, version: string): Promise<ProductVersion>;
  publishProduct(manifest: ProductManifest): Promise<PublishResult>;
  listInstances(team: string, options?: PageOptions): Promise<Page<Instance>>;
  /** Every instance of a team, following cursors page by page. */
  iterateInstances(team: string, options?: Omit<PageOptions, 'cursor'>): AsyncIterableIterator<Instance>;
  createInstance(team: string, request: CreateInstanceRequest): Promise<Instance>;
  getInstance(team: string, name: string): Promise<Instance>;
  updateInstance(team: string, name: string, request: UpdateInstanceRequest): Promise<Instance>;
  deleteInstance(team: string, name: string): Promise<Instance>;
  /** Every output, secret ones included. The server audits each call. */
  revealCredentials(team: string, name: string): Promise<Credentials>;
  /** Asks for a new credential; the previous one works for the plan's grace period, then is revoked. */
  rotateInstance(team: string, name: string): Promise<Instance>;
  listEvents(team: string, options?: PageOptions): Promise<Page<PavedEvent>>;
  /** Follows the live status stream until the instance is deleted or `signal` aborts. */
  watchInstance(team: string, name: string, options: WatchOptions): Promise<void>;
}

const seg = encodeURIComponent;
const teamPath = (team: string) => `/api/v1/teams/${seg(team)}`;
const instancePath = (team: string, name: string) => `${teamPath(team)}/instances/${seg(name)}`;
const pageQuery = (options: PageOptions = {}) => ({ cursor: options.cursor, limit: options.limit });

export function createClient(options: ClientOptions): PavedClient {
  const http = new Transport(options);
  const get = <T>(path: string, o: PageOptions = {}) => http.json<T>('GET', path, { query: pageQuery(o), signal: o.signal });

  const client: PavedClient = {
    url: http.baseUrl,
    health: () => http.json('GET', '/healthz'),
    whoami: () => http.json('GET', '/api/v1/whoami'),
    createUser: (request) => http.json('POST', '/api/v1/users', { body: request }),
    createToken: (user, name) => http.json('POST', `/api/v1/users/${seg(user)}/tokens`, { body: { name } }),
    listTeams: (o) => get('/api/v1/teams', o),
    createTeam: (request) => http.json('POST', '/api/v1/teams', { body: request }),
    getTeam: (team) => http.json('GET', teamPath(team)),
    listMembers: (team, o) => get(`${teamPath(team)}/members`, o),
    setMembership: (team, user, role) => http.json('PUT', `${teamPath(team)}/members/${seg(user)}`, { body: { role } }),
    listProducts: (o) => get('/api/v1/products', o),
    getProduct: (product) => http.json('GET', `/api/v1/products/${seg(product)}`),
    getProductVersion: (product, version) => http.json('GET', `/api/v1/products/${seg(product)}/versions/${seg(version)}`),
    publishProduct: (manifest) => http.json('POST', '/api/v1/products', { body: manifest }),
    listInstances: (team, o) => get(`${teamPath(team)}/instances`, o),
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
    listEvents: (team, o) => get(`${teamPath(team)}/events`, o),
    watchInstance: (team, name, o) => watchInstance(http, team, name, o),
  };
  return client;
}
