import { Type, type TSchema } from '#typebox';
import { NAME_MAX_LENGTH, NAME_PATTERN } from '@paved/model';

/** A user-chosen name (team, instance, product, plan, user): a DNS label, see @paved/model names.ts. */
export const Name = Type.String({ minLength: 1, maxLength: NAME_MAX_LENGTH, pattern: NAME_PATTERN, examples: ['orders-db'] });

export const Timestamp = Type.String({ description: 'ISO 8601 date-time' });

export const StringMap = Type.Record(Type.String(), Type.String());
export const AnyMap = Type.Record(Type.String(), Type.Unknown());

/** RFC 9457 problem details, as every error is sent (content type application/problem+json). */
export const Problem = Type.Object({
  type: Type.String({ description: 'https://paved.dev/problems/<code>' }),
  title: Type.String(),
  status: Type.Integer(),
  detail: Type.String(),
  code: Type.String({ description: 'Stable machine code, listed in docs/errors.md' }),
  instance: Type.Optional(Type.String({ description: 'The request path' })),
  errors: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
}, { $id: 'Problem', title: 'Problem' });

const problemContent = { content: { 'application/problem+json': { schema: Problem } } };

/** The error responses every route may give, for the OpenAPI document and the serializer. */
export const problemResponses = {
  '4xx': { description: 'The request cannot be served as sent (see code)', ...problemContent },
  '5xx': { description: 'Paved or a service it depends on failed', ...problemContent },
};

export function page<T extends TSchema>(item: T) {
  return Type.Object({
    items: Type.Array(item),
    nextCursor: Type.Optional(Type.String({ description: 'Pass as `cursor` for the next page; absent on the last page' })),
  });
}

export const PageQuery = Type.Object({
  cursor: Type.Optional(Type.String({ maxLength: 512 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: 'Default 50' })),
}, { additionalProperties: false });

export const TeamParams = Type.Object({ team: Name });
export const InstanceParams = Type.Object({ team: Name, instance: Name });
