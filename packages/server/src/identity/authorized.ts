import { NotAllowedError, type CreateUserRequest, type CreatedUser, type WhoAmI } from '@paved/model';
import type { IdentityService } from './service.js';
import type { Principal } from '../access/principal.js';

/** Who may manage users: platform admins create users; a user may also mint their own tokens. */
export class AuthorizedIdentityService implements IdentityService {
  constructor(private readonly inner: IdentityService) {}

  authenticate(token: string): Promise<Principal> {
    return this.inner.authenticate(token);
  }

  whoami(principal: Principal): Promise<WhoAmI> {
    return this.inner.whoami(principal);
  }

  createUser(principal: Principal | undefined, request: CreateUserRequest): Promise<CreatedUser> {
    if (!principal?.user.admin) {
      throw new NotAllowedError('Only platform admins may create users', { code: 'admin_required' });
    }
    return this.inner.createUser(principal, request);
  }

  issueToken(principal: Principal, userName: string, tokenName: string): Promise<{ token: string }> {
    if (!principal.user.admin && principal.user.name !== userName) {
      throw new NotAllowedError(`Only "${userName}" or a platform admin may create tokens for "${userName}"`, {
        code: 'not_allowed',
        issues: [{ path: 'user', message: 'not you' }],
      });
    }
    return this.inner.issueToken(principal, userName, tokenName);
  }
}
