import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eachStore } from '@paved/store/testing';
import { startHarness, type Harness } from '../../test-harness.js';
import { IdpBrowser, startTestIdp, unsignedIdToken, type TestIdp } from './idp.test-support.js';
import { DEFAULT_GROUP_PATTERN, parseGroupPattern, type OidcSettings } from './settings.js';

/**
 * Sign-in through the real routes against a real OpenID provider (oidc-provider on
 * 127.0.0.1:0), driven as a person at a browser would. The Paved side runs in-process with a
 * fake clock, so pacing and expiry need no waiting.
 */
const REDIRECT = 'http://127.0.0.1:7468/api/v1/auth/oidc/callback';
const HOUR = 3_600_000;

function settingsFor(idp: TestIdp, change: Partial<OidcSettings> = {}): OidcSettings {
  return {
    issuer: idp.issuer, clientId: idp.clientId, scopes: ['openid', 'profile', 'email', 'groups'], redirectUri: REDIRECT,
    usernameClaim: 'preferred_username', groupsClaim: 'groups', groupPattern: parseGroupPattern(DEFAULT_GROUP_PATTERN) as RegExp,
    adminGroup: 'paved-admins', sessionTtlMs: 12 * HOUR, ...change,
  };
}

/** Cookies a response sets, by name. */
function setCookies(headers: Record<string, unknown>): Record<string, string> {
  const raw = headers['set-cookie'];
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [String(raw)];
  return Object.fromEntries(list.map((c: string) => c.split(';')[0]!.split('=')).map(([k, ...v]) => [k!, v.join('=')]));
}

