import type { CreateTeamRequest, Membership, Page, Team, TeamRole, UpdateTeamRequest } from '@paved/model';
import type { Store } from '@paved/store';
import { requireAdmin, teamFor, type Principal } from '../../access/principal.js';
import type { TeamService } from './service.js';

/**
 * Platform admins create teams and mark platform teams; owners (and admins) rename their team
 * and manage its members; members and viewers read it.
 */
export class AuthorizedTeamService implements TeamService {
  constructor(private readonly inner: TeamService, private readonly store: Store) {}

  create(principal: Principal, request: CreateTeamRequest): Promise<Team> {
    requireAdmin(principal, 'create teams');
    return this.inner.create(principal, request);
  }

  async update(principal: Principal, team: string, request: UpdateTeamRequest): Promise<Team> {
    if (request.platform !== undefined) requireAdmin(principal, 'make a team a platform team or undo it');
    await teamFor(this.store, principal, team, 'manage');
    return this.inner.update(principal, team, request);
  }

  list(principal: Principal): Promise<Page<Team>> {
    return this.inner.list(principal);
  }

  async get(principal: Principal, team: string): Promise<Team> {
    await teamFor(this.store, principal, team, 'read');
    return this.inner.get(principal, team);
  }

  async members(principal: Principal, team: string): Promise<Page<Membership>> {
    await teamFor(this.store, principal, team, 'read');
    return this.inner.members(principal, team);
  }

  async setMembership(principal: Principal, team: string, user: string, role: TeamRole): Promise<Membership> {
    await teamFor(this.store, principal, team, 'manage');
    return this.inner.setMembership(principal, team, user, role);
  }

  async removeMember(principal: Principal, team: string, user: string): Promise<void> {
    await teamFor(this.store, principal, team, 'manage');
    return this.inner.removeMember(principal, team, user);
  }
}
