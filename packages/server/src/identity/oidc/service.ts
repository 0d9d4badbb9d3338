import type { AuditLog } from '../../audit/log.js';
import type { RequestOrigin } from '../../http/request-context.js';
import { createHash, randomBytes } from 'node:crypto';
import {
  ConflictError, InputError, NotFoundError, UnauthenticatedError, isPavedError,
  type DeviceLogin, type DevicePoll, type IssuedToken, type OidcInfo, type User, type UserIdentity,
} from '@paved/model';
import type { Store } from '@paved/store';
import type { Principal } from '../../access/principal.js';
import { hashToken } from '../tokens.js';
import { idpUserFrom } from './claims.js';
import { IdpClient, openidClient } from './idp-client.js';
import { issueSession, signIn, type SignInDeps } from './sign-in.js';
import type { OidcSettings } from './settings.js';

/** How long a sign-in may take at the provider, and a CLI to redeem its hand-off code. */
export const LOGIN_TTL_MS = 10 * 60_000;
export const HANDOFF_TTL_MS = 2 * 60_000;
/** However long the provider lets a device code live, Paved forgets the login after this. */
const DEVICE_TTL_MAX_MS = 30 * 60_000;
/** RFC 8628: each slow_down adds 5 seconds to the interval, for good. */
const SLOW_DOWN_STEP_S = 5;
/** A poll sooner than this before the interval is up is too quick (the CLI's clock is not ours). */
const POLL_TOLERANCE_MS = 1000;

/** Where a browser goes after the callback: it holds a session now, or it hands a code to the CLI. */
export type CallbackOutcome =
  | { kind: 'session'; session: IssuedToken; user: User; ttlSeconds: number }
  | { kind: 'handoff'; redirect: string };

/**
 * Sign-in with the identity provider (docs/sign-in.md): the browser's authorization code flow
 * with PKCE, the CLI's browser hand-off and device flow, linking a user to a subject, and
 * ending a session. Every login under way lives in the store, keyed by a hash of its handle,
 * so any API process may serve any step, and each handle works once.
 */
export interface OidcService {
  info(): Promise<OidcInfo>;
  /** Starts a browser sign-in; with `handoff`, the CLI on 127.0.0.1:`port` redeems it with the verifier of `challenge`. */
  startLogin(request: { handoff?: { port: number; challenge: string } }): Promise<{ url: string; state: string; ttlSeconds: number }>;
  /** The provider's redirect back: `browserState` is the state cookie of the browser that started it. */
  finishLogin(query: URLSearchParams, browserState: string | undefined, origin?: RequestOrigin): Promise<CallbackOutcome>;
  redeemHandoff(request: { code: string; verifier: string }, origin?: RequestOrigin): Promise<IssuedToken>;
  startDevice(): Promise<DeviceLogin>;
  pollDevice(request: { loginId: string }, origin?: RequestOrigin): Promise<DevicePoll>;
  /** Links an existing user to a subject of the configured provider (platform admins). */
  linkUser(principal: Principal, userName: string, request: { subject: string }): Promise<UserIdentity>;
  /** Ends the caller's sign-in session: its token stops working. */
  endSession(principal: Principal): Promise<void>;
}

export interface OidcServiceDeps {
  store: Store;
  /** Every sign-in and every session issued is recorded here (docs/audit.md). */
  audit: AuditLog;
  /** Absent: sign-in is off, and its routes answer oidc_not_configured. */
  settings?: OidcSettings;
  now?: () => number;
}

export class DefaultOidcService implements OidcService {
  private readonly store: Store;
  private readonly audit: AuditLog;
  private readonly settings: OidcSettings | undefined;
  private readonly idp: IdpClient | undefined;
  private readonly now: () => number;

  constructor(deps: OidcServiceDeps) {
    this.store = deps.store;
    this.audit = deps.audit;
    this.settings = deps.settings;
    this.idp = deps.settings && new IdpClient(deps.settings);
    this.now = deps.now ?? Date.now;
  }

  async info(): Promise<OidcInfo> {
    const { settings, idp } = this.configured();
    return { issuer: settings.issuer, deviceFlow: await idp.supportsDeviceFlow() };
  }

