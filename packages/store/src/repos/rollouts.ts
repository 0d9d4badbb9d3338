import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from '#kysely';
import { ConflictError, type InstanceHold, type Page, type Rollout, type RolloutSettings, type RolloutState, type RolloutTargetState, type WaveStage } from '@paved/model';
import type { StoreContext } from '../context.js';
import type { Database, InstanceHoldsTable, RolloutTargetsTable, RolloutsTable } from '../schema.js';
import type { ClaimedRollout, NewRollout, RolloutProgress, VersionMove } from '../rollout-types.js';
import type { WriteOutcome } from '../types.js';
import { decodeCursor, encodeCursor, pageLimit } from '../cursor.js';
import { insertEvent } from './events.js';

const FINAL: readonly RolloutState[] = ['Halted', 'Completed'];

function toHold(row: Selectable<InstanceHoldsTable>): InstanceHold {
  return { instanceId: row.instance_id, reason: row.reason, heldBy: row.held_by, heldAt: row.held_at };
}

function toRollout(row: Selectable<RolloutsTable>, targets: Selectable<RolloutTargetsTable>[]): Rollout {
  return {
    id: row.id,
    product: row.product,
    toVersion: row.to_version,
    state: row.state as RolloutState,
    settings: JSON.parse(row.settings) as RolloutSettings,
    wave: Number(row.wave),
    waves: Number(row.waves),
    stage: row.stage as WaveStage,
    ...(row.soak_started_at === null ? {} : { soakStartedAt: new Date(Number(row.soak_started_at)).toISOString() }),
    message: row.message,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    targets: targets.map((t) => ({
      instanceId: t.instance_id,
      team: t.team_name,
      instance: t.instance_name,
      fromVersion: t.from_version,
      wave: Number(t.wave),
      state: t.state as RolloutTargetState,
      message: t.message,
    })),
  };
}

/**
 * Holds, version moves and fleet rollouts (migration 0020). A rollout is claimed and advanced
 * like an instance (repos/engine-queue.ts): a lease (owner, random token, expiry), and every
 * write of a step guarded by `id AND lease_token`, so a worker whose lease lapsed (a killed
 * process) gets 'lost-lease' and the next one resumes from what is stored.
 */
