import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { vi } from 'vitest';
import type { ProductManifest, ProductVersion, Team } from '@paved/model';
import type { NewInstance, Store } from './types.js';

/** Small builders for the store's own tests (not part of the package's public face). */

export function manifest(name: string, version: string, plans: string[] = ['small', 'large']): ProductManifest {
  return {
    apiVersion: 'paved.dev/v1alpha1',
    kind: 'Product',
    metadata: { name, title: `${name} title`, owner: 'platform', lifecycle: 'ga' },
    spec: {
      version,
      description: `${name} ${version}`,
      driver: 'memory',
      inputs: { type: 'object' },
      plans: Object.fromEntries(plans.map((p) => [p, {}])),
      outputs: { host: {} },
    },
  };
}

export function productVersion(name: string, version: string, digest = `digest-${version}`, plans?: string[]): Omit<ProductVersion, 'publishedAt'> {
  return { name, version, manifest: manifest(name, version, plans), digest };
}

let teamCounter = 0;
export async function seedTeam(store: Store, name = `team-${++teamCounter}`): Promise<Team> {
  return store.createTeam({ name, title: `Team ${name}` });
}

export function newInstance(team: Team, name: string, overrides: Partial<NewInstance> = {}): NewInstance {
  const id = randomUUID();
  return {
    id,
    teamId: team.id,
    name,
    product: 'postgres',
    productVersion: '1.0.0',
    plan: 'small',
    inputs: {},
    externalName: `pv_${team.name}_${name}_${id.slice(0, 8)}`.replace(/-/g, '_'),
    target: 'local',
    createdBy: 'alice',
    ...overrides,
  };
}

/** A clock a test moves by hand. */
export function fakeClock(start = 1_700_000_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms), set: (ms: number) => void (t = ms) };
}

/**
 * Resolves when `store`'s listeners are told that `instanceId` changed: the signal that a
 * notification arrived, instead of a sleep. Subscribe before the write. Fails after `timeoutMs`,
 * which is generous: it bounds a hang, it is not how long delivery takes.
 */
export function whenHeard(store: Store, instanceId: string, timeoutMs = 15_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`no change notification for instance ${instanceId} within ${timeoutMs} ms`));
    }, timeoutMs);
    const stop = store.onInstanceChange((change) => {
      if (change.instanceId !== instanceId) return;
      clearTimeout(timer);
      stop();
      resolve();
    });
  });
}

/**
 * The statements pg clients are sent (PostgreSQL), in order, from now until `spy.mockRestore()`,
 * each as `record` makes it from its text, its client and whether it was written behind an
 * unanswered statement of that client (pg's pipeline mode: it shares that one's round trip, as
 * bench/count-pg-queries.cjs counts it). A pool's connections bind pg's query when they connect:
 * watch from before the store opens to see theirs.
 */
export function watchSent<T>(record: (text: string, client: pg.Client, behind: boolean) => T) {
  const sent: T[] = [];
  const query = pg.Client.prototype.query;
  const spy = vi.spyOn(pg.Client.prototype, 'query').mockImplementation(function (this: pg.Client, ...args: unknown[]) {
    const config = args[0] as string | { text?: string };
    const queued = this as unknown as { _activeQuery?: unknown; _queryQueue?: unknown[] };
    sent.push(record(typeof config === 'string' ? config : config.text ?? '', this, Boolean(queued._activeQuery || queued._queryQueue?.length)));
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as never);
  return { sent, spy };
}
