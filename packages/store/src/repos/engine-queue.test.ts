import { expect, it, vi } from 'vitest';
import { Kysely } from '#kysely';
import type { InstanceStatus } from '@paved/model';
import pg from 'pg';
import { databaseUrlOf, eachStore, openAnother } from '../testing.js';
import { newApprovalId } from './approvals.js';
import { fakeClock, newInstance, seedTeam, watchSent } from '../test-fixtures.js';
import type { ClaimedInstance, CreateIntent, InstanceChangeTold, Store } from '../types.js';

const ready: InstanceStatus = {
  phase: 'Ready',
  conditions: [{ type: 'Ready', status: 'True', reason: 'Available', message: 'The database is ready.', lastTransitionAt: '2024-01-01T00:00:00.000Z' }],
};

/** The SQL each pg client is sent (PostgreSQL), in order, from now until `spy.mockRestore()`. */
const watchSentSql = () => watchSent((text) => text);

eachStore('store: engine queue', (open) => {
  /** A store whose creates this process takes at once (claimOnCreate), as a server's engine does; `taken` lists them. */
  const openTakingCreates = async () => {
    const store = await open();
    const team = await seedTeam(store);
    const taken: ClaimedInstance[] = [];
    store.claimOnCreate({ owner: 'local', leaseMs: 60_000, wants: () => true, take: (claimed) => taken.push(claimed), release: () => {} });
    return { store, team, taken };
  };
  it('hands each due instance to exactly one of several concurrent claimers', async () => {
    const store = await open();
    const team = await seedTeam(store);
    const ids: string[] = [];
    for (let i = 0; i < 200; i++) ids.push((await store.createInstance(newInstance(team, `db-${i}`))).id);
    // On PostgreSQL the claimers are separate Store objects (separate pools), as separate
    // processes would be. On SQLite one process has one Store per file (see openAnother), so
    // the claimers share it and cross-process exclusion rests on BEGIN IMMEDIATE.
    const claimers: Store[] = store.dialect === 'postgres' ? [store, ...(await Promise.all([1, 2, 3].map(() => openAnother(store))))] : [store, store, store, store];
    const claimedBy = new Map<string, string[]>();
    await Promise.all(
      claimers.map(async (claimer, n) => {
        for (;;) {
          const batch = await claimer.claimDue({ owner: `worker-${n}`, leaseMs: 60_000, limit: 7 });
          if (batch.length === 0) return;
          for (const c of batch) claimedBy.set(c.instance.id, [...(claimedBy.get(c.instance.id) ?? []), `worker-${n}`]);
        }
      }),
    );
    expect([...claimedBy.keys()].sort()).toEqual([...ids].sort());
    for (const [, owners] of claimedBy) expect(owners).toHaveLength(1);
    if (store.dialect === 'postgres') expect(new Set([...claimedBy.values()].flat()).size).toBeGreaterThan(1);
    expect(await store.claimDue({ owner: 'late', leaseMs: 1000, limit: 10 })).toEqual([]);
  });

  it('leases a new instance to a worker of this process in its create (claimOnCreate), as claimDue would, and to no one else', async () => {
    const clock = fakeClock();
    const store = await open({ now: clock.now });
    const team = await seedTeam(store);
    const taken: ClaimedInstance[] = [];
    let slots = 1;
    let released = 0;
    const stop = store.claimOnCreate({
      owner: 'local', leaseMs: 1000,
      wants: () => slots-- > 0,
      take: (claimed) => taken.push(claimed),
      release: () => released++,
    });
    const a = await store.createInstance(newInstance(team, 'a'));
    expect(taken.map((c) => c.instance.id)).toEqual([a.id]);
    expect(taken[0]).toMatchObject({ leaseExpiresAt: clock.now() + 1000, secretsStored: false, instance: { id: a.id, generation: 1, status: { phase: 'Pending' } } });
    expect(taken[0]!.engine).toEqual({ pendingAction: null, deletionStep: null, attempts: 0, dueAt: clock.now(), rotation: 0, desiredRotation: 0, revokeRotation: null, revokeAt: null });
    expect(taken[0]!.instance).not.toBe(a);
    // The claim's row is the new row as read (on PostgreSQL the insert's own answer: instances.ts insertClaimedInstanceRow).
    expect(taken[0]!.instance).toEqual(a);
    expect(taken[0]!.instance).toEqual(await store.getInstance(a.id));
    // Leased: no other claimer gets it; the lease token guards the writes.
    expect(await store.claimDue({ owner: 'other', leaseMs: 1000, limit: 10 })).toEqual([]);
    expect(await store.recordEngineState(a.id, taken[0]!.leaseToken, { pendingAction: 'create' })).toBe('changed');

    // No free slot: created as before, for claimDue.
    const b = await store.createInstance(newInstance(team, 'b'));
    expect(taken).toHaveLength(1);
    expect((await store.claimDue({ owner: 'other', leaseMs: 1000, limit: 10 })).map((c) => c.instance.id)).toEqual([b.id]);

    // A create that fails after the worker said yes (its id is taken) hands the promised slot back.
    slots = 1;
    await expect(store.createInstance(newInstance(team, 'a2', { id: a.id }))).rejects.toMatchObject({ code: 'instance_exists' });
    expect(released).toBe(1);
    expect(taken).toHaveLength(1);

    // A workload's instance: the claim names its service, as a read does.
    slots = 1;
    const service = await store.createService({ teamId: team.id, name: 'api', description: '', lifecycle: 'production' });
    const w = await store.createInstance(newInstance(team, 'w', { workload: { serviceId: service.id, environment: 'dev', resource: 'cache', shared: false } }));
    expect(taken.map((claimed) => claimed.instance.id)).toEqual([a.id, w.id]);
    expect(taken[1]!.instance.workload).toMatchObject({ service: 'api' });
    expect(taken[1]!.instance).toEqual(await store.getInstance(w.id));
    taken.pop();

    // Held for approval: never due, never taken.
    slots = 1;
    const decisions = [{ policy: 'p', version: '1.0.0', action: 'requireApproval' as const, result: 'failed' as const, message: 'needs approval' }];
    await store.createInstance(newInstance(team, 'held', { approval: { id: newApprovalId(), approvers: 'platform', decisions } }));
    expect(taken).toHaveLength(1);

    stop();
    const c = await store.createInstance(newInstance(team, 'c'));
    expect(taken).toHaveLength(1);
    // The lease lapses as any claim's does.
    clock.advance(1000);
    expect((await store.claimDue({ owner: 'other', leaseMs: 1000, limit: 10 })).map((claimed) => claimed.instance.id).sort()).toEqual([a.id, b.id, c.id, w.id].sort());
  });

  it('records the first intent the worker makes at the create (CreateClaimer.intentFor) with the instance, in its transaction, or nothing of it', async () => {
    const clock = fakeClock();
    const store = await open({ now: clock.now });
    const team = await seedTeam(store);
    const working: InstanceStatus = {
      phase: 'Provisioning',
      conditions: [{ type: 'Ready', status: 'False', reason: 'Creating', message: 'Creating kv.', lastTransitionAt: '2024-01-01T00:00:00.000Z' }],
    };
    const taken: Array<{ claimed: ClaimedInstance; intent: CreateIntent | undefined }> = [];
    const made: CreateIntent[] = [];
    let released = 0;
    store.claimOnCreate({
      owner: 'local', leaseMs: 1000, wants: () => true,
      intentFor: (request) => {
        const intent: CreateIntent = { status: working, pendingAction: 'create', secret: { name: 'generated', envelope: `sealed-for-${request.name}`, keyId: 'k1' } };
        made.push(intent);
        return intent;
      },
      take: (claimed, intent) => taken.push({ claimed, intent }),
      release: () => released++,
    });
    const a = await store.createInstance(newInstance(team, 'a'));
    // What the create answers and the claim carries is what was committed: the intent, its pending create, its secret.
    expect(a.status).toEqual(working);
    expect(taken).toHaveLength(1);
    expect(taken[0]!.intent).toBe(made[0]);
    expect(taken[0]!.claimed).toMatchObject({ secretsStored: true, instance: { id: a.id, status: working } });
    expect(taken[0]!.claimed.engine.pendingAction).toBe('create');
    expect(await store.getInstance(a.id)).toEqual(a);
    expect(await store.getSecret(a.id, 'generated')).toMatchObject({ envelope: 'sealed-for-a', keyId: 'k1' });
    // The intent's status is written as the pass writes one: the same write again changes nothing.
    expect(await store.recordStatus(a.id, taken[0]!.claimed.leaseToken, { status: working, engine: { pendingAction: 'create' } })).toBe('unchanged');

    // A create that fails leaves nothing: no row, no secret; the slot is handed back.
    const id = '00000000-0000-4000-8000-00000000b001';
    await expect(store.createInstance(newInstance(team, 'a', { id }))).rejects.toMatchObject({ code: 'instance_exists' });
    await expect(store.createInstance(newInstance(team, 'q', { id, quota: { max: 1 } }))).rejects.toMatchObject({ code: 'quota_exceeded' });
    expect(await store.getInstance(id)).toBeUndefined();
    expect(await store.getSecret(id, 'generated')).toBeUndefined();
    // Refused by its insert, after the intent was made (a caller-chosen id reused): a's row and secret untouched.
    await expect(store.createInstance(newInstance(team, 'a3', { id: a.id }))).rejects.toMatchObject({ code: 'instance_exists' });
    expect(await store.getInstance(a.id)).toEqual(a);
    expect(await store.getSecret(a.id, 'generated')).toMatchObject({ envelope: 'sealed-for-a' });
    // SQLite refuses the first two before the worker is asked (PostgreSQL sends the insert before the checks' answers).
    expect(released).toBe(store.dialect === 'postgres' ? 3 : 1);
    expect(made).toHaveLength(store.dialect === 'postgres' ? 4 : 2);

    // Sealed under a key that is no longer the active one: the create is made again without it, as before.
    expect(await store.activateMasterKey({ keyId: 'k2', version: 2 }, undefined)).toBe(true);
    const b = await store.createInstance(newInstance(team, 'b'));
    expect(b.status.phase).toBe('Pending');
    expect(taken.at(-1)).toMatchObject({ intent: undefined, claimed: { secretsStored: false, instance: { id: b.id } } });
    expect(await store.getSecret(b.id, 'generated')).toBeUndefined();
  });

  it('claims only due instances, earliest first, with the engine state and a live lease', async () => {
    const clock = fakeClock();
    const store = await open({ now: clock.now });
    const team = await seedTeam(store);
    const a = await store.createInstance(newInstance(team, 'a'));
    clock.advance(10);
    const b = await store.createInstance(newInstance(team, 'b'));
    const [first] = await store.claimDue({ owner: 'w', leaseMs: 1000, limit: 1 });
    expect(first?.instance.id).toBe(a.id);
    expect(first?.engine).toEqual({ pendingAction: null, deletionStep: null, attempts: 0, dueAt: clock.now() - 10, rotation: 0, desiredRotation: 0, revokeRotation: null, revokeAt: null });
    expect(first?.leaseExpiresAt).toBe(clock.now() + 1000);
    expect(await store.recordEngineState(a.id, first!.leaseToken, { pendingAction: 'create', attempts: 2, dueAt: clock.now() + 500 })).toBe('changed');
    await store.releaseLease(a.id, first!.leaseToken);
    const [second] = await store.claimDue({ owner: 'w', leaseMs: 1000, limit: 5 });
    expect(second?.instance.id).toBe(b.id);
    clock.advance(500);
    const [again] = await store.claimDue({ owner: 'w', leaseMs: 1000, limit: 5 });
    expect(again?.instance.id).toBe(a.id); // b is still leased
    expect(again?.engine).toEqual({ pendingAction: 'create', deletionStep: null, attempts: 2, dueAt: clock.now(), rotation: 0, desiredRotation: 0, revokeRotation: null, revokeAt: null });
  });

  it("claims on SQLite without building a query once a claim of that many rows has run (compiled once, the same rows)", async () => {
    const clock = fakeClock();
    const store = await open({ now: clock.now });
    if (store.dialect !== 'sqlite') return; // PostgreSQL's claim is one statement of its own (claim-statement.ts)
    const team = await seedTeam(store);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await store.createInstance(newInstance(team, `c-${i}`))).id);
      clock.advance(1);
    }
    expect((await store.claimDue({ owner: 'w', leaseMs: 1000, limit: 2 })).map((c) => c.instance.id)).toEqual(ids.slice(0, 2));
    const built = [vi.spyOn(Kysely.prototype, 'updateTable'), vi.spyOn(Kysely.prototype, 'selectFrom')];
    try {
      const next = await store.claimDue({ owner: 'w', leaseMs: 1000, limit: 2 });
      expect(next.map((c) => c.instance.id)).toEqual(ids.slice(2, 4));
      expect(next.map((c) => c.secretsStored)).toEqual([false, false]);
      expect(built.map((spy) => spy.mock.calls.length)).toEqual([0, 0]);
    } finally {
      for (const spy of built) spy.mockRestore();
    }
    // Another size is compiled at its first claim, and claims what is left.
    expect((await store.claimDue({ owner: 'w', leaseMs: 1000, limit: 2 })).map((c) => c.instance.id)).toEqual(ids.slice(4));
  });

  it('says whether any secret of a claimed instance is stored, so a pass on a new one need not read them', async () => {
    const store = await open();
    const team = await seedTeam(store);
    const fresh = await store.createInstance(newInstance(team, 'fresh'));
    const kept = await store.createInstance(newInstance(team, 'kept'));
    expect(await store.putSecret({ ownerId: kept.id, name: 'generated', envelope: '{}', keyId: '' })).toBe('written');
    const claimed = await store.claimDue({ owner: 'w', leaseMs: 1000, limit: 5 });
    expect(Object.fromEntries(claimed.map((c) => [c.instance.id, c.secretsStored]))).toEqual({ [fresh.id]: false, [kept.id]: true });
  });

  it('keeps an instance due when its spec changes during a pass', async () => {
    const clock = fakeClock();
    const store = await open({ now: clock.now });
    const team = await seedTeam(store);
    const a = await store.createInstance(newInstance(team, 'a'));
    const [claimed] = await store.claimDue({ owner: 'w', leaseMs: 1000, limit: 1 });
    // The user changes the spec (or asks for deletion) while the worker is busy with generation 1.
    await store.updateInstanceSpec(a.id, { plan: 'large' }, 'alice');
    const write = { status: ready, observedGeneration: 1, engine: { dueAt: clock.now() + 300_000 } };
    expect(await store.recordStatus(a.id, claimed!.leaseToken, write)).toBe('changed');
    await store.releaseLease(a.id, claimed!.leaseToken);
    const [next] = await store.claimDue({ owner: 'w', leaseMs: 1000, limit: 1 });
    expect(next?.instance.generation).toBe(2);
    // Without a change during the pass, the computed next-check time stands.
    await store.recordStatus(a.id, next!.leaseToken, { ...write, observedGeneration: 2 });
    await store.releaseLease(a.id, next!.leaseToken);
    expect(await store.claimDue({ owner: 'w', leaseMs: 1000, limit: 1 })).toEqual([]);
  });

  it("ends the lease with a pass's last write, keeping a change made during the pass due now", async () => {
    const clock = fakeClock();
    const store = await open({ now: clock.now });
    const team = await seedTeam(store);
    const a = await store.createInstance(newInstance(team, 'a'));
    const b = await store.createInstance(newInstance(team, 'b'));
    const claimed = await store.claimDue({ owner: 'w', leaseMs: 60_000, limit: 2 });
    const lease = (id: string) => claimed.find((c) => c.instance.id === id)!.leaseToken;
    // a is changed during its pass; its last write computed a next check far off, or none at all.
    await store.updateInstanceSpec(a.id, { plan: 'large' }, 'alice');
    expect(await store.recordStatus(a.id, lease(a.id), { status: ready, observedGeneration: 1, engine: {}, releaseLease: true })).toBe('changed');
    // b's write changes nothing visible the second time: the lease still ends with it.
    const write = { status: ready, observedGeneration: 1, engine: { dueAt: clock.now() + 300_000 } };
    expect(await store.recordStatus(b.id, lease(b.id), write)).toBe('changed');
    expect(await store.recordStatus(b.id, lease(b.id), { ...write, releaseLease: true })).toBe('unchanged');
    // Released: the lease token no longer guards a write, and a is claimable at once (b is not due).
    expect(await store.recordEngineState(b.id, lease(b.id), { attempts: 1 })).toBe('lost-lease');
    const [next] = await store.claimDue({ owner: 'w', leaseMs: 60_000, limit: 2 }).then((rows) => rows.map((c) => c.instance));
    expect(next?.id).toBe(a.id);
    expect(next?.generation).toBe(2);
  });

  it('turns every write of a worker whose lease was taken over into lost-lease', async () => {
    const clock = fakeClock();
    const store = await open({ now: clock.now });
    const team = await seedTeam(store);
    const instance = await store.createInstance(newInstance(team, 'db'));
    const [mine] = await store.claimDue({ owner: 'slow', leaseMs: 100, limit: 1 });
    expect(await store.claimDue({ owner: 'other', leaseMs: 100, limit: 1 })).toEqual([]);
    expect(await store.nextDueAt()).toBeUndefined();
    expect(await store.renewLease(instance.id, mine!.leaseToken, 100)).toBe('changed');
    clock.advance(150);
    const [theirs] = await store.claimDue({ owner: 'other', leaseMs: 10_000, limit: 1 });
    expect(theirs?.instance.id).toBe(instance.id);

    const token = mine!.leaseToken;
    expect(await store.renewLease(instance.id, token, 100)).toBe('lost-lease');
    expect(await store.recordEngineState(instance.id, token, { attempts: 9 })).toBe('lost-lease');
    expect(await store.recordEngineState(instance.id, token, {})).toBe('lost-lease');
    expect(await store.recordStatus(instance.id, token, { status: ready, observedGeneration: 1, engine: {} })).toBe('lost-lease');
    expect(await store.forgetInstance(instance.id, token)).toBe('lost-lease');
    await store.releaseLease(instance.id, token); // must not release the new owner's lease
    expect(await store.claimDue({ owner: 'third', leaseMs: 100, limit: 1 })).toEqual([]);
    expect((await store.getInstance(instance.id))?.status.phase).toBe('Pending');
    expect(await store.recordStatus(instance.id, theirs!.leaseToken, { status: ready, observedGeneration: 1, engine: {} })).toBe('changed');
  });

  it('writes a created-and-taken row\'s first status without reading it (held from the create, as a claim\'s), and sees a change made meanwhile', async () => {
    // The SQL each pg client is sent (PostgreSQL), in order: watched from before the store connects.
    const { sent, spy } = watchSentSql();
    try {
      const { store, team, taken } = await openTakingCreates();
      const leasedRowRead = (text: string) => /"lease_token" = \$\d+ for update$/.test(text.trim());
      const failed: InstanceStatus = { phase: 'Failed', conditions: [], lastError: 'refused' };

      sent.length = 0;
      const a = await store.createInstance(newInstance(team, 'a'));
      if (store.dialect === 'postgres') {
        // Sent together, in this order: the team's lock before the name read, the insert before its event.
        const at = (pattern: RegExp) => sent.findIndex((text) => pattern.test(text));
        expect(at(/from "teams" where "id" = \$1 for update/)).toBeGreaterThanOrEqual(0);
        expect(at(/from "instances" where "team_id" = \$1 and "name" =/)).toBeGreaterThan(at(/from "teams" where "id" = \$1 for update/));
        expect(at(/insert into "events"/)).toBeGreaterThan(at(/^insert into "instances"/));
      }
      sent.length = 0;
      expect(await store.recordStatus(a.id, taken[0]!.leaseToken, { status: failed, engine: { attempts: 1 } })).toBe('changed');
      expect(sent.filter(leasedRowRead)).toEqual([]);
      expect((await store.getInstance(a.id))?.status.phase).toBe('Failed');

      // A change during the pass, before its first write: the guess changes no row, the row is read and decided on.
      const b = await store.createInstance(newInstance(team, 'b'));
      await store.updateInstanceSpec(b.id, { inputs: { changed: 'during the pass' } }, 'someone');
      sent.length = 0;
      expect(await store.recordStatus(b.id, taken[1]!.leaseToken, { status: failed, engine: { attempts: 1 } })).toBe('changed');
      if (store.dialect === 'postgres') expect(sent.filter(leasedRowRead)).toHaveLength(1);
      expect((await store.getInstance(b.id))?.status.phase).toBe('Failed');
    } finally {
      spy.mockRestore();
    }
  });

  it("appends a status write's outcome event only with the status: none for a guess refused, none for a lost lease", async () => {
    // On PostgreSQL the Ready's event rides in its guarded update's statement (status-with-outcome.ts): watched to be sure it does.
    const { sent, spy } = watchSentSql();
    try {
      const clock = fakeClock();
      const store = await open({ now: clock.now });
      const team = await seedTeam(store);
      const taken: ClaimedInstance[] = [];
      store.claimOnCreate({ owner: 'local', leaseMs: 1000, wants: () => true, take: (claimed) => taken.push(claimed), release: () => {} });
      // A pass's last write, as the engine's: it ends the lease, so the next case's row is the one this process holds.
      const readyWrite = (instanceId: string) => ({ status: ready, outputs: { host: 'db.local' }, observedGeneration: 1, engine: { attempts: 0 }, releaseLease: true, events: [{ kind: 'instance.ready' as const, teamId: team.id, instanceId, data: { timeToReadyMs: 1 } }] });
      const beginCommit = () => sent.filter((text) => /^(begin|commit)$/i.test(text.trim()));
      const kinds = async (instanceId: string) => (await store.listEvents({ instanceId })).items.map((e) => e.kind);

      // Held from its create and unchanged: one statement writes the status and appends the event,
      // and with no other write under way it commits by itself (writeAlone), without BEGIN…COMMIT.
      const a = await store.createInstance(newInstance(team, 'a'));
      sent.length = 0;
      expect(await store.recordStatus(a.id, taken[0]!.leaseToken, readyWrite(a.id))).toBe('changed');
      if (store.dialect === 'postgres') {
        expect(beginCommit()).toEqual([]);
        expect(sent.filter((text) => /insert into "events"/.test(text))).toHaveLength(1);
        expect(sent.filter((text) => /^with "v" as .*"changed" as \(update "instances".*insert into "events"/s.test(text))).toHaveLength(1);
      }
      expect(await kinds(a.id)).toEqual(['instance.requested', 'instance.ready']);

      // Changed since it was held: the guessed write's guard refuses it, and with it its event; the row is read and written once.
      const b = await store.createInstance(newInstance(team, 'b'));
      await store.updateInstanceSpec(b.id, { inputs: { changed: 'during the pass' } }, 'someone');
      sent.length = 0;
      expect(await store.recordStatus(b.id, taken[1]!.leaseToken, readyWrite(b.id))).toBe('changed');
      if (store.dialect === 'postgres') {
        expect(sent.filter((text) => /insert into "events"/.test(text))).toHaveLength(2);
        // The row read under its lock and written in a transaction, as every write whose guess was refused.
        expect(beginCommit()).toEqual(['begin', 'commit']);
      }
      expect((await kinds(b.id)).filter((kind) => kind === 'instance.ready')).toHaveLength(1);

      // A lease taken over: the guess and the read both find it gone, and no event is appended.
      const c = await store.createInstance(newInstance(team, 'c'));
      clock.advance(1500);
      const theirs = (await store.claimDue({ owner: 'other', leaseMs: 60_000, limit: 10 })).find((claimed) => claimed.instance.id === c.id);
      expect(theirs).toBeDefined();
      expect(await store.recordStatus(c.id, taken[2]!.leaseToken, readyWrite(c.id))).toBe('lost-lease');
      expect(await kinds(c.id)).toEqual(['instance.requested']);
      expect((await store.getInstance(c.id))?.status.phase).toBe('Pending');

      // Two passes under way in this process (the engine under load): the Ready shares a transaction
      // with whatever else is written, as before, instead of a commit of its own.
      const d = await store.createInstance(newInstance(team, 'd'));
      const e = await store.createInstance(newInstance(team, 'e'));
      sent.length = 0;
      expect(await store.recordStatus(d.id, taken[3]!.leaseToken, readyWrite(d.id))).toBe('changed');
      if (store.dialect === 'postgres') {
        expect(beginCommit()).toEqual(['begin', 'commit']);
        expect(sent.filter((text) => /insert into "events"/.test(text))).toHaveLength(1);
      }
      expect(await kinds(d.id)).toEqual(['instance.requested', 'instance.ready']);
      expect(await store.recordStatus(e.id, taken[4]!.leaseToken, readyWrite(e.id))).toBe('changed');
      expect(await kinds(e.id)).toEqual(['instance.requested', 'instance.ready']);
    } finally {
      spy.mockRestore();
    }
  });

  it("tells a local watcher the Ready written alone as its statement committed it, with the credentials; not when another change was told while it was out", async () => {
    const { store, team, taken } = await openTakingCreates();
    const told: InstanceChangeTold[] = [];
    store.onInstanceChange((change) => told.push(change));
    const readyWrite = (instanceId: string) => ({
      status: ready, outputs: { host: 'db.local' }, observedGeneration: 1, engine: { attempts: 0 }, releaseLease: true, shownWithSecret: 'credentials',
      events: [{ kind: 'instance.ready' as const, teamId: team.id, instanceId, data: { timeToReadyMs: 1 } }],
    });
    const a = await store.createInstance(newInstance(team, 'a'));
    expect(await store.putSecret({ ownerId: a.id, name: 'credentials', envelope: 'e1', keyId: 'k1' }, { flushedLater: true })).toBe('written');
    told.length = 0;
    expect(await store.recordStatus(a.id, taken[0]!.leaseToken, readyWrite(a.id))).toBe('changed');
    expect(told.map((change) => change.instanceId)).toEqual([a.id]);
    if (store.dialect === 'postgres') {
      // What a re-read finds now: the same instance, the same secret.
      const read = await store.getInstanceWithSecret(a.id, 'credentials');
      expect(told[0]!.committed).toEqual({ ...read, secretName: 'credentials' });
      expect(told[0]!.committed?.instance.status.phase).toBe('Ready');
      expect(told[0]!.committed?.secret?.envelope).toBe('e1');
    } else {
      expect(told[0]!.committed).toBeUndefined();
    }
    if (store.dialect !== 'postgres') return;

    // Another change told between the write's start and its answer (the row locked behind the store's back
    // until it is): told without the committed instance, so the watcher reads it again, after that change's.
    const x = await store.createInstance(newInstance(team, 'x'));
    await store.releaseLease(x.id, taken[1]!.leaseToken);
    const b = await store.createInstance(newInstance(team, 'b'));
    const locker = new pg.Client({ connectionString: databaseUrlOf(store) });
    await locker.connect();
    try {
      await locker.query('begin');
      await locker.query('select 1 from "instances" where "id" = $1 for update', [b.id]);
      told.length = 0;
      const written = store.recordStatus(b.id, taken[2]!.leaseToken, readyWrite(b.id));
      await store.updateInstanceSpec(x.id, { inputs: { changed: 'meanwhile' } }, 'someone');
      await locker.query('commit');
      expect(await written).toBe('changed');
    } finally {
      await locker.end();
    }
    expect(told.map((change) => [change.instanceId, change.committed])).toEqual([[x.id, undefined], [b.id, undefined]]);
    expect((await store.getInstance(b.id))?.status.phase).toBe('Ready');
  });

  it("writes the flushed-later credentials of the process's one pass alone, by one statement not waiting for the flush, in the shared commit otherwise", async () => {
    const { sent, spy } = watchSentSql();
    try {
      const { store, team, taken } = await openTakingCreates();
      const beginCommit = () => sent.filter((text) => /^(begin|commit)$/i.test(text.trim()));
      const upserts = () => sent.filter((text) => /insert into "secrets"/.test(text));
      const credentials = (ownerId: string, envelope: string) => ({ ownerId, name: 'credentials', envelope, keyId: 'k1' });

      // The one pass this process holds (a request's own): one statement that commits by itself, asynchronously, on PostgreSQL.
      const a = await store.createInstance(newInstance(team, 'a'));
      sent.length = 0;
      expect(await store.putSecret(credentials(a.id, 'e1'), { flushedLater: true })).toBe('written');
      if (store.dialect === 'postgres') {
        expect(beginCommit()).toEqual([]);
        expect(upserts()).toHaveLength(1);
        expect(upserts()[0]).toContain("set_config('synchronous_commit', 'off', true)");
      }
      expect((await store.getSecret(a.id, 'credentials'))?.envelope).toBe('e1');

      // Not marked (a generated secret, which shares its intent's commit): in the shared commit, as before.
      sent.length = 0;
      expect(await store.putSecret({ ...credentials(a.id, 'e2'), name: 'generated' })).toBe('written');
      if (store.dialect === 'postgres') expect(beginCommit()).toEqual(['begin', 'commit']);

      // Two passes under way (the engine under load): marked, it still shares a commit.
      const b = await store.createInstance(newInstance(team, 'b'));
      sent.length = 0;
      expect(await store.putSecret(credentials(b.id, 'e3'), { flushedLater: true })).toBe('written');
      if (store.dialect === 'postgres') expect(beginCommit()).toEqual(['begin', 'commit']);
      expect((await store.getSecret(b.id, 'credentials'))?.envelope).toBe('e3');

      // Alone again (the other passes ended), the write still refuses an envelope under a key that is no longer the active one.
      for (const claimed of taken) await store.releaseLease(claimed.instance.id, claimed.leaseToken);
      await store.activateMasterKey({ keyId: 'k2', version: 2 }, undefined);
      const c = await store.createInstance(newInstance(team, 'c'));
      sent.length = 0;
      expect(await store.putSecret(credentials(c.id, 'e4'), { flushedLater: true })).toBe('stale-key');
      if (store.dialect === 'postgres') expect(beginCommit()).toEqual([]);
      expect(await store.getSecret(c.id, 'credentials')).toBeUndefined();
    } finally {
      spy.mockRestore();
    }
  });

  it('sees a status changed during a pass, though a pass writes without reading its row first', async () => {
    const store = await open();
    const team = await seedTeam(store);
    const instance = await store.createInstance(newInstance(team, 'db'));
    const failed: InstanceStatus = { phase: 'Failed', conditions: [], lastError: 'refused' };
    const [first] = await store.claimDue({ owner: 'w', leaseMs: 60_000, limit: 1 });
    expect(await store.recordStatus(instance.id, first!.leaseToken, { status: failed, engine: { dueAt: 0 }, releaseLease: true })).toBe('changed');
    const [second] = await store.claimDue({ owner: 'w', leaseMs: 60_000, limit: 1 });
    // "Try again now" lands during the pass: Failed shows Provisioning (status and hash), the generation stays.
    await store.requestReconcile(instance.id, 'someone');
    // The same status as the pass last wrote is a change again: the row says Provisioning now.
    expect(await store.recordStatus(instance.id, second!.leaseToken, { status: failed, engine: { attempts: 1 } })).toBe('changed');
    expect((await store.getInstance(instance.id))?.status.phase).toBe('Failed');
    // And a write the row still matches is 'unchanged', guarded as before by the lease.
    expect(await store.recordStatus(instance.id, second!.leaseToken, { status: failed, engine: { attempts: 2 } })).toBe('unchanged');
  });

  it('skips a status write that changes nothing, but still moves engine state', async () => {
    const clock = fakeClock();
    const store = await open({ now: clock.now });
    const team = await seedTeam(store);
    const instance = await store.createInstance(newInstance(team, 'db'));
    const [claim] = await store.claimDue({ owner: 'w', leaseMs: 1000, limit: 1 });
    const token = claim!.leaseToken;

    // The initial status is already recorded, so writing it again is 'unchanged'.
    expect(await store.recordStatus(instance.id, token, { status: { phase: 'Pending', conditions: [] }, outputs: {}, observedGeneration: 0, engine: {} })).toBe('unchanged');
    const write = { status: ready, outputs: { host: 'db.local', port: '5432' }, observedGeneration: 1, engine: { attempts: 0 }, events: [{ kind: 'instance.ready' as const, teamId: team.id, instanceId: instance.id }] };
    expect(await store.recordStatus(instance.id, token, write)).toBe('changed');
    // Same content, keys in another order: still unchanged, and no second event.
    const reordered = { ...write, outputs: { port: '5432', host: 'db.local' }, engine: { dueAt: clock.now() + 300_000 } };
    expect(await store.recordStatus(instance.id, token, reordered)).toBe('unchanged');

    const after = await store.getInstance(instance.id);
    expect(after).toMatchObject({ status: ready, outputs: { host: 'db.local', port: '5432' }, observedGeneration: 1 });
    const kinds = (await store.listEvents({ instanceId: instance.id })).items.map((e) => e.kind);
    expect(kinds).toEqual(['instance.requested', 'instance.ready']);
    await store.releaseLease(instance.id, token);
    expect(await store.nextDueAt()).toBe(clock.now() + 300_000);
  });

  it('forgets an instance: row and secrets gone, history kept', async () => {
    const store = await open();
    const team = await seedTeam(store);
    const instance = await store.createInstance(newInstance(team, 'db'));
    await store.putSecret({ ownerId: instance.id, name: 'credentials', envelope: '{}' });
    await store.putSecret({ ownerId: 'someone-else', name: 'credentials', envelope: '{}' });
    await store.requestDeletion(instance.id, 'bob');
    const [claim] = await store.claimDue({ owner: 'w', leaseMs: 1000, limit: 1 });
    expect(await store.forgetInstance(instance.id, claim!.leaseToken)).toBe('changed');
    expect(await store.getInstance(instance.id)).toBeUndefined();
    expect(await store.getSecret(instance.id, 'credentials')).toBeUndefined();
    expect(await store.getSecret('someone-else', 'credentials')).toBeDefined();
    const events = (await store.listEvents({ instanceId: instance.id })).items;
    expect(events.map((e) => e.kind)).toEqual(['instance.requested', 'instance.delete-requested', 'instance.deleted']);
    expect(events[2]?.teamId).toBe(team.id);
    expect(await store.forgetInstance(instance.id, claim!.leaseToken)).toBe('lost-lease');
    // The name is free again.
    await store.createInstance(newInstance(team, 'db'));
  });
});
