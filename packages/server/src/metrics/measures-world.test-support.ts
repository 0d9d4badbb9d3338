/**
 * Test-only (excluded from the build): a world for the measures' API tests, built at hand-picked
 * times on a fake clock shared by the store and the app, so every expected figure can be worked
 * out from this file. Not used by production code.
 */
import type { EventKind, Instance } from '@paved/model';
import type { OpenStore } from '@paved/store/testing';
import type { Store } from '@paved/store';
import { startHarness, type Caller, type Harness } from '../test-harness.js';

export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;
/** Monday 2026-01-05 00:00 UTC. */
export const T0 = Date.UTC(2026, 0, 5);

export interface MeasuresWorld {
  h: Harness;
  clock: { now(): number; set(ms: number): void };
  dev: Caller;
  plat: Caller;
  outsider: Caller;
  /** A platform admin who is a member of no team. */
  root: Caller;
  db1: Instance;
  db2: Instance;
}

/** What the engine writes when a pass ends in `phase`: the status and its event, under a lease. */
export async function engineRecords(store: Store, instance: Instance, phase: 'Ready' | 'Failed', kind: EventKind): Promise<void> {
  const claimed = await store.claimDue({ owner: 'test-engine', leaseMs: HOUR, limit: 1000 });
  const mine = claimed.find((c) => c.instance.id === instance.id);
  for (const other of claimed) if (other !== mine) await store.releaseLease(other.instance.id, other.leaseToken);
  if (!mine) throw new Error(`${instance.name} was not due`);
  await store.recordStatus(instance.id, mine.leaseToken, {
    status: { phase, conditions: [] },
    engine: { dueAt: Date.UTC(2030, 0, 1) },
    events: [{ kind, teamId: instance.teamId, instanceId: instance.id }],
  });
  await store.releaseLease(instance.id, mine.leaseToken);
}

/**
 * Team `shop` (dev is a member) is created at T0 and asks for two `pgdb` instances (owned by
 * platform team `plat`, SLO p95 5 s): db1 at T0, Ready 2 s later; db2 at T0+1m, Failed 10 s
 * later, retried by platform admin `root` (in no team) at T0+2m (an intervention), Ready at T0+5m (240 s).
 * `outsider` is in team `other`. The clock is left at T0+1h.
 */
export async function measuresWorld(open: OpenStore): Promise<MeasuresWorld> {
  let now = T0;
  const clock = { now: () => now, set: (ms: number) => void (now = ms) };
  const store = await open({ now: clock.now });
  const h = await startHarness(store, { now: clock.now });
  const dev = await h.user('dev');
  const plat = await h.user('plat-member');
  const outsider = await h.user('outsider');
  // The harness's own admin created (and so owns) every team: this one is in none of them.
  const root = await h.user('root', true);
  await h.team('shop', [[dev, 'member']]);
  await h.team('plat', [[plat, 'member']], { platform: true });
  await h.team('other', [[outsider, 'member']]);
  await h.product('plat');
  const create = async (name: string) => (await h.call(dev, 'POST', '/api/v1/teams/shop/instances', { name, product: 'pgdb' })).json() as Instance;
  const db1 = await create('db1');
  clock.set(T0 + 2_000);
  await engineRecords(store, db1, 'Ready', 'instance.ready');
  clock.set(T0 + MIN);
  const db2 = await create('db2');
  clock.set(T0 + MIN + 10_000);
  await engineRecords(store, db2, 'Failed', 'instance.failed');
  clock.set(T0 + 2 * MIN);
  const retried = await h.call(root, 'POST', '/api/v1/teams/shop/instances/db2/reconcile', {});
  if (retried.statusCode !== 202) throw new Error(`reconcile: ${retried.statusCode} ${retried.body}`);
  clock.set(T0 + 5 * MIN);
  await engineRecords(store, db2, 'Ready', 'instance.ready');
  clock.set(T0 + HOUR);
  return { h, clock, dev, plat, outsider, root, db1, db2 };
}
