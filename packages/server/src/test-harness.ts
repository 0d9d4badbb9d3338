/**
 * What the API tests share: an app over a real store (no mocks: docs/architecture.md#testing),
 * a first platform admin, and helpers that drive the store the way the engine would. Not used
 * by production code.
 */
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { exampleProductManifest, type Instance, type ProductManifest, type TeamRole, type User } from '@paved/model';
import type { Target } from '@paved/driver-api';
import { createMemoryDriver } from '@paved/driver-memory';
import { createSecretStore } from '@paved/secrets';
import type { Store } from '@paved/store';
import { DefaultIdentityService } from './identity/service.js';
import { AuditChain, createAuditSigner } from './audit/chain.js';
import { createAuditLog } from './audit/log.js';
import { buildApp, type AppDeps } from './app.js';

export const TEST_TARGETS: Target[] = [{ name: 'test-mem', driver: 'memory', labels: { tier: 'shared' }, config: {} }];

export interface Caller {
  user: User;
  token: string;
}

export interface Harness {
  app: FastifyInstance;
  store: Store;
  secrets: AppDeps['secrets'];
  admin: Caller;
  /** app.inject with the caller's bearer token and a JSON body. */
  call(caller: Caller | undefined, method: InjectOptions['method'], url: string, body?: unknown): Promise<LightMyRequestResponse>;
  user(name: string, admin?: boolean): Promise<Caller>;
  /** Creates a team (as admin) and adds `members` with their roles; `platform` makes it a platform team. */
  team(name: string, members?: [Caller, TeamRole][], options?: { platform?: boolean }): Promise<void>;
  /** Publishes a product (as admin; `owner` becomes a platform team), by default the example manifest on the memory driver. */
  product(owner: string, change?: (manifest: ProductManifest) => void): Promise<ProductManifest>;
  close(): Promise<void>;
}

export function testManifest(owner: string, change?: (manifest: ProductManifest) => void): ProductManifest {
  const manifest = exampleProductManifest();
  manifest.metadata.name = 'pgdb';
  manifest.metadata.owner = owner;
  manifest.spec.driver = 'memory';
  change?.(manifest);
  return manifest;
}

/** The master key of every harness, and the audit signer derived from it as the platform derives it. */
export const TEST_MASTER_KEY = Buffer.alloc(32, 7);
export const TEST_AUDIT_SIGNER = createAuditSigner(TEST_MASTER_KEY);

export async function startHarness(store: Store, overrides: Partial<AppDeps> = {}): Promise<Harness> {
  const secrets = createSecretStore({ store, masterKey: { key: TEST_MASTER_KEY, id: 'test' } });
  const app = await buildApp({
    store, secrets, targets: TEST_TARGETS, drivers: { memory: createMemoryDriver() }, version: '0.0.0-test', auditSigner: TEST_AUDIT_SIGNER, ...overrides,
  });
  // The first admin is made as `paved up` makes its own: outside any request, by the platform.
  const audit = createAuditLog(new AuditChain(store, TEST_AUDIT_SIGNER));
  const identity = new DefaultIdentityService({ store, audit, ...(overrides.now ? { now: overrides.now } : {}) });
  const adminCreated = await identity.createUser(undefined, { name: `admin-${Math.random().toString(36).slice(2, 8)}`, admin: true });
  const admin = { user: adminCreated.user, token: adminCreated.token };

  const call: Harness['call'] = (caller, method, url, body) => app.inject({
    method,
    url,
    headers: caller ? { authorization: `Bearer ${caller.token}` } : {},
    ...(body === undefined ? {} : { payload: body as object }),
  });

  return {
    app, store, secrets, admin, call,
    async user(name, isAdmin = false) {
      const res = await call(admin, 'POST', '/api/v1/users', { name, admin: isAdmin });
      if (res.statusCode !== 201) throw new Error(`creating user ${name}: ${res.statusCode} ${res.body}`);
      return res.json() as Caller;
    },
    async team(name, members = [], options = {}) {
      const res = await call(admin, 'POST', '/api/v1/teams', { name, ...(options.platform ? { platform: true } : {}) });
      if (res.statusCode !== 201) throw new Error(`creating team ${name}: ${res.statusCode} ${res.body}`);
      for (const [member, role] of members) {
        const added = await call(admin, 'PUT', `/api/v1/teams/${name}/members/${member.user.name}`, { role });
        if (added.statusCode !== 200) throw new Error(`adding ${member.user.name}: ${added.statusCode} ${added.body}`);
      }
    },
    async product(owner, change) {
      // Only platform teams publish: make the owner one (what a platform admin does first).
      const marked = await call(admin, 'PATCH', `/api/v1/teams/${owner}`, { platform: true });
      if (marked.statusCode !== 200) throw new Error(`making ${owner} a platform team: ${marked.statusCode} ${marked.body}`);
      const manifest = testManifest(owner, change);
      const res = await call(admin, 'POST', '/api/v1/products', manifest);
      if (res.statusCode >= 300) throw new Error(`publishing: ${res.statusCode} ${res.body}`);
      return manifest;
    },
    close: () => app.close(),
  };
}

