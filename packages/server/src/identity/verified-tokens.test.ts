import { createHash } from 'node:crypto';
import { afterAll, expect, it } from 'vitest';
import type { Store } from '@paved/store';
import { createStore } from '@paved/store';
import { databaseUrlOf, eachStore, runSqlBehindStore } from '@paved/store/testing';
import { VerifiedTokens } from './verified-tokens.js';

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

/** A kept principal never outlives a change to what it was made of, whoever makes the change. */
eachStore('verified tokens', (open) => {
  const others: Store[] = [];
  afterAll(() => Promise.all(others.map((s) => s.close())));

  async function setUp(name: string) {
    const store = await open();
    const user = await store.createUser({ name, admin: false });
    const team = await store.createTeam({ name: `${name}-team`, title: 'T' });
    await store.setMembership({ teamId: team.id, userId: user.id, role: 'member' });
    const token = await store.createToken({ userId: user.id, name: 'laptop', hash: hashOf(`${name}-token`) });
    return { store, user, team, token, hash: hashOf(`${name}-token`), verified: new VerifiedTokens(store) };
  }

  it('answers from what it kept while nothing changed, and afresh after a revocation', async () => {
    const { store, user, token, hash, verified } = await setUp('ann');
    expect((await verified.find(hash))?.user.name).toBe('ann');
    expect((await verified.find(hash))?.token.id).toBe(token.id);
    expect(await store.deleteToken(user.id, token.id)).toBe(true);
    expect(await verified.find(hash)).toBeUndefined();
  });

  it('sees a user disabled, a membership changed or removed, and a team changed', async () => {
    const { store, user, team, hash, verified } = await setUp('bob');
    expect((await verified.find(hash))?.memberships.map((m) => m.role)).toEqual(['member']);
    await store.setMembership({ teamId: team.id, userId: user.id, role: 'viewer' });
    expect((await verified.find(hash))?.memberships.map((m) => m.role)).toEqual(['viewer']);
    await store.updateTeam(team.id, { platform: true });
    expect((await verified.find(hash))?.platformTeamIds).toEqual([team.id]);
    await store.removeMembership(team.id, user.id);
    expect((await verified.find(hash))?.memberships).toEqual([]);
    await store.updateUser(user.id, { disabled: true });
    expect((await verified.find(hash))?.user.disabled).toBe(true);
  });

  it('sees a revocation made by another process on the same database, or by hand', async () => {
    const { store, user, hash, verified } = await setUp('cy');
    expect(await verified.find(hash)).toBeDefined();
    const other = await createStore({ url: databaseUrlOf(store) });
    others.push(other);
    await other.updateUser(user.id, { disabled: true });
    expect((await verified.find(hash))?.user.disabled).toBe(true);
    await runSqlBehindStore(store, [`delete from tokens where user_id = '${user.id}'`]);
    expect(await verified.find(hash)).toBeUndefined();
  });

  it('answers teams by name as of the epoch: a team changed or removed is read afresh, an unknown name is never kept', async () => {
    const { store, team, hash, verified } = await setUp('eve');
    const reads = (await verified.find(hash))!.reads;
    expect((await reads.team(team.name))?.platform).toBe(false);
    expect(await reads.team('eve-later')).toBeUndefined();
    const later = await store.createTeam({ name: 'eve-later', title: 'L' });
    expect((await reads.team('eve-later'))?.id).toBe(later.id);
    await runSqlBehindStore(store, [`update teams set platform = 1 where id = '${team.id}'`]);
    const afterChange = (await verified.find(hash))!.reads;
    expect((await afterChange.team(team.name))?.platform).toBe(true);
    await runSqlBehindStore(store, [`delete from teams where id = '${later.id}'`]);
    expect(await (await verified.find(hash))!.reads.team('eve-later')).toBeUndefined();
  });

  it('answers deprecations as of the epoch: one set, changed or removed, here or by hand, is read afresh', async () => {
    const { store, hash, verified } = await setUp('fay');
    const reads = async () => (await verified.find(hash))!.reads;
    expect(await (await reads()).deprecations('fay-db')).toEqual([]);
    await store.setDeprecation({ product: 'fay-db', version: '1.0.0', date: '2030-01-01', reason: 'old', by: 'fay' });
    expect((await (await reads()).deprecations('fay-db')).map((d) => d.reason)).toEqual(['old']);
    expect((await (await reads()).deprecations()).map((d) => d.product)).toEqual(['fay-db']);
    await runSqlBehindStore(store, ["update product_deprecations set reason = 'older' where product = 'fay-db'"]);
    expect((await (await reads()).deprecations('fay-db')).map((d) => d.reason)).toEqual(['older']);
    await store.removeDeprecation('fay-db', '1.0.0');
    expect(await (await reads()).deprecations('fay-db')).toEqual([]);
    expect(await (await reads()).deprecations()).toEqual([]);
  });

  it('does not keep a principal read while a revocation landed', async () => {
    const { store, user, token, hash } = await setUp('dee');
    // The revocation commits between the epoch read and the principal's lookup.
    const racing: Store = Object.create(store, {
      findPrincipalByTokenHash: {
        value: async (h: string) => {
          const found = await store.findPrincipalByTokenHash(h);
          await store.deleteToken(user.id, token.id);
          return found;
        },
      },
    });
    const verified = new VerifiedTokens(racing);
    expect(await verified.find(hash)).toBeDefined(); // the request already under way
    expect(await store.findPrincipalByTokenHash(hash)).toBeUndefined();
    expect(await new VerifiedTokens(store).find(hash)).toBeUndefined();
    // Kept under the epoch it read, the stale principal is not served once the epoch moved.
    const plain = new VerifiedTokens(store);
    expect(await plain.find(hash)).toBeUndefined();
    expect(await verified.find(hash)).toBeUndefined();
  });
});
