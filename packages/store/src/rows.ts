import type { Selectable, Kysely } from '#kysely';
import type { Instance, InstanceCredentials, InstanceStatus, PavedEvent, EventKind, Team, User, ProductVersion } from '@paved/model';
import type { Database, EventsTable, InstancesTable, ProductVersionsTable, TeamsTable, UsersTable } from './schema.js';
import type { EngineState } from './types.js';
import { columnsOf } from './table-columns.js';

/** Row ↔ domain mapping, shared by the repositories. */

export function toUser(row: Selectable<UsersTable>): User {
  return { id: row.id, name: row.name, admin: Number(row.admin) === 1, disabled: Number(row.disabled) === 1, createdAt: row.created_at };
}

export function toTeam(row: Selectable<TeamsTable>): Team {
  return { id: row.id, name: row.name, title: row.title, platform: Number(row.platform) === 1, ...(row.parent ? { parent: row.parent } : {}), createdAt: row.created_at };
}

export function toProductVersion(row: Selectable<ProductVersionsTable>): ProductVersion {
  return { name: row.name, version: row.version, manifest: JSON.parse(row.manifest), digest: row.digest, publishedAt: row.published_at };
}

export type InstanceRow = Selectable<InstancesTable> & { team_name: string; service_name: string | null; parent_name: string | null };

/** The instance columns an Instance is made of (toInstance); the engine's own state stays out. */
export const INSTANCE_VIEW_COLUMNS = [
  'id', 'team_id', 'name', 'product', 'product_version', 'plan', 'inputs', 'external_name', 'target', 'generation',
  'observed_generation', 'deletion_requested', 'status', 'outputs', 'created_by', 'created_at', 'updated_at', 'rotation',
  'desired_rotation', 'revoke_at', 'revoke_rotation', 'environment', 'resource', 'shared', 'parent_id', 'part', 'seq',
] as const satisfies ReadonlyArray<keyof InstancesTable>;

/** The hold of an instance (rollouts, migration 0020) as selectInstanceViews reads it; null when not held. */
interface HoldColumns {
  hold_reason: string | null;
  hold_by: string | null;
  hold_at: string | null;
}

/** What toInstance reads of a row (a view's row also has its hold). */
export type InstanceViewRow = Pick<InstanceRow, (typeof INSTANCE_VIEW_COLUMNS)[number] | 'team_name' | 'service_name' | 'parent_name'> & Partial<HoldColumns>;

/** Every column of `instances` but its insertion order (`seq`, PostgreSQL's sequence or nextInsertionOrder): what a create writes. */
export const INSTANCE_INSERT_COLUMNS = [
  'id', 'team_id', 'name', 'product', 'product_version', 'plan', 'inputs', 'external_name', 'target', 'generation', 'observed_generation',
  'deletion_requested', 'status', 'outputs', 'status_hash', 'created_by', 'created_at', 'updated_at', 'pending_action', 'deletion_step',
  'attempts', 'due_at', 'lease_owner', 'lease_token', 'lease_expires_at', 'claimed_generation', 'rotation', 'desired_rotation',
  'claimed_desired_rotation', 'revoke_rotation', 'revoke_at', 'service_id', 'environment', 'resource', 'shared', 'parent_id', 'part',
] as const satisfies ReadonlyArray<Exclude<keyof InstancesTable, 'seq'>>;
/** Every column of `instances`, listed (table-columns.ts): the reads of a whole row are prepared on PostgreSQL. */
export const INSTANCE_COLUMNS = columnsOf<InstancesTable>()([...INSTANCE_INSERT_COLUMNS, 'seq']);

/**
 * An instance with only the columns toInstance reads, and its team's, service's and parent's
 * names: what the API shows of it. Listed, so that a compiled read of it is prepared on PostgreSQL.
 */
export function selectInstanceView(db: Kysely<Database>) {
  return db
    .selectFrom('instances')
    .innerJoin('teams', 'teams.id', 'instances.team_id')
    // The workload's service name (migration 0004); null for instances made one by one.
    .leftJoin('services', 'services.id', 'instances.service_id')
    // The composite parent's name (migration 0006); null for top-level instances.
    .leftJoin('instances as parents', 'parents.id', 'instances.parent_id')
    .select(INSTANCE_VIEW_COLUMNS.map((column) => `instances.${column}` as const))
    .select(['teams.name as team_name', 'services.name as service_name', 'parents.name as parent_name']);
}

/**
 * selectInstanceView with the instance's hold (`paved hold`): the API's reads (one instance by
 * name, a page of 50) materialise a third fewer values a row than selectInstances, and show a
 * hold without a query of their own.
 */
export function selectInstanceViews(db: Kysely<Database>) {
  return selectInstanceView(db)
    .leftJoin('instance_holds as holds', 'holds.instance_id', 'instances.id')
    .select(['holds.reason as hold_reason', 'holds.held_by as hold_by', 'holds.held_at as hold_at']);
}

