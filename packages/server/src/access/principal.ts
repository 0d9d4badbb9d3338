import { NotAllowedError, NotFoundError, type Deprecation, type Membership, type Team, type TeamRole, type User } from '@paved/model';
import type { Store } from '@paved/store';

/** The token a request came with: its scope narrows what its user may do, never widens it. */
export interface PrincipalToken {
  id: string;
  name: string;
  readOnly: boolean;
  /** The only team the token may act for (a CI token). */
  teamId?: string;
  expiresAt?: string;
  createdAt: string;
  /** 'oidc': a sign-in session (docs/sign-in.md); 'api': created by a user or admin. */
  source: 'api' | 'oidc';
}

/** Who is calling: the user behind a bearer token, the teams they belong to, and the token. */
export interface Principal {
  user: User;
  memberships: Membership[];
  /** Ids of the user's teams that are platform teams. */
  platformTeamIds: readonly string[];
  token: PrincipalToken;
  /**
   * Reads as of the auth epoch the request was authenticated at (identity/verified-tokens.ts):
   * a change to what they return moves the epoch, so they answer what the store would. Absent
   * (a principal made by hand): read from the store.
   */
  reads?: EpochReads;
}

/** What the store's auth epoch vouches for besides the principal (Store.authEpoch). */
export interface EpochReads {
  /** The team by name; undefined for a name no team has. */
  team(name: string): Promise<Team | undefined>;
  /** The team by name if already read under this epoch (no promise: the usual case for findTeam); undefined otherwise. */
  keptTeam(name: string): Team | undefined;
  /** The deprecations of `product`, or of every product, as Store.listDeprecations. */
  deprecations(product?: string): Promise<Deprecation[]>;
  /** The deprecations of `product` (or of every product) if already read under this epoch (no promise); undefined otherwise. */
  keptDeprecations(product?: string): Deprecation[] | undefined;
}

/**
 * What a caller wants to do with a team; each level includes the ones before it:
 * read (viewers), write (members: request, change, delete, reveal, rotate), manage (owners: members).
 */
export type TeamAccess = 'read' | 'write' | 'manage';

const ROLE_ACCESS: Readonly<Record<TeamRole, readonly TeamAccess[]>> = {
  viewer: ['read'],
  member: ['read', 'write'],
  owner: ['read', 'write', 'manage'],
};

export function roleIn(principal: Principal, teamId: string): TeamRole | undefined {
  return principal.memberships.find((m) => m.teamId === teamId)?.role;
}

/** Why the token, not the user, stops this action; undefined when the token allows it. */
function tokenRefusal(principal: Principal, access: TeamAccess, teamId?: string): string | undefined {
  const { token } = principal;
  if (token.readOnly && access !== 'read') return 'This token is read-only; use a token that may change things';
  if (token.teamId !== undefined && token.teamId !== teamId) return 'This token may act only for its own team';
  return undefined;
}

/** Platform admins may do everything on every team; others by their role in the team. A token's scope narrows both. */
export function can(principal: Principal, teamId: string, access: TeamAccess): boolean {
  if (tokenRefusal(principal, access, teamId) !== undefined) return false;
  if (principal.user.admin) return true;
  const role = roleIn(principal, teamId);
  return role !== undefined && ROLE_ACCESS[role].includes(access);
}

/**
 * Platform admins only, and only with a token not narrowed to one team (nor read-only, for a
 * change). `what` completes "Only platform admins may …".
 */
export function requireAdmin(principal: Principal, what: string, access: 'read' | 'write' = 'write'): void {
  if (!principal.user.admin) {
    throw new NotAllowedError(`Only platform admins may ${what}`, { code: 'admin_required' });
  }
  const refusal = tokenRefusal(principal, access === 'read' ? 'read' : 'write');
  if (refusal !== undefined) throw new NotAllowedError(`${refusal} (to ${what})`, { code: 'token_scope' });
}

