import {
  ConflictError, InputError, NotFoundError, UnauthenticatedError, assertName,
  type CreateTokenRequest, type CreateUserRequest, type CreatedUser, type IssuedToken, type TokenInfo, type UpdateUserRequest, type User, type WhoAmI,
} from '@paved/model';
import type { Store, StoredToken } from '@paved/store';
import type { Principal } from '../access/principal.js';
import type { AuditLog } from '../audit/log.js';
import type { RequestOrigin } from '../http/request-context.js';
import { generateToken, hashToken, isWellFormedToken } from './tokens.js';
import { VerifiedTokens } from './verified-tokens.js';

/** Days a token works unless its creator says otherwise, and the most they may say. */
export const TOKEN_DEFAULT_DAYS = 90;
export const TOKEN_MAX_DAYS = 366;
const DAY_MS = 86_400_000;

/** Users, their API tokens, and turning a token into a Principal. */
export interface IdentityService {
  authenticate(token: string): Promise<Principal>;
  /**
   * `authenticate`'s principal without a promise when the token was verified under the store's
   * auth epoch as it is now (a token revoked or a user disabled since moved it); undefined when
   * that is not known now, or the token would be refused: then `authenticate` (which says why).
   */
  authenticateKept(token: string): Principal | undefined;
  /**
   * `authenticate`'s principal as verified under the auth epoch it names, without asking the store
   * whether that epoch is still the current one: only for a caller that has the store confirm it
   * in the very statement that acts on the principal (Store.appendEventWhileAuthEpoch), and calls
   * `authenticate` when it has moved. Undefined when no such principal is kept, or the token would
   * be refused now (expired, user disabled, malformed): then `authenticate`.
   */
  authenticateUnderEpoch(token: string): { principal: Principal; epoch: number } | undefined;
  whoami(principal: Principal): Promise<WhoAmI>;
  listUsers(principal: Principal): Promise<User[]>;
  /** `origin`: the request asking, for the audit record of the user's first token (absent: `paved up`'s own). */
  createUser(principal: Principal | undefined, request: CreateUserRequest, origin?: RequestOrigin): Promise<CreatedUser>;
  /** Disables or enables a user: a disabled user's tokens stop working with the next request. */
  updateUser(principal: Principal, userName: string, request: UpdateUserRequest): Promise<User>;
  /** A new token for `userName`; the token is returned once and only its hash is kept. */
  issueToken(principal: Principal, userName: string, request: CreateTokenRequest, origin?: RequestOrigin): Promise<IssuedToken>;
  listTokens(principal: Principal, userName: string): Promise<TokenInfo[]>;
  /** Revokes a token: it stops working with the next request. */
  revokeToken(principal: Principal, userName: string, tokenId: string, origin?: RequestOrigin): Promise<void>;
}

export interface IdentityServiceDeps {
  store: Store;
  /** Where tokens issued and revoked are recorded (docs/audit.md). */
  audit: AuditLog;
  /** Clock for token expiry; tests pass a fake. */
  now?: () => number;
}

export class DefaultIdentityService implements IdentityService {
  private readonly store: Store;
  private readonly audit: AuditLog;
  private readonly now: () => number;
  private readonly verified: VerifiedTokens;

  constructor(deps: IdentityServiceDeps) {
    this.store = deps.store;
    this.audit = deps.audit;
    this.now = deps.now ?? Date.now;
    this.verified = new VerifiedTokens(deps.store);
  }

  authenticateKept(token: string): Principal | undefined {
    const found = this.verified.findKept(() => hashToken(token));
    return found !== undefined && isWellFormedToken(token) && this.usable(found) ? found : undefined;
  }

  authenticateUnderEpoch(token: string): { principal: Principal; epoch: number } | undefined {
    const found = this.verified.findKeptUnder(hashToken(token));
    return found !== undefined && isWellFormedToken(token) && this.usable(found.principal) ? found : undefined;
  }

