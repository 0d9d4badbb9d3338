import { Type } from '#typebox';
import { Name } from '../../http/schemas.js';
import { Share, WeekLabel, Weeks } from '../window/schemas.js';

export const InterventionQuery = Type.Object({
  team: Type.Optional(Name),
  product: Type.Optional(Name),
  weeks: Weeks,
}, { additionalProperties: false });

const Kind = Type.Union([Type.Literal('retry'), Type.Literal('act-for-team'), Type.Literal('help'), Type.Literal('manual-fix'), Type.Literal('approval')]);

export const InterventionMeasures = Type.Object({
  team: Type.Optional(Type.String()),
  product: Type.Optional(Type.String()),
  weeks: Type.Array(Type.Object({
    week: WeekLabel,
    interventions: Type.Integer(),
    byKind: Type.Record(Type.String(), Type.Integer(), { description: 'retry, act-for-team, help, manual-fix, approval' }),
    readyRequests: Type.Integer({ description: 'Requests that first reached Ready this week' }),
    readyWithoutIntervention: Type.Integer({ description: 'Of those, requests with no intervention before Ready' }),
    unassistedShare: Type.Optional(Share),
  }), { description: 'Oldest first; the last is the current week' }),
  perTeam: Type.Array(Type.Object({ team: Type.String(), week: WeekLabel, interventions: Type.Integer() }), {
    description: 'Interventions per requesting team and week (weeks without any left out), by week then team',
  }),
}, { $id: 'InterventionMeasures', title: 'InterventionMeasures' });

export const InterventionRequest = Type.Object({
  kind: Type.Union([Type.Literal('manual-fix'), Type.Literal('approval')]),
  note: Type.String({ minLength: 1, maxLength: 2000, description: 'What was done, in a sentence' }),
}, { additionalProperties: false });

export const RecordedIntervention = Type.Object({
  id: Type.String(),
  at: Type.String(),
  team: Type.String(),
  instance: Type.String(),
  product: Type.String(),
  kind: Kind,
  actor: Type.Optional(Type.String()),
  note: Type.String(),
}, { $id: 'RecordedIntervention', title: 'RecordedIntervention' });
