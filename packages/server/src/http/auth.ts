import type { FastifyRequest } from 'fastify';
import { InternalError, UnauthenticatedError } from '@paved/model';
import type { IdentityService } from '../identity/service.js';
import type { Principal } from '../access/principal.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the bearer hook on every /api/v1 route. */
    principal: Principal | null;
  }
}

const BEARER_RE = /^Bearer +(\S+) *$/i;

/** onRequest hook: the `Authorization: Bearer pvd_…` header becomes `request.principal`. */
export function bearerAuth(identity: IdentityService) {
  return async function authenticate(request: FastifyRequest): Promise<void> {
    const header = request.headers.authorization;
    if (header === undefined || header === '') {
      throw new UnauthenticatedError('This route needs an API token: send "Authorization: Bearer <token>" (paved login)', { code: 'token_missing' });
    }
    const match = BEARER_RE.exec(header);
    if (!match?.[1]) {
      throw new UnauthenticatedError('The Authorization header must be "Bearer <token>"', { code: 'token_invalid' });
    }
    request.principal = await identity.authenticate(match[1]);
  };
}

/** The caller of an authenticated route. */
export function principalOf(request: FastifyRequest): Principal {
  // The hook runs before every /api/v1 handler; reaching here without one is a wiring bug.
  if (!request.principal) throw new InternalError('route served without authentication');
  return request.principal;
}
