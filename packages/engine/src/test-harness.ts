/**
 * Test-only helpers (excluded from the build): a real store, the real secret store and the
 * memory driver, wired to an engine. Nothing here fakes what Paved stores or provisions; only
 * time is fake: the store and every engine of a world share one ManualClock.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Target } from '@paved/driver-api';
import { createMemoryDriver, type MemoryDriver } from '@paved/driver-memory';
import { externalNameFor, type Instance, type ProductManifest, type ProductVersion } from '@paved/model';
import { createSecretStore, masterKeyId } from '@paved/secrets';
import type { SecretStore } from '@paved/secrets';
import type { Store } from '@paved/store';
import type { OpenStore } from '@paved/store/testing';
import { createEngine } from './engine.js';
import type { Clock, Engine, EngineOptions } from './types.js';

interface Sleeper {
  at: number;
  wake(): void;
}

/**
 * A clock that moves only when a test moves it. The engine and the store share one, so lease
 * expiry, backoff, grace periods and the claim loop's idle sleep happen exactly when the test
 * says, never by the luck of the scheduler.
 */
export class ManualClock implements Clock {
  #now: number;
  readonly #sleepers = new Set<Sleeper>();
  readonly #watchers = new Set<() => void>();

  constructor(start = Date.parse('2025-01-01T00:00:00.000Z')) {
    this.#now = start;
  }

  /** Bound, so it can be handed to the store as its `now`. */
  readonly now = (): number => this.#now;

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (ms <= 0 || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const sleeper: Sleeper = {
        at: this.#now + ms,
        wake: () => {
          this.#sleepers.delete(sleeper);
          signal?.removeEventListener('abort', sleeper.wake);
          resolve();
        },
      };
      signal?.addEventListener('abort', sleeper.wake, { once: true });
      this.#sleepers.add(sleeper);
      for (const watcher of this.#watchers) watcher();
    });
  }

  /** Moves time forward by `ms` and wakes, earliest first, everyone whose sleep is over. */
  advance(ms: number): void {
    this.#now += ms;
    const due = [...this.#sleepers].filter((sleeper) => sleeper.at <= this.#now).sort((a, b) => a.at - b.at);
    for (const sleeper of due) sleeper.wake();
  }

  /**
   * Moves time forward without waking anyone: a process frozen for `ms` (a long GC pause, a
   * stopped VM). Its overdue sleepers wake on the next `advance`, as late timers would.
   */
  stall(ms: number): void {
    this.#now += ms;
  }

  /** How many sleeps are pending. */
  get sleeping(): number {
    return this.#sleepers.size;
  }

  /** Resolves once at least `count` sleeps are pending (e.g. the claim loop went idle). */
  whenSleeping(count = 1): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (this.#sleepers.size < count) return;
        this.#watchers.delete(check);
        resolve();
      };
      this.#watchers.add(check);
      check();
    });
  }
}

/** The backoff of a world's engines: short, so `drain` moves the clock past a retry's wait. */
export const TEST_BACKOFF = Object.freeze({ baseMs: 1, maxMs: 2 });

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

/** A composite of two memory parts: `second` needs `first`. */
export function pairManifest(): ProductManifest {
  const base = kvManifest({
    driver: 'composite',
    inputs: { type: 'object', properties: {}, additionalProperties: false },
    includes: [
      { name: 'first', product: 'kv' },
      { name: 'second', product: 'kv', dependsOn: ['first'], inputs: { size: 2 } },
    ],
    outputs: {
      firstName: { from: 'first.name' },
      secondName: { from: 'second.name' },
      token: { from: 'first.token', secret: true },
    },
  });
  return { ...base, metadata: { ...base.metadata, name: 'kvpair', title: 'Two key-value stores' } };
}

