import { NotAllowedError, NotFoundError, type Membership, type Team, type TeamRole, type User } from '@paved/model';
import type { Store } from '@paved/store';

/** Who is calling: the user behind a bearer token and the teams they belong to. */
export interface Principal {
  user: User;
  memberships: Membership[];
}

/** What a caller wants to do with a team; each level includes the ones before it. */
export type TeamAccess = 'read' | 'write' | 'manage';

const ROLE_ACCESS: Readonly<Record<TeamRole, readonly TeamAccess[]>> = {
  viewer: ['read'],
  member: ['read', 'write'],
  owner: ['read', 'write', 'manage'],
};

export function roleIn(principal: Principal, teamId: string): TeamRole | undefined {
  return principal.memberships.find((m) => m.teamId === teamId)?.role;
}

/** Platform admins may do everything on every team; others by their role in the team. */
export function can(principal: Principal, teamId: string, access: TeamAccess): boolean {
  if (principal.user.admin) return true;
  const role = roleIn(principal, teamId);
  return role !== undefined && ROLE_ACCESS[role].includes(access);
}

/** The team by name, or NotFoundError naming the `team` field. */
export async function findTeam(store: Store, name: string): Promise<Team> {
  const team = await store.getTeam({ name });
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
  const team = await findTeam(store, name);
  if (can(principal, team.id, access)) return team;
  const role = roleIn(principal, team.id);
  const message = role === undefined
    ? `You are not a member of team "${name}"; ask one of its owners to add you (paved teams members ${name})`
    : `Your role in team "${name}" is ${role}, which may not ${access === 'manage' ? 'manage its members' : 'change what it owns (instances, services, workloads, logs)'}; ask a team owner`;
  throw new NotAllowedError(message, { code: role === undefined ? 'not_team_member' : 'role_insufficient', issues: [{ path: 'team', message }] });
}
