import { afterAll, beforeAll, expect, it } from 'vitest';
import { eachStore } from '@paved/store/testing';
import { startHarness, type Caller, type Harness } from '../../test-harness.js';

eachStore('API teams', (open) => {
  let h: Harness;
  let owen: Caller;
  let mia: Caller;
  let stranger: Caller;
  beforeAll(async () => {
    h = await startHarness(await open());
    owen = await h.user('owen');
    mia = await h.user('mia');
    stranger = await h.user('stranger');
  });
  afterAll(() => h.close());

  it('lets only admins create teams; the creator owns the team', async () => {
    const refused = await h.call(owen, 'POST', '/api/v1/teams', { name: 'solo' });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('admin_required');
    const created = await h.call(h.admin, 'POST', '/api/v1/teams', { name: 'alpha', title: 'Team Alpha' });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ name: 'alpha', title: 'Team Alpha' });
    const members = (await h.call(h.admin, 'GET', '/api/v1/teams/alpha/members')).json().items;
    expect(members).toEqual([expect.objectContaining({ userName: h.admin.user.name, role: 'owner' })]);
    expect((await h.call(h.admin, 'POST', '/api/v1/teams', { name: 'alpha' })).json().code).toBe('team_exists');
  });

  it('lets owners manage members, records it, and shows members only their teams', async () => {
    expect((await h.call(h.admin, 'PUT', '/api/v1/teams/alpha/members/owen', { role: 'owner' })).statusCode).toBe(200);
    const added = await h.call(owen, 'PUT', '/api/v1/teams/alpha/members/mia', { role: 'member' });
    expect(added.statusCode).toBe(200);
    expect(added.json()).toMatchObject({ teamName: 'alpha', userName: 'mia', role: 'member' });
    const byMember = await h.call(mia, 'PUT', '/api/v1/teams/alpha/members/stranger', { role: 'owner' });
    expect(byMember.statusCode).toBe(403);
    expect(byMember.json().code).toBe('role_insufficient');
    expect((await h.call(owen, 'PUT', '/api/v1/teams/alpha/members/ghost', { role: 'member' })).json().code).toBe('user_not_found');
    expect((await h.call(owen, 'PUT', '/api/v1/teams/alpha/members/mia', { role: 'king' })).statusCode).toBe(400);

    const events = (await h.call(owen, 'GET', '/api/v1/teams/alpha/events')).json().items as { kind: string; actor: string; data: { user?: string } }[];
    expect(events.filter((e) => e.kind === 'team.member-added').map((e) => `${e.actor}:${e.data.user}`)).toEqual(
      expect.arrayContaining([`owen:mia`]),
    );
    expect(events.some((e) => e.kind === 'team.created')).toBe(true);

    expect((await h.call(mia, 'GET', '/api/v1/teams')).json().items.map((t: { name: string }) => t.name)).toEqual(['alpha']);
    expect((await h.call(stranger, 'GET', '/api/v1/teams')).json().items).toEqual([]);
    expect((await h.call(stranger, 'GET', '/api/v1/teams/alpha')).statusCode).toBe(403);
    expect((await h.call(stranger, 'GET', '/api/v1/teams/nope')).json().code).toBe('team_not_found');
    const whoami = (await h.call(mia, 'GET', '/api/v1/whoami')).json();
    expect(whoami.memberships).toEqual([expect.objectContaining({ teamName: 'alpha', role: 'member' })]);
  });

  it('lets only admins make a team a platform team; owners rename their team', async () => {
    expect((await h.call(owen, 'PATCH', '/api/v1/teams/alpha', { platform: true })).json().code).toBe('admin_required');
    expect((await h.call(mia, 'PATCH', '/api/v1/teams/alpha', { title: 'Mine' })).json().code).toBe('role_insufficient');
    expect((await h.call(owen, 'PATCH', '/api/v1/teams/alpha', { title: 'Alpha squad' })).json()).toMatchObject({ title: 'Alpha squad', platform: false });
    expect((await h.call(h.admin, 'PATCH', '/api/v1/teams/alpha', { platform: true })).json()).toMatchObject({ platform: true });
    const created = await h.call(h.admin, 'POST', '/api/v1/teams', { name: 'infra', platform: true });
    expect(created.json()).toMatchObject({ name: 'infra', platform: true });
    expect((await h.call(owen, 'GET', '/api/v1/teams')).json().items.find((t: { name: string }) => t.name === 'alpha')).toMatchObject({ platform: true });
  });

  it('lets owners remove members (their access ends at once), but never the last owner', async () => {
    expect((await h.call(mia, 'GET', '/api/v1/teams/alpha/members')).statusCode).toBe(200);
    expect((await h.call(mia, 'DELETE', '/api/v1/teams/alpha/members/owen')).json().code).toBe('role_insufficient');
    expect((await h.call(owen, 'DELETE', '/api/v1/teams/alpha/members/mia')).statusCode).toBe(204);
    expect((await h.call(mia, 'GET', '/api/v1/teams/alpha/members')).json().code).toBe('not_team_member');
    expect((await h.call(owen, 'DELETE', '/api/v1/teams/alpha/members/mia')).json().code).toBe('member_not_found');
    // The admin who created alpha is an owner too: remove them, then owen is the last one.
    expect((await h.call(owen, 'DELETE', `/api/v1/teams/alpha/members/${h.admin.user.name}`)).statusCode).toBe(204);
    const last = await h.call(owen, 'DELETE', '/api/v1/teams/alpha/members/owen');
    expect(last.statusCode).toBe(409);
    expect(last.json().code).toBe('last_owner');
    const events = (await h.call(owen, 'GET', '/api/v1/teams/alpha/events')).json().items as { kind: string; actor: string; data: { user?: string } }[];
    expect(events.filter((e) => e.kind === 'team.member-removed').map((e) => `${e.actor}:${e.data.user}`)).toEqual(expect.arrayContaining(['owen:mia']));
  });
});
