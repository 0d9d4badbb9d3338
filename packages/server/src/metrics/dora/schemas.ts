import { Type } from '#typebox';
import { Name } from '../../http/schemas.js';

const Level = Type.Union([Type.Literal('elite'), Type.Literal('high'), Type.Literal('medium'), Type.Literal('low')]);
const MaybeLevel = Type.Union([Level, Type.Null()]);
const MaybeNumber = Type.Union([Type.Number(), Type.Null()]);
const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD, included whole', examples: ['2025-03-03'] });

export const DoraQuery = Type.Object({
  from: Day,
  to: Day,
  team: Type.Optional(Name),
  service: Type.Optional(Name),
}, { additionalProperties: false });

const DeploymentRef = Type.Object({ service: Type.String(), id: Type.String(), environment: Type.String(), finishedAt: Type.String() });
const IncidentRef = Type.Object({ service: Type.String(), id: Type.String(), createdAt: Type.String() });

export const DoraMetrics = Type.Object({
  scope: Type.Object({
    kind: Type.Union([Type.Literal('service'), Type.Literal('team'), Type.Literal('organisation'), Type.Literal('your-teams')]),
    team: Type.Optional(Type.String()),
    service: Type.Optional(Type.String()),
    services: Type.Array(Type.String()),
  }),
  window: Type.Object({ from: Type.String(), to: Type.String(), timeZone: Type.String(), days: Type.Integer(), weeks: Type.Integer(), months: Type.Integer() }),
  benchmark: Type.String(),
  deployments: Type.Integer({ description: 'Successful production deployments that finished in the window' }),
  deploymentFrequency: Type.Object({
    deploymentDays: Type.Integer(),
    medianDeploymentDaysPerWeek: Type.Integer(),
    medianDeploymentDaysPerMonth: Type.Integer(),
    level: Level,
  }),
  leadTime: Type.Object({ changes: Type.Integer(), medianMinutes: MaybeNumber, level: MaybeLevel }),
  changeFailureRate: Type.Object({ failed: Type.Integer(), deployments: Type.Integer(), rate: MaybeNumber, level: MaybeLevel }),
  failedDeploymentRecoveryTime: Type.Object({ incidents: Type.Integer(), medianMinutes: MaybeNumber, level: MaybeLevel }),
  reworkRate: Type.Object({ reworked: Type.Integer(), deployments: Type.Integer(), rate: MaybeNumber, level: Type.Null({ description: 'DORA publishes no levels for rework rate' }) }),
  dataQuality: Type.Object({
    deploymentsWithoutChanges: Type.Object({ count: Type.Integer(), examples: Type.Array(DeploymentRef) }),
    incidentsWithoutDeployment: Type.Object({ count: Type.Integer(), examples: Type.Array(IncidentRef) }),
    incidentsWithoutService: Type.Optional(Type.Object({ count: Type.Integer() })),
    unclaimedRepositories: Type.Optional(Type.Array(Type.Object({ repository: Type.String(), deployments: Type.Integer(), changes: Type.Integer(), incidents: Type.Integer() }))),
    problems: Type.Array(Type.String()),
  }),
}, { title: 'DoraMetrics' });
