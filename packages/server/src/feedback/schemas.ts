import { Type } from '#typebox';
import { Name } from '../http/schemas.js';
import { WeekLabel, Weeks } from '../metrics/window/schemas.js';

export const ProductParams = Type.Object({ product: Name });

/** Free text a person writes: at least one visible character. */
const Text = (description: string) => Type.String({ minLength: 1, maxLength: 2000, pattern: '\\S', description });

export const FeedbackRequest = Type.Object({
  score: Type.Integer({ minimum: 1, maximum: 5, description: '1 (poor) to 5 (excellent)' }),
  comment: Type.Optional(Type.String({ maxLength: 2000 })),
  instance: Type.Optional(Type.Object({ team: Name, name: Name }, { additionalProperties: false, description: 'The instance the feedback is about; at most one feedback per person and instance' })),
}, { additionalProperties: false });

export const FeedbackReceipt = Type.Object({
  id: Type.String(),
  product: Type.String(),
  version: Type.Optional(Type.String()),
  score: Type.Integer(),
  at: Type.String(),
});

export const FeedbackQuery = Type.Object({
  weeks: Weeks,
  cursor: Type.Optional(Type.String({ maxLength: 512 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: 'Comments per page. Default 50' })),
}, { additionalProperties: false });

const Count = Type.Integer({ minimum: 0 });

export const ProductFeedback = Type.Object({
  product: Type.String(),
  weeks: Type.Array(Type.Object({
    week: WeekLabel,
    responses: Count,
    averageScore: Type.Optional(Type.Number({ minimum: 1, maximum: 5 })),
    scores: Type.Object({ 1: Count, 2: Count, 3: Count, 4: Count, 5: Count }),
  }), { description: 'Oldest first; the last is the current week' }),
  comments: Type.Array(Type.Object({
    id: Type.String(),
    at: Type.String(),
    version: Type.Optional(Type.String()),
    team: Type.Optional(Type.String({ description: 'The team of the instance it was about; the person is not shown' })),
    score: Type.Integer(),
    comment: Type.String(),
  }), { description: 'Newest first' }),
  nextCursor: Type.Optional(Type.String({ description: 'Pass as `cursor` for older comments' })),
}, { $id: 'ProductFeedback', title: 'ProductFeedback' });

export const HelpRequestInput = Type.Object({ message: Text('What you need help with') }, { additionalProperties: false });

const HelpRequestFields = {
  id: Type.String(),
  at: Type.String(),
  team: Type.String(),
  instance: Type.String(),
  product: Type.String(),
  actor: Type.Optional(Type.String()),
  message: Type.String(),
};

export const HelpRequest = Type.Object(HelpRequestFields, { $id: 'HelpRequest', title: 'HelpRequest' });
export const HelpReceipt = Type.Object({
  ...HelpRequestFields,
  owner: Type.String({ description: "The product's owner team, who sees the request" }),
  support: Type.Optional(Type.String({ description: "The product's support channel or URL" })),
});
