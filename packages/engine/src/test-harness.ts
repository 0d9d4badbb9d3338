/**
 * Test-only helpers (excluded from the build): a real store, the real secret store and the
 * memory driver, wired to an engine. Nothing here fakes what Paved stores or provisions.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Target } from '@paved/driver-api';
import { createMemoryDriver, type MemoryDriver } from '@paved/driver-memory';
import { externalNameFor, type Instance, type ProductManifest } from '@paved/model';
import { createSecretStore, masterKeyId } from '@paved/secrets';
import type { SecretStore } from '@paved/secrets';
import type { Store } from '@paved/store';
import { createEngine } from './engine.js';
import type { Engine, EngineOptions } from './types.js';

export function kvManifest(overrides: Partial<ProductManifest['spec']> = {}): ProductManifest {
  return {
    apiVersion: 'paved.dev/v1alpha1',
    kind: 'Product',
    metadata: { name: 'kv', title: 'Key-value store', owner: 'platform', lifecycle: 'ga' },
    spec: {
      version: '1.0.0',
      description: 'An in-memory resource for engine tests.',
      driver: 'memory',
      support: { channel: '#platform' },
      inputs: { type: 'object', properties: { size: { type: 'integer', default: 1 } }, additionalProperties: false },
      plans: { small: { default: true, values: { tier: 'small' } } },
      outputs: { name: {}, token: { secret: true } },
      ...overrides,
    },
  };
}

export interface World {
  store: Store;
  secrets: SecretStore;
  driver: MemoryDriver;
  target: Target;
  teamId: string;
  teamName: string;
  userId: string;
  /** Creates an instance of product `product` (default 'kv'@1.0.0) due now. */
  request(name: string, overrides?: { product?: string; version?: string; target?: string; inputs?: Record<string, unknown> }): Promise<Instance>;
  engine(options?: Partial<EngineOptions>): Engine;
}

export function secretStoreFor(store: Store, key: Buffer): SecretStore {
  return createSecretStore({ store, masterKey: { key, id: masterKeyId(key) } });
}

const unique = (prefix: string) => `${prefix}-${randomBytes(3).toString('hex')}`;

export async function publish(store: Store, manifest: ProductManifest): Promise<void> {
  await store.publishProductVersion({ name: manifest.metadata.name, version: manifest.spec.version, manifest, digest: `test-${manifest.metadata.name}-${manifest.spec.version}-${JSON.stringify(manifest).length}` });
}

export async function makeWorld(store: Store, options: { manifest?: ProductManifest; driver?: MemoryDriver; secrets?: SecretStore } = {}): Promise<World> {
  const secrets = options.secrets ?? secretStoreFor(store, randomBytes(32));
  const driver = options.driver ?? createMemoryDriver();
  const team = await store.createTeam({ name: unique('team'), title: 'Engine test team' });
  const user = await store.createUser({ name: unique('user'), admin: false });
  await publish(store, options.manifest ?? kvManifest());
  const target: Target = { name: 'mem-1', driver: 'memory', labels: {}, config: {} };
  return {
    store,
    secrets,
    driver,
    target,
    teamId: team.id,
    teamName: team.name,
    userId: user.id,
    async request(name, overrides = {}) {
      const id = randomUUID();
      return store.createInstance({
        id,
        teamId: team.id,
        name,
        product: overrides.product ?? 'kv',
        productVersion: overrides.version ?? '1.0.0',
        plan: 'small',
        inputs: overrides.inputs ?? {},
        externalName: externalNameFor(team.name, name, id),
        target: overrides.target ?? target.name,
        createdBy: user.id,
      });
    },
    engine(engineOptions = {}) {
      return createEngine({
        store,
        secrets,
        drivers: { memory: driver },
        targets: [target],
        leaseMs: 5_000,
        backoff: { baseMs: 1, maxMs: 2 },
        ...engineOptions,
      });
    },
  };
}

/** Runs passes until nothing is due (or `max` rounds); returns how many passes ran. */
export async function drain(engine: Engine, max = 50): Promise<number> {
  let total = 0;
  for (let round = 0; round < max; round++) {
    const ran = await engine.runOnce();
    total += ran;
    if (ran === 0) {
      // A retry's backoff (a few ms in tests) may make something due in a moment.
      await new Promise((resolve) => setTimeout(resolve, 5));
      const again = await engine.runOnce();
      if (again === 0) return total;
      total += again;
    }
  }
  return total;
}

export async function waitFor<T>(probe: () => Promise<T | undefined | false>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
