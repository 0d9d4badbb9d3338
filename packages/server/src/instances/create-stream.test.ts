import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AuditRecord, Credentials, Instance, PavedEvent } from '@paved/model';
import { eachStore } from '@paved/store/testing';
import { markReady, startHarness, type Caller, type Harness } from '../test-harness.js';
import { openStream } from './event-stream-client.test-support.js';

eachStore('API create answered with its status stream (?wait=ready)', (open) => {
  let h: Harness;
  let ann: Caller;
  let vic: Caller;
  let base: string;
  const auditOf = async (action: string, instance: string) => ((await h.call(h.admin, 'GET', '/api/v1/audit?limit=200')).json().items as AuditRecord[])
    .filter((r) => r.action === action && r.target?.instance === instance);
  beforeAll(async () => {
    h = await startHarness(await open());
    ann = await h.user('ann');
    vic = await h.user('vic');
    await h.team('platform');
    await h.team('alpha', [[ann, 'member'], [vic, 'viewer']]);
    await h.team('beta', [[ann, 'member']]);
    await h.product('platform');
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
  });
  afterAll(() => h.close());
  /** Until the reveal's `completed` record of `instance` is written (after the credentials went out). */
  const completedOf = async (instance: string) => (await h.store.readAuditRecords({ afterSeq: 0, limit: 10_000 }))
    .filter((r) => r.action === 'revealCredentials' && r.stage === 'completed' && r.target?.instance === instance);
  const recorded = async (instance: string) => {
    for (let i = 0; i < 200 && (await completedOf(instance)).length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  };
  /** What became of each reveal riding on a Ready (Store.rideOnReady), as the store told it, until `restore`. */
  const rides = () => {
    const outcomes: string[] = [];
    const ride = h.store.rideOnReady?.bind(h.store);
    // SQLite's store has none: no Ready of it is one statement alone.
    expect(ride === undefined).toBe(h.store.dialect === 'sqlite');
    if (ride === undefined) return { outcomes, restore: () => {} };
    h.store.rideOnReady = (id, rider) => ride(id, { ask: (ready) => rider.ask(ready), settled: (outcome) => { outcomes.push(outcome); rider.settled(outcome); } });
    return { outcomes, restore: () => { h.store.rideOnReady = ride; } };
  };
  /** The instance's events, oldest first, read from the store (not the API: its rate limit). */
  const eventsOf = async (instanceId: string) => (await h.store.listEvents({ instanceId, limit: 500 })).items;

  it('streams the created instance, then its changes, with the credentials right before the first Ready status', async () => {
    const stream = openStream(base, '/api/v1/teams/alpha/instances?wait=ready&reveal=true', ann.token, { name: 'streamed', product: 'pgdb' });
    await stream.until(() => stream.events.length >= 1, 'the created status');
    expect(stream.response?.statusCode).toBe(200);
    expect(stream.response?.headers['content-type']).toMatch(/^text\/event-stream/);
    const created = JSON.parse(stream.events[0]!.data) as Instance;
    expect(stream.events[0]!.event).toBe('status');
    expect(created).toMatchObject({ name: 'streamed', product: 'pgdb', status: { phase: 'Pending' } });
    // Written before the stream opened, in this order along the chain (the last two started together).
    const chain = (await h.store.readAuditRecords({ afterSeq: 0, limit: 10_000 })).filter((r) => r.target?.instance === 'streamed');
    expect(chain.map((r) => `${r.action} ${r.stage}`)).toEqual(['createInstance received', 'revealCredentials received', 'createInstance completed']);

    await markReady(h.store, created, { host: 'h', password: 'pw' });
    await stream.until(() => stream.events.length >= 3, 'the credentials and the Ready status');
    expect(stream.events.map((e) => e.event)).toEqual(['status', 'credentials', 'status']);
    expect(JSON.parse(stream.events[1]!.data) as Credentials).toEqual({ instance: 'streamed', team: 'alpha', values: { host: 'h', password: 'pw' } });
    expect((JSON.parse(stream.events[2]!.data) as Instance).status.phase).toBe('Ready');
    stream.close();

    // Audited as the create and the reveal route are: each request's records, the reveal within the create.
    expect(await auditOf('createInstance', 'streamed')).toMatchObject([{ actor: 'ann', team: 'alpha', stage: 'completed', outcome: { result: 'allowed', status: 200 } }]);
    expect(await auditOf('revealCredentials', 'streamed')).toMatchObject([{ actor: 'ann', stage: 'completed', outcome: { result: 'allowed', status: 200 }, summary: { within: 'createInstance' } }]);
    const events = (await h.call(ann, 'GET', '/api/v1/teams/alpha/events?limit=100')).json().items as PavedEvent[];
    expect(events.filter((e) => e.kind === 'credentials.revealed' && e.instanceId === created.id)).toMatchObject([{ actor: 'ann', data: { instance: 'streamed', keys: ['host', 'password'] } }]);
  });

  it('reveals the credentials the Ready status was re-read with: no read of the secret after it', async () => {
    const stream = openStream(base, '/api/v1/teams/alpha/instances?wait=ready&reveal=true', ann.token, { name: 'sealed', product: 'pgdb' });
    await stream.until(() => stream.events.length >= 1, 'the created status');
    const created = JSON.parse(stream.events[0]!.data) as Instance;
    // The engine's order: the credentials are stored before the Ready status.
    await h.secrets.put(created.id, 'credentials', { password: 'from-the-driver' });
    const getSecret = h.store.getSecret.bind(h.store);
    let secretReads = 0;
    h.store.getSecret = (ownerId, name) => {
      secretReads++;
      return getSecret(ownerId, name);
    };
    try {
      await markReady(h.store, created, { host: 'h' });
      await stream.until(() => stream.events.length >= 3, 'the credentials and the Ready status');
    } finally {
      h.store.getSecret = getSecret;
    }
    stream.close();
    expect(JSON.parse(stream.events[1]!.data) as Credentials).toEqual({ instance: 'sealed', team: 'alpha', values: { host: 'h', password: 'from-the-driver' } });
    expect(secretReads).toBe(0);
  });

  it("reveals the credentials with the engine's Ready as its own statement committed it: no re-read after it on PostgreSQL", async () => {
    const stream = openStream(base, '/api/v1/teams/alpha/instances?wait=ready&reveal=true', ann.token, { name: 'shown', product: 'pgdb' });
    await stream.until(() => stream.events.length >= 1, 'the created status');
    const created = JSON.parse(stream.events[0]!.data) as Instance;
    await h.secrets.put(created.id, 'credentials', { password: 'as-committed' });
    const reread = h.store.getInstanceWithSecret.bind(h.store);
    let rereads = 0;
    h.store.getInstanceWithSecret = (id, name) => {
      rereads++;
      return reread(id, name);
    };
    try {
      await markReady(h.store, created, { host: 'h' }, { asEngine: true });
      await stream.until(() => stream.events.length >= 3, 'the credentials and the Ready status');
    } finally {
      h.store.getInstanceWithSecret = reread;
    }
    stream.close();
    expect(stream.events.map((e) => e.event)).toEqual(['status', 'credentials', 'status']);
    expect(JSON.parse(stream.events[1]!.data) as Credentials).toEqual({ instance: 'shown', team: 'alpha', values: { host: 'h', password: 'as-committed' } });
    // The Ready told is the committed row, as a read of it now finds it.
    expect(JSON.parse(stream.events[2]!.data) as Instance).toEqual(JSON.parse(JSON.stringify(await h.store.getInstance(created.id))));
    // SQLite's Ready is not one statement alone: re-read there, as before.
    expect(rereads).toBe(h.store.dialect === 'postgres' ? 0 : 1);
  });

  it('verifies the caller at Ready in the `credentials.revealed` append itself: no epoch read of its own; a moved epoch verifies again, one event', async () => {
    const counted = () => {
      const authEpoch = h.store.authEpoch.bind(h.store);
      const append = h.store.appendEventWhileAuthEpoch.bind(h.store);
      const calls = { epochReads: 0, guardedAppends: 0 };
      h.store.authEpoch = () => { calls.epochReads++; return authEpoch(); };
      h.store.appendEventWhileAuthEpoch = (event, epoch) => { calls.guardedAppends++; return append(event, epoch); };
      return { calls, restore: () => { h.store.authEpoch = authEpoch; h.store.appendEventWhileAuthEpoch = append; } };
    };
    const revealedOf = async (id: string) => ((await h.call(ann, 'GET', '/api/v1/teams/alpha/events?limit=100')).json().items as PavedEvent[])
      .filter((e) => e.kind === 'credentials.revealed' && e.instanceId === id);
    for (const [name, moveEpoch] of [['in-one', false], ['epoch-moved', true]] as const) {
      const stream = openStream(base, '/api/v1/teams/alpha/instances?wait=ready&reveal=true', ann.token, { name, product: 'pgdb' });
      await stream.until(() => stream.events.length >= 1, 'the created status');
      const created = JSON.parse(stream.events[0]!.data) as Instance;
      // Another user's membership moves the epoch without refusing ann.
      if (moveEpoch) await h.user(`other-${name}`).then((other) => h.store.setMembership({ teamId: created.teamId, userId: other.user.id, role: 'viewer' }));
      const { calls, restore } = counted();
      try {
        await markReady(h.store, created, { host: 'h', password: 'pw' });
        await stream.until(() => stream.events.length >= 3, 'the credentials and the Ready status');
      } finally {
        restore();
      }
      stream.close();
      expect(stream.events.map((e) => e.event)).toEqual(['status', 'credentials', 'status']);
      expect(calls).toEqual(moveEpoch ? { epochReads: 1, guardedAppends: 1 } : { epochReads: 0, guardedAppends: 1 });
      expect(await revealedOf(created.id)).toMatchObject([{ actor: 'ann', data: { instance: name, keys: ['host', 'password'] } }]);
    }
  });

  it("records `credentials.revealed` in the engine's Ready statement on PostgreSQL, right after `instance.ready`: the reveal appends nothing of its own", async () => {
    const appends = () => {
      const guarded = h.store.appendEventWhileAuthEpoch.bind(h.store);
      const plain = h.store.appendEvent.bind(h.store);
      const calls = { appends: 0 };
      h.store.appendEventWhileAuthEpoch = (event, epoch) => { calls.appends++; return guarded(event, epoch); };
      h.store.appendEvent = (event) => { if (event.kind === 'credentials.revealed') calls.appends++; return plain(event); };
      return { calls, restore: () => { h.store.appendEventWhileAuthEpoch = guarded; h.store.appendEvent = plain; } };
    };
    const riding = rides();
    const stream = openStream(base, '/api/v1/teams/beta/instances?wait=ready&reveal=true', ann.token, { name: 'rode', product: 'pgdb' });
    await stream.until(() => stream.events.length >= 1, 'the created status');
    const created = JSON.parse(stream.events[0]!.data) as Instance;
    await h.secrets.put(created.id, 'credentials', { password: 'pw' });
    const { calls, restore } = appends();
    try {
      await markReady(h.store, created, { host: 'h' }, { asEngine: true, secretKeys: ['password'] });
      await stream.until(() => stream.events.length >= 3, 'the credentials and the Ready status');
    } finally {
      restore();
      riding.restore();
    }
    stream.close();
    expect(riding.outcomes).toEqual(h.store.dialect === 'postgres' ? ['appended'] : []);
    expect(stream.events.map((e) => e.event)).toEqual(['status', 'credentials', 'status']);
    expect(JSON.parse(stream.events[1]!.data) as Credentials).toEqual({ instance: 'rode', team: 'beta', values: { host: 'h', password: 'pw' } });
    // SQLite's Ready is not one statement alone: the reveal appends its event, as before.
    expect(calls.appends).toBe(h.store.dialect === 'postgres' ? 0 : 1);
    const events = await eventsOf(created.id);
    expect(events.map((e) => e.kind).slice(-2)).toEqual(['instance.ready', 'credentials.revealed']);
    expect(events.filter((e) => e.kind === 'credentials.revealed')).toMatchObject([{ actor: 'ann', teamId: created.teamId, data: { instance: 'rode', keys: ['host', 'password'] } }]);
    await recorded('rode');
    expect(await completedOf('rode')).toMatchObject([{ actor: 'ann', stage: 'completed', outcome: { result: 'allowed', status: 200 }, summary: { within: 'createInstance' } }]);
  });

  it("appends no `credentials.revealed` in the Ready's statement once the auth epoch moved: a member removed before Ready gets nothing, a moved epoch alone reveals once", async () => {
    const kim = await h.user('kim');
    await h.store.setMembership({ teamId: (await h.store.getTeam({ name: 'beta' }))!.id, userId: kim.user.id, role: 'member' });
    for (const [name, removed] of [['kim-removed', true], ['kim-moved', false]] as const) {
      const riding = rides();
      const stream = openStream(base, '/api/v1/teams/beta/instances?wait=ready&reveal=true', kim.token, { name, product: 'pgdb' });
      await stream.until(() => stream.events.length >= 1, 'the created status');
      const created = JSON.parse(stream.events[0]!.data) as Instance;
      await h.secrets.put(created.id, 'credentials', { password: 'pw' });
      // After the stream's checks, before the Ready: the server's kept principal is the one from before.
      if (removed) await h.store.removeMembership(created.teamId, kim.user.id);
      else await h.user(`other-${name}`).then((other) => h.store.setMembership({ teamId: created.teamId, userId: other.user.id, role: 'viewer' }));
      try {
        await markReady(h.store, created, { host: 'h' }, { asEngine: true, secretKeys: ['password'] });
        await stream.until(() => stream.events.length >= (removed ? 2 : 3), 'the Ready status');
      } finally {
        riding.restore();
      }
      stream.close();
      // Asked, with the epoch kim was verified under, and refused by the statement itself: the reveal then made as always.
      expect(riding.outcomes).toEqual(h.store.dialect === 'postgres' ? ['not-appended'] : []);
      const revealed = (await eventsOf(created.id)).filter((e) => e.kind === 'credentials.revealed');
      if (removed) {
        expect(stream.events.map((e) => e.event)).toEqual(['status', 'status']);
        expect(revealed).toEqual([]);
        await recorded(name);
        expect(await completedOf(name)).toMatchObject([{ actor: 'kim', stage: 'completed', outcome: { result: 'refused' } }]);
        await h.store.setMembership({ teamId: created.teamId, userId: kim.user.id, role: 'member' });
      } else {
        expect(stream.events.map((e) => e.event)).toEqual(['status', 'credentials', 'status']);
        expect(revealed).toMatchObject([{ actor: 'kim', data: { instance: name, keys: ['host', 'password'] } }]);
      }
    }
  });

  it('reveals nothing to a token revoked between the create and Ready: the caller is verified again at Ready', async () => {
    const issued = (await h.call(ann, 'POST', '/api/v1/users/ann/tokens', { name: 'ci' })).json() as { token: string; info: { id: string } };
    const stream = openStream(base, '/api/v1/teams/alpha/instances?wait=ready&reveal=true', issued.token, { name: 'revoked', product: 'pgdb' });
    await stream.until(() => stream.events.length >= 1, 'the created status');
    expect((await h.call(ann, 'DELETE', `/api/v1/users/ann/tokens/${issued.info.id}`)).statusCode).toBe(204);
    const created = JSON.parse(stream.events[0]!.data) as Instance;
    await markReady(h.store, created, { host: 'h', password: 'pw' });
    await stream.until(() => stream.events.length >= 2, 'the Ready status');
    expect(stream.events.map((e) => e.event)).toEqual(['status', 'status']);
    stream.close();
    const events = (await h.call(ann, 'GET', '/api/v1/teams/alpha/events?limit=100')).json().items as PavedEvent[];
    expect(events.some((e) => e.kind === 'credentials.revealed' && e.instanceId === created.id)).toBe(false);
    expect(await auditOf('revealCredentials', 'revoked')).toMatchObject([{ actor: 'ann', stage: 'completed', outcome: { result: 'refused', status: 401 } }]);
  });

  it('reveals nothing on a stream not asked to, and misses no change made before the create returned', async () => {
    // The instance becomes Ready between the insert and the create's answer (as a fast engine
    // may make it): the stream still has it (the real store, wrapped).
    const insert = h.store.createInstance.bind(h.store);
    h.store.createInstance = async (input) => {
      const row = await insert(input);
      h.store.createInstance = insert;
      await markReady(h.store, row, { host: 'h' });
      return row;
    };
    try {
      const stream = openStream(base, '/api/v1/teams/alpha/instances?wait=ready', ann.token, { name: 'raced', product: 'pgdb' });
      await stream.until(() => stream.events.length >= 2, 'the created status, then Ready');
      expect(stream.events.map((e) => [e.event, (JSON.parse(e.data) as Instance).status.phase])).toEqual([['status', 'Pending'], ['status', 'Ready']]);
      stream.close();
    } finally {
      h.store.createInstance = insert;
    }
    expect(await auditOf('revealCredentials', 'raced')).toEqual([]);
  });

  it('answers a refused create with the usual problem, not a stream, creating nothing', async () => {
    // A viewer may not create (nor reveal).
    const refused = await h.call(vic, 'POST', '/api/v1/teams/alpha/instances?wait=ready&reveal=true', { name: 'viewed', product: 'pgdb' });
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.json().code).toBe('role_insufficient');
    expect((await h.call(ann, 'GET', '/api/v1/teams/alpha/instances/viewed')).statusCode).toBe(404);
    expect(await auditOf('createInstance', 'viewed')).toMatchObject([{ actor: 'vic', outcome: { result: 'refused', status: 403, code: 'role_insufficient' } }]);
    // Nothing was revealed or asked to be: no reveal record.
    expect(await auditOf('revealCredentials', 'viewed')).toEqual([]);

    // A name taken: 409, as a plain create.
    expect((await h.call(ann, 'POST', '/api/v1/teams/alpha/instances', { name: 'twice', product: 'pgdb' })).statusCode).toBe(202);
    const again = await h.call(ann, 'POST', '/api/v1/teams/alpha/instances?wait=ready&reveal=true', { name: 'twice', product: 'pgdb' });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('instance_exists');
  });

  it('refuses a bad query with 400 naming the field', async () => {
    const cases: [string, unknown, string][] = [
      ['wait=soon', {}, 'wait'],
      ['wait=ready&reveal=maybe', {}, 'reveal'],
      ['reveal=true', {}, 'reveal'],
      ['wait=ready', { dryRun: true }, 'wait'],
    ];
    for (const [query, extra, field] of cases) {
      const res = await h.call(ann, 'POST', `/api/v1/teams/alpha/instances?${query}`, { name: 'badq', product: 'pgdb', ...(extra as object) });
      expect(res.statusCode, query).toBe(400);
      expect((res.json().errors as { path: string }[]).map((e) => e.path), query).toContain(`query.${field}`);
    }
    expect((await h.call(ann, 'GET', '/api/v1/teams/alpha/instances/badq')).statusCode).toBe(404);
    // The message says what the value must be, not only that it is wrong.
    const soon = await h.call(ann, 'POST', '/api/v1/teams/alpha/instances?wait=soon', { name: 'badq', product: 'pgdb' });
    expect(soon.json().errors).toContainEqual({ path: 'query.wait', message: 'must be "ready"' });
  });

  it('marks only a create\'s `received` record as flushed by a later commit: its answer waits for a synchronous one', async () => {
    const append = h.store.appendAuditRecord.bind(h.store);
    const marked: string[] = [];
    h.store.appendAuditRecord = (entry, seal, options) => {
      marked.push(`${entry.action} ${entry.stage} ${entry.actor}${options?.flushedLater === true ? ' flushed later' : ''}`);
      return append(entry, seal, options);
    };
    try {
      const stream = openStream(base, '/api/v1/teams/alpha/instances?wait=ready&reveal=true', ann.token, { name: 'flushed', product: 'pgdb' });
      await stream.until(() => stream.events.length >= 1, 'the created status');
      stream.close();
      // Refused without a change (a viewer): the answer still waits for its synchronous `completed` record.
      expect((await h.call(vic, 'POST', '/api/v1/teams/alpha/instances', { name: 'flushed-viewed', product: 'pgdb' })).statusCode).toBe(403);
    } finally {
      h.store.appendAuditRecord = append;
    }
    // (The reveal's `completed` record, written once the stream ends, may come at any point after its `received` one.)
    expect(marked.filter((record) => record.endsWith('flushed later'))).toEqual(['createInstance received ann flushed later', 'createInstance received vic flushed later']);
    expect(marked).toEqual(expect.arrayContaining(['revealCredentials received ann', 'createInstance completed ann', 'createInstance completed vic']));
  });

  it('answers a create that does not ask as before: 202 with the instance as JSON', async () => {
    const res = await h.call(ann, 'POST', '/api/v1/teams/alpha/instances', { name: 'plain', product: 'pgdb' });
    expect(res.statusCode).toBe(202);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json()).toMatchObject({ name: 'plain', status: { phase: 'Pending' } });
    expect(await auditOf('createInstance', 'plain')).toMatchObject([{ stage: 'completed', outcome: { result: 'allowed', status: 202 } }]);
  });
});
