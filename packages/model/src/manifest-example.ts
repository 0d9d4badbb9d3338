import type { ProductManifest } from './types.js';

/**
 * A valid product manifest like the example of docs/product-manifest.md#example (owned by
 * `data-platform`, at 1.2.0), as a fresh object on every call so tests (here and in other
 * packages) can change it freely.
 */
export function exampleProductManifest(): ProductManifest {
  return {
    apiVersion: 'paved.dev/v1alpha1',
    kind: 'Product',
    metadata: { name: 'postgres', title: 'PostgreSQL database', owner: 'data-platform', lifecycle: 'ga', tags: ['database', 'sql'] },
    spec: {
      version: '1.2.0',
      description: 'A PostgreSQL database with its own login role.',
      docs: './postgres.md',
      support: { channel: '#data-platform' },
      driver: 'postgres',
      targets: { selector: { tier: 'shared' } },
      inputs: {
        type: 'object',
        properties: { extensions: { type: 'array', items: { enum: ['citext', 'pgcrypto'] }, default: [] } },
        additionalProperties: false,
      },
      plans: {
        small: { default: true, values: { connectionLimit: 20 }, quota: { perTeam: 10 } },
        large: { values: { connectionLimit: 200 }, quota: { perTeam: 2 } },
      },
      outputs: { host: {}, port: {}, database: {}, username: {}, password: { secret: true }, url: { secret: true } },
      slo: { timeToReady: { p95: '5s' } },
      drift: 'repair',
    },
  };
}
