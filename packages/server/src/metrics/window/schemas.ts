import { Type } from '#typebox';

/** Query parameters the measures share (docs/metrics/README.md#words). */
export const Since = Type.Optional(Type.String({ maxLength: 64, description: 'Requests made since: a duration back from now (7d, 12h) or an ISO 8601 time. Default 30d' }));
export const Weeks = Type.Optional(Type.Integer({ minimum: 1, maximum: 104, description: 'How many weeks, the current one last. Default 12' }));
export const WeekLabel = Type.String({ description: 'The Monday (UTC) the week starts on, YYYY-MM-DD', examples: ['2026-01-05'] });
export const Ms = Type.Integer({ minimum: 0, description: 'Milliseconds' });
export const Share = Type.Number({ minimum: 0, maximum: 1 });

export const Onboarding = Type.Object({
  teams: Type.Integer({ description: 'Teams that have a first Ready instance' }),
  p50Ms: Type.Optional(Ms),
  p95Ms: Type.Optional(Ms),
}, { description: "From a team's creation to its first instance that reached Ready" });