eachStore('sign-in with an identity provider', (open) => {
  let idp: TestIdp;
  let h: Harness;
  let now = Date.parse('2026-06-01T00:00:00Z');

  beforeAll(async () => {
    idp = await startTestIdp({ redirectUris: [REDIRECT] });
    const clock = () => now;
    h = await startHarness(await open({ now: clock }), { now: clock, oidc: settingsFor(idp) });
    await h.team('web');
    await h.team('data');
  });
  afterAll(async () => {
    await h.close();
    await idp.close();
  });

  /** Starts a browser sign-in at Paved, signs in at the provider, and returns the callback to call. */
  async function toCallback(login: string, options: { deny?: boolean; query?: string; editAuthUrl?: (url: URL) => void } = {}) {
    const started = await h.app.inject({ method: 'GET', url: `/api/v1/auth/oidc/login${options.query ?? ''}` });
    expect(started.statusCode, started.body).toBe(302);
    const authUrl = new URL(started.headers.location as string);
    expect(authUrl.origin).toBe(idp.issuer);
    expect(authUrl.searchParams.get('code_challenge_method')).toBe('S256');
    options.editAuthUrl?.(authUrl);
    const state = setCookies(started.headers).paved_oidc_state!;
    const back = await new IdpBrowser().interact(authUrl.toString(), { login, stopAt: REDIRECT, ...(options.deny ? { deny: true } : {}) });
    return { url: back.slice('http://127.0.0.1:7468'.length), cookie: `paved_oidc_state=${state}` };
  }

  async function signIn(login: string) {
    const back = await toCallback(login);
    const res = await h.app.inject({ method: 'GET', url: back.url, headers: { cookie: back.cookie } });
    return { res, cookies: setCookies(res.headers) };
  }

  const users = async () => (await h.store.listUsers()).map((u) => u.name).sort();

  it('signs a new user in from the browser: mapped teams and admin, a 12-hour session in an HttpOnly cookie, CSRF for changes', async () => {
    idp.accounts.set('ann-sub', { preferred_username: 'ann', email: 'ann@example.com', email_verified: true, groups: ['paved:web:owner', 'paved:data:viewer', 'paved:data:member', 'paved:ghost:owner', 'staff'] });
    const { res, cookies } = await signIn('ann-sub');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('Signed in to Paved as ann');
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(/paved_session=pvd_[^;]+;.*HttpOnly.*SameSite=Strict/);
    expect(res.body).not.toContain(cookies.paved_session!);

    const session = cookies.paved_session!;
    const me = await h.app.inject({ method: 'GET', url: '/api/v1/whoami', headers: { cookie: `paved_session=${session}` } });
    expect(me.statusCode, me.body).toBe(200);
    expect(me.json().user).toMatchObject({ name: 'ann', admin: false });
    expect(me.json().memberships.map((m: { teamName: string; role: string }) => [m.teamName, m.role])).toEqual([['data', 'member'], ['web', 'owner']]);
    expect(Date.parse(me.json().token.expiresAt) - now).toBe(12 * HOUR);

    // A change from a cookie needs the CSRF header (the paved_csrf cookie's value); a bearer token does not.
    const refused = await h.app.inject({ method: 'POST', url: '/api/v1/teams/web/services', headers: { cookie: `paved_session=${session}` }, payload: { name: 'site' } });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('csrf_failed');
    const forged = await h.app.inject({ method: 'POST', url: '/api/v1/teams/web/services', headers: { cookie: `paved_session=${session}`, 'x-paved-csrf': 'x'.repeat(43) }, payload: { name: 'site' } });
    expect(forged.json().code).toBe('csrf_failed');
    const made = await h.app.inject({ method: 'POST', url: '/api/v1/teams/web/services', headers: { cookie: `paved_session=${session}`, 'x-paved-csrf': cookies.paved_csrf! }, payload: { name: 'site' } });
    expect(made.statusCode, made.body).toBe(201);
    expect((await h.call({ user: me.json().user, token: session }, 'POST', '/api/v1/teams/web/services', { name: 'api' })).statusCode).toBe(201);

    const events = (await h.store.listEvents({ kinds: ['user.signed-in', 'token.issued'], limit: 100 })).items.filter((e) => e.actor === 'ann');
    expect(events.find((e) => e.kind === 'user.signed-in')?.data).toMatchObject({ user: 'ann', via: 'browser', subject: 'ann-sub', unknownTeams: ['ghost'] });
    expect(events.find((e) => e.kind === 'token.issued')?.data).toMatchObject({ user: 'ann', source: 'oidc' });
    expect(JSON.stringify(events)).not.toContain(session);
    // The sign-in and its session are in the audit log, without the session token.
    const audited = (await h.store.listAuditRecords({ actor: 'ann', limit: 100 })).items;
    expect(audited.find((r) => r.action === 'signin')).toMatchObject({ target: { user: 'ann' }, summary: { via: 'browser', subject: 'ann-sub' } });
    expect(audited.some((r) => r.action === 'token.issue')).toBe(true);
    expect(JSON.stringify(audited)).not.toContain(session);
  });

  it('replaces what the groups gave at the next sign-in, keeps memberships set in Paved, and follows the admin group', async () => {
    idp.accounts.set('bob-sub', { preferred_username: 'Bob@Example.com', groups: ['paved:web:member', 'paved:data:member', 'paved-admins'] });
    expect((await signIn('bob-sub')).res.statusCode).toBe(200);
    const bob = (await h.store.getUser({ name: 'bob' }))!;
    expect(bob.admin).toBe(true);
    // An owner makes bob a viewer of data by hand: from now on that membership is Paved's own.
    await h.call(h.admin, 'PUT', '/api/v1/teams/data/members/bob', { role: 'viewer' });

    idp.accounts.set('bob-sub', { preferred_username: 'bob', groups: [] });
    const again = await signIn('bob-sub');
    expect(again.res.statusCode).toBe(200);
    expect((await h.store.listMemberships({ userId: bob.id })).map((m) => [m.teamName, m.role])).toEqual([['data', 'viewer']]);
    expect((await h.store.getUser({ id: bob.id }))!.admin).toBe(false);
    const removed = (await h.store.listEvents({ kinds: ['team.member-removed'], limit: 100 })).items.map((e) => e.data);
    expect(removed).toContainEqual({ team: 'web', user: 'bob', role: 'member', source: 'oidc' });
  });

  it('refuses a bad, foreign or replayed state, a denial, a wrong nonce and an unsigned ID token, writing nothing', async () => {
    idp.accounts.set('eve-sub', { preferred_username: 'eve', groups: ['paved:web:owner'] });
    const before = await users();

    const unknown = await h.app.inject({ method: 'GET', url: '/api/v1/auth/oidc/callback?state=made-up&code=x', headers: { cookie: 'paved_oidc_state=made-up' } });
    expect([unknown.statusCode, unknown.json().code]).toEqual([400, 'oidc_state_invalid']);

    // Another browser's sign-in (login CSRF): the state cookie is not this browser's.
    const foreign = await toCallback('eve-sub');
    const planted = await h.app.inject({ method: 'GET', url: foreign.url, headers: { cookie: 'paved_oidc_state=mine' } });
    expect([planted.statusCode, planted.json().code]).toEqual([400, 'oidc_state_invalid']);
    // …and that state is spent: replaying the callback gets nowhere either.
    const replayed = await h.app.inject({ method: 'GET', url: foreign.url, headers: { cookie: foreign.cookie } });
    expect([replayed.statusCode, replayed.json().code]).toEqual([400, 'oidc_state_invalid']);

    const denied = await toCallback('eve-sub', { deny: true });
    const deniedRes = await h.app.inject({ method: 'GET', url: denied.url, headers: { cookie: denied.cookie } });
    expect([deniedRes.statusCode, deniedRes.json().code]).toEqual([403, 'oidc_denied']);

    const nonce = await toCallback('eve-sub', { editAuthUrl: (url) => url.searchParams.set('nonce', 'not-the-one-paved-kept') });
    const nonceRes = await h.app.inject({ method: 'GET', url: nonce.url, headers: { cookie: nonce.cookie } });
    expect([nonceRes.statusCode, nonceRes.json().code]).toEqual([401, 'oidc_id_token_invalid']);
    expect(nonceRes.json().detail).toContain('nonce');

    idp.tamperIdToken = unsignedIdToken;
    try {
      const none = await toCallback('eve-sub');
      const noneRes = await h.app.inject({ method: 'GET', url: none.url, headers: { cookie: none.cookie } });
      expect([noneRes.statusCode, noneRes.json().code]).toEqual([401, 'oidc_id_token_invalid']);
    } finally {
      idp.tamperIdToken = undefined;
    }
    expect(await users()).toEqual(before);
  });

  it('never takes over a local user of the same name; a platform admin links them, and a disabled user cannot sign in', async () => {
    await h.user('carol');
    idp.accounts.set('carol-sub', { preferred_username: 'carol', groups: ['paved:web:viewer'] });
    const clash = await signIn('carol-sub');
    expect([clash.res.statusCode, clash.res.json().code]).toEqual([409, 'oidc_user_conflict']);
    expect(clash.res.json().detail).toContain("paved users link carol --subject 'carol-sub'");
    const carol = (await h.store.getUser({ name: 'carol' }))!;
    expect(await h.store.listMemberships({ userId: carol.id })).toEqual([]);

    const link = await h.call(h.admin, 'PUT', '/api/v1/users/carol/identity', { subject: 'carol-sub' });
    expect(link.json()).toEqual({ user: 'carol', issuer: idp.issuer, subject: 'carol-sub' });
    expect((await h.call(h.admin, 'PUT', '/api/v1/users/carol/identity', { subject: 'other' })).json().code).toBe('identity_linked');
    const linked = await signIn('carol-sub');
    expect(linked.res.statusCode).toBe(200);
    expect((await h.store.listMemberships({ userId: carol.id })).map((m) => m.teamName)).toEqual(['web']);

    await h.call(h.admin, 'PATCH', '/api/v1/users/carol', { disabled: true });
    const refused = await signIn('carol-sub');
    expect([refused.res.statusCode, refused.res.json().code]).toEqual([401, 'user_disabled']);
    expect(refused.cookies.paved_session).toBeUndefined();
    const attempts = (await h.store.listAuditRecords({ actor: 'carol', action: 'signin', limit: 10 })).items;
    expect(attempts.find((r) => r.outcome !== undefined)?.outcome).toMatchObject({ result: 'refused', code: 'user_disabled' });
    expect(attempts.filter((r) => r.outcome === undefined)).toHaveLength(1); // the one that succeeded
  });

  it('signs the CLI in by the device flow: pacing, slow_down, denial and expiry', async () => {
    idp.accounts.set('dan-sub', { preferred_username: 'dan', groups: ['paved:data:owner'] });
    const started = await h.app.inject({ method: 'POST', url: '/api/v1/auth/oidc/device' });
    expect(started.statusCode, started.body).toBe(200);
    const device = started.json();
    expect(device).toMatchObject({ interval: 5, verificationUri: `${idp.issuer}/device` });
    expect(device).not.toHaveProperty('deviceCode');
    const poll = () => h.app.inject({ method: 'POST', url: '/api/v1/auth/oidc/device/token', payload: { loginId: device.loginId } });

    expect((await poll()).json()).toEqual({ status: 'pending', interval: 5 });
    expect((await poll()).json()).toEqual({ status: 'slow_down', interval: 10 });
    await new IdpBrowser().interact(device.verificationUri, { login: 'dan-sub', userCode: device.userCode });
    now += 5_000;
    expect((await poll()).json()).toEqual({ status: 'slow_down', interval: 15 });
    now += 15_000;
    const done = await poll();
    expect(done.json()).toMatchObject({ status: 'signed-in', info: { user: 'dan', name: 'cli-session' } });
    const me = await h.call({ user: (await h.store.getUser({ name: 'dan' }))!, token: done.json().token }, 'GET', '/api/v1/whoami');
    expect(me.json().memberships.map((m: { teamName: string; role: string }) => [m.teamName, m.role])).toEqual([['data', 'owner']]);
    expect((await poll()).json().code).toBe('oidc_login_expired');

    const refused = (await h.app.inject({ method: 'POST', url: '/api/v1/auth/oidc/device' })).json();
    await new IdpBrowser().interact(refused.verificationUri, { login: 'dan-sub', userCode: refused.userCode, deny: true });
    const deniedRes = await h.app.inject({ method: 'POST', url: '/api/v1/auth/oidc/device/token', payload: { loginId: refused.loginId } });
    expect([deniedRes.statusCode, deniedRes.json().code]).toEqual([403, 'oidc_denied']);

    const late = (await h.app.inject({ method: 'POST', url: '/api/v1/auth/oidc/device' })).json();
    now += late.expiresIn * 1000;
    const lateRes = await h.app.inject({ method: 'POST', url: '/api/v1/auth/oidc/device/token', payload: { loginId: late.loginId } });
    expect([lateRes.statusCode, lateRes.json().code]).toEqual([400, 'oidc_login_expired']);
  });

  it("hands a browser sign-in to the CLI's loopback port: the code works once, and only with the CLI's verifier", async () => {
    idp.accounts.set('fay-sub', { preferred_username: 'fay', groups: [] });
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const back = await toCallback('fay-sub', { query: `?port=45678&challenge=${challenge}` });
    const res = await h.app.inject({ method: 'GET', url: back.url, headers: { cookie: back.cookie } });
    expect(res.statusCode, res.body).toBe(302);
    const loopback = new URL(res.headers.location as string);
    expect(`${loopback.origin}${loopback.pathname}`).toBe('http://127.0.0.1:45678/callback');
    expect(setCookies(res.headers).paved_session).toBeUndefined();
    const code = loopback.searchParams.get('code')!;

    const wrong = await h.app.inject({ method: 'POST', url: '/api/v1/auth/oidc/handoff', payload: { code, verifier: randomBytes(32).toString('base64url') } });
    expect([wrong.statusCode, wrong.json().code]).toEqual([400, 'oidc_handoff_invalid']);
    // The wrong verifier spent the code: whoever tried it first, it is gone.
    expect((await h.app.inject({ method: 'POST', url: '/api/v1/auth/oidc/handoff', payload: { code, verifier } })).json().code).toBe('oidc_handoff_invalid');

    const again = await toCallback('fay-sub', { query: `?port=45678&challenge=${challenge}` });
    const code2 = new URL((await h.app.inject({ method: 'GET', url: again.url, headers: { cookie: again.cookie } })).headers.location as string).searchParams.get('code')!;
    const redeemed = await h.app.inject({ method: 'POST', url: '/api/v1/auth/oidc/handoff', payload: { code: code2, verifier } });
    expect(redeemed.json()).toMatchObject({ info: { user: 'fay', name: 'cli-session' } });

    // A failure reaches the waiting CLI as an error code, never a token.
    const denied = await toCallback('fay-sub', { query: `?port=45678&challenge=${challenge}`, deny: true });
    const deniedRes = await h.app.inject({ method: 'GET', url: denied.url, headers: { cookie: denied.cookie } });
    expect(deniedRes.headers.location).toBe('http://127.0.0.1:45678/callback?error=oidc_denied');
  });

  it('ends a session: the token stops at once and the cookies are cleared; API tokens are revoked another way', async () => {
    idp.accounts.set('gus-sub', { preferred_username: 'gus', groups: [] });
    const { cookies } = await signIn('gus-sub');
    const headers = { cookie: `paved_session=${cookies.paved_session}`, 'x-paved-csrf': cookies.paved_csrf! };
    const out = await h.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers });
    expect(out.statusCode, out.body).toBe(204);
    expect(String(out.headers['set-cookie'])).toContain('paved_session=;');
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/whoami', headers })).statusCode).toBe(401);
    expect((await h.call(h.admin, 'POST', '/api/v1/auth/logout')).json().code).toBe('token_not_session');
    // An API token is not a session cookie.
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/whoami', headers: { cookie: `paved_session=${h.admin.token}` } })).statusCode).toBe(401);
  });

  it('keeps the code, the state and the session token out of the request log', async () => {
    const lines: string[] = [];
    const logged = await startHarness(h.store, { now: () => now, oidc: settingsFor(idp), logger: { level: 'info', stream: { write: (line: string) => lines.push(line) } } });
    try {
      idp.accounts.set('hal-sub', { preferred_username: 'hal', groups: [] });
      const started = await logged.app.inject({ method: 'GET', url: '/api/v1/auth/oidc/login' });
      const state = setCookies(started.headers).paved_oidc_state!;
      const back = new URL(await new IdpBrowser().interact(started.headers.location as string, { login: 'hal-sub', stopAt: REDIRECT }));
      const res = await logged.app.inject({ method: 'GET', url: `${back.pathname}${back.search}`, headers: { cookie: `paved_oidc_state=${state}` } });
      expect(res.statusCode).toBe(200);
      const log = lines.join('');
      expect(log).toContain('/api/v1/auth/oidc/login');
      for (const secret of [back.searchParams.get('code')!, state, setCookies(res.headers).paved_session!]) expect(log).not.toContain(secret);
    } finally {
      await logged.close();
    }
  });

  it('limits the sign-ins one address starts, browser and device together, with 429 and retry-after; other addresses still start', async () => {
    const limited = await startHarness(h.store, { now: () => now, oidc: settingsFor(idp), rateLimits: { signInStartsPerMinute: 3 } });
    try {
      const login = (remoteAddress: string) => limited.app.inject({ method: 'GET', url: '/api/v1/auth/oidc/login', remoteAddress });
      const device = (remoteAddress: string) => limited.app.inject({ method: 'POST', url: '/api/v1/auth/oidc/device', remoteAddress });
      const flood = '192.0.2.7';
      expect((await login(flood)).statusCode).toBe(302);
      expect((await device(flood)).statusCode).toBe(200);
      expect((await login(flood)).statusCode).toBe(302);
      for (const refused of [await login(flood), await device(flood)]) {
        expect(refused.statusCode).toBe(429);
        expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(refused.json()).toMatchObject({ status: 429, code: 'sign_in_rate_limited' });
        expect(refused.json().detail).toMatch(/at most 3 a minute; retry in \d+ s/);
        expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
        expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
        expect(refused.headers['set-cookie']).toBeUndefined();
      }
      expect((await login('192.0.2.8')).statusCode).toBe(302);
      expect((await device('192.0.2.8')).statusCode).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('lets in only verified addresses of allowed domains when domains are listed', async () => {
    const strict = await startHarness(h.store, { now: () => now, oidc: settingsFor(idp, { allowedDomains: ['example.com'] }) });
    try {
      const attempt = async (login: string) => {
        const started = await strict.app.inject({ method: 'GET', url: '/api/v1/auth/oidc/login' });
        const state = setCookies(started.headers).paved_oidc_state!;
        const back = await new IdpBrowser().interact(started.headers.location as string, { login, stopAt: REDIRECT });
        return strict.app.inject({ method: 'GET', url: back.slice('http://127.0.0.1:7468'.length), headers: { cookie: `paved_oidc_state=${state}` } });
      };
      idp.accounts.set('out-sub', { preferred_username: 'outsider', email: 'x@elsewhere.org', email_verified: true });
      idp.accounts.set('unverified-sub', { preferred_username: 'unverified', email: 'u@example.com', email_verified: false });
      idp.accounts.set('in-sub', { preferred_username: 'insider', email: 'i@EXAMPLE.com', email_verified: true });
      expect((await attempt('out-sub')).json().code).toBe('oidc_domain_not_allowed');
      expect((await attempt('unverified-sub')).json().code).toBe('oidc_domain_not_allowed');
      expect((await attempt('in-sub')).statusCode).toBe(200);
      expect(await h.store.getUser({ name: 'outsider' })).toBeUndefined();
    } finally {
      await strict.close();
    }
  });
});
