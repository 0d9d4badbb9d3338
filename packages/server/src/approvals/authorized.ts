import { NotAllowedError, type Approval } from '@paved/model';
import type { ApprovalFilter, Store } from '@paved/store';
import { can, visibleTeams, type Principal } from '../access/principal.js';
import { approvalNotFound, type ApprovalQuery, type ApprovalService } from './service.js';

/**
 * Who sees and decides approvals. A caller sees the approvals their teams may decide and those
 * their teams asked for (platform admins see all). Owners and members of the approving team
 * decide, and platform admins; never the person who asked (four eyes), whatever their role.
 * An approval the caller cannot see is "not found".
 */
export class AuthorizedApprovalService implements ApprovalService {
  constructor(private readonly inner: ApprovalService, private readonly store: Store) {}

  async list(principal: Principal, query: ApprovalQuery): Promise<Approval[]> {
    return this.inner.list(principal, query, await this.scope(principal));
  }

  async get(principal: Principal, id: string): Promise<Approval> {
    const approval = await this.inner.get(principal, id);
    const scope = await this.scope(principal);
    if (scope.approverTeams === undefined) return approval;
    const teams = await visibleTeams(this.store, principal);
    if (!scope.approverTeams.includes(approval.approvers) && !teams.some((t) => t.name === approval.team)) throw approvalNotFound(id);
    return approval;
  }

  async decide(principal: Principal, id: string, decision: { state: 'Approved' | 'Denied'; reason?: string }): Promise<Approval> {
    const approval = await this.get(principal, id);
    const approvers = await this.store.getTeam({ name: approval.approvers });
    // A team deleted since the policy named it leaves its approvals to platform admins.
    const allowed = approvers ? can(principal, approvers.id, 'write') : principal.user.admin && principal.token.teamId === undefined && !principal.token.readOnly;
    if (!allowed) {
      throw new NotAllowedError(`Only owners and members of team ${approval.approvers} (and platform admins) may decide this approval`, {
        code: 'not_approver', issues: [{ path: 'approval', message: `decided by team ${approval.approvers}` }],
      });
    }
    if (approval.requestedBy === principal.user.name) {
      throw new NotAllowedError(`You asked for ${approval.instance} yourself; another member of team ${approval.approvers} must decide (four eyes)`, {
        code: 'self_approval', issues: [{ path: 'approval', message: 'the requester may not decide' }],
      });
    }
    return this.inner.decide(principal, id, decision);
  }

  /** undefined lists: everything (a platform admin with an unscoped token). */
  private async scope(principal: Principal): Promise<Pick<ApprovalFilter, 'approverTeams' | 'teamIds'>> {
    if (principal.user.admin && principal.token.teamId === undefined) return {};
    const teams = await visibleTeams(this.store, principal);
    return { approverTeams: teams.map((t) => t.name), teamIds: teams.map((t) => t.id) };
  }
}
