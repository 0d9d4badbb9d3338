import { expect, it } from 'vitest';
import type { InstanceStatus } from '@paved/model';
import pg from 'pg';
import { databaseUrlOf, eachStore, openAnother } from './testing.js';
import { eventually, newInstance, seedTeam } from './test-fixtures.js';

const ready: InstanceStatus = { phase: 'Ready', conditions: [] };

eachStore('store: change notifications', (open) => {
  it('tells local listeners once per instance write, and not for writes that change nothing', async () => {
    const store = await open();
    const team = await seedTeam(store);
    const heard: string[] = [];
    const stop = store.onInstanceChange((c) => heard.push(`${c.teamId}/${c.instanceId}`));
    const id = (await store.createInstance(newInstance(team, 'db'))).id;
    const key = `${team.id}/${id}`;
    expect(heard).toEqual([key]);

    await store.updateInstanceSpec(id, { plan: 'large' }, 'bob');
    await store.updateInstanceSpec(id, { plan: 'large' }, 'bob'); // no-op
    await store.touch(id);
    const [claim] = await store.claimDue({ owner: 'w', leaseMs: 1000, limit: 1 });
    expect(await store.recordStatus(id, claim!.leaseToken, { status: ready, observedGeneration: 2, engine: {} })).toBe('changed');
    expect(await store.recordStatus(id, claim!.leaseToken, { status: ready, observedGeneration: 2, engine: {} })).toBe('unchanged');
    await store.requestDeletion(id, 'bob');
    await store.requestDeletion(id, 'bob'); // idempotent
    expect(await store.forgetInstance(id, claim!.leaseToken)).toBe('changed');
    // Give a NOTIFY of our own writes time to arrive, to prove it is not heard twice.
    await new Promise((r) => setTimeout(r, store.dialect === 'postgres' ? 200 : 0));
    expect(heard).toEqual([key, key, key, key, key, key]); // create, update, touch, status, delete request, forget

    stop();
    await store.touch((await store.createInstance(newInstance(team, 'other'))).id);
    expect(heard).toHaveLength(6);
  });

  it('reaches listeners of another Store object on the same database (PostgreSQL NOTIFY)', async (ctx) => {
    const store = await open();
    if (store.dialect !== 'postgres') ctx.skip(); // one SQLite file has one Store per process
    const other = await openAnother(store);
    const team = await seedTeam(store);
    const heardHere: string[] = [];
    const heardThere: string[] = [];
    store.onInstanceChange((c) => heardHere.push(c.instanceId));
    other.onInstanceChange((c) => heardThere.push(c.instanceId));

    const id = (await store.createInstance(newInstance(team, 'db'))).id;
    await eventually(() => expect(heardThere).toEqual([id]));
    await other.touch(id);
    await eventually(() => expect(heardHere).toEqual([id, id]));
    await new Promise((r) => setTimeout(r, 200));
    expect(heardThere).toEqual([id, id]);
    expect(heardHere).toEqual([id, id]);
  });

  it('keeps hearing other processes after its listening connection is killed', async (ctx) => {
    const store = await open();
    if (store.dialect !== 'postgres') ctx.skip();
    const other = await openAnother(store);
    const team = await seedTeam(store);
    const heard: string[] = [];
    store.onInstanceChange((c) => heard.push(c.instanceId));

    const admin = new pg.Client({ connectionString: databaseUrlOf(store) });
    await admin.connect();
    try {
      const killed = await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN%'");
      expect(killed.rowCount).toBe(2); // both stores' listeners
    } finally {
      await admin.end();
    }
    // Writes keep working (the pool replaces dead connections) and the listener comes back.
    await eventually(async () => {
      const id = (await other.createInstance(newInstance(team, `db-${heard.length}-${Date.now()}`))).id;
      await new Promise((r) => setTimeout(r, 100));
      expect(heard).toContain(id);
    }, 5000);
  });
});