export function rolloutsRepo(ctx: StoreContext) {
  const { adapter, db } = ctx;

  async function targetsOf(executor: Kysely<Database>, ids: string[]): Promise<Map<string, Selectable<RolloutTargetsTable>[]>> {
    const byRollout = new Map<string, Selectable<RolloutTargetsTable>[]>(ids.map((id) => [id, []]));
    if (ids.length === 0) return byRollout;
    const rows = await executor.selectFrom('rollout_targets').selectAll().where('rollout_id', 'in', ids).orderBy('rollout_id').orderBy('position').execute();
    for (const row of rows) byRollout.get(row.rollout_id)?.push(row);
    return byRollout;
  }

  async function withTargets(executor: Kysely<Database>, rows: Selectable<RolloutsTable>[]): Promise<Rollout[]> {
    const targets = await targetsOf(executor, rows.map((row) => row.id));
    return rows.map((row) => toRollout(row, targets.get(row.id) ?? []));
  }

  async function getRollout(id: string): Promise<Rollout | undefined> {
    const row = await db.selectFrom('rollouts').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : (await withTargets(db, [row]))[0];
  }

  async function teamOf(executor: Kysely<Database>, instanceId: string): Promise<{ team_id: string; name: string } | undefined> {
    return executor.selectFrom('instances').select(['team_id', 'name']).where('id', '=', instanceId).executeTakeFirst();
  }

  return {
    async holdInstance(instanceId: string, reason: string, actor: string): Promise<InstanceHold> {
      const row = { instance_id: instanceId, reason, held_by: actor, held_at: ctx.iso() };
      await adapter.transaction(async (trx) => {
        const instance = await teamOf(trx, instanceId);
        await trx.deleteFrom('instance_holds').where('instance_id', '=', instanceId).execute();
        await trx.insertInto('instance_holds').values(row).execute();
        await insertEvent(trx, row.held_at, { kind: 'instance.held', teamId: instance?.team_id, instanceId, actor, data: { name: instance?.name, reason } });
      });
      return toHold(row);
    },

    async unholdInstance(instanceId: string, actor: string): Promise<boolean> {
      return adapter.transaction(async (trx) => {
        const removed = await trx.deleteFrom('instance_holds').where('instance_id', '=', instanceId).executeTakeFirst();
        if (Number(removed.numDeletedRows) === 0) return false;
        const instance = await teamOf(trx, instanceId);
        await insertEvent(trx, ctx.iso(), { kind: 'instance.unheld', teamId: instance?.team_id, instanceId, actor, data: { name: instance?.name } });
        return true;
      });
    },

    async getHold(instanceId: string): Promise<InstanceHold | undefined> {
      const row = await db.selectFrom('instance_holds').selectAll().where('instance_id', '=', instanceId).executeTakeFirst();
      return row && toHold(row);
    },

    async listHolds(instanceIds: readonly string[]): Promise<InstanceHold[]> {
      if (instanceIds.length === 0) return [];
      const rows = await db.selectFrom('instance_holds').selectAll().where('instance_id', 'in', [...instanceIds]).orderBy('instance_id').execute();
      return rows.map(toHold);
    },

    async moveInstanceVersion(id: string, move: { from: string; to: string; actor: string; kind: 'instance.upgraded' | 'instance.rolled-back'; rollout?: string }): Promise<VersionMove> {
      const result = await adapter.transaction(async (trx): Promise<{ outcome: VersionMove; teamId?: string }> => {
        const row = await adapter.forUpdate(trx.selectFrom('instances').selectAll().where('id', '=', id)).executeTakeFirst();
        if (!row) return { outcome: 'gone' };
        if (row.deletion_requested) return { outcome: 'deleting' };
        if (row.product_version !== move.from) return { outcome: 'moved' };
        const at = ctx.iso();
        await trx.updateTable('instances').set({ product_version: move.to, generation: Number(row.generation) + 1, due_at: ctx.now(), updated_at: at }).where('id', '=', id).execute();
        await insertEvent(trx, at, {
          kind: move.kind, teamId: row.team_id, instanceId: id, actor: move.actor,
          data: { name: row.name, from: move.from, to: move.to, ...(move.rollout === undefined ? {} : { rollout: move.rollout }) },
        });
        await adapter.announce(trx, { instanceId: id, teamId: row.team_id });
        return { outcome: 'changed', teamId: row.team_id };
      });
      if (result.teamId !== undefined) ctx.feed.emit({ instanceId: id, teamId: result.teamId });
      return result.outcome;
    },

    async createRollout(input: NewRollout): Promise<Rollout> {
      const id = randomUUID();
      const at = ctx.iso();
      try {
        await adapter.transaction(async (trx) => {
          await trx.insertInto('rollouts').values({
            id, product: input.product, live_product: input.product, to_version: input.toVersion, state: 'Running', settings: JSON.stringify(input.settings),
            wave: 0, waves: input.waves, stage: 'applying', soak_started_at: null, message: '', created_by: input.createdBy, created_at: at, updated_at: at,
            due_at: ctx.now(), lease_owner: null, lease_token: null, lease_expires_at: null,
          }).execute();
          // Inserted in slices: one statement's parameters are bounded (SQLite: 32766).
          const rows = input.targets.map((t, position) => ({
            rollout_id: id, position, instance_id: t.instanceId, team_name: t.team, instance_name: t.instance, from_version: t.fromVersion, wave: t.wave, state: t.state, message: t.message, changed_at: ctx.now(),
          }));
          for (let i = 0; i < rows.length; i += 500) await trx.insertInto('rollout_targets').values(rows.slice(i, i + 500)).execute();
          await insertEvent(trx, at, {
            kind: 'rollout.started', teamId: input.ownerTeamId, actor: input.createdBy,
            data: { rollout: id, product: input.product, to: input.toVersion, instances: rows.length, waves: input.waves },
          });
        });
      } catch (error) {
        if (adapter.isUniqueViolation(error)) {
          throw new ConflictError(`${input.product} already has a rollout under way; see it with: paved rollout status ${input.product}`, {
            code: 'rollout_in_progress', issues: [{ path: 'product', message: 'has a rollout under way' }], cause: error,
          });
        }
        throw error;
      }
      return (await getRollout(id))!;
    },

    getRollout,

    async latestRollout(product: string): Promise<Rollout | undefined> {
      const row = await db.selectFrom('rollouts').selectAll().where('product', '=', product).orderBy('seq', 'desc').limit(1).executeTakeFirst();
      return row === undefined ? undefined : (await withTargets(db, [row]))[0];
    },

    async listRollouts(page: { cursor?: string; limit?: number }): Promise<Page<Rollout>> {
      const limit = pageLimit(page.limit);
      let query = db.selectFrom('rollouts').selectAll().orderBy('seq', 'desc').limit(limit + 1);
      if (page.cursor !== undefined) query = query.where('seq', '<', decodeCursor(page.cursor, ['number'])[0] as number);
      const rows = await query.execute();
      const items = await withTargets(db, rows.slice(0, limit));
      const last = rows[limit - 1];
      return rows.length > limit && last ? { items, nextCursor: encodeCursor([Number(last.seq)]) } : { items };
    },

    async setRolloutPaused(id: string, paused: boolean, actor: string): Promise<'changed' | 'unchanged' | 'final' | 'rolling-back'> {
      return adapter.transaction(async (trx) => {
        const row = await adapter.forUpdate(trx.selectFrom('rollouts').selectAll().where('id', '=', id)).executeTakeFirst();
        if (!row) return 'final';
        const state = row.state as RolloutState;
        if (FINAL.includes(state)) return 'final';
        if (state === 'RollingBack') return 'rolling-back';
        if ((state === 'Paused') === paused) return 'unchanged';
        const at = ctx.iso();
        await trx.updateTable('rollouts').set(paused
          ? { state: 'Paused', due_at: null, updated_at: at, message: `paused by ${actor}` }
          // A resumed wave soaks again in full: the pause says nothing about its health meanwhile.
          : { state: 'Running', due_at: ctx.now(), updated_at: at, message: '', soak_started_at: row.stage === 'soaking' ? ctx.now() : null }).where('id', '=', id).execute();
        const owner = await trx.selectFrom('products').innerJoin('teams', 'teams.name', 'products.owner').select('teams.id').where('products.name', '=', row.product).executeTakeFirst();
        await insertEvent(trx, at, { kind: paused ? 'rollout.paused' : 'rollout.resumed', teamId: owner?.id, actor, data: { rollout: id, product: row.product } });
        return 'changed';
      });
    },

    async claimDueRollout(input: { owner: string; leaseMs: number }): Promise<ClaimedRollout | undefined> {
      const now = ctx.now();
      const leaseToken = randomUUID();
      return adapter.transaction(async (trx) => {
        const picked = adapter.skipLocked(
          trx.selectFrom('rollouts').select('id').where('due_at', '<=', now)
            .where((eb) => eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<=', now)]))
            .orderBy('due_at').orderBy('seq').limit(1),
        );
        const claimed = await trx.updateTable('rollouts').set({ lease_owner: input.owner, lease_token: leaseToken, lease_expires_at: now + input.leaseMs })
          .where('id', 'in', picked).returningAll().executeTakeFirst();
        if (!claimed) return undefined;
        const targets = (await targetsOf(trx, [claimed.id])).get(claimed.id) ?? [];
        return { rollout: toRollout(claimed, targets), changedAt: targets.map((t) => Number(t.changed_at)), leaseToken };
      });
    },

    async recordRolloutProgress(id: string, leaseToken: string, progress: RolloutProgress): Promise<WriteOutcome> {
      return adapter.transaction(async (trx) => {
        const row = await adapter.forUpdate(trx.selectFrom('rollouts').selectAll().where('id', '=', id).where('lease_token', '=', leaseToken)).executeTakeFirst();
        if (!row) return 'lost-lease';
        const now = ctx.now();
        const pausedMeanwhile = row.state === 'Paused' && progress.state === 'Running';
        const state = pausedMeanwhile || progress.state === undefined ? (row.state as RolloutState) : progress.state;
        await trx.updateTable('rollouts').set({
          state,
          live_product: FINAL.includes(state) ? null : row.product,
          ...(progress.wave === undefined ? {} : { wave: progress.wave }),
          ...(progress.stage === undefined ? {} : { stage: progress.stage }),
          ...(progress.soakStartedAt === undefined ? {} : { soak_started_at: progress.soakStartedAt }),
          ...(progress.message === undefined || pausedMeanwhile ? {} : { message: progress.message }),
          due_at: state === 'Paused' || FINAL.includes(state) ? null : progress.dueAt,
          updated_at: ctx.iso(),
        }).where('id', '=', id).execute();
        for (const target of progress.targets ?? []) {
          await trx.updateTable('rollout_targets').set({ state: target.state, message: target.message, changed_at: now })
            .where('rollout_id', '=', id).where('position', '=', target.position).execute();
        }
        for (const event of progress.events ?? []) await insertEvent(trx, ctx.iso(), event);
        return 'changed';
      });
    },

    async releaseRolloutLease(id: string, leaseToken: string): Promise<void> {
      await db.updateTable('rollouts').set({ lease_owner: null, lease_token: null, lease_expires_at: null }).where('id', '=', id).where('lease_token', '=', leaseToken).execute();
    },
  };
}
