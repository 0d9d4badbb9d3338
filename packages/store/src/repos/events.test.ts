import { expect, it } from 'vitest';
import { InputError } from '@paved/model';
import { eachStore } from '../testing.js';

eachStore('store: events', (open) => {
  it('appends events and lists them oldest first with filters and cursors', async () => {
    const store = await open();
    const first = await store.appendEvent({ kind: 'team.created', teamId: 't1', actor: 'alice', data: { name: 'payments' } });
    expect(first).toMatchObject({ kind: 'team.created', teamId: 't1', actor: 'alice', data: { name: 'payments' } });
    expect(first.instanceId).toBeUndefined();
    for (let i = 0; i < 6; i++) await store.appendEvent({ kind: 'credentials.revealed', teamId: i % 2 ? 't1' : 't2', instanceId: `i${i}` });

    const all = await store.listEvents({});
    expect(all.items).toHaveLength(7);
    expect(all.items[0]).toEqual(first);
    expect(all.nextCursor).toBeUndefined();

    expect((await store.listEvents({ teamId: 't1' })).items.map((e) => e.instanceId)).toEqual([undefined, 'i1', 'i3', 'i5']);
    expect((await store.listEvents({ instanceId: 'i4' })).items).toHaveLength(1);
    expect((await store.listEvents({ kinds: ['team.created'] })).items).toEqual([first]);
    expect((await store.listEvents({ kinds: [] })).items).toEqual([]);

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await store.listEvents({ limit: 3, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((e) => e.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(all.items.map((e) => e.id));

    const bad = await store.listEvents({ cursor: 'nonsense' }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(InputError);
    expect((bad as InputError).issues[0]?.path).toBe('cursor');
  });

  it('appends an event only while the auth epoch is the one named, read by the append itself', async () => {
    const store = await open();
    const epoch = await store.authEpoch();
    const event = { kind: 'credentials.revealed' as const, teamId: 't1', instanceId: 'i1', actor: 'ann', data: { instance: 'db', keys: ['password'] } };
    const appended = await store.appendEventWhileAuthEpoch(event, epoch);
    expect(appended).toMatchObject(event);
    expect((await store.listEvents({ instanceId: 'i1' })).items).toEqual([appended]);

    // A membership set moves the epoch (as a token revoked or a user disabled does): nothing is appended.
    const team = await store.createTeam({ name: 'epoch-team', title: 'Epoch' });
    const user = await store.createUser({ name: 'epoch-user', admin: false });
    await store.setMembership({ teamId: team.id, userId: user.id, role: 'viewer' });
    expect(await store.appendEventWhileAuthEpoch(event, epoch)).toBeUndefined();
    expect((await store.listEvents({ instanceId: 'i1' })).items).toEqual([appended]);
    const moved = await store.authEpoch();
    expect(moved).toBeGreaterThan(epoch);
    expect(await store.appendEventWhileAuthEpoch({ ...event, actor: 'bob' }, moved)).toMatchObject({ actor: 'bob' });
    expect((await store.listEvents({ instanceId: 'i1' })).items.map((e) => e.actor)).toEqual(['ann', 'bob']);
  });
});
