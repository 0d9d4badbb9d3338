import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AuditRecord, Credentials, Instance, PavedEvent } from '@paved/model';
import { eachStore, runSqlBehindStore } from '@paved/store/testing';
import { forget, markReady, startHarness, type Caller, type Harness } from '../test-harness.js';
import { openStream } from './event-stream-client.test-support.js';

/** Counts a store's live change subscriptions by wrapping its method (the store itself stays real). */
function countSubscriptions(store: Harness['store']) {
  let active = 0;
  let allGone!: () => void;
  const gone = new Promise<void>((resolve) => (allGone = resolve));
  const subscribe = store.onInstanceChange.bind(store);
  store.onInstanceChange = (listener) => {
    active++;
    const unsubscribe = subscribe(listener);
    return () => {
      unsubscribe();
      if (--active === 0) allGone();
    };
  };
  return { active: () => active, allGone: gone, restore: () => { store.onInstanceChange = subscribe; } };
}

eachStore('API watch stream', (open) => {
  let h: Harness;
  let ann: Caller;
  let base: string;
  beforeAll(async () => {
    h = await startHarness(await open());
    ann = await h.user('ann');
    await h.team('platform');
    await h.team('alpha', [[ann, 'member']]);
    await h.product('platform');
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
  });
  afterAll(() => h.close());

  it('streams the status now, after every change, and `deleted` at the end', async () => {
    const created = (await h.call(ann, 'POST', '/api/v1/teams/alpha/instances', { name: 'watched', product: 'pgdb' })).json() as Instance;
    const stream = openStream(base, '/api/v1/teams/alpha/instances/watched/watch', ann.token);
    await stream.until(() => stream.events.length >= 1, 'the first status');
    expect(stream.response?.headers['content-type']).toMatch(/^text\/event-stream/);
    // The security headers and the rate limit's count go out on a stream too.
    expect(stream.response?.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY' });
    expect(stream.response?.headers['x-ratelimit-limit']).toBeDefined();
    expect(stream.events[0]!.event).toBe('status');
    expect((JSON.parse(stream.events[0]!.data) as Instance).status.phase).toBe('Pending');

    await markReady(h.store, created, { host: 'h' });
    await stream.until(() => stream.events.length >= 2, 'the Ready status');
    const ready = JSON.parse(stream.events[1]!.data) as Instance;
    expect(ready.status.phase).toBe('Ready');
    expect(ready.outputs).toEqual({ host: 'h' });

    // A write that changes nothing the watcher shows sends nothing.
    await h.store.touch(created.id);
    expect((await h.call(ann, 'DELETE', '/api/v1/teams/alpha/instances/watched')).statusCode).toBe(202);
    await stream.until(() => stream.events.length >= 3, 'the Deleting status');
    expect((JSON.parse(stream.events[2]!.data) as Instance).status.phase).toBe('Deleting');

    await forget(h.store, created);
    await stream.until(() => stream.ended, 'the end of the stream');
    expect(stream.events.map((e) => e.event)).toEqual(['status', 'status', 'status', 'deleted']);
  });

  it('reveals the credentials right before the first Ready status when asked, audited like the reveal route', async () => {
    const created = (await h.call(ann, 'POST', '/api/v1/teams/alpha/instances', { name: 'revealed', product: 'pgdb' })).json() as Instance;
    const asking = openStream(base, '/api/v1/teams/alpha/instances/revealed/watch?reveal=true', ann.token);
    const notAsking = openStream(base, '/api/v1/teams/alpha/instances/revealed/watch', ann.token);
    await asking.until(() => asking.events.length >= 1, 'the first status');
    await notAsking.until(() => notAsking.events.length >= 1, 'the first status');
    await markReady(h.store, created, { host: 'h', password: 'pw' });
    await asking.until(() => asking.events.length >= 3, 'the credentials and the Ready status');
    await notAsking.until(() => notAsking.events.length >= 2, 'the Ready status');
    expect(asking.events.map((e) => e.event)).toEqual(['status', 'credentials', 'status']);
    expect(JSON.parse(asking.events[1]!.data) as Credentials).toEqual({ instance: 'revealed', team: 'alpha', values: { host: 'h', password: 'pw' } });
    expect((JSON.parse(asking.events[2]!.data) as Instance).status.phase).toBe('Ready');
    // Never to a watcher that did not ask.
    expect(notAsking.events.map((e) => e.event)).toEqual(['status', 'status']);

    // Once per stream: a later change is a status alone.
    await h.store.requestRotation(created.id, 'ann');
    await asking.until(() => asking.events.length >= 4, 'the next status');
    expect(asking.events[3]!.event).toBe('status');
    asking.close();
    notAsking.close();

    const events = (await h.call(ann, 'GET', '/api/v1/teams/alpha/events?limit=100')).json().items as PavedEvent[];
    expect(events.filter((e) => e.kind === 'credentials.revealed' && e.instanceId === created.id)).toMatchObject([{ actor: 'ann', data: { instance: 'revealed', keys: ['host', 'password'] } }]);
    const audit = ((await h.call(h.admin, 'GET', '/api/v1/audit?limit=100')).json().items as AuditRecord[])
      .filter((r) => r.action === 'revealCredentials' && r.target?.instance === 'revealed');
    // One line per request (its `received` record is shown only until a `completed` one follows).
    expect(audit).toMatchObject([{ actor: 'ann', team: 'alpha', outcome: { result: 'allowed', status: 200 }, summary: { within: 'watchInstance' } }]);
  });

  it('refuses a reveal on the stream to whoever may not reveal, before and while waiting', async () => {
    const vic = await h.user('vic');
    const bob = await h.user('bob');
    await h.team('beta', [[vic, 'viewer'], [bob, 'member']]);
    const created = (await h.call(bob, 'POST', '/api/v1/teams/beta/instances', { name: 'kept', product: 'pgdb' })).json() as Instance;
    // A viewer may watch, not reveal: refused before the stream starts, as the reveal route would.
    const refused = await h.call(vic, 'GET', '/api/v1/teams/beta/instances/kept/watch?reveal=true');
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('role_insufficient');

    // A member removed while waiting gets the Ready status without credentials.
    const stream = openStream(base, '/api/v1/teams/beta/instances/kept/watch?reveal=true', bob.token);
    await stream.until(() => stream.events.length >= 1, 'the first status');
    expect((await h.call(h.admin, 'DELETE', '/api/v1/teams/beta/members/bob')).statusCode).toBe(204);
    await markReady(h.store, created, { host: 'h' });
    await stream.until(() => stream.events.length >= 2, 'the Ready status');
    expect(stream.events.map((e) => e.event)).toEqual(['status', 'status']);
    stream.close();
    const events = (await h.call(h.admin, 'GET', '/api/v1/teams/beta/events?limit=100')).json().items as PavedEvent[];
    expect(events.some((e) => e.kind === 'credentials.revealed')).toBe(false);
    const audit = ((await h.call(h.admin, 'GET', '/api/v1/audit?limit=100')).json().items as AuditRecord[])
      .filter((r) => r.action === 'revealCredentials' && r.target?.instance === 'kept' && r.stage === 'completed');
    // Newest first.
    expect(audit.map((r) => [r.actor, r.outcome])).toEqual([
      ['bob', { result: 'refused', status: 404, code: 'instance_not_found' }],
      ['vic', { result: 'refused', status: 403, code: 'role_insufficient' }],
    ]);
  });

  it('misses no change made while the stream reads the instance for the first time', async () => {
    const created = (await h.call(ann, 'POST', '/api/v1/teams/alpha/instances', { name: 'raced', product: 'pgdb' })).json() as Instance;
    // The stream's first read returns the row as it was, and the instance becomes Ready before
    // the stream has it: the change must still reach the stream (the real store, wrapped).
    const read = h.store.getInstanceByName.bind(h.store);
    h.store.getInstanceByName = async (teamId, name) => {
      const row = await read(teamId, name);
      if (name === 'raced') {
        h.store.getInstanceByName = read;
        await markReady(h.store, created, { host: 'h' });
      }
      return row;
    };
    try {
      const stream = openStream(base, '/api/v1/teams/alpha/instances/raced/watch', ann.token);
      await stream.until(() => stream.events.length >= 2, 'the first status, then Ready');
      expect(stream.events.map((e) => (JSON.parse(e.data) as Instance).status.phase)).toEqual(['Pending', 'Ready']);
      stream.close();
    } finally {
      h.store.getInstanceByName = read;
    }
  });

  it('answers a reveal stream whose audit record cannot be written with a problem, not a stream, following nothing', async () => {
    // Its own server: the chain's head is broken below. The watch subscribes while the record is written.
    const own = await startHarness(await open());
    let subscriptions: ReturnType<typeof countSubscriptions> | undefined;
    try {
      const cid = await own.user('cid');
      await own.team('platform');
      await own.team('gamma', [[cid, 'member']]);
      await own.product('platform');
      await own.call(cid, 'POST', '/api/v1/teams/gamma/instances', { name: 'unrecorded', product: 'pgdb' });
      subscriptions = countSubscriptions(own.store);
      await runSqlBehindStore(own.store, ['DELETE FROM audit_head']);
      const res = await own.call(cid, 'GET', '/api/v1/teams/gamma/instances/unrecorded/watch?reveal=true');
      expect(res.statusCode).toBe(503);
      expect(res.json().code).toBe('audit_unavailable');
      expect(subscriptions.active()).toBe(0);
    } finally {
      subscriptions?.restore();
      await own.close();
    }
  });

  it('answers a watch of an unknown instance with a problem, not a stream', async () => {
    const res = await h.call(ann, 'GET', '/api/v1/teams/alpha/instances/nope/watch');
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('instance_not_found');
  });

  it('stops following an instance when the client goes away', async () => {
    const subscriptions = countSubscriptions(h.store);
    try {
      await h.call(ann, 'POST', '/api/v1/teams/alpha/instances', { name: 'left', product: 'pgdb' });
      const stream = openStream(base, '/api/v1/teams/alpha/instances/left/watch', ann.token);
      await stream.until(() => stream.events.length >= 1, 'the first status');
      expect(subscriptions.active()).toBe(1);
      stream.close();
      await subscriptions.allGone;
      expect(subscriptions.active()).toBe(0);
    } finally {
      subscriptions.restore();
    }
  });

  it('keeps an idle stream alive with comments, and ends it when the server closes', async () => {
    const other = await startHarness(h.store, { watchKeepaliveMs: 50 });
    await other.app.listen({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${(other.app.server.address() as AddressInfo).port}`;
    const stream = openStream(url, '/api/v1/teams/alpha/instances/left/watch', other.admin.token);
    await stream.until(() => stream.events.length >= 1, 'the first status');
    await stream.until(() => stream.comments.length >= 1, 'a keepalive comment');
    expect(stream.comments[0]).toBe(': keepalive');
    // Closing does not wait for the open stream to end by itself (a hang fails the test's timeout).
    await other.close();
    await stream.until(() => stream.ended, 'the end of the stream');
  });
});
