/**
 * A real OpenID Connect provider for tests (the `oidc-provider` package) on 127.0.0.1:0, and a
 * person at a browser who signs in to it: a cookie jar that follows redirects and fills in the
 * provider's own development pages (user code, login, consent) over plain HTTP. Used by the
 * server's sign-in tests and by e2e/sign-in.test.ts. Never part of the build.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

/** The claims an account of the test provider has; `groups` may change between sign-ins. */
export interface TestAccount {
  preferred_username?: string;
  email?: string;
  email_verified?: boolean;
  groups?: unknown;
}

export interface TestIdp {
  issuer: string;
  clientId: string;
  /** Accounts by login (and subject): whatever a test puts here signs in. */
  accounts: Map<string, TestAccount>;
  /** Seconds a device code lasts (default 600); a test may shorten it. */
  deviceCodeTtl: number;
  /** Rewrites the token endpoint's ID token before it leaves the provider (an attacker in the middle). */
  tamperIdToken?: (idToken: string) => string;
  close(): Promise<void>;
}

export interface TestIdpOptions {
  /** Redirect URIs registered for the client (Paved's callback). */
  redirectUris: string[];
  /** Offer the device authorization grant (default true). */
  deviceFlow?: boolean;
}

export const TEST_CLIENT_ID = 'paved';

export async function startTestIdp(options: TestIdpOptions): Promise<TestIdp> {
  let handler: ((req: Parameters<Parameters<typeof createServer>[1] & {}>[0], res: Parameters<Parameters<typeof createServer>[1] & {}>[1]) => void) | undefined;
  const server: Server = createServer((req, res) => handler!(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const idp: TestIdp = {
    issuer,
    clientId: TEST_CLIENT_ID,
    accounts: new Map(),
    deviceCodeTtl: 600,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
  const provider = new Provider(issuer, {
    clients: [{
      client_id: TEST_CLIENT_ID,
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'urn:ietf:params:oauth:grant-type:device_code'],
      response_types: ['code'],
      redirect_uris: options.redirectUris,
    }],
    async findAccount(_ctx, id) {
      const account = idp.accounts.get(id);
      if (!account) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, ...account }) };
    },
    claims: { openid: ['sub'], profile: ['preferred_username'], email: ['email', 'email_verified'], groups: ['groups'] },
    features: { deviceFlow: { enabled: options.deviceFlow ?? true }, devInteractions: { enabled: true } },
    ttl: { DeviceCode: () => idp.deviceCodeTtl },
    cookies: { keys: ['paved-test-idp'] },
    jwks: { keys: [{ ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }), kid: 'test', alg: 'RS256', use: 'sig' }] },
  });
  provider.use(async (ctx, next) => {
    await next();
    const body = ctx.body as { id_token?: unknown } | undefined;
    if (ctx.path === '/token' && idp.tamperIdToken && typeof body?.id_token === 'string') body.id_token = idp.tamperIdToken(body.id_token);
  });
  handler = provider.callback();
  return idp;
}

/** The ID token with `alg: none` and no signature: what an attacker would try. */
export function unsignedIdToken(idToken: string): string {
  const [, payload] = idToken.split('.');
  return `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
}

export interface InteractOptions {
  /** The account to sign in as (a key of `accounts`). */
  login: string;
  /** For the device flow: the user code to enter. */
  userCode?: string;
  /** Refuse instead of approving. */
  deny?: boolean;
  /** Stop at a redirect to a URL starting with this (the relying party's callback) and return it. */
  stopAt?: string;
}

/**
 * A person at a browser: keeps the provider's cookies (by name; one provider, one flow at a
 * time) and answers each page the way a person would.
 */
export class IdpBrowser {
  private readonly jar = new Map<string, string>();

  /**
   * Starts at `url` and goes through the provider's pages: the user code, sign-in and consent.
   * Returns the URL of the redirect to `stopAt` when there is one, else the last page's URL.
   */
  async interact(url: string, options: InteractOptions): Promise<string> {
    let next: { url: string; method: 'GET' | 'POST'; form?: Record<string, string> } = { url, method: 'GET' };
    for (let step = 0; step < 20; step++) {
      const response = await this.send(next.url, next.method, next.form);
      const location = response.headers.get('location');
      if (location) {
        const target = new URL(location, next.url).toString();
        if (options.stopAt && target.startsWith(options.stopAt)) return target;
        next = { url: target, method: 'GET' };
        continue;
      }
      const html = await response.text();
      const form = parseForm(html);
      if (!form) {
        if (response.status >= 400) throw new Error(`the provider answered ${response.status} at ${next.url}: ${html.slice(0, 500)}`);
        return next.url;
      }
      const action = new URL(form.action || next.url, next.url).toString();
      const fields = { ...form.fields };
      if ('user_code' in fields && !('confirm' in fields)) {
        fields.user_code = options.userCode ?? '';
      } else if ('confirm' in fields && options.deny) {
        // Refusing the device: the provider records it and shows its code page again.
        delete fields.confirm;
        await this.send(action, 'POST', { ...fields, abort: 'yes' });
        return action;
      } else if (fields.prompt === 'login') {
        if (options.deny) {
          next = { url: `${action}/abort`, method: 'GET' };
          continue;
        }
        Object.assign(fields, { login: options.login, password: 'any' });
      }
      next = { url: action, method: form.method === 'get' ? 'GET' : 'POST', form: fields };
    }
    throw new Error('the provider kept asking: more than 20 pages');
  }

  private async send(url: string, method: 'GET' | 'POST', form?: Record<string, string>): Promise<Response> {
    const headers: Record<string, string> = { cookie: [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ') };
    let body: string | undefined;
    if (form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(form).toString();
    }
    const response = await fetch(url, { method, headers, body, redirect: 'manual' });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const at = pair!.indexOf('=');
      const name = pair!.slice(0, at).trim();
      const value = pair!.slice(at + 1).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(cookie) || value === '') this.jar.delete(name);
      else this.jar.set(name, value);
    }
    return response;
  }
}

/** The first form of a page: its action, method and the values of its inputs. */
function parseForm(html: string): { action: string; method: string; fields: Record<string, string> } | undefined {
  const form = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) return undefined;
  const attr = (tag: string, name: string) => new RegExp(`\\b${name}="([^"]*)"`, 'i').exec(tag)?.[1];
  const fields: Record<string, string> = {};
  for (const input of form[2]!.matchAll(/<input\b([^>]*)>/gi)) {
    const name = attr(input[1]!, 'name');
    if (name) fields[name] = decodeEntities(attr(input[1]!, 'value') ?? '');
  }
  return { action: decodeEntities(attr(form[1]!, 'action') ?? ''), method: (attr(form[1]!, 'method') ?? 'get').toLowerCase(), fields };
}

function decodeEntities(text: string): string {
  return text.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#x2F;/g, '/').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');
}
