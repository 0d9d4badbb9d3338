import {
  ConflictError, NotFoundError, UnauthenticatedError, assertName,
  type CreateUserRequest, type CreatedUser, type User, type WhoAmI,
} from '@paved/model';
import type { Store } from '@paved/store';
import type { Principal } from '../access/principal.js';
import { generateToken, hashToken, isWellFormedToken } from './tokens.js';

/** Users, their API tokens, and turning a token into a Principal. */
export interface IdentityService {
  authenticate(token: string): Promise<Principal>;
  whoami(principal: Principal): Promise<WhoAmI>;
  createUser(principal: Principal | undefined, request: CreateUserRequest): Promise<CreatedUser>;
  /** A new token for `userName`; the token is returned once and only its hash is kept. */
  issueToken(principal: Principal, userName: string, tokenName: string): Promise<{ token: string }>;
}

export class DefaultIdentityService implements IdentityService {
  constructor(private readonly store: Store) {}

  async authenticate(token: string): Promise<Principal> {
    // Hash and look up even a malformed token so that both paths cost about the same and a
    // caller learns nothing from timing; the lookup is by hash, never by the token itself.
    const hash = hashToken(token);
    const principal = await this.store.findPrincipalByTokenHash(hash);
    if (!principal || !isWellFormedToken(token)) {
      throw new UnauthenticatedError('The API token is not valid; sign in again with: paved login', { code: 'token_invalid' });
    }
    return principal;
  }

  async whoami(principal: Principal): Promise<WhoAmI> {
    return { user: principal.user, memberships: await this.store.listMemberships({ userId: principal.user.id }) };
  }

  async createUser(principal: Principal | undefined, request: CreateUserRequest): Promise<CreatedUser> {
    const name = assertName('name', request.name);
    if (await this.store.getUser({ name })) {
      throw new ConflictError(`User "${name}" already exists`, { code: 'user_exists', issues: [{ path: 'name', message: 'already exists' }] });
    }
    const user = await this.store.createUser({ name, admin: request.admin ?? false });
    const token = await this.newToken(user, 'default');
    await this.store.appendEvent({ kind: 'user.created', actor: principal?.user.name, data: { user: name, admin: user.admin } });
    return { user, token };
  }

  async issueToken(_principal: Principal, userName: string, tokenName: string): Promise<{ token: string }> {
    const user = await this.store.getUser({ name: userName });
    if (!user) {
      throw new NotFoundError(`User "${userName}" does not exist`, { code: 'user_not_found', issues: [{ path: 'user', message: 'no such user' }] });
    }
    return { token: await this.newToken(user, assertName('name', tokenName)) };
  }

  private async newToken(user: User, name: string): Promise<string> {
    const token = generateToken();
    await this.store.createToken({ userId: user.id, name, hash: hashToken(token) });
    return token;
  }
}
