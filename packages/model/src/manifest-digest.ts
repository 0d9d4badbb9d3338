import { nodeCrypto } from './lazy-deps.js';
import type { ProductManifest } from './types.js';

/**
 * JSON with object keys sorted at every level, so two manifests that differ only in key order
 * (or YAML formatting) serialise identically. Arrays keep their order: it is meaningful.
 * Like JSON.stringify, properties whose value is undefined are left out.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const child = (value as Record<string, unknown>)[key];
    if (child !== undefined) sorted[key] = sortKeys(child);
  }
  return sorted;
}

/** sha256 (hex) of the manifest's canonical JSON: re-publishing an identical manifest is a no-op. */
export function manifestDigest(manifest: ProductManifest): string {
  return nodeCrypto().createHash('sha256').update(canonicalJson(manifest)).digest('hex');
}
