import { Type } from '#typebox';

export const TargetHealth = Type.Object({
  name: Type.String(),
  driver: Type.String(),
  labels: Type.Record(Type.String(), Type.String()),
  concurrency: Type.Optional(Type.Integer({ description: 'How many create/update/delete operations may run on the target at once' })),
  health: Type.Object({
    ok: Type.Boolean({ description: "Whether the driver's preflight passed" }),
    problems: Type.Array(Type.String(), { description: 'One line per problem, with what to fix; never a password' }),
    version: Type.Optional(Type.String({ examples: ['PostgreSQL 16.4'] })),
    warnings: Type.Optional(Type.Array(Type.String(), { description: 'Things that work but deserve attention (ok stays true)' })),
  }),
}, { title: 'TargetHealth', description: "A configured target and its driver's preflight; never the target's config" });
