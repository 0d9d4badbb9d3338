import { Type } from '#typebox';
import { Name } from '../../http/schemas.js';
import { Ms, Onboarding, Since } from '../window/schemas.js';
import { DeprecatedUse } from '../../product-evolution/schemas.js';

export const ProductMeasuresQuery = Type.Object({ since: Since }, { additionalProperties: false });
export const ProductParams = Type.Object({ product: Name });

export const RequestOutcomes = Type.Object({
  requested: Type.Integer(),
  ready: Type.Integer({ description: 'Reached Ready before failing and before a deletion was asked for' }),
  failed: Type.Integer({ description: 'Entered Failed before reaching Ready' }),
  abandoned: Type.Integer({ description: 'Deleted before reaching Ready or Failed' }),
  pending: Type.Integer({ description: 'None of these yet' }),
  successRate: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'ready / (ready + failed + abandoned)' })),
});

export const TimeToReady = Type.Object({
  count: Type.Integer({ description: 'Requests that reached Ready, which the percentiles are over' }),
  p50Ms: Type.Optional(Ms),
  p95Ms: Type.Optional(Ms),
  slo: Type.Optional(Type.Object({
    p95Ms: Ms,
    met: Type.Optional(Type.Boolean({ description: 'p95Ms <= slo.p95Ms; absent without Ready requests' })),
  }, { description: "The product's spec.slo.timeToReady.p95" })),
});

const VersionMeasures = Type.Object({
  version: Type.String(),
  liveInstances: Type.Integer(),
  adoptingTeams: Type.Integer(),
  requests: RequestOutcomes,
  timeToReady: TimeToReady,
});

export const ProductMeasures = Type.Object({
  product: Type.String(),
  owner: Type.String(),
  since: Type.String({ description: 'Start of the window of requests (ISO 8601)' }),
  until: Type.String({ description: 'End of the window: now' }),
  adoptingTeams: Type.Integer({ description: 'Teams with a live instance now' }),
  liveInstances: Type.Integer({ description: 'Instances that exist and are not being deleted, now' }),
  requests: RequestOutcomes,
  timeToReady: TimeToReady,
  teamOnboarding: Onboarding,
  versions: Type.Array(VersionMeasures, { description: 'Newest first; versions with live instances or requests in the window' }),
  deprecatedInstances: Type.Array(DeprecatedUse, { description: 'Per team, live instances on a deprecated version or product, most first' }),
}, { $id: 'ProductMeasures', title: 'ProductMeasures' });

export const ProductMeasuresList = Type.Object({ items: Type.Array(ProductMeasures) });
