import { Type } from '#typebox';
import { SEMVER_PATTERN } from '@paved/model';
import { Timestamp } from '../http/schemas.js';

export { ProductParams, ProductVersionParams } from '../products/schemas.js';
export const RoadmapItemParams = Type.Object({
  product: Type.String({ minLength: 1, maxLength: 40 }),
  item: Type.Integer({ minimum: 1 }),
});
export const ProductRequestParams = Type.Object({
  product: Type.String({ minLength: 1, maxLength: 40 }),
  request: Type.Integer({ minimum: 1 }),
});

export const DiffQuery = Type.Object({
  from: Type.String({ minLength: 1, maxLength: 100, description: 'The older version' }),
  to: Type.String({ minLength: 1, maxLength: 100, description: 'The newer version' }),
}, { additionalProperties: false });

const VersionChange = Type.Object({
  path: Type.String({ description: 'Where in the spec: outputs.password, inputs.properties.size.maximum' }),
  breaking: Type.Boolean(),
  message: Type.String({ description: 'What changed: removed, lowered from 100 to 50' }),
}, { title: 'VersionChange' });

export const VersionDiff = Type.Object({
  product: Type.String(),
  from: Type.String(),
  to: Type.String(),
  breaking: Type.Array(VersionChange, { description: 'Changes that need a new major version' }),
  nonBreaking: Type.Array(VersionChange),
}, { title: 'VersionDiff' });

export const ChangelogEntry = Type.Object({
  version: Type.String(),
  publishedAt: Timestamp,
  changelog: Type.Optional(Type.String({ description: "The version's spec.changelog" })),
}, { title: 'ChangelogEntry' });

const DeprecationDate = Type.String({ minLength: 10, maxLength: 10, pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD (UTC): the last day new instances may be created' });

export const DeprecateRequest = Type.Object({
  date: DeprecationDate,
  reason: Type.String({ minLength: 1, maxLength: 500 }),
}, { additionalProperties: false });

export const Deprecation = Type.Object({
  product: Type.String(),
  version: Type.Optional(Type.String({ description: 'Absent: the whole product is deprecated' })),
  date: Type.String(),
  reason: Type.String(),
  by: Type.String(),
  at: Timestamp,
}, { title: 'Deprecation' });

/** What an instance on a deprecated version carries (instances/schemas.ts uses it). */
export const InstanceDeprecation = Type.Object({
  version: Type.Optional(Type.String({ description: 'The deprecated version; absent when the whole product is deprecated' })),
  date: Type.String(),
  reason: Type.String(),
  pastDate: Type.Boolean({ description: 'True from the day after the date: new instances of it are refused' }),
  upgradeTo: Type.Optional(Type.String({ description: 'The newest version that is not deprecated' })),
  upgradeCommand: Type.Optional(Type.String({ description: 'The command that moves the instance there' })),
}, { title: 'InstanceDeprecation', description: 'Set when the instance is on a deprecated version or product' });

export const DeprecatedUse = Type.Object({
  team: Type.String(),
  instances: Type.Integer(),
  versions: Type.Array(Type.String(), { description: 'The deprecated versions its instances are on' }),
  date: Type.String({ description: 'The earliest deprecation date among them' }),
}, { title: 'DeprecatedUse' });

const RoadmapStatus = Type.Union([Type.Literal('planned'), Type.Literal('in-progress'), Type.Literal('shipped')]);
const TargetVersion = Type.String({ pattern: SEMVER_PATTERN, maxLength: 100, description: 'The version it is planned for' });

export const RoadmapItem = Type.Object({
  id: Type.Integer(),
  product: Type.String(),
  title: Type.String(),
  status: RoadmapStatus,
  targetVersion: Type.Optional(Type.String()),
  createdAt: Timestamp,
  updatedAt: Timestamp,
}, { title: 'RoadmapItem' });

export const RoadmapItemRequest = Type.Object({
  title: Type.String({ minLength: 1, maxLength: 200 }),
  status: Type.Optional(RoadmapStatus),
  targetVersion: Type.Optional(TargetVersion),
}, { additionalProperties: false });

export const RoadmapItemChange = Type.Object({
  title: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  status: Type.Optional(RoadmapStatus),
  targetVersion: Type.Optional(Type.Union([TargetVersion, Type.Null()], { description: 'null clears it' })),
}, { additionalProperties: false, minProperties: 1 });

export const ProductRequest = Type.Object({
  id: Type.Integer(),
  product: Type.String(),
  text: Type.String(),
  author: Type.String(),
  votes: Type.Integer(),
  createdAt: Timestamp,
}, { title: 'ProductRequest' });

export const ProductRequestInput = Type.Object({
  text: Type.String({ minLength: 1, maxLength: 1000 }),
}, { additionalProperties: false });

export const List = <T extends ReturnType<typeof Type.Object>>(item: T) => Type.Object({ items: Type.Array(item) });
