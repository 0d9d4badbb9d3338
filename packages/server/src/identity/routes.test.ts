import { afterAll, beforeAll, expect, it } from 'vitest';
import { eachStore } from '@paved/store/testing';
import { startHarness, type Caller, type Harness } from '../test-harness.js';

/** Tokens: scopes, expiry, revocation, disabled users, and the audit of every token issued. */
eachStore('API tokens and users', (open) => {
  let h: Harness;
  let ann: Caller;
  let bob: Caller;
  let now = Date.parse('2026-06-01T00:00:00Z');
  const issued = async () => (await h.store.listEvents({ kinds: ['token.issued'], limit: 100 })).items;
  const as = (token: string, user = ann.user): Caller => ({ user, token });
  const newToken = async (caller: Caller, user: string, body: Record<string, unknown>) => {
    const res = await h.call(caller, 'POST', `/api/v1/users/${user}/tokens`, body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { token: string; info: { id: string; scope: { readOnly: boolean; team?: string }; expiresAt: string } };
  };

  beforeAll(async () => {
    h = await startHarness(await open(), { now: () => now });
    ann = await h.user('ann');
    bob = await h.user('bob');
    await h.team('alpha', [[ann, 'member']]);
    await h.team('beta', [[ann, 'member'], [bob, 'member']]);
  });
  afterAll(() => h.close());

  it('lists a user\'s tokens without the tokens, revokes one at once, and audits every token issued', async () => {
    const laptop = await newToken(ann, 'ann', { name: 'laptop' });
    const listed = await h.call(ann, 'GET', '/api/v1/users/ann/tokens');
    expect(listed.json().items.map((t: { name: string }) => t.name)).toEqual(['default', 'laptop']);
    expect(listed.body).not.toContain(laptop.token);
    expect(listed.body).not.toMatch(/"hash"/);
    expect((await h.call(as(laptop.token), 'GET', '/api/v1/whoami')).statusCode).toBe(200);

    expect((await h.call(ann, 'DELETE', `/api/v1/users/ann/tokens/${laptop.info.id}`)).statusCode).toBe(204);
    const after = await h.call(as(laptop.token), 'GET', '/api/v1/whoami');
    expect(after.statusCode).toBe(401);
    expect((await h.call(ann, 'DELETE', `/api/v1/users/ann/tokens/${laptop.info.id}`)).json().code).toBe('token_not_found');

    // An admin minting a token for someone is audited with the admin as actor; the token never is.
    const minted = await newToken(h.admin, 'bob', { name: 'for-bob' });
    const record = (await issued()).find((e) => e.data.token === minted.info.id);
    expect(record).toMatchObject({ actor: h.admin.user.name, data: { user: 'bob', name: 'for-bob' } });
    expect(JSON.stringify(await issued())).not.toContain(minted.token);
    expect((await issued()).some((e) => e.data.user === 'ann' && e.data.name === 'laptop' && e.actor === 'ann')).toBe(true);
    expect((await h.store.listEvents({ kinds: ['token.revoked'], limit: 10 })).items[0]).toMatchObject({ actor: 'ann', data: { user: 'ann' } });
  });

  it('stops a token at its expiry, and refuses an expiry beyond 366 days', async () => {
    const short = await newToken(ann, 'ann', { name: 'short', expiresInDays: 1 });
    expect(Date.parse(short.info.expiresAt) - now).toBe(86_400_000);
    expect((await h.call(as(short.token), 'GET', '/api/v1/whoami')).statusCode).toBe(200);
    now += 86_400_000;
    const expired = await h.call(as(short.token), 'GET', '/api/v1/whoami');
    expect(expired.statusCode).toBe(401);
    expect(expired.json().code).toBe('token_expired');
    expect((await h.call(ann, 'POST', '/api/v1/users/ann/tokens', { name: 'long', expiresInDays: 400 })).statusCode).toBe(400);
  });

  it('keeps a read-only token to reads, and a team token to its team', async () => {
    const reader = await newToken(ann, 'ann', { name: 'reader', readOnly: true });
    expect((await h.call(as(reader.token), 'GET', '/api/v1/teams/alpha/instances')).statusCode).toBe(200);
    const write = await h.call(as(reader.token), 'POST', '/api/v1/teams/alpha/services', { name: 'web' });
    expect(write.statusCode).toBe(403);
    expect(write.json().code).toBe('token_scope');

    const ci = await newToken(ann, 'ann', { name: 'ci', team: 'beta' });
    expect(ci.info.scope).toEqual({ readOnly: false, team: 'beta' });
    expect((await h.call(as(ci.token), 'POST', '/api/v1/teams/beta/services', { name: 'api' })).statusCode).toBe(201);
    const other = await h.call(as(ci.token), 'GET', '/api/v1/teams/alpha/services');
    expect(other.statusCode).toBe(403);
    expect(other.json().code).toBe('token_scope');

    // A narrowed token never mints a wider one, and a token is only for one of the user's teams.
    expect((await h.call(as(ci.token), 'POST', '/api/v1/users/ann/tokens', { name: 'wider' })).json().code).toBe('token_scope');
    expect((await h.call(as(reader.token), 'POST', '/api/v1/users/ann/tokens', { name: 'wider' })).json().code).toBe('token_scope');
    expect((await h.call(bob, 'POST', '/api/v1/users/bob/tokens', { name: 'x', team: 'alpha' })).json().code).toBe('token_team_invalid');

    // An admin's own tokens are theirs, not "other users'": the refusal says what was asked.
    const adminReader = await newToken(h.admin, h.admin.user.name, { name: 'reader', readOnly: true });
    const own = await h.call(as(adminReader.token, h.admin.user), 'POST', `/api/v1/users/${h.admin.user.name}/tokens`, { name: 'wider' });
    expect(own.json()).toMatchObject({ code: 'token_scope', detail: 'This token is read-only; use a token that may change things (to create tokens)' });
    const others = await h.call(as(adminReader.token, h.admin.user), 'POST', '/api/v1/users/ann/tokens', { name: 'for-ann' });
    expect(others.json()).toMatchObject({ code: 'token_scope', detail: 'This token is read-only; use a token that may change things (to create tokens of other users)' });
  });

  it('lets only admins list and disable users; a disabled user\'s tokens stop at once', async () => {
    expect((await h.call(ann, 'GET', '/api/v1/users')).statusCode).toBe(403);
    expect((await h.call(h.admin, 'GET', '/api/v1/users')).json().items.map((u: { name: string }) => u.name)).toEqual(expect.arrayContaining(['ann', 'bob']));
    expect((await h.call(ann, 'PATCH', '/api/v1/users/bob', { disabled: true })).statusCode).toBe(403);
    expect((await h.call(h.admin, 'PATCH', '/api/v1/users/bob', { disabled: true })).json()).toMatchObject({ name: 'bob', disabled: true });
    const refused = await h.call(bob, 'GET', '/api/v1/whoami');
    expect(refused.statusCode).toBe(401);
    expect(refused.json().code).toBe('user_disabled');
    expect((await h.call(h.admin, 'PATCH', `/api/v1/users/${h.admin.user.name}`, { disabled: true })).json().code).toBe('self_disable');
    expect((await h.call(h.admin, 'PATCH', '/api/v1/users/bob', { disabled: false })).statusCode).toBe(200);
    expect((await h.call(bob, 'GET', '/api/v1/whoami')).statusCode).toBe(200);
  });

  it("hides other users' tokens from everyone but admins", async () => {
    expect((await h.call(bob, 'GET', '/api/v1/users/ann/tokens')).json().code).toBe('user_not_found');
    expect((await h.call(h.admin, 'GET', '/api/v1/users/ann/tokens')).statusCode).toBe(200);
    const whoami = (await h.call(ann, 'GET', '/api/v1/whoami')).json();
    expect(whoami.token).toMatchObject({ name: 'default', user: 'ann', scope: { readOnly: false } });
  });
});