  async startLogin(request: { handoff?: { port: number; challenge: string } }): Promise<{ url: string; state: string; ttlSeconds: number }> {
    const { idp } = this.configured();
    const oidc = await openidClient();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const url = await idp.authorizationUrl({ state, nonce, codeChallenge: await oidc.calculatePKCECodeChallenge(codeVerifier) });
    await this.store.putLogin({ id: hashToken(state), kind: 'browser', data: { nonce, codeVerifier, ...(request.handoff ? { handoff: request.handoff } : {}) }, expiresAt: this.now() + LOGIN_TTL_MS });
    return { url: url.toString(), state, ttlSeconds: LOGIN_TTL_MS / 1000 };
  }

  async finishLogin(query: URLSearchParams, browserState: string | undefined, origin?: RequestOrigin): Promise<CallbackOutcome> {
    const { settings, idp } = this.configured();
    const state = query.get('state') ?? '';
    const login = state === '' ? undefined : await this.store.takeLogin(hashToken(state), 'browser');
    if (!login) {
      throw new InputError('This sign-in is unknown, used already or expired; start again', { code: 'oidc_state_invalid', issues: [{ path: 'query.state', message: 'unknown, used or expired' }] });
    }
    const handoff = login.data.handoff as { port: number; challenge: string } | undefined;
    try {
      if (browserState !== state) {
        throw new InputError('This sign-in was started in another browser; start again here', { code: 'oidc_state_invalid', issues: [{ path: 'query.state', message: 'not this browser\'s' }] });
      }
      const claims = await idp.exchangeCode(query, { state, nonce: String(login.data.nonce), codeVerifier: String(login.data.codeVerifier) });
      const { user } = await signIn(this.signInDeps(settings, origin), idpUserFrom(claims, settings), handoff ? 'cli-browser' : 'browser');
      if (handoff) {
        const code = randomBytes(32).toString('base64url');
        await this.store.putLogin({ id: hashToken(code), kind: 'handoff', data: { userId: user.id, challenge: handoff.challenge }, expiresAt: this.now() + HANDOFF_TTL_MS });
        return { kind: 'handoff', redirect: loopback(handoff.port, { code }) };
      }
      const session = await issueSession(this.signInDeps(settings, origin), user, 'browser');
      return { kind: 'session', session, user, ttlSeconds: Math.floor(settings.sessionTtlMs / 1000) };
    } catch (error) {
      // The CLI waiting on its loopback port hears why, instead of waiting for nothing.
      if (handoff && isPavedError(error)) return { kind: 'handoff', redirect: loopback(handoff.port, { error: error.code }) };
      throw error;
    }
  }

  async redeemHandoff(request: { code: string; verifier: string }, origin?: RequestOrigin): Promise<IssuedToken> {
    const { settings } = this.configured();
    const login = await this.store.takeLogin(hashToken(request.code), 'handoff');
    const challenge = createHash('sha256').update(request.verifier).digest('base64url');
    if (!login || login.data.challenge !== challenge) {
      throw new InputError('This hand-off code is unknown, used already, expired or not yours; sign in again', {
        code: 'oidc_handoff_invalid', issues: [{ path: 'code', message: 'unknown, used, expired or for another verifier' }],
      });
    }
    const user = await this.store.getUser({ id: String(login.data.userId) });
    if (!user || user.disabled) throw new UnauthenticatedError(`User "${user?.name ?? ''}" is disabled; ask a platform admin`, { code: 'user_disabled' });
    return issueSession(this.signInDeps(settings, origin), user, 'cli-browser');
  }

  async startDevice(): Promise<DeviceLogin> {
    const { idp } = this.configured();
    if (!(await idp.supportsDeviceFlow())) {
      throw new ConflictError('The identity provider does not offer the device flow; sign in with: paved login --oidc --browser', { code: 'oidc_device_unsupported' });
    }
    const started = await idp.startDevice();
    const loginId = randomBytes(32).toString('base64url');
    await this.store.putLogin({
      id: hashToken(loginId), kind: 'device', data: { deviceCode: started.deviceCode, interval: started.interval, polledAt: 0 },
      expiresAt: this.now() + Math.min(started.expiresIn * 1000, DEVICE_TTL_MAX_MS),
    });
    const { deviceCode: _secret, ...shown } = started;
    return { loginId, ...shown };
  }