/** Instances, every column, joined with their team's name, which every Instance carries, and their service's and parent's. */
export function selectInstances(db: Kysely<Database>) {
  return db
    .selectFrom('instances')
    .innerJoin('teams', 'teams.id', 'instances.team_id')
    .leftJoin('services', 'services.id', 'instances.service_id')
    .leftJoin('instances as parents', 'parents.id', 'instances.parent_id')
    .select(INSTANCE_COLUMNS.map((column) => `instances.${column}` as const))
    .select(['teams.name as team_name', 'services.name as service_name', 'parents.name as parent_name']);
}

export function toInstance(row: InstanceViewRow): Instance {
  return {
    id: row.id,
    teamId: row.team_id,
    teamName: row.team_name,
    name: row.name,
    product: row.product,
    productVersion: row.product_version,
    plan: row.plan,
    inputs: JSON.parse(row.inputs),
    externalName: row.external_name,
    target: row.target,
    generation: Number(row.generation),
    observedGeneration: Number(row.observed_generation),
    deletionRequested: Number(row.deletion_requested) === 1,
    status: JSON.parse(row.status) as InstanceStatus,
    outputs: JSON.parse(row.outputs),
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    credentials: toCredentials(row),
    ...workloadOf(row),
    ...parentOf(row),
    ...(row.environment === null ? {} : { environment: row.environment }),
    ...holdOf(row),
  };
}

function holdOf(row: InstanceViewRow): Pick<Instance, 'hold'> {
  if (row.hold_reason == null || row.hold_by == null || row.hold_at == null) return {};
  return { hold: { reason: row.hold_reason, heldBy: row.hold_by, heldAt: row.hold_at } };
}

function parentOf(row: InstanceViewRow): Pick<Instance, 'parent'> {
  if (row.parent_id === null || row.part === null) return {};
  // A parent forgotten out of order (by hand) leaves its parts with a dangling id: the id is still the record.
  return { parent: { id: row.parent_id, name: row.parent_name ?? '', part: row.part } };
}

function workloadOf(row: InstanceViewRow): Pick<Instance, 'workload'> {
  if (row.service_name === null || row.environment === null || row.resource === null) return {};
  return { workload: { service: row.service_name, environment: row.environment, resource: row.resource, shared: Number(row.shared) === 1 } };
}

function toCredentials(row: Pick<InstancesTable, 'rotation' | 'desired_rotation' | 'revoke_at' | 'revoke_rotation'>): InstanceCredentials {
  const rotation = Number(row.rotation);
  const credentials: InstanceCredentials = { rotation, rotating: Number(row.desired_rotation) > rotation };
  if (row.revoke_at !== null && row.revoke_rotation !== null) credentials.previousRevokeAt = new Date(Number(row.revoke_at)).toISOString();
  return credentials;
}

export function toEngineState(row: Selectable<InstancesTable>): EngineState {
  return {
    pendingAction: PENDING_ACTIONS.find((action) => action === row.pending_action) ?? null,
    deletionStep: row.deletion_step,
    attempts: Number(row.attempts),
    dueAt: Number(row.due_at),
    rotation: Number(row.rotation),
    desiredRotation: Number(row.desired_rotation),
    revokeRotation: row.revoke_rotation === null ? null : Number(row.revoke_rotation),
    revokeAt: row.revoke_at === null ? null : Number(row.revoke_at),
  };
}

const PENDING_ACTIONS = ['create', 'update', 'rotate', 'revoke'] as const;

type EngineColumns = Partial<Pick<InstancesTable, 'pending_action' | 'deletion_step' | 'attempts' | 'due_at' | 'rotation' | 'desired_rotation' | 'revoke_rotation' | 'revoke_at'>>;

/** The credential-rotation columns among `columns`, which a write must never skip as "unchanged". */
export const ROTATION_COLUMNS = ['rotation', 'desired_rotation', 'revoke_rotation', 'revoke_at'] as const;

/** The engine-state columns to write for a partial EngineState (undefined fields are left alone). */
export function engineColumns(engine: Partial<EngineState>): EngineColumns {
  const out: EngineColumns = {};
  if (engine.pendingAction !== undefined) out.pending_action = engine.pendingAction;
  if (engine.deletionStep !== undefined) out.deletion_step = engine.deletionStep;
  if (engine.attempts !== undefined) out.attempts = engine.attempts;
  if (engine.dueAt !== undefined) out.due_at = Math.round(engine.dueAt);
  if (engine.rotation !== undefined) out.rotation = engine.rotation;
  if (engine.desiredRotation !== undefined) out.desired_rotation = engine.desiredRotation;
  if (engine.revokeRotation !== undefined) out.revoke_rotation = engine.revokeRotation;
  if (engine.revokeAt !== undefined) out.revoke_at = engine.revokeAt === null ? null : Math.round(engine.revokeAt);
  return out;
}

export function toEvent(row: Selectable<EventsTable>): PavedEvent {
  const event: PavedEvent = { id: row.id, at: row.at, kind: row.kind as EventKind, data: JSON.parse(row.data) };
  if (row.team_id !== null) event.teamId = row.team_id;
  if (row.instance_id !== null) event.instanceId = row.instance_id;
  if (row.actor !== null) event.actor = row.actor;
  return event;
}
