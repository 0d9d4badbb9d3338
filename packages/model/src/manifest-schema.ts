import { NAME_PATTERN } from './names.js';
import { SEMVER_PATTERN } from './semver.js';
import { LIFECYCLES } from './types.js';

/** The only apiVersion this build understands; a new one means a conversion, not an edit. */
export const PRODUCT_API_VERSION = 'paved.dev/v1alpha1';

/** Output names end up as environment variable suffixes and Score placeholders: keep them plain. */
export const OUTPUT_NAME_PATTERN = '^[a-z][a-zA-Z0-9_]{0,62}$';
export const TAG_PATTERN = '^[a-z0-9][a-z0-9-]{0,39}$';
/** A Score resource type: lowercase words joined by "-" (Score types such as kafka-topic, service-port). */
export const SCORE_TYPE_PATTERN = '^[a-z0-9][a-z0-9-]{0,62}$';
/** A duration such as 500ms, 5s, 2m or 1h. */
export const DURATION_PATTERN = '^[0-9]+(ms|s|m|h)$';

const name = { type: 'string', pattern: NAME_PATTERN };

/**
 * JSON Schema (draft 2020-12, the dialect Ajv2020 implements) of a `kind: Product` manifest.
 * Structure only: rules that span fields (one default plan, `spec.inputs` being a schema that
 * compiles) are checked in manifest-parse.ts. schemas/product.schema.json is this object,
 * written out for editors; a test fails when the two differ.
 */
export const productManifestSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://paved.dev/schemas/product.schema.json',
  title: 'Paved product manifest',
  description: 'An infrastructure offering that developer teams take instances of by self-service. See docs/product-manifest.md.',
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  additionalProperties: false,
  properties: {
    apiVersion: { const: PRODUCT_API_VERSION },
    kind: { const: 'Product' },
    metadata: {
      type: 'object',
      required: ['name', 'title', 'owner', 'lifecycle'],
      additionalProperties: false,
      properties: {
        name: { ...name, description: 'The product name requesters use (paved create <name>). Never changes.' },
        title: { type: 'string', minLength: 1, maxLength: 100 },
        owner: { ...name, description: 'The platform team that owns the product.' },
        lifecycle: { enum: [...LIFECYCLES] },
        tags: { type: 'array', uniqueItems: true, items: { type: 'string', pattern: TAG_PATTERN } },
      },
    },
    spec: {
      type: 'object',
      required: ['version', 'description', 'driver', 'inputs', 'plans', 'outputs'],
      additionalProperties: false,
      properties: {
        version: { type: 'string', pattern: SEMVER_PATTERN, description: 'Semantic version; a published version never changes.' },
        description: { type: 'string', minLength: 1 },
        changelog: {
          type: 'string',
          minLength: 1,
          maxLength: 10000,
          description: 'What changed in this version, for the people who use the product (Markdown). Published with the version; paved products show lists it per version.',
        },
        docs: { type: 'string', minLength: 1, description: 'Path (relative to the manifest) or URL of the product documentation.' },
        support: {
          type: 'object',
          additionalProperties: false,
          properties: {
            channel: { type: 'string', minLength: 1 },
            url: { type: 'string', format: 'uri' },
          },
        },
        driver: { ...name, description: 'The driver that provisions instances (postgres, secret, ...).' },
        targets: {
          type: 'object',
          additionalProperties: false,
          properties: {
            selector: { type: 'object', additionalProperties: { type: 'string' } },
          },
        },
        inputs: {
          type: 'object',
          required: ['type'],
          properties: { type: { const: 'object' } },
          description: 'JSON Schema (draft 2020-12) of what a requester may set.',
        },
        plans: {
          type: 'object',
          minProperties: 1,
          propertyNames: { pattern: NAME_PATTERN },
          additionalProperties: {
            type: 'object',
            additionalProperties: false,
            properties: {
              default: { type: 'boolean' },
              description: { type: 'string' },
              values: { type: 'object', description: 'Driver settings; they override the requester\'s inputs.' },
              quota: {
                type: 'object',
                additionalProperties: false,
                properties: { perTeam: { type: 'integer', minimum: 1 } },
              },
              rotation: {
                type: 'object',
                additionalProperties: false,
                description: 'Credential rotation (paved rotate): how long the previous credential keeps working.',
                properties: { gracePeriod: { type: 'string', pattern: DURATION_PATTERN } },
              },
            },
          },
        },
        outputs: {
          type: 'object',
          propertyNames: { pattern: OUTPUT_NAME_PATTERN },
          additionalProperties: {
            type: 'object',
            additionalProperties: false,
            properties: {
              description: { type: 'string' },
              secret: { type: 'boolean' },
              from: {
                type: 'string',
                description: 'Composite products: the part output this one is taken from, as "<part>.<output>".',
              },
            },
          },
        },
        slo: {
          type: 'object',
          additionalProperties: false,
          properties: {
            timeToReady: {
              type: 'object',
              additionalProperties: false,
              properties: { p95: { type: 'string', pattern: DURATION_PATTERN } },
            },
          },
        },
        drift: { enum: ['repair', 'report'] },
        bakedIn: {
          type: 'boolean',
          description: 'Every service gets an instance of this product in every environment without asking for it.',
        },
        score: {
          type: 'object',
          additionalProperties: false,
          description: 'How Score workload files use this product (docs/workloads.md#types-a-platform-maps).',
          properties: {
            types: {
              type: 'array',
              uniqueItems: true,
              description: 'Score resource types this product serves, besides its own name (e.g. [mongodb]).',
              items: { type: 'string', pattern: SCORE_TYPE_PATTERN },
            },
            openOutputs: {
              type: 'boolean',
              description: 'Placeholders may name any output, not only those in spec.outputs: the instance has whatever outputs its driver returns (the built-in environment).',
            },
          },
        },
        includes: {
          type: 'array',
          description: 'Composition: the parts (other products) provisioned together as one unit, in dependency order.',
          minItems: 1,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'product'],
            properties: {
              name: { type: 'string', pattern: NAME_PATTERN },
              product: { type: 'string', pattern: NAME_PATTERN },
              version: { type: 'string' },
              plan: { type: 'string', pattern: NAME_PATTERN },
              inputs: { type: 'object' },
              dependsOn: { type: 'array', items: { type: 'string', pattern: NAME_PATTERN }, uniqueItems: true },
            },
          },
        },
        checks: {
          type: 'array',
          description: 'Contract checks the driver runs with the issued credentials before the instance is Ready.',
          items: { type: 'string', pattern: NAME_PATTERN },
          uniqueItems: true,
        },
      },
    },
  },
} as const;