  async authenticate(token: string): Promise<Principal> {
    // Hash and look up even a malformed token so that both paths cost about the same and a
    // caller learns nothing from timing; the lookup is by hash, never by the token itself.
    const found = await this.verified.find(hashToken(token));
    if (!found || !isWellFormedToken(token)) {
      throw new UnauthenticatedError('The API token is not valid; sign in again with: paved login', { code: 'token_invalid' });
    }
    if (found.token.expiresAt !== undefined && Date.parse(found.token.expiresAt) <= this.now()) {
      throw new UnauthenticatedError(`The API token "${found.token.name}" expired at ${found.token.expiresAt}; create another with: paved tokens create`, { code: 'token_expired' });
    }
    if (found.user.disabled) {
      throw new UnauthenticatedError(`User "${found.user.name}" is disabled; ask a platform admin`, { code: 'user_disabled' });
    }
    return found;
  }

  /** Neither expired nor its user disabled: what `authenticate` checks on every request, kept principal or not. */
  private usable(found: Principal): boolean {
    return (found.token.expiresAt === undefined || Date.parse(found.token.expiresAt) > this.now()) && !found.user.disabled;
  }

  async whoami(principal: Principal): Promise<WhoAmI> {
    const memberships = await this.store.listMemberships({ userId: principal.user.id });
    return { user: principal.user, memberships, token: await tokenInfo(this.store, principal.token, principal.user.name) };
  }

  listUsers(): Promise<User[]> {
    return this.store.listUsers();
  }

  async createUser(principal: Principal | undefined, request: CreateUserRequest, origin?: RequestOrigin): Promise<CreatedUser> {
    const name = assertName('name', request.name);
    if (await this.store.getUser({ name })) {
      throw new ConflictError(`User "${name}" already exists`, { code: 'user_exists', issues: [{ path: 'name', message: 'already exists' }] });
    }
    const user = await this.store.createUser({ name, admin: request.admin ?? false });
    await this.store.appendEvent({ kind: 'user.created', actor: principal?.user.name, data: { user: name, admin: user.admin } });
    const issued = await this.newToken(principal, user, { name: 'default' }, origin);
    return { user, token: issued.token, tokenInfo: issued.info };
  }

  async updateUser(principal: Principal, userName: string, request: UpdateUserRequest): Promise<User> {
    const user = await this.findUser(userName);
    if (request.disabled === true && user.id === principal.user.id) {
      throw new ConflictError('You cannot disable yourself; ask another platform admin', { code: 'self_disable', issues: [{ path: 'disabled', message: 'not for your own user' }] });
    }
    const updated = (await this.store.updateUser(user.id, request)) ?? user;
    if (request.disabled !== undefined && request.disabled !== user.disabled) {
      await this.store.appendEvent({ kind: request.disabled ? 'user.disabled' : 'user.enabled', actor: principal.user.name, data: { user: user.name } });
    }
    return updated;
  }

  async issueToken(principal: Principal, userName: string, request: CreateTokenRequest, origin?: RequestOrigin): Promise<IssuedToken> {
    return this.newToken(principal, await this.findUser(userName), request, origin);
  }

  async listTokens(_principal: Principal, userName: string): Promise<TokenInfo[]> {
    const user = await this.findUser(userName);
    const tokens = await this.store.listTokens(user.id);
    return Promise.all(tokens.map((token) => tokenInfo(this.store, token, user.name)));
  }

  async revokeToken(principal: Principal, userName: string, tokenId: string, origin?: RequestOrigin): Promise<void> {
    const user = await this.findUser(userName);
    if (!(await this.store.deleteToken(user.id, tokenId))) {
      throw new NotFoundError(`User "${userName}" has no token ${tokenId}; list them with: paved tokens list --user ${userName}`, {
        code: 'token_not_found', issues: [{ path: 'token', message: 'no such token' }],
      });
    }
    await this.store.appendEvent({ kind: 'token.revoked', actor: principal.user.name, data: { user: user.name, token: tokenId } });
    await this.audit.record({ action: 'token.revoke', target: { user: user.name, token: tokenId } }, origin);
  }

  private newToken(principal: Principal | undefined, user: User, request: CreateTokenRequest, origin: RequestOrigin | undefined): Promise<IssuedToken> {
    return issueToken({ store: this.store, audit: this.audit, now: this.now, origin }, user, request, principal?.user.name ?? user.name);
  }

