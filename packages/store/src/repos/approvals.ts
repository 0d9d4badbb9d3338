import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from '#kysely';
import { ConflictError, NotFoundError, type Approval, type InstanceStatus, type PolicyDecision } from '@paved/model';
import type { StoreContext } from '../context.js';
import type { ApprovalsTable, Database } from '../schema.js';
import type { ApprovalDecision, ApprovalFilter } from '../types.js';
import { insertEvent } from './events.js';

/** Written in the instance's create transaction: the instance and its approval exist together or not at all. */
export async function insertApproval(
  trx: Kysely<Database>,
  at: string,
  input: { id: string; instanceId: string; teamId: string; instanceName: string; approvers: string; decisions: PolicyDecision[]; requestedBy: string },
): Promise<void> {
  await trx.insertInto('approvals').values({
    id: input.id, instance_id: input.instanceId, team_id: input.teamId, instance_name: input.instanceName, approver_team: input.approvers,
    decisions: JSON.stringify(input.decisions), requested_by: input.requestedBy, requested_at: at, state: 'Waiting',
    decided_by: null, decided_at: null, reason: null,
  }).execute();
  await insertEvent(trx, at, {
    kind: 'instance.approval-requested', teamId: input.teamId, instanceId: input.instanceId, actor: input.requestedBy,
    data: { approval: input.id, approvers: input.approvers, policies: input.decisions.map((d) => d.policy) },
  });
}

type ApprovalRow = Selectable<ApprovalsTable> & { team_name: string };

function toApproval(row: ApprovalRow): Approval {
  return {
    id: row.id, team: row.team_name, instance: row.instance_name, instanceId: row.instance_id, approvers: row.approver_team,
    decisions: JSON.parse(row.decisions) as PolicyDecision[], requestedBy: row.requested_by, requestedAt: row.requested_at,
    state: row.state as Approval['state'],
    ...(row.decided_by === null ? {} : { decidedBy: row.decided_by }),
    ...(row.decided_at === null ? {} : { decidedAt: row.decided_at }),
    ...(row.reason === null ? {} : { reason: row.reason }),
  };
}

/** Approvals (migration 0019): the requests requireApproval policies hold, and their decisions. */
export function approvalsRepo(ctx: StoreContext) {
  const { adapter, db } = ctx;
  const select = (executor: Kysely<Database> = db) =>
    executor.selectFrom('approvals').innerJoin('teams', 'teams.id', 'approvals.team_id').selectAll('approvals').select('teams.name as team_name');

  return {
    async getApproval(id: string): Promise<Approval | undefined> {
      const row = await select().where('approvals.id', '=', id).executeTakeFirst();
      return row && toApproval(row);
    },

    /** Oldest first; at most 500 (approvals wait briefly, a longer list is a backlog to clear first). */
    async listApprovals(filter: ApprovalFilter): Promise<Approval[]> {
      let query = select().orderBy('approvals.seq').limit(500);
      if (filter.state !== undefined) query = query.where('approvals.state', '=', filter.state);
      if (filter.approverTeams !== undefined || filter.teamIds !== undefined) {
        const approvers = filter.approverTeams ?? [];
        const teams = filter.teamIds ?? [];
        if (approvers.length === 0 && teams.length === 0) return [];
        query = query.where((eb) => eb.or([
          ...(approvers.length > 0 ? [eb('approvals.approver_team', 'in', approvers)] : []),
          ...(teams.length > 0 ? [eb('approvals.team_id', 'in', teams)] : []),
        ]));
      }
      return (await query.execute()).map(toApproval);
    },

    /**
     * Decides a waiting approval and moves its instance in one transaction: Approved makes it
     * Pending and due now (the engine provisions it), Denied leaves it Denied with the reason,
     * never provisioned. ConflictError `approval_decided` when it was decided already.
     */
    async decideApproval(id: string, decision: ApprovalDecision): Promise<Approval> {
      let teamId = '';
      let instanceId = '';
      await adapter.transaction(async (trx) => {
        const row = await adapter.forUpdate(trx.selectFrom('approvals').selectAll().where('id', '=', id)).executeTakeFirst();
        if (!row) throw new NotFoundError(`No approval ${id}; list them with: paved approvals list`, { code: 'approval_not_found', issues: [{ path: 'approval', message: 'no such approval' }] });
        if (row.state !== 'Waiting') {
          throw new ConflictError(`Approval ${id} was already decided (${row.state} by ${row.decided_by ?? 'someone'})`, {
            code: 'approval_decided', issues: [{ path: 'approval', message: `already ${row.state}` }],
          });
        }
        const at = ctx.iso();
        await trx.updateTable('approvals').set({ state: decision.state, decided_by: decision.by, decided_at: at, reason: decision.reason ?? null }).where('id', '=', id).execute();
        teamId = row.team_id;
        instanceId = row.instance_id;
        const instance = await adapter.forUpdate(trx.selectFrom('instances').select(['status']).where('id', '=', row.instance_id)).executeTakeFirst();
        if (instance) {
          const status = JSON.parse(instance.status) as InstanceStatus;
          const approval = { ...status.approval!, state: decision.state, decidedBy: decision.by, ...(decision.reason ? { reason: decision.reason } : {}) };
          const next: InstanceStatus = decision.state === 'Approved'
            ? { phase: 'Pending', conditions: [], approval }
            : { phase: 'Denied', conditions: [], approval, lastError: `denied by ${decision.by}: ${decision.reason ?? 'no reason given'}` };
          await trx.updateTable('instances').set({
            status: JSON.stringify(next), updated_at: at, ...(decision.state === 'Approved' ? { due_at: ctx.now() } : {}),
          }).where('id', '=', row.instance_id).execute();
          await adapter.announce(trx, { instanceId: row.instance_id, teamId: row.team_id });
        }
        await insertEvent(trx, at, {
          kind: decision.state === 'Approved' ? 'instance.approved' : 'instance.denied', teamId: row.team_id, instanceId: row.instance_id, actor: decision.by,
          data: { approval: id, name: row.instance_name, ...(decision.reason ? { reason: decision.reason } : {}) },
        });
      });
      ctx.feed.emit({ instanceId, teamId });
      return (await this.getApproval(id))!;
    },
  };
}

export function newApprovalId(): string {
  return randomUUID();
}
