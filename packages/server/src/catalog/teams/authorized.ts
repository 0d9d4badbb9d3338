import { NotAllowedError, type CreateTeamRequest, type Membership, type Page, type Team, type TeamRole } from '@paved/model';
import type { Store } from '@paved/store';
import { teamFor, type Principal } from '../../access/principal.js';
import type { TeamService } from './service.js';

/** Platform admins create teams; members read their team; owners (and admins) manage members. */
export class AuthorizedTeamService implements TeamService {
  constructor(private readonly inner: TeamService, private readonly store: Store) {}

  create(principal: Principal, request: CreateTeamRequest): Promise<Team> {
    if (!principal.user.admin) {
      throw new NotAllowedError('Only platform admins may create teams', { code: 'admin_required' });
    }
    return this.inner.create(principal, request);
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
}
