/**
 * For tests: the fields Backstage's catalog requires of the entities Paved exports (from
 * Backstage's descriptor format: the envelope, and spec of Group, Component and Resource).
 * A plain JSON Schema, so the tests validate with Ajv instead of by eye.
 */
const backstageName = { type: 'string', pattern: '^[A-Za-z0-9]+([-_.][A-Za-z0-9]+)*$', maxLength: 63 };
const entityRef = { type: 'string', pattern: '^[a-z]+:[a-z0-9-]+/[A-Za-z0-9]+([-_.][A-Za-z0-9]+)*$' };

export const backstageEntitySchema = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    apiVersion: { const: 'backstage.io/v1alpha1' },
    kind: { enum: ['Group', 'Component', 'Resource', 'System', 'User'] },
    metadata: {
      type: 'object',
      required: ['name'],
      properties: {
        name: backstageName,
        description: { type: 'string' },
        annotations: { type: 'object', additionalProperties: { type: 'string' }, propertyNames: { pattern: '^([a-z0-9.-]+/)?[A-Za-z0-9]+([-_.][A-Za-z0-9]+)*$' } },
      },
    },
  },
  allOf: [
    {
      if: { properties: { kind: { const: 'Group' } } },
      then: { properties: { spec: { type: 'object', required: ['type', 'children'], properties: { type: { type: 'string', minLength: 1 }, children: { type: 'array', items: { type: 'string' } } } } } },
    },
    {
      if: { properties: { kind: { const: 'Component' } } },
      then: {
        properties: {
          spec: {
            type: 'object', required: ['type', 'lifecycle', 'owner'],
            properties: { type: { type: 'string', minLength: 1 }, lifecycle: { type: 'string', minLength: 1 }, owner: entityRef, system: { type: 'string' }, dependsOn: { type: 'array', items: entityRef } },
          },
        },
      },
    },
    {
      if: { properties: { kind: { const: 'Resource' } } },
      then: { properties: { spec: { type: 'object', required: ['type', 'owner'], properties: { type: { type: 'string', minLength: 1 }, owner: entityRef } } } },
    },
  ],
} as const;
