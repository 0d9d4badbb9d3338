import { ConflictError, NotFoundError, type Approval } from '@paved/model';
import type { ApprovalFilter, Store } from '@paved/store';
import type { Principal } from '../access/principal.js';
import type { InterventionService } from '../metrics/interventions/service.js';

export interface ApprovalQuery {
  state?: Approval['state'];
}

/**
 * Requests held by requireApproval policies (docs/policies.md#approvals): list them, approve
 * (the engine provisions at once) or deny with a reason (the instance shows phase Denied).
 * Each decision is recorded as an intervention of kind `approval` by the approver: a person
 * outside the requesting team had to act for the request to go on.
 */
export interface ApprovalService {
  list(principal: Principal, query: ApprovalQuery, scope?: Pick<ApprovalFilter, 'approverTeams' | 'teamIds'>): Promise<Approval[]>;
  get(principal: Principal, id: string): Promise<Approval>;
  decide(principal: Principal, id: string, decision: { state: 'Approved' | 'Denied'; reason?: string }): Promise<Approval>;
}

export function approvalNotFound(id: string): NotFoundError {
  return new NotFoundError(`There is no approval ${id} you can see; list them with: paved approvals list`, { code: 'approval_not_found', issues: [{ path: 'approval', message: 'no such approval' }] });
}

export class DefaultApprovalService implements ApprovalService {
  constructor(private readonly deps: { store: Store; interventions: InterventionService }) {}

  list(_principal: Principal, query: ApprovalQuery, scope: Pick<ApprovalFilter, 'approverTeams' | 'teamIds'> = {}): Promise<Approval[]> {
    return this.deps.store.listApprovals({ ...(query.state ? { state: query.state } : {}), ...scope });
  }

  async get(_principal: Principal, id: string): Promise<Approval> {
    const found = await this.deps.store.getApproval(id);
    if (!found) throw approvalNotFound(id);
    return found;
  }

  async decide(principal: Principal, id: string, decision: { state: 'Approved' | 'Denied'; reason?: string }): Promise<Approval> {
    const { store } = this.deps;
    const approval = await this.get(principal, id);
    const instance = await store.getInstance(approval.instanceId);
    if (instance?.deletionRequested) {
      throw new ConflictError(`${approval.instance} is being deleted; there is nothing left to decide`, { code: 'instance_deleting', issues: [{ path: 'approval', message: 'its instance is being deleted' }] });
    }
    const decided = await store.decideApproval(id, { state: decision.state, by: principal.user.name, ...(decision.reason ? { reason: decision.reason } : {}) });
    const note = `${decision.state === 'Approved' ? 'approved' : 'denied'} for policies ${approval.decisions.map((d) => d.policy).join(', ')}${decision.reason ? `: ${decision.reason}` : ''}`;
    // The decision stands even if the measure cannot be written; the instance's events keep it too.
    await this.deps.interventions.record(principal, approval.team, approval.instance, { kind: 'approval', note: note.slice(0, 500) });
    return decided;
  }
}
