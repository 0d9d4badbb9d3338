import { Type } from 'typebox';

/** Backstage import/export (docs/backstage.md). Entities stay open objects: Backstage's own schema is extensible. */

const Entity = Type.Object({
  apiVersion: Type.String(),
  kind: Type.String(),
  metadata: Type.Object({ name: Type.String() }, { additionalProperties: true }),
  spec: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
}, { additionalProperties: true, title: 'BackstageEntity' });

export const BackstageImportRequest = Type.Object({
  entities: Type.Array(Type.Record(Type.String(), Type.Unknown()), {
    maxItems: 5000, description: 'Entities as parsed from catalog-info.yaml files; each is checked and skipped with a reason when it cannot be imported',
  }),
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
}, { title: 'BackstageImportSummary' });

export const BackstageExport = Type.Object({ entities: Type.Array(Entity) }, { title: 'BackstageExport' });