  async pollDevice(request: { loginId: string }, origin?: RequestOrigin): Promise<DevicePoll> {
    const { settings, idp } = this.configured();
    const id = hashToken(request.loginId);
    const login = await this.store.getLogin(id, 'device');
    if (!login) throw expired();
    const deviceCode = String(login.data.deviceCode);
    let interval = Number(login.data.interval);
    const now = this.now();
    if (now - Number(login.data.polledAt) < interval * 1000 - POLL_TOLERANCE_MS) {
      interval += SLOW_DOWN_STEP_S;
      await this.store.updateLogin(id, { ...login.data, interval });
      return { status: 'slow_down', interval };
    }
    await this.store.updateLogin(id, { ...login.data, polledAt: now });
    let poll;
    try {
      poll = await idp.pollDevice(deviceCode);
    } catch (error) {
      // Denied, expired or refused: the login is over either way.
      await this.store.takeLogin(id, 'device');
      throw error;
    }
    if (poll.status === 'slow_down') {
      interval += SLOW_DOWN_STEP_S;
      await this.store.updateLogin(id, { ...login.data, polledAt: now, interval });
    }
    if (poll.status !== 'approved') return { status: poll.status, interval };
    // Of two polls that both got tokens, only the one that takes the login signs in.
    if (!(await this.store.takeLogin(id, 'device'))) throw expired();
    const { user } = await signIn(this.signInDeps(settings, origin), idpUserFrom(poll.claims, settings), 'cli-device');
    const session = await issueSession(this.signInDeps(settings, origin), user, 'cli-device');
    return { status: 'signed-in', token: session.token, info: session.info };
  }

  async linkUser(principal: Principal, userName: string, request: { subject: string }): Promise<UserIdentity> {
    const { settings } = this.configured();
    const user = await this.store.getUser({ name: userName });
    if (!user) throw new NotFoundError(`User "${userName}" does not exist`, { code: 'user_not_found', issues: [{ path: 'user', message: 'no such user' }] });
    const identity = { issuer: settings.issuer, subject: request.subject };
    await this.store.linkIdentity(user.id, identity);
    await this.store.appendEvent({ kind: 'user.linked', actor: principal.user.name, data: { user: user.name, ...identity } });
    return { user: user.name, ...identity };
  }

  async endSession(principal: Principal): Promise<void> {
    if (principal.token.source !== 'oidc') {
      throw new ConflictError(`The token in use is an API token, not a sign-in session; revoke it with: paved tokens revoke ${principal.token.id}`, { code: 'token_not_session' });
    }
    await this.store.deleteToken(principal.user.id, principal.token.id);
    await this.store.appendEvent({ kind: 'token.revoked', actor: principal.user.name, data: { user: principal.user.name, token: principal.token.id, source: 'oidc' } });
  }

  private configured(): { settings: OidcSettings; idp: IdpClient } {
    if (!this.settings || !this.idp) {
      throw new NotFoundError('Sign-in with an identity provider is not configured on this Paved (PAVED_OIDC_ISSUER); sign in with an API token: paved login --token -', {
        code: 'oidc_not_configured',
      });
    }
    return { settings: this.settings, idp: this.idp };
  }

  private signInDeps(settings: OidcSettings, origin: RequestOrigin | undefined): SignInDeps {
    return { store: this.store, audit: this.audit, settings, now: this.now, origin };
  }
}

function expired(): InputError {
  return new InputError('This sign-in is unknown, finished or expired; sign in again', { code: 'oidc_login_expired', issues: [{ path: 'loginId', message: 'unknown, finished or expired' }] });
}

/** The CLI's loopback listener: only ever 127.0.0.1, only a code or an error code in the query. */
function loopback(port: number, query: Record<string, string>): string {
  return `http://127.0.0.1:${port}/callback?${new URLSearchParams(query).toString()}`;
}
