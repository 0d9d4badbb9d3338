import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Instance, PavedEvent } from '@paved/model';
import { eachStore } from '@paved/store/testing';
import type { Principal } from '../access/principal.js';
import { markReady, startHarness, TEST_TARGETS, type Caller, type Harness } from '../test-harness.js';
import { AuthorizedInstanceService } from './authorized.js';
import { DefaultInstanceService } from './service.js';

/** A promise settled by hand: the caller's verification, held open while the reveal runs. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

/** Lets every pending promise callback run (no timers: the store's reads are not awaited here). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

// A reveal stream's reveal, started at the change that made the instance Ready (stream-reveal.ts):
// the secret is read while the instance is read again and the caller verified again, and nothing
// leaves the service (credentials, `credentials.revealed`) before the instance is read Ready and
// the caller is verified and allowed.
eachStore('reveal of a watched instance', (open) => {
  let h: Harness;
  let ann: Caller;
  let instances: AuthorizedInstanceService;
  let secretReads: string[];
  let ready: Instance;

  const principalOf = async (caller: Caller): Promise<Principal> => ({
    user: caller.user,
    memberships: await h.store.listMemberships({ userId: caller.user.id }),
    platformTeamIds: [],
    token: { id: 'test', name: 'test', readOnly: false, createdAt: new Date().toISOString(), source: 'api' },
  });
  const revealedEvents = async () => ((await h.call(h.admin, 'GET', '/api/v1/teams/alpha/events?limit=100')).json().items as PavedEvent[])
    .filter((e) => e.kind === 'credentials.revealed' && e.instanceId === ready.id);

  beforeAll(async () => {
    h = await startHarness(await open());
    ann = await h.user('ann');
    await h.team('platform');
    await h.team('alpha', [[ann, 'member']]);
    await h.product('platform');
    const created = (await h.call(ann, 'POST', '/api/v1/teams/alpha/instances', { name: 'db', product: 'pgdb' })).json() as Instance;
    await h.secrets.put(created.id, 'credentials', { password: 'pw' });
    await markReady(h.store, created, { host: 'h' });
    ready = (await h.store.getInstance(created.id))!;
    secretReads = [];
    const secrets = { ...h.secrets, get: (ownerId: string, name: string) => { secretReads.push(ownerId); return h.secrets.get(ownerId, name); } } as Harness['secrets'];
    instances = new AuthorizedInstanceService(new DefaultInstanceService({ store: h.store, secrets, targets: TEST_TARGETS }), h.store);
  });
  afterAll(() => h.close());

  it('reads the secret while the instance is read and the caller verified, and reveals once both are in', async () => {
    secretReads.length = 0;
    const verifying = deferred<Principal>();
    const reading = deferred<Instance>();
    const revealing = instances.revealCredentials(verifying.promise, 'alpha', 'db', { instanceId: ready.id, read: reading.promise });
    await settle();
    expect(secretReads).toEqual([ready.id]);
    verifying.resolve(await principalOf(ann));
    await settle();
    // Verified, but the instance not read yet: nothing revealed nor recorded.
    expect(await revealedEvents()).toEqual([]);
    reading.resolve(ready);
    expect(await revealing).toEqual({ instance: 'db', team: 'alpha', values: { host: 'h', password: 'pw' } });
    expect(secretReads).toEqual([ready.id]);
    expect(await revealedEvents()).toMatchObject([{ actor: 'ann', data: { keys: ['host', 'password'] } }]);
  });

  it('reveals nothing and records nothing when no Ready state comes, the verification fails, or the caller may not reveal', async () => {
    const before = (await revealedEvents()).length;
    const dropped = deferred<Instance>();
    const noReady = instances.revealCredentials(principalOf(ann), 'alpha', 'db', { instanceId: ready.id, read: dropped.promise });
    await settle();
    dropped.reject(new Error('no Ready status followed the change'));
    await expect(noReady).rejects.toThrow('no Ready status');

    const verifying = deferred<Principal>();
    const revoked = instances.revealCredentials(verifying.promise, 'alpha', 'db', { instanceId: ready.id, read: Promise.resolve(ready) });
    await settle();
    verifying.reject(new Error('token revoked'));
    await expect(revoked).rejects.toThrow('token revoked');

    const bob = await h.user('bob');
    await expect(instances.revealCredentials(principalOf(bob), 'alpha', 'db', { instanceId: ready.id, read: Promise.resolve(ready) })).rejects.toMatchObject({ code: 'instance_not_found' });
    expect((await revealedEvents()).length).toBe(before);
  });

  it('reads the secret after the access check when the instance is not watched (the reveal route)', async () => {
    secretReads.length = 0;
    const bob = await h.user('carl');
    await expect(instances.revealCredentials(await principalOf(bob), 'alpha', 'db')).rejects.toMatchObject({ code: 'instance_not_found' });
    expect(secretReads).toEqual([]);
  });
});
