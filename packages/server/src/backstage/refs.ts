import { NAME_MAX_LENGTH, isValidName } from '@paved/model';

/**
 * Backstage entity references and names, and how they become Paved names.
 * A ref is `[kind:][namespace/]name`; kind and namespace are case-insensitive in Backstage and
 * the namespace defaults to `default`. Backstage names allow [A-Za-z0-9] separated by [-_.],
 * up to 63 characters; Paved names are DNS labels of at most 40 (see @paved/model names.ts).
 */

export interface EntityRef {
  kind: string;
  namespace: string;
  name: string;
}

const BACKSTAGE_NAME = /^[A-Za-z0-9]+(?:[-_.][A-Za-z0-9]+)*$/;
export const BACKSTAGE_NAME_MAX_LENGTH = 63;

export function isBackstageName(value: unknown): value is string {
  return typeof value === 'string' && value.length <= BACKSTAGE_NAME_MAX_LENGTH && BACKSTAGE_NAME.test(value);
}

/** Parses a ref; `defaultKind` applies when the ref has no `kind:` (e.g. owner defaults to group). Undefined when malformed. */
export function parseEntityRef(ref: unknown, defaultKind?: string): EntityRef | undefined {
  if (typeof ref !== 'string' || ref.trim() === '') return undefined;
  const match = /^(?:([A-Za-z][A-Za-z0-9]*):)?(?:([^/:]+)\/)?([^/:]+)$/.exec(ref.trim());
  if (!match) return undefined;
  const kind = match[1] ?? defaultKind;
  if (!kind) return undefined;
  return { kind: kind.toLowerCase(), namespace: (match[2] ?? 'default').toLowerCase(), name: match[3]! };
}

/** The canonical string form: `component:default/shop`. */
export function formatEntityRef(ref: EntityRef): string {
  return `${ref.kind.toLowerCase()}:${ref.namespace}/${ref.name}`;
}

export type NameMapping = { ok: true; name: string; renamed: boolean } | { ok: false; reason: string };

/**
 * A Backstage name as a Paved name: lowercase, '.' and '_' become '-'. Anything that still is
 * not a Paved name (too long, starts with a digit) is refused with the reason rather than
 * truncated, because a truncated name could silently merge two entities.
 */
export function toPavedName(name: string): NameMapping {
  if (!isBackstageName(name)) {
    return { ok: false, reason: `"${name}" is not a valid Backstage name ([A-Za-z0-9] separated by "-", "_" or ".", at most ${BACKSTAGE_NAME_MAX_LENGTH} characters)` };
  }
  const mapped = name.toLowerCase().replace(/[._]/g, '-');
  if (mapped.length > NAME_MAX_LENGTH) {
    return { ok: false, reason: `name "${name}" is longer than Paved's ${NAME_MAX_LENGTH} characters; rename it in Backstage or create it in Paved by hand` };
  }
  if (!isValidName(mapped)) {
    return { ok: false, reason: `name "${name}" cannot be a Paved name (it must start with a letter)` };
  }
  return { ok: true, name: mapped, renamed: mapped !== name };
}