  private async findUser(name: string): Promise<User> {
    const user = await this.store.getUser({ name });
    if (!user) {
      throw new NotFoundError(`User "${name}" does not exist`, { code: 'user_not_found', issues: [{ path: 'user', message: 'no such user' }] });
    }
    return user;
  }
}

/**
 * Issues a token for `user` and records who issued it to whom, with what scope and expiry
 * (never the token), as an event and in the audit log. `actor` is the caller's name, or "paved"
 * for `paved up`'s own; `deps.origin` the request asking, for the record. When the audit record cannot be written the token is deleted again and
 * the error thrown: no token is handed out without its record. A sign-in session (`session`) is
 * a token like any other, with an expiry in hours and source 'oidc'.
 */
export async function issueToken(
  deps: { store: Store; audit: AuditLog; now: () => number; origin?: RequestOrigin | undefined }, user: User, request: CreateTokenRequest, actor: string, session?: { ttlMs: number },
): Promise<IssuedToken> {
  const { store } = deps;
  const name = assertName('name', request.name);
  const days = request.expiresInDays ?? TOKEN_DEFAULT_DAYS;
  if (!Number.isInteger(days) || days < 1 || days > TOKEN_MAX_DAYS) {
    throw new InputError(`expiresInDays must be a whole number of days from 1 to ${TOKEN_MAX_DAYS}`, {
      code: 'token_expiry_invalid', issues: [{ path: 'expiresInDays', message: `must be 1 to ${TOKEN_MAX_DAYS}` }],
    });
  }
  const teamId = request.team === undefined ? undefined : await tokenTeam(store, user, request.team);
  const token = generateToken();
  const stored = await store.createToken({
    userId: user.id,
    name,
    hash: hashToken(token),
    expiresAt: new Date(deps.now() + (session ? session.ttlMs : days * DAY_MS)).toISOString(),
    readOnly: request.readOnly ?? false,
    ...(teamId === undefined ? {} : { teamId }),
    ...(session ? { source: 'oidc' as const } : {}),
  });
  const info = await tokenInfo(store, stored, user.name);
  try {
    await deps.audit.record({
      action: 'token.issue',
      actor,
      ...(info.scope.team === undefined ? {} : { team: info.scope.team }),
      target: { user: user.name, token: info.id },
      summary: { name: info.name, readOnly: info.scope.readOnly, ...(info.scope.team === undefined ? {} : { team: info.scope.team }), expiresAt: info.expiresAt },
    }, deps.origin);
  } catch (error) {
    await store.deleteToken(user.id, stored.id);
    throw error;
  }
  await store.appendEvent({
    kind: 'token.issued',
    actor,
    data: { user: user.name, token: info.id, name: info.name, scope: info.scope, expiresAt: info.expiresAt, ...(session ? { source: 'oidc' } : {}) },
  });
  return { token, info };
}

/** A team token's team: one the user is a member of (or any team, for a platform admin). */
async function tokenTeam(store: Store, user: User, teamName: string): Promise<string> {
  const team = await store.getTeam({ name: teamName });
  const member = team !== undefined && (user.admin || (await store.listMemberships({ userId: user.id })).some((m) => m.teamId === team.id));
  if (!team || !member) {
    throw new InputError(`team: "${user.name}" is not a member of team "${teamName}", so a token cannot act for it`, {
      code: 'token_team_invalid', issues: [{ path: 'team', message: 'not one of the user\'s teams' }],
    });
  }
  return team.id;
}

async function tokenInfo(store: Store, token: Pick<StoredToken, 'id' | 'name' | 'createdAt' | 'expiresAt' | 'readOnly' | 'teamId'>, userName: string): Promise<TokenInfo> {
  const team = token.teamId === undefined ? undefined : await store.getTeam({ id: token.teamId });
  return {
    id: token.id,
    name: token.name,
    user: userName,
    scope: { readOnly: token.readOnly, ...(team ? { team: team.name } : {}) },
    createdAt: token.createdAt,
    ...(token.expiresAt === undefined ? {} : { expiresAt: token.expiresAt }),
  };
}
