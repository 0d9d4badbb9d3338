import { Type } from '#typebox';

/** Backstage import/export (docs/backstage.md). Entities stay open objects: Backstage's own schema is extensible. */

const Entity = Type.Object({
  apiVersion: Type.String(),
  kind: Type.String(),
  metadata: Type.Object({ name: Type.String() }, { additionalProperties: true }),
  spec: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
}, { additionalProperties: true, title: 'BackstageEntity' });

/** One request's entities; the CLI sends larger catalogs in batches (docs/backstage.md). */
export const IMPORT_MAX_ENTITIES = 5000;
export const IMPORT_MAX_CONTEXT = 100_000;
/** A batch of 5,000 entities plus the organisation as context is far above Paved's default 1 MiB body. */
export const IMPORT_BODY_LIMIT = 64 * 1024 * 1024;

export const BackstageImportRequest = Type.Object({
  entities: Type.Array(Type.Record(Type.String(), Type.Unknown()), {
    maxItems: IMPORT_MAX_ENTITIES, description: 'Entities as parsed from catalog-info.yaml files; each is checked and skipped with a reason when it cannot be imported',
  }),
  context: Type.Optional(Type.Array(Type.Record(Type.String(), Type.Unknown()), {
    maxItems: IMPORT_MAX_CONTEXT,
    description: 'Entities of the same import sent in other requests (Groups, Users, Systems): they resolve owners, systems and memberships and are not imported by this request',
  })),
  dryRun: Type.Optional(Type.Boolean({ description: 'Report what would change and change nothing' })),
}, { additionalProperties: false });

const Names = Type.Array(Type.String());
const Counts = Type.Object({ teams: Names, users: Names, memberships: Type.Array(Type.String({ description: 'team/user' })), services: Names });

export const BackstageImportSummary = Type.Object({
  dryRun: Type.Boolean(),
  created: Counts,
  updated: Counts,
  unchanged: Counts,
  skipped: Type.Array(Type.Object({ entity: Type.String(), reason: Type.String() })),
  renamed: Type.Array(Type.Object({ entity: Type.String(), from: Type.String(), to: Type.String() })),
  notes: Type.Array(Type.Object({ entity: Type.String(), message: Type.String() })),
  suggestions: Type.Array(Type.Object({ entity: Type.String(), product: Type.String(), team: Type.String() })),
  dependencies: Type.Array(Type.Object({ from: Type.String(), to: Type.String() })),
  ownersMapped: Type.Array(Type.Object({ entity: Type.String(), user: Type.String(), team: Type.String() })),
}, { title: 'BackstageImportSummary' });

export const BackstageExport = Type.Object({ entities: Type.Array(Entity) }, { title: 'BackstageExport' });
