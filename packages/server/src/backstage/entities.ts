import type { BackstageEntity } from '@paved/model';
import { formatEntityRef, isBackstageName, type EntityRef } from './refs.js';

/**
 * Reading untrusted entities: the import body is whatever a catalog-info.yaml held, so every
 * field is checked for its type before use and nothing here throws.
 */

export const PAVED_ANNOTATIONS = {
  team: 'paved.dev/team',
  service: 'paved.dev/service',
  instance: 'paved.dev/instance',
  product: 'paved.dev/product',
  phase: 'paved.dev/phase',
  environment: 'paved.dev/environment',
} as const;

export const SOURCE_LOCATION = 'backstage.io/source-location';

/**
 * The Component type the export writes for a service that has none (one made with `paved
 * services create`): Backstage requires `spec.type`. The import reads it back as no change.
 */
export const DEFAULT_COMPONENT_TYPE = 'service';
export const GITHUB_SLUG = 'github.com/project-slug';

export type CheckedEntity = { ok: true; entity: BackstageEntity; ref: EntityRef; label: string } | { ok: false; label: string; reason: string };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The envelope Backstage requires of every entity: apiVersion backstage.io/*, kind, metadata.name. */
export function checkEntity(raw: unknown, index: number): CheckedEntity {
  const fallback = `entity #${index + 1}`;
  if (!isObject(raw)) return { ok: false, label: fallback, reason: 'is not an object' };
  const metadata = isObject(raw.metadata) ? raw.metadata : undefined;
  const kind = typeof raw.kind === 'string' ? raw.kind : undefined;
  const name = typeof metadata?.name === 'string' ? metadata.name : undefined;
  const namespace = typeof metadata?.namespace === 'string' && metadata.namespace !== '' ? metadata.namespace.toLowerCase() : 'default';
  const label = kind && name ? formatEntityRef({ kind, namespace, name }) : fallback;
  if (typeof raw.apiVersion !== 'string' || !raw.apiVersion.startsWith('backstage.io/')) {
    return { ok: false, label, reason: 'apiVersion must be backstage.io/v1alpha1 (or another backstage.io/ version)' };
  }
  if (!kind) return { ok: false, label, reason: 'kind is required' };
  if (!name) return { ok: false, label, reason: 'metadata.name is required' };
  if (!isBackstageName(name)) return { ok: false, label, reason: `metadata.name "${name}" is not a valid Backstage name` };
  if (raw.spec !== undefined && !isObject(raw.spec)) return { ok: false, label, reason: 'spec must be an object' };
  return { ok: true, entity: raw as BackstageEntity, ref: { kind: kind.toLowerCase(), namespace, name }, label };
}

export function specOf(entity: BackstageEntity): Record<string, unknown> {
  return entity.spec ?? {};
}

export function stringField(object: Record<string, unknown> | undefined, key: string): string | undefined {
  const value = object?.[key];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** A list of strings (refs); anything that is not a string is dropped. */
export function stringList(object: Record<string, unknown> | undefined, key: string): string[] {
  const value = object?.[key];
  if (!Array.isArray(value)) return [];
  return value.filter((v): v is string => typeof v === 'string' && v.trim() !== '').map((v) => v.trim());
}

export function annotation(entity: BackstageEntity, key: string): string | undefined {
  const annotations = entity.metadata.annotations;
  return isObject(annotations) ? stringField(annotations, key) : undefined;
}

export function displayTitle(entity: BackstageEntity): string | undefined {
  const profile = specOf(entity).profile;
  return stringField(isObject(profile) ? profile : undefined, 'displayName') ?? stringField(entity.metadata, 'title');
}

/**
 * The repository URL of a component: `github.com/project-slug` (org/repo) or
 * `backstage.io/source-location` (`url:https://…`; other location types are not URLs).
 */
export function repositoryUrlOf(entity: BackstageEntity): string | undefined {
  const slug = annotation(entity, GITHUB_SLUG);
  if (slug && /^[\w.-]+\/[\w.-]+$/.test(slug)) return `https://github.com/${slug}`;
  const location = annotation(entity, SOURCE_LOCATION);
  if (location?.startsWith('url:')) {
    const url = location.slice('url:'.length);
    if (/^https?:\/\//.test(url)) return url;
  }
  return undefined;
}
