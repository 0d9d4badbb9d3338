import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { eachStore, openAnother, runSqlBehindStore } from '@paved/store/testing';
import type { Store } from '@paved/store';
import { startHarness, type Caller, type Harness } from '../test-harness.js';

// A get one or a team's page whose token, team, deprecations and instance are all kept and current is answered
// without a promise (IdentityService.authenticateKept, InstanceService.getKept, listKept): the same checks
// as the awaited path, so every change — by this process, another one or SQL by hand — and a
// token's expiry are seen by the very next request, against the real store.
eachStore('API reads answered at once from what is kept', (open) => {
  const DAY_MS = 86_400_000;
  let now = Date.now();
  let h: Harness;
  let other: Store;
  const one = '/api/v1/teams/kept/instances/held';
  const list = '/api/v1/teams/kept/instances?product=pgdb&limit=50';
  const get = (caller: Caller) => h.call(caller, 'GET', one);

  beforeAll(async () => {
    h = await startHarness(await open(), { now: () => now });
    other = await openAnother(h.store);
    await h.team('platform');
    await h.product('platform');
    await h.team('kept');
  });
  afterAll(async () => {
    await other.close();
    await h.close();
  });

  async function member(name: string): Promise<Caller> {
    const caller = await h.user(name);
    await h.call(h.admin, 'PUT', `/api/v1/teams/kept/members/${name}`, { role: 'member' });
    return caller;
  }

  /** Reads until a request is answered from what is kept (PostgreSQL's snapshot moves with other databases' commits). */
  async function getKept(caller: Caller, url = one) {
    const kept = vi.spyOn(h.store, url === one ? 'keptInstanceWithParts' : 'keptInstancePage');
    try {
      for (let attempt = 0; attempt < 100; attempt++) {
        const response = await h.call(caller, 'GET', url);
        if (kept.mock.results.some((r) => r.value !== undefined)) return response;
      }
      throw new Error('no request was answered from what is kept');
    } finally {
      kept.mockRestore();
    }
  }

  it('answers a kept instance and page at once, and shows a deprecation set by another process on the next request', async () => {
    const ann = await member('ann');
    expect((await h.call(ann, 'POST', '/api/v1/teams/kept/instances', { name: 'held', product: 'pgdb' })).statusCode).toBe(202);
    const first = await getKept(ann);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ name: 'held' });
    expect(first.json().deprecation).toBeUndefined();
    expect((await getKept(ann, list)).json().items).toMatchObject([{ name: 'held' }]);
    await other.setDeprecation({ product: 'pgdb', date: '2030-01-01', reason: 'going away', by: 'ann' });
    expect((await get(ann)).json().deprecation).toMatchObject({ reason: 'going away' });
    expect((await h.call(ann, 'GET', list)).json().items[0].deprecation).toMatchObject({ reason: 'going away' });
    await runSqlBehindStore(h.store, ["delete from product_deprecations where product = 'pgdb'"]);
    expect((await get(ann)).json().deprecation).toBeUndefined();
    expect((await h.call(ann, 'GET', list)).json().items[0].deprecation).toBeUndefined();
  });

  it('refuses a kept token once it expired, and once its user is disabled by another process', async () => {
    const bea = await member('bea');
    expect((await getKept(bea)).statusCode).toBe(200);
    now += 400 * DAY_MS; // past any token's lifetime (TOKEN_MAX_DAYS)
    try {
      const expired = await get(bea);
      expect(expired.statusCode).toBe(401);
      expect(expired.json().code).toBe('token_expired');
    } finally {
      now -= 400 * DAY_MS;
    }
    expect((await getKept(bea)).statusCode).toBe(200);
    await other.updateUser(bea.user.id, { disabled: true });
    const disabled = await get(bea);
    expect(disabled.statusCode).toBe(401);
    expect(disabled.json().code).toBe('user_disabled');
  });

  it('answers a member removed by hand "not found", and a write of the API at once', async () => {
    const cy = await member('cy');
    expect((await getKept(cy)).json().deletionRequested).toBe(false);
    expect((await h.call(cy, 'DELETE', one)).statusCode).toBe(202);
    expect((await get(cy)).json().deletionRequested).toBe(true);
    const team = (await h.store.getTeam({ name: 'kept' }))!;
    await runSqlBehindStore(h.store, [`delete from memberships where team_id = '${team.id}' and user_id = '${cy.user.id}'`]);
    expect((await get(cy)).statusCode).toBe(404);
    expect((await h.call(cy, 'GET', list)).statusCode).toBe(403);
  });
});