/** Claims `instance` as a worker would; every other instance due now is released again, untouched. */
async function claimOnly(store: Store, instance: Instance) {
  const all = await store.claimDue({ owner: 'test-engine', leaseMs: 30_000, limit: 1000 });
  for (const other of all) if (other.instance.id !== instance.id) await store.releaseLease(other.instance.id, other.leaseToken);
  const claimed = all.find((c) => c.instance.id === instance.id);
  if (!claimed) throw new Error(`instance ${instance.name} was not due`);
  return claimed;
}

/**
 * Does what the engine does when a create succeeds: claim, record Ready with outputs, release.
 * `asEngine`: as the engine's last write does it (engine/src/record.ts recordReady): the
 * `instance.ready` event, the lease ended by the write, the credentials shown with it, and
 * `secretKeys`: the names of the credentials the pass stored (StatusWrite.shownSecretKeys).
 */
export async function markReady(store: Store, instance: Instance, outputs: Record<string, string> = {}, options: { asEngine?: boolean; secretKeys?: string[] } = {}): Promise<void> {
  const claimed = await claimOnly(store, instance);
  const at = new Date().toISOString();
  const asEngine = options.asEngine === true
    ? {
      events: [{ kind: 'instance.ready' as const, teamId: instance.teamId, instanceId: instance.id, data: { timeToReadyMs: 1 } }], releaseLease: true, shownWithSecret: 'credentials',
      ...(options.secretKeys === undefined ? {} : { shownSecretKeys: options.secretKeys }),
    }
    : undefined;
  const outcome = await store.recordStatus(instance.id, claimed.leaseToken, {
    ...asEngine,
    status: {
      phase: 'Ready',
      conditions: [{ type: 'Ready', status: 'True', reason: 'Available', message: 'The resource is ready', lastTransitionAt: at }],
      readyAt: at,
    },
    outputs,
    observedGeneration: claimed.instance.generation,
    engine: { pendingAction: null, attempts: 0, dueAt: Date.now() + 3_600_000 },
  });
  if (outcome !== 'changed') throw new Error(`recordStatus: ${outcome}`);
  if (asEngine === undefined) await store.releaseLease(instance.id, claimed.leaseToken);
}

/** Does what the engine does when it gives up: claim, record Failed after 5 attempts, next try in an hour, release. */
export async function markFailed(store: Store, instance: Instance, message = 'Creating the resource failed: permission denied.'): Promise<void> {
  const claimed = await claimOnly(store, instance);
  const outcome = await store.recordStatus(instance.id, claimed.leaseToken, {
    status: {
      phase: 'Failed',
      conditions: [{ type: 'Ready', status: 'False', reason: 'ProvisioningFailed', message, lastTransitionAt: new Date().toISOString() }],
      lastError: 'permission denied',
    },
    engine: { attempts: 5, dueAt: Date.now() + 3_600_000 },
  });
  if (outcome !== 'changed') throw new Error(`recordStatus: ${outcome}`);
  await store.releaseLease(instance.id, claimed.leaseToken);
}

/** Does what the engine does at the end of a deletion: claim and forget. */
export async function forget(store: Store, instance: Instance): Promise<void> {
  const claimed = await claimOnly(store, instance);
  const outcome = await store.forgetInstance(instance.id, claimed.leaseToken);
  if (outcome !== 'changed') throw new Error(`forgetInstance: ${outcome}`);
}
