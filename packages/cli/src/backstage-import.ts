import type { PavedClient } from '@paved/client';
import type { BackstageImportSummary } from '@paved/model';

/**
 * Imports a catalog of any size in one command: entities go to the server in batches (one
 * request holds at most BATCH_SIZE), and each batch carries the organisation (Groups, Users,
 * Systems) of the other batches as `context`, so owners, systems, memberships and user owners
 * resolve exactly as in one request. Groups go first, then Users, Systems, Components and
 * Resources: the teams exist before anything refers to them, and each membership is created
 * with its user (docs/backstage.md).
 */

/** The server's limit per request: fewer, larger requests import faster (each re-reads the organisation and the services). */
export const BATCH_SIZE = 5000;
const KIND_ORDER = ['group', 'user', 'system', 'domain', 'component', 'resource'];
const CONTEXT_KINDS = new Set(['group', 'user', 'system']);

type Entity = Record<string, unknown>;
export interface Batch { entities: Entity[]; context: Entity[] }

const kindOf = (e: Entity) => (typeof e.kind === 'string' ? e.kind.toLowerCase() : '');
const rank = (e: Entity) => {
  const index = KIND_ORDER.indexOf(kindOf(e));
  return index === -1 ? KIND_ORDER.length : index;
};

/** Only what resolving needs of a context entity: its name and relations, not its profile, links or docs. */
function skeleton(entity: Entity): Entity {
  const metadata = (entity.metadata ?? {}) as Record<string, unknown>;
  const spec = (typeof entity.spec === 'object' && entity.spec !== null ? entity.spec : {}) as Record<string, unknown>;
  const kept: Entity = {};
  for (const key of ['owner', 'memberOf', 'members', 'parent', 'type']) if (spec[key] !== undefined) kept[key] = spec[key];
  return {
    apiVersion: entity.apiVersion, kind: entity.kind,
    metadata: { name: metadata.name, ...(metadata.namespace !== undefined ? { namespace: metadata.namespace } : {}) },
    spec: kept,
  };
}

export function importBatches(entities: readonly Entity[], size = BATCH_SIZE): Batch[] {
  if (entities.length <= size) return [{ entities: [...entities], context: [] }];
  const ordered = entities.map((entity, index) => ({ entity, index })).sort((a, b) => rank(a.entity) - rank(b.entity) || a.index - b.index).map((x) => x.entity);
  const organisation = ordered.filter((e) => CONTEXT_KINDS.has(kindOf(e)));
  const skeletons = new Map(organisation.map((e) => [e, skeleton(e)]));
  const batches: Batch[] = [];
  for (let start = 0; start < ordered.length; start += size) {
    const chunk = ordered.slice(start, start + size);
    const inChunk = new Set(chunk);
    batches.push({ entities: chunk, context: organisation.filter((e) => !inChunk.has(e)).map((e) => skeletons.get(e)!) });
  }
  return batches;
}

export const emptySummary = (dryRun: boolean): BackstageImportSummary => {
  const none = () => ({ teams: [], users: [], memberships: [], services: [] });
  return { dryRun, created: none(), updated: none(), unchanged: none(), skipped: [], renamed: [], notes: [], suggestions: [], dependencies: [], ownersMapped: [] };
};

/** One summary of several batches; a note every batch makes (users have no token) is kept once. */
export function mergeSummaries(into: BackstageImportSummary, next: BackstageImportSummary): BackstageImportSummary {
  for (const part of ['created', 'updated', 'unchanged'] as const) {
    for (const kind of ['teams', 'users', 'memberships', 'services'] as const) into[part][kind].push(...next[part][kind]);
  }
  const notes = new Set(into.notes.map((n) => `${n.entity}\n${n.message}`));
  into.notes.push(...next.notes.filter((n) => !notes.has(`${n.entity}\n${n.message}`)));
  into.skipped.push(...next.skipped);
  into.renamed.push(...next.renamed);
  into.suggestions.push(...next.suggestions);
  into.dependencies.push(...next.dependencies);
  into.ownersMapped.push(...(next.ownersMapped ?? []));
  return into;
}

export interface ImportProgress { done: number; total: number; batch: number; batches: number }

export async function importCatalog(
  client: Pick<PavedClient, 'importBackstage'>, entities: readonly Entity[], options: { dryRun?: boolean; batchSize?: number; onBatch?: (p: ImportProgress) => void } = {},
): Promise<BackstageImportSummary> {
  const batches = importBatches(entities, options.batchSize);
  const summary = emptySummary(options.dryRun ?? false);
  let done = 0;
  for (const [index, batch] of batches.entries()) {
    const result = await client.importBackstage({
      entities: batch.entities, ...(batch.context.length > 0 ? { context: batch.context } : {}), ...(options.dryRun ? { dryRun: true } : {}),
    });
    mergeSummaries(summary, result);
    done += batch.entities.length;
    options.onBatch?.({ done, total: entities.length, batch: index + 1, batches: batches.length });
  }
  return summary;
}
