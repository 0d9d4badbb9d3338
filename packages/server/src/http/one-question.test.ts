import { afterAll, beforeAll, expect, it } from 'vitest';
import { eachStore, openAnother, runSqlBehindStore } from '@paved/store/testing';
import type { Store } from '@paved/store';
import { startHarness, type Caller, type Harness } from '../test-harness.js';

// The read routes served as one question (one change counter for authentication and the read,
// http/one-question.ts) still see every revocation, role change or write at once: the very next
// request after it, by this process, another one or SQL by hand, against the real store.
eachStore('API reads as one question', (open) => {
  let h: Harness;
  let other: Store;
  let ann: Caller;
  const one = '/api/v1/teams/quest/instances/kept';
  const list = '/api/v1/teams/quest/instances?limit=50';
  const status = async (caller: Caller, url: string) => (await h.call(caller, 'GET', url)).statusCode;

  beforeAll(async () => {
    h = await startHarness(await open());
    other = await openAnother(h.store);
    await h.team('platform');
    await h.product('platform');
  });
  afterAll(async () => {
    await other.close();
    await h.close();
  });

  async function member(name: string): Promise<Caller> {
    const caller = await h.user(name);
    await h.call(h.admin, 'PUT', `/api/v1/teams/quest/members/${name}`, { role: 'member' });
    return caller;
  }

  it('answers the same reads again, and a write of the API at once', async () => {
    await h.team('quest');
    ann = await member('ann');
    expect((await h.call(ann, 'POST', '/api/v1/teams/quest/instances', { name: 'kept', product: 'pgdb' })).statusCode).toBe(202);
    expect((await h.call(ann, 'GET', one)).json()).toMatchObject({ name: 'kept', deletionRequested: false });
    expect((await h.call(ann, 'GET', list)).json().items.map((i: { name: string }) => i.name)).toEqual(['kept']);
    expect((await h.call(ann, 'DELETE', one)).statusCode).toBe(202);
    expect((await h.call(ann, 'GET', one)).json()).toMatchObject({ deletionRequested: true });
    expect((await h.call(ann, 'GET', list)).json().items[0]).toMatchObject({ deletionRequested: true });
  });

  it('refuses the very next read after the token is revoked through the API, by another process or by hand', async () => {
    const bea = await member('bea');
    expect(await status(bea, one)).toBe(200);
    const [token] = (await h.call(bea, 'GET', '/api/v1/users/bea/tokens')).json().items as { id: string }[];
    expect((await h.call(bea, 'DELETE', `/api/v1/users/bea/tokens/${token!.id}`)).statusCode).toBe(204);
    expect(await status(bea, one)).toBe(401);

    const cy = await member('cy');
    expect(await status(cy, list)).toBe(200);
    await other.updateUser(cy.user.id, { disabled: true });
    expect(await status(cy, list)).toBe(401);
    expect(await status(cy, one)).toBe(401);

    const dee = await member('dee');
    expect(await status(dee, one)).toBe(200);
    await runSqlBehindStore(h.store, [`delete from tokens where user_id = '${dee.user.id}'`]);
    expect(await status(dee, one)).toBe(401);
  });

  it('refuses the very next read after the member is removed, and answers once a role is given back', async () => {
    const eve = await member('eve');
    expect(await status(eve, one)).toBe(200);
    const team = (await h.store.getTeam({ name: 'quest' }))!;
    await other.removeMembership(team.id, eve.user.id);
    expect(await status(eve, one)).toBe(404);
    expect(await status(eve, list)).toBe(403);
    await runSqlBehindStore(h.store, [`insert into memberships (team_id, user_id, role) values ('${team.id}', '${eve.user.id}', 'viewer')`]);
    expect(await status(eve, one)).toBe(200);
    expect(await status(eve, list)).toBe(200);
  });
});
