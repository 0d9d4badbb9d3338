import {
  NotAllowedError, NotFoundError,
  type CreateTokenRequest, type CreateUserRequest, type CreatedUser, type IssuedToken, type TokenInfo, type UpdateUserRequest, type User, type WhoAmI,
} from '@paved/model';
import { requireAdmin, requireUnscopedToken, type Principal } from '../access/principal.js';
import type { RequestOrigin } from '../http/request-context.js';
import type { IdentityService } from './service.js';

/**
 * Platform admins create, list and disable users, and manage anyone's tokens. Everyone else
 * manages only their own tokens, with a token that is neither read-only nor narrowed to a team
 * (a token never mints a wider one), and gets "not found" for another user's.
 */
export class AuthorizedIdentityService implements IdentityService {
  constructor(private readonly inner: IdentityService) {}

  authenticate(token: string): Promise<Principal> {
    return this.inner.authenticate(token);
  }

  authenticateKept(token: string): Principal | undefined {
    return this.inner.authenticateKept(token);
  }

  authenticateUnderEpoch(token: string): { principal: Principal; epoch: number } | undefined {
    return this.inner.authenticateUnderEpoch(token);
  }

  whoami(principal: Principal): Promise<WhoAmI> {
    return this.inner.whoami(principal);
  }

  listUsers(principal: Principal): Promise<User[]> {
    requireAdmin(principal, 'list users', 'read');
    return this.inner.listUsers(principal);
  }

  createUser(principal: Principal | undefined, request: CreateUserRequest, origin?: RequestOrigin): Promise<CreatedUser> {
    if (!principal) throw new NotAllowedError('Only platform admins may create users', { code: 'admin_required' });
    requireAdmin(principal, 'create users');
    return this.inner.createUser(principal, request, origin);
  }

  updateUser(principal: Principal, userName: string, request: UpdateUserRequest): Promise<User> {
    requireAdmin(principal, 'disable or enable users');
    return this.inner.updateUser(principal, userName, request);
  }

  issueToken(principal: Principal, userName: string, request: CreateTokenRequest, origin?: RequestOrigin): Promise<IssuedToken> {
    this.ownOrAdmin(principal, userName, 'create tokens', 'write');
    return this.inner.issueToken(principal, userName, request, origin);
  }

  listTokens(principal: Principal, userName: string): Promise<TokenInfo[]> {
    this.ownOrAdmin(principal, userName, 'list tokens', 'read');
    return this.inner.listTokens(principal, userName);
  }

  revokeToken(principal: Principal, userName: string, tokenId: string, origin?: RequestOrigin): Promise<void> {
    this.ownOrAdmin(principal, userName, 'revoke tokens', 'write');
    return this.inner.revokeToken(principal, userName, tokenId, origin);
  }

  private ownOrAdmin(principal: Principal, userName: string, what: string, access: 'read' | 'write'): void {
    // An admin's own tokens are checked as anyone's own, so a refusal does not call them another user's.
    if (principal.user.admin && principal.user.name !== userName) return requireAdmin(principal, `${what} of other users`, access);
    if (principal.user.name !== userName) {
      // Whether another user exists is not the caller's business.
      throw new NotFoundError(`User "${userName}" does not exist`, { code: 'user_not_found', issues: [{ path: 'user', message: 'no such user' }] });
    }
    requireUnscopedToken(principal, what, access);
  }
}
