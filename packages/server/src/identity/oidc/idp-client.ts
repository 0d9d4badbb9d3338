import type * as Oidc from 'openid-client';
import { InputError, NotAllowedError, UnauthenticatedError, UnavailableError, isPavedError, type PavedError } from '@paved/model';
import { isLoopbackUrl, type OidcSettings } from './settings.js';

/** What the provider said about the user: the ID token's claims, with the userinfo response's added. */
export type IdpClaims = Readonly<Record<string, unknown>>;

export interface DeviceStart {
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  verificationUriComplete?: string;
  expiresIn: number;
  /** Seconds between polls (RFC 8628: 5 when the provider does not say). */
  interval: number;
}

export type DevicePoll = { status: 'pending' | 'slow_down' } | { status: 'approved'; claims: IdpClaims };

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

let openid: Promise<typeof Oidc> | undefined;
/** The openid-client module, whose `instanceof` checks `failure` makes once it has been loaded. */
let loaded: typeof Oidc | undefined;

/**
 * openid-client (and oauth4webapi, 200 KB of source), loaded on the first sign-in request: most
 * Paveds run without OIDC, and an idle `paved up` held it from the start (bench/footprint.mjs).
 */
export function openidClient(): Promise<typeof Oidc> {
  openid ??= import('openid-client').then((module) => (loaded = module));
  return openid;
}

/**
 * Paved as the provider's client, through openid-client: discovery (once, retried after a
 * failure, so Paved starts while the provider is down and API tokens keep working), the
 * authorization code grant with PKCE, the device authorization grant one poll at a time, and
 * the user's claims. ID token signatures are checked against the provider's keys even on
 * the token endpoint's TLS channel (non-repudiation checks), so an unsigned (`alg: none`) or
 * forged token is refused. Every failure becomes a Paved error: nothing from the provider is
 * echoed but its error code.
 */
export class IdpClient {
  private config: Promise<Oidc.Configuration> | undefined;

  constructor(private readonly settings: OidcSettings) {}

  async supportsDeviceFlow(): Promise<boolean> {
    return (await this.configuration()).serverMetadata().device_authorization_endpoint !== undefined;
  }

  async authorizationUrl(checks: { state: string; nonce: string; codeChallenge: string }): Promise<URL> {
    const config = await this.configuration();
    return (await openidClient()).buildAuthorizationUrl(config, {
      redirect_uri: this.settings.redirectUri,
      scope: this.settings.scopes.join(' '),
      state: checks.state,
      nonce: checks.nonce,
      code_challenge: checks.codeChallenge,
      code_challenge_method: 'S256',
    });
  }

  /** Redeems the code the callback received (PKCE), checking the state and the ID token's nonce, issuer, audience and expiry. */
  async exchangeCode(callbackQuery: URLSearchParams, checks: { state: string; nonce: string; codeVerifier: string }): Promise<IdpClaims> {
    const config = await this.configuration();
    const currentUrl = new URL(this.settings.redirectUri);
    currentUrl.search = callbackQuery.toString();
    const oidc = await openidClient();
    const tokens = await oidc.authorizationCodeGrant(config, currentUrl, {
      pkceCodeVerifier: checks.codeVerifier, expectedState: checks.state, expectedNonce: checks.nonce, idTokenExpected: true,
    }).catch(failure);
    return this.claimsOf(config, tokens);
  }

  async startDevice(): Promise<DeviceStart> {
    const config = await this.configuration();
    const started = await (await openidClient()).initiateDeviceAuthorization(config, { scope: this.settings.scopes.join(' ') }).catch(failure);
    return {
      deviceCode: started.device_code,
      userCode: started.user_code,
      verificationUri: started.verification_uri,
      ...(started.verification_uri_complete ? { verificationUriComplete: started.verification_uri_complete } : {}),
      expiresIn: started.expires_in,
      interval: Math.max(started.interval ?? 5, 1),
    };
  }