export interface World {
  /** Time for the store and every engine of this world; it moves only when the test moves it. */
  clock: ManualClock;
  store: Store;
  secrets: SecretStore;
  driver: MemoryDriver;
  target: Target;
  teamId: string;
  teamName: string;
  userId: string;
  /** Creates an instance of product `product` (default 'kv'@1.0.0) due now. */
  /** `productRead`: the product version the request was checked against, as a server's create hands it (NewInstance.productRead). */
  request(name: string, overrides?: { product?: string; version?: string; target?: string; inputs?: Record<string, unknown>; productRead?: ProductVersion }): Promise<Instance>;
  engine(options?: Partial<EngineOptions>): Engine;
  /**
   * Runs passes until nothing is due (or `max` rounds); returns how many ran. When nothing is
   * due now but a retry is due within the test backoff, moves the clock there and goes on.
   */
  drain(engine?: Engine, max?: number): Promise<number>;
  /** Resolves with the instance once `ready(instance)` holds, re-reading it on each of its changes (no polling). */
  until(id: string, ready: (instance: Instance | undefined) => boolean): Promise<Instance | undefined>;
  /**
   * Resolves once a started engine's claim loop sleeps, not only its rollout loop: both sleep on
   * the world's clock, and the rollout loop (one query before its sleep) can sleep first, before
   * the claim loop has made its first claim (it looks up the sealing key first).
   */
  engineAsleep(): Promise<void>;
}

export function secretStoreFor(store: Store, key: Buffer): SecretStore {
  return createSecretStore({ store, masterKey: { key, id: masterKeyId(key) } });
}

const unique = (prefix: string) => `${prefix}-${randomBytes(3).toString('hex')}`;

export async function publish(store: Store, manifest: ProductManifest): Promise<void> {
  await store.publishProductVersion({ name: manifest.metadata.name, version: manifest.spec.version, manifest, digest: `test-${manifest.metadata.name}-${manifest.spec.version}-${JSON.stringify(manifest).length}` });
}

/** Opens a store on a fresh database (eachStore's `open`) with the world's clock, and sets up a team, a user and the kv product. */
export async function makeWorld(open: OpenStore, options: { manifest?: ProductManifest; driver?: MemoryDriver; masterKey?: Buffer } = {}): Promise<World> {
  const clock = new ManualClock();
  const store = await open({ now: clock.now });
  const secrets = secretStoreFor(store, options.masterKey ?? randomBytes(32));
  const driver = options.driver ?? createMemoryDriver();
  const team = await store.createTeam({ name: unique('team'), title: 'Engine test team' });
  const user = await store.createUser({ name: unique('user'), admin: false });
  await publish(store, options.manifest ?? kvManifest());
  const target: Target = { name: 'mem-1', driver: 'memory', labels: {}, config: {} };
  const world: World = {
    clock,
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
        ...(overrides.productRead === undefined ? {} : { productRead: overrides.productRead }),
      });
    },
    engine(engineOptions = {}) {
      return createEngine({
        store,
        secrets,
        drivers: { memory: driver },
        targets: [target],
        clock,
        leaseMs: 5_000,
        backoff: TEST_BACKOFF,
        ...engineOptions,
      });
    },
    async drain(engine = world.engine(), max = 50) {
      let total = 0;
      for (let round = 0; round < max; round++) {
        const ran = await engine.runOnce();
        total += ran;
        if (ran > 0) continue;
        const next = await store.nextDueAt();
        if (next === undefined || next - clock.now() > TEST_BACKOFF.maxMs) return total;
        clock.advance(Math.max(0, next - clock.now()));
      }
      return total;
    },
    engineAsleep: () => clock.whenSleeping(2),
    until(id, ready) {
      return new Promise((resolve, reject) => {
        let reading = Promise.resolve();
        // Reads are chained so a late read can never resolve with an older state.
        const check = () => {
          reading = reading.then(async () => {
            const instance = await store.getInstance(id);
            if (!ready(instance)) return;
            unsubscribe();
            resolve(instance);
          }).catch((error: unknown) => {
            unsubscribe();
            reject(error);
          });
        };
        const unsubscribe = store.onInstanceChange((change) => {
          if (change.instanceId === id) check();
        });
        check();
      });
    },
  };
  return world;
}
