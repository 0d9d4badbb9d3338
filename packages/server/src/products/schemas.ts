import { Type } from '#typebox';
import { Name, Timestamp } from '../http/schemas.js';

export const Lifecycle = Type.Union([Type.Literal('experimental'), Type.Literal('beta'), Type.Literal('ga'), Type.Literal('deprecated')]);

/**
 * A product manifest (`kind: Product`). Only its outline is checked here; the full manifest is
 * validated by @paved/model's parser, whose errors name fields as `spec.driver` etc.
 */
export const ProductManifest = Type.Object({
  apiVersion: Type.String(),
  kind: Type.String(),
  metadata: Type.Object({}, { additionalProperties: true }),
  spec: Type.Object({}, { additionalProperties: true }),
}, { additionalProperties: true, title: 'ProductManifest' });

export const ProductVersion = Type.Object({
  name: Type.String(),
  version: Type.String(),
  manifest: ProductManifest,
  digest: Type.String({ description: 'sha256 of the canonical JSON of the manifest' }),
  publishedAt: Timestamp,
}, { title: 'ProductVersion' });

const summaryFields = {
  name: Type.String(),
  title: Type.String(),
  owner: Type.String(),
  lifecycle: Lifecycle,
  latestVersion: Type.String(),
  description: Type.String(),
  driver: Type.String(),
  plans: Type.Array(Type.String()),
  tags: Type.Array(Type.String(), { description: "The manifest's metadata.tags" }),
};

export const ProductSummary = Type.Object({
  ...summaryFields,
  deprecation: Type.Optional(Type.Object({
    date: Type.String({ description: 'YYYY-MM-DD: the last day new instances may be created' }),
    reason: Type.String(),
  }, { description: 'Set when the whole product is deprecated' })),
  deprecatedVersions: Type.Optional(Type.Array(Type.Object({ version: Type.String(), date: Type.String() }), {
    description: 'Its versions deprecated one by one (absent when none is)',
  })),
}, { title: 'ProductSummary' });

export const ProductDetail = Type.Object({
  ...summaryFields,
  manifest: ProductManifest,
  versions: Type.Array(Type.String()),
}, { title: 'ProductDetail' });

export const PublishResult = Type.Object({
  result: Type.Union([Type.Literal('created'), Type.Literal('unchanged')]),
  product: ProductVersion,
});

export const ProductParams = Type.Object({ product: Type.String({ minLength: 1, maxLength: 40 }) });
export const ProductVersionParams = Type.Object({
  product: Type.String({ minLength: 1, maxLength: 40 }),
  version: Type.String({ minLength: 1, maxLength: 100 }),
});

export const TransferProductRequest = Type.Object({ owner: Name }, { additionalProperties: false });

export const ProductInstance = Type.Object({
  team: Type.String(),
  name: Type.String(),
  version: Type.String(),
  plan: Type.String(),
  phase: Type.String(),
  reason: Type.Optional(Type.String({ description: "The Ready condition's reason" })),
  message: Type.Optional(Type.String({ description: "The Ready condition's message" })),
  createdAt: Timestamp,
  updatedAt: Timestamp,
}, { title: 'ProductInstance', description: 'An instance as its product\'s owner team sees it across teams: health only' });