  /** One poll of the token endpoint for a device code (the caller keeps the pace). */
  async pollDevice(deviceCode: string): Promise<DevicePoll> {
    const config = await this.configuration();
    const oidc = await openidClient();
    let tokens: Oidc.TokenEndpointResponse & Oidc.TokenEndpointResponseHelpers;
    try {
      tokens = await oidc.genericGrantRequest(config, DEVICE_GRANT, { device_code: deviceCode });
    } catch (error) {
      if (error instanceof oidc.ResponseBodyError && error.error === 'authorization_pending') return { status: 'pending' };
      if (error instanceof oidc.ResponseBodyError && error.error === 'slow_down') return { status: 'slow_down' };
      return failure(error);
    }
    return { status: 'approved', claims: await this.claimsOf(config, tokens) };
  }

  private async claimsOf(config: Oidc.Configuration, tokens: Oidc.TokenEndpointResponse & Oidc.TokenEndpointResponseHelpers): Promise<IdpClaims> {
    const idToken = tokens.claims();
    if (!idToken) throw new UnauthenticatedError('The identity provider sent no ID token', { code: 'oidc_id_token_invalid' });
    if (config.serverMetadata().userinfo_endpoint === undefined) return idToken;
    // Many providers send groups and profile claims only here; the subject must be the same.
    const userinfo = await (await openidClient()).fetchUserInfo(config, tokens.access_token, idToken.sub).catch(failure);
    return { ...userinfo, ...idToken };
  }

  private configuration(): Promise<Oidc.Configuration> {
    this.config ??= this.discover().catch((error: unknown) => {
      this.config = undefined;
      throw new UnavailableError(`The identity provider ${this.settings.issuer} cannot be reached or does not describe itself (OpenID discovery); try again later`, {
        code: 'oidc_unavailable', cause: error,
      });
    });
    return this.config;
  }

  private async discover(): Promise<Oidc.Configuration> {
    const issuer = new URL(this.settings.issuer);
    const oidc = await openidClient();
    const auth = this.settings.clientSecret === undefined ? oidc.None() : oidc.ClientSecretBasic(this.settings.clientSecret);
    const execute = issuer.protocol === 'http:' && isLoopbackUrl(issuer) ? [oidc.allowInsecureRequests] : [];
    const config = await oidc.discovery(issuer, this.settings.clientId, undefined, auth, { execute, timeout: 10 });
    oidc.enableNonRepudiationChecks(config);
    return config;
  }
}

/** An openid-client failure as the Paved error a caller can act on. */
function failure(error: unknown): never {
  throw paved(error);
}

function paved(error: unknown): PavedError {
  // Nothing fails inside openid-client before it is loaded.
  const oidc = loaded;
  if (oidc && (error instanceof oidc.AuthorizationResponseError || error instanceof oidc.ResponseBodyError)) {
    const code = error.error;
    if (code === 'access_denied') return new NotAllowedError('Sign-in was refused at the identity provider (access denied)', { code: 'oidc_denied', cause: error });
    if (code === 'expired_token') return new InputError('The sign-in expired before it was approved; sign in again', { code: 'oidc_login_expired', cause: error });
    if (code === 'invalid_grant') {
      return new InputError('The identity provider refused the sign-in code: it is invalid, used already or expired; sign in again', { code: 'oidc_code_invalid', cause: error });
    }
    return new UnavailableError(`The identity provider refused Paved's request (${/^[\w.-]{1,64}$/.test(code) ? code : 'an error'}); check PAVED_OIDC_* against the provider's client`, {
      code: 'oidc_provider_error', cause: error,
    });
  }
  if (oidc && error instanceof oidc.ClientError) {
    if (error.code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' || error.code === 'OAUTH_RESPONSE_IS_NOT_JSON') {
      return new UnavailableError('The identity provider answered with something that is not OAuth; try again later', { code: 'oidc_provider_error', cause: error });
    }
    // The ID token or a response failed a check: wrong nonce, issuer or audience, expired, unsigned or forged.
    const reason = error.cause instanceof Error ? error.cause.message : error.message;
    return new UnauthenticatedError(`The identity provider's answer failed validation: ${reason}`, { code: 'oidc_id_token_invalid', cause: error });
  }
  if (error instanceof Error && (error.name === 'TypeError' || error.name === 'AbortError' || error.name === 'TimeoutError')) {
    return new UnavailableError('The identity provider cannot be reached; try again later', { code: 'oidc_unavailable', cause: error });
  }
  return isPavedError(error) ? error : new UnavailableError('The identity provider request failed', { code: 'oidc_unavailable', cause: error });
}
