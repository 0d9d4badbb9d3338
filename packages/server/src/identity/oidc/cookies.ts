import { createHmac, timingSafeEqual } from 'node:crypto';
import { parse, serialize, type SerializeOptions } from 'cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { NotAllowedError, UnauthenticatedError } from '@paved/model';
import type { Principal } from '../../access/principal.js';
import type { IdentityService } from '../service.js';

/**
 * A browser's sign-in session: the session token in an HttpOnly, SameSite=Strict cookie (so no
 * script reads it and no other site sends it), and a CSRF token derived from it in a cookie the
 * page's script may read and must echo in the `X-Paved-CSRF` header of every request that
 * changes something. Over TLS the cookies are `Secure` and `__Host-` prefixed (no domain, path
 * /), so another host cannot plant one.
 */
export const CSRF_HEADER = 'x-paved-csrf';
const SESSION = 'paved_session';
const CSRF = 'paved_csrf';
/** Binds a sign-in to the browser that started it (SameSite=Lax: the provider's redirect is a cross-site navigation). */
const LOGIN_STATE = 'paved_oidc_state';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Cookie names and flags for a Paved served at `redirectUri`'s origin. */
export class SessionCookies {
  private readonly secure: boolean;

  constructor(redirectUri: string | undefined) {
    this.secure = redirectUri?.startsWith('https:') ?? false;
  }

  private name(base: string): string {
    return this.secure ? `__Host-${base}` : base;
  }

  private options(extra: SerializeOptions): SerializeOptions {
    return { path: '/', secure: this.secure, sameSite: 'strict', ...extra };
  }

  setSession(reply: FastifyReply, token: string, maxAgeSeconds: number): void {
    reply.header('set-cookie', [
      serialize(this.name(SESSION), token, this.options({ httpOnly: true, maxAge: maxAgeSeconds })),
      serialize(this.name(CSRF), csrfTokenFor(token), this.options({ maxAge: maxAgeSeconds })),
      this.clearState(),
    ]);
  }

  clearSession(reply: FastifyReply): void {
    reply.header('set-cookie', [
      serialize(this.name(SESSION), '', this.options({ httpOnly: true, maxAge: 0 })),
      serialize(this.name(CSRF), '', this.options({ maxAge: 0 })),
    ]);
  }

  setState(reply: FastifyReply, state: string, maxAgeSeconds: number): void {
    reply.header('set-cookie', serialize(LOGIN_STATE, state, { path: '/api/v1/auth/oidc', secure: this.secure, sameSite: 'lax', httpOnly: true, maxAge: maxAgeSeconds }));
  }

  clearState(): string {
    return serialize(LOGIN_STATE, '', { path: '/api/v1/auth/oidc', secure: this.secure, sameSite: 'lax', httpOnly: true, maxAge: 0 });
  }

  stateOf(request: FastifyRequest): string | undefined {
    return cookiesOf(request)[LOGIN_STATE];
  }

  sessionOf(request: FastifyRequest): string | undefined {
    return cookiesOf(request)[this.name(SESSION)];
  }

  /**
   * The principal of a request that carries a session cookie and no Authorization header:
   * only a sign-in session's token is accepted from a cookie, and a request that may change
   * something must prove it comes from Paved's own page (the CSRF header). `changing` says
   * whether it does; by default, when its method is not a safe one.
   */
  async authenticate(request: FastifyRequest, identity: IdentityService, token: string, changing = !SAFE_METHODS.has(request.method)): Promise<Principal> {
    const principal = await identity.authenticate(token);
    if (principal.token.source !== 'oidc') {
      throw new UnauthenticatedError('A session cookie must hold a sign-in session; send API tokens as "Authorization: Bearer <token>"', { code: 'token_invalid' });
    }
    if (changing && !csrfMatches(request.headers[CSRF_HEADER], token)) {
      throw new NotAllowedError(`A request that changes something with a browser session must send the ${CSRF} cookie's value in the X-Paved-CSRF header`, { code: 'csrf_failed' });
    }
    return principal;
  }
}

/** The CSRF token of a session: an HMAC keyed by the session token, so it cannot be made without it. */
export function csrfTokenFor(sessionToken: string): string {
  return createHmac('sha256', sessionToken).update('paved-csrf').digest('base64url');
}

function csrfMatches(header: string | string[] | undefined, sessionToken: string): boolean {
  if (typeof header !== 'string') return false;
  const expected = Buffer.from(csrfTokenFor(sessionToken));
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function cookiesOf(request: FastifyRequest): Record<string, string | undefined> {
  const header = request.headers.cookie;
  return header ? parse(header) : {};
}
