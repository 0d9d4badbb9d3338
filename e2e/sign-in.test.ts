/**
 * Sign-in with an identity provider end to end: a real OpenID provider (oidc-provider on
 * 127.0.0.1:0) with a public client and accounts whose groups name Paved teams, the real Paved
 * server (`paved up`, configured by PAVED_OIDC_*) and the real CLI in a terminal (`script` gives
 * it one, as a person would have). The person at the browser is the test, over HTTP.
 */
import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdpBrowser, startTestIdp, type TestIdp } from '../packages/server/src/identity/oidc/idp.test-support.js';
import { CLI, freePort, paved, pavedOk, startServer, tempDir, type CliResult, type ServerProcess } from './harness.js';

/** `paved ARGS` in a pseudo-terminal; `onOutput` sees what it prints as it prints it. */
function pavedInTerminal(args: string[], env: NodeJS.ProcessEnv, onOutput: (text: string) => void): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const command = [process.execPath, CLI, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
    const child = spawn('script', ['-qefc', command, '/dev/null'], { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
      onOutput(stdout);
    });
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

// The device flow polls every 5 seconds (the provider's interval): a login takes one or two.
const DEVICE_TEST_MS = 180_000;

describe('sign-in with an identity provider', () => {
  const dir = tempDir('sign-in');
  const admin = { PAVED_CLI_CONFIG: join(dir, 'admin.json') };
  let idp: TestIdp;
  let server: ServerProcess;
  let url: string;
  let callback: string;

  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    callback = `${url}/api/v1/auth/oidc/callback`;
    idp = await startTestIdp({ redirectUris: [callback] });
    server = await startServer(['up'], {
      ...admin, PAVED_DATA_DIR: join(dir, 'data'), PAVED_PORT: String(port), PAVED_EMBEDDED_POSTGRES: 'off', PAVED_LOG_LEVEL: 'info',
      PAVED_OIDC_ISSUER: idp.issuer, PAVED_OIDC_CLIENT_ID: idp.clientId, PAVED_OIDC_SCOPES: 'openid profile email groups', PAVED_OIDC_ADMIN_GROUP: 'paved-admins',
    }, { port });
    await pavedOk(['teams', 'create', 'web'], admin);
    await pavedOk(['teams', 'create', 'data'], admin);
  });
  afterAll(async () => {
    await server?.stop();
    await idp?.close();
  });

  /** `paved login --oidc` in a terminal; the test approves (or refuses) the code it shows. */
  async function deviceLogin(env: NodeJS.ProcessEnv, login: string, options: { deny?: boolean; approve?: boolean } = {}): Promise<CliResult> {
    let approving: Promise<unknown> | undefined;
    const result = await pavedInTerminal(['login', '--oidc', '--url', url], env, (output) => {
      const shown = /Open (\S+)\s+and enter the code (\S+) \(/.exec(output);
      if (!shown || approving || options.approve === false) return;
      approving = new IdpBrowser().interact(shown[1]!, { login, userCode: shown[2]!, ...(options.deny ? { deny: true } : {}) });
    });
    await approving;
    return result;
  }

  const membershipsOf = async (env: NodeJS.ProcessEnv) => (JSON.parse(await pavedOk(['whoami', '-o', 'json'], env)) as { memberships: { teamName: string; role: string }[] })
    .memberships.map((m) => `${m.teamName}:${m.role}`);

  it('signs in through the CLI by the device flow: a 0600 config holding a session token with the teams the groups map to', async () => {
    idp.accounts.set('ann-sub', { preferred_username: 'ann', groups: ['paved:web:owner', 'paved:data:viewer', 'unrelated'] });
    const ann = { PAVED_CLI_CONFIG: join(dir, 'ann.json') };
    const result = await deviceLogin(ann, 'ann-sub');
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('Logged in to');
    expect(statSync(ann.PAVED_CLI_CONFIG).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(readFileSync(ann.PAVED_CLI_CONFIG, 'utf8')) as { url: string; token: string };
    expect(saved.url).toBe(url);
    expect(result.stdout).not.toContain(saved.token);
    expect(await membershipsOf(ann)).toEqual(['data:viewer', 'web:owner']);
    // The session token works for what the role allows, like any token.
    await pavedOk(['services', 'create', 'site', '--team', 'web'], ann);
    const whoami = JSON.parse(await pavedOk(['whoami', '-o', 'json'], ann));
    expect(whoami.token).toMatchObject({ name: 'cli-session' });
    expect(Date.parse(whoami.token.expiresAt) - Date.now()).toBeLessThanOrEqual(12 * 3_600_000);

    // The IdP drops a group: the next sign-in drops the membership.
    idp.accounts.set('ann-sub', { preferred_username: 'ann', groups: ['paved:web:owner'] });
    expect((await deviceLogin(ann, 'ann-sub')).code).toBe(0);
    expect(await membershipsOf(ann)).toEqual(['web:owner']);
    expect(server.output()).not.toContain(saved.token);
  }, DEVICE_TEST_MS);

  it('signs a browser in through the real routes: a session cookie, CSRF-checked', async () => {
    idp.accounts.set('bob-sub', { preferred_username: 'bob', groups: ['paved:data:member', 'paved-admins'] });
    const browser = new IdpBrowser();
    const start = await fetch(`${url}/api/v1/auth/oidc/login`, { redirect: 'manual' });
    expect(start.status).toBe(302);
    const stateCookie = start.headers.getSetCookie()[0]!.split(';')[0]!;
    const back = await browser.interact(start.headers.get('location')!, { login: 'bob-sub', stopAt: callback });
    const signedIn = await fetch(back, { headers: { cookie: stateCookie } });
    expect(signedIn.status).toBe(200);
    expect(await signedIn.text()).toContain('Signed in to Paved as bob');
    const cookies = Object.fromEntries(signedIn.headers.getSetCookie().map((c) => c.split(';')[0]!.split('=') as [string, string]));
    const cookie = `paved_session=${cookies.paved_session}`;
    const me = await (await fetch(`${url}/api/v1/whoami`, { headers: { cookie } })).json();
    expect(me.user).toMatchObject({ name: 'bob', admin: true });
    const noCsrf = await fetch(`${url}/api/v1/teams/data/services`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: '{"name":"etl"}' });
    expect(noCsrf.status).toBe(403);
    const withCsrf = await fetch(`${url}/api/v1/teams/data/services`, { method: 'POST', headers: { cookie, 'x-paved-csrf': cookies.paved_csrf!, 'content-type': 'application/json' }, body: '{"name":"etl"}' });
    expect(withCsrf.status).toBe(201);
    expect(server.output()).not.toContain(new URL(back).searchParams.get('code')!);
  });

  it("hands a browser sign-in back to the CLI's loopback port (paved login --oidc --browser)", async () => {
    idp.accounts.set('cat-sub', { preferred_username: 'cat', groups: ['paved:web:viewer'] });
    const cat = { PAVED_CLI_CONFIG: join(dir, 'cat.json'), BROWSER: 'true' };
    let visiting: Promise<unknown> | undefined;
    const result = await pavedInTerminal(['login', '--oidc', '--browser', '--url', url], cat, (output) => {
      const shown = /open this URL:\s+(\S+)\r?\n/.exec(output);
      if (shown && !visiting) visiting = new IdpBrowser().interact(shown[1]!, { login: 'cat-sub' });
    });
    await visiting;
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(await membershipsOf(cat)).toEqual(['web:viewer']);
  }, DEVICE_TEST_MS);

  it('refuses, each with its own code: a denial, an expired code, a bad state, a wrong nonce, a disabled user, and a shell with no terminal', async () => {
    idp.accounts.set('dan-sub', { preferred_username: 'dan', groups: ['paved:web:member'] });
    const dan = { PAVED_CLI_CONFIG: join(dir, 'dan.json') };
    const denied = await deviceLogin(dan, 'dan-sub', { deny: true });
    expect(denied.code).toBe(4);
    expect(denied.stdout).toContain('refused at the identity provider');

    idp.deviceCodeTtl = 1;
    try {
      const expired = await deviceLogin(dan, 'dan-sub', { approve: false });
      expect(expired.code).toBe(2);
      expect(expired.stdout).toMatch(/expired/);
    } finally {
      idp.deviceCodeTtl = 600;
    }

    const badState = await fetch(`${url}/api/v1/auth/oidc/callback?state=forged&code=x`, { headers: { cookie: 'paved_oidc_state=forged' } });
    expect([badState.status, (await badState.json()).code]).toEqual([400, 'oidc_state_invalid']);

    const start = await fetch(`${url}/api/v1/auth/oidc/login`, { redirect: 'manual' });
    const authUrl = new URL(start.headers.get('location')!);
    authUrl.searchParams.set('nonce', 'replaced');
    const back = await new IdpBrowser().interact(authUrl.toString(), { login: 'dan-sub', stopAt: callback });
    const wrongNonce = await fetch(back, { headers: { cookie: start.headers.getSetCookie()[0]!.split(';')[0]! } });
    expect([wrongNonce.status, (await wrongNonce.json()).code]).toEqual([401, 'oidc_id_token_invalid']);

    expect((await deviceLogin(dan, 'dan-sub')).code).toBe(0);
    await pavedOk(['users', 'disable', 'dan'], admin);
    const disabled = await deviceLogin({ PAVED_CLI_CONFIG: join(dir, 'dan2.json') }, 'dan-sub');
    expect(disabled.code).toBe(3);
    expect(disabled.stdout).toContain('disabled');
    expect((await paved(['whoami'], dan)).code).toBe(3);

    const scripted = await paved(['login', '--oidc', '--url', url], { PAVED_CLI_CONFIG: join(dir, 'ci.json') });
    expect(scripted.code).toBe(2);
    expect(scripted.stderr).toContain('paved login --token -');
  }, DEVICE_TEST_MS);
});
