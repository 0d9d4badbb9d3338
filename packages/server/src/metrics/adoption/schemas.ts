import { Type } from '#typebox';
import { Name } from '../../http/schemas.js';
import { Onboarding, Share, WeekLabel, Weeks } from '../window/schemas.js';

export const AdoptionQuery = Type.Object({
  team: Type.Optional(Name),
  weeks: Weeks,
}, { additionalProperties: false });

export const AdoptionMeasures = Type.Object({
  team: Type.Optional(Type.String()),
  weeks: Type.Array(Type.Object({
    week: WeekLabel,
    services: Type.Integer({ description: 'Catalogued services at the end of the week (now, for the current one)' }),
    adopted: Type.Integer({ description: 'Of those, services with a live instance from Paved then' }),
    share: Type.Optional(Share),
  }), { description: 'Oldest first; the last is the current week' }),
  teamOnboarding: Onboarding,
}, { $id: 'AdoptionMeasures', title: 'AdoptionMeasures' });
