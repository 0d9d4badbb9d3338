import {
  ConflictError, InputError, NotFoundError, TEAM_ROLES, assertName,
  type CreateTeamRequest, type Membership, type Page, type Team, type TeamRole, type UpdateTeamRequest,
} from '@paved/model';
import type { Store } from '@paved/store';
import { findTeam, visibleTeams, type Principal } from '../../access/principal.js';

/** Teams and who belongs to them. */
export interface TeamService {
  create(principal: Principal, request: CreateTeamRequest): Promise<Team>;
  /** Changes the title, or whether it is a platform team. */
  update(principal: Principal, team: string, request: UpdateTeamRequest): Promise<Team>;
  /** The caller's teams; every team for platform admins. */
  list(principal: Principal): Promise<Page<Team>>;
  get(principal: Principal, team: string): Promise<Team>;
  members(principal: Principal, team: string): Promise<Page<Membership>>;
  setMembership(principal: Principal, team: string, user: string, role: TeamRole): Promise<Membership>;
  /** Removes a member; a team keeps at least one owner. */
  removeMember(principal: Principal, team: string, user: string): Promise<void>;
}

export class DefaultTeamService implements TeamService {
  constructor(private readonly store: Store) {}

  async create(principal: Principal, request: CreateTeamRequest): Promise<Team> {
    const name = assertName('name', request.name);
    if (await this.store.getTeam({ name })) {
      throw new ConflictError(`Team "${name}" already exists`, { code: 'team_exists', issues: [{ path: 'name', message: 'already exists' }] });
    }
    const team = await this.store.createTeam({ name, title: request.title ?? name, platform: request.platform ?? false });
    // The creator owns the team so that someone can add its members.
    await this.store.setMembership({ teamId: team.id, userId: principal.user.id, role: 'owner' });
    await this.store.appendEvent({ kind: 'team.created', teamId: team.id, actor: principal.user.name, data: { team: name, platform: team.platform } });
    return team;
  }

  async update(principal: Principal, name: string, request: UpdateTeamRequest): Promise<Team> {
    const team = await findTeam(this.store, name);
    const updated = (await this.store.updateTeam(team.id, request)) ?? team;
    await this.store.appendEvent({ kind: 'team.updated', teamId: team.id, actor: principal.user.name, data: { team: name, ...request } });
    return updated;
  }

  async list(principal: Principal): Promise<Page<Team>> {
    const items = await visibleTeams(this.store, principal);
    return { items };
  }

  get(_principal: Principal, team: string): Promise<Team> {
    return findTeam(this.store, team);
  }

  async members(_principal: Principal, team: string): Promise<Page<Membership>> {
    const found = await findTeam(this.store, team);
    return { items: await this.store.listMemberships({ teamId: found.id }) };
  }

  async setMembership(principal: Principal, team: string, userName: string, role: TeamRole): Promise<Membership> {
    if (!TEAM_ROLES.includes(role)) {
      throw new InputError(`role must be one of ${TEAM_ROLES.join(', ')}`, { code: 'role_invalid', issues: [{ path: 'role', message: `must be one of ${TEAM_ROLES.join(', ')}` }] });
    }
    const found = await findTeam(this.store, team);
    const user = await this.store.getUser({ name: userName });
    if (!user) {
      throw new NotFoundError(`User "${userName}" does not exist`, { code: 'user_not_found', issues: [{ path: 'user', message: 'no such user' }] });
    }
    await this.store.setMembership({ teamId: found.id, userId: user.id, role });
    await this.store.appendEvent({
      kind: 'team.member-added', teamId: found.id, actor: principal.user.name, data: { team: found.name, user: user.name, role },
    });
    return { teamId: found.id, teamName: found.name, userId: user.id, userName: user.name, role };
  }

  async removeMember(principal: Principal, teamName: string, userName: string): Promise<void> {
    const team = await findTeam(this.store, teamName);
    const members = await this.store.listMemberships({ teamId: team.id });
    const member = members.find((m) => m.userName === userName);
    if (!member) {
      throw new NotFoundError(`"${userName}" is not a member of team "${teamName}"`, { code: 'member_not_found', issues: [{ path: 'user', message: 'not a member' }] });
    }
    if (member.role === 'owner' && members.filter((m) => m.role === 'owner').length === 1) {
      throw new ConflictError(`"${userName}" is the last owner of team "${teamName}"; make another member an owner first (paved teams add-member ${teamName} USER --role owner)`, {
        code: 'last_owner', issues: [{ path: 'user', message: 'the team\'s last owner' }],
      });
    }
    await this.store.removeMembership(team.id, member.userId);
    await this.store.appendEvent({ kind: 'team.member-removed', teamId: team.id, actor: principal.user.name, data: { team: team.name, user: userName, role: member.role } });
  }
}
