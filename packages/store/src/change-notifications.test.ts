import { expect, it } from 'vitest';
import type { InstanceStatus, Team } from '@paved/model';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { databaseUrlOf, eachStore, openAnother } from './testing.js';
import type { Store } from './types.js';
import { newInstance, seedTeam, whenHeard } from './test-fixtures.js';

const ready: InstanceStatus = { phase: 'Ready', conditions: [] };

/**
 * Waits until every notification committed so far has reached `listener`'s listeners: `writer`
 * (another Store, as another process) changes a fresh instance and we wait to hear it.
 * PostgreSQL delivers notifications in commit order, so anything sent before it came first.
 */
async function drained(listener: Store, writer: Store, team: Team): Promise<void> {
  const marker = newInstance(team, `marker-${Math.random().toString(16).slice(2, 10)}`);
  const heard = whenHeard(listener, marker.id!);
  await writer.createInstance(marker);
  await heard;
}

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
    // On PostgreSQL our own NOTIFYs also reach our listening connection: once everything sent
    // so far has arrived, none of them may have been heard a second time.
    if (store.dialect === 'postgres') await drained(store, await openAnother(store), team);
    expect(heard.filter((h) => h === key)).toEqual([key, key, key, key, key, key]); // create, update, touch, status, delete request, forget

    stop();
    const before = heard.length;
    await store.touch((await store.createInstance(newInstance(team, 'other'))).id);
    expect(heard).toHaveLength(before);
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

    const input = newInstance(team, 'db');
    const id = input.id!;
    const created = whenHeard(other, id);
    await store.createInstance(input);
    await created;
    const touched = whenHeard(store, id);
    await other.touch(id);
    await touched;
    // Everything sent so far has arrived both ways: each write was heard once in each process.
    await drained(store, other, team);
    await drained(other, store, team);
    expect(heardThere.filter((h) => h === id)).toEqual([id, id]);
    expect(heardHere.filter((h) => h === id)).toEqual([id, id]);
  });

  it("tells another Store of each instance of a createInstances batch, once (the batch's NOTIFYs ride its insert on PostgreSQL)", async (ctx) => {
    const store = await open();
    if (store.dialect !== 'postgres') ctx.skip();
    const other = await openAnother(store);
    const team = await seedTeam(store);
    const heardThere: string[] = [];
    other.onInstanceChange((c) => heardThere.push(`${c.teamId}/${c.instanceId}`));
    const inputs = ['a', 'b', 'c'].map((name) => newInstance(team, name));
    const heard = Promise.all(inputs.map((input) => whenHeard(other, input.id!)));
    await store.createInstances(inputs);
    await heard;
    await drained(other, store, team);
    for (const input of inputs) expect(heardThere.filter((h) => h === `${team.id}/${input.id}`)).toHaveLength(1);
  });

  it('answers a deletion request with the instance as requested, even when a worker forgot it right after the commit', async (ctx) => {
    const store = await open();
    // SQLite only: the worker's forget must land between the commit and the answer, which a
    // synchronous connection can do from inside the change listener.
    if (store.dialect !== 'sqlite') ctx.skip();
    const team = await seedTeam(store);
    const id = (await store.createInstance(newInstance(team, 'gone'))).id;
    const worker = new BetterSqlite3(databaseUrlOf(store), { timeout: 5000 });
    try {
      store.onInstanceChange((c) => {
        if (c.instanceId === id) worker.prepare('delete from instances where id = ?').run(id);
      });
      const requested = await store.requestDeletion(id, 'bob');
      expect([requested.id, requested.status.phase]).toEqual([id, 'Deleting']);
      expect(await store.getInstance(id)).toBeUndefined();
    } finally {
      worker.close();
    }
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
    let killed: number[];
    try {
      const { rows } = await admin.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN%'");
      killed = rows.map((row) => row.pid);
      expect(killed).toHaveLength(2); // both stores' listeners
      for (const pid of killed) await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    } finally {
      await admin.end();
    }
    // Writes keep working (the pool replaces dead connections) and the listener comes back:
    // the row that proves it is a new LISTEN session in pg_stat_activity.
    await listeningSessions(databaseUrlOf(store), 2, killed);
    const input = newInstance(team, 'after-reconnect');
    const heardIt = whenHeard(store, input.id!);
    await other.createInstance(input);
    await heardIt;
    expect(heard).toContain(input.id);
  });
});

/**
 * Waits (polling the server, with a deadline) until `count` sessions of this database, none of
 * `dead` (terminated ones linger until they have exited), have run LISTEN.
 */
async function listeningSessions(url: string, count: number, dead: number[], timeoutMs = 15_000): Promise<void> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    for (const deadline = Date.now() + timeoutMs; ;) {
      const { rows } = await admin.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle' AND query ILIKE 'LISTEN%' AND pid <> ALL($1::int[])",
        [dead],
      );
      if (rows[0]!.n >= count) return;
      if (Date.now() > deadline) throw new Error(`${rows[0]!.n} of ${count} stores listen again after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await admin.end();
  }
}
