import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { InternalError, UnauthenticatedError } from '@paved/model';
import type { IdentityService } from '../identity/service.js';
import type { SessionCookies } from '../identity/oidc/cookies.js';
import type { Principal } from '../access/principal.js';
import type { AuthFailureGuard } from './rate-limits.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the bearer hook on every /api/v1 route. */
    principal: Principal | null;
  }
}

const BEARER_RE = /^Bearer +(\S+) *$/i;

/**
 * onRequest hook: the `Authorization: Bearer pvd_…` header becomes `request.principal`; without
 * one, a browser's sign-in session cookie does (CSRF-checked for changes: identity/oidc/cookies.ts).
 * A presented credential that does not work counts against the caller's address (`guard`), which
 * is refused outright once it has failed too often.
 */
export function bearerAuth(identity: IdentityService, guard: AuthFailureGuard, cookies?: SessionCookies) {
  async function verifyCounted(request: FastifyRequest, reply: FastifyReply, header: string | undefined, session: string | undefined): Promise<void> {
    try {
      request.principal = await verify(request, identity, cookies, header, session);
    } catch (error) {
      if (error instanceof UnauthenticatedError) guard.failed(request, reply);
      throw error;
    }
  }
  // A callback hook, not an async one: a token already verified under the store's auth epoch as
  // it is now (IdentityService.authenticateKept, the same check of the store) goes on at once,
  // without the promises of the awaits in verifyCounted; every other request takes them.
  return function authenticate(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
    const header = request.headers.authorization;
    const session = header ? undefined : cookies?.sessionOf(request);
    if ((header === undefined || header === '') && session === undefined) {
      done(new UnauthenticatedError('This route needs an API token: send "Authorization: Bearer <token>" (paved login)', { code: 'token_missing' }));
      return;
    }
    try {
      guard.check(request, reply); // an address over its failures is refused before its token is looked at
    } catch (error) {
      done(error as Error);
      return;
    }
    if (session === undefined) {
      const token = BEARER_RE.exec(header ?? '')?.[1];
      const kept = token ? identity.authenticateKept(token) : undefined;
      if (kept !== undefined) {
        request.principal = kept;
        done();
        return;
      }
    }
    verifyCounted(request, reply, header, session).then(() => done(), done);
  };
}

/**
 * Verifies an authenticated request's credential again: see `reauthenticator`. `underEpoch`: the
 * principal of a bearer token as kept under an auth epoch, for a caller that has the store confirm
 * that epoch where it acts (IdentityService.authenticateUnderEpoch); undefined otherwise.
 */
export type Reauthenticate = ((request: FastifyRequest, access?: 'read' | 'write') => Promise<Principal>) & {
  underEpoch?(request: FastifyRequest): { principal: Principal; epoch: number } | undefined;
};

/**
 * Verifies the credential an open request came with again, now, as for a request that changes
 * something (a browser session must have sent the CSRF header), or with `access` 'read' as for
 * one that reads: what a stream does before it reveals credentials, or delivers what it
 * follows, since the token may have been revoked, or the user's roles changed, while it waited.
 */
export function reauthenticator(identity: IdentityService, cookies?: SessionCookies): Reauthenticate {
  const reauthenticate: Reauthenticate = (request, access = 'write') => {
    const header = request.headers.authorization;
    return verify(request, identity, cookies, header, header ? undefined : cookies?.sessionOf(request), access === 'write');
  };
  // A browser session (no header) is verified as above, always.
  reauthenticate.underEpoch = (request) => {
    const token = BEARER_RE.exec(request.headers.authorization ?? '')?.[1];
    return token === undefined ? undefined : identity.authenticateUnderEpoch(token);
  };
  return reauthenticate;
}

async function verify(
  request: FastifyRequest, identity: IdentityService, cookies: SessionCookies | undefined, header: string | undefined, session: string | undefined, changing?: boolean,
): Promise<Principal> {
  if (session !== undefined && cookies) return cookies.authenticate(request, identity, session, changing);
  const match = BEARER_RE.exec(header ?? '');
  if (!match?.[1]) {
    throw new UnauthenticatedError('The Authorization header must be "Bearer <token>"', { code: 'token_invalid' });
  }
  return identity.authenticate(match[1]);
}

/** The caller of an authenticated route. */
export function principalOf(request: FastifyRequest): Principal {
  // The hook runs before every /api/v1 handler; reaching here without one is a wiring bug.
  if (!request.principal) throw new InternalError('route served without authentication');
  return request.principal;
}
