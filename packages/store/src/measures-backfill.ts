import { randomUUID } from 'node:crypto';
import type { Kysely } from '#kysely';
import { REPEAT_WINDOW_MS } from './repos/measures-projection.js';

/**
 * Migration 0013's one reading of history: the request ledger and the interventions from the
 * event log, the service lifetimes from the catalog. From then on the rows are written with
 * the events (repos/measures-projection.ts). The event log is read in pages; rows are written
 * in batches. Whether an actor was outside the team is judged by today's memberships: the
 * log does not say what they were then (docs/metrics/README.md says so too).
 */
const PAGE = 2000;
const BATCH = 400;
const INSTANCE_KINDS = ['instance.requested', 'instance.ready', 'instance.failed', 'instance.delete-requested', 'instance.deleted'];
const ACTS: Record<string, string> = {
  'instance.reconcile-requested': 'retry',
  'instance.requested': 'act-for-team',
  'instance.updated': 'act-for-team',
  'instance.delete-requested': 'act-for-team',
  'credentials.rotation-requested': 'act-for-team',
};
const OUTCOME_COLUMN: Record<string, 'ready_at' | 'failed_at' | 'delete_requested_at' | 'deleted_at'> = {
  'instance.ready': 'ready_at',
  'instance.failed': 'failed_at',
  'instance.delete-requested': 'delete_requested_at',
  'instance.deleted': 'deleted_at',
};

interface EventRow {
  seq: number;
  at: string;
  kind: string;
  team_id: string | null;
  instance_id: string | null;
  actor: string | null;
  data: string;
}

interface RequestRow {
  instance_id: string;
  team_id: string;
  product: string;
  product_version: string;
  service_id: string | null;
  parent_id: string | null;
  requested_at: number;
  ready_at: number | null;
  failed_at: number | null;
  delete_requested_at: number | null;
  deleted_at: number | null;
  name: string;
}

export async function backfillMeasures(db: Kysely<any>): Promise<void> {
  const requests = await requestsFromEvents(db);
  await insertBatches(db, 'instance_requests', [...requests.values()].map(({ name: _name, ...row }) => row));
  await insertBatches(db, 'interventions', await interventionsFromEvents(db, requests));
  const services = await db.selectFrom('services').select(['id', 'team_id', 'created_at']).execute();
  await insertBatches(db, 'service_lifetimes', services.map((s) => ({ service_id: s.id, team_id: s.team_id, created_at: Date.parse(s.created_at), deleted_at: null })));
}

async function* eventPages(db: Kysely<any>, kinds: string[]): AsyncGenerator<EventRow[]> {
  let after = 0;
  for (;;) {
    const rows = (await db.selectFrom('events').select(['seq', 'at', 'kind', 'team_id', 'instance_id', 'actor', 'data'])
      .where('kind', 'in', kinds).where('seq', '>', after).orderBy('seq').limit(PAGE).execute()) as EventRow[];
    if (rows.length === 0) return;
    yield rows;
    after = Number(rows[rows.length - 1]!.seq);
  }
}

async function requestsFromEvents(db: Kysely<any>): Promise<Map<string, RequestRow>> {
  const live = new Map<string, { service_id: string | null; parent_id: string | null }>();
  for (const row of await db.selectFrom('instances').select(['id', 'service_id', 'parent_id']).execute()) live.set(row.id, row);
  const requests = new Map<string, RequestRow>();
  for await (const page of eventPages(db, INSTANCE_KINDS)) {
    for (const event of page) {
      if (event.instance_id === null) continue;
      const at = Date.parse(event.at);
      if (event.kind === 'instance.requested' && event.team_id !== null) {
        const data = JSON.parse(event.data) as { name?: string; product?: string; version?: string };
        const now = live.get(event.instance_id);
        if (typeof data.product !== 'string' || typeof data.version !== 'string') continue;
        requests.set(event.instance_id, {
          instance_id: event.instance_id, team_id: event.team_id, product: data.product, product_version: data.version,
          service_id: now?.service_id ?? null, parent_id: now?.parent_id ?? null, requested_at: at,
          ready_at: null, failed_at: null, delete_requested_at: null, deleted_at: null, name: data.name ?? event.instance_id,
        });
        continue;
      }
      const request = requests.get(event.instance_id);
      const column = OUTCOME_COLUMN[event.kind];
      if (request && column && request[column] === null) request[column] = at;
    }
  }
  return requests;
}

async function interventionsFromEvents(db: Kysely<any>, requests: Map<string, RequestRow>): Promise<Record<string, unknown>[]> {
  const users = new Map<string, string>();
  for (const user of await db.selectFrom('users').select(['id', 'name']).execute()) users.set(user.name, user.id);
  const members = new Set<string>();
  for (const m of await db.selectFrom('memberships').select(['team_id', 'user_id']).execute()) members.add(`${m.team_id}|${m.user_id}`);
  const last = new Map<string, number>();
  const rows: Record<string, unknown>[] = [];
  for await (const page of eventPages(db, Object.keys(ACTS))) {
    for (const event of page) {
      const userId = event.actor === null ? undefined : users.get(event.actor);
      const own = event.instance_id === null ? undefined : requests.get(event.instance_id);
      if (userId === undefined || own === undefined || members.has(`${own.team_id}|${userId}`)) continue;
      if (event.kind === 'instance.requested' && own.parent_id !== null) continue;
      const request = own.parent_id === null ? own : requests.get(own.parent_id);
      if (request === undefined) continue;
      const at = Date.parse(event.at);
      const kind = ACTS[event.kind]!;
      const key = `${request.instance_id}|${kind}|${event.actor}`;
      const previous = last.get(key);
      if (previous !== undefined && at - previous < REPEAT_WINDOW_MS) continue;
      last.set(key, at);
      rows.push({
        id: randomUUID(), at, team_id: request.team_id, product: request.product, instance_id: request.instance_id,
        instance_name: request.name, kind, actor: event.actor, note: '',
      });
    }
  }
  return rows;
}

async function insertBatches(db: Kysely<any>, table: string, rows: Record<string, unknown>[]): Promise<void> {
  for (let i = 0; i < rows.length; i += BATCH) await db.insertInto(table).values(rows.slice(i, i + BATCH)).execute();
}