/** Whether the caller may act on account-level things of their own (their tokens): never with a scoped token. */
export function requireUnscopedToken(principal: Principal, what: string, access: 'read' | 'write' = 'write'): void {
  const refusal = tokenRefusal(principal, access === 'read' ? 'read' : 'write');
  if (refusal !== undefined) throw new NotAllowedError(`${refusal} (to ${what})`, { code: 'token_scope' });
}

/**
 * Whether the caller acts for `team` as a platform team: it is a platform team, and the caller
 * may act for it (a member or owner; platform admins always may). Used for publishing a team's
 * products and seeing the health of their instances across teams.
 */
export function actsForPlatformTeam(principal: Principal, team: Team, access: TeamAccess): boolean {
  return team.platform && can(principal, team.id, access);
}

/** The teams a caller sees in listings: every team for platform admins, else their own; a team token sees its team only. */
export async function visibleTeams(store: Store, principal: Principal): Promise<Team[]> {
  const teams = await store.listTeams(principal.user.admin ? {} : { userId: principal.user.id });
  const only = principal.token.teamId;
  return only === undefined ? teams : teams.filter((team) => team.id === only);
}

/** The team by name (through the caller's epoch reads when given), or NotFoundError naming the `team` field. */
export function findTeam(store: Store, name: string, principal?: Principal): Promise<Team> {
  // A team already read under the request's auth epoch is answered without awaiting a read
  // (every team route looks its team up twice: authorization, then the service).
  const kept = principal?.reads?.keptTeam(name);
  return kept !== undefined ? Promise.resolve(kept) : readTeam(store, name, principal);
}

async function readTeam(store: Store, name: string, principal?: Principal): Promise<Team> {
  const team = principal?.reads ? await principal.reads.team(name) : await store.getTeam({ name });
  if (!team) {
    throw new NotFoundError(`Team "${name}" does not exist; see your teams with: paved teams`, {
      code: 'team_not_found',
      issues: [{ path: 'team', message: 'no such team' }],
    });
  }
  return team;
}

/**
 * The team by name, checked for `access`. Team names are not secret (products name their
 * owner team), so a caller outside the team gets 403 naming it; what is inside the team
 * (instance names) is hidden separately by the instance service.
 */
export async function teamFor(store: Store, principal: Principal, name: string, access: TeamAccess): Promise<Team> {
  const team = await findTeam(store, name, principal);
  if (can(principal, team.id, access)) return team;
  const refusal = tokenRefusal(principal, access, team.id);
  if (refusal !== undefined) {
    throw new NotAllowedError(`${refusal} (team "${name}")`, { code: 'token_scope', issues: [{ path: 'team', message: refusal }] });
  }
  const role = roleIn(principal, team.id);
  const message = role === undefined
    ? `You are not a member of team "${name}"; ask one of its owners to add you (paved teams members ${name})`
    : `Your role in team "${name}" is ${role}, which may not ${access === 'manage' ? 'manage its members' : 'change what it owns (instances, services, workloads, logs)'}; ask a team owner`;
  throw new NotAllowedError(message, { code: role === undefined ? 'not_team_member' : 'role_insufficient', issues: [{ path: 'team', message }] });
}

/**
 * The team by name, for a read only its owners may make (its audit records): platform admins
 * and the team's owners, with any token that may act for the team (a read-only one too).
 */
export async function teamForOwnerRead(store: Store, principal: Principal, name: string, what: string): Promise<Team> {
  const team = await findTeam(store, name, principal);
  const refusal = tokenRefusal(principal, 'read', team.id);
  if (refusal !== undefined) {
    throw new NotAllowedError(`${refusal} (team "${name}")`, { code: 'token_scope', issues: [{ path: 'team', message: refusal }] });
  }
  const role = roleIn(principal, team.id);
  if (principal.user.admin || role === 'owner') return team;
  const message = role === undefined
    ? `You are not a member of team "${name}"; only its owners and platform admins may ${what}`
    : `Your role in team "${name}" is ${role}; only its owners and platform admins may ${what}`;
  throw new NotAllowedError(message, { code: role === undefined ? 'not_team_member' : 'role_insufficient', issues: [{ path: 'team', message }] });
}
