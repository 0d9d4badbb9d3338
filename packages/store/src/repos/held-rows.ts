import type { Selectable } from '#kysely';
import type { InstancesTable } from '../schema.js';
import { ROTATION_COLUMNS } from '../rows.js';

/** The columns recordStatus decides and writes with (engine-queue.ts, leasedRow). */
export const LEASED_ROW_COLUMNS = [
  'team_id', 'parent_id', 'outputs', 'observed_generation', 'status_hash', 'due_at',
  'generation', 'claimed_generation', 'claimed_desired_rotation', ...ROTATION_COLUMNS,
] as const;

/** What recordStatus reads of a leased row (leasedRow). */
export type LeasedRow = Pick<Selectable<InstancesTable>, (typeof LEASED_ROW_COLUMNS)[number]>;

/** A claimed row as recordStatus reads it; as claimed, nothing was asked for during the pass yet. */
export function heldRowOf(row: Selectable<InstancesTable>): LeasedRow {
  // Spelled out (as LEASED_ROW_COLUMNS, checked by the type): Object.fromEntries of a list, 64 rows a claim, made garbage.
  return {
    team_id: row.team_id, parent_id: row.parent_id, outputs: row.outputs, observed_generation: row.observed_generation,
    status_hash: row.status_hash, due_at: row.due_at, generation: row.generation,
    claimed_generation: row.generation, claimed_desired_rotation: row.desired_rotation,
    rotation: row.rotation, desired_rotation: row.desired_rotation, revoke_rotation: row.revoke_rotation, revoke_at: row.revoke_at,
  };
}

/**
 * The rows this process's passes hold leases on, as their last write (or the claim) left them:
 * a pass's status write first updates its row on the guess that nothing changed it since,
 * guarded by the lease and the status hash in the same statement (engine-queue.ts), instead of
 * reading the row under a lock first (two reads a pass: a statement each on SQLite, a round
 * trip each on PostgreSQL). Only a hint: a guess that no longer holds changes no row, and the
 * write then reads the row as it always did. Kept per instance for the lease that took it: a
 * claim's (claimDue), or a create's that a worker of this process took (Store.claimOnCreate), whose
 * first write, the intent record on the path to the credentials, then reads nothing either.
 */
export class HeldRows<R> {
  readonly #rows = new Map<string, { leaseToken: string; row: R }>();

  /** A pass that crashed in this process (a failpoint) never ends its lease: the hints stay bounded. */
  static readonly LIMIT = 10_000;

  get(id: string, leaseToken: string): R | undefined {
    const held = this.#rows.get(id);
    return held?.leaseToken === leaseToken ? held.row : undefined;
  }

  keep(id: string, leaseToken: string, row: R): void {
    if (this.#rows.size >= HeldRows.LIMIT && !this.#rows.has(id)) this.#rows.clear();
    this.#rows.set(id, { leaseToken, row });
  }

  forget(id: string): void {
    this.#rows.delete(id);
  }

  /** How many rows are held: the passes of this process under way (and any a crashed pass left, up to LIMIT). */
  get size(): number {
    return this.#rows.size;
  }
}
