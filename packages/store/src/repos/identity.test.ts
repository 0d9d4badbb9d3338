import { expect, it } from 'vitest';
import { ConflictError, NotFoundError } from '@paved/model';
import { eachStore } from '../testing.js';

eachStore('store: identity', (open) => {
  it('creates users and finds them by id, name and token hash', async () => {
    const store = await open();
    const alice = await store.createUser({ name: 'alice', admin: true });
    const bob = await store.createUser({ name: 'bob', admin: false });
    expect(await store.getUser({ id: alice.id })).toEqual(alice);
    expect(await store.getUser({ name: 'bob' })).toEqual(bob);
    expect(await store.getUser({ name: 'nobody' })).toBeUndefined();
    expect((await store.listUsers()).map((u) => [u.name, u.admin])).toEqual([['alice', true], ['bob', false]]);

    await store.createToken({ userId: bob.id, name: 'laptop', hash: 'a'.repeat(64) });
    expect(await store.findUserByTokenHash('a'.repeat(64))).toEqual(bob);
    expect(await store.findUserByTokenHash('b'.repeat(64))).toBeUndefined();
    await expect(store.createToken({ userId: alice.id, name: 'again', hash: 'a'.repeat(64) })).rejects.toMatchObject({ code: 'token_exists' });
    await expect(store.createToken({ userId: 'no-such-user', name: 'x', hash: 'c'.repeat(64) })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('refuses a second user or team with the same name, naming the field', async () => {
    const store = await open();
    await store.createUser({ name: 'alice', admin: false });
    const userError = await store.createUser({ name: 'alice', admin: true }).catch((e: unknown) => e);
    expect(userError).toBeInstanceOf(ConflictError);
    expect(userError).toMatchObject({ code: 'user_exists', issues: [{ path: 'name' }] });

    await store.createTeam({ name: 'payments', title: 'Payments' });
    await expect(store.createTeam({ name: 'payments', title: 'Other' })).rejects.toMatchObject({ code: 'team_exists', issues: [{ path: 'name' }] });
  });

  it('creates many teams at once (more than one multi-row insert), with parents; all or none', async () => {
    const store = await open();
    const inputs = Array.from({ length: 1201 }, (_, i) => ({ name: `team-${i}`, title: `Team ${i}`, ...(i > 0 ? { parent: 'team-0' } : {}) }));
    const created = await store.createTeams(inputs);
    expect(created).toHaveLength(1201);
    expect(await store.getTeam({ name: 'team-1200' })).toEqual(created[1200]);
    expect(created[1200]).toMatchObject({ title: 'Team 1200', platform: false, parent: 'team-0' });
    expect(await store.getTeam({ name: 'team-0' })).not.toHaveProperty('parent');
    const clash = store.createTeams([{ name: 'fresh', title: 'Fresh' }, { name: 'team-5', title: 'Again' }]);
    await expect(clash).rejects.toMatchObject({ code: 'team_exists', issues: [{ path: 'name' }] });
    expect(await store.getTeam({ name: 'fresh' })).toBeUndefined();
    expect(await store.createTeams([])).toEqual([]);
  });

  it('upserts memberships and lists teams per user', async () => {
    const store = await open();
    const alice = await store.createUser({ name: 'alice', admin: false });
    const bob = await store.createUser({ name: 'bob', admin: false });
    const payments = await store.createTeam({ name: 'payments', title: 'Payments' });
    const search = await store.createTeam({ name: 'search', title: 'Search' });
    expect(await store.getTeam({ name: 'payments' })).toEqual(payments);
    expect(await store.getTeam({ id: search.id })).toEqual(search);

    await store.setMembership({ teamId: payments.id, userId: alice.id, role: 'member' });
    await store.setMembership({ teamId: payments.id, userId: alice.id, role: 'owner' });
    await store.setMembership({ teamId: payments.id, userId: bob.id, role: 'viewer' });
    await store.setMembership({ teamId: search.id, userId: bob.id, role: 'member' });

    expect(await store.listMemberships({ teamId: payments.id })).toEqual([
      { teamId: payments.id, teamName: 'payments', userId: alice.id, userName: 'alice', role: 'owner' },
      { teamId: payments.id, teamName: 'payments', userId: bob.id, userName: 'bob', role: 'viewer' },
    ]);
    expect((await store.listMemberships({ userId: bob.id })).map((m) => [m.teamName, m.role])).toEqual([['payments', 'viewer'], ['search', 'member']]);
    expect((await store.listTeams({ userId: alice.id })).map((t) => t.name)).toEqual(['payments']);
    expect((await store.listTeams()).map((t) => t.name)).toEqual(['payments', 'search']);
    await expect(store.setMembership({ teamId: 'missing', userId: alice.id, role: 'owner' })).rejects.toBeInstanceOf(NotFoundError);

    // A token's user with their memberships in one read, equal to the two reads it replaces.
    const bobs = await store.createToken({ userId: bob.id, name: 'laptop', hash: 'd'.repeat(64) });
    const alices = await store.createToken({ userId: alice.id, name: 'laptop', hash: 'e'.repeat(64), readOnly: true, teamId: payments.id, expiresAt: '2030-01-01T00:00:00.000Z' });
    expect(await store.findPrincipalByTokenHash('d'.repeat(64))).toEqual({ user: bob, memberships: await store.listMemberships({ userId: bob.id }), platformTeamIds: [], token: bobs });
    expect(await store.findPrincipalByTokenHash('e'.repeat(64))).toEqual({ user: alice, memberships: await store.listMemberships({ userId: alice.id }), platformTeamIds: [], token: alices });
    expect(alices).toMatchObject({ readOnly: true, teamId: payments.id, expiresAt: '2030-01-01T00:00:00.000Z' });
    const carol = await store.createUser({ name: 'carol', admin: true });
    const carols = await store.createToken({ userId: carol.id, name: 'laptop', hash: 'f'.repeat(64) });
    expect(await store.findPrincipalByTokenHash('f'.repeat(64))).toEqual({ user: carol, memberships: [], platformTeamIds: [], token: carols });
    expect(await store.findPrincipalByTokenHash('0'.repeat(64))).toBeUndefined();
  });

  it('marks platform teams, disables users, lists and deletes tokens, removes members', async () => {
    // A clock that moves between writes: tokens are listed oldest first, and two made in the
    // same millisecond would be ordered by their random ids.
    let tick = Date.parse('2026-06-01T00:00:00Z');
    const store = await open({ now: () => (tick += 1000) });
    const ann = await store.createUser({ name: 'ann', admin: false });
    const data = await store.createTeam({ name: 'data', title: 'Data', platform: true });
    const web = await store.createTeam({ name: 'web', title: 'Web' });
    expect([data.platform, web.platform]).toEqual([true, false]);
    expect(await store.updateTeam(web.id, { platform: true, title: 'Web platform' })).toMatchObject({ platform: true, title: 'Web platform' });
    expect(await store.updateTeam('missing', { title: 'x' })).toBeUndefined();
    await store.setMembership({ teamId: data.id, userId: ann.id, role: 'member' });
    const first = await store.createToken({ userId: ann.id, name: 'one', hash: '1'.repeat(64) });
    const second = await store.createToken({ userId: ann.id, name: 'two', hash: '2'.repeat(64) });
    expect((await store.findPrincipalByTokenHash('1'.repeat(64)))?.platformTeamIds).toEqual([data.id]);
    expect((await store.listTokens(ann.id)).map((t) => t.name)).toEqual(['one', 'two']);
    expect(JSON.stringify(await store.listTokens(ann.id))).not.toContain('1'.repeat(64));

    expect(await store.deleteToken(ann.id, first.id)).toBe(true);
    expect(await store.deleteToken(ann.id, first.id)).toBe(false);
    expect(await store.findPrincipalByTokenHash('1'.repeat(64))).toBeUndefined();
    expect((await store.listTokens(ann.id)).map((t) => t.id)).toEqual([second.id]);

    expect(await store.updateUser(ann.id, { disabled: true })).toMatchObject({ disabled: true });
    expect((await store.findPrincipalByTokenHash('2'.repeat(64)))?.user.disabled).toBe(true);
    expect(await store.removeMembership(data.id, ann.id)).toBe(true);
    expect(await store.removeMembership(data.id, ann.id)).toBe(false);
    expect(await store.listMemberships({ userId: ann.id })).toEqual([]);
  });

  it('answers ping and tolerates a second migrate and close', async () => {
    const store = await open();
    await store.ping();
    await store.migrate();
    await store.close();
    await store.close();
  });
});
